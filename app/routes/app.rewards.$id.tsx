import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useMemo, useState } from "react";
import { database } from "~/db.server";
import { blankRewardForm, formToReward, REWARD_TYPES, rewardPreview, rewardToForm, type RewardForm, type RewardType } from "~/domain/reward-form";
import { fe } from "~/domain/errors";
import { formatMinor } from "~/domain/money";
import { localizeFieldErrors, requestLocale, type MessageKey } from "~/lib/i18n";
import { staffOf } from "~/lib/staff.server";
import { useT } from "~/lib/use-t";
import { programOf } from "~/models/earning.server";
import { createRewardAdmin, getRewardAdmin, updateRewardAdmin } from "~/models/rewards-admin.server";
import { ensureShop } from "~/models/shops.server";
import { authenticate } from "~/shopify.server";

const notFound = () => new Response("not found", { status: 404 });
const unprocessable = (request: Request, fieldErrors: Record<string, string>) => new Response(JSON.stringify({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), fieldErrors) }), { status: 422, headers: { "Content-Type": "application/json" } });

/** "new" or a positive id; anything else is no reward. */
function idOf(raw: string | undefined): number | "new" | null {
  if (raw === "new") return "new";
  return raw && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null;
}

// One reward: a new one (`/app/rewards/new?type=…`) or an existing one of this shop (else 404).
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = idOf(params.id);
  if (id === null) throw notFound();
  const db = await database();
  const shop = await ensureShop(db.sql, session.shop);
  const program = programOf(shop);
  const tiers = program.tiers.levels.map((l) => ({ id: l.id, name: l.name }));
  const currency = shop.currency_code;
  if (id === "new") {
    const type = new URL(request.url).searchParams.get("type");
    return { id: null, form: blankRewardForm(REWARD_TYPES.includes(type as RewardType) ? (type as RewardType) : "amount"), currency, tiers, usage: null };
  }
  const row = await getRewardAdmin(db.sql, session.shop, id);
  if (!row) throw notFound();
  const r = row.reward;
  return {
    id,
    form: rewardToForm(r, row.enabled, currency),
    currency,
    tiers,
    usage: {
      redeemed: row.redeemed,
      used: row.used,
      totalLimit: r.totalLimit ?? null,
      taken: row.usage.taken,
      budget: r.budgetMinor === undefined ? null : { used: formatMinor(row.usage.moneyMinor, currency), left: formatMinor(Math.max(0, r.budgetMinor - row.usage.moneyMinor), currency) },
    },
  };
};

// Validates every field (422 with a map of field → message) and saves with an audit entry.
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const shopDomain = auth.session.shop;
  const id = idOf(params.id);
  if (id === null) throw notFound();
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!contentType.includes("application/x-www-form-urlencoded") && !contentType.includes("multipart/form-data")) return new Response("bad request", { status: 400 });
  const data = await request.formData();
  const form: RewardForm = {};
  for (const [k, v] of data.entries()) if (typeof v === "string") form[k] = v;
  const db = await database();
  const shop = await ensureShop(db.sql, shopDomain);
  const program = programOf(shop);
  if (id !== "new") {
    const existing = await getRewardAdmin(db.sql, shopDomain, id);
    if (!existing) throw notFound();
    form.type = existing.reward.type; // a reward's type stays what it was
  } else if (!REWARD_TYPES.includes(form.type as RewardType)) {
    return unprocessable(request, { type: fe("errors.oneOf", { options: REWARD_TYPES.join(", ") }) });
  }
  const result = formToReward(form, shop.currency_code, program.tiers.levels.map((l) => l.id));
  if (!result.reward) return unprocessable(request, result.fieldErrors);
  const actor = staffOf(auth);
  if (id === "new") {
    const created = await createRewardAdmin(db.sql, shopDomain, result.reward, result.enabled, actor);
    const locale = new URL(request.url).searchParams.get("locale");
    throw auth.redirect(`/app/rewards/${created}?saved=1${locale ? `&locale=${locale}` : ""}`);
  }
  if (!(await updateRewardAdmin(db.sql, shopDomain, id, result.reward, result.enabled, actor))) throw notFound();
  return { ok: true, fieldErrors: {} as Record<string, string> };
};

const COMBINES = ["productDiscounts", "orderDiscounts", "shippingDiscounts"] as const;

export default function RewardEditor() {
  const { id, form: initial, currency, tiers, usage } = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; fieldErrors: Record<string, string> }>();
  const nav = useNavigation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { t, n, locale } = useT();
  const [f, setF] = useState<RewardForm>(initial);
  const errors = result?.fieldErrors ?? {};
  const set = (k: string) => (v: string) => setF((s) => ({ ...s, [k]: v }));
  const check = (k: string) => (v: boolean) => setF((s) => ({ ...s, [k]: v ? "on" : "" }));
  const type = f.type as RewardType;
  const text = (k: string, label: string, extra: Partial<React.ComponentProps<typeof TextField>> = {}) => (
    <TextField label={label} value={f[k] ?? ""} onChange={set(k)} error={errors[k]} autoComplete="off" id={`reward-${k}`} {...extra} />
  );
  const box = (k: string, label: string) => <Checkbox label={label} checked={f[k] === "on"} onChange={check(k)} id={`reward-${k}`} error={errors[k]} />;
  // the shopper's line, in both languages, from the same rules the server applies
  const preview = useMemo(() => {
    const draft = formToReward(f, currency, tiers.map((x) => x.id));
    if (!draft.reward) return null;
    const names = (lang: "en" | "de") => new Map(tiers.map((x) => [x.id, x.name[lang]]));
    return { en: rewardPreview(draft.reward, currency, "en", names("en")), de: rewardPreview(draft.reward, currency, "de", names("de")) };
  }, [f, currency, tiers]);
  const q = params.get("locale") ? `?locale=${params.get("locale")}` : "";
  const title = id === null ? t("rewards.newTitle") : f["texts." + locale + ".title"] || t("rewards.editTitle");
  const count = Object.keys(errors).length;
  return (
    <Page title={title} backAction={{ content: t("rewards.heading"), onAction: () => navigate(`/app/rewards${q}`) }}>
      <TitleBar title={title} />
      <Form method="post">
        {Object.entries(f).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              {result?.ok || (params.get("saved") && !result) ? <Banner tone="success">{t("rewards.saved")}</Banner> : null}
              {count ? <Banner tone="critical">{t("rewards.invalid", { count })}</Banner> : null}
              <Card>
                <BlockStack gap="300">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h2" variant="headingMd">{t("rewards.basics")}</Text>
                    {f.enabled === "on" ? <Badge tone="success">{t("rewards.on")}</Badge> : <Badge>{t("rewards.off")}</Badge>}
                  </InlineStack>
                  <FormLayout>
                    <Select
                      label={t("rewards.col.type")}
                      id="reward-type"
                      options={REWARD_TYPES.map((v) => ({ value: v, label: t(`rewards.type.${v}` as MessageKey) }))}
                      value={type}
                      onChange={set("type")}
                      disabled={id !== null}
                      helpText={id !== null ? t("rewards.typeFixed") : undefined}
                      error={errors.type}
                    />
                    {box("enabled", t("rewards.enabled"))}
                    <FormLayout.Group>
                      {text("texts.en.title", t("rewards.titleEn"))}
                      {text("texts.de.title", t("rewards.titleDe"))}
                    </FormLayout.Group>
                    <FormLayout.Group>
                      {text("pointsCost", type === "points_for_money" ? t("rewards.pointsPerUnit", { currency }) : t("rewards.pointsCost"), { type: "number", suffix: t("rewards.points") })}
                      {type === "amount" || type === "store_credit" ? text("amount", t("rewards.amount"), { prefix: currency, inputMode: "decimal" }) : null}
                      {type === "percentage" ? text("percent", t("rewards.percent"), { type: "number", suffix: "%" }) : null}
                      {type === "free_shipping" ? text("maxShipping", t("rewards.maxShipping"), { prefix: currency, helpText: t("rewards.optional") }) : null}
                      {type === "free_product" ? text("variantId", t("rewards.variantId"), { placeholder: "gid://shopify/ProductVariant/123" }) : null}
                    </FormLayout.Group>
                    {type === "points_for_money" ? (
                      <FormLayout.Group>
                        {text("minUnits", t("rewards.minUnits", { currency }), { type: "number" })}
                        {text("maxUnits", t("rewards.maxUnits", { currency }), { type: "number" })}
                      </FormLayout.Group>
                    ) : null}
                    {type === "donation" ? (
                      <FormLayout.Group>
                        {text("cause.en", t("rewards.causeEn"))}
                        {text("cause.de", t("rewards.causeDe"))}
                      </FormLayout.Group>
                    ) : null}
                  </FormLayout>
                </BlockStack>
              </Card>
              {type !== "donation" ? (
                <Card>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">{t("rewards.code")}</Text>
                    <FormLayout>
                      <FormLayout.Group>
                        {text("minimumSubtotal", t("rewards.minimumSubtotal"), { prefix: currency, helpText: t("rewards.optional") })}
                        {text("codePrefix", t("rewards.codePrefix"))}
                        {text("expiryDays", t("rewards.expiryDays"), { type: "number" })}
                      </FormLayout.Group>
                      {box("refundIfUnused", t("rewards.refundIfUnused"))}
                      <FormLayout.Group>
                        <Select
                          label={t("rewards.appliesTo")}
                          id="reward-appliesTo.type"
                          options={["all", "products", "collections"].map((v) => ({ value: v, label: t(`rewards.appliesTo.${v}` as MessageKey) }))}
                          value={f["appliesTo.type"]}
                          onChange={set("appliesTo.type")}
                          error={errors["appliesTo.type"]}
                        />
                        {f["appliesTo.type"] !== "all" ? text("appliesTo.ids", t(f["appliesTo.type"] === "products" ? "rewards.productIds" : "rewards.collectionIds"), { multiline: 3, helpText: t("rewards.idsHelp") }) : null}
                      </FormLayout.Group>
                      <Text as="p">{t("rewards.combinesWith")}</Text>
                      <InlineStack gap="400">
                        {COMBINES.map((c) => (
                          <span key={c}>{box(`combinesWith.${c}`, t(`rewards.combines.${c}` as MessageKey))}</span>
                        ))}
                      </InlineStack>
                    </FormLayout>
                  </BlockStack>
                </Card>
              ) : null}
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("rewards.limits")}</Text>
                  <FormLayout>
                    <FormLayout.Group>
                      {text("perCustomerLimit", t("rewards.perCustomerLimit"), { type: "number", helpText: t("rewards.optional") })}
                      {text("totalLimit", t("rewards.totalLimit"), { type: "number", helpText: t("rewards.optional") })}
                      {text("budget", t("rewards.budget"), { prefix: currency, helpText: t("rewards.budgetHelp") })}
                    </FormLayout.Group>
                    {text("tiers", t("rewards.tiers"), {
                      helpText: tiers.length ? t("rewards.tiersHelp", { tiers: tiers.map((x) => x.id).join(", ") }) : t("rewards.tiersNone"),
                    })}
                  </FormLayout>
                  {usage ? (
                    <BlockStack gap="100">
                      <Text as="p" id="reward-usage">
                        {t("rewards.usage", { redeemed: n(usage.redeemed), used: n(usage.used) })}
                      </Text>
                      {usage.totalLimit !== null ? <Text as="p">{t("rewards.limitUsage", { taken: n(usage.taken), limit: n(usage.totalLimit) })}</Text> : null}
                      {usage.budget ? <Text as="p">{t("rewards.budgetUsage", { used: `${usage.budget.used} ${currency}`, left: `${usage.budget.left} ${currency}` })}</Text> : null}
                    </BlockStack>
                  ) : null}
                </BlockStack>
              </Card>
              <InlineStack gap="200">
                <Button submit variant="primary" loading={nav.state === "submitting"}>
                  {t("rewards.save")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("rewards.preview")}</Text>
                <Text as="p" tone="subdued">{t("rewards.previewHelp")}</Text>
                {preview ? (
                  <div data-testid="reward-preview">
                    <BlockStack gap="200">
                      <Text as="p" fontWeight="semibold">English: {preview.en}</Text>
                      <Text as="p" fontWeight="semibold">Deutsch: {preview.de}</Text>
                    </BlockStack>
                  </div>
                ) : (
                  <Text as="p" tone="subdued">{t("rewards.previewUnavailable")}</Text>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>
      </Form>
    </Page>
  );
}
