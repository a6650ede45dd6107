import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { database } from "~/db.server";
import { pickLocale, translate } from "~/lib/i18n";
import { onboardedAt } from "~/models/onboarding.server";
import { programOverview } from "~/models/overview.server";
import { tierOverview } from "~/models/tiers.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const db = await database();
  // a shop that hasn't finished the onboarding has no program to show yet
  if ((await onboardedAt(db.sql, session.shop)) === null) throw redirect("/app/onboarding");
  const overview = await programOverview(db.sql, session.shop);
  const tiers = await tierOverview(db.sql, session.shop);
  return { overview, tiers, locale: pickLocale(new URL(request.url).searchParams.get("locale")) };
};

export default function Overview() {
  const { overview: o, tiers, locale } = useLoaderData<typeof loader>();
  const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(locale, key, vars);
  const fmt = new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US");
  const notices = Object.values(tiers.pendingNotices).reduce((a, b) => a + b, 0);
  const expiryRule =
    tiers.expiry.mode === "never"
      ? t("home.expiryNever")
      : t(tiers.expiry.mode === "inactivity" ? "home.expiryInactivity" : "home.expiryLots", { months: tiers.expiry.months });

  return (
    <Page>
      <TitleBar title={t("app.title")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="h1" variant="headingLg">
              {t("home.heading")}
            </Text>
            <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingSm">{t("home.members")}</Text>
                  <Text as="p" variant="heading2xl" id="members-count">{fmt.format(o.members)}</Text>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingSm">{t("home.pointsOutstanding")}</Text>
                  <Text as="p" variant="heading2xl" id="points-outstanding">{fmt.format(o.pointsAvailable + o.pointsPending)}</Text>
                </BlockStack>
              </Card>
            </InlineGrid>
            <Card>
              <BlockStack gap="200">
                <InlineStack>
                  <Badge tone={o.earningEnabled ? "success" : "attention"}>{o.earningEnabled ? t("home.earningOn") : t("home.earningOff")}</Badge>
                </InlineStack>
                <Text as="p">{t("home.earnRate", { points: o.pointsPerCurrencyUnit, currency: o.currency })}</Text>
                <Text as="p" tone="subdued">{t("home.webhooks", { count: o.orderEvents24h })}</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">{t("home.tiers")}</Text>
                {tiers.enabled ? (
                  <BlockStack gap="100" id="tier-counts">
                    {tiers.tiers.map((x) => (
                      <Text as="p" key={x.id}>{t("home.tierMembers", { name: x.name[locale], count: fmt.format(x.members) })}</Text>
                    ))}
                    <Text as="p" tone="subdued">{t("home.noTier", { count: fmt.format(tiers.noTier) })}</Text>
                  </BlockStack>
                ) : (
                  <Text as="p" tone="subdued">{t("home.tiersOff")}</Text>
                )}
                <Text as="p">{t("home.expiry", { rule: expiryRule })}</Text>
                {notices > 0 ? <Text as="p" tone="subdued">{t("home.notices", { count: fmt.format(notices) })}</Text> : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">{t("home.ledger")}</Text>
                <Text as="p" tone={o.lastCheck && o.lastCheck.mismatches > 0 ? "critical" : undefined}>
                  {!o.lastCheck
                    ? t("home.ledgerNever")
                    : o.lastCheck.mismatches > 0
                      ? t("home.ledgerMismatch", { count: o.lastCheck.mismatches })
                      : t("home.ledgerOk", { members: o.lastCheck.members, when: o.lastCheck.ranAt ? new Date(o.lastCheck.ranAt).toLocaleString(locale) : "" })}
                </Text>
                <Text as="h2" variant="headingSm">{t("home.jobs")}</Text>
                <Text as="p">{t("home.jobsLine", { queued: o.jobs.queued, dead: o.jobs.dead })}</Text>
                {o.jobs.dead > 0 ? <Link to="/app/jobs">{t("home.jobsLink")}</Link> : null}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
