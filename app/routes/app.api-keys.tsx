// API keys (merchant admin): make a key for the merchant's own systems (shown once; only its hash
// is kept), with read and/or write scope; see when each was last used; revoke it. docs/api.md.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, Checkbox, DataTable, FormLayout, Layout, Page, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { ListPager } from "~/components/list-pager";
import { database } from "~/db.server";
import type { MessageKey } from "~/lib/i18n";
import { readCursor } from "~/lib/paging.server";
import { staffOf } from "~/lib/staff.server";
import { useT } from "~/lib/use-t";
import { API_SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiScope } from "~/models/api-keys.server";
import { recordAudit } from "~/models/audit.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  return { keys: await listApiKeys(db.sql, session.shop, { cursor: readCursor(new URL(request.url)), limit: 50 }) };
};

type ActionData =
  | { intent: "create"; ok: true; key: string; prefix: string }
  | { intent: "create"; ok: false; fieldErrors: Record<string, string> }
  | { intent: "revoke"; ok: boolean };

// POST intent=create, label, scope=read, scope=write → 200 {key (once), prefix} | 422 {fieldErrors: {label|scopes}}
// POST intent=revoke, prefix → 200 {ok} | 404 {ok: false}
export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const shop = auth.session.shop;
  const form = await request.formData();
  const db = await database();
  const actor = staffOf(auth);
  if (form.get("intent") === "create") {
    const label = String(form.get("label") ?? "").trim();
    const scopes = form.getAll("scope").map(String).filter((s): s is ApiScope => (API_SCOPES as string[]).includes(s));
    const fieldErrors: Record<string, string> = {};
    if (!label) fieldErrors.label = "label.required";
    else if (label.length > 100) fieldErrors.label = "label.tooLong";
    if (!scopes.length) fieldErrors.scopes = "scopes.required";
    if (Object.keys(fieldErrors).length) return json({ intent: "create", ok: false, fieldErrors } satisfies ActionData, { status: 422 });
    const made = await db.sql.tx(async (q) => {
      const k = await createApiKey(q, shop, label, { scopes });
      await recordAudit(q, shop, { actor, action: "api_key_create", subjectType: "api_key", subjectId: k.prefix, before: null, after: { label, scopes }, note: null });
      return k;
    });
    return json({ intent: "create", ok: true, key: made.key, prefix: made.prefix } satisfies ActionData);
  }
  if (form.get("intent") === "revoke") {
    const prefix = String(form.get("prefix") ?? "");
    const ok = await db.sql.tx(async (q) => {
      const done = await revokeApiKey(q, shop, prefix);
      if (done) await recordAudit(q, shop, { actor, action: "api_key_revoke", subjectType: "api_key", subjectId: prefix, before: null, after: null, note: null });
      return done;
    });
    return json({ intent: "revoke", ok } satisfies ActionData, { status: ok ? 200 : 404 });
  }
  return json({ error: "unknown intent" }, { status: 400 });
};

export default function ApiKeys() {
  const { keys } = useLoaderData<typeof loader>();
  const { t, when } = useT();
  const create = useFetcher<ActionData>();
  const revoke = useFetcher<ActionData>();
  const [label, setLabel] = useState("");
  const [read, setRead] = useState(true);
  const [write, setWrite] = useState(false);
  const made = create.data?.intent === "create" && create.data.ok ? create.data : null;
  const errors = create.data?.intent === "create" && !create.data.ok ? create.data.fieldErrors : {};
  const err = (f: string) => (errors[f] ? t(`apiKeys.error.${errors[f]}` as MessageKey) : undefined);
  return (
    <Page title={t("apiKeys.heading")}>
      <TitleBar title={t("apiKeys.heading")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">{t("apiKeys.intro")}</Text>
            {made ? (
              <Banner tone="success" title={t("apiKeys.created")}>
                <BlockStack gap="200">
                  <Text as="p">{t("apiKeys.createdHelp")}</Text>
                  <TextField label={t("apiKeys.key")} value={made.key} readOnly autoComplete="off" selectTextOnFocus />
                </BlockStack>
              </Banner>
            ) : null}
            {revoke.data?.intent === "revoke" && revoke.data.ok ? <Banner tone="info" title={t("apiKeys.revokedDone")} /> : null}
            <Card>
              <create.Form method="post">
                <input type="hidden" name="intent" value="create" />
                {read ? <input type="hidden" name="scope" value="read" /> : null}
                {write ? <input type="hidden" name="scope" value="write" /> : null}
                <FormLayout>
                  <Text as="h2" variant="headingMd">{t("apiKeys.new")}</Text>
                  <TextField label={t("apiKeys.label")} name="label" value={label} onChange={setLabel} helpText={t("apiKeys.labelHelp")} error={err("label")} autoComplete="off" />
                  <Checkbox label={t("apiKeys.scope.read")} helpText={t("apiKeys.scope.readHelp")} checked={read} onChange={setRead} />
                  <Checkbox label={t("apiKeys.scope.write")} helpText={t("apiKeys.scope.writeHelp")} checked={write} onChange={setWrite} error={err("scopes")} />
                  <Button submit variant="primary" loading={create.state !== "idle"}>
                    {t("apiKeys.create")}
                  </Button>
                </FormLayout>
              </create.Form>
            </Card>
            <Card padding="0">
              {keys.items.length ? (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text", "text", "text"]}
                  headings={[t("apiKeys.col.label"), t("apiKeys.col.prefix"), t("apiKeys.col.scopes"), t("apiKeys.col.created"), t("apiKeys.col.lastUsed"), t("apiKeys.col.status"), ""]}
                  rows={keys.items.map((k) => [
                    k.label ?? "",
                    `${k.prefix}…`,
                    k.scopes.map((s) => t(`apiKeys.scope.${s}` as MessageKey)).join(", "),
                    when(k.createdAt),
                    k.lastUsedAt ? when(k.lastUsedAt) : t("apiKeys.never"),
                    k.revokedAt ? <Badge key={k.prefix}>{t("apiKeys.revoked")}</Badge> : <Badge key={k.prefix} tone="success">{t("apiKeys.active")}</Badge>,
                    k.revokedAt ? (
                      ""
                    ) : (
                      <revoke.Form key={k.prefix} method="post">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="prefix" value={k.prefix} />
                        <Button submit tone="critical" variant="plain">
                          {t("apiKeys.revoke")}
                        </Button>
                      </revoke.Form>
                    ),
                  ])}
                />
              ) : (
                <div style={{ padding: 16 }}>
                  <Text as="p" tone="subdued">{t("apiKeys.none")}</Text>
                </div>
              )}
            </Card>
            <ListPager page={keys} labels={{ previous: t("paging.newer"), next: t("paging.older") }} />
            <Text as="p" tone="subdued">{t("apiKeys.limits", { rate: keys.items[0]?.ratePerMinute ?? 120 })}</Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
