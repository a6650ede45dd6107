// What a shopper sees of their membership, wherever they are: the storefront panel (app proxy),
// the customer account page, checkout and the thank-you page, and POS. One assembly, so every
// surface shows the same balance, rewards and rules; the caller has already established who the
// shopper is (a signed proxy query or a verified session token), never the request body.
import { affordable, rewardValueText, tierAccess, tierOnlyText } from "~/domain/rewards";
import storefrontDe from "~/locales/storefront/de.json";
import storefrontEn from "~/locales/storefront/en.json";
import { friendOfferText } from "~/domain/referrals";
import { currencyExponent } from "~/domain/money";
import { SOCIAL_NETWORKS, type Program } from "~/domain/program";
import { toDate, type Queryable, type Sql } from "~/lib/sql.server";
import { findMemberByCustomer, listEntries } from "./ledger.server";
import { listRewards, memberCodes } from "./redemptions.server";
import { ensureShop } from "./shops.server";
import { programOf } from "./earning.server";
import { memberReferral } from "./referrals.server";
import { memberNotices, memberTierView } from "./tiers.server";

const STOREFRONT_NOTICES = ["points_expiring", "points_expired", "tier_up", "tier_down", "tier_grace"] as const;

export type ViewLocale = "en" | "de";

/** "de", "de-DE", "de-CH,de;q=0.9" → de; anything else → en. */
export function viewLocale(input: string | null | undefined): ViewLocale {
  return (input ?? "").trim().toLowerCase().startsWith("de") ? "de" : "en";
}

/** The ways to earn the program offers, in the shopper's language, with what this shopper has done. */
async function waysToEarn(q: Queryable, shop: string, program: Program, locale: ViewLocale, currency: string, customerGid: string | null, birthday: string | null) {
  if (!program.enabled) return [];
  const done = new Set<string>();
  if (customerGid) {
    const rows = await q.all<{ idempotency_key: string }>(`SELECT idempotency_key FROM ledger_entries WHERE shop = ? AND idempotency_key IN (?, ?, ?, ?, ?, ?)`, [
      shop,
      `earn:signup:${customerGid}`,
      `earn:newsletter:${customerGid}`,
      ...SOCIAL_NETWORKS.map((n) => `earn:social:${n}:${customerGid}`),
    ]);
    for (const r of rows) done.add(r.idempotency_key);
  }
  const a = program.actions;
  const ways: Array<Record<string, unknown>> = [];
  if (program.purchase.enabled) {
    const unit = new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US", { style: "currency", currency, maximumFractionDigits: 0 }).format(1);
    ways.push({ key: "purchase", points: program.purchase.pointsPerUnit, unit });
  }
  for (const key of ["signup", "newsletter", "birthday", "review"] as const) {
    if (!a[key].enabled) continue;
    ways.push({
      key,
      title: a[key].texts[locale].title,
      description: a[key].texts[locale].description,
      points: a[key].points,
      done: key === "birthday" ? Boolean(birthday) : done.has(`earn:${key}:${customerGid}`),
      ...(key === "birthday" && birthday ? { birthday } : {}),
    });
  }
  if (a.social.enabled) {
    ways.push({
      key: "social",
      title: a.social.texts[locale].title,
      description: a.social.texts[locale].description,
      points: a.social.points,
      networks: SOCIAL_NETWORKS.filter((n) => a.social.networks[n].enabled).map((n) => ({ network: n, url: a.social.networks[n].url, done: done.has(`earn:social:${n}:${customerGid}`) })),
    });
  }
  return ways;
}

export interface MemberViewReward {
  id: number;
  type: string;
  title: string;
  value: string;
  pointsCost: number;
  minUnits?: number;
  maxUnits?: number;
  affordable: boolean;
  /** a tier-only reward for other tiers: listed, never redeemable by this shopper (guests included) */
  locked?: boolean;
  /** why it is locked, in the shopper's language: "Gold members only" (the merchant's text when set) */
  lockedText?: string;
}

export interface MemberView {
  loggedIn: boolean;
  balance: number;
  pending: number;
  currency: string;
  rewards: MemberViewReward[];
  codes: Array<{ code: string; points: number }>;
  earn: Array<Record<string, unknown>>;
  history: Array<{ points: number; bucket: string; kind: string; reason: string; at: string | null }>;
  referral?: Record<string, unknown>;
  referrals?: Array<Record<string, unknown>>;
  tier: ReturnType<typeof memberTierView>;
  notices: Array<Record<string, unknown>>;
  /** the shop blocked this member: they see what a guest sees */
  blocked?: boolean;
}

/**
 * The member's view for `customerGid` (null: a guest, who sees the catalogue and nothing of anyone).
 * The JSON the storefront panel has always received (GET /apps/loyalty/rewards), plus `currency`.
 */
export async function memberView(q: Sql, shop: string, customerGid: string | null, locale: ViewLocale): Promise<MemberView> {
  const settings = await ensureShop(q, shop);
  const program = programOf(settings);
  const found = customerGid ? await findMemberByCustomer(q, shop, customerGid) : undefined;
  // a member the shop blocked gets the guest's view: nothing personal, nothing to redeem
  if (found?.blocked_at) return { ...(await memberView(q, shop, null, locale)), blocked: true };
  const member = found;
  const balance = member?.points_available ?? 0;
  // tier-only rewards: open to their tiers, locked for everyone else ("Gold members only"), not
  // listed at all when no one can take them (tiers off, or their tiers were removed)
  const tierOnly = { template: (locale === "de" ? storefrontDe : storefrontEn)["rewards.tier_only"], own: program.storefront.texts[locale].tierOnly };
  const rewards: MemberViewReward[] = [];
  for (const { id, reward } of await listRewards(q, shop)) {
    const access = tierAccess(reward, member?.tier_id ?? null, program.tiers, locale);
    if (access.kind === "hidden") continue;
    rewards.push({
      id,
      type: reward.type,
      title: reward.texts[locale].title,
      value: rewardValueText(reward, settings.currency_code, locale),
      pointsCost: reward.pointsCost,
      ...(reward.type === "points_for_money" ? { minUnits: reward.minUnits, maxUnits: reward.maxUnits } : {}),
      // an excluded member keeps their balance but can't redeem (app/models/redemptions.server.ts)
      affordable: Boolean(customerGid) && !member?.excluded_at && access.kind === "open" && affordable(balance, reward),
      ...(access.kind === "locked" ? { locked: true, lockedText: tierOnlyText(access.tierNames, tierOnly.template, tierOnly.own) } : {}),
    });
  }
  const codes = customerGid ? (await memberCodes(q, shop, customerGid)).map((c) => ({ code: c.code, points: c.points })) : [];
  const history = member
    ? (await listEntries(q, shop, member.id, 10)).map((e) => ({
        points: e.points,
        bucket: e.bucket,
        kind: e.kind,
        reason: e.reason.split(":")[0]!,
        at: toDate(e.created_at)?.toISOString() ?? null,
      }))
    : [];
  const earn = await waysToEarn(q, shop, program, locale, settings.currency_code, customerGid, member?.birthday ?? null);
  // referrals (when on, for a logged-in shopper): { referral: {code, url, shareMessage, stats, offer}, referrals: [{status, at}] }
  const referral = customerGid ? await memberReferral(q, shop, customerGid, locale) : null;
  if (referral) {
    const r = program.referrals;
    const offer = friendOfferText(r, settings.currency_code, locale, currencyExponent(settings.currency_code));
    const points = new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US").format(r.advocateReward.points);
    Object.assign(referral.referral, {
      offer: locale === "de" ? `Freunde erhalten ${offer}. Sie erhalten ${points} Punkte, sobald die Bestellung behalten wird.` : `Friends get ${offer}. You get ${points} points once their order is kept.`,
    });
  }
  // the member's tier and notices (points expiring, tier changes; the kinds the panel has texts for)
  const tier = member ? memberTierView(program, member as unknown as Parameters<typeof memberTierView>[1], locale) : null;
  const notices = member ? (await memberNotices(q, shop, member.id, 5, STOREFRONT_NOTICES)).map((n) => ({ kind: n.kind, at: n.dueAt, ...n.payload })) : [];
  return { loggedIn: Boolean(customerGid), balance, pending: member?.points_pending ?? 0, currency: settings.currency_code, rewards, codes, earn, history, tier, notices, ...((referral ?? {}) as object) };
}

/** What a checkout needs to estimate an order's points (the base rate; campaigns may add more). */
export interface EarningRules {
  enabled: boolean;
  pointsPerUnit: number;
  rounding: "down" | "nearest" | "up";
  minimumOrderMinor: number;
  excludedProductIds: string[];
  currency: string;
  exponent: number;
}

export async function earningRules(q: Queryable, shop: string): Promise<EarningRules> {
  const settings = await ensureShop(q, shop);
  const program = programOf(settings);
  const p = program.purchase;
  return {
    enabled: program.enabled && p.enabled && p.pointsPerUnit > 0,
    pointsPerUnit: p.pointsPerUnit,
    rounding: p.rounding,
    minimumOrderMinor: p.minimumOrderMinor,
    excludedProductIds: p.excludedProductIds,
    currency: settings.currency_code,
    exponent: currencyExponent(settings.currency_code),
  };
}

export interface OrderEarnView {
  /** earned: the award exists; processing: the order's payment hasn't reached the app yet (or it earns nothing) */
  status: "earned" | "processing";
  points: number;
  bucket: "available" | "pending" | null;
  /** pending points become available then (null with a fulfilment trigger or when available) */
  releaseAt: string | null;
  untilFulfilment: boolean;
}

/** The points an order earned for this customer — only their own order: another customer's order
 *  reads as not (yet) earned. */
export async function orderEarnView(q: Queryable, shop: string, customerGid: string, orderGid: string): Promise<OrderEarnView> {
  const row = await q.get<{ bucket: string; points: number; reversed_points: number; release_at: unknown }>(
    `SELECT a.bucket, a.points, a.reversed_points, a.release_at FROM earn_awards a JOIN members m ON m.id = a.member_id AND m.shop = a.shop
      WHERE a.shop = ? AND a.order_gid = ? AND m.customer_gid = ?`,
    [shop, orderGid, customerGid],
  );
  if (!row) return { status: "processing", points: 0, bucket: null, releaseAt: null, untilFulfilment: false };
  const bucket = row.bucket === "pending" ? "pending" : "available";
  const releaseAt = bucket === "pending" ? (toDate(row.release_at)?.toISOString() ?? null) : null;
  return { status: "earned", points: Number(row.points) - Number(row.reversed_points), bucket, releaseAt, untilFulfilment: bucket === "pending" && releaseAt === null };
}
