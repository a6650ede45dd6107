import { describe, expect, it } from "vitest";
import {
  bucketSeries,
  campaignPointsOf,
  dayList,
  emptyFigures,
  fillDays,
  forecast,
  kpis,
  ledgerFigures,
  parseRange,
  redemptionValueMinor,
  sinceUpdate,
  totals,
  valuePerPointMinor,
  type DayRollup,
} from "~/domain/analytics";
import { parseReward } from "~/domain/rewards";

const texts = { en: { title: "x" }, de: { title: "x" } };
const day = (d: string, over: Partial<DayRollup> = {}): DayRollup => ({ day: d, ...emptyFigures(), ...over });

describe("a day's ledger figures", () => {
  it.each([
    ["earn is issued", [{ kind: "earn", reason: "purchase", points: 300 }], { issued: 300, net: 300 }],
    ["migrate in is issued, out is an adjustment", [{ kind: "migrate", reason: "import", points: 50 }, { kind: "migrate", reason: "import", points: -5 }], { issued: 50, adjusted: -5, net: 45 }],
    ["a refund's clawback is reversed", [{ kind: "reverse", reason: "refund", points: -40 }], { reversed: 40, net: -40 }],
    ["redeemed is net of codes that gave points back", [{ kind: "redeem", reason: "reward", points: -500 }, { kind: "reverse", reason: "reward expired unused", points: 100 }, { kind: "reverse", reason: "reward not issued", points: 100 }], { redeemed: 300, net: -300 }],
    ["expiry", [{ kind: "expire", reason: "expiry", points: -70 }], { expired: 70, net: -70 }],
    ["adjustments are signed", [{ kind: "adjust", reason: "manual", points: 25 }, { kind: "adjust", reason: "manual", points: -10 }], { adjusted: 15, net: 15 }],
    ["a release from pending nets to 0 and counts nowhere", [{ kind: "release", reason: "release", points: -80 }, { kind: "release", reason: "release", points: 80 }], { net: 0 }],
  ] as const)("%s", (_name, groups, want) => {
    const got = ledgerFigures([...groups]);
    const zero = { issued: 0, reversed: 0, redeemed: 0, expired: 0, adjusted: 0, net: 0 };
    expect(got).toEqual({ ...zero, ...want });
    // the net always equals the parts
    expect(got.issued - got.reversed - got.redeemed - got.expired + got.adjusted).toBe(got.net);
  });
});

describe("campaign points from an award's detail", () => {
  it.each([
    ['{"campaigns":[{"id":"a","points":20},{"id":"b","points":5}]}', 25],
    ['{"campaigns":[]}', 0],
    ['{"lines":[]}', 0],
    ['{"campaigns":[{"id":"a","points":"x"}]}', 0],
    ["not json", 0],
    [null, 0],
  ])("%s → %i", (detail, want) => expect(campaignPointsOf(detail)).toBe(want));
});

describe("value per point", () => {
  const r = (x: Record<string, unknown>) => parseReward({ texts, ...x });
  it("is the best money rate among enabled rewards", () => {
    const rewards = [
      { reward: r({ type: "amount", amountMinor: 500, pointsCost: 500 }), enabled: true }, // 1 cent
      { reward: r({ type: "store_credit", amountMinor: 300, pointsCost: 200 }), enabled: true }, // 1.5 cents
      { reward: r({ type: "amount", amountMinor: 1000, pointsCost: 100 }), enabled: false }, // disabled: 10 cents
      { reward: r({ type: "percentage", percent: 10, pointsCost: 50 }), enabled: true }, // no money value
    ];
    expect(valuePerPointMinor(rewards, "EUR")).toBe(1.5);
  });
  it("points for money: one currency unit per pointsCost points (by the currency's exponent)", () => {
    expect(valuePerPointMinor([{ reward: r({ type: "points_for_money", pointsCost: 100, minUnits: 1, maxUnits: 50 }), enabled: true }], "EUR")).toBe(1);
    expect(valuePerPointMinor([{ reward: r({ type: "points_for_money", pointsCost: 100, minUnits: 1, maxUnits: 50 }), enabled: true }], "JPY")).toBe(0.01);
  });
  it("is null when no reward has a money value", () => {
    expect(valuePerPointMinor([{ reward: r({ type: "free_shipping", pointsCost: 100 }), enabled: true }], "EUR")).toBeNull();
    expect(valuePerPointMinor([], "EUR")).toBeNull();
  });
  it("a redemption's value follows its reward and the points it took", () => {
    expect(redemptionValueMinor(r({ type: "amount", amountMinor: 500, pointsCost: 500 }), 500, "EUR")).toBe(500);
    expect(redemptionValueMinor(r({ type: "points_for_money", pointsCost: 100, minUnits: 1, maxUnits: 50 }), 700, "EUR")).toBe(700);
    expect(redemptionValueMinor(r({ type: "percentage", percent: 10, pointsCost: 50 }), 50, "EUR")).toBe(0);
    expect(redemptionValueMinor(undefined, 50, "EUR")).toBe(0);
  });
});

describe("date ranges", () => {
  const today = "2026-11-26";
  it.each([
    [{}, { from: "2026-10-28", to: today, preset: "30", days: 30 }],
    [{ range: "90" }, { from: "2026-08-29", to: today, preset: "90", days: 90 }],
    [{ range: "365" }, { from: "2025-11-27", to: today, preset: "365", days: 365 }],
    [{ range: "custom", from: "2026-02-01", to: "2026-02-28" }, { from: "2026-02-01", to: "2026-02-28", preset: "custom", days: 28 }],
    [{ range: "custom", from: today, to: today }, { from: today, to: today, preset: "custom", days: 1 }],
  ])("%j", (params, want) => expect(parseRange(params, today)).toEqual({ ok: true, range: want }));

  it.each([
    [{ range: "7" }, { range: "unknown range" }],
    [{ range: "custom" }, { from: "invalid", to: "invalid" }],
    [{ range: "custom", from: "2026-02-30", to: "2026-03-01" }, { from: "invalid" }],
    [{ range: "custom", from: "2026-03-01", to: "2026-02-01" }, { to: "beforeFrom" }],
    [{ range: "custom", from: "2026-03-01", to: "2026-12-01" }, { to: "future" }],
    [{ range: "custom", from: "2020-01-01", to: "2026-01-01" }, { to: "tooLong" }],
  ])("%j is refused with field errors, falling back to 30 days", (params, errors) => {
    const r = parseRange(params, today);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual(errors);
      expect(r.range.days).toBe(30);
    }
  });

  it("dayList crosses months and leap days", () => {
    expect(dayList("2028-02-27", "2028-03-01")).toEqual(["2028-02-27", "2028-02-28", "2028-02-29", "2028-03-01"]);
  });
});

describe("totals, KPIs and the forecast", () => {
  const rows = [
    day("2026-03-01", { newMembers: 2, totalMembers: 10, pointsIssued: 1000, pointsRedeemed: 200, outstandingPoints: 5000, memberOrders: 4, memberRepeatOrders: 1, guestOrders: 2, campaignPoints: 100, campaignRevenueMinor: 3000 }),
    day("2026-03-03", { newMembers: 1, totalMembers: 11, pointsIssued: 500, pointsRedeemed: 300, pointsExpired: 50, outstandingPoints: 5150, memberOrders: 6, memberRepeatOrders: 4, guestOrders: 3, guestRepeatOrders: 1 }),
  ];
  it("fills missing days: no flows, the previous stocks", () => {
    const filled = fillDays(dayList("2026-02-28", "2026-03-03"), rows, { totalMembers: 8, outstandingPoints: 4000 });
    expect(filled.map((r) => [r.day, r.totalMembers, r.outstandingPoints, r.pointsIssued])).toEqual([
      ["2026-02-28", 8, 4000, 0],
      ["2026-03-01", 10, 5000, 1000],
      ["2026-03-02", 10, 5000, 0],
      ["2026-03-03", 11, 5150, 500],
    ]);
  });
  it("flows add up, stocks are the last day's", () => {
    const t = totals(fillDays(dayList("2026-03-01", "2026-03-03"), rows));
    expect(t).toMatchObject({ newMembers: 3, totalMembers: 11, pointsIssued: 1500, pointsRedeemed: 500, pointsExpired: 50, outstandingPoints: 5150, memberOrders: 10, memberRepeatOrders: 5 });
  });
  it("KPIs: rates, liability in money, campaign return", () => {
    const k = kpis(totals(rows), 1.5);
    expect(k.redemptionRate).toBeCloseTo(500 / 1500);
    expect(k.memberRepeatRate).toBe(0.5);
    expect(k.guestRepeatRate).toBeCloseTo(1 / 5);
    expect(k.liabilityMinor).toBe(7725);
    expect(k.campaignReturn).toBe(3000 / 150);
    const none = kpis(emptyFigures(), null);
    expect([none.redemptionRate, none.memberRepeatRate, none.guestRepeatRate, none.liabilityMinor, none.campaignReturn]).toEqual([null, null, null, null, null]);
  });
  it("the forecast projects the last 30 days' net change, never below 0", () => {
    const series = Array.from({ length: 41 }, (_, i) => ({ outstandingPoints: 10_000 + (i >= 10 ? (i - 10) * 100 : 0) }));
    const f = forecast(series, 2);
    expect(f.trendDays).toBe(30);
    expect(f.dailyNet).toBe(100);
    expect(f.points).toEqual([
      { inDays: 30, points: 16_000, liabilityMinor: 32_000 },
      { inDays: 90, points: 22_000, liabilityMinor: 44_000 },
      { inDays: 365, points: 49_500, liabilityMinor: 99_000 },
    ]);
    const falling = forecast([{ outstandingPoints: 1000 }, { outstandingPoints: 900 }], null);
    expect(falling.points.map((p) => [p.points, p.liabilityMinor])).toEqual([[0, null], [0, null], [0, null]]);
    expect(forecast([], 1).points[0].points).toBe(0);
  });
  it("long ranges are charted by week (Monday), stocks from the week's last day", () => {
    const days = fillDays(dayList("2026-01-01", "2026-04-30"), [day("2026-01-05", { pointsIssued: 5, outstandingPoints: 5 }), day("2026-01-07", { pointsIssued: 7, outstandingPoints: 12 })]);
    const weeks = bucketSeries(days);
    expect(weeks[0].key).toBe("2025-12-29");
    expect(weeks[1]).toMatchObject({ key: "2026-01-05", figures: { pointsIssued: 12, outstandingPoints: 12 } });
    expect(bucketSeries(days.slice(0, 30))).toHaveLength(30);
  });
});

describe("how long ago the figures were updated", () => {
  const t = Date.parse("2026-06-15T14:00:00Z");
  it("now under a minute, then whole minutes, whole hours, and the date beyond a day", () => {
    expect(sinceUpdate(t, t)).toEqual({ unit: "now" });
    expect(sinceUpdate(t, t + 59_999)).toEqual({ unit: "now" });
    expect(sinceUpdate(t, t + 60_000)).toEqual({ unit: "minutes", n: 1 });
    expect(sinceUpdate(t, t + 4 * 60_000 + 59_000)).toEqual({ unit: "minutes", n: 4 });
    expect(sinceUpdate(t, t + 3_600_000)).toEqual({ unit: "hours", n: 1 });
    expect(sinceUpdate(t, t + 86_399_999)).toEqual({ unit: "hours", n: 23 });
    expect(sinceUpdate(t, t + 86_400_000)).toEqual({ unit: "date" });
  });
  it("a time after now (clocks apart) reads as now", () => {
    expect(sinceUpdate(t + 5_000, t)).toEqual({ unit: "now" });
  });
});
