// Integrations (merchant admin): outbound webhook endpoints (URL, events, the signing secret shown
// once when made or rotated), their delivery log with manual retry, an endpoint's disabled reason;
// and the Shopify Flow triggers lately sent. docs/api.md documents the payload and signature.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  DataTable,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { ListPager } from "~/components/list-pager";
import { database } from "~/db.server";
import { APP_EVENT_KINDS, type AppEventKind } from "~/domain/app-events";
import { pickLocale, translate, type MessageKey } from "~/lib/i18n";
import { readCursor } from "~/lib/paging.server";
import { recentEvents } from "~/models/app-events.server";
import {
  createEndpoint,
  deleteEndpoint,
  EndpointInputError,
  listEndpoints,
  recentDeliveries,
  retryDelivery,
  rotateSecret,
  setEndpointEnabled,
  updateEndpoint,
} from "~/models/outbound-webhooks.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const cursor = readCursor(url);
  const db = await database();
  return {
    endpoints: await listEndpoints(db.sql, session.shop),
    deliveries: await recentDeliveries(db.sql, session.shop, { cursor, limit: 50 }),
    events: await recentEvents(db.sql, session.shop, 20),
    locale: pickLocale(url.searchParams.get("locale")),
  };
};

type ActionData =
  | { intent: "create" | "rotate"; ok: true; id: number; secret: string }
  | {
      intent: "create" | "update";
      ok: false;
      fieldErrors: Record<string, string>;
    }
  | {
      intent: "update" | "enable" | "disable" | "delete" | "retry";
      ok: boolean;
    }
  | { intent: "invalid"; ok: false; fieldErrors: Record<string, string> };

// POST intent=create, url, events (repeated, or comma-separated) → 200 {id, secret} (the secret, this once) | 422 {fieldErrors: {url|events: code}}
// POST intent=update, id, url, events → 200 | 422;  intent=rotate, id → 200 {secret}
// POST intent=enable|disable|delete, id → 200 {ok};  intent=retry, delivery → 200 {ok}
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return json(
      {
        intent: "invalid",
        ok: false,
        fieldErrors: { body: "not_a_form" },
      } satisfies ActionData,
      { status: 400 }
    );
  }
  const str = (k: string) =>
    typeof form.get(k) === "string" ? String(form.get(k)) : "";
  const id = Number(str("id"));
  const intent = str("intent");
  const db = await database();
  // events: repeated fields or one comma-separated list (what the page sends)
  const input = () => ({
    url: str("url"),
    events: form
      .getAll("events")
      .flatMap((v) => String(v).split(","))
      .map((v) => v.trim())
      .filter(Boolean),
  });
  const needsId = ["update", "rotate", "enable", "disable", "delete"].includes(
    intent
  );
  if (needsId && !(Number.isInteger(id) && id > 0))
    return json(
      {
        intent: "invalid",
        ok: false,
        fieldErrors: { id: "required" },
      } satisfies ActionData,
      { status: 400 }
    );
  try {
    switch (intent) {
      case "create": {
        const made = await createEndpoint(db.sql, shop, input());
        return json({ intent, ok: true, ...made } satisfies ActionData);
      }
      case "update":
        return json({
          intent,
          ok: await updateEndpoint(db.sql, shop, id, input()),
        } satisfies ActionData);
      case "rotate": {
        const secret = await rotateSecret(db.sql, shop, id);
        return secret
          ? json({ intent, ok: true, id, secret } satisfies ActionData)
          : json(
              {
                intent: "invalid",
                ok: false,
                fieldErrors: { id: "not_found" },
              } satisfies ActionData,
              { status: 404 }
            );
      }
      case "enable":
      case "disable":
        return json({
          intent,
          ok: await setEndpointEnabled(db.sql, shop, id, intent === "enable"),
        } satisfies ActionData);
      case "delete":
        return json({
          intent,
          ok: await db.sql.tx((q) => deleteEndpoint(q, shop, id)),
        } satisfies ActionData);
      case "retry": {
        const delivery = Number(str("delivery"));
        if (!(Number.isInteger(delivery) && delivery > 0))
          return json(
            {
              intent: "invalid",
              ok: false,
              fieldErrors: { delivery: "required" },
            } satisfies ActionData,
            { status: 400 }
          );
        return json({
          intent,
          ok: await db.sql.tx((q) => retryDelivery(q, shop, delivery)),
        } satisfies ActionData);
      }
      default:
        return json(
          {
            intent: "invalid",
            ok: false,
            fieldErrors: { intent: "unknown" },
          } satisfies ActionData,
          { status: 400 }
        );
    }
  } catch (e) {
    if (e instanceof EndpointInputError)
      return json(
        {
          intent: intent === "update" ? "update" : "create",
          ok: false,
          fieldErrors: e.fieldErrors,
        } satisfies ActionData,
        { status: 422 }
      );
    throw e;
  }
};

function EventChoice({
  value,
  onChange,
  t,
}: {
  value: AppEventKind[];
  onChange: (v: AppEventKind[]) => void;
  t: (k: MessageKey) => string;
}) {
  return (
    <InlineStack gap="300">
      {APP_EVENT_KINDS.map((k) => (
        <Checkbox
          key={k}
          label={t(`webhooks.event.${k}` as MessageKey)}
          checked={value.includes(k)}
          onChange={(on) =>
            onChange(on ? [...value, k] : value.filter((x) => x !== k))
          }
        />
      ))}
    </InlineStack>
  );
}

export default function Webhooks() {
  const data = useLoaderData<typeof loader>();
  const t = (key: MessageKey, vars?: Record<string, string | number>) =>
    translate(data.locale, key, vars);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<AppEventKind[]>([...APP_EVENT_KINDS]);
  const create = useFetcher<ActionData>();
  const act = useFetcher<ActionData>();
  const created =
    create.data && "secret" in create.data
      ? create.data
      : act.data && "secret" in act.data
      ? act.data
      : undefined;
  const errors =
    create.data && "fieldErrors" in create.data ? create.data.fieldErrors : {};
  const errorText = (code: string | undefined) =>
    code ? t(`webhooks.errors.${code}` as MessageKey) : undefined;
  const submit = (fields: Record<string, string>) =>
    act.submit(fields, { method: "post" });
  const disabledText = (reason: string | null) => {
    if (!reason) return "";
    if (reason === "by_merchant") return t("webhooks.disabled.byMerchant");
    const m = /^failures:(\d+):(.*)$/.exec(reason);
    return m
      ? t("webhooks.disabled.failures", { n: m[1]!, last: m[2]! })
      : reason;
  };
  const statusTone = (s: string) =>
    s === "delivered"
      ? "success"
      : s === "failed"
      ? "critical"
      : s === "retrying"
      ? "warning"
      : undefined;

  return (
    <Page>
      <TitleBar title={t("webhooks.title")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("webhooks.add")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("webhooks.intro")}
                </Text>
                <FormLayout>
                  <TextField
                    label={t("webhooks.url")}
                    autoComplete="off"
                    value={url}
                    onChange={setUrl}
                    error={errorText(errors.url)}
                    placeholder="https://hooks.example.com/stammkunde"
                  />
                  <EventChoice value={events} onChange={setEvents} t={t} />
                  {errors.events ? (
                    <Text as="p" tone="critical">
                      {errorText(errors.events)}
                    </Text>
                  ) : null}
                  <InlineStack>
                    <Button
                      variant="primary"
                      loading={create.state !== "idle"}
                      onClick={() =>
                        create.submit(
                          { intent: "create", url, events: events.join(",") },
                          { method: "post" }
                        )
                      }
                    >
                      {t("webhooks.create")}
                    </Button>
                  </InlineStack>
                </FormLayout>
                {created ? (
                  <Banner tone="warning" title={t("webhooks.secretOnce")}>
                    <code data-testid="webhook-secret">{created.secret}</code>
                  </Banner>
                ) : null}
              </BlockStack>
            </Card>

            {data.endpoints.map((e) => (
              <Card key={e.id}>
                <div data-testid="endpoint">
                  <BlockStack gap="200">
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h3" variant="headingSm">
                        {e.url}
                      </Text>
                      <Badge tone={e.enabled ? "success" : "critical"}>
                        {e.enabled
                          ? t("webhooks.enabled")
                          : t("webhooks.disabled")}
                      </Badge>
                    </InlineStack>
                    {!e.enabled && e.disabledReason ? (
                      <Banner tone="critical">
                        {disabledText(e.disabledReason)}
                      </Banner>
                    ) : null}
                    <Text as="p">
                      {t("webhooks.events", {
                        list: e.events
                          .map((k) => t(`webhooks.event.${k}` as MessageKey))
                          .join(", "),
                      })}
                    </Text>
                    <Text as="p" tone="subdued">
                      {t("webhooks.secretHint", { hint: e.secretHint })}
                    </Text>
                    {e.consecutiveFailures > 0 ? (
                      <Text as="p" tone="caution">
                        {t("webhooks.failuresInRow", {
                          n: e.consecutiveFailures,
                        })}
                      </Text>
                    ) : null}
                    <InlineStack gap="200">
                      <Button
                        onClick={() =>
                          submit({
                            intent: e.enabled ? "disable" : "enable",
                            id: String(e.id),
                          })
                        }
                      >
                        {e.enabled
                          ? t("webhooks.disable")
                          : t("webhooks.enable")}
                      </Button>
                      <Button
                        onClick={() =>
                          submit({ intent: "rotate", id: String(e.id) })
                        }
                      >
                        {t("webhooks.rotate")}
                      </Button>
                      <Button
                        tone="critical"
                        onClick={() =>
                          submit({ intent: "delete", id: String(e.id) })
                        }
                      >
                        {t("webhooks.delete")}
                      </Button>
                    </InlineStack>
                  </BlockStack>
                </div>
              </Card>
            ))}

            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("webhooks.log")}
                </Text>
                {data.deliveries.items.length === 0 && data.deliveries.prev === null ? (
                  <Text as="p" tone="subdued">
                    {t("webhooks.log.empty")}
                  </Text>
                ) : (
                  <DataTable
                    columnContentTypes={[
                      "text",
                      "text",
                      "text",
                      "numeric",
                      "text",
                      "text",
                      "text",
                    ]}
                    headings={[
                      t("webhooks.log.event"),
                      t("webhooks.log.endpoint"),
                      t("webhooks.log.status"),
                      t("webhooks.log.attempts"),
                      t("webhooks.log.response"),
                      t("webhooks.log.next"),
                      "",
                    ]}
                    rows={data.deliveries.items.map((d) => [
                      `${t(`webhooks.event.${d.eventType}` as MessageKey)} #${
                        d.eventId
                      }`,
                      data.endpoints.find((e) => e.id === d.endpointId)?.url ??
                        `#${d.endpointId}`,
                      <Badge key="s" tone={statusTone(d.status)}>
                        {t(`webhooks.status.${d.status}` as MessageKey)}
                      </Badge>,
                      d.attempts,
                      d.lastStatus !== null
                        ? `HTTP ${d.lastStatus}`
                        : d.lastError ?? "",
                      d.nextAttemptAt
                        ? new Date(d.nextAttemptAt).toLocaleString(data.locale)
                        : "",
                      d.status === "failed" || d.status === "retrying" ? (
                        <Button
                          key="r"
                          size="slim"
                          onClick={() =>
                            submit({ intent: "retry", delivery: String(d.id) })
                          }
                        >
                          {t("webhooks.retry")}
                        </Button>
                      ) : (
                        ""
                      ),
                    ])}
                  />
                )}
                <ListPager page={data.deliveries} labels={{ previous: t("paging.newer"), next: t("paging.older") }} />
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("webhooks.flow")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("webhooks.flow.intro")}
                </Text>
                {data.events.map((ev) => (
                  <p key={ev.id}>{`${t(
                    `webhooks.event.${ev.kind}` as MessageKey
                  )} #${ev.id} · ${t(
                    `webhooks.flow.${
                      ev.flowStatus === "sent"
                        ? "sent"
                        : ev.flowStatus === "failed"
                        ? "failed"
                        : ev.flowStatus === "off"
                        ? "off"
                        : "pending"
                    }` as MessageKey
                  )}${ev.flowError ? ` · ${ev.flowError}` : ""}`}</p>
                ))}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
