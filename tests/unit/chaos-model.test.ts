// The chaos run's model (scripts/chaos/model.ts) is the yardstick the whole app is measured
// against, so it gets table tests of its own: a wrong model would pass a wrong app.
import { describe, expect, test } from "vitest";
import { diffBalances, expectedBalances, orderNet, type ModelOrder, type ModelRules } from "../../scripts/chaos/model";

const rules: ModelRules = { signupPoints: 100, pointsPerUnit: 1, minorPerUnit: 100, advocatePoints: 50 };
const order = (over: Partial<ModelOrder>): ModelOrder => ({ customerId: 1, quantity: 3, netMinor: 3597, paid: true, cancelled: false, refundedQuantity: 0, ...over });

describe("orderNet", () => {
  test.each([
    ["paid, nothing refunded: whole units, rounded down", order({}), 35],
    ["never paid", order({ paid: false }), 0],
    ["cancelled after payment", order({ cancelled: true }), 0],
    ["cancelled after a partial refund", order({ cancelled: true, refundedQuantity: 1 }), 0],
    ["one of three units refunded: floor(35 × 1/3) taken back", order({ refundedQuantity: 1 }), 35 - 11],
    ["two of three units refunded", order({ refundedQuantity: 2 }), 35 - 23],
    ["every unit refunded: everything taken back", order({ refundedQuantity: 3 }), 0],
    ["refunds beyond the quantity count as all", order({ refundedQuantity: 5 }), 0],
    ["under one unit of currency earns nothing", order({ netMinor: 99, quantity: 1 }), 0],
  ])("%s", (_name, o, expected) => {
    expect(orderNet(o, rules)).toBe(expected);
  });

  test("points per unit multiply before rounding", () => {
    expect(orderNet(order({ netMinor: 1050, quantity: 1 }), { ...rules, pointsPerUnit: 3 })).toBe(31);
  });
});

describe("expectedBalances", () => {
  test("signup, orders, redemption codes and advocate rewards add up per customer", () => {
    const balances = expectedBalances({
      customers: [1, 2, 3],
      orders: [
        order({ customerId: 1, netMinor: 2000, quantity: 2 }),
        order({ customerId: 2, netMinor: 5000, quantity: 2, advocateId: 1, refundedQuantity: 2 }),
        order({ customerId: 3, netMinor: 5000, quantity: 1, advocateId: 1, paid: false }),
      ],
      redemptionCodes: [{ customerId: 1, points: 100 }],
      rules,
    });
    // 1: 100 signup + 20 earned − 100 code + 50 for friend 2's paid order (a later refund keeps it)
    expect(balances.get(1)).toBe(70);
    // 2: signup; the order's 50 points earned and taken back by the full refund
    expect(balances.get(2)).toBe(100);
    // 3: signup only (an unpaid friend order earns nobody anything)
    expect(balances.get(3)).toBe(100);
  });

  test("a code for someone the run never created still counts against them", () => {
    const balances = expectedBalances({ customers: [], orders: [], redemptionCodes: [{ customerId: 9, points: 250 }], rules });
    expect(balances.get(9)).toBe(-250);
  });
});

describe("diffBalances", () => {
  test("lists every disagreement, a missing side counting as zero", () => {
    const expected = new Map([[1, 10], [2, 20], [3, 0]]);
    const actual = new Map([[1, 10], [2, 21], [4, 5]]);
    expect(diffBalances(expected, actual)).toEqual([
      { customerId: 2, expected: 20, actual: 21 },
      { customerId: 4, expected: 0, actual: 5 },
    ]);
  });
});
