// Tier qualification, retention, grace and downgrade, manual and paid holds, and the preview of an
// edit — as plain inputs and outputs.
import { describe, expect, it } from "vitest";
import { parseProgram, defaultProgram, ProgramConfigError, type TierConfig, type TierLevel } from "~/domain/program";
import { decideTier, nextTierCheck, NO_TIER, previewTiers, qualifiedRank, tierMultiplier, tierValue, type LedgerFact, type TierInput, type TierState } from "~/domain/tiers";
import { localizeFieldErrors } from "~/lib/i18n";

const english = (errors: object): Record<string, string> => localizeFieldErrors("en", errors as Record<string, string>);

const TZ = "Europe/Berlin";
const at = (s: string) => Date.parse(s);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function level(id: string, threshold: number, over: Partial<TierLevel> = {}): TierLevel {
  return { id, threshold, name: { en: id, de: id }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] }, ...over };
}
const levels = [level("silver", 500), level("gold", 2000, { multiplier: 1.5 })];

function config(over: Partial<TierConfig> = {}): TierConfig {
  return { enabled: true, basis: "points_earned", window: "calendar_year", levels, retention: { keepNextPeriod: true, graceDays: 30 }, membershipProduct: null, ...over };
}

function decide(over: Partial<TierInput> & { now: number }) {
  return decideTier({ config: config(), timeZone: TZ, state: NO_TIER, value: 0, ...over });
}

/** Runs decisions on the same member through time, feeding each state to the next. */
function timeline(cfg: TierConfig, steps: Array<{ now: string; value: number; previousValue?: number; revoked?: TierInput["revoked"]; hold?: TierState["hold"] }>) {
  let state: TierState = NO_TIER;
  return steps.map((s) => {
    if (s.hold !== undefined) state = { ...state, hold: s.hold };
    const d = decideTier({ config: cfg, timeZone: TZ, now: at(s.now), state, value: s.value, previousValue: s.previousValue, revoked: s.revoked });
    state = d.state;
    return { tier: d.state.tierId, change: d.change?.reason ?? null, grace: iso(d.state.graceUntil), until: iso(d.state.until), graceStarted: d.graceStarted };
  });
}

describe("qualification", () => {
  it.each([
    [0, -1],
    [499, -1],
    [500, 0],
    [1999, 0],
    [2000, 1],
    [1e9, 1],
  ])("value %i reaches rank %i", (value, rank) => {
    expect(qualifiedRank(levels, value)).toBe(rank);
  });

  const e = (id: number, points: number, when: string, over: Partial<LedgerFact> = {}): LedgerFact => ({ id, bucket: "available", points, kind: "earn", sourceType: "order", reversesId: null, at: at(when), ...over });
  const year2026 = { from: at("2025-12-31T23:00:00Z"), to: at("2026-12-31T23:00:00Z") };

  it("points earned count on the day of the earn; a clawback lowers the period of the earn it reverses", () => {
    const entries = [
      e(1, 300, "2025-12-31T22:30:00Z"), // 23:30 on Dec 31 in Berlin: last year
      e(2, 400, "2025-12-31T23:30:00Z"), // 00:30 on Jan 1: this year
      e(3, -100, "2026-01-05T10:00:00Z", { kind: "reverse", reversesId: 1 }), // refund of last year's order
      e(4, -150, "2026-02-01T10:00:00Z", { kind: "reverse", reversesId: 2 }),
      e(5, 50, "2026-03-01T10:00:00Z", { sourceType: "tier" }), // a tier's entry reward doesn't lift a tier
      e(6, 80, "2026-03-02T10:00:00Z", { bucket: "pending" }), // pending points are earned points
      e(7, -30, "2026-03-03T10:00:00Z", { kind: "redeem" }), // spending doesn't lower what was earned
    ];
    expect(tierValue("points_earned", year2026, entries, [])).toBe(400 - 150 + 80);
    expect(tierValue("points_earned", { from: at("2024-12-31T23:00:00Z"), to: year2026.from }, entries, [])).toBe(200);
  });

  it("money spent is the orders' merchandise less the refunded share; orders count unless fully reversed", () => {
    const awards = [
      { at: at("2026-02-01T10:00:00Z"), baseMinor: 10_000, points: 100, reversedPoints: 0 },
      { at: at("2026-03-01T10:00:00Z"), baseMinor: 5_000, points: 50, reversedPoints: 25 },
      { at: at("2026-04-01T10:00:00Z"), baseMinor: 7_000, points: 70, reversedPoints: 70 },
      { at: at("2025-04-01T10:00:00Z"), baseMinor: 9_000, points: 90, reversedPoints: 0 },
    ];
    expect(tierValue("amount_spent", year2026, [], awards)).toBe(12_500);
    expect(tierValue("orders", year2026, [], awards)).toBe(2);
    expect(tierValue("orders", { from: -Infinity, to: Infinity }, [], awards)).toBe(3);
  });
});

describe("decideTier", () => {
  it("promotes at once and keeps the tier through the next calendar year", () => {
    const d = decide({ now: at("2026-05-01T10:00:00Z"), value: 2500 });
    expect(d.change).toEqual({ from: null, to: "gold", reason: "qualified", direction: "up" });
    expect(iso(d.state.until)).toBe("2027-12-31T23:00:00.000Z");
    // the same decision again changes nothing
    const again = decide({ now: at("2026-05-01T10:00:00Z"), value: 2500, state: d.state });
    expect(again.change).toBeNull();
    expect(again.state).toEqual(d.state);
  });

  it("calendar year: retained next year, grace from the first instant of the year after, then down to what last year reached", () => {
    const steps = timeline(config(), [
      { now: "2026-05-01T10:00:00Z", value: 2500 }, // gold
      { now: "2027-06-01T10:00:00Z", value: 100, previousValue: 2500 }, // retained
      { now: "2027-12-31T22:59:00Z", value: 600, previousValue: 2500 }, // 23:59 Dec 31 Berlin: still retained
      { now: "2027-12-31T23:00:00Z", value: 0, previousValue: 600 }, // Jan 1 2028: protection over, grace
      { now: "2028-01-30T22:59:00Z", value: 0, previousValue: 600 }, // last minute of grace
      { now: "2028-01-30T23:00:00Z", value: 0, previousValue: 600 }, // Jan 31 00:00 Berlin: down to silver (reached in 2027)
    ]);
    expect(steps.map((s) => [s.tier, s.change])).toEqual([
      ["gold", "qualified"],
      ["gold", null],
      ["gold", null],
      ["gold", null],
      ["gold", null],
      ["silver", "not_requalified"],
    ]);
    expect(steps[3]).toMatchObject({ graceStarted: true, grace: "2028-01-30T23:00:00.000Z" });
    expect(steps[4].graceStarted).toBe(false);
    // silver was reached in 2027, so it is kept through 2028
    expect(steps[5].until).toBe("2028-12-31T23:00:00.000Z");
  });

  it("re-qualifying during grace ends the grace and renews retention", () => {
    const steps = timeline(config(), [
      { now: "2026-05-01T10:00:00Z", value: 2500 },
      { now: "2028-01-05T10:00:00Z", value: 0, previousValue: 0 },
      { now: "2028-01-20T10:00:00Z", value: 2100, previousValue: 0 },
      { now: "2028-03-01T10:00:00Z", value: 2100, previousValue: 0 },
    ]);
    expect(steps[1]).toMatchObject({ tier: "gold", grace: "2028-01-30T23:00:00.000Z" });
    expect(steps[2]).toMatchObject({ tier: "gold", change: null, grace: null, until: "2029-12-31T23:00:00.000Z" });
    expect(steps[3]).toMatchObject({ tier: "gold", change: null });
  });

  it("without retention and grace, a rolling window moves the member down the day they fall below", () => {
    const cfg = config({ window: "rolling_12_months", retention: { keepNextPeriod: false, graceDays: 0 } });
    const steps = timeline(cfg, [
      { now: "2026-05-01T10:00:00Z", value: 600 },
      { now: "2027-04-30T10:00:00Z", value: 600 },
      { now: "2027-05-01T10:00:00Z", value: 100 },
    ]);
    expect(steps.map((s) => [s.tier, s.change])).toEqual([
      ["silver", "qualified"],
      ["silver", null],
      [null, "not_requalified"],
    ]);
  });

  it("rolling window with retention: kept 12 months after the last time the member qualified (DST between)", () => {
    const cfg = config({ window: "rolling_12_months", retention: { keepNextPeriod: true, graceDays: 0 } });
    const steps = timeline(cfg, [
      { now: "2026-01-15T11:00:00Z", value: 600 }, // 12:00 CET
      { now: "2026-03-01T11:00:00Z", value: 600 }, // still qualifies: retention now runs to 1 March 2027
      { now: "2027-02-28T11:00:00Z", value: 0 },
      { now: "2027-03-01T11:00:00Z", value: 0 },
    ]);
    expect(steps[1].until).toBe("2027-03-01T11:00:00.000Z");
    expect(steps.map((s) => s.tier)).toEqual(["silver", "silver", "silver", null]);
  });

  it("a manual assignment lifts the member until its end date, then grace, then down with its reason", () => {
    const hold = { tierId: "gold", until: at("2026-06-30T22:00:00Z"), source: "manual" as const };
    const steps = timeline(config(), [
      { now: "2026-03-01T10:00:00Z", value: 600, hold },
      { now: "2026-07-01T10:00:00Z", value: 600 },
      { now: "2026-07-30T22:00:00Z", value: 600 },
    ]);
    expect(steps.map((s) => [s.tier, s.change])).toEqual([
      ["gold", "manual"],
      ["gold", null],
      ["silver", "manual_ended"],
    ]);
    expect(steps[1].grace).toBe("2026-07-30T22:00:00.000Z");
  });

  it("a hold that ended before the member reached the tier on their own doesn't cut their grace short", () => {
    const cfg = config({ window: "rolling_12_months", retention: { keepNextPeriod: false, graceDays: 7 } });
    const oldHold = { tierId: "gold", until: at("2026-06-01T00:00:00Z"), source: "manual" as const };
    const steps = timeline(cfg, [
      { now: "2026-03-01T10:00:00Z", value: 0, hold: oldHold }, // gold by hold
      { now: "2026-06-09T10:00:00Z", value: 0 }, // hold ended 1 June, grace 7 days: down
      { now: "2027-01-10T10:00:00Z", value: 2500, hold: oldHold }, // (a stale hold left in the state) gold on their own
      { now: "2027-05-01T10:00:00Z", value: 100, hold: oldHold }, // no longer: grace from today, not from the old hold
      { now: "2027-05-09T10:00:00Z", value: 100, hold: oldHold },
    ]);
    expect(steps.map((s) => [s.tier, s.change])).toEqual([
      ["gold", "manual"],
      [null, "manual_ended"],
      ["gold", "qualified"],
      ["gold", null],
      [null, "not_requalified"],
    ]);
    expect(steps[3].grace).toBe("2027-05-07T22:00:00.000Z");
  });

  it("a refunded membership moves the member down at once, without grace; a member who qualifies anyway keeps the tier", () => {
    const hold = { tierId: "gold", until: at("2027-03-01T00:00:00Z"), source: "membership" as const };
    const steps = timeline(config(), [
      { now: "2026-03-01T10:00:00Z", value: 0, hold },
      { now: "2026-03-10T10:00:00Z", value: 0, hold: null, revoked: "membership_refunded" },
    ]);
    expect(steps.map((s) => [s.tier, s.change])).toEqual([
      ["gold", "membership"],
      [null, "membership_refunded"],
    ]);
    const kept = timeline(config(), [
      { now: "2026-03-01T10:00:00Z", value: 2500, hold },
      { now: "2026-03-10T10:00:00Z", value: 2500, hold: null, revoked: "membership_refunded" },
    ]);
    expect(kept.map((s) => [s.tier, s.change])).toEqual([
      ["gold", "qualified"],
      ["gold", null],
    ]);
  });

  it("a member whose tier was removed from the program is placed again at once", () => {
    const d = decide({ now: at("2026-03-01T10:00:00Z"), value: 700, state: { ...NO_TIER, tierId: "platinum", since: 0 } });
    expect(d.change).toEqual({ from: "platinum", to: "silver", reason: "tier_removed", direction: "down" });
  });

  it("the earn multiplier comes from the member's tier, and only while tiers are on", () => {
    expect(tierMultiplier(config(), "gold")).toBe(1.5);
    expect(tierMultiplier(config(), null)).toBe(1);
    expect(tierMultiplier(config({ enabled: false }), "gold")).toBe(1);
  });
});

describe("previewTiers", () => {
  it("counts who moves up, down, and who is only kept by retention", () => {
    const now = at("2026-06-01T10:00:00Z");
    const goldState: TierState = { tierId: "gold", since: 0, until: null, graceUntil: null, hold: null };
    const retained: TierState = { ...goldState, until: at("2027-12-31T23:00:00Z") };
    const silverState: TierState = { tierId: "silver", since: 0, until: null, graceUntil: null, hold: null };
    const members = [
      { state: NO_TIER, value: 300 }, // reaches silver at 300 under the new tiers: up
      { state: silverState, value: 600 }, // unchanged
      { state: goldState, value: 2100 }, // gold needs 3000 now, no retention state: grace (kept for now)
      { state: retained, value: 2100 }, // kept by retention
      { state: NO_TIER, value: 100 }, // unchanged (nothing)
    ];
    const next = config({ levels: [level("silver", 300), level("gold", 3000)], retention: { keepNextPeriod: true, graceDays: 0 } });
    const p = previewTiers(config(), next, members, now, TZ);
    expect(p).toEqual({ up: 1, down: 1, unchanged: 3, protected: 1, byTier: { silver: 3, gold: 1, "": 1 } });
  });
});

describe("program tiers and expiry settings", () => {
  it("a program stored before tiers existed reads as tiers off and points that never expire", () => {
    const { tiers: _t, expiry: _e, ...old } = defaultProgram();
    const p = parseProgram(JSON.parse(JSON.stringify(old)));
    expect(p.tiers.enabled).toBe(false);
    expect(p.expiry).toEqual({ mode: "never", months: 12, tierMonths: {}, reminderDays: [30, 3] });
  });

  it("reports tier mistakes per field", () => {
    const p = defaultProgram() as unknown as Record<string, unknown>;
    p.tiers = {
      enabled: true,
      basis: "points_earned",
      window: "calendar_year",
      levels: [
        { id: "gold", threshold: 1000, name: { en: "Gold", de: "Gold" }, multiplier: 1.23456 },
        { id: "gold", threshold: 500, name: { en: "Gold", de: "" } },
      ],
      retention: { keepNextPeriod: true, graceDays: 400 },
      membershipProduct: { productId: "gid://shopify/Product/1", tierId: "vip", months: 12 },
    };
    p.expiry = { mode: "lots", months: 0, tierMonths: { platinum: 24 }, reminderDays: [3, 3] };
    try {
      parseProgram(p);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProgramConfigError);
      expect(english((error as ProgramConfigError).fieldErrors)).toEqual({
        "tiers.levels.0.multiplier": "Use at most 4 decimal places",
        "tiers.levels.1.name.de": "Must not be empty",
        "tiers.levels.1.id": 'Another tier already uses the id "gold"',
        "tiers.levels.1.threshold": "Must be higher than the tier before it",
        "tiers.retention.graceDays": "Must be at most 365",
        "tiers.membershipProduct.tierId": 'No tier has the id "vip"',
        "expiry.months": "Must be at least 1",
        "expiry.reminderDays": "Lists a day twice",
        "expiry.tierMonths.platinum": 'No tier has the id "platinum"',
      });
    }
  });
});

describe("nextTierCheck", () => {
  const now = at("2026-06-01T10:00:00Z");
  const earn = (id: number, when: string, over: Partial<LedgerFact> = {}): LedgerFact => ({ id, bucket: "available", points: 100, kind: "earn", sourceType: "order", reversesId: null, at: at(when), ...over });

  it("the earliest of retention, grace and hold ends still ahead; a calendar year turns at the shop's New Year", () => {
    const state: TierState = { tierId: "gold", since: 0, until: at("2027-12-31T23:00:00Z"), graceUntil: null, hold: { tierId: "gold", until: at("2026-09-01T00:00:00Z"), source: "manual" } };
    expect(iso(nextTierCheck(config(), state, now, TZ, [], []))).toBe("2026-09-01T00:00:00.000Z");
    expect(iso(nextTierCheck(config(), NO_TIER, now, TZ, [], []))).toBe("2026-12-31T23:00:00.000Z");
    expect(nextTierCheck(config({ window: "lifetime" }), NO_TIER, now, TZ, [], [])).toBeNull();
  });

  it("a rolling window: just after the oldest counted earn leaves it (entry rewards don't count)", () => {
    const entries = [earn(1, "2025-05-01T10:00:00Z"), earn(2, "2025-07-10T10:00:00Z", { sourceType: "tier" }), earn(3, "2025-08-15T10:00:00Z")];
    expect(iso(nextTierCheck(config({ window: "rolling_12_months" }), NO_TIER, now, TZ, entries, []))).toBe("2026-08-15T10:00:00.001Z");
  });
});
