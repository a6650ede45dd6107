// Notices by email and WhatsApp (merchant admin): the shop's SMTP server with a test email, the
// WhatsApp Business account (token and app secret go in, never out) and template names, the email channel,
// quiet hours, which notices go out, and the texts per notice and language with a live preview.
// The SMTP password goes in, never out (the loader only says whether one is stored).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useMemo, useState } from "react";
import { ListPager } from "~/components/list-pager";
import { database } from "~/db.server";
import { fe } from "~/domain/errors";
import { NOTICE_KINDS, type MessagingSettings, type NoticeKind } from "~/domain/program";
import { COMMON_VARIABLES, KIND_VARIABLES, renderTemplate, sampleVariables, templateFor, type Lang } from "~/domain/templates";
import { localizeFieldErrors, pickLocale, requestLocale, translate, type MessageKey } from "~/lib/i18n";
import { readCursor } from "~/lib/paging.server";
import { programOf } from "~/models/earning.server";
import {
  applyMessagingSettings,
  noticeCounts,
  recentNotices,
  retryFailedNotices,
  saveSmtpSettings,
  sendTestEmail,
  SmtpSettingsError,
  smtpSettingsView,
  type MessagingSettingsResult,
  type SmtpSettingsView,
} from "~/models/messaging.server";
import { ensureShop } from "~/models/shops.server";
import { saveWhatsAppSettings, whatsAppDeliveryCounts, whatsAppSettingsView, WhatsAppSettingsError, type WhatsAppSettingsView } from "~/models/whatsapp.server";
import { templateParameterNames } from "~/domain/whatsapp";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  const shop = await ensureShop(db.sql, session.shop);
  const url = new URL(request.url);
  const failedCursor = readCursor(url, "failed");
  return {
    messaging: programOf(shop).messaging,
    smtp: await smtpSettingsView(db.sql, session.shop),
    whatsapp: await whatsAppSettingsView(db.sql, session.shop),
    whatsappCounts: await whatsAppDeliveryCounts(db.sql, session.shop),
    counts: await noticeCounts(db.sql, session.shop),
    failed: await recentNotices(db.sql, session.shop, { status: "failed", cursor: failedCursor, limit: 20 }),
    shopName: shop.name ?? session.shop.replace(/\.myshopify\.com$/, ""),
    locale: pickLocale(url.searchParams.get("locale")),
  };
};

type ActionData =
  | { intent: "save"; result: MessagingSettingsResult }
  | { intent: "smtp"; ok: true; smtp: SmtpSettingsView }
  | { intent: "smtp"; ok: false; fieldErrors: Record<string, string> }
  | { intent: "test"; ok: true; messageId: string }
  | { intent: "test"; ok: false; fieldErrors: Record<string, string> }
  | { intent: "retry"; retried: number }
  | { intent: "whatsapp"; ok: true; whatsapp: WhatsAppSettingsView }
  | { intent: "whatsapp"; ok: false; fieldErrors: Record<string, string> };

// POST intent=save, settings=<JSON messaging> → 200 {result: {ok, messaging}} | 422 {result: {ok: false, fieldErrors}}
// POST intent=smtp, host, port, secure, username, password (empty: keep), clearPassword → 200 | 422 fieldErrors
// POST intent=test, to, lang → 200 {ok, messageId} | 422 {fieldErrors: {to}}
// POST intent=retry → 200 {retried}
// POST intent=whatsapp, phoneNumberId, accessToken / appSecret (empty: keep), verifyToken, baseUrl, apiVersion → 200 | 422 fieldErrors
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const db = await database();
  const str = (k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");
  if (intent === "save") {
    let input: unknown;
    try {
      input = JSON.parse(str("settings"));
    } catch {
      return json({ intent: "save", result: { ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), { settings: fe("errors.json") }) } } satisfies ActionData, { status: 400 });
    }
    const result = await applyMessagingSettings(db.sql, session.shop, input);
    return json({ intent: "save", result: result.ok ? result : { ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), result.fieldErrors) } } satisfies ActionData, { status: result.ok ? 200 : 422 });
  }
  if (intent === "smtp") {
    try {
      const smtp = await saveSmtpSettings(db.sql, session.shop, { host: str("host"), port: str("port"), secure: str("secure") === "true", username: str("username"), password: str("password"), clearPassword: str("clearPassword") === "true" });
      return json({ intent: "smtp", ok: true, smtp } satisfies ActionData);
    } catch (e) {
      if (e instanceof SmtpSettingsError) return json({ intent: "smtp", ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), e.fieldErrors) } satisfies ActionData, { status: 422 });
      throw e;
    }
  }
  if (intent === "test") {
    const r = await sendTestEmail(db.sql, session.shop, str("to").trim(), str("lang") === "de" ? "de" : "en");
    return r.ok ? json({ intent: "test", ok: true, messageId: r.messageId } satisfies ActionData) : json({ intent: "test", ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), { to: r.error }) } satisfies ActionData, { status: 422 });
  }
  if (intent === "whatsapp") {
    try {
      const whatsapp = await saveWhatsAppSettings(db.sql, session.shop, { phoneNumberId: str("phoneNumberId"), accessToken: str("accessToken"), appSecret: str("appSecret"), verifyToken: str("verifyToken"), baseUrl: str("baseUrl"), apiVersion: str("apiVersion") });
      return json({ intent: "whatsapp", ok: true, whatsapp } satisfies ActionData);
    } catch (e) {
      if (e instanceof WhatsAppSettingsError) return json({ intent: "whatsapp", ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), e.fieldErrors) } satisfies ActionData, { status: 422 });
      throw e;
    }
  }
  if (intent === "retry") return json({ intent: "retry", retried: await retryFailedNotices(db.sql, session.shop) } satisfies ActionData);
  return json({ intent: "save", result: { ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), { intent: fe("errors.oneOf", { options: "save, smtp, test, retry, whatsapp" }) }) } } satisfies ActionData, { status: 400 });
};

export default function Messaging() {
  const data = useLoaderData<typeof loader>();
  const { locale, shopName } = data;
  const t = (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);
  const [settings, setSettings] = useState<MessagingSettings>(data.messaging as MessagingSettings);
  const [smtp, setSmtp] = useState({ host: data.smtp?.host ?? "", port: String(data.smtp?.port ?? 587), secure: data.smtp?.secure ?? false, username: data.smtp?.username ?? "", password: "" });
  const [testTo, setTestTo] = useState("");
  const [kind, setKind] = useState<NoticeKind>("tier_up");
  const [lang, setLang] = useState<Lang>(locale === "de" ? "de" : "en");
  const save = useFetcher<ActionData>();
  const smtpFetcher = useFetcher<ActionData>();
  const testFetcher = useFetcher<ActionData>();
  const retryFetcher = useFetcher<ActionData>();

  const saved = save.data?.intent === "save" ? save.data.result : undefined;
  const errors = saved && !saved.ok ? saved.fieldErrors : {};
  const smtpErrors = smtpFetcher.data?.intent === "smtp" && !smtpFetcher.data.ok ? smtpFetcher.data.fieldErrors : {};
  const smtpSaved = smtpFetcher.data?.intent === "smtp" && smtpFetcher.data.ok ? smtpFetcher.data.smtp : undefined;
  const passwordSet = smtpSaved?.passwordSet ?? data.smtp?.passwordSet ?? false;
  const test = testFetcher.data?.intent === "test" ? testFetcher.data : undefined;

  const email = settings.channels.email;
  const setEmail = (change: Partial<typeof email>) => setSettings((s) => ({ ...s, channels: { ...s.channels, email: { ...s.channels.email, ...change } } }));
  const wa = settings.channels.whatsapp;
  const setWa = (change: Partial<typeof wa>) => setSettings((s) => ({ ...s, channels: { ...s.channels, whatsapp: { ...s.channels.whatsapp, ...change } } }));
  const setWaTemplate = (k: NoticeKind, change: Partial<{ name: string; en: string; de: string }>) =>
    setWa({ templates: { ...wa.templates, [k]: { name: "", en: "en", de: "de", ...wa.templates[k], ...change } } });
  const [waForm, setWaForm] = useState({ phoneNumberId: data.whatsapp?.phoneNumberId ?? "", baseUrl: data.whatsapp?.baseUrl ?? "", apiVersion: data.whatsapp?.apiVersion ?? "", accessToken: "", appSecret: "", verifyToken: "" });
  const waFetcher = useFetcher<ActionData>();
  const waErrors = waFetcher.data?.intent === "whatsapp" && !waFetcher.data.ok ? waFetcher.data.fieldErrors : {};
  const waSaved = waFetcher.data?.intent === "whatsapp" && waFetcher.data.ok ? waFetcher.data.whatsapp : undefined;
  const waView = waSaved ?? data.whatsapp;
  const setQuiet = (change: Partial<MessagingSettings["quietHours"]>) => setSettings((s) => ({ ...s, quietHours: { ...s.quietHours, ...change } }));
  const template = templateFor(settings, kind, lang);
  const custom = settings.templates[kind]?.[lang] !== undefined;
  const setTemplate = (change: Partial<{ subject: string; body: string }> | null) =>
    setSettings((s) => {
      const forKind = { ...(s.templates[kind] ?? {}) };
      if (change === null) delete forKind[lang];
      else forKind[lang] = { ...templateFor(s, kind, lang), ...change };
      return { ...s, templates: { ...s.templates, [kind]: forKind } };
    });
  const preview = useMemo(() => renderTemplate(template, sampleVariables(kind, shopName, lang), "preview"), [template, kind, shopName, lang]);
  const tplErr = (field: "subject" | "body") => errors[`messaging.templates.${kind}.${lang}.${field}`];
  const kindLabel = (k: NoticeKind) => t(`messaging.kind.${k}` as MessageKey);

  return (
    <Page>
      <TitleBar title={t("messaging.title")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {saved && !saved.ok ? <Banner tone="critical" title={t("messaging.errors")}>{Object.entries(errors).map(([k, v]) => <p key={k}>{`${k}: ${v}`}</p>)}</Banner> : null}
            {saved && saved.ok ? <Banner tone="success">{t("messaging.saved")}</Banner> : null}

            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">{t("messaging.status")}</Text>
                <p data-testid="notice-counts">{t("messaging.counts", { sent: data.counts.sent ?? 0, pending: (data.counts.pending ?? 0) + (data.counts.sending ?? 0), failed: data.counts.failed ?? 0, cancelled: data.counts.cancelled ?? 0 })}</p>
                {data.failed.items.length || data.failed.prev !== null ? (
                  <BlockStack gap="100">
                    {data.failed.items.map((n) => <p key={n.id}>{`${kindLabel(n.kind as NoticeKind)} · #${n.memberId} · ${n.attempts}× · ${n.reason ?? ""}`}</p>)}
                    <ListPager page={data.failed} prefix="failed" labels={{ previous: t("paging.newer"), next: t("paging.older") }} />
                    <InlineStack>
                      <Button onClick={() => retryFetcher.submit({ intent: "retry" }, { method: "post" })} loading={retryFetcher.state !== "idle"}>{t("messaging.retryFailed")}</Button>
                    </InlineStack>
                    {retryFetcher.data?.intent === "retry" ? <p>{t("messaging.retried", { n: retryFetcher.data.retried })}</p> : null}
                  </BlockStack>
                ) : null}
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("messaging.smtp")}</Text>
                <FormLayout>
                  <FormLayout.Group>
                    <TextField label={t("messaging.smtp.host")} autoComplete="off" value={smtp.host} error={smtpErrors.host} onChange={(v) => setSmtp((s) => ({ ...s, host: v }))} />
                    <TextField label={t("messaging.smtp.port")} type="number" autoComplete="off" value={smtp.port} error={smtpErrors.port} onChange={(v) => setSmtp((s) => ({ ...s, port: v }))} />
                  </FormLayout.Group>
                  <Checkbox label={t("messaging.smtp.secure")} checked={smtp.secure} onChange={(v) => setSmtp((s) => ({ ...s, secure: v }))} />
                  <FormLayout.Group>
                    <TextField label={t("messaging.smtp.username")} autoComplete="off" value={smtp.username} error={smtpErrors.username} onChange={(v) => setSmtp((s) => ({ ...s, username: v }))} />
                    <TextField
                      label={t("messaging.smtp.password")}
                      type="password"
                      autoComplete="new-password"
                      value={smtp.password}
                      error={smtpErrors.password}
                      helpText={passwordSet ? t("messaging.smtp.passwordKept") : undefined}
                      onChange={(v) => setSmtp((s) => ({ ...s, password: v }))}
                    />
                  </FormLayout.Group>
                  <InlineStack gap="200">
                    <Button
                      variant="primary"
                      loading={smtpFetcher.state !== "idle"}
                      onClick={() => {
                        smtpFetcher.submit({ intent: "smtp", host: smtp.host, port: smtp.port, secure: String(smtp.secure), username: smtp.username, password: smtp.password }, { method: "post" });
                        setSmtp((s) => ({ ...s, password: "" }));
                      }}
                    >
                      {t("messaging.smtp.save")}
                    </Button>
                  </InlineStack>
                  {smtpSaved ? <Banner tone="success">{t("messaging.smtp.saved")}</Banner> : null}
                  <FormLayout.Group>
                    <TextField label={t("messaging.test.to")} type="email" autoComplete="email" value={testTo} error={test && !test.ok ? test.fieldErrors.to : undefined} onChange={setTestTo} />
                  </FormLayout.Group>
                  <InlineStack gap="200">
                    <Button loading={testFetcher.state !== "idle"} onClick={() => testFetcher.submit({ intent: "test", to: testTo, lang: locale }, { method: "post" })}>{t("messaging.test.send")}</Button>
                  </InlineStack>
                  {test && test.ok ? <Banner tone="success">{t("messaging.test.sent", { id: test.messageId })}</Banner> : null}
                </FormLayout>
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("messaging.channel")}</Text>
                <FormLayout>
                  <Checkbox label={t("messaging.email.enabled")} checked={email.enabled} error={errors["messaging.channels.email.enabled"]} onChange={(v) => setEmail({ enabled: v })} />
                  <FormLayout.Group>
                    <TextField label={t("messaging.email.fromName")} autoComplete="off" value={email.fromName} error={errors["messaging.channels.email.fromName"]} onChange={(v) => setEmail({ fromName: v })} />
                    <TextField label={t("messaging.email.fromEmail")} type="email" autoComplete="off" value={email.fromEmail} error={errors["messaging.channels.email.fromEmail"]} onChange={(v) => setEmail({ fromEmail: v })} />
                    <TextField label={t("messaging.email.replyTo")} type="email" autoComplete="off" value={email.replyTo} error={errors["messaging.channels.email.replyTo"]} onChange={(v) => setEmail({ replyTo: v })} />
                  </FormLayout.Group>
                  <Checkbox label={t("messaging.quiet.enabled")} checked={settings.quietHours.enabled} onChange={(v) => setQuiet({ enabled: v })} />
                  <FormLayout.Group>
                    <TextField label={t("messaging.quiet.start")} autoComplete="off" value={settings.quietHours.start} error={errors["messaging.quietHours.start"]} onChange={(v) => setQuiet({ start: v })} />
                    <TextField label={t("messaging.quiet.end")} autoComplete="off" value={settings.quietHours.end} error={errors["messaging.quietHours.end"]} onChange={(v) => setQuiet({ end: v })} />
                    <Select
                      label={t("messaging.defaultLanguage")}
                      options={[{ value: "en", label: "English" }, { value: "de", label: "Deutsch" }]}
                      value={settings.defaultLanguage}
                      onChange={(v) => setSettings((s) => ({ ...s, defaultLanguage: v === "de" ? "de" : "en" }))}
                    />
                  </FormLayout.Group>
                  <Text as="h3" variant="headingSm">{t("messaging.kinds")}</Text>
                  {NOTICE_KINDS.map((k) => (
                    <Checkbox key={k} label={kindLabel(k)} checked={settings.kinds[k] !== false} onChange={(v) => setSettings((s) => ({ ...s, kinds: { ...s.kinds, [k]: v } }))} />
                  ))}
                </FormLayout>
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("messaging.whatsapp")}</Text>
                <p data-testid="whatsapp-counts">{t("messaging.counts", { sent: data.whatsappCounts.sent ?? 0, pending: (data.whatsappCounts.pending ?? 0) + (data.whatsappCounts.sending ?? 0), failed: data.whatsappCounts.failed ?? 0, cancelled: data.whatsappCounts.cancelled ?? 0 })}</p>
                <FormLayout>
                  <FormLayout.Group>
                    <TextField label={t("messaging.whatsapp.phoneNumberId")} autoComplete="off" value={waForm.phoneNumberId} error={waErrors.phoneNumberId} onChange={(v) => setWaForm((f) => ({ ...f, phoneNumberId: v }))} />
                    <TextField label={t("messaging.whatsapp.apiVersion")} autoComplete="off" placeholder="v23.0" value={waForm.apiVersion} error={waErrors.apiVersion} onChange={(v) => setWaForm((f) => ({ ...f, apiVersion: v }))} />
                  </FormLayout.Group>
                  <FormLayout.Group>
                    <TextField label={t("messaging.whatsapp.accessToken")} type="password" autoComplete="new-password" value={waForm.accessToken} error={waErrors.accessToken} helpText={waView?.accessTokenSet ? t("messaging.smtp.passwordKept") : undefined} onChange={(v) => setWaForm((f) => ({ ...f, accessToken: v }))} />
                    <TextField label={t("messaging.whatsapp.appSecret")} type="password" autoComplete="new-password" value={waForm.appSecret} error={waErrors.appSecret} helpText={waView?.appSecretSet ? t("messaging.smtp.passwordKept") : undefined} onChange={(v) => setWaForm((f) => ({ ...f, appSecret: v }))} />
                  </FormLayout.Group>
                  <FormLayout.Group>
                    <TextField label={t("messaging.whatsapp.verifyToken")} type="password" autoComplete="off" value={waForm.verifyToken} error={waErrors.verifyToken} helpText={waView?.verifyTokenSet ? t("messaging.smtp.passwordKept") : undefined} onChange={(v) => setWaForm((f) => ({ ...f, verifyToken: v }))} />
                    <TextField label={t("messaging.whatsapp.baseUrl")} autoComplete="off" placeholder="https://graph.facebook.com" value={waForm.baseUrl} error={waErrors.baseUrl} onChange={(v) => setWaForm((f) => ({ ...f, baseUrl: v }))} />
                  </FormLayout.Group>
                  <Text as="p" tone="subdued">{t("messaging.whatsapp.webhook")}</Text>
                  <InlineStack gap="200">
                    <Button
                      loading={waFetcher.state !== "idle"}
                      onClick={() => {
                        waFetcher.submit({ intent: "whatsapp", ...waForm }, { method: "post" });
                        setWaForm((f) => ({ ...f, accessToken: "", appSecret: "", verifyToken: "" }));
                      }}
                    >
                      {t("messaging.whatsapp.saveAccount")}
                    </Button>
                  </InlineStack>
                  {waSaved ? <Banner tone="success">{t("messaging.smtp.saved")}</Banner> : null}
                  <Checkbox label={t("messaging.whatsapp.enabled")} checked={wa.enabled} error={errors["messaging.channels.whatsapp.enabled"]} onChange={(v) => setWa({ enabled: v })} />
                  <Text as="h3" variant="headingSm">{t("messaging.whatsapp.templates")}</Text>
                  {NOTICE_KINDS.map((k) => (
                    <FormLayout.Group key={k}>
                      <TextField
                        label={kindLabel(k)}
                        autoComplete="off"
                        value={wa.templates[k]?.name ?? ""}
                        error={errors[`messaging.channels.whatsapp.templates.${k}.name`]}
                        helpText={t("messaging.whatsapp.params", { list: templateParameterNames(k).map((v, i) => `{{${i + 1}}} ${v}`).join(", ") })}
                        onChange={(v) => setWaTemplate(k, { name: v })}
                      />
                      <TextField label={t("messaging.whatsapp.langEn")} autoComplete="off" value={wa.templates[k]?.en ?? "en"} error={errors[`messaging.channels.whatsapp.templates.${k}.en`]} onChange={(v) => setWaTemplate(k, { en: v })} />
                      <TextField label={t("messaging.whatsapp.langDe")} autoComplete="off" value={wa.templates[k]?.de ?? "de"} error={errors[`messaging.channels.whatsapp.templates.${k}.de`]} onChange={(v) => setWaTemplate(k, { de: v })} />
                    </FormLayout.Group>
                  ))}
                </FormLayout>
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("messaging.templates")}</Text>
                <FormLayout>
                  <FormLayout.Group>
                    <Select label={t("messaging.template.kind")} options={NOTICE_KINDS.map((k) => ({ value: k, label: kindLabel(k) }))} value={kind} onChange={(v) => setKind(v as NoticeKind)} />
                    <Select label={t("messaging.template.language")} options={[{ value: "en", label: "English" }, { value: "de", label: "Deutsch" }]} value={lang} onChange={(v) => setLang(v === "de" ? "de" : "en")} />
                  </FormLayout.Group>
                  <TextField label={t("messaging.template.subject")} autoComplete="off" value={template.subject} error={tplErr("subject")} onChange={(v) => setTemplate({ subject: v })} />
                  <TextField label={t("messaging.template.body")} autoComplete="off" multiline={8} value={template.body} error={tplErr("body")} onChange={(v) => setTemplate({ body: v })} />
                  <Text as="p" tone="subdued">{t("messaging.template.variables", { list: [...COMMON_VARIABLES, ...KIND_VARIABLES[kind]].map((v) => `{{${v}}}`).join(" ") })}</Text>
                  {custom ? (
                    <InlineStack>
                      <Button onClick={() => setTemplate(null)}>{t("messaging.template.reset")}</Button>
                    </InlineStack>
                  ) : null}
                </FormLayout>
                <Card background="bg-surface-secondary">
                  <BlockStack gap="200">
                    <Text as="h3" variant="headingSm">{t("messaging.preview")}</Text>
                    {preview.missing.length || preview.invalid.length ? (
                      <Banner tone="warning">{t("messaging.preview.missing", { list: [...preview.missing, ...preview.invalid].join(", ") })}</Banner>
                    ) : null}
                    <Text as="p" fontWeight="bold" id="preview-subject">{preview.subject}</Text>
                    <div id="preview-body" style={{ whiteSpace: "pre-wrap" }}>{preview.text}</div>
                  </BlockStack>
                </Card>
              </BlockStack>
            </Card>

            <InlineStack>
              <Button variant="primary" loading={save.state !== "idle"} onClick={() => save.submit({ intent: "save", settings: JSON.stringify(settings) }, { method: "post" })}>
                {t("messaging.save")}
              </Button>
            </InlineStack>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
