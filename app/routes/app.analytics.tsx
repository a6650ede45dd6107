import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useRevalidator, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { lazy, Suspense, useEffect, useState, type ReactNode } from "react";
import type { ChartSpec } from "~/components/analytics-charts.client";
import { bucketSeries, MAX_RANGE_DAYS, sinceUpdate, type DayFigures } from "~/domain/analytics";
import { currencyExponent } from "~/domain/money";
import { database } from "~/db.server";
import type { MessageKey } from "~/lib/i18n";
import { useT } from "~/lib/use-t";
import { analyticsPage } from "~/models/rollups.server";
import { authenticate } from "~/shopify.server";

// The analytics dashboard: KPIs and charts over a date range, from the daily rollups only — today's
// row as of its last refresh, shown as "Updated N min ago" (docs/decisions/0018). When the loader
// asked for a refresh the page loads again a few times, a few seconds apart. Charts are drawn in
// the browser only (polaris-viz measures its container).
export const links = () => [{ rel: "stylesheet", href: polarisVizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const params = Object.fromEntries(["range", "from", "to"].map((k) => [k, url.searchParams.get(k) ?? undefined]));
  const db = await database();
  const page = await analyticsPage(db.sql, session.shop, params);
  // bad range input: the fields are named, the last 30 days shown
  return json(page, { status: page.errors ? 422 : 200 });
};

const Chart = lazy(() => import("~/components/analytics-charts.client"));

function ChartCard({ title, spec, formatKey, formatNumber }: { title: string; spec: ChartSpec; formatKey: (k: string) => string; formatNumber: (n: number) => string }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const { t } = useT();
  const placeholder = (
    <div style={{ height: 240, display: "flex", alignItems: "center", justifyContent: "center" }}>
      <Text as="p" tone="subdued">{t("analytics.chart.loading")}</Text>
    </div>
  );
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingSm">{title}</Text>
        <div id={`chart-${spec.id}`} data-chart={spec.kind} style={{ height: 240 }}>
          {mounted ? (
            <Suspense fallback={placeholder}>
              <Chart spec={spec} formatKey={formatKey} formatNumber={formatNumber} />
            </Suspense>
          ) : (
            placeholder
          )}
        </div>
      </BlockStack>
    </Card>
  );
}

function Kpi({ id, title, value, children }: { id: string; title: string; value: string; children?: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h2" variant="headingSm">{title}</Text>
        <Text as="p" variant="headingXl" id={`kpi-${id}`}>{value}</Text>
        {children}
      </BlockStack>
    </Card>
  );
}

/** How often and how many times the page loads again while a refresh it asked for runs. */
const RELOAD_MS = 4_000;
const RELOADS = 8;

export default function Analytics() {
  const { view, errors, input, refreshing, refreshEveryMinutes } = useLoaderData<typeof loader>();
  const { t, locale } = useT();
  const revalidator = useRevalidator();
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    if (!refreshing || reloads >= RELOADS || revalidator.state !== "idle") return;
    const timer = setTimeout(() => {
      setReloads((r) => r + 1);
      revalidator.revalidate();
    }, RELOAD_MS);
    return () => clearTimeout(timer);
  }, [refreshing, reloads, revalidator, view.asOf]);
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const [range, setRange] = useState(input.range);
  const [from, setFrom] = useState(input.from);
  const [to, setTo] = useState(input.to);
  useEffect(() => {
    setRange(input.range);
    setFrom(input.from);
    setTo(input.to);
  }, [input.range, input.from, input.to]);

  const tag = locale === "de" ? "de-DE" : "en-US";
  const n = new Intl.NumberFormat(tag);
  const pct = new Intl.NumberFormat(tag, { style: "percent", maximumFractionDigits: 1 });
  const money = new Intl.NumberFormat(tag, { style: "currency", currency: view.currency });
  const fine = new Intl.NumberFormat(tag, { style: "currency", currency: view.currency, maximumFractionDigits: 4 });
  const exp = 10 ** currencyExponent(view.currency);
  const m = (minor: number) => money.format(minor / exp);
  const rate = (r: number | null) => (r === null ? t("analytics.na") : pct.format(r));
  const date = new Intl.DateTimeFormat(tag, { day: "numeric", month: "short", timeZone: "UTC" });
  const longDate = new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeZone: "UTC" });
  const formatKey = (k: string) => (/^\d{4}-\d{2}-\d{2}$/.test(k) ? date.format(new Date(`${k}T00:00:00Z`)) : k);
  const k = view.kpis;
  const f = view.forecast;
  const since = view.asOf === null ? null : sinceUpdate(view.asOf, view.now);
  const updated =
    since === null
      ? ""
      : since.unit === "now"
        ? t("analytics.updated.now")
        : since.unit === "minutes"
          ? t("analytics.updated.minutes", { minutes: n.format(since.n) })
          : since.unit === "hours"
            ? t("analytics.updated.hours", { hours: n.format(since.n) })
            : t("analytics.updated.date", { date: new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeStyle: "short", timeZone: view.timeZone }).format(new Date(view.asOf!)) });

  const buckets = bucketSeries(view.series);
  const weekly = buckets.length !== view.series.length;
  const line = (id: string, kind: ChartSpec["kind"], series: Array<[MessageKey, keyof DayFigures]>): ChartSpec => ({
    id,
    kind,
    series: series.map(([name, field]) => ({ name: t(name), data: buckets.map((b) => ({ key: b.key, value: b.figures[field] })) })),
  });
  const charts: Array<{ title: string; spec: ChartSpec }> = [
    { title: t(weekly ? "analytics.chart.pointsWeek" : "analytics.chart.points"), spec: line("points", "line", [["analytics.series.issued", "pointsIssued"], ["analytics.series.redeemed", "pointsRedeemed"], ["analytics.series.expired", "pointsExpired"]]) },
    { title: t("analytics.chart.outstanding"), spec: line("outstanding", "line", [["analytics.series.outstanding", "outstandingPoints"]]) },
    { title: t("analytics.chart.members"), spec: line("members", "line", [["analytics.series.members", "totalMembers"]]) },
    { title: t("analytics.chart.orders"), spec: line("orders", "bar", [["analytics.series.memberOrders", "memberOrders"], ["analytics.series.guestOrders", "guestOrders"]]) },
    {
      title: t("analytics.chart.funnel"),
      spec: {
        id: "funnel",
        kind: "funnel",
        series: [
          {
            name: t("analytics.kpi.referrals"),
            data: [
              { key: t("analytics.funnel.clicks"), value: k.referral.clicks },
              { key: t("analytics.funnel.friends"), value: k.referral.friends },
              { key: t("analytics.funnel.orders"), value: k.referral.orders },
              { key: t("analytics.funnel.completed"), value: k.referral.completed },
            ],
          },
        ],
      },
    },
  ];

  const errorText = (field: "from" | "to" | "range") => {
    const code = errors?.[field];
    if (!code) return undefined;
    if (field === "range") return t("analytics.error.range");
    return t(`analytics.error.${code}` as MessageKey, { today: view.today, days: MAX_RANGE_DAYS });
  };
  const liability = k.liabilityMinor === null ? n.format(k.outstandingPoints) : m(k.liabilityMinor);
  const forecastValue = (p: { points: number; liabilityMinor: number | null }) => (p.liabilityMinor === null ? n.format(p.points) : m(p.liabilityMinor));

  return (
    <Page title={t("analytics.title")}>
      <TitleBar title={t("analytics.title")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <Form method="get" id="range-form">
                {params.get("locale") ? <input type="hidden" name="locale" value={params.get("locale")!} /> : null}
                <InlineStack gap="300" blockAlign="end" wrap>
                  <div style={{ minWidth: 200 }}>
                    <Select
                      label={t("analytics.range")}
                      name="range"
                      id="range"
                      value={range}
                      onChange={setRange}
                      error={errorText("range")}
                      options={[
                        { label: t("analytics.range.30"), value: "30" },
                        { label: t("analytics.range.90"), value: "90" },
                        { label: t("analytics.range.365"), value: "365" },
                        { label: t("analytics.range.custom"), value: "custom" },
                      ]}
                    />
                  </div>
                  {range === "custom" ? (
                    <>
                      <TextField label={t("analytics.from")} name="from" id="range-from" type="date" autoComplete="off" value={from} onChange={setFrom} error={errorText("from")} />
                      <TextField label={t("analytics.to")} name="to" id="range-to" type="date" autoComplete="off" value={to} onChange={setTo} error={errorText("to")} />
                    </>
                  ) : null}
                  <Button submit variant="primary" loading={navigation.state === "loading"}>
                    {t("analytics.apply")}
                  </Button>
                </InlineStack>
              </Form>
              <div style={{ marginTop: 8 }}>
                <Text as="p" tone="subdued" id="range-shown">
                  {t("analytics.showing", { from: longDate.format(new Date(`${view.range.from}T00:00:00Z`)), to: longDate.format(new Date(`${view.range.to}T00:00:00Z`)) })}
                </Text>
              </div>
            </Card>
            {view.computedThrough === null ? (
              <Banner tone="info">{t("analytics.notYet")}</Banner>
            ) : (
              <Text as="p" tone="subdued">
                <span id="updated">{updated}</span> · {t("analytics.updated.help", { minutes: refreshEveryMinutes })}
              </Text>
            )}
            <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
              <Kpi id="members" title={t("analytics.kpi.members")} value={n.format(k.members)}>
                <Text as="p" tone="subdued">{t("analytics.kpi.newMembers", { count: n.format(k.newMembers) })}</Text>
              </Kpi>
              <Kpi id="issued" title={t("analytics.kpi.issued")} value={n.format(k.pointsIssued)} />
              <Kpi id="redeemed" title={t("analytics.kpi.redeemed")} value={n.format(k.pointsRedeemed)} />
              <Kpi id="expired" title={t("analytics.kpi.expired")} value={n.format(k.pointsExpired)} />
            </InlineGrid>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <Kpi id="liability" title={t("analytics.kpi.liability")} value={liability}>
                <Text as="p" tone="subdued">
                  {view.valuePerPointMinor === null
                    ? t("analytics.kpi.liabilityNoValue", { points: n.format(k.outstandingPoints) })
                    : t("analytics.kpi.liabilityPoints", { points: n.format(k.outstandingPoints), value: fine.format(view.valuePerPointMinor / exp) })}
                </Text>
                <Text as="p" tone="subdued" id="forecast">
                  {t("analytics.kpi.forecast", { days: f.trendDays, in30: forecastValue(f.points[0]), in90: forecastValue(f.points[1]), in365: forecastValue(f.points[2]) })}
                </Text>
              </Kpi>
              <Kpi id="redemption-rate" title={t("analytics.kpi.redemptionRate")} value={rate(k.redemptionRate)}>
                <Text as="p" tone="subdued">{t("analytics.kpi.redemptionRateHelp")}</Text>
              </Kpi>
              <Kpi id="reward-revenue" title={t("analytics.kpi.rewardRevenue")} value={m(k.rewardRevenueMinor)}>
                <Text as="p" tone="subdued">{t("analytics.kpi.rewardRevenueHelp", { orders: n.format(k.rewardOrders), codes: n.format(k.redemptions), value: m(view.totals.rewardValueMinor) })}</Text>
              </Kpi>
              <Kpi id="repeat" title={t("analytics.kpi.repeat")} value={rate(k.memberRepeatRate)}>
                <Text as="p" tone="subdued">{t("analytics.kpi.repeatMembers", { rate: rate(k.memberRepeatRate), orders: n.format(k.memberOrders) })}</Text>
                <Text as="p" tone="subdued">{t("analytics.kpi.repeatGuests", { rate: rate(k.guestRepeatRate), orders: n.format(k.guestOrders) })}</Text>
              </Kpi>
              <Kpi id="referrals" title={t("analytics.kpi.referrals")} value={m(k.referral.revenueMinor)}>
                <Text as="p" tone="subdued">
                  {t("analytics.kpi.referralLine", { clicks: n.format(k.referral.clicks), friends: n.format(k.referral.friends), orders: n.format(k.referral.orders), completed: n.format(k.referral.completed) })}
                </Text>
                <Text as="p" tone="subdued">{t("analytics.kpi.referralRevenue", { revenue: m(k.referral.revenueMinor) })}</Text>
              </Kpi>
              <Kpi id="campaigns" title={t("analytics.kpi.campaigns")} value={k.campaignReturn === null ? t("analytics.na") : `${n.format(Math.round(k.campaignReturn * 10) / 10)}×`}>
                <Text as="p" tone="subdued">
                  {k.campaignPoints === 0
                    ? t("analytics.kpi.campaignNone")
                    : view.valuePerPointMinor === null
                      ? t("analytics.kpi.campaignNoValue")
                      : t("analytics.kpi.campaignLine", { revenue: m(k.campaignRevenueMinor), orders: n.format(view.totals.campaignOrders), points: n.format(k.campaignPoints) })}
                </Text>
              </Kpi>
            </InlineGrid>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              {charts.map((c) => (
                <ChartCard key={c.spec.id} title={c.title} spec={c.spec} formatKey={formatKey} formatNumber={(v) => n.format(v)} />
              ))}
            </InlineGrid>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
