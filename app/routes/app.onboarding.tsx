// The onboarding: three screens from first open to a live program. 1) choose a preset, 2) the key
// numbers with defaults, per-field errors and a live preview, 3) switch the app embed on in the
// theme editor (deep link, status read from the live theme) and switch the program on. Screens 1
// and 2 write nothing; going live saves the program, creates the first reward and marks the shop
// onboarded in one transaction (app/models/onboarding.server.ts).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { useFetcher, useLoaderData, useNavigate, useRevalidator, useRouteLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, FormLayout, InlineGrid, InlineStack, Layout, List, Page, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useEffect, useMemo, useState } from "react";
import { database } from "~/db.server";
import { fe } from "~/domain/errors";
import { formatMinor, toMinorUnits } from "~/domain/money";
import { applyPreset, isPreset, PRESET_FIELDS, presetDefaults, presetFields, PRESETS, type PresetForm, type PresetId } from "~/domain/presets";
import type { Program } from "~/domain/program";
import { previewPurchase } from "~/domain/program-form";
import { embedDeepLink } from "~/domain/theme-embed";
import { env } from "~/lib/env.server";
import { localizeFieldErrors, requestLocale, translate, type Locale, type MessageKey } from "~/lib/i18n";
import { programOf } from "~/models/earning.server";
import { goLive, onboardedAt } from "~/models/onboarding.server";
import { ensureShop } from "~/models/shops.server";
import { checkAppEmbed } from "~/services/shopify/themes.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const db = await database();
  const shop = await ensureShop(db.sql, session.shop);
  const [onboarded, embed] = await Promise.all([onboardedAt(db.sql, session.shop), checkAppEmbed(admin.graphql)]);
  const currency = shop.currency_code;
  return {
    onboarded: onboarded !== null,
    currency,
    program: programOf(shop),
    defaults: Object.fromEntries(PRESETS.map((p) => [p, presetDefaults(p, currency)])) as Record<PresetId, PresetForm>,
    embed,
    deepLink: embedDeepLink(session.shop, env().SHOPIFY_API_KEY),
  };
};

type ActionResult = { ok: true; intent: "check" | "live"; live?: boolean } | { ok: false; fieldErrors: Record<string, string> };

const json = (body: ActionResult, status: number) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

// intent=check validates screen 2 (422 with a per-field map); intent=live validates again and goes live.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const data = await request.formData();
  const intent = data.get("intent");
  const preset = data.get("preset");
  if ((intent !== "check" && intent !== "live") || !isPreset(preset)) return json({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), { preset: fe("errors.preset") }) }, 400);
  const form = Object.fromEntries(PRESET_FIELDS.map((k) => [k, String(data.get(k) ?? "")])) as unknown as PresetForm;
  const db = await database();
  const result = await db.sql.tx(async (q) => {
    const shop = await ensureShop(q, session.shop);
    const r = applyPreset(programOf(shop), preset, form, shop.currency_code, { enabled: true });
    if (!r.program || !r.reward) return { fieldErrors: r.fieldErrors as Record<string, string> };
    if (intent === "check") return { fieldErrors: {} };
    const outcome = await goLive(q, session.shop, r.program, r.reward);
    return { fieldErrors: {}, live: outcome.status === "live" };
  });
  if (Object.keys(result.fieldErrors).length > 0) return json({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), result.fieldErrors) }, 422);
  return json({ ok: true, intent, live: "live" in result ? result.live : undefined }, 200);
};

// checking screen 2 changes nothing the loader reads: don't ask Shopify for the theme again
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "check" ? false : defaultShouldRevalidate;

const FIELD_LABEL: Record<keyof PresetForm, MessageKey> = {
  pointsPerUnit: "onboarding.field.pointsPerUnit",
  signupPoints: "onboarding.field.signupPoints",
  rewardPoints: "onboarding.field.rewardPoints",
  rewardAmount: "onboarding.field.rewardAmount",
  friendDiscount: "onboarding.field.friendDiscount",
  advocatePoints: "onboarding.field.advocatePoints",
};
const MONEY_FIELDS = new Set<keyof PresetForm>(["rewardAmount", "friendDiscount"]);

export default function Onboarding() {
  const { onboarded, currency, program, defaults, embed, deepLink } = useLoaderData<typeof loader>();
  const locale = (useRouteLoaderData("routes/app") as { locale?: Locale } | undefined)?.locale ?? "en";
  const t = (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);
  const fetcher = useFetcher<ActionResult>();
  const revalidator = useRevalidator();
  const navigate = useNavigate();
  const [step, setStep] = useState<1 | 2 | 3>(onboarded ? 3 : 1);
  const [preset, setPreset] = useState<PresetId>("points");
  const [form, setForm] = useState<PresetForm>(defaults.points);
  const [sample, setSample] = useState(() => formatMinor(toMinorUnits("50", currency), currency));
  const result = fetcher.data;
  const errors: Record<string, string> = result && !result.ok ? result.fieldErrors : {};
  const busy = fetcher.state !== "idle";

  // screen 2 passed the server's check: on to screen 3
  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok && result.intent === "check") setStep(3);
  }, [fetcher.state, result]);

  const submit = (intent: "check" | "live") => fetcher.submit({ intent, preset, ...form }, { method: "post" });
  const choose = (p: PresetId) => {
    setPreset(p);
    setForm(defaults[p]);
    setStep(2);
  };

  // the preview follows the fields as they are typed, with the rules the server applies
  const preview = useMemo(() => {
    const draft = applyPreset(program as Program, preset, form, currency, { enabled: true });
    if (!draft.program || !draft.reward || draft.reward.type !== "amount") return null;
    if (preset === "referrals") {
      return { kind: "referral" as const, friend: formatMinor(draft.program.referrals.friendReward.value, currency), points: draft.program.referrals.advocateReward.points, rewardPoints: draft.reward.pointsCost };
    }
    let minor: number;
    try {
      minor = toMinorUnits(sample.trim().replace(",", ".") || "0", currency);
    } catch {
      return null;
    }
    const earned = previewPurchase(draft.program, currency, locale, minor);
    const orders = earned.points > 0 ? Math.ceil(draft.reward.pointsCost / earned.points) : null;
    return { kind: "points" as const, ...earned, reward: { points: draft.reward.pointsCost, amount: formatMinor(draft.reward.amountMinor, currency), orders } };
  }, [program, preset, form, currency, locale, sample]);

  const live = onboarded || (result?.ok === true && result.intent === "live");

  return (
    <Page title={t("onboarding.title")} subtitle={live ? undefined : t("onboarding.step", { step })}>
      <TitleBar title={t("onboarding.title")} />
      <Layout>
        {step === 1 && !live ? (
          <Layout.Section>
            <BlockStack gap="400">
              <Text as="h2" variant="headingLg">{t("onboarding.chooseHeading")}</Text>
              <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
                {PRESETS.map((p) => (
                  <Card key={p}>
                    <BlockStack gap="300">
                      <Text as="h3" variant="headingMd">{t(`onboarding.preset.${p}` as MessageKey)}</Text>
                      <Text as="p" tone="subdued">{t(`onboarding.preset.${p}.body` as MessageKey)}</Text>
                      <div data-testid={`preset-${p}`}>
                        <Button variant="primary" onClick={() => choose(p)} accessibilityLabel={`${t("onboarding.choose")}: ${t(`onboarding.preset.${p}` as MessageKey)}`}>
                          {t("onboarding.choose")}
                        </Button>
                      </div>
                    </BlockStack>
                  </Card>
                ))}
              </InlineGrid>
            </BlockStack>
          </Layout.Section>
        ) : null}

        {step === 2 && !live ? (
          <>
            <Layout.Section>
              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingLg">{t("onboarding.numbersHeading")} · {t(`onboarding.preset.${preset}` as MessageKey)}</Text>
                  <Text as="p" tone="subdued">{t("onboarding.numbersHelp")}</Text>
                  {Object.keys(errors).length ? <Banner tone="critical">{t("onboarding.invalid", { count: Object.keys(errors).length })}</Banner> : null}
                  <FormLayout>
                    {presetFields(preset).map((k) => (
                      <TextField
                        key={k}
                        id={k}
                        label={t(FIELD_LABEL[k], { currency })}
                        value={form[k]}
                        onChange={(v) => setForm((f) => ({ ...f, [k]: v }))}
                        error={errors[k]}
                        autoComplete="off"
                        inputMode={MONEY_FIELDS.has(k) ? "decimal" : "numeric"}
                        suffix={MONEY_FIELDS.has(k) ? currency : undefined}
                      />
                    ))}
                  </FormLayout>
                  {preset === "points-vip" ? <Banner tone="info">{t("onboarding.tiersNote")}</Banner> : null}
                  <InlineStack align="space-between">
                    <Button onClick={() => setStep(1)}>{t("onboarding.back")}</Button>
                    <Button variant="primary" onClick={() => submit("check")} loading={busy}>
                      {t("onboarding.continue")}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section variant="oneThird">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("onboarding.preview")}</Text>
                  {preset !== "referrals" ? <TextField label={t("onboarding.sampleOrder")} value={sample} onChange={setSample} suffix={currency} autoComplete="off" /> : null}
                  {!preview ? (
                    <Text as="p" tone="subdued">{t("onboarding.previewUnavailable")}</Text>
                  ) : preview.kind === "referral" ? (
                    <div data-testid="onboarding-preview">
                      <Text as="p">{t("onboarding.previewReferral", { amount: preview.friend, currency, points: preview.points, rewardPoints: preview.rewardPoints })}</Text>
                    </div>
                  ) : (
                    <div data-testid="onboarding-preview">
                      <BlockStack gap="200">
                        <Text as="p" variant="headingLg">{t("onboarding.previewPoints", { points: preview.points })}</Text>
                        <List>
                          {preview.lines.map((l, i) => (
                            <List.Item key={i}>{l}</List.Item>
                          ))}
                        </List>
                        {preview.reward.orders !== null ? <Text as="p">{t("onboarding.previewReward", { points: preview.reward.points, amount: preview.reward.amount, currency, orders: preview.reward.orders })}</Text> : null}
                      </BlockStack>
                    </div>
                  )}
                </BlockStack>
              </Card>
            </Layout.Section>
          </>
        ) : null}

        {step === 3 || live ? (
          <Layout.Section>
            <BlockStack gap="400">
              {live ? (
                <Banner tone="success" title={t("onboarding.isLive")}>
                  <Box paddingBlockStart="200">
                    <Button onClick={() => navigate("/app")}>{t("onboarding.toOverview")}</Button>
                  </Box>
                </Banner>
              ) : (
                <Text as="h2" variant="headingLg">{t("onboarding.liveHeading")}</Text>
              )}
              <Card>
                <BlockStack gap="300">
                  <Text as="h3" variant="headingMd">{t("onboarding.embedHeading")}</Text>
                  <Text as="p">{t("onboarding.embedHelp")}</Text>
                  <InlineStack gap="200" blockAlign="center">
                    <Badge tone={embed.state === "on" ? "success" : embed.state === "off" ? "attention" : undefined}>{embed.state === "on" ? "✓" : embed.state === "off" ? "✗" : "?"}</Badge>
                    <span data-testid="embed-status" data-state={embed.state}>
                      <Text as="span">{t(`onboarding.embed.${embed.state}` as MessageKey)}</Text>
                    </span>
                  </InlineStack>
                  <ButtonGroup>
                    <Button url={deepLink} target="_blank" id="embed-deep-link">{t("onboarding.embedOpen")}</Button>
                    <Button onClick={() => revalidator.revalidate()} loading={revalidator.state === "loading"}>{t("onboarding.embedRecheck")}</Button>
                  </ButtonGroup>
                </BlockStack>
              </Card>
              {!live ? (
                <Card>
                  <BlockStack gap="300">
                    {preset === "points-vip" ? <Text as="p">{t("onboarding.tiersNote")}</Text> : null}
                    <Text as="p" tone="subdued">{t("onboarding.goLiveHelp")}</Text>
                    {Object.keys(errors).length ? <Banner tone="critical">{t("onboarding.invalid", { count: Object.keys(errors).length })}</Banner> : null}
                    <InlineStack align="space-between">
                      <Button onClick={() => setStep(2)}>{t("onboarding.back")}</Button>
                      <Button variant="primary" onClick={() => submit("live")} loading={busy}>
                        {t("onboarding.goLive")}
                      </Button>
                    </InlineStack>
                  </BlockStack>
                </Card>
              ) : null}
            </BlockStack>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
