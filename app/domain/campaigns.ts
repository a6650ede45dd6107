// Campaigns: when one runs (a window in the shop's timezone), for whom (conditions), and what it
// adds to an order (its effect). Wall-clock time comes from Intl.DateTimeFormat, no dependencies.
import { fromDecimal, mul, ONE, ratio, sub, type Ratio } from "./exact";
import type { OrderFacts } from "./order-facts";
import type { Campaign, CampaignConditions, CampaignEffect, CampaignWindow } from "./program";

/** A caller did not supply something the configured rules need (e.g. product collections). */
export class EarnContextError extends Error {}

// ---------------------------------------------------------------------------------------------
// Local time

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday: Monday = 1 … Sunday = 7 */
  weekday: number;
  /** "YYYY-MM-DD" */
  date: string;
  /** "HH:MM" */
  time: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** ISO weekday of a calendar date (Monday = 1). */
export function isoWeekday(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** The wall-clock date and time of an instant in an IANA timezone. Throws RangeError for an unknown zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  if (Number.isNaN(instant.getTime())) throw new RangeError("invalid date");
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const { year, month, day, minute, second } = parts;
  const hour = parts.hour === 24 ? 0 : parts.hour;
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    weekday: isoWeekday(year, month, day),
    date: `${pad(year, 4)}-${pad(month)}-${pad(day)}`,
    time: `${pad(hour)}:${pad(minute)}`,
  };
}

function previousDay(date: string): { date: string; weekday: number } {
  const [y, m, d] = date.split("-").map(Number);
  const prev = new Date(Date.UTC(y, m - 1, d - 1));
  const py = prev.getUTCFullYear();
  const pm = prev.getUTCMonth() + 1;
  const pd = prev.getUTCDate();
  return { date: `${pad(py, 4)}-${pad(pm)}-${pad(pd)}`, weekday: isoWeekday(py, pm, pd) };
}

/**
 * Whether an instant falls in a campaign window, read on the shop's wall clock. Dates are
 * inclusive; a time range includes its start and excludes its end. A range that wraps midnight
 * (22:00–02:00) belongs to the day it starts: Friday 22:00–02:00 matches Saturday 01:30, and an
 * end date of the 31st still covers the small hours of the 1st.
 */
export function windowMatches(window: CampaignWindow, instant: Date, timeZone: string): boolean {
  const local = localParts(instant, timeZone);
  let day = local.date;
  let weekday = local.weekday;
  const { startTime, endTime } = window;
  if (startTime !== undefined && endTime !== undefined) {
    const t = local.time;
    if (startTime < endTime) {
      if (t < startTime || t >= endTime) return false;
    } else if (t < endTime) {
      ({ date: day, weekday } = previousDay(day));
    } else if (t < startTime) {
      return false;
    }
  }
  if (window.weekdays && !window.weekdays.includes(weekday)) return false;
  if (window.startDate !== undefined && day < window.startDate) return false;
  if (window.endDate !== undefined && day > window.endDate) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Conditions

/** What the shop knows about the customer before this order. */
export interface CustomerStats {
  /** spent on earlier orders, minor units of the shop currency */
  totalSpentMinor: number;
  /** earlier orders; this order is number orderCount + 1 */
  orderCount: number;
  /** tags from the shop's customer record (merged with the order payload's tags) */
  tags: string[];
}

const normTag = (t: string) => t.trim().toLowerCase();

/** Every condition that is set must hold. */
export function conditionsMatch(
  conditions: CampaignConditions,
  facts: Pick<OrderFacts, "countryCode" | "customerTags">,
  customer: CustomerStats,
): boolean {
  if (conditions.customerTagsAny) {
    const have = new Set([...facts.customerTags, ...customer.tags].map(normTag));
    if (!conditions.customerTagsAny.some((t) => have.has(normTag(t)))) return false;
  }
  if (conditions.countries) {
    if (!facts.countryCode || !conditions.countries.includes(facts.countryCode.toUpperCase())) return false;
  }
  if (conditions.minTotalSpentMinor !== undefined && customer.totalSpentMinor < conditions.minTotalSpentMinor) return false;
  const orderNumber = customer.orderCount + 1;
  if (conditions.minOrderCount !== undefined && orderNumber < conditions.minOrderCount) return false;
  if (conditions.maxOrderCount !== undefined && orderNumber > conditions.maxOrderCount) return false;
  return true;
}

export function campaignRuns(
  campaign: Campaign,
  facts: Pick<OrderFacts, "countryCode" | "customerTags">,
  ctx: { at: Date; timeZone: string; customer: CustomerStats },
): boolean {
  return campaign.enabled && windowMatches(campaign.window, ctx.at, ctx.timeZone) && conditionsMatch(campaign.conditions, facts, ctx.customer);
}

// ---------------------------------------------------------------------------------------------
// Effects

/** An order line that earns points (after exclusions). */
export interface EarningLine {
  lineId: string;
  productGid: string | null;
  netMinor: number;
}

export interface EffectInput {
  /** the order's rounded base points */
  basePoints: number;
  /** Σ netMinor of the earning lines */
  baseMinor: number;
  lines: EarningLine[];
  /** the shop currency's minor-unit exponent (2 for EUR) */
  exponent: number;
  collectionsByProduct?: Record<string, string[]>;
}

/**
 * What one campaign does to an order, exactly (not yet rounded): a bonus on top of the base
 * points, the lines it concerns, and for multiplicative effects the factor (so that "multiply"
 * stacking can compound it).
 */
export interface EffectResult {
  bonus: Ratio;
  lineIds: string[];
  /** set for multiplier effects (whole order or matching products) */
  factor?: Ratio;
}

export function productMatches(
  productGid: string | null,
  productIds: readonly string[],
  collectionIds: readonly string[],
  collectionsByProduct: Record<string, string[]> | undefined,
  purpose: string,
): boolean {
  if (!productGid) return false;
  if (productIds.includes(productGid)) return true;
  if (collectionIds.length === 0) return false;
  if (!collectionsByProduct) throw new EarnContextError(`collectionsByProduct is required: ${purpose} names collections`);
  return (collectionsByProduct[productGid] ?? []).some((c) => collectionIds.includes(c));
}

/** The effect of a campaign on an order, or null when it does not apply (no matching products, basket too small). */
export function campaignEffect(effect: CampaignEffect, input: EffectInput, campaignId = "campaign"): EffectResult | null {
  const all = input.lines.map((l) => l.lineId);
  const B = ratio(input.basePoints);
  switch (effect.type) {
    case "multiplier": {
      const f = fromDecimal(effect.factor);
      return { bonus: mul(B, sub(f, ONE)), lineIds: all, factor: f };
    }
    case "fixed":
      return { bonus: ratio(effect.points), lineIds: all };
    case "bigBasket":
      return input.baseMinor >= effect.minSubtotalMinor ? { bonus: ratio(effect.points), lineIds: all } : null;
    case "productBonus": {
      const matching = input.lines.filter((l) =>
        productMatches(l.productGid, effect.productIds, effect.collectionIds, input.collectionsByProduct, `campaign ${campaignId}`),
      );
      const scopeMinor = matching.reduce((s, l) => s + l.netMinor, 0);
      if (matching.length === 0 || scopeMinor === 0 || input.baseMinor === 0) return null;
      const lineIds = matching.map((l) => l.lineId);
      if (effect.multiplier !== undefined) {
        const m = fromDecimal(effect.multiplier);
        // the matching lines' share of the base points, multiplied
        const share = ratio(BigInt(input.basePoints) * BigInt(scopeMinor), BigInt(input.baseMinor));
        return { bonus: mul(share, sub(m, ONE)), lineIds, factor: m };
      }
      const perUnit = effect.pointsPerUnit ?? 0;
      return { bonus: ratio(BigInt(scopeMinor) * BigInt(perUnit), 10n ** BigInt(input.exponent)), lineIds };
    }
  }
}
