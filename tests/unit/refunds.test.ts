import { describe, expect, it } from "vitest";
import { toMinorUnits } from "~/domain/money";
import { addRefund, clawbackTarget, refundFacts, RefundPayloadError, type AwardLine, type RefundedSoFar } from "~/domain/refunds";

const lines: AwardLine[] = [
  { lineId: "a", quantity: 3, netMinor: 3000, points: 30 },
  { lineId: "b", quantity: 1, netMinor: 1001, points: 10 },
];
const none: RefundedSoFar = { quantities: {}, orderLevelMinor: 0, cancelled: false };

describe("clawbackTarget", () => {
  it.each<[string, RefundedSoFar, number]>([
    ["nothing refunded", none, 0],
    ["one of three units of a", { ...none, quantities: { a: 1 } }, 10],
    ["two of three units of a", { ...none, quantities: { a: 2 } }, 20],
    ["line b", { ...none, quantities: { b: 1 } }, 10],
    ["everything: exactly the award", { ...none, quantities: { a: 3, b: 1 } }, 40],
    ["more than was bought is treated as all", { ...none, quantities: { a: 9, b: 5 } }, 40],
    ["an amount without lines, at the award's rate", { ...none, orderLevelMinor: 2000 }, 19],
    ["cancelled", { ...none, cancelled: true }, 40],
  ])("%s", (_, refunded, expected) => {
    expect(clawbackTarget(40, 4001, lines, refunded)).toBe(expected);
  });

  it("rounds down per line, so a shopper is never charged above the rate of the day", () => {
    const odd: AwardLine[] = [{ lineId: "x", quantity: 3, netMinor: 1000, points: 10 }];
    expect(clawbackTarget(10, 1000, odd, { ...none, quantities: { x: 1 } })).toBe(3);
    expect(clawbackTarget(10, 1000, odd, { ...none, quantities: { x: 2 } })).toBe(6);
    expect(clawbackTarget(10, 1000, odd, { ...none, quantities: { x: 3 } })).toBe(10);
  });

  it("gives the same total whatever order the refunds come in", () => {
    const refunds = [
      { lines: [{ lineId: "a", quantity: 1 }], orderLevelMinor: 0 },
      { lines: [{ lineId: "b", quantity: 1 }], orderLevelMinor: 0 },
      { lines: [{ lineId: "a", quantity: 1 }], orderLevelMinor: 0 },
    ];
    const forward = refunds.reduce(addRefund, none);
    const backward = [...refunds].reverse().reduce(addRefund, none);
    expect(clawbackTarget(40, 4001, lines, forward)).toBe(clawbackTarget(40, 4001, lines, backward));
    expect(clawbackTarget(40, 4001, lines, forward)).toBe(30);
  });
});

describe("refundFacts", () => {
  const toMinor = (a: string) => toMinorUnits(a, "EUR");
  it("reads Shopify's refunds/create payload; shipping refunds don't count", () => {
    const facts = refundFacts(
      {
        id: 509562969,
        order_id: "820982911946154508",
        refund_line_items: [{ line_item_id: "866550311766439020", quantity: 1 }, { line_item_id: 2, quantity: 0 }],
        order_adjustments: [
          { kind: "shipping_refund", amount: "-10.00" },
          { kind: "refund_discrepancy", amount: "-5.50", amount_set: { shop_money: { amount: "-5.50" } } },
        ],
      },
      toMinor,
    );
    expect(facts).toEqual({
      refundGid: "gid://shopify/Refund/509562969",
      orderGid: "gid://shopify/Order/820982911946154508",
      lines: [{ lineId: "866550311766439020", quantity: 1 }],
      orderLevelMinor: 550,
    });
  });
  it("refuses a payload without ids", () => {
    expect(() => refundFacts({ order_id: 1 }, toMinor)).toThrow(RefundPayloadError);
    expect(() => refundFacts({ id: 1 }, toMinor)).toThrow(RefundPayloadError);
  });
});
