import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRouteLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Checkbox, FormLayout, InlineGrid, Layout, List, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useMemo, useState } from "react";
import { database } from "~/db.server";
import { SOCIAL_NETWORKS } from "~/domain/program";
import { formToProgram, previewPurchase, programToForm, type ProgramForm } from "~/domain/program-form";
import { toMinorUnits } from "~/domain/money";
import { localizeFieldErrors, requestLocale, translate, type Locale, type MessageKey } from "~/lib/i18n";
import { programOf, saveProgram } from "~/models/earning.server";
import { ensureShop } from "~/models/shops.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  const shop = await ensureShop(db.sql, session.shop);
  const program = programOf(shop);
  return { form: programToForm(program, shop.currency_code), program, currency: shop.currency_code };
};

// Validates the whole form against the program's rules; errors come back per field (422).
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const data = await request.formData();
  const form: ProgramForm = {};
  for (const [k, v] of data.entries()) if (typeof v === "string") form[k] = v;
  const db = await database();
  const result = await db.sql.tx(async (q) => {
    const shop = await ensureShop(q, session.shop);
    const r = formToProgram(programOf(shop), form, shop.currency_code);
    if (r.program) await saveProgram(q, session.shop, r.program);
    return r;
  });
  if (!result.program) return new Response(JSON.stringify({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), result.fieldErrors) }), { status: 422, headers: { "Content-Type": "application/json" } });
  return { ok: true, fieldErrors: {} as Record<string, string> };
};

const ACTIONS = ["signup", "newsletter", "birthday", "review", "social"] as const;

export default function ProgramPage() {
  const { form: initial, program, currency } = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; fieldErrors: Record<string, string> }>();
  const nav = useNavigation();
  const locale = (useRouteLoaderData("routes/app") as { locale?: Locale } | undefined)?.locale ?? "en";
  const t = (key: string, vars?: Record<string, string | number>) => translate(locale, key as MessageKey, vars);
  const [f, setF] = useState<ProgramForm>(initial);
  const [sample, setSample] = useState("50.00");
  const errors = result?.fieldErrors ?? {};
  const set = (k: string) => (v: string) => setF((s) => ({ ...s, [k]: v }));
  const check = (k: string) => (v: boolean) => setF((s) => ({ ...s, [k]: v ? "on" : "" }));
  const text = (k: string, label: string, extra: Partial<React.ComponentProps<typeof TextField>> = {}) => (
    <TextField label={label} value={f[k] ?? ""} onChange={set(k)} error={errors[k]} autoComplete="off" id={k} {...extra} />
  );
  const box = (k: string, label: string) => <Checkbox label={label} checked={f[k] === "on"} onChange={check(k)} id={k} error={errors[k]} />;
  // the preview follows the form as it is typed, with the same rules the server applies
  const preview = useMemo(() => {
    const draft = formToProgram(program as never, f, currency);
    if (!draft.program) return null;
    let minor: number;
    try {
      minor = toMinorUnits(sample.trim().replace(",", ".") || "0", currency);
    } catch {
      return null;
    }
    return previewPurchase(draft.program, currency, locale, minor);
  }, [f, sample, program, currency, locale]);
  return (
    <Page title={t("program.heading")}>
      <TitleBar title={t("program.heading")} />
      <Form method="post">
        {Object.entries(f).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              {result?.ok ? <Banner tone="success">{t("program.saved")}</Banner> : null}
              {result && !result.ok ? <Banner tone="critical">{t("program.invalid", { count: Object.keys(errors).length })}</Banner> : null}
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">{t("program.switch")}</Text>
                  {box("enabled", t("program.enabled"))}
                  <Text as="p" tone="subdued">{t("program.switchHelp")}</Text>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("program.purchases")}</Text>
                  {box("purchase.enabled", t("program.purchaseEnabled"))}
                  <FormLayout>
                    <FormLayout.Group>
                      {text("purchase.pointsPerUnit", t("program.pointsPerUnit", { currency }), { type: "number" })}
                      <Select label={t("program.rounding")} options={["down", "nearest", "up"].map((v) => ({ value: v, label: t(`program.rounding.${v}`) }))} value={f["purchase.rounding"]} onChange={set("purchase.rounding")} id="purchase.rounding" />
                      {text("purchase.minimumOrder", t("program.minimumOrder"), { prefix: currency })}
                    </FormLayout.Group>
                    <FormLayout.Group>
                      <Select label={t("program.trigger")} options={["paid", "fulfilled"].map((v) => ({ value: v, label: t(`program.trigger.${v}`) }))} value={f["purchase.trigger"]} onChange={set("purchase.trigger")} id="purchase.trigger" />
                      <Select label={t("program.pending")} options={["none", "days", "fulfilment"].map((v) => ({ value: v, label: t(`program.pending.${v}`) }))} value={f["purchase.pending.mode"]} onChange={set("purchase.pending.mode")} id="purchase.pending.mode" />
                      {text("purchase.pending.days", t("program.pendingDays"), { type: "number", disabled: f["purchase.pending.mode"] !== "days" })}
                    </FormLayout.Group>
                  </FormLayout>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("program.actions")}</Text>
                  {ACTIONS.map((a) => (
                    <InlineGrid key={a} columns={{ xs: 1, sm: 2 }} gap="200">
                      {box(`actions.${a}.enabled`, t(`program.action.${a}`))}
                      {text(`actions.${a}.points`, t("program.points"), { type: "number", labelHidden: false })}
                    </InlineGrid>
                  ))}
                  {errors["actions.social.networks"] ? <Text as="p" tone="critical">{errors["actions.social.networks"]}</Text> : null}
                  <FormLayout>
                    <FormLayout.Group>
                      {SOCIAL_NETWORKS.map((n) => (
                        <Box key={n}>{text(`actions.social.networks.${n}.url`, t("program.networkUrl", { network: n }), { placeholder: "https://", error: errors[`actions.social.networks.${n}.url`] })}</Box>
                      ))}
                    </FormLayout.Group>
                  </FormLayout>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("program.referrals")}</Text>
                  {box("referrals.enabled", t("program.referralsEnabled"))}
                  <FormLayout>
                    <FormLayout.Group>
                      <Select label={t("program.friendRewardType")} options={["amount", "percentage"].map((v) => ({ value: v, label: t(`program.friendRewardType.${v}`) }))} value={f["referrals.friendReward.type"]} onChange={set("referrals.friendReward.type")} id="referrals.friendReward.type" />
                      {text("referrals.friendReward.value", t("program.friendRewardValue"), { suffix: f["referrals.friendReward.type"] === "percentage" ? "%" : currency })}
                      {text("referrals.friendReward.minimumOrder", t("program.friendMinimum"), { prefix: currency })}
                      {text("referrals.friendReward.expiresInDays", t("program.friendExpiry"), { type: "number" })}
                    </FormLayout.Group>
                    <FormLayout.Group>
                      {text("referrals.advocateReward.points", t("program.advocatePoints"), { type: "number" })}
                      {text("referrals.returnWindowDays", t("program.returnWindow"), { type: "number" })}
                      {text("referrals.minimumSubtotal", t("program.referralMinimum"), { prefix: currency })}
                    </FormLayout.Group>
                  </FormLayout>
                  {box("referrals.friendMustBeNew", t("program.friendMustBeNew"))}
                </BlockStack>
              </Card>
              <Button submit variant="primary" loading={nav.state === "submitting"}>
                {t("program.save")}
              </Button>
            </BlockStack>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("program.preview")}</Text>
                <TextField label={t("program.sampleOrder")} value={sample} onChange={setSample} prefix={currency} autoComplete="off" />
                {preview ? (
                  <div data-testid="program-preview">
                    <Text as="p" variant="headingLg">{t("program.previewPoints", { points: preview.points })}</Text>
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
      </Form>
    </Page>
  );
}
