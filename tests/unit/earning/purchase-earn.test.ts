import { describe, expect, it } from "vitest";
import { orderFacts } from "~/domain/order-facts";
import type { Campaign, Program } from "~/domain/program";
import { calculatePurchaseEarn, EarnContextError, pendingPlan } from "~/domain/purchase-earn";
import { campaign, ctx, fixtureOrder, line, order, program } from "./builders";

const sumOf = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

describe("base points and rounding", () => {
  it.each<[number, number, string, Program["purchase"]["rounding"], number]>([
    [1, 1000, "EUR", "down", 10],
    [1, 1050, "EUR", "down", 10],
    [1, 1050, "EUR", "nearest", 11],
    [1, 1050, "EUR", "up", 11],
    [1, 1049, "EUR", "down", 10],
    [1, 1049, "EUR", "nearest", 10],
    [1, 1049, "EUR", "up", 11],
    [1, 1000, "EUR", "up", 10],
    [3, 999, "EUR", "down", 29],
    [3, 999, "EUR", "nearest", 30],
    [3, 999, "EUR", "up", 30],
    [2, 1, "EUR", "down", 0],
    [2, 1, "EUR", "nearest", 0],
    [2, 1, "EUR", "up", 1],
    [1, 1500, "JPY", "down", 1500],
    [1, 12345, "KWD", "down", 12],
    [1, 12345, "KWD", "nearest", 12],
    [1, 12345, "KWD", "up", 13],
    [0, 5000, "EUR", "up", 0],
    [10, 123456789, "EUR", "down", 12345678],
  ])("%i pt per unit on %i minor %s, rounding %s → %i", (rate, minor, currency, rounding, expected) => {
    const p = program((p) => Object.assign(p.purchase, { pointsPerUnit: rate, rounding }));
    const earn = calculatePurchaseEarn(order([line("1", minor)], { currency }), p, ctx());
    expect(earn).toMatchObject({ points: expected, basePoints: expected, baseMinor: minor, currency });
    expect(earn.skipped).toBeUndefined();
  });

  it("earns on the documented orders/paid sample: €398.00 of merchandise, shipping left out", () => {
    const earn = calculatePurchaseEarn(orderFacts(fixtureOrder(), { currency: "EUR" }), program(), ctx());
    expect(earn).toMatchObject({ points: 398, baseMinor: 39800, pointsByLine: { "866550311766439020": 199, "141249953214522974": 199 } });
  });
});

describe("minimum order", () => {
  const p = program((p) => (p.purchase.minimumOrderMinor = 2000));
  it.each<[string, ReturnType<typeof line>[], number, string | undefined]>([
    ["a cent below", [line("1", 1999)], 0, "below-minimum"],
    ["exactly the minimum", [line("1", 2000)], 20, undefined],
    ["excluded lines don't count towards it", [line("1", 1500), line("2", 1000, { giftCard: true })], 0, "below-minimum"],
    ["several eligible lines add up", [line("1", 1500), line("2", 500)], 20, undefined],
  ])("%s", (_what, lines, points, skipped) => {
    const earn = calculatePurchaseEarn(order(lines), p, ctx());
    expect(earn.points).toBe(points);
    expect(earn.skipped).toBe(skipped);
  });

  it("explains the shortfall", () => {
    expect(calculatePurchaseEarn(order([line("1", 1999)]), p, ctx()).lines).toEqual([{ kind: "skipped", reason: "below-minimum", baseMinor: 1999, minimumMinor: 2000 }]);
  });
});

describe("exclusions", () => {
  const P = (n: number) => `gid://shopify/Product/${n}`;
  const C = (n: number) => `gid://shopify/Collection/${n}`;
  const collectionsByProduct = { [P(2)]: [C(20)], [P(3)]: [C(30), C(31)] };
  const p = program((p) => {
    p.purchase.excludedProductIds = [P(1)];
    p.purchase.excludedCollectionIds = [C(31)];
  });

  it.each<[string, ReturnType<typeof line>[], { points: number; baseMinor: number; excluded: object[] }]>([
    ["a gift card", [line("9", 5000, { productGid: P(9), giftCard: true }), line("2", 1000)], { points: 10, baseMinor: 1000, excluded: [{ lineId: "9", reason: "gift-card", minor: 5000 }] }],
    ["an excluded product", [line("1", 3000, { productGid: P(1) }), line("2", 1000)], { points: 10, baseMinor: 1000, excluded: [{ lineId: "1", reason: "excluded-product", minor: 3000 }] }],
    [
      "a product in an excluded collection",
      [line("3", 2500, { productGid: P(3) }), line("2", 1000, { productGid: P(2) })],
      { points: 10, baseMinor: 1000, excluded: [{ lineId: "3", reason: "excluded-collection", minor: 2500 }] },
    ],
    ["a tip line", [line("t", 500, { productGid: null, tip: true }), line("2", 1000)], { points: 10, baseMinor: 1000, excluded: [{ lineId: "t", reason: "tip", minor: 500 }] }],
    ["a custom item without a product earns", [line("c", 700, { productGid: null }), line("2", 1000)], { points: 17, baseMinor: 1700, excluded: [] }],
    ["nothing excluded", [line("2", 1000, { productGid: P(2) })], { points: 10, baseMinor: 1000, excluded: [] }],
  ])("%s", (_what, lines, expected) => {
    const earn = calculatePurchaseEarn(order(lines), p, ctx({ collectionsByProduct }));
    expect(earn).toMatchObject(expected);
    expect(Object.keys(earn.pointsByLine).sort()).toEqual(lines.filter((l) => !expected.excluded.some((e) => (e as { lineId: string }).lineId === l.lineId)).map((l) => l.lineId).sort());
  });

  it("skips an order where nothing earns", () => {
    const earn = calculatePurchaseEarn(order([line("9", 5000, { giftCard: true })]), p, ctx({ collectionsByProduct }));
    expect(earn).toMatchObject({ points: 0, skipped: "nothing-eligible", baseMinor: 0, pointsByLine: {} });
    expect(earn.lines).toEqual([
      { kind: "excluded", reason: "gift-card", minor: 5000, lineIds: ["9"] },
      { kind: "skipped", reason: "nothing-eligible", baseMinor: 0, minimumMinor: 0 },
    ]);
  });

  it("needs the products' collections when collections are excluded", () => {
    expect(() => calculatePurchaseEarn(order([line("2", 1000)]), p, ctx())).toThrow(EarnContextError);
  });

  it("groups excluded amounts by reason in the explanation", () => {
    const earn = calculatePurchaseEarn(
      order([line("a", 500, { giftCard: true }), line("b", 700, { giftCard: true }), line("1", 300, { productGid: P(1) }), line("2", 1000)]),
      p,
      ctx({ collectionsByProduct }),
    );
    expect(earn.lines.filter((l) => l.kind === "excluded")).toEqual([
      { kind: "excluded", reason: "gift-card", minor: 1200, lineIds: ["a", "b"] },
      { kind: "excluded", reason: "excluded-product", minor: 300, lineIds: ["1"] },
    ]);
  });
});

describe("switches and guests", () => {
  it.each<[string, (p: Program) => void, Partial<ReturnType<typeof order>>, string | undefined, number]>([
    ["the program kill switch", (p) => (p.enabled = false), {}, "program-disabled", 0],
    ["purchase points switched off", (p) => (p.purchase.enabled = false), {}, "purchase-disabled", 0],
    ["a guest order without retroactive earning", () => {}, { customerGid: null }, "guest", 0],
    ["a guest order with retroactive earning (kept for when they sign up)", (p) => (p.guests.retroactive = true), { customerGid: null }, undefined, 50],
  ])("%s", (_what, change, over, skipped, points) => {
    const earn = calculatePurchaseEarn(order([line("1", 5000)], over), program(change), ctx());
    expect(earn.skipped).toBe(skipped);
    expect(earn.points).toBe(points);
  });
});

// Base for the campaign tests: €100.00 at 1 pt/€ = 100 points; line 1 (product 1, €60), line 2 (product 2, €40).
const lines = () => [line("1", 6000), line("2", 4000)];
const C = {
  x2: campaign({ id: "x2", effect: { type: "multiplier", factor: 2 } }),
  x3: campaign({ id: "x3", effect: { type: "multiplier", factor: 3 } }),
  x15: campaign({ id: "x15", effect: { type: "multiplier", factor: 1.5 } }),
  fixed50: campaign({ id: "fixed50", effect: { type: "fixed", points: 50 } }),
  prod3x: campaign({ id: "prod3x", effect: { type: "productBonus", productIds: ["gid://shopify/Product/1"], collectionIds: [], multiplier: 3 } }),
  ppu2: campaign({ id: "ppu2", effect: { type: "productBonus", productIds: ["gid://shopify/Product/2"], collectionIds: [], pointsPerUnit: 2 } }),
  big: campaign({ id: "big", effect: { type: "bigBasket", minSubtotalMinor: 5000, points: 25 } }),
} satisfies Record<string, Campaign>;

function earnWith(stacking: Program["stacking"], campaigns: Campaign[], over: Parameters<typeof ctx>[0] = {}) {
  const p = program((p) => {
    p.stacking = stacking;
    p.campaigns = campaigns;
  });
  return calculatePurchaseEarn(order(lines()), p, ctx(over));
}

describe("each campaign effect on its own", () => {
  it.each<[string, Campaign, number]>([
    ["×2", C.x2, 100],
    ["×1.5", C.x15, 50],
    ["+50 fixed", C.fixed50, 50],
    ["×3 on product 1 (€60 of €100)", C.prod3x, 120],
    ["+2 pts per € on product 2 (€40)", C.ppu2, 80],
    ["+25 for a basket from €50", C.big, 25],
  ])("%s", (_what, c, bonus) => {
    for (const stacking of ["highest", "add", "multiply"] as const) {
      const earn = earnWith(stacking, [c]);
      expect(earn.campaigns).toEqual([{ id: c.id, points: bonus }]);
      expect(earn.points).toBe(100 + bonus);
    }
  });

  it("a big basket below its threshold adds nothing", () => {
    const big = campaign({ id: "big", effect: { type: "bigBasket", minSubtotalMinor: 10001, points: 25 } });
    expect(earnWith("add", [big])).toMatchObject({ points: 100, campaigns: [] });
  });
});

describe("stacking", () => {
  it.each<[Program["stacking"], Campaign[], number, Array<{ id: string; points: number }>]>([
    // highest: the single largest bonus; a tie goes to the first campaign
    ["highest", [C.x2, C.fixed50], 200, [{ id: "x2", points: 100 }]],
    ["highest", [C.fixed50, C.x15], 150, [{ id: "fixed50", points: 50 }]],
    ["highest", [C.x2, C.x3, C.fixed50], 300, [{ id: "x3", points: 200 }]],
    ["highest", [C.ppu2, C.prod3x], 220, [{ id: "prod3x", points: 120 }]],
    ["highest", [C.x2, C.x15, C.fixed50], 200, [{ id: "x2", points: 100 }]],
    // add: every bonus adds, multipliers each on the base
    ["add", [C.x2, C.x3], 400, [{ id: "x2", points: 100 }, { id: "x3", points: 200 }]],
    ["add", [C.x2, C.fixed50, C.big], 275, [{ id: "x2", points: 100 }, { id: "fixed50", points: 50 }, { id: "big", points: 25 }]],
    ["add", [C.x2, C.prod3x], 320, [{ id: "x2", points: 100 }, { id: "prod3x", points: 120 }]],
    ["add", [C.x2, C.x15, C.fixed50], 300, [{ id: "x2", points: 100 }, { id: "x15", points: 50 }, { id: "fixed50", points: 50 }]],
    // multiply: multipliers compound in campaign order, fixed and per-unit bonuses add
    ["multiply", [C.x2, C.x3], 600, [{ id: "x2", points: 100 }, { id: "x3", points: 400 }]],
    ["multiply", [C.x3, C.x2], 600, [{ id: "x3", points: 200 }, { id: "x2", points: 300 }]],
    ["multiply", [C.x2, C.x15, C.fixed50], 350, [{ id: "x2", points: 100 }, { id: "x15", points: 100 }, { id: "fixed50", points: 50 }]],
    ["multiply", [C.x2, C.prod3x], 440, [{ id: "x2", points: 100 }, { id: "prod3x", points: 240 }]],
    ["multiply", [C.ppu2, C.x2], 280, [{ id: "ppu2", points: 80 }, { id: "x2", points: 100 }]],
    ["multiply", [C.x2, C.x3, C.big], 625, [{ id: "x2", points: 100 }, { id: "x3", points: 400 }, { id: "big", points: 25 }]],
  ])("%s of %j → %i", (stacking, campaigns, points, contributions) => {
    const earn = earnWith(stacking, campaigns);
    expect(earn.points).toBe(points);
    expect(earn.campaigns).toEqual(contributions);
    expect(earn.basePoints + contributions.reduce((s, c) => s + c.points, 0)).toBe(points);
    expect(sumOf(earn.pointsByLine)).toBe(points);
  });

  it("only campaigns that run count: switched off, outside the window, conditions not met", () => {
    const campaigns = [
      campaign({ id: "off", enabled: false, effect: { type: "fixed", points: 1000 } }),
      campaign({ id: "tuesday", window: { weekdays: [2] }, effect: { type: "fixed", points: 1000 } }),
      campaign({ id: "vip", conditions: { customerTagsAny: ["VIP"] }, effect: { type: "fixed", points: 1000 } }),
      campaign({ id: "monday", window: { weekdays: [1] }, effect: { type: "fixed", points: 10 } }),
    ];
    expect(earnWith("add", campaigns)).toMatchObject({ points: 110, campaigns: [{ id: "monday", points: 10 }] });
    const vip = { totalSpentMinor: 0, orderCount: 3, tags: ["vip"] };
    expect(earnWith("add", campaigns, { customer: vip })).toMatchObject({ points: 1110 });
  });

  it.each<[Program["purchase"]["rounding"], number]>([
    ["down", 16],
    ["nearest", 17],
    ["up", 17],
  ])("rounds a fractional bonus %s (11 points × 1.5)", (rounding, points) => {
    const p = program((p) => {
      p.purchase.rounding = rounding;
      p.campaigns = [C.x15];
    });
    expect(calculatePurchaseEarn(order([line("1", 1100)]), p, ctx()).points).toBe(points);
  });

  it("a reducing campaign (×0.5) never takes the total below 0", () => {
    const half = (id: string) => campaign({ id, effect: { type: "multiplier", factor: 0.5 } });
    expect(earnWith("add", [half("a")]).points).toBe(50);
    expect(earnWith("add", [half("a"), half("b"), half("c")])).toMatchObject({ points: 0, pointsByLine: { "1": 0, "2": 0 } });
  });
});

describe("campaign budgets", () => {
  it.each<[Program["stacking"], Campaign[], Record<string, number>, number, Array<{ id: string; points: number }>]>([
    ["add", [C.x2, C.fixed50], { x2: 30 }, 180, [{ id: "x2", points: 30 }, { id: "fixed50", points: 50 }]],
    ["add", [C.x2], { x2: 0 }, 100, [{ id: "x2", points: 0 }]],
    ["add", [C.x2], { x2: 500 }, 200, [{ id: "x2", points: 100 }]],
    ["highest", [C.x2, C.fixed50], { x2: 30 }, 150, [{ id: "fixed50", points: 50 }]],
    ["multiply", [C.x2, C.x3], { x3: 10 }, 210, [{ id: "x2", points: 100 }, { id: "x3", points: 10 }]],
  ])("%s of %j with budget left %j → %i", (stacking, campaigns, campaignBudgetLeft, points, contributions) => {
    const earn = earnWith(stacking, campaigns, { campaignBudgetLeft });
    expect(earn.points).toBe(points);
    expect(earn.campaigns).toEqual(contributions);
  });

  it("marks a trimmed contribution", () => {
    const earn = earnWith("add", [C.x2], { campaignBudgetLeft: { x2: 30 } });
    expect(earn.lines).toContainEqual({ kind: "campaign", id: "x2", effect: C.x2.effect, points: 30, budgetReached: true });
  });
});

describe("tier multiplier", () => {
  it.each<[number, Program["purchase"]["rounding"], number, number]>([
    [1.25, "down", 1500, 18], // 15 × 1.25 = 18.75
    [1.25, "nearest", 1500, 19],
    [1.1, "down", 1500, 16], // 16.5
    [1.1, "nearest", 1500, 17],
    [1.1, "up", 1500, 17],
    [2, "down", 1500, 30],
    [1, "down", 1500, 15],
  ])("×%s (%s) on %i minor → %i", (tierMultiplier, rounding, minor, points) => {
    const earn = calculatePurchaseEarn(order([line("1", minor)]), program((p) => (p.purchase.rounding = rounding)), ctx({ tierMultiplier }));
    expect(earn.points).toBe(points);
    expect(earn.tierPoints).toBe(points - 15);
  });

  it("applies to the final purchase points, after campaigns", () => {
    const earn = earnWith("add", [C.x2], { tierMultiplier: 1.25 });
    expect(earn).toMatchObject({ points: 250, basePoints: 100, tierPoints: 50, campaigns: [{ id: "x2", points: 100 }] });
    expect(earn.lines.at(-2)).toEqual({ kind: "tier", multiplier: 1.25, points: 50 });
    expect(sumOf(earn.pointsByLine)).toBe(250);
  });

  it.each([0, -1, Number.NaN, 1.23456])("refuses a tier multiplier of %s", (tierMultiplier) => {
    expect(() => calculatePurchaseEarn(order([line("1", 1000)]), program(), ctx({ tierMultiplier }))).toThrow(RangeError);
  });
});

describe("points by line", () => {
  it.each<[string, ReturnType<typeof line>[], Program["stacking"], Campaign[], Record<string, number>]>([
    ["equal thirds, the odd point to the largest remainder", [line("a", 3333), line("b", 3333), line("c", 3334)], "add", [], { a: 33, b: 33, c: 34 }],
    ["by amount", [line("1", 6000), line("2", 4000)], "add", [], { "1": 60, "2": 40 }],
    ["a product multiplier lands on its line", lines(), "multiply", [C.x2, C.prod3x], { "1": 360, "2": 80 }],
    ["a per-unit bonus lands on its line", lines(), "add", [C.ppu2], { "1": 60, "2": 120 }],
    ["a fixed bonus is spread by amount", lines(), "add", [C.fixed50], { "1": 90, "2": 60 }],
    ["a zero-amount line gets nothing", [line("1", 1000), line("free", 0)], "add", [C.fixed50], { "1": 60, free: 0 }],
  ])("%s", (_what, ls, stacking, campaigns, expected) => {
    const p = program((p) => {
      p.stacking = stacking;
      p.campaigns = campaigns;
    });
    const earn = calculatePurchaseEarn(order(ls), p, ctx());
    expect(earn.pointsByLine).toEqual(expected);
    expect(sumOf(earn.pointsByLine)).toBe(earn.points);
  });

  it("always sums exactly to the points, over many awkward orders", () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const roundings = ["down", "nearest", "up"] as const;
    const stackings = ["highest", "add", "multiply"] as const;
    for (let i = 0; i < 300; i++) {
      const ls = Array.from({ length: 1 + next(6) }, (_, j) => line(String(j + 1), next(50000)));
      const p = program((p) => {
        p.purchase.pointsPerUnit = 1 + next(5);
        p.purchase.rounding = roundings[next(3)];
        p.stacking = stackings[next(3)];
        p.campaigns = [C.x15, C.prod3x, C.ppu2, C.fixed50].filter(() => next(2) === 1);
      });
      const earn = calculatePurchaseEarn(order(ls), p, ctx({ tierMultiplier: [1, 1.1, 1.25, 1.3333][next(4)] }));
      expect(Number.isInteger(earn.points)).toBe(true);
      expect(sumOf(earn.pointsByLine)).toBe(earn.points);
      expect(Object.values(earn.pointsByLine).every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    }
  });
});

describe("pendingPlan", () => {
  const at = new Date("2026-03-30T10:00:00Z");
  it.each<[Program["purchase"]["pending"], ReturnType<typeof pendingPlan>]>([
    [{ mode: "none", days: 0 }, { bucket: "available" }],
    [{ mode: "fulfilment", days: 0 }, { bucket: "pending", until: "fulfilment" }],
    [{ mode: "days", days: 14 }, { bucket: "pending", releaseAt: new Date("2026-04-13T10:00:00Z") }],
  ])("%j → %j", (pending, expected) => {
    expect(pendingPlan(program((p) => (p.purchase.pending = pending)).purchase, at)).toEqual(expected);
  });
});
