import { describe, expect, it } from "vitest";
import { OrderPayloadError } from "~/domain/earning";
import { orderFacts } from "~/domain/order-facts";
import { fixtureOrder, shopMoney } from "./builders";

const EUR = { currency: "EUR" };

describe("orderFacts from Shopify's orders/paid sample", () => {
  const facts = orderFacts(fixtureOrder(), EUR);

  it("reads the order, customer and addresses", () => {
    expect(facts).toMatchObject({
      orderGid: "gid://shopify/Order/820982911946154508",
      currency: "EUR",
      taxesIncluded: false,
      subtotalMinor: 39800,
      shippingMinor: 1000,
      tipMinor: 0,
      customerGid: "gid://shopify/Customer/115310627314723954",
      countryCode: "US",
      customerTags: [],
      discountCodes: [],
      test: true,
      cancelled: false,
    });
    expect(facts.createdAt?.toISOString()).toBe("2026-01-15T15:24:07.000Z");
    expect(facts.processedAt?.toISOString()).toBe("2026-01-15T15:24:07.000Z");
  });

  it("reads each line in shop money, with exact 64-bit line ids", () => {
    expect(facts.lines).toEqual([
      {
        lineId: "866550311766439020",
        lineGid: "gid://shopify/LineItem/866550311766439020",
        productGid: "gid://shopify/Product/632910392",
        variantGid: "gid://shopify/ProductVariant/808950810",
        title: "IPod Nano - 8GB",
        quantity: 1,
        grossMinor: 19900,
        discountMinor: 0,
        includedTaxMinor: 0,
        netMinor: 19900,
        giftCard: false,
        tip: false,
      },
      expect.objectContaining({ lineId: "141249953214522974", netMinor: 19900 }),
    ]);
  });
});

type Payload = ReturnType<typeof fixtureOrder>;

/** The sample with changes; `line_items[0]` is the first line. */
function variant(change: (o: Payload) => void): Payload {
  const o = fixtureOrder();
  change(o);
  return o;
}

describe("orderFacts from variants", () => {
  it.each<[string, (o: Payload) => void, { line0?: object; order?: object }]>([
    [
      "taxes included: the line's taxes come out of its net",
      (o) => {
        o.taxes_included = true;
        Object.assign(o.line_items[0], { price: "119.00", price_set: shopMoney("119.00"), tax_lines: [{ price: "19.00", price_set: shopMoney("19.00"), rate: 0.19, title: "MwSt" }] });
      },
      { line0: { grossMinor: 11900, includedTaxMinor: 1900, netMinor: 10000 }, order: { taxesIncluded: true, subtotalMinor: 29900 } },
    ],
    [
      "taxes on top: line taxes are not part of the price and stay",
      (o) => Object.assign(o.line_items[0], { tax_lines: [{ price: "37.81", price_set: shopMoney("37.81") }] }),
      { line0: { includedTaxMinor: 0, netMinor: 19900 }, order: { subtotalMinor: 39800 } },
    ],
    [
      "quantity and line discounts (code and order discounts allocated to the line)",
      (o) =>
        Object.assign(o.line_items[0], {
          quantity: 3,
          discount_allocations: [
            { amount: "20.00", amount_set: shopMoney("20.00", "EUR", { amount: "21.60", currency: "USD" }), discount_application_index: 0 },
            { amount: "9.70", amount_set: shopMoney("9.70"), discount_application_index: 1 },
          ],
        }),
      { line0: { quantity: 3, grossMinor: 59700, discountMinor: 2970, netMinor: 56730 }, order: { subtotalMinor: 76630 } },
    ],
    [
      "a discount larger than the line leaves 0, not a negative amount",
      (o) => Object.assign(o.line_items[0], { discount_allocations: [{ amount: "250.00", amount_set: shopMoney("250.00") }] }),
      { line0: { netMinor: 0 }, order: { subtotalMinor: 19900 } },
    ],
    [
      "a gift card line is marked (and stays in the subtotal)",
      (o) => Object.assign(o.line_items[0], { gift_card: true, product_id: 999, price: "50.00", price_set: shopMoney("50.00") }),
      { line0: { giftCard: true, netMinor: 5000 }, order: { subtotalMinor: 24900 } },
    ],
    [
      "presentment currency differs: shop money is read, never presentment",
      (o) => {
        o.presentment_currency = "USD";
        Object.assign(o.line_items[0], {
          price: "199.00",
          price_set: shopMoney("199.00", "EUR", { amount: "215.00", currency: "USD" }),
          discount_allocations: [{ amount: "10.00", amount_set: shopMoney("10.00", "EUR", { amount: "10.80", currency: "USD" }) }],
        });
      },
      { line0: { netMinor: 18900 }, order: { currency: "EUR", subtotalMinor: 38800 } },
    ],
    [
      "a tip is recorded but never part of the subtotal",
      (o) => {
        o.total_tip_received = "5.00";
        o.line_items.push({ id: 3, title: "Tip", product_id: null, variant_id: null, quantity: 1, price: "5.00", price_set: shopMoney("5.00"), gift_card: false });
      },
      { order: { tipMinor: 500, subtotalMinor: 39800 } },
    ],
    [
      "shipping is never part of the subtotal",
      (o) => (o.total_shipping_price_set = shopMoney("25.00")),
      { order: { shippingMinor: 2500, subtotalMinor: 39800 } },
    ],
    [
      "string ids without GIDs (64-bit ids as the app parses them)",
      (o) => {
        o.id = "820982911946154509";
        delete o.admin_graphql_api_id;
        o.customer = { id: "115310627314723955", tags: "" };
        o.line_items[0] = { id: "866550311766439021", product_id: "9007199254740993", variant_id: "9007199254740995", quantity: 1, price_set: shopMoney("10.00") };
      },
      {
        line0: {
          lineId: "866550311766439021",
          lineGid: "gid://shopify/LineItem/866550311766439021",
          productGid: "gid://shopify/Product/9007199254740993",
          variantGid: "gid://shopify/ProductVariant/9007199254740995",
          netMinor: 1000,
          title: "",
        },
        order: { orderGid: "gid://shopify/Order/820982911946154509", customerGid: "gid://shopify/Customer/115310627314723955" },
      },
    ],
    [
      "number ids in the safe range",
      (o) => {
        delete o.admin_graphql_api_id;
        o.id = 1001;
        o.line_items[0] = { id: 42, product_id: 7, quantity: 2, price: "1.50" };
      },
      { line0: { lineId: "42", productGid: "gid://shopify/Product/7", variantGid: null, grossMinor: 300 }, order: { orderGid: "gid://shopify/Order/1001" } },
    ],
    [
      "a custom line item without a product",
      (o) => Object.assign(o.line_items[0], { product_id: null, variant_id: null, title: "Engraving" }),
      { line0: { productGid: null, variantGid: null, tip: false, netMinor: 19900 } },
    ],
    ["the billing country when there is no shipping address", (o) => (o.shipping_address = null), { order: { countryCode: "US" } }],
    [
      "the customer's default address country when the order has no addresses",
      (o) => {
        delete o.shipping_address;
        o.billing_address = null;
      },
      { order: { countryCode: "CA" } },
    ],
    [
      "no country at all",
      (o) => {
        delete o.shipping_address;
        delete o.billing_address;
        (o.customer as Record<string, unknown>).default_address = null;
      },
      { order: { countryCode: null } },
    ],
    [
      "a lower-case country code",
      (o) => ((o.shipping_address as Record<string, unknown>).country_code = "de"),
      { order: { countryCode: "DE" } },
    ],
    ["customer tags from the comma string", (o) => ((o.customer as Record<string, unknown>).tags = "VIP, wholesale ,  , Stammkunde"), { order: { customerTags: ["VIP", "wholesale", "Stammkunde"] } }],
    ["a guest order", (o) => (o.customer = null), { order: { customerGid: null, customerTags: [] } }],
    [
      "discount codes",
      (o) => (o.discount_codes = [{ code: "SPRING10", amount: "10.00", type: "percentage" }, { code: "FREESHIP", amount: "5.00", type: "shipping" }]),
      { order: { discountCodes: ["SPRING10", "FREESHIP"] } },
    ],
    ["a cancelled order", (o) => (o.cancelled_at = "2026-01-16T10:00:00-05:00"), { order: { cancelled: true } }],
    [
      "the plain shop-currency fields when a *_set is missing",
      (o) => {
        delete o.line_items[0].price_set;
        o.line_items[0].price = "12.34";
      },
      { line0: { netMinor: 1234 } },
    ],
    [
      "a zero-decimal shop currency",
      (o) => {
        o.currency = "JPY";
        o.subtotal_price_set = shopMoney("2000", "JPY");
        o.total_shipping_price_set = shopMoney("500", "JPY");
        o.line_items = [{ id: 1, product_id: 1, quantity: 2, price_set: shopMoney("1000", "JPY") }];
      },
      { line0: { netMinor: 2000 }, order: { currency: "JPY", subtotalMinor: 2000, shippingMinor: 500 } },
    ],
  ])("%s", (what, change, expected) => {
    const currency = what.includes("zero-decimal") ? "JPY" : "EUR";
    const facts = orderFacts(variant(change), { currency });
    if (expected.line0) expect(facts.lines[0]).toMatchObject(expected.line0);
    if (expected.order) expect(facts).toMatchObject(expected.order);
  });

  it("marks a tip recorded as a line item and leaves it out of the subtotal", () => {
    const facts = orderFacts(
      variant((o) => {
        o.total_tip_received = "5.00";
        o.line_items.push({ id: 3, title: "Tip", product_id: null, quantity: 1, price_set: shopMoney("5.00") });
      }),
      EUR,
    );
    expect(facts.lines[2]).toMatchObject({ lineId: "3", tip: true, netMinor: 500 });
    expect(facts.subtotalMinor).toBe(39800);
  });

  it.each<[string, (o: Payload) => void, RegExp]>([
    ["shop money in another currency", (o) => (o.line_items[0].price_set = shopMoney("199.00", "USD")), /line_items\.0\.price is in USD, but the shop currency is EUR/],
    ["an order in another shop currency", (o) => (o.currency = "USD"), /The order is in USD, but the shop currency is EUR/],
    ["no line items", (o) => delete (o as Record<string, unknown>).line_items, /Not an order payload: line_items/],
    ["a line without a price", (o) => (o.line_items[0] = { id: 1, quantity: 1 }), /line_items\.0 has no price/],
    ["a line without an id", (o) => (o.line_items[0] = { quantity: 1, price: "1.00" }), /line_items\.0 has no id/],
    ["a malformed amount", (o) => (o.line_items[0].price_set = shopMoney("1,99")), /line_items\.0\.price: Not a decimal amount: "1,99"/],
    [
      "a 64-bit id that was parsed as a number",
      (o) => {
        delete o.admin_graphql_api_id;
        o.id = Number("820982911946154508"); // what JSON.parse makes of it
      },
      /id 820982911946154500 is too large to be exact/,
    ],
    ["a non-object", () => {}, /Not an order payload/],
  ])("refuses %s", (what, change, message) => {
    const payload = what === "a non-object" ? "order" : variant(change);
    expect(() => orderFacts(payload, EUR)).toThrow(OrderPayloadError);
    expect(() => orderFacts(payload, EUR)).toThrow(message);
  });
});
