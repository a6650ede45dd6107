// VIP tiers: what a member has done in the tier window (points earned, money spent, orders), which
// tier that reaches, and — with retention, grace, manual assignments and paid memberships — which
// tier the member holds now and why. Pure: storage feeds it the member's entries and state.
// Windows and retention follow the shop's calendar (app/domain/periods.ts). docs/decisions/0009.
import { addDays, addLocalMonths, localDate, localYear, startOfLocalDay } from "./periods";
import type { TierConfig, TierLevel } from "./program";

// ---------------------------------------------------------------------------------------------
// Windows

export interface Range {
  /** inclusive, ms; -Infinity for lifetime */
  from: number;
  /** exclusive, ms */
  to: number;
}

/** The window the member's activity is counted over at `now`, and for a calendar year the one before. */
export function tierWindows(window: TierConfig["window"], now: number, timeZone: string): { current: Range; previous: Range | null } {
  // the nightly run asks for the same windows for every member: the last answer is kept (callers only read it)
  const last = lastWindows;
  if (last && last.window === window && last.now === now && last.timeZone === timeZone) return last.result;
  const result = computeWindows(window, now, timeZone);
  lastWindows = { window, now, timeZone, result };
  return result;
}

let lastWindows: { window: TierConfig["window"]; now: number; timeZone: string; result: { current: Range; previous: Range | null } } | null = null;

function computeWindows(window: TierConfig["window"], now: number, timeZone: string): { current: Range; previous: Range | null } {
  switch (window) {
    case "lifetime":
      return { current: { from: -Infinity, to: Infinity }, previous: null };
    case "calendar_year": {
      const year = localYear(now, timeZone);
      const start = startOfLocalDay(`${String(year).padStart(4, "0")}-01-01`, timeZone);
      const next = startOfLocalDay(`${String(year + 1).padStart(4, "0")}-01-01`, timeZone);
      const prev = startOfLocalDay(`${String(year - 1).padStart(4, "0")}-01-01`, timeZone);
      return { current: { from: start, to: next }, previous: { from: prev, to: start } };
    }
    case "rolling_12_months":
      return { current: { from: addLocalMonths(now, -12, timeZone), to: Infinity }, previous: null };
  }
}

// ---------------------------------------------------------------------------------------------
// What a member did

/** A ledger entry as far as tiers and expiry care. `at` is ms. */
export interface LedgerFact {
  id: number;
  bucket: "available" | "pending";
  points: number;
  kind: string;
  sourceType: string | null;
  reversesId: number | null;
  at: number;
}

/** An order's award: the merchandise it counted and how much of it was reversed. */
export interface AwardFact {
  at: number;
  baseMinor: number;
  points: number;
  reversedPoints: number;
}

/** Sources whose points don't count towards a tier (a tier's own entry reward must not lift a member further). */
const NOT_QUALIFYING = new Set(["tier"]);

/**
 * The member's tier value in a range:
 *   points_earned — earned points, less clawbacks of them (a clawback counts on the day of the
 *                   earn it reverses, so a January refund of a December order lowers December);
 *   amount_spent  — the orders' merchandise, less the refunded share (by the award's reversed points);
 *   orders        — orders not fully reversed (cancelled or refunded in full).
 */
export function tierValue(basis: TierConfig["basis"], range: Range, entries: readonly LedgerFact[], awards: readonly AwardFact[]): number {
  const inRange = (t: number) => t >= range.from && t < range.to;
  if (basis === "points_earned") {
    const earnAt = new Map<number, number>();
    let total = 0;
    for (const e of entries) {
      if (e.kind === "earn" && !NOT_QUALIFYING.has(e.sourceType ?? "")) {
        earnAt.set(e.id, e.at);
        if (inRange(e.at)) total += e.points;
      } else if (e.kind === "reverse" && e.points < 0 && e.reversesId !== null) {
        const at = earnAt.get(e.reversesId);
        if (at !== undefined && inRange(at)) total += e.points;
      }
    }
    return Math.max(0, total);
  }
  let total = 0;
  for (const a of awards) {
    if (!inRange(a.at) || a.points <= 0) continue;
    const kept = Math.max(0, a.points - a.reversedPoints);
    if (basis === "orders") total += kept > 0 ? 1 : 0;
    else total += Math.floor((a.baseMinor * kept) / a.points);
  }
  return total;
}

/** The index of the highest tier a value reaches, or -1. */
export function qualifiedRank(levels: readonly TierLevel[], value: number): number {
  let rank = -1;
  levels.forEach((l, i) => {
    if (value >= l.threshold) rank = i;
  });
  return rank;
}

// ---------------------------------------------------------------------------------------------
// Holding a tier

export type HoldSource = "manual" | "membership";

export interface TierState {
  tierId: string | null;
  /** when the member entered the tier */
  since: number | null;
  /** the member's own qualification keeps the tier until then (retention); null: only while qualifying */
  until: number | null;
  /** set while the member is in grace: the tier ends then unless re-qualified */
  graceUntil: number | null;
  /** a tier given by the merchant or bought, until an end date */
  hold: { tierId: string; until: number; source: HoldSource } | null;
}

export const NO_TIER: TierState = { tierId: null, since: null, until: null, graceUntil: null, hold: null };

export type TierChangeReason =
  | "qualified"
  | "manual"
  | "membership"
  | "not_requalified"
  | "manual_ended"
  | "membership_ended"
  | "membership_refunded"
  | "manual_removed"
  | "tier_removed";

export interface TierChange {
  from: string | null;
  to: string | null;
  reason: TierChangeReason;
  direction: "up" | "down";
}

export interface TierDecision {
  state: TierState;
  change: TierChange | null;
  /** the member entered grace in this decision (a notice tells them when the tier ends) */
  graceStarted: boolean;
}

export interface TierInput {
  config: Pick<TierConfig, "levels" | "window" | "retention">;
  timeZone: string;
  now: number;
  state: TierState;
  /** the tier value in the current window */
  value: number;
  /** calendar year: the value in the previous year (retention keeps a tier reached then) */
  previousValue?: number;
  /** a hold was just taken away (refund of a membership, the merchant removing it): no grace */
  revoked?: "membership_refunded" | "manual_removed";
}

/** When retention lets a tier reached at `now` end: the end of the next calendar year, 12 months
 *  on for a rolling window; null when the tier lasts only while the member qualifies. */
export function retentionEnd(config: Pick<TierConfig, "window" | "retention">, now: number, timeZone: string): number | null {
  const keep = config.retention.keepNextPeriod;
  switch (config.window) {
    case "lifetime":
      return null;
    case "calendar_year": {
      const year = localYear(now, timeZone) + (keep ? 2 : 1);
      return startOfLocalDay(`${String(year).padStart(4, "0")}-01-01`, timeZone);
    }
    case "rolling_12_months":
      return keep ? addLocalMonths(now, 12, timeZone) : null;
  }
}

const later = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * Which tier the member holds at `now`, and the change (with its reason) if it moved:
 *  - the tier reached by the value in the window (or, for a calendar year with retention, reached
 *    last year) or held by an active manual/paid assignment, whichever is higher, is entered at once;
 *  - a higher tier the member no longer reaches is kept while its retention or hold lasts, then
 *    for `graceDays` more (grace starts when the protection ended), then the member moves down —
 *    unless the hold was revoked (refund), which moves the member down at once.
 * Deterministic in its inputs: running it again at the same `now` changes nothing.
 */
export function decideTier(input: TierInput): TierDecision {
  const { config, timeZone, now } = input;
  const levels = config.levels;
  const rankOf = (id: string | null) => (id === null ? -1 : levels.findIndex((l) => l.id === id));
  const idOf = (rank: number) => (rank >= 0 ? levels[rank].id : null);
  const state = input.state;

  const hold = state.hold && now < state.hold.until && rankOf(state.hold.tierId) >= 0 ? state.hold : null;
  const holdRank = hold ? rankOf(hold.tierId) : -1;
  const qualified = qualifiedRank(levels, input.value);
  const lastYear =
    config.window === "calendar_year" && config.retention.keepNextPeriod && input.previousValue !== undefined ? qualifiedRank(levels, input.previousValue) : -1;
  const earned = Math.max(qualified, lastYear);
  const target = Math.max(earned, holdRank);
  const current = rankOf(state.tierId);

  // protection the member's own activity gives the tier it reaches
  const ownUntil = (rank: number): number | null => {
    if (rank < 0) return null;
    let until: number | null = null;
    if (qualified >= rank) until = retentionEnd(config, now, timeZone);
    if (lastYear >= rank) {
      const year = localYear(now, timeZone) + 1;
      until = later(until, startOfLocalDay(`${String(year).padStart(4, "0")}-01-01`, timeZone));
    }
    return until;
  };

  const move = (rank: number, reason: TierChangeReason): TierDecision => {
    const to = idOf(rank);
    // a member whose tier was deleted lost it, whatever they are placed in now
    const direction = reason !== "tier_removed" && rank > current ? "up" : "down";
    return {
      state: { tierId: to, since: now, until: earned >= rank && rank >= 0 ? ownUntil(rank) : null, graceUntil: null, hold: hold },
      change: { from: state.tierId, to, reason, direction },
      graceStarted: false,
    };
  };

  if (state.tierId !== null && current < 0) return move(target, "tier_removed");

  if (target > current) {
    const reason: TierChangeReason = holdRank === target && holdRank > earned ? hold!.source : "qualified";
    return move(target, reason);
  }

  if (target === current) {
    const until = earned >= current && current >= 0 ? later(state.until, ownUntil(current)) : state.until;
    return { state: { ...state, until, graceUntil: null }, change: null, graceStarted: false };
  }

  // target < current: the member no longer reaches the tier they hold
  if (state.until !== null && now < state.until) return { state: { ...state, graceUntil: null }, change: null, graceStarted: false };
  if (input.revoked) return move(target, input.revoked);
  // a hold protected the tier only if it covered it: at least as high, and still running when the member entered it
  const covering = state.hold !== null && rankOf(state.hold.tierId) >= current && (state.since === null || state.hold.until > state.since);
  const heldUntil = covering ? state.hold!.until : null;
  const protectionEnd = later(state.until, heldUntil);
  const graceDays = config.retention.graceDays;
  const graceUntil = state.graceUntil ?? (graceDays > 0 ? startOfLocalDay(addDays(localDate(protectionEnd ?? now, timeZone), graceDays), timeZone) : null);
  if (graceUntil !== null && now < graceUntil) {
    return { state: { ...state, graceUntil }, change: null, graceStarted: state.graceUntil === null };
  }
  const endedHold = covering && state.hold!.until <= now && (state.until === null || state.hold!.until >= state.until);
  const reason: TierChangeReason = endedHold ? (state.hold!.source === "membership" ? "membership_ended" : "manual_ended") : "not_requalified";
  return move(target, reason);
}

// ---------------------------------------------------------------------------------------------
// Perks and preview

/** The tier's level config, or undefined for no tier (or a tier no longer configured). */
export function levelOf(config: Pick<TierConfig, "levels">, tierId: string | null): TierLevel | undefined {
  return tierId === null ? undefined : config.levels.find((l) => l.id === tierId);
}

/** The earn multiplier a member's tier gives (1 when tiers are off or the member has none). */
export function tierMultiplier(config: Pick<TierConfig, "enabled" | "levels">, tierId: string | null): number {
  if (!config.enabled) return 1;
  return levelOf(config, tierId)?.multiplier ?? 1;
}

export interface PreviewMember {
  state: TierState;
  value: number;
  previousValue?: number;
}

export interface TierPreview {
  up: number;
  down: number;
  unchanged: number;
  /** would move down under the new tiers, but retention or grace keeps them for now */
  protected: number;
  /** members per tier id after the edit ("" = no tier) */
  byTier: Record<string, number>;
}

/**
 * What saving a tier configuration would do to members now: each member's decision under the new
 * tiers, compared by position (a higher index is a higher tier). Points are never part of it.
 */
export function previewTiers(oldConfig: Pick<TierConfig, "levels">, newConfig: Pick<TierConfig, "levels" | "window" | "retention">, members: Iterable<PreviewMember>, now: number, timeZone: string): TierPreview {
  const out: TierPreview = { up: 0, down: 0, unchanged: 0, protected: 0, byTier: {} };
  for (const m of members) {
    const before = m.state.tierId === null ? -1 : oldConfig.levels.findIndex((l) => l.id === m.state.tierId);
    // a member whose tier id still exists keeps its state; one whose tier is gone is re-placed
    const d = decideTier({ config: newConfig, timeZone, now, state: m.state, value: m.value, previousValue: m.previousValue });
    const afterId = d.state.tierId;
    const after = afterId === null ? -1 : newConfig.levels.findIndex((l) => l.id === afterId);
    const reached = Math.max(qualifiedRank(newConfig.levels, m.value), -1);
    if (after > before) out.up++;
    else if (after < before) out.down++;
    else {
      out.unchanged++;
      if (reached < after) out.protected++;
    }
    out.byTier[afterId ?? ""] = (out.byTier[afterId ?? ""] ?? 0) + 1;
  }
  return out;
}


/**
 * The next instant a member's tier could change without anything new happening to them: a
 * retention, grace or hold ends, the calendar year turns, or (rolling window) the oldest counted
 * activity leaves the window. Null when only new activity can change it.
 */
export function nextTierCheck(config: Pick<TierConfig, "window" | "basis">, state: TierState, now: number, timeZone: string, entries: readonly LedgerFact[], awards: readonly AwardFact[]): number | null {
  const times: number[] = [];
  for (const t of [state.until, state.graceUntil, state.hold?.until ?? null]) if (t !== null && t > now) times.push(t);
  if (config.window === "calendar_year") times.push(tierWindows("calendar_year", now, timeZone).current.to);
  if (config.window === "rolling_12_months") {
    const from = tierWindows("rolling_12_months", now, timeZone).current.from;
    let oldest = Infinity;
    if (config.basis === "points_earned") {
      for (const e of entries) if (e.kind === "earn" && !NOT_QUALIFYING.has(e.sourceType ?? "") && e.at >= from && e.at < oldest) oldest = e.at;
    } else {
      for (const a of awards) if (a.at >= from && a.at < oldest) oldest = a.at;
    }
    if (Number.isFinite(oldest)) times.push(addLocalMonths(oldest, 12, timeZone) + 1);
  }
  return times.length ? Math.min(...times) : null;
}
