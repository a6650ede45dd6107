import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Banner, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { ListPager } from "~/components/list-pager";
import { database } from "~/db.server";
import { fe } from "~/domain/errors";
import { currencyExponent } from "~/domain/money";
import { localizeFieldErrors, pickLocale, requestLocale, translate, type MessageKey } from "~/lib/i18n";
import { readCursor } from "~/lib/paging.server";
import { programOf } from "~/models/earning.server";
import { decideReferral, listReferrals, referralFunnel, ReferralError, type ReferralStatus } from "~/models/referrals.server";
import { ensureShop } from "~/models/shops.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  const settings = await ensureShop(db.sql, session.shop);
  const program = programOf(settings);
  const url = new URL(request.url);
  const heldCursor = readCursor(url, "held");
  const recentCursor = readCursor(url, "recent");
  return {
    locale: pickLocale(url.searchParams.get("locale")),
    enabled: program.enabled && program.referrals.enabled,
    currency: settings.currency_code,
    funnel: await referralFunnel(db.sql, session.shop),
    held: await listReferrals(db.sql, session.shop, { status: "held", cursor: heldCursor, limit: 50 }),
    recent: await listReferrals(db.sql, session.shop, { cursor: recentCursor, limit: 50 }),
  };
};

/** Who decided: the staff member behind the session token (or the online session's user). */
function staffOf(ctx: { session: { onlineAccessInfo?: { associated_user?: { id?: number; email?: string } } }; sessionToken?: { sub?: string } }): string {
  const user = ctx.session.onlineAccessInfo?.associated_user;
  if (user?.email) return `${user.email} (staff ${user.id ?? "?"})`;
  return ctx.sessionToken?.sub ? `staff ${ctx.sessionToken.sub}` : "staff (unknown)";
}

// POST {intent: "approve" | "reject", referralId} — decides a held referral; who decided is recorded.
export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await authenticate.admin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const id = Number(form.get("referralId"));
  const fieldErrors: Record<string, string> = {};
  if (intent !== "approve" && intent !== "reject") fieldErrors.intent = fe("errors.oneOf", { options: "approve, reject" });
  if (!Number.isInteger(id) || id <= 0) fieldErrors.referralId = fe("errors.invalid");
  if (Object.keys(fieldErrors).length) return Response.json({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), fieldErrors) }, { status: 422 });
  const db = await database();
  try {
    const status = await decideReferral(db.sql, ctx.session.shop, id, intent as "approve" | "reject", staffOf(ctx as never));
    return Response.json({ ok: true, status });
  } catch (error) {
    if (error instanceof ReferralError) return Response.json({ ok: false, error: error.reason }, { status: error.status });
    throw error;
  }
};

const TONE: Record<ReferralStatus, "success" | "attention" | "critical" | "info" | undefined> = {
  pending: "info",
  held: "attention",
  rejected: "critical",
  rewarded: "success",
  cancelled: undefined,
};

function Decide({ id, t }: { id: number; t: (k: MessageKey) => string }) {
  const fetcher = useFetcher<{ ok: boolean; error?: string }>();
  const busy = fetcher.state !== "idle";
  if (fetcher.data?.ok) return <Text as="span" tone="success">{t("referrals.decided")}</Text>;
  return (
    <InlineStack gap="200">
      <Button size="slim" variant="primary" loading={busy} onClick={() => fetcher.submit({ intent: "approve", referralId: String(id) }, { method: "post" })} accessibilityLabel={`${t("referrals.approve")} #${id}`}>
        {t("referrals.approve")}
      </Button>
      <Button size="slim" tone="critical" loading={busy} onClick={() => fetcher.submit({ intent: "reject", referralId: String(id) }, { method: "post" })} accessibilityLabel={`${t("referrals.reject")} #${id}`}>
        {t("referrals.reject")}
      </Button>
      {fetcher.data?.error ? <Text as="span" tone="critical">{fetcher.data.error}</Text> : null}
    </InlineStack>
  );
}

export default function Referrals() {
  const { locale, enabled, currency, funnel, held, recent } = useLoaderData<typeof loader>();
  const t = (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);
  const tag = locale === "de" ? "de-DE" : "en-US";
  const num = new Intl.NumberFormat(tag);
  const money = (minor: number) => new Intl.NumberFormat(tag, { style: "currency", currency }).format(minor / 10 ** currencyExponent(currency));
  const date = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(tag) : "");
  const who = (r: (typeof recent.items)[number]) => r.advocate.name ?? r.advocate.email ?? `#${r.advocate.memberId}`;
  const order = (gid: string) => `#${gid.split("/").pop()}`;
  const reasons = (r: (typeof recent.items)[number]) =>
    [...r.reasons.map((x) => x[locale]), ...(r.cancelReason ? [t("referrals.cancelled", { reason: r.cancelReason })] : [])].join(" · ");
  const status = (s: ReferralStatus) => <Badge tone={TONE[s]}>{t(`referrals.status.${s}` as MessageKey)}</Badge>;
  const stat = (label: MessageKey, value: string, id: string) => (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">{t(label)}</Text>
        <Text as="p" variant="headingLg" id={id}>{value}</Text>
      </BlockStack>
    </Card>
  );
  return (
    <Page>
      <TitleBar title={t("referrals.title")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {!enabled ? <Banner tone="info">{t("referrals.off")}</Banner> : null}
            <Text as="h2" variant="headingMd">{t("referrals.funnel")}</Text>
            <InlineGrid columns={{ xs: 2, md: 3, lg: 6 }} gap="300">
              {stat("referrals.clicks", num.format(funnel.clicks), "referral-clicks")}
              {stat("referrals.signups", num.format(funnel.signups), "referral-signups")}
              {stat("referrals.orders", num.format(funnel.orders), "referral-orders")}
              {stat("referrals.revenue", money(funnel.revenueMinor), "referral-revenue")}
              {stat("referrals.rewardCost", t("referrals.points", { points: num.format(funnel.rewardedPoints) }), "referral-reward-cost")}
              {stat("referrals.friendDiscounts", money(funnel.friendDiscountMinor), "referral-friend-discounts")}
            </InlineGrid>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("referrals.review")}</Text>
                {held.items.length === 0 && held.prev === null ? (
                  <Text as="p" tone="subdued">{t("referrals.reviewEmpty")}</Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "text", "text", "text"]}
                    headings={[t("referrals.col.advocate"), t("referrals.col.order"), t("referrals.col.subtotal"), t("referrals.col.reasons"), t("referrals.col.window"), ""]}
                    rows={held.items.map((r) => [who(r), order(r.orderGid), money(r.subtotalMinor), reasons(r), date(r.windowEndsAt), <Decide key={r.id} id={r.id} t={t} />])}
                  />
                )}
                <ListPager page={held} prefix="held" labels={{ previous: t("paging.newer"), next: t("paging.older") }} />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("referrals.recent")}</Text>
                {recent.items.length === 0 && recent.prev === null ? (
                  <Text as="p" tone="subdued">{t("referrals.recentEmpty")}</Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "text", "text", "text"]}
                    headings={[t("referrals.col.advocate"), t("referrals.col.order"), t("referrals.col.subtotal"), t("referrals.col.status"), t("referrals.col.reasons"), t("referrals.col.decided")]}
                    rows={recent.items.map((r) => [who(r), order(r.orderGid), money(r.subtotalMinor), status(r.status), reasons(r), r.decidedBy === "rules" ? t("referrals.rules") : (r.decidedBy ?? "")])}
                  />
                )}
                <ListPager page={recent} prefix="recent" labels={{ previous: t("paging.newer"), next: t("paging.older") }} />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("referrals.advocates")}</Text>
                {funnel.advocates.length === 0 ? (
                  <Text as="p" tone="subdued">{t("referrals.advocatesEmpty")}</Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                    headings={[t("referrals.col.advocate"), t("referrals.col.code"), t("referrals.clicks"), t("referrals.signups"), t("referrals.orders"), t("referrals.revenue"), t("referrals.rewardCost"), t("referrals.friendDiscounts")]}
                    rows={funnel.advocates.map((a) => [
                      a.email ?? `#${a.memberId}`,
                      a.code,
                      num.format(a.clicks),
                      num.format(a.signups),
                      num.format(a.orders),
                      money(a.revenueMinor),
                      t("referrals.points", { points: num.format(a.rewardedPoints) }),
                      money(a.friendDiscountMinor),
                    ])}
                  />
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
