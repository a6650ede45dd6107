import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, createManualClock, DiscountRejected, type DevStore } from "../index.ts";

const clock = createManualClock(Date.UTC(2026, 2, 1, 10));
let store: DevStore;
let variantId: number;
let cupVariantId: number;

beforeAll(async () => {
  store = await createDevStore({ tomlPath: null, clock });
  const shop = store.shops.get();
  variantId = [...shop.variants.values()].find((v) => v.sku === "KAF-250")!.id; // 9.90
  cupVariantId = [...shop.variants.values()].find((v) => v.sku === "TAS-ESP")!.id; // 14.50
});
afterAll(async () => {
  await store?.close();
});

const BASIC = `mutation Create($input: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $input) {
    codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { title status asyncUsageCount } } }
    userErrors { field message code extraInfo }
  }
}`;

function input(overrides: Record<string, unknown> = {}) {
  return {
    title: "5 € reward",
    code: `RW-${Math.random().toString(36).slice(2, 9).toUpperCase()}`,
    startsAt: "2026-01-01T00:00:00Z",
    customerGets: { value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } }, items: { all: true } },
    context: { all: "ALL" },
    ...overrides,
  };
}

async function createBasic(overrides: Record<string, unknown> = {}) {
  const response = await store.graphql(BASIC, { input: input(overrides) });
  expect(response.body.errors).toBeUndefined();
  return response.body.data.discountCodeBasicCreate as { codeDiscountNode: { id: string } | null; userErrors: { field: string[]; message: string; code: string }[] };
}

describe("discount userErrors", () => {
  it("rejects a duplicate code (case-insensitive) with TAKEN on basicCodeDiscount.code", async () => {
    const first = await createBasic({ code: "WELCOME10" });
    expect(first.userErrors).toEqual([]);
    const again = await createBasic({ code: "welcome10" });
    expect(again.codeDiscountNode).toBeNull();
    expect(again.userErrors).toEqual([{ field: ["basicCodeDiscount", "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN", extraInfo: null }]);
  });

  it("rejects a negative amount, a percentage outside 0..1 and endsAt before startsAt", async () => {
    const negative = await createBasic({ customerGets: { value: { discountAmount: { amount: "-5.00" } }, items: { all: true } } });
    expect(negative.userErrors).toMatchObject([{ field: ["basicCodeDiscount", "customerGets", "value", "discountAmount", "amount"], code: "GREATER_THAN" }]);

    for (const percentage of [1.5, -0.1, 0]) {
      const outside = await createBasic({ customerGets: { value: { percentage }, items: { all: true } } });
      expect(outside.userErrors).toMatchObject([{ field: ["basicCodeDiscount", "customerGets", "value", "percentage"], code: "VALUE_OUTSIDE_RANGE" }]);
    }

    const backwards = await createBasic({ startsAt: "2026-03-10T00:00:00Z", endsAt: "2026-03-01T00:00:00Z" });
    expect(backwards.userErrors).toMatchObject([{ field: ["basicCodeDiscount", "endsAt"], code: "END_DATE_BEFORE_START_DATE" }]);
  });

  it("rejects a customer that does not exist and blank required fields", async () => {
    const missing = await createBasic({ context: { customers: { add: ["gid://shopify/Customer/999"] } } });
    expect(missing.userErrors).toMatchObject([{ field: ["basicCodeDiscount", "context", "customers", "add"], code: "INVALID" }]);

    const blank = await createBasic({ title: " ", code: "", startsAt: undefined, customerGets: undefined });
    expect(blank.userErrors.map((e) => e.field.join("."))).toEqual([
      "basicCodeDiscount.title",
      "basicCodeDiscount.code",
      "basicCodeDiscount.startsAt",
      "basicCodeDiscount.customerGets",
    ]);
    expect(blank.userErrors.every((e) => e.code === "BLANK")).toBe(true);

    const both = await createBasic({ minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "10" }, quantity: { greaterThanOrEqualToQuantity: "2" } } });
    expect(both.userErrors[0]!.code).toBe("MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT");

    const legacyAndNew = await createBasic({ customerSelection: { all: true } });
    expect(legacyAndNew.userErrors[0]!.code).toBe("TOO_MANY_ARGUMENTS");
  });

  it("rejects combining a free shipping discount with shipping discounts", async () => {
    const response = await store.graphql(
      `mutation F($input: DiscountCodeFreeShippingInput!) { discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) { codeDiscountNode { id } userErrors { field code } } }`,
      { input: { title: "Ship", code: "SHIPFREE-X", startsAt: "2026-01-01T00:00:00Z", context: { all: "ALL" }, destination: { all: true }, combinesWith: { shippingDiscounts: true } } },
    );
    expect(response.body.data.discountCodeFreeShippingCreate.userErrors).toEqual([{ field: ["freeShippingCodeDiscount", "combinesWith", "shippingDiscounts"], code: "INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS" }]);
  });
});

describe("discount lifecycle through the Admin API", () => {
  it("finds a code, deactivates it (ends now) and deletes it", async () => {
    const { codeDiscountNode } = await createBasic({ code: "LIFECYCLE-1" });
    const id = codeDiscountNode!.id;
    const byCode = await store.graphql(`{ codeDiscountNodeByCode(code: "lifecycle-1") { id codeDiscount { ... on DiscountCodeBasic { status codes(first: 1) { nodes { code } } } } } }`);
    expect(byCode.body.data.codeDiscountNodeByCode).toEqual({ id, codeDiscount: { status: "ACTIVE", codes: { nodes: [{ code: "LIFECYCLE-1" }] } } });

    const deactivated = await store.graphql(`mutation D($id: ID!) { discountCodeDeactivate(id: $id) { codeDiscountNode { codeDiscount { ... on DiscountCodeBasic { status endsAt } } } userErrors { message } } }`, { id });
    expect(deactivated.body.data.discountCodeDeactivate.codeDiscountNode.codeDiscount).toEqual({ status: "EXPIRED", endsAt: "2026-03-01T10:00:00Z" });
    expect(() => store.orders.create({ lineItems: [{ variantId, quantity: 1 }], discountCodes: ["LIFECYCLE-1"] })).toThrow(DiscountRejected);

    const node = await store.graphql(`query N($id: ID!) { discountNode(id: $id) { id discount { __typename } } codeDiscountNode(id: $id) { id } }`, { id });
    expect(node.body.data.discountNode.discount.__typename).toBe("DiscountCodeBasic");

    const deleted = await store.graphql(`mutation X($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId userErrors { field code } } }`, { id });
    expect(deleted.body.data.discountCodeDelete).toEqual({ deletedCodeDiscountId: id, userErrors: [] });
    const gone = await store.graphql(`mutation X($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId userErrors { field code } } }`, { id });
    expect(gone.body.data.discountCodeDelete.userErrors).toEqual([{ field: ["id"], code: "INVALID" }]);
  });
});

describe("checkout applies stored discounts exactly", () => {
  it("applies a fixed amount with minimum subtotal, once per customer, for listed customers only", async () => {
    const anna = store.customers.create({ firstName: "Anna", email: "anna@checkout.example" });
    const ben = store.customers.create({ firstName: "Ben", email: "ben@checkout.example" });
    await createBasic({
      code: "ANNA-5",
      context: { customers: { add: [`gid://shopify/Customer/${anna.id}`] } },
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "20.00" } },
      appliesOncePerCustomer: true,
      combinesWith: { productDiscounts: true },
    });
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as DiscountRejected).reason;
      }
      return "applied";
    };
    expect(reason(() => store.orders.create({ customerId: ben.id, lineItems: [{ variantId, quantity: 3 }], discountCodes: ["ANNA-5"] }))).toBe("customer_not_eligible");
    expect(reason(() => store.orders.create({ lineItems: [{ variantId, quantity: 3 }], discountCodes: ["ANNA-5"] }))).toBe("customer_not_eligible");
    expect(reason(() => store.orders.create({ customerId: anna.id, lineItems: [{ variantId, quantity: 2 }], discountCodes: ["ANNA-5"] }))).toBe("minimum_not_met");

    const order = store.orders.create({ customerId: anna.id, lineItems: [{ variantId, quantity: 2 }, { variantId: cupVariantId, quantity: 1 }], discountCodes: ["anna-5"], shipping: { price: "4.90" } });
    // 19.80 + 14.50 = 34.30; 5.00 spread proportionally: 2.89 + 2.11
    expect(order.lineItems.map((l) => l.discountAllocations[0]!.amount)).toEqual([289, 211]);
    expect(order.discountCodes).toEqual([{ code: "ANNA-5", amount: 500, type: "fixed_amount" }]);
    expect(order.discountApplications[0]).toMatchObject({ valueType: "fixed_amount", value: 500, allocationMethod: "across", targetSelection: "all" });
    // taxes included at 19%: (1980-289)×19/119 = 269.99 → 270; (1450-211)×19/119 = 197.82 → 198
    expect(order.lineItems.map((l) => l.taxLines[0]!.amount)).toEqual([270, 198]);
    expect(store.discounts.byCode("ANNA-5")!.codes[0]!.usageCount).toBe(1);
    expect(reason(() => store.orders.create({ customerId: anna.id, lineItems: [{ variantId, quantity: 5 }], discountCodes: ["ANNA-5"] }))).toBe("already_used");

    const read = await store.graphql(`query O($id: ID!) { order(id: $id) { subtotalPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } } totalDiscountsSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } discountCodes } }`, { id: `gid://shopify/Order/${order.id}` });
    expect(read.body.data.order).toEqual({
      subtotalPriceSet: { shopMoney: { amount: "29.3" } },
      totalPriceSet: { shopMoney: { amount: "34.2" } },
      totalDiscountsSet: { shopMoney: { amount: "5.0" } },
      totalTaxSet: { shopMoney: { amount: "4.68" } },
      discountCodes: ["ANNA-5"],
    });
  });

  it("honours usage limits, start and end dates, and combination rules", async () => {
    await createBasic({ code: "ONCE-ONLY", usageLimit: 1 });
    store.orders.create({ email: "x@example.com", lineItems: [{ variantId, quantity: 1 }], discountCodes: ["ONCE-ONLY"] });
    expect(() => store.orders.create({ email: "y@example.com", lineItems: [{ variantId, quantity: 1 }], discountCodes: ["ONCE-ONLY"] })).toThrow(/usage limit/);

    await createBasic({ code: "LATER", startsAt: "2026-03-02T00:00:00Z", endsAt: "2026-03-03T00:00:00Z" });
    expect(() => store.orders.create({ lineItems: [{ variantId, quantity: 1 }], discountCodes: ["LATER"] })).toThrow(/not started/);
    clock.advance(24 * 3600_000);
    expect(store.orders.create({ lineItems: [{ variantId, quantity: 1 }], discountCodes: ["LATER"] }).discountCodes).toHaveLength(1);
    clock.advance(24 * 3600_000);
    expect(() => store.orders.create({ lineItems: [{ variantId, quantity: 1 }], discountCodes: ["LATER"] })).toThrow(/ended/);

    await createBasic({ code: "PCT-10", customerGets: { value: { percentage: 0.1 }, items: { all: true } } });
    await createBasic({ code: "AMT-2", customerGets: { value: { discountAmount: { amount: "2" } }, items: { all: true } } });
    expect(() => store.orders.create({ lineItems: [{ variantId, quantity: 1 }], discountCodes: ["PCT-10", "AMT-2"] })).toThrow(/cannot be combined/);

    const percent = store.orders.create({ lineItems: [{ variantId, quantity: 3 }], discountCodes: ["PCT-10"] });
    expect(percent.lineItems[0]!.discountAllocations[0]!.amount).toBe(297);
    expect(percent.discountApplications[0]).toMatchObject({ valueType: "percentage", value: 10 });
  });

  it("applies free shipping and buy X get Y", async () => {
    await store.graphql(
      `mutation F($input: DiscountCodeFreeShippingInput!) { discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) { userErrors { field } } }`,
      { input: { title: "Ship", code: "SHIP-FREE", startsAt: "2026-01-01T00:00:00Z", context: { all: "ALL" }, destination: { all: true }, maximumShippingPrice: "10.00", combinesWith: { orderDiscounts: true } } },
    );
    const shipped = store.orders.create({ lineItems: [{ variantId, quantity: 1 }], discountCodes: ["SHIP-FREE"], shipping: { price: "4.90" } });
    expect(shipped.shippingLines[0]!.discountAllocations).toEqual([{ applicationIndex: 0, amount: 490 }]);
    expect(shipped.discountCodes[0]).toEqual({ code: "SHIP-FREE", amount: 490, type: "shipping" });
    expect(() => store.orders.create({ lineItems: [{ variantId, quantity: 1 }], discountCodes: ["SHIP-FREE"], shipping: { price: "12.00" } })).toThrow(/maximum/);

    const product = [...store.shops.get().products.values()].find((p) => p.title === "Espressotasse")!;
    const bxgy = await store.graphql(
      `mutation B($input: DiscountCodeBxgyInput!) { discountCodeBxgyCreate(bxgyCodeDiscount: $input) { codeDiscountNode { id } userErrors { field code message } } }`,
      {
        input: {
          title: "2 cups, 1 free",
          code: "CUPS",
          startsAt: "2026-01-01T00:00:00Z",
          context: { all: "ALL" },
          customerBuys: { value: { quantity: "2" }, items: { products: { productsToAdd: [`gid://shopify/Product/${product.id}`] } } },
          customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 1.0 } } }, items: { products: { productsToAdd: [`gid://shopify/Product/${product.id}`] } } },
          usesPerOrderLimit: 1,
        },
      },
    );
    expect(bxgy.body.data.discountCodeBxgyCreate.userErrors).toEqual([]);
    const order = store.orders.create({ lineItems: [{ variantId: cupVariantId, quantity: 4 }], discountCodes: ["CUPS"] });
    expect(order.lineItems[0]!.discountAllocations).toEqual([{ applicationIndex: 0, amount: 1450 }]);
    expect(() => store.orders.create({ lineItems: [{ variantId: cupVariantId, quantity: 2 }], discountCodes: ["CUPS"] })).toThrow(DiscountRejected);
  });
});
