import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRouteLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, InlineGrid, Layout, Page, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { database } from "~/db.server";
import { ProgramConfigError, type StorefrontTexts } from "~/domain/program";
import { localizeFieldErrors, requestLocale, translate, type Locale, type MessageKey } from "~/lib/i18n";
import { programOf, saveProgram } from "~/models/earning.server";
import { ensureShop } from "~/models/shops.server";
import { authenticate } from "~/shopify.server";

const LANGS = ["en", "de"] as const;
const FIELDS = ["launcherLabel", "panelTitle", "guestIntro", "tierOnly"] as const;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  return { texts: programOf(await ensureShop(db.sql, session.shop)).storefront.texts };
};

// Saves the texts into the program; a job writes them to the app's metafields for the theme.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const db = await database();
  const texts = Object.fromEntries(
    LANGS.map((lang) => [lang, Object.fromEntries(FIELDS.map((f) => [f, String(form.get(`${lang}.${f}`) ?? "")]))]),
  ) as Record<(typeof LANGS)[number], StorefrontTexts>;
  try {
    await db.sql.tx(async (q) => {
      const current = programOf(await ensureShop(q, session.shop));
      await saveProgram(q, session.shop, { ...current, storefront: { ...current.storefront, texts } });
    });
    return { ok: true as const, fieldErrors: {} as Record<string, string> };
  } catch (error) {
    if (!(error instanceof ProgramConfigError)) throw error;
    // "storefront.texts.de.guestIntro" → "de.guestIntro", the form's field names
    const fieldErrors = Object.fromEntries(Object.entries(error.fieldErrors).map(([k, v]) => [k.replace(/^storefront\.texts\./, ""), v]));
    return new Response(JSON.stringify({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), fieldErrors) }), { status: 422, headers: { "Content-Type": "application/json" } });
  }
};

export default function StorefrontTextsPage() {
  const { texts } = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; fieldErrors: Record<string, string> }>();
  const nav = useNavigation();
  const locale = (useRouteLoaderData("routes/app") as { locale?: Locale } | undefined)?.locale ?? "en";
  const t = (key: MessageKey) => translate(locale, key);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(LANGS.flatMap((lang) => FIELDS.map((f) => [`${lang}.${f}`, texts[lang][f]]))),
  );
  const errors = result?.fieldErrors ?? {};
  return (
    <Page title={t("storefront.heading")}>
      <TitleBar title={t("storefront.heading")} />
      <Layout>
        <Layout.Section>
          <Form method="post">
            <BlockStack gap="400">
              <Text as="p">{t("storefront.intro")}</Text>
              {result?.ok ? <Banner tone="success">{t("storefront.saved")}</Banner> : null}
              {result && !result.ok ? <Banner tone="critical">{t("storefront.invalid")}</Banner> : null}
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                {LANGS.map((lang) => (
                  <Card key={lang}>
                    <BlockStack gap="300">
                      <Text as="h2" variant="headingMd">
                        {t(`storefront.lang.${lang}` as MessageKey)}
                      </Text>
                      <FormLayout>
                        {FIELDS.map((f) => (
                          <TextField
                            key={f}
                            label={t(`storefront.${f}` as MessageKey)}
                            name={`${lang}.${f}`}
                            id={`${lang}.${f}`}
                            value={values[`${lang}.${f}`]}
                            onChange={(v) => setValues((s) => ({ ...s, [`${lang}.${f}`]: v }))}
                            multiline={f === "guestIntro" ? 3 : undefined}
                            helpText={t(f === "tierOnly" ? "storefront.tierOnlyHelp" : "storefront.emptyMeansDefault")}
                            error={errors[`${lang}.${f}`]}
                            autoComplete="off"
                          />
                        ))}
                      </FormLayout>
                    </BlockStack>
                  </Card>
                ))}
              </InlineGrid>
              <Button submit variant="primary" loading={nav.state === "submitting"}>
                {t("storefront.save")}
              </Button>
            </BlockStack>
          </Form>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
