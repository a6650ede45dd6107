import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, DataTable, FormLayout, InlineGrid, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { randomUUID } from "node:crypto";
import { useEffect, useState } from "react";
import { ListPager } from "~/components/list-pager";
import { database } from "~/db.server";
import { parseAdjustment } from "~/domain/members";
import type { MessageKey } from "~/lib/i18n";
import { readCursor } from "~/lib/paging.server";
import { staffOf } from "~/lib/staff.server";
import { useT } from "~/lib/use-t";
import { listAudit } from "~/models/audit.server";
import { adjustMember, memberDetail, memberHistory, memberRedemptions, MemberNotFound, setMemberStatus, type StatusChange } from "~/models/members.server";
import { authenticate } from "~/shopify.server";

const json422 = (body: unknown) => new Response(JSON.stringify(body), { status: 422, headers: { "Content-Type": "application/json" } });

function memberIdOf(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Response("Not found", { status: 404 });
  return id;
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = memberIdOf(params.id);
  const db = await database();
  const member = await memberDetail(db.sql, session.shop, id);
  if (!member) throw new Response("Not found", { status: 404 });
  const url = new URL(request.url);
  const historyCursor = readCursor(url); // the history pages one way: older (`before`) only
  const before = historyCursor && "before" in historyCursor ? historyCursor.before : null;
  const codesCursor = readCursor(url, "codes");
  const [history, codes, audit] = await Promise.all([
    memberHistory(db.sql, session.shop, id, before),
    memberRedemptions(db.sql, session.shop, id, { cursor: codesCursor, limit: 50 }),
    listAudit(db.sql, session.shop, { subject: { type: "member", id: String(id) }, limit: 10 }),
  ]);
  // a fresh token per page view: the adjustment's idempotency key, so a double submit posts once
  return { member, history, before, codes, audit: audit.entries, token: randomUUID() };
};

type ActionResult = { ok: true; intent: string; duplicate?: boolean } | { ok: false; intent: string; fieldErrors: Record<string, string>; balance?: number };

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const shop = auth.session.shop;
  const id = memberIdOf(params.id);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const db = await database();
  const actor = staffOf(auth);
  try {
    if (intent === "adjust") {
      const parsed = parseAdjustment({ points: form.get("points"), reason: form.get("reason"), note: form.get("note"), allowNegative: form.get("allowNegative"), token: form.get("token") });
      if (!parsed.ok) return json422({ ok: false, intent, fieldErrors: parsed.fieldErrors } satisfies ActionResult);
      const r = await adjustMember(db.sql, shop, id, parsed.value, actor);
      if (r.status === "insufficient") return json422({ ok: false, intent, fieldErrors: { points: "points.belowZero" }, balance: r.balance } satisfies ActionResult);
      return { ok: true, intent, duplicate: r.status === "duplicate" } satisfies ActionResult;
    }
    if (["exclude", "include", "block", "unblock"].includes(intent)) {
      await setMemberStatus(db.sql, shop, id, intent as StatusChange, actor);
      return { ok: true, intent } satisfies ActionResult;
    }
    return new Response(JSON.stringify({ error: "unknown intent" }), { status: 400, headers: { "Content-Type": "application/json" } });
  } catch (error) {
    if (error instanceof MemberNotFound) throw new Response("Not found", { status: 404 });
    throw error;
  }
};

export default function MemberPage() {
  const { member: m, history, before, codes, audit, token } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const nav = useNavigation();
  const [params] = useSearchParams();
  const { t, n, when } = useT();
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [allowNegative, setAllowNegative] = useState(false);
  const adjusted = result?.ok && result.intent === "adjust";
  useEffect(() => {
    if (adjusted) {
      setPoints("");
      setReason("");
      setNote("");
      setAllowNegative(false);
    }
  }, [adjusted, result]);
  const errors = result && !result.ok && result.intent === "adjust" ? result.fieldErrors : {};
  const err = (field: string) => (errors[field] ? t(`adjust.error.${errors[field]}` as MessageKey, { balance: n(result && !result.ok ? (result.balance ?? m.pointsAvailable) : 0) }) : undefined);
  const busy = nav.state !== "idle";
  const localeQuery = params.get("locale") ? `?locale=${params.get("locale")}` : "";
  const status = (intent: StatusChange, label: MessageKey, tone?: "critical") => (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <Button submit tone={tone} disabled={busy}>{t(label)}</Button>
    </Form>
  );
  const kindLabel = (k: string) => t(`history.kind.${k}` as MessageKey);
  return (
    <Page title={m.name || m.email || t("members.unnamed")} backAction={{ content: t("members.heading"), url: `/app/members${localeQuery}` }}>
      <TitleBar title={m.name || t("members.heading")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {adjusted ? <Banner tone="success">{result.duplicate ? t("adjust.duplicate") : t("adjust.done")}</Banner> : null}
            {result?.ok && result.intent !== "adjust" ? <Banner tone="success">{t(`member.done.${result.intent}` as MessageKey)}</Banner> : null}
            <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
              {([["available", m.pointsAvailable], ["pending", m.pointsPending], ["lifetime", m.lifetimeEarned]] as const).map(([k, v]) => (
                <Card key={k}>
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingSm">{t(`member.balance.${k}` as MessageKey)}</Text>
                    <Text as="p" variant="heading2xl" id={`balance-${k}`}>{n(v)}</Text>
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("adjust.heading")}</Text>
                <Form method="post">
                  <input type="hidden" name="intent" value="adjust" />
                  <input type="hidden" name="token" value={token} />
                  <FormLayout>
                    <FormLayout.Group>
                      <TextField label={t("adjust.points")} name="points" id="adjust-points" value={points} onChange={setPoints} helpText={t("adjust.pointsHelp")} error={err("points")} autoComplete="off" inputMode="numeric" />
                      <TextField label={t("adjust.reason")} name="reason" id="adjust-reason" value={reason} onChange={setReason} requiredIndicator error={err("reason")} autoComplete="off" maxLength={100} />
                    </FormLayout.Group>
                    <TextField label={t("adjust.note")} name="note" id="adjust-note" value={note} onChange={setNote} error={err("note")} autoComplete="off" multiline={2} maxLength={500} />
                    <Checkbox label={t("adjust.allowNegative")} name="allowNegative" checked={allowNegative} onChange={setAllowNegative} helpText={t("adjust.allowNegativeHelp")} />
                    <Button submit variant="primary" loading={busy && nav.formData?.get("intent") === "adjust"}>{t("adjust.submit")}</Button>
                  </FormLayout>
                </Form>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("history.heading")}</Text>
                {history.lines.length ? (
                  <div id="member-history">
                    <DataTable
                      columnContentTypes={["text", "numeric", "text", "text", "text"]}
                      headings={[t("history.when"), t("history.points"), t("history.kind"), t("history.reason"), t("history.note")]}
                      rows={history.lines.map((l) => [
                        when(l.at),
                        `${l.points > 0 ? "+" : ""}${n(l.points)}${l.bucket === "pending" ? ` (${t("member.balance.pending")})` : ""}`,
                        kindLabel(l.kind),
                        l.reason,
                        l.note ?? "",
                      ])}
                    />
                  </div>
                ) : (
                  <Text as="p" tone="subdued">{t("history.none")}</Text>
                )}
                <InlineStack gap="200">
                  {before ? <Link to={`/app/members/${m.id}${localeQuery}`}>{t("history.newest")}</Link> : null}
                  {history.next ? <Link to={`/app/members/${m.id}?before=${history.next}${params.get("locale") ? `&locale=${params.get("locale")}` : ""}`}>{t("history.older")}</Link> : null}
                </InlineStack>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("codes.heading")}</Text>
                {codes.items.length ? (
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "text"]}
                    headings={[t("codes.code"), t("codes.status"), t("codes.points"), t("codes.when")]}
                    rows={codes.items.map((c) => [c.code, t(`codes.status.${c.status}` as MessageKey), n(c.points), when(c.at)])}
                  />
                ) : (
                  <Text as="p" tone="subdued">{t("codes.none")}</Text>
                )}
                <ListPager page={codes} prefix="codes" labels={{ previous: t("paging.newer"), next: t("paging.older") }} />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">{t("member.profile")}</Text>
                <Text as="p">{m.email ?? "—"}</Text>
                <Text as="p" tone="subdued">{t("member.since", { date: when(m.createdAt) })}</Text>
                {m.birthday ? <Text as="p">{t("member.birthday", { date: m.birthday })}</Text> : null}
                <InlineStack gap="100">
                  {m.excluded ? <Badge tone="warning">{t("member.excluded")}</Badge> : null}
                  {m.blocked ? <Badge tone="critical">{t("member.blocked")}</Badge> : null}
                  {!m.excluded && !m.blocked ? <Badge tone="success">{t("member.active")}</Badge> : null}
                </InlineStack>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("member.standing")}</Text>
                <Text as="p" tone="subdued">{m.excluded ? t("member.excludedHelp") : t("member.excludeHelp")}</Text>
                {m.excluded ? status("include", "member.include") : status("exclude", "member.exclude")}
                <Text as="p" tone="subdued">{m.blocked ? t("member.blockedHelp") : t("member.blockHelp")}</Text>
                {m.blocked ? status("unblock", "member.unblock") : status("block", "member.block", "critical")}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">{t("member.tier")}</Text>
                <Text as="p">{m.importedTier ?? "—"}</Text>
                <Text as="p" tone="subdued">{m.importedTier ? t("member.tierImported") : t("member.tierNone")}</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">{t("member.referrals")}</Text>
                <Text as="p">{m.importedReferralCode ?? "—"}</Text>
                <Text as="p" tone="subdued">{m.importedReferralCode ? t("member.referralImported") : t("member.referralNone")}</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">{t("member.staffLog")}</Text>
                {audit.length ? (
                  audit.map((a) => (
                    <Box key={a.id}>
                      <Text as="p">{t(`audit.action.${a.action}` as MessageKey)} · {a.actor}</Text>
                      <Text as="p" tone="subdued">{when(a.at)}{a.note ? ` · ${a.note}` : ""}</Text>
                    </Box>
                  ))
                ) : (
                  <Text as="p" tone="subdued">{t("audit.none")}</Text>
                )}
                <Link to={`/app/audit${localeQuery}`}>{t("audit.all")}</Link>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
