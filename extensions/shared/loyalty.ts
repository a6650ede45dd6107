// What the app's UI extensions decide, as plain functions (tests/unit/extensions-*.test.ts): where
// to call the app, what to show, how to read the app's answers. The extensions' .tsx files only
// render and wire these to Shopify's APIs. Nothing here touches the DOM or `shopify`.

/** The app's URL (shopify.app.toml `application_url`; a unit test keeps them equal). Extensions run
 *  on Shopify's origins, so every call is absolute and carries the session token. */
export const APP_URL = "https://localhost:3000";

export type Locale = "en" | "de";
export type BuyerSurface = "checkout" | "customer-account";

/** "de", "de-CH" → de; anything else → en. */
export function localeOf(tag: string | null | undefined): Locale {
  return (tag ?? "").toLowerCase().startsWith("de") ? "de" : "en";
}

export function formatNumber(n: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US").format(n);
}

export function formatDate(iso: string | null, locale: Locale): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Intl.DateTimeFormat(locale === "de" ? "de-DE" : "en-US", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(d);
}

export interface Call {
  url: string;
  init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string };
}

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

export function memberCall(token: string, surface: BuyerSurface, locale: Locale, appUrl = APP_URL): Call {
  return { url: `${appUrl}/api/extension/member?surface=${surface}&locale=${locale}`, init: { method: "GET", headers: auth(token) } };
}

/** The buyer is the token's; the body names only the reward and the attempt. */
export function redeemCall(token: string, surface: BuyerSurface, rewardId: number, idempotencyKey: string, appUrl = APP_URL): Call {
  return {
    url: `${appUrl}/api/extension/redeem?surface=${surface}`,
    init: { method: "POST", headers: { ...auth(token), "Content-Type": "application/json" }, body: JSON.stringify({ rewardId, idempotencyKey }) },
  };
}

export function orderCall(token: string, surface: BuyerSurface, orderId: string, locale: Locale, appUrl = APP_URL): Call {
  return { url: `${appUrl}/api/extension/order?surface=${surface}&locale=${locale}&orderId=${encodeURIComponent(orderId)}`, init: { method: "GET", headers: auth(token) } };
}

export function posCustomersCall(token: string, query: string, appUrl = APP_URL): Call {
  return { url: `${appUrl}/api/pos/customers?q=${encodeURIComponent(query.trim())}`, init: { method: "GET", headers: auth(token) } };
}

export function posMemberCall(token: string, customerId: string, locale: Locale, appUrl = APP_URL): Call {
  return { url: `${appUrl}/api/pos/member?customerId=${encodeURIComponent(customerId)}&locale=${locale}`, init: { method: "GET", headers: auth(token) } };
}

export function posRedeemCall(token: string, customerId: string, rewardId: number, idempotencyKey: string, appUrl = APP_URL): Call {
  return {
    url: `${appUrl}/api/pos/redeem`,
    init: { method: "POST", headers: { ...auth(token), "Content-Type": "application/json" }, body: JSON.stringify({ customerId, rewardId, idempotencyKey }) },
  };
}

/** A fresh key per tap (a retry of the same tap reuses it, so it never redeems twice). */
export function newIdempotencyKey(surface: string, random: () => number = Math.random, now = Date.now()): string {
  const part = () => Math.floor(random() * 0x100000000).toString(36);
  return `${surface}-${now.toString(36)}-${part()}${part()}`.slice(0, 100);
}

// ---------------------------------------------------------------------------------------------
// The member view (GET /api/extension/member, /api/pos/member; the storefront panel's shape)

export interface ViewReward {
  id: number;
  type: string;
  title: string;
  value: string;
  pointsCost: number;
  affordable: boolean;
  minUnits?: number;
  maxUnits?: number;
  /** a tier-only reward for other tiers: shown, never redeemable; `lockedText` says who may ("Gold members only") */
  locked?: boolean;
  lockedText?: string;
}

export interface HistoryEntry {
  points: number;
  bucket: string;
  kind: string;
  reason: string;
  at: string | null;
}

export interface EarningRules {
  enabled: boolean;
  pointsPerUnit: number;
  rounding: "down" | "nearest" | "up";
  minimumOrderMinor: number;
  excludedProductIds: string[];
  currency: string;
  exponent: number;
}

export interface MemberView {
  loggedIn: boolean;
  balance: number;
  pending: number;
  currency?: string;
  rewards: ViewReward[];
  codes: Array<{ code: string; points: number }>;
  history: HistoryEntry[];
  referral?: { code: string; url: string; shareMessage: string; offer?: string; stats?: { clicks: number; pending: number; rewarded: number } };
  /** present once tiers exist (the tiers work adds it to the view) */
  tier?: { id: string | null; name?: string; perks?: string[]; until?: string | null } | null;
  earning?: EarningRules;
}

/** Rewards that become a discount code in one tap (no amount to choose, nothing outside the cart). */
export function isOneTap(reward: Pick<ViewReward, "type">): boolean {
  return ["amount", "percentage", "free_shipping", "free_product"].includes(reward.type);
}

/** Checkout: the affordable one-tap rewards, most valuable (in points) first, at most `limit`. */
export function checkoutRewards(view: Pick<MemberView, "loggedIn" | "rewards">, limit = 3): ViewReward[] {
  if (!view.loggedIn) return [];
  return view.rewards.filter((r) => r.affordable && isOneTap(r)).sort((a, b) => b.pointsCost - a.pointsCost || a.id - b.id).slice(0, limit);
}

/** How far the member is from the cheapest reward they can't afford yet (not one of another tier's). */
export function nextRewardProgress(view: Pick<MemberView, "balance" | "rewards">): { reward: ViewReward; needed: number; percent: number } | null {
  const next = view.rewards.filter((r) => !r.locked && r.pointsCost > view.balance).sort((a, b) => a.pointsCost - b.pointsCost)[0];
  if (!next) return null;
  return { reward: next, needed: next.pointsCost - view.balance, percent: Math.max(0, Math.min(100, Math.floor((view.balance / next.pointsCost) * 100))) };
}

/** The translation key for a history line. */
export function historyKey(entry: Pick<HistoryEntry, "reason" | "kind" | "bucket">): string {
  const known = ["purchase", "reward", "signup", "newsletter", "birthday", "review", "social", "referral", "refund", "cancel", "expiry", "adjustment"];
  if (entry.kind === "reverse") return entry.reason.startsWith("reward") ? "history.rewardReturned" : "history.reversed";
  const reason = entry.reason.split(/[ :]/)[0] ?? "";
  return known.includes(reason) ? `history.${reason}` : "history.other";
}

// ---------------------------------------------------------------------------------------------
// Checkout: the points this order will earn

export interface CheckoutLine {
  /** gid://shopify/Product/N of the line's merchandise, when known */
  productId: string | null;
  /** the line's total after discounts, in the shop currency (a decimal amount) */
  amount: number;
  giftCard?: boolean;
}

/** The base-rate estimate of an order's points ("up to", as the storefront block says):
 *  merchandise after discounts, without gift cards and excluded products, rate × units, rounded the
 *  program's way, nothing under the minimum. Campaign bonuses, collection exclusions and tax
 *  included in prices are not known here, so the app may award a little more or less. */
export function estimateOrderPoints(lines: CheckoutLine[], rules: EarningRules | undefined): number {
  if (!rules || !rules.enabled) return 0;
  const excluded = new Set(rules.excludedProductIds);
  const scale = 10 ** rules.exponent;
  const minor = lines.filter((l) => !l.giftCard && !(l.productId && excluded.has(l.productId))).reduce((sum, l) => sum + Math.round(l.amount * scale), 0);
  if (minor <= 0 || minor < rules.minimumOrderMinor) return 0;
  // productPoints in app/domain/storefront.ts, generalised to any currency exponent
  const exact = (minor * rules.pointsPerUnit) / scale;
  const points = rules.rounding === "up" ? Math.ceil(exact - 1e-9) : rules.rounding === "nearest" ? Math.floor(exact + 0.5) : Math.floor(exact + 1e-9);
  return Math.max(0, points);
}

// ---------------------------------------------------------------------------------------------
// Redeeming

export type RedeemOutcome =
  | { kind: "code"; code: string }
  | { kind: "pending" } // Shopify is slow: ask again with the same key
  | { kind: "error"; messageKey: string };

/** Reads the app's answer to a redemption (see app/lib/redeem-request.server.ts). */
export function redeemOutcome(status: number, body: unknown): RedeemOutcome {
  const b = (typeof body === "object" && body !== null ? body : {}) as { status?: string; code?: string | null; error?: string };
  if (status === 200 && b.status === "issued" && typeof b.code === "string" && b.code) return { kind: "code", code: b.code };
  if (status === 202) return { kind: "pending" };
  if (status === 401) return { kind: "error", messageKey: "errors.session" };
  // 403 is "log in first" for a guest, or a reward this member may not take (e.g. another tier's)
  if (status === 403) return { kind: "error", messageKey: /log in/.test(b.error ?? "") ? "errors.login" : "errors.unavailable" };
  if (status === 409 && /enough points/.test(b.error ?? "")) return { kind: "error", messageKey: "errors.notEnough" };
  if (status === 409 || status === 404) return { kind: "error", messageKey: "errors.unavailable" };
  if (status === 429) return { kind: "error", messageKey: "errors.tooMany" };
  return { kind: "error", messageKey: "errors.failed" };
}

/** Checkout's applyDiscountCodeChange result → what to tell the buyer. The code stays theirs
 *  (shown under "my codes") when checkout can't apply it, e.g. because it doesn't combine. */
export function applyMessageKey(result: { type: "success" | "error"; message?: string }): string {
  return result.type === "success" ? "redeem.applied" : "redeem.notApplied";
}

// ---------------------------------------------------------------------------------------------
// Thank-you / order status

export interface OrderEarn {
  status: "earned" | "processing";
  points: number;
  bucket: "available" | "pending" | null;
  releaseAt: string | null;
  untilFulfilment: boolean;
}

/** The line the thank-you block shows: [translation key, its values]. */
export function orderEarnMessage(order: OrderEarn | undefined, estimate: number, locale: Locale): [string, Record<string, string>] {
  if (!order || order.status === "processing") {
    return estimate > 0 ? ["order.processingEstimate", { points: formatNumber(estimate, locale) }] : ["order.processing", {}];
  }
  const points = formatNumber(order.points, locale);
  if (order.bucket === "pending") {
    if (order.untilFulfilment) return ["order.pendingFulfilment", { points }];
    return ["order.pendingUntil", { points, date: formatDate(order.releaseAt, locale) }];
  }
  return ["order.earned", { points }];
}

// ---------------------------------------------------------------------------------------------
// POS

export interface PosCustomer {
  id: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  balance: number;
  pending: number;
}

/** Search only once the staff typed something meaningful. */
export function shouldSearch(query: string): boolean {
  return query.trim().length >= 2;
}

/** The numeric id POS's cart API wants for setCustomer, from a customer gid. */
export function numericId(gid: string): number | null {
  const m = /\/(\d+)$/.exec(gid);
  return m ? Number(m[1]) : null;
}

/** One line per customer in the search results. */
export function customerLine(c: PosCustomer, locale: Locale): string {
  const contact = c.email ?? c.phone ?? "";
  return `${c.displayName || contact}${contact && c.displayName ? ` · ${contact}` : ""} · ${formatNumber(c.balance, locale)}`;
}
