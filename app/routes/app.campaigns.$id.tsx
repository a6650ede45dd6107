import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigate, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, List, Page, ProgressBar, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useMemo, useState } from "react";
import { database } from "~/db.server";
import { blankCampaignForm, campaignStatus, campaignToForm, EFFECT_TYPES, endCampaign, formToCampaign, previewCampaign, type CampaignForm } from "~/domain/campaign-form";
import { toMinorUnits } from "~/domain/money";
import { localDate } from "~/domain/periods";
import type { Program } from "~/domain/program";
import { localizeFieldErrors, requestLocale, type MessageKey } from "~/lib/i18n";
import { staffOf } from "~/lib/staff.server";
import { useT } from "~/lib/use-t";
import { budgetUsage, changeProgram } from "~/models/campaigns-admin.server";
import { programOf } from "~/models/earning.server";
import { ensureShop } from "~/models/shops.server";
import { authenticate } from "~/shopify.server";

const notFound = () => new Response("not found", { status: 404 });

// One campaign of this shop's program (another shop's id is not in it: 404), or a new one.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  const shop = await ensureShop(db.sql, session.shop);
  const program = programOf(shop);
  const today = localDate(Date.now(), shop.iana_timezone);
  const base = { program, currency: shop.currency_code, timeZone: shop.iana_timezone, today };
  if (params.id === "new") return { ...base, id: null, form: blankCampaignForm(), status: null, budget: null };
  const campaign = program.campaigns.find((c) => c.id === params.id);
  if (!campaign) throw notFound();
  const used = (await budgetUsage(db.sql, session.shop, program, shop.iana_timezone)).campaigns[campaign.id] ?? 0;
  return {
    ...base,
    id: campaign.id,
    form: campaignToForm(campaign, shop.currency_code),
    status: campaignStatus(campaign, today),
    budget: campaign.budgetPoints === undefined ? null : { limit: campaign.budgetPoints, used },
  };
};

// save: the whole program is validated with the campaign in it (422 with field → message);
// end: the campaign is switched off with today as its end date. Both audited.
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const data = await request.formData();
  const intent = data.get("intent") ?? "save";
  if (intent !== "save" && intent !== "end") return new Response("bad request", { status: 400 });
  const isNew = params.id === "new";
  if (isNew && intent === "end") throw notFound();
  const form: CampaignForm = {};
  for (const [k, v] of data.entries()) if (typeof v === "string") form[k] = v;
  const db = await database();
  const subjectId = isNew ? (form.id ?? "").trim() : String(params.id);
  const action = intent === "end" ? "campaign_end" : isNew ? "campaign_create" : "campaign_update";
  const result = await changeProgram(db.sql, auth.session.shop, staffOf(auth), { action, subjectType: "campaign", subjectId }, (current, shop) => {
    const before = isNew ? null : current.campaigns.find((c) => c.id === params.id);
    if (before === undefined) return null;
    if (intent === "end") {
      const next = endCampaign(current, before!.id, localDate(Date.now(), shop.iana_timezone));
      return next && { next, before, after: next.campaigns.find((c) => c.id === before!.id) };
    }
    const r = formToCampaign(current, isNew ? null : before!.id, form, shop.currency_code);
    if (!r.program) return { fieldErrors: r.fieldErrors };
    return { next: r.program, before, after: r.campaign };
  });
  if (result === "missing") throw notFound();
  if (typeof result === "object") return new Response(JSON.stringify({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), result.fieldErrors) }), { status: 422, headers: { "Content-Type": "application/json" } });
  if (isNew) {
    const locale = new URL(request.url).searchParams.get("locale");
    throw auth.redirect(`/app/campaigns/${subjectId}?saved=1${locale ? `&locale=${locale}` : ""}`);
  }
  return { ok: true, intent, fieldErrors: {} as Record<string, string> };
};

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const TONE = { running: "success", scheduled: "info", ended: undefined, off: undefined } as const;

export default function CampaignEditor() {
  const { id, form: initial, program, currency, timeZone, today, status, budget } = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; intent?: string; fieldErrors: Record<string, string> }>();
  const nav = useNavigation();
  const navigate = useNavigate();
  const submit = useSubmit();
  const [params] = useSearchParams();
  const { t, n, locale } = useT();
  const [f, setF] = useState<CampaignForm>(initial);
  const [sample, setSample] = useState({ amount: "80.00", date: today, time: "12:00", country: "DE", tags: "", orders: "1" });
  const errors = result?.fieldErrors ?? {};
  const set = (k: string) => (v: string) => setF((s) => ({ ...s, [k]: v }));
  const text = (k: string, label: string, extra: Partial<React.ComponentProps<typeof TextField>> = {}) => (
    <TextField label={label} value={f[k] ?? ""} onChange={set(k)} error={errors[k]} autoComplete="off" id={`campaign-${k}`} {...extra} />
  );
  const weekdays = new Set((f["window.weekdays"] ?? "").split(",").filter(Boolean).map(Number));
  const toggleDay = (d: number) => (on: boolean) => {
    const next = new Set(weekdays);
    if (on) next.add(d);
    else next.delete(d);
    setF((s) => ({ ...s, "window.weekdays": [...next].sort().join(",") }));
  };
  const type = f["effect.type"];
  // the sample order's points with and without this campaign, by the rules the server applies
  const preview = useMemo(() => {
    // a new campaign previews before it has a name or an id
    const named = { ...f, id: f.id?.trim() || "preview", "name.en": f["name.en"]?.trim() || "…", "name.de": f["name.de"]?.trim() || "…" };
    const draft = formToCampaign(program as Program, id, named, currency);
    if (!draft.program || !draft.campaign) return null;
    try {
      const amountMinor = toMinorUnits(sample.amount.trim().replace(",", ".") || "0", currency);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(sample.date) || !/^\d{2}:\d{2}$/.test(sample.time)) return null;
      const tags = sample.tags.split(",").map((x) => x.trim()).filter(Boolean);
      return previewCampaign(draft.program, draft.campaign, currency, locale, { amountMinor, date: sample.date, time: sample.time, countryCode: sample.country.trim().toUpperCase() || null, tags, orderCount: Math.max(0, Number(sample.orders) - 1 || 0) }, timeZone);
    } catch {
      return null;
    }
  }, [f, sample, program, id, currency, locale, timeZone]);
  const q = params.get("locale") ? `?locale=${params.get("locale")}` : "";
  const title = id === null ? t("campaigns.newTitle") : f[`name.${locale}`] || id;
  const count = Object.keys(errors).length;
  return (
    <Page title={title} backAction={{ content: t("campaigns.heading"), onAction: () => navigate(`/app/campaigns${q}`) }} titleMetadata={status ? <Badge tone={TONE[status]}>{t(`campaigns.status.${status}` as MessageKey)}</Badge> : undefined}>
      <TitleBar title={title} />
      <Layout>
        <Layout.Section>
          <Form method="post">
            {Object.entries(f).map(([k, v]) => (
              <input key={k} type="hidden" name={k} value={v} />
            ))}
            <BlockStack gap="400">
              {result?.ok || (params.get("saved") && !result) ? <Banner tone="success">{result?.intent === "end" ? t("campaigns.ended") : t("campaigns.saved")}</Banner> : null}
              {count ? <Banner tone="critical">{t("campaigns.invalid", { count })}</Banner> : null}
              <Card>
                <FormLayout>
                  <FormLayout.Group>
                    {text("name.en", t("campaigns.nameEn"))}
                    {text("name.de", t("campaigns.nameDe"))}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {text("id", t("campaigns.id"), { disabled: id !== null, helpText: t("campaigns.idHelp") })}
                    <Checkbox label={t("campaigns.enabled")} id="campaign-enabled" checked={f.enabled === "on"} onChange={(v) => setF((s) => ({ ...s, enabled: v ? "on" : "" }))} />
                  </FormLayout.Group>
                </FormLayout>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("campaigns.when")}</Text>
                  <Text as="p" tone="subdued">{t("campaigns.whenHelp", { timeZone })}</Text>
                  <FormLayout>
                    <FormLayout.Group>
                      {text("window.startDate", t("campaigns.startDate"), { type: "date" })}
                      {text("window.endDate", t("campaigns.endDate"), { type: "date" })}
                    </FormLayout.Group>
                    <FormLayout.Group>
                      {text("window.startTime", t("campaigns.startTime"), { type: "time" })}
                      {text("window.endTime", t("campaigns.endTime"), { type: "time" })}
                    </FormLayout.Group>
                    <BlockStack gap="100">
                      <Text as="p">{t("campaigns.weekdays")}</Text>
                      <InlineStack gap="300">
                        {WEEKDAYS.map((d) => (
                          <Checkbox key={d} label={t(`campaigns.weekday.${d}` as MessageKey)} id={`campaign-weekday-${d}`} checked={weekdays.has(d)} onChange={toggleDay(d)} />
                        ))}
                      </InlineStack>
                      {errors["window.weekdays"] ? <Text as="p" tone="critical">{errors["window.weekdays"]}</Text> : null}
                    </BlockStack>
                  </FormLayout>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("campaigns.who")}</Text>
                  <FormLayout>
                    <FormLayout.Group>
                      {text("conditions.customerTagsAny", t("campaigns.tags"), { helpText: t("campaigns.listHelp") })}
                      {text("conditions.countries", t("campaigns.countries"), { helpText: t("campaigns.countriesHelp") })}
                    </FormLayout.Group>
                    <FormLayout.Group>
                      {text("conditions.minTotalSpent", t("campaigns.minTotalSpent"), { prefix: currency })}
                      {text("conditions.minOrderCount", t("campaigns.minOrderCount"), { type: "number" })}
                      {text("conditions.maxOrderCount", t("campaigns.maxOrderCount"), { type: "number" })}
                    </FormLayout.Group>
                  </FormLayout>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("campaigns.what")}</Text>
                  <FormLayout>
                    <Select label={t("campaigns.col.effect")} id="campaign-effect.type" options={EFFECT_TYPES.map((v) => ({ value: v, label: t(`campaigns.effect.${v}` as MessageKey) }))} value={type} onChange={set("effect.type")} error={errors["effect.type"]} />
                    {type === "multiplier" ? text("effect.factor", t("campaigns.factor"), { helpText: t("campaigns.factorHelp") }) : null}
                    {type === "fixed" ? text("effect.points", t("campaigns.points"), { type: "number" }) : null}
                    {type === "bigBasket" ? (
                      <FormLayout.Group>
                        {text("effect.minSubtotal", t("campaigns.minSubtotal"), { prefix: currency })}
                        {text("effect.points", t("campaigns.points"), { type: "number" })}
                      </FormLayout.Group>
                    ) : null}
                    {type === "productBonus" ? (
                      <>
                        <FormLayout.Group>
                          {text("effect.productIds", t("campaigns.productIds"), { multiline: 2, helpText: t("campaigns.idsHelp") })}
                          {text("effect.collectionIds", t("campaigns.collectionIds"), { multiline: 2, helpText: t("campaigns.idsHelp") })}
                        </FormLayout.Group>
                        <FormLayout.Group>
                          {text("effect.pointsPerUnit", t("campaigns.pointsPerUnit", { currency }), { type: "number" })}
                          {text("effect.multiplier", t("campaigns.productMultiplier"))}
                        </FormLayout.Group>
                      </>
                    ) : null}
                    {text("budgetPoints", t("campaigns.budget"), { type: "number", helpText: t("campaigns.budgetHelp") })}
                  </FormLayout>
                  {budget ? (
                    <BlockStack gap="100">
                      <Text as="p" id="campaign-budget-usage">{t("campaigns.budgetUsed", { used: n(budget.used), limit: n(budget.limit), left: n(Math.max(0, budget.limit - budget.used)) })}</Text>
                      <ProgressBar progress={Math.min(100, (100 * budget.used) / budget.limit)} size="small" />
                    </BlockStack>
                  ) : null}
                </BlockStack>
              </Card>
              <InlineStack gap="200">
                <Button submit variant="primary" loading={nav.state === "submitting"}>
                  {t("campaigns.save")}
                </Button>
                {id !== null && status !== "ended" ? (
                  <Button tone="critical" onClick={() => submit({ ...f, intent: "end" }, { method: "post" })}>
                    {t("campaigns.end")}
                  </Button>
                ) : null}
              </InlineStack>
            </BlockStack>
          </Form>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("campaigns.preview")}</Text>
              <TextField label={t("program.sampleOrder")} value={sample.amount} onChange={(v) => setSample((s) => ({ ...s, amount: v }))} prefix={currency} autoComplete="off" />
              <InlineStack gap="200" wrap={false}>
                <TextField label={t("campaigns.sampleDate")} type="date" value={sample.date} onChange={(v) => setSample((s) => ({ ...s, date: v }))} autoComplete="off" />
                <TextField label={t("campaigns.sampleTime")} type="time" value={sample.time} onChange={(v) => setSample((s) => ({ ...s, time: v }))} autoComplete="off" />
              </InlineStack>
              <InlineStack gap="200" wrap={false}>
                <TextField label={t("campaigns.sampleCountry")} value={sample.country} onChange={(v) => setSample((s) => ({ ...s, country: v }))} autoComplete="off" />
                <TextField label={t("campaigns.sampleOrders")} type="number" value={sample.orders} onChange={(v) => setSample((s) => ({ ...s, orders: v }))} autoComplete="off" />
              </InlineStack>
              <TextField label={t("campaigns.sampleTags")} value={sample.tags} onChange={(v) => setSample((s) => ({ ...s, tags: v }))} autoComplete="off" />
              {preview ? (
                <div data-testid="campaign-preview">
                  <Text as="p" variant="headingLg">{t("campaigns.previewPoints", { with: n(preview.with), without: n(preview.without) })}</Text>
                  {!preview.applies ? <Text as="p" tone="caution">{t("campaigns.previewNotApplies")}</Text> : null}
                  <List>
                    {preview.lines.map((l, i) => (
                      <List.Item key={i}>{l}</List.Item>
                    ))}
                  </List>
                </div>
              ) : (
                <Text as="p" tone="subdued">{t("program.previewUnavailable")}</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
