// The analytics dashboard's arithmetic: date ranges on the shop's clock, a day's figures from the
// raw facts, totals and KPIs over daily rollups, the value of a point and a simple liability
// forecast. Pure: storage reads the facts (app/models/rollups.server.ts), routes show the result.
import { z } from "zod";
import { addDays } from "./periods";
import { currencyExponent } from "./money";
import type { Reward } from "./rewards";

/** The columns of daily_rollups, in order (besides shop and day). */
export const ROLLUP_FIELDS = [
  "newMembers",
  "totalMembers",
  "pointsIssued",
  "pointsReversed",
  "pointsRedeemed",
  "pointsExpired",
  "pointsAdjusted",
  "outstandingPoints",
  "redemptions",
  "rewardValueMinor",
  "rewardOrders",
  "rewardRevenueMinor",
  "memberOrders",
  "memberRepeatOrders",
  "memberRevenueMinor",
  "guestOrders",
  "guestRepeatOrders",
  "guestRevenueMinor",
  "referralClicks",
  "referralFriends",
  "referralOrders",
  "referralsCompleted",
  "referralRevenueMinor",
  "campaignPoints",
  "campaignOrders",
  "campaignRevenueMinor",
] as const;

export type RollupField = (typeof ROLLUP_FIELDS)[number];
export type DayFigures = Record<RollupField, number>;
export interface DayRollup extends DayFigures {
  /** YYYY-MM-DD on the shop's clock */
  day: string;
}

export const snakeCase = (f: string) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function emptyFigures(): DayFigures {
  return Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, 0])) as DayFigures;
}

/** One group of a day's ledger entries (SUM(points) by kind, reason and sign). */
export interface LedgerGroup {
  kind: string;
  reason: string;
  points: number;
}

/** Reasons of `reverse` entries that give a redemption's points back (app/models/redemptions.server.ts). */
const REDEMPTION_REFUNDS = new Set(["reward expired unused", "reward cancelled", "reward not issued"]);

/**
 * A day's points by what happened to them. Issued: earned, and imported from another app (migrate,
 * positive); reversed: clawed back for refunds and cancellations; redeemed: spent on rewards, net of
 * codes that gave their points back; expired; adjusted: staff corrections, signed. `net` is the
 * change of the outstanding balance (pending + available); pending → available releases net to 0.
 */
export function ledgerFigures(groups: LedgerGroup[]) {
  let issued = 0;
  let reversed = 0;
  let redeemed = 0;
  let expired = 0;
  let adjusted = 0;
  let net = 0;
  for (const g of groups) {
    const p = Number(g.points);
    net += p;
    switch (g.kind) {
      case "earn":
        issued += p;
        break;
      case "migrate":
        if (p > 0) issued += p;
        else adjusted += p;
        break;
      case "redeem":
        redeemed -= p;
        break;
      case "reverse":
        if (REDEMPTION_REFUNDS.has(g.reason)) redeemed -= p;
        else reversed -= p;
        break;
      case "expire":
        expired -= p;
        break;
      case "adjust":
        adjusted += p;
        break;
      default:
        // release moves points between buckets (nets to 0); anything else counts as a correction
        if (g.kind !== "release") adjusted += p;
    }
  }
  return { issued, reversed, redeemed, expired, adjusted, net };
}

/** The campaign bonus an award's detail JSON records ({campaigns: [{id, points}]}). */
export function campaignPointsOf(detail: string | null): number {
  if (!detail) return 0;
  try {
    const parsed = JSON.parse(detail) as { campaigns?: Array<{ points?: unknown }> };
    return (parsed.campaigns ?? []).reduce((s, c) => s + (Number.isFinite(Number(c.points)) ? Math.max(0, Number(c.points)) : 0), 0);
  } catch {
    return 0;
  }
}

/**
 * What one point is worth in money (minor units of shop currency, fractional), read from the reward
 * catalogue: the best rate among enabled rewards with a fixed money value (amount off, store credit,
 * points for money). The best rate, because a member can always take that one: the liability is
 * what the points could cost the shop at most. Null when no reward has a money value (percentage,
 * free shipping, free product only): the liability is then shown in points only.
 */
export function valuePerPointMinor(rewards: Array<{ reward: Reward; enabled: boolean }>, currency: string): number | null {
  let best: number | null = null;
  for (const { reward, enabled } of rewards) {
    if (!enabled || reward.pointsCost <= 0) continue;
    let value: number | null = null;
    if (reward.type === "amount" || reward.type === "store_credit") value = reward.amountMinor / reward.pointsCost;
    else if (reward.type === "points_for_money") value = 10 ** currencyExponent(currency) / reward.pointsCost;
    if (value !== null && (best === null || value > best)) best = value;
  }
  return best;
}

/** The money a redemption gave away, from its reward and the points it cost (0 where it depends on the cart). */
export function redemptionValueMinor(reward: Reward | undefined, points: number, currency: string): number {
  if (!reward) return 0;
  if (reward.type === "amount" || reward.type === "store_credit") return reward.amountMinor;
  if (reward.type === "points_for_money" && reward.pointsCost > 0) return Math.round((points / reward.pointsCost) * 10 ** currencyExponent(currency));
  return 0;
}

/** How long ago the stored figures were brought up to date, for "Updated 4 min ago": under a
 *  minute "now", then whole minutes, whole hours, and beyond a day the date. */
export function sinceUpdate(asOf: number, now: number): { unit: "now" } | { unit: "minutes" | "hours"; n: number } | { unit: "date" } {
  const ms = Math.max(0, now - asOf);
  if (ms < 60_000) return { unit: "now" };
  if (ms < 3_600_000) return { unit: "minutes", n: Math.floor(ms / 60_000) };
  if (ms < 86_400_000) return { unit: "hours", n: Math.floor(ms / 3_600_000) };
  return { unit: "date" };
}

// ---------------------------------------------------------------------------------------------
// Date ranges

export const PRESETS = [30, 90, 365] as const;
export const MAX_RANGE_DAYS = 731;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

const validDate = (s: string) => {
  if (!isoDate.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

export interface DateRange {
  from: string;
  to: string;
  /** "30" | "90" | "365" | "custom" */
  preset: string;
  days: number;
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Every date from `from` to `to`, both included. */
export function dayList(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

const rangeInput = z.object({
  range: z.enum(["30", "90", "365", "custom"]).default("30"),
  from: z.string().optional(),
  to: z.string().optional(),
});

export type RangeResult = { ok: true; range: DateRange } | { ok: false; errors: Record<string, string>; range: DateRange };

/**
 * The range the dashboard shows, from the query string: a preset (the last N days up to today on
 * the shop's clock) or custom dates (YYYY-MM-DD, from ≤ to ≤ today, at most MAX_RANGE_DAYS). Bad
 * input names the field and falls back to the last 30 days.
 */
export function parseRange(params: Record<string, string | undefined>, today: string): RangeResult {
  const fallback: DateRange = { from: addDays(today, -29), to: today, preset: "30", days: 30 };
  const parsed = rangeInput.safeParse(params);
  if (!parsed.success) return { ok: false, errors: { range: "unknown range" }, range: fallback };
  const { range, from, to } = parsed.data;
  if (range !== "custom") {
    const n = Number(range);
    return { ok: true, range: { from: addDays(today, -(n - 1)), to: today, preset: range, days: n } };
  }
  const errors: Record<string, string> = {};
  if (!from || !validDate(from)) errors.from = "invalid";
  if (!to || !validDate(to)) errors.to = "invalid";
  if (!errors.to && to! > today) errors.to = "future";
  if (!errors.from && !errors.to && from! > to!) errors.to = "beforeFrom";
  if (!errors.from && !errors.to && daysBetween(from!, to!) + 1 > MAX_RANGE_DAYS) errors.to = "tooLong";
  if (Object.keys(errors).length) return { ok: false, errors, range: { ...fallback, preset: "custom" } };
  return { ok: true, range: { from: from!, to: to!, preset: "custom", days: daysBetween(from!, to!) + 1 } };
}

// ---------------------------------------------------------------------------------------------
// Totals, KPIs, forecast

/** Flow figures add up over days; stock figures (members, outstanding) are the last day's. */
const STOCKS = new Set<RollupField>(["totalMembers", "outstandingPoints"]);

/** Every day of the range, in order; a day without a rollup row has zero flows and carries the previous stock. */
export function fillDays(days: string[], rows: DayRollup[], before?: Partial<DayFigures>): DayRollup[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  let last: Pick<DayFigures, "totalMembers" | "outstandingPoints"> = { totalMembers: before?.totalMembers ?? 0, outstandingPoints: before?.outstandingPoints ?? 0 };
  return days.map((day) => {
    const row = byDay.get(day);
    if (row) {
      last = { totalMembers: row.totalMembers, outstandingPoints: row.outstandingPoints };
      return row;
    }
    return { day, ...emptyFigures(), ...last };
  });
}

export function totals(rows: DayRollup[]): DayFigures {
  const t = emptyFigures();
  for (const r of rows) {
    for (const f of ROLLUP_FIELDS) t[f] = STOCKS.has(f) ? r[f] : t[f] + r[f];
  }
  return t;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

export interface Kpis {
  members: number;
  newMembers: number;
  pointsIssued: number;
  pointsRedeemed: number;
  pointsExpired: number;
  outstandingPoints: number;
  /** outstanding points × value per point; null when no reward has a money value */
  liabilityMinor: number | null;
  /** points redeemed ÷ points issued in the range */
  redemptionRate: number | null;
  redemptions: number;
  rewardOrders: number;
  rewardRevenueMinor: number;
  /** repeat orders ÷ orders, for members and for guests (orders without a customer account) */
  memberRepeatRate: number | null;
  guestRepeatRate: number | null;
  memberOrders: number;
  guestOrders: number;
  referral: { clicks: number; friends: number; orders: number; completed: number; revenueMinor: number };
  /** revenue of orders that got a campaign bonus ÷ the bonus's cost in money; null without a point value or bonus */
  campaignReturn: number | null;
  campaignPoints: number;
  campaignRevenueMinor: number;
}

export function kpis(t: DayFigures, valuePerPoint: number | null): Kpis {
  const campaignCost = valuePerPoint === null ? 0 : t.campaignPoints * valuePerPoint;
  return {
    members: t.totalMembers,
    newMembers: t.newMembers,
    pointsIssued: t.pointsIssued,
    pointsRedeemed: t.pointsRedeemed,
    pointsExpired: t.pointsExpired,
    outstandingPoints: t.outstandingPoints,
    liabilityMinor: valuePerPoint === null ? null : Math.round(t.outstandingPoints * valuePerPoint),
    redemptionRate: ratio(t.pointsRedeemed, t.pointsIssued),
    redemptions: t.redemptions,
    rewardOrders: t.rewardOrders,
    rewardRevenueMinor: t.rewardRevenueMinor,
    memberRepeatRate: ratio(t.memberRepeatOrders, t.memberOrders),
    guestRepeatRate: ratio(t.guestRepeatOrders, t.guestOrders),
    memberOrders: t.memberOrders,
    guestOrders: t.guestOrders,
    referral: { clicks: t.referralClicks, friends: t.referralFriends, orders: t.referralOrders, completed: t.referralsCompleted, revenueMinor: t.referralRevenueMinor },
    campaignReturn: campaignCost > 0 ? t.campaignRevenueMinor / campaignCost : null,
    campaignPoints: t.campaignPoints,
    campaignRevenueMinor: t.campaignRevenueMinor,
  };
}

export interface Forecast {
  /** average daily change of the outstanding balance over the trend window (points/day) */
  dailyNet: number;
  /** days the trend was read from */
  trendDays: number;
  points: Array<{ inDays: number; points: number; liabilityMinor: number | null }>;
}

/**
 * The outstanding balance in 30, 90 and 365 days if the recent trend holds: the average daily net
 * change over the last `trendDays` days of the series (issued − reversed − redeemed − expired +
 * adjusted, so expiry is in the trend at the rate it has been happening), projected linearly and
 * never below zero. Deliberately simple; docs/decisions/0018 says what it leaves out.
 */
export function forecast(series: Array<{ outstandingPoints: number }>, valuePerPoint: number | null, trendDays = 30, horizons = [30, 90, 365]): Forecast {
  const window = series.slice(-(trendDays + 1));
  const n = window.length - 1;
  const dailyNet = n > 0 ? (window[n].outstandingPoints - window[0].outstandingPoints) / n : 0;
  const now = series.length ? series[series.length - 1].outstandingPoints : 0;
  return {
    dailyNet,
    trendDays: Math.max(0, n),
    points: horizons.map((h) => {
      const points = Math.max(0, Math.round(now + dailyNet * h));
      return { inDays: h, points, liabilityMinor: valuePerPoint === null ? null : Math.round(points * valuePerPoint) };
    }),
  };
}

/** Days grouped for charts over long ranges: by day up to 92 days, by ISO week start (Monday) beyond. */
export function bucketSeries(rows: DayRollup[]): Array<{ key: string; figures: DayFigures }> {
  if (rows.length <= 92) return rows.map((r) => ({ key: r.day, figures: r }));
  const out: Array<{ key: string; figures: DayFigures }> = [];
  for (const r of rows) {
    const weekday = (new Date(`${r.day}T00:00:00Z`).getUTCDay() + 6) % 7;
    const key = addDays(r.day, -weekday);
    const last = out[out.length - 1];
    if (last && last.key === key) {
      for (const f of ROLLUP_FIELDS) last.figures[f] = STOCKS.has(f) ? r[f] : last.figures[f] + r[f];
    } else {
      out.push({ key, figures: { ...emptyFigures(), ...pickFigures(r) } });
    }
  }
  return out;
}

function pickFigures(r: DayRollup): DayFigures {
  const f = emptyFigures();
  for (const k of ROLLUP_FIELDS) f[k] = r[k];
  return f;
}
