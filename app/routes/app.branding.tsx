import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, FormLayout, InlineStack, Layout, Page, RangeSlider, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { database } from "~/db.server";
import { fieldErrorMap } from "~/domain/errors";
import { brandingSchema, brandingWarnings, contrastRatio, defaultBranding, type Branding } from "~/domain/branding";
import { ProgramConfigError } from "~/domain/program";
import { localizeFieldErrors, requestLocale, type MessageKey } from "~/lib/i18n";
import { staffOf } from "~/lib/staff.server";
import { useT } from "~/lib/use-t";
import { recordAudit } from "~/models/audit.server";
import { programOf, saveProgram } from "~/models/earning.server";
import { ensureShop } from "~/models/shops.server";
import { authenticate } from "~/shopify.server";

const FIELDS = ["accentColor", "textColor", "position", "launcherStyle", "cornerRadius"] as const;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  const program = programOf(await ensureShop(db.sql, session.shop));
  const b = program.storefront.branding;
  return { branding: b ?? defaultBranding(), custom: Boolean(b), label: program.storefront.texts };
};

// Saves the widget's look into the program (a job publishes it to the theme's app-data metafield),
// or removes it ("reset": the theme editor's block settings apply again). Audited.
export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const form = await request.formData();
  const intent = form.get("intent") ?? "save";
  if (intent !== "save" && intent !== "reset") return new Response("bad request", { status: 400 });
  let branding: Branding | undefined;
  if (intent === "save") {
    const raw = Object.fromEntries(FIELDS.map((f) => [f, String(form.get(f) ?? "").trim()]));
    const parsed = brandingSchema.safeParse({ ...raw, cornerRadius: raw.cornerRadius === "" ? Number.NaN : Number(raw.cornerRadius) }, { errorMap: fieldErrorMap });
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const i of parsed.error.issues) fieldErrors[String(i.path[0] ?? "accentColor")] ??= i.message;
      return new Response(JSON.stringify({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), fieldErrors) }), { status: 422, headers: { "Content-Type": "application/json" } });
    }
    branding = parsed.data;
  }
  const db = await database();
  try {
    await db.sql.tx(async (q) => {
      const current = programOf(await ensureShop(q, auth.session.shop));
      const before = current.storefront.branding ?? null;
      const storefront = { ...current.storefront, branding };
      if (!branding) delete storefront.branding;
      await saveProgram(q, auth.session.shop, { ...current, storefront });
      if (JSON.stringify(before) !== JSON.stringify(branding ?? null)) {
        await recordAudit(q, auth.session.shop, { actor: staffOf(auth), action: "branding", subjectType: "program", subjectId: "branding", before, after: branding ?? null });
      }
    });
  } catch (error) {
    if (!(error instanceof ProgramConfigError)) throw error;
    const fieldErrors = Object.fromEntries(Object.entries(error.fieldErrors).map(([k, v]) => [k.replace(/^storefront\.branding\./, ""), v]));
    return new Response(JSON.stringify({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), fieldErrors) }), { status: 422, headers: { "Content-Type": "application/json" } });
  }
  return { ok: true, intent, fieldErrors: {} as Record<string, string> };
};

const HEX = /^#[0-9a-fA-F]{6}$/;

export default function BrandingPage() {
  const { branding, custom, label } = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; intent?: string; fieldErrors: Record<string, string> }>();
  const nav = useNavigation();
  const submit = useSubmit();
  const { t, locale } = useT();
  const [b, setB] = useState<Branding>(branding);
  const errors = result?.fieldErrors ?? {};
  const colours = HEX.test(b.accentColor) && HEX.test(b.textColor);
  const warnings = colours ? brandingWarnings(b) : [];
  const launcherText = label[locale].launcherLabel.trim() || t("branding.sampleLabel");
  const accent = HEX.test(b.accentColor) ? b.accentColor : "#1f5130";
  const ink = HEX.test(b.textColor) ? b.textColor : "#ffffff";
  const colour = (k: "accentColor" | "textColor") => (
    <InlineStack gap="200" blockAlign="end" wrap={false}>
      <div style={{ flexGrow: 1 }}>
        <TextField label={t(`branding.${k}` as MessageKey)} id={`branding-${k}`} value={b[k]} onChange={(v) => setB((s) => ({ ...s, [k]: v }))} error={errors[k]} autoComplete="off" placeholder="#1f5130" />
      </div>
      <input type="color" aria-label={t(`branding.${k}` as MessageKey)} value={HEX.test(b[k]) ? b[k].toLowerCase() : "#000000"} onChange={(e) => setB((s) => ({ ...s, [k]: e.target.value }))} style={{ width: 44, height: 36, border: 0, padding: 0, background: "none" }} />
    </InlineStack>
  );
  return (
    <Page title={t("branding.heading")}>
      <TitleBar title={t("branding.heading")} />
      <Layout>
        <Layout.Section>
          <Form method="post">
            {FIELDS.map((k) => (
              <input key={k} type="hidden" name={k} value={String(b[k])} />
            ))}
            <BlockStack gap="400">
              <Text as="p">{t("branding.intro")}</Text>
              {result?.ok ? <Banner tone="success">{result.intent === "reset" ? t("branding.resetDone") : t("branding.saved")}</Banner> : null}
              {result && !result.ok ? <Banner tone="critical">{t("branding.invalid")}</Banner> : null}
              {!custom && !result?.ok ? <Banner tone="info">{t("branding.usingTheme")}</Banner> : null}
              <Card>
                <FormLayout>
                  <FormLayout.Group>
                    {colour("accentColor")}
                    {colour("textColor")}
                  </FormLayout.Group>
                  {warnings.map((w) => (
                    <Banner key={w} tone="warning">
                      <span data-testid={`branding-warning-${w}`}>{t(`branding.warning.${w}` as MessageKey, { ratio: (w === "textOnAccent" ? contrastRatio(b.accentColor, b.textColor) : contrastRatio(b.accentColor, "#ffffff")).toFixed(1) })}</span>
                    </Banner>
                  ))}
                  <FormLayout.Group>
                    <Select label={t("branding.position")} id="branding-position" options={["right", "left"].map((v) => ({ value: v, label: t(`branding.position.${v}` as MessageKey) }))} value={b.position} onChange={(v) => setB((s) => ({ ...s, position: v as Branding["position"] }))} error={errors.position} />
                    <Select label={t("branding.launcherStyle")} id="branding-launcherStyle" options={["label", "icon"].map((v) => ({ value: v, label: t(`branding.style.${v}` as MessageKey) }))} value={b.launcherStyle} onChange={(v) => setB((s) => ({ ...s, launcherStyle: v as Branding["launcherStyle"] }))} error={errors.launcherStyle} />
                  </FormLayout.Group>
                  <RangeSlider label={t("branding.cornerRadius")} id="branding-cornerRadius" min={0} max={24} value={Number.isFinite(b.cornerRadius) ? b.cornerRadius : 12} onChange={(v) => setB((s) => ({ ...s, cornerRadius: Number(v) }))} output suffix={<Text as="span">{b.cornerRadius} px</Text>} error={errors.cornerRadius} />
                </FormLayout>
              </Card>
              <InlineStack gap="200">
                <Button submit variant="primary" loading={nav.state === "submitting"}>
                  {t("branding.save")}
                </Button>
                {custom ? (
                  <Button variant="plain" onClick={() => submit({ intent: "reset" }, { method: "post" })}>
                    {t("branding.reset")}
                  </Button>
                ) : null}
              </InlineStack>
            </BlockStack>
          </Form>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("branding.preview")}</Text>
              <Box background="bg-surface-secondary" padding="400" minHeight="260px">
                <div data-testid="branding-preview" style={{ display: "flex", flexDirection: "column", alignItems: b.position === "left" ? "flex-start" : "flex-end", gap: 12 }}>
                  <div style={{ background: "#fff", color: "#1a1a1a", borderRadius: b.cornerRadius, padding: 12, width: 200, boxShadow: "0 8px 24px rgba(0,0,0,.2)" }}>
                    <strong>{t("branding.samplePanel")}</strong>
                    <p style={{ margin: "8px 0" }}>
                      <span style={{ color: accent, textDecoration: "underline" }}>{t("branding.sampleLink")}</span>
                    </p>
                    <span style={{ display: "inline-block", background: accent, color: ink, borderRadius: Math.floor(b.cornerRadius / 2), padding: "6px 12px" }}>{t("branding.sampleButton")}</span>
                  </div>
                  <span
                    data-testid="branding-preview-launcher"
                    style={{ background: accent, color: ink, borderRadius: b.launcherStyle === "icon" ? "50%" : b.cornerRadius * 2, padding: b.launcherStyle === "icon" ? 0 : "12px 18px", width: b.launcherStyle === "icon" ? 56 : undefined, height: b.launcherStyle === "icon" ? 56 : undefined, display: "grid", placeItems: "center", fontWeight: 600 }}
                  >
                    {b.launcherStyle === "icon" ? "🎁" : launcherText}
                  </span>
                </div>
              </Box>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
