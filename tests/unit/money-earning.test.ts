import { describe, expect, it } from "vitest";
import { formatMinor, MoneyFormatError, toMinorUnits } from "~/domain/money";
import { merchandiseBase, orderGid, customerGid, pointsForOrder, OrderPayloadError, type OrderPayload } from "~/domain/earning";

describe("toMinorUnits", () => {
  it.each([
    ["12.5", "EUR", 1250],
    ["12.50", "EUR", 1250],
    ["0.01", "USD", 1],
    ["398.00", "EUR", 39800],
    ["1000", "JPY", 1000],
    ["1000.4", "JPY", 1000],
    ["1.234", "KWD", 1234],
    ["1.2", "KWD", 1200],
    ["-3.10", "EUR", -310],
    ["19.999", "EUR", 1999],
  ] as const)("%s %s → %i", (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it.each(["", "abc", "1,50", "1.2.3", "NaN", "1e5"])("rejects %j", (bad) => {
    expect(() => toMinorUnits(bad, "EUR")).toThrow(MoneyFormatError);
  });

  it("formats minor units back", () => {
    expect(formatMinor(1250, "EUR")).toBe("12.50");
    expect(formatMinor(-5, "EUR")).toBe("-0.05");
    expect(formatMinor(1000, "JPY")).toBe("1000");
    expect(formatMinor(1234, "KWD")).toBe("1.234");
  });
});

const money = (amount: string, currency = "EUR") => ({ shop_money: { amount, currency_code: currency } });

function order(p: Partial<OrderPayload> & { subtotal?: string; currency?: string }): OrderPayload {
  return {
    id: 1,
    admin_graphql_api_id: "gid://shopify/Order/1",
    subtotal_price_set: money(p.subtotal ?? "100.00", p.currency ?? "EUR"),
    customer: { id: 7, admin_graphql_api_id: "gid://shopify/Customer/7" },
    ...p,
  };
}

describe("pointsForOrder (purchase earning)", () => {
  it.each([
    ["100.00", 1, 100],
    ["99.99", 1, 99],
    ["0.99", 1, 0],
    ["100.00", 3, 300],
    ["10.50", 2, 21],
    ["0.00", 5, 0],
  ] as const)("subtotal %s at %i pt/€ → %i points", (subtotal, rate, points) => {
    expect(pointsForOrder(order({ subtotal }), { pointsPerCurrencyUnit: rate }).points).toBe(points);
  });

  it("uses shop money, not the presentment currency", () => {
    const o = order({ subtotal: "50.00", currency: "EUR" });
    o.subtotal_price_set = { shop_money: { amount: "50.00", currency_code: "EUR" }, presentment_money: { amount: "54.10", currency_code: "USD" } } as never;
    expect(pointsForOrder(o, { pointsPerCurrencyUnit: 1 })).toMatchObject({ points: 50, currency: "EUR" });
  });

  it("takes line-item taxes out when prices include tax (German shops)", () => {
    const o = order({
      subtotal: "119.00",
      taxes_included: true,
      line_items: [{ tax_lines: [{ price_set: money("19.00") }] }],
    });
    expect(merchandiseBase(o)).toEqual({ minor: 10000, currency: "EUR" });
    expect(pointsForOrder(o, { pointsPerCurrencyUnit: 1 }).points).toBe(100);
  });

  it("ignores line taxes when prices exclude tax", () => {
    const o = order({ subtotal: "100.00", taxes_included: false, line_items: [{ tax_lines: [{ price_set: money("19.00") }] }] });
    expect(pointsForOrder(o, { pointsPerCurrencyUnit: 1 }).points).toBe(100);
  });

  it("works in zero- and three-decimal currencies", () => {
    expect(pointsForOrder(order({ subtotal: "1500", currency: "JPY" }), { pointsPerCurrencyUnit: 1 }).points).toBe(1500);
    expect(pointsForOrder(order({ subtotal: "12.345", currency: "KWD" }), { pointsPerCurrencyUnit: 1 }).points).toBe(12);
  });

  it("explains the calculation", () => {
    expect(pointsForOrder(order({ subtotal: "10.00" }), { pointsPerCurrencyUnit: 1 }).explanation).toBe("10 pts: 1 pt per 1 EUR on 10.00 EUR");
  });

  it("rejects negative or fractional rates and orders without a subtotal", () => {
    expect(() => pointsForOrder(order({}), { pointsPerCurrencyUnit: -1 })).toThrow(RangeError);
    expect(() => pointsForOrder(order({}), { pointsPerCurrencyUnit: 1.5 })).toThrow(RangeError);
    expect(() => pointsForOrder({ id: 1 }, { pointsPerCurrencyUnit: 1 })).toThrow(OrderPayloadError);
  });

  it("derives GIDs from REST ids when needed", () => {
    expect(orderGid({ id: "820982911946154508" })).toBe("gid://shopify/Order/820982911946154508");
    expect(customerGid({ customer: { id: 5 } })).toBe("gid://shopify/Customer/5");
    expect(customerGid({ customer: null })).toBeNull();
  });
});
