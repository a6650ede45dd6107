import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, createManualClock, DEFAULT_ACCESS_TOKEN, DEFAULT_SHOP, type DevStore, type LooseJson } from "../index.ts";

let store: DevStore;

beforeAll(async () => {
  store = await createDevStore({ tomlPath: null });
});
afterAll(async () => {
  await store?.close();
});

async function post(body: unknown, init: { token?: string | null; version?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = { "Content-Type": init.contentType ?? "application/json" };
  if (init.token !== null) headers["X-Shopify-Access-Token"] = init.token ?? DEFAULT_ACCESS_TOKEN;
  const response = await fetch(`${store.url}/admin/api/${init.version ?? "2026-01"}/graphql.json`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as LooseJson };
}

const DISCOUNT = `mutation Create($input: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $input) {
    codeDiscountNode { id }
    userErrors { field message code }
  }
}`;

function discountInput(overrides: Record<string, unknown> = {}) {
  return {
    title: "Loyalty reward",
    code: `R-${Math.random().toString(36).slice(2, 10)}`,
    startsAt: "2020-01-01T00:00:00Z",
    customerGets: { value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } }, items: { all: true } },
    context: { all: "ALL" },
    ...overrides,
  };
}

describe("HTTP-level strictness", () => {
  it("answers 401 with Shopify's body for a wrong or missing token", async () => {
    const wrong = await post({ query: "{ shop { id } }" }, { token: "shpat_wrong" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    const missing = await post({ query: "{ shop { id } }" }, { token: null });
    expect(missing.status).toBe(401);
  });

  it("answers 404 for an API version it does not serve", async () => {
    const response = await post({ query: "{ shop { id } }" }, { version: "2023-04" });
    expect(response.status).toBe(404);
    expect((await post({ query: "{ shop { id } }" }, { version: "unstable" })).status).toBe(404);
  });

  it("answers 400 when there is no query", async () => {
    const response = await post({ variables: {} });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual({ query: "Required parameter missing or invalid" });
  });

  it("accepts application/graphql bodies", async () => {
    const response = await post("{ shop { myshopifyDomain } }", { contentType: "application/graphql" });
    expect(response.body.data.shop.myshopifyDomain).toBe(DEFAULT_SHOP);
  });
});

describe("several shops", () => {
  it("keeps state and tokens per shop", async () => {
    const other = store.shops.create({ domain: "zweiter-laden.myshopify.com", currency: "CHF", timezone: "Europe/Zurich", accessTokens: ["shpat_zweiter"] });
    store.customers.create({ shop: other.domain, email: "only-here@example.ch" });
    const mine = await post({ query: '{ customers(first: 5, query: "email:only-here@example.ch") { nodes { id } } }' });
    expect(mine.body.data.customers.nodes).toEqual([]);
    const theirs = await post({ query: '{ shop { currencyCode ianaTimezone } customers(first: 5, query: "email:only-here@example.ch") { nodes { email } } }' }, { token: "shpat_zweiter" });
    expect(theirs.body.data).toEqual({ shop: { currencyCode: "CHF", ianaTimezone: "Europe/Zurich" }, customers: { nodes: [{ email: "only-here@example.ch" }] } });
    const crossed = await fetch(`${store.url}/admin/api/2026-01/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": "shpat_zweiter", "X-Forwarded-Host": DEFAULT_SHOP },
      body: JSON.stringify({ query: "{ shop { id } }" }),
    });
    expect(crossed.status).toBe(401);
  });
});

describe("document validation against the 2026-01 schema", () => {
  it("rejects a field the schema does not have, with Shopify's error shape", async () => {
    const response = await post({ query: "query Q { shop { id loyaltyPoints } }" });
    expect(response.status).toBe(200);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors[0]).toMatchObject({
      message: expect.stringContaining("loyaltyPoints"),
      locations: [{ line: 1, column: 21 }],
      extensions: { code: "undefinedField" },
    });
  });

  it("rejects a syntax error", async () => {
    const response = await post({ query: "{ shop { id }" });
    expect(response.body.errors[0].extensions.code).toBe("parseError");
  });

  it("rejects deprecated-shape mistakes: context.all is an enum, not a Boolean", async () => {
    const response = await post({ query: DISCOUNT, variables: { input: discountInput({ context: { all: true } }) } });
    expect(response.body.errors[0].extensions.code).toBe("INVALID_VARIABLE");
    expect(response.body.data).toBeUndefined();
  });

  it("enforces @oneOf on DiscountContextInput: two keys rejected, one accepted", async () => {
    const customer = store.customers.create({ email: `oneof-${Date.now()}@example.com` });
    const two = await post({
      query: DISCOUNT,
      variables: { input: discountInput({ context: { all: "ALL", customers: { add: [`gid://shopify/Customer/${customer.id}`] } } }) },
    });
    expect(two.body.errors[0].extensions.code).toBe("INVALID_VARIABLE");
    expect(two.body.errors[0].message).toMatch(/exactly one key must be specified for OneOf type "DiscountContextInput"/i);
    expect(two.body.errors[0].extensions.problems[0].path).toEqual(["context"]);

    const literal = await post({
      query: `mutation { discountCodeBasicCreate(basicCodeDiscount: {title: "x", code: "LIT-1", startsAt: "2020-01-01T00:00:00Z", context: {all: ALL, customers: {add: []}}, customerGets: {value: {percentage: 0.1}, items: {all: true}}}) { userErrors { message } } }`,
    });
    expect(literal.body.errors[0].extensions.code).toBe("argumentLiteralsIncompatible");

    const one = await post({ query: DISCOUNT, variables: { input: discountInput({ context: { all: "ALL" } }) } });
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data.discountCodeBasicCreate.userErrors).toEqual([]);
    expect(one.body.data.discountCodeBasicCreate.codeDiscountNode.id).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
  });

  it("rejects variables of the wrong type and missing required variables", async () => {
    const query = "query C($id: ID!, $n: Int!) { customer(id: $id) { id } customers(first: $n) { nodes { id } } }";
    const wrongInt = await post({ query, variables: { id: "gid://shopify/Customer/1", n: "ten" } });
    expect(wrongInt.body.errors[0]).toMatchObject({ extensions: { code: "INVALID_VARIABLE", value: "ten" } });
    const missing = await post({ query, variables: { n: 1 } });
    expect(missing.body.errors[0].extensions.code).toBe("INVALID_VARIABLE");
    const badDecimal = await post({
      query: DISCOUNT,
      variables: { input: discountInput({ customerGets: { value: { discountAmount: { amount: "five" } }, items: { all: true } } }) },
    });
    expect(badDecimal.body.errors[0].message).toMatch(/Decimal/);
    const badDate = await post({ query: DISCOUNT, variables: { input: discountInput({ startsAt: "yesterday" }) } });
    expect(badDate.body.errors[0].message).toMatch(/DateTime/);
  });

  it("rejects a variable used where its type does not fit", async () => {
    const response = await post({ query: "query C($id: String!) { customer(id: $id) { id } }", variables: { id: "x" } });
    expect(response.body.errors[0].extensions.code).toBe("variableMismatch");
  });

  it("rejects a malformed global id at execution", async () => {
    const response = await post({ query: '{ customer(id: "123") { id } }' });
    expect(response.body.errors[0].message).toBe("Invalid global id '123'");
    expect(response.body.data).toEqual({ customer: null });
  });

  it("requires first or last on connections", async () => {
    const response = await post({ query: "{ customers { nodes { id } } }" });
    expect(response.body.errors[0].message).toBe("you must provide one of first or last");
  });

  it("reports fields the devstore does not model instead of inventing values", async () => {
    const response = await post({ query: "{ shop { id resourceLimits { maxProductVariants } } }" });
    expect(response.body.errors[0].extensions.code).toBe("DEVSTORE_UNMODELLED");
  });

  it("denies fields outside the token's scopes", async () => {
    const token = store.shops.get().issueAccessToken({ scope: "read_products" }).token;
    const response = await post({ query: "{ customers(first: 1) { nodes { id } } }" }, { token });
    expect(response.body.errors[0]).toMatchObject({ extensions: { code: "ACCESS_DENIED" }, path: ["customers"] });
  });
});

describe("query cost", () => {
  it("returns requested and actual cost with the throttle status", async () => {
    store.customers.create({ firstName: "Cost", email: `cost-${Date.now()}@example.com` });
    const response = await post({ query: "{ shop { id plan { publicDisplayName } } customers(first: 10) { edges { node { id amountSpent { amount } } } } }" });
    // shop 1 + plan 1 + connection 2 + 10 × (node 1 + amountSpent 1)
    expect(response.body.extensions.cost.requestedQueryCost).toBe(24);
    const customers = response.body.data.customers.edges.length;
    expect(response.body.extensions.cost.actualQueryCost).toBe(2 + 2 + customers * 2);
    expect(response.body.extensions.cost.throttleStatus).toEqual({
      maximumAvailable: 1000,
      currentlyAvailable: expect.any(Number),
      restoreRate: 100,
    });
  });

  it("multiplies nested connections by first and charges mutations 10", async () => {
    const nested = await post({ query: "{ orders(first: 5) { nodes { id lineItems(first: 10) { nodes { title } } } } }" });
    expect(nested.body.extensions.cost.requestedQueryCost).toBe(2 + 5 * (1 + 2 + 10));
    const mutation = await post({ query: DISCOUNT, variables: { input: discountInput() } });
    expect(mutation.body.extensions.cost.requestedQueryCost).toBe(10);
  });

  it("rejects a query whose requested cost is above 1,000 with MAX_COST_EXCEEDED", async () => {
    const response = await post({ query: "{ customers(first: 250) { nodes { id orders(first: 10) { nodes { id } } } } }" });
    expect(response.body.errors[0].extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", maxCost: 1000 });
    expect(response.body.errors[0].extensions.cost).toBeGreaterThan(1000);
    expect(response.body.data).toBeUndefined();
  });
});

describe("leaky bucket", () => {
  it("throttles a burst beyond the bucket and recovers after the restore time", async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 15, 12));
    const local = await createDevStore({ tomlPath: null, clock, seedCatalog: false, shops: [{ domain: "burst.myshopify.com", accessTokens: ["shpat_burst"] }] });
    try {
      const query = "{ customers(first: 248) { nodes { id } } }"; // requested 250
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await local.graphql(query, {}, { token: "shpat_burst" }));
      // actual cost is 2 (no customers), so the refund keeps the bucket nearly full: no throttle
      expect(results.every((r) => r.body.data)).toBe(true);

      for (let i = 0; i < 60; i++) local.customers.create({ email: `c${i}@burst.example` });
      const query2 = "{ customers(first: 60) { nodes { id amountSpent { amount } defaultAddress { id } } } }"; // 2 + 60×3 = 182
      const burst = [];
      for (let i = 0; i < 8; i++) burst.push(await local.graphql(query2, {}, { token: "shpat_burst" }));
      const throttled = burst.filter((r) => r.body.errors?.[0]?.extensions?.code === "THROTTLED");
      expect(throttled.length).toBeGreaterThan(0);
      const first = throttled[0]!;
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: {
          cost: {
            requestedQueryCost: 182,
            actualQueryCost: null,
            throttleStatus: { maximumAvailable: 1000, currentlyAvailable: expect.any(Number), restoreRate: 100 },
          },
        },
      });
      expect(first.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(182);

      clock.advance(2_000); // 100 points/s × 2 s
      const again = await local.graphql(query2, {}, { token: "shpat_burst" });
      expect(again.body.data.customers.nodes).toHaveLength(60);
      expect(again.body.extensions.cost.actualQueryCost).toBe(2 + 60 * 2);
    } finally {
      await local.close();
    }
  });

  it("gives Plus shops a bigger bucket and faster restore", async () => {
    const local = await createDevStore({ tomlPath: null, seedCatalog: false, shops: [{ domain: "plus.myshopify.com", plan: "plus", accessTokens: ["shpat_plus"] }] });
    try {
      const response = await local.graphql("{ shop { plan { shopifyPlus } } }", {}, { token: "shpat_plus" });
      expect(response.body.data.shop.plan.shopifyPlus).toBe(true);
      expect(response.body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 2000, restoreRate: 1000 });
    } finally {
      await local.close();
    }
  });
});

describe("fault injection", () => {
  it("fails, slows, throttles and hangs the next requests on demand", async () => {
    store.faults.failNext(2, 502);
    expect((await post({ query: "{ shop { id } }" })).status).toBe(502);
    expect((await post({ query: "{ shop { id } }" })).status).toBe(502);
    expect((await post({ query: "{ shop { id } }" })).status).toBe(200);

    store.faults.throttleNext(1);
    expect((await post({ query: "{ shop { id } }" })).body.errors[0].extensions.code).toBe("THROTTLED");

    store.faults.slowNext(1, 150);
    const started = Date.now();
    expect((await post({ query: "{ shop { id } }" })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    store.faults.hangNext(1);
    const hung = fetch(`${store.url}/admin/api/2026-01/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": DEFAULT_ACCESS_TOKEN },
      body: JSON.stringify({ query: "{ shop { id } }" }),
      signal: AbortSignal.timeout(200),
    });
    await expect(hung).rejects.toThrow();
    expect((await post({ query: "{ shop { id } }" })).status).toBe(200);
  });
});

describe("state through the Admin API", () => {
  it("reads customers with search, pagination and the fields the app uses", async () => {
    const tag = `tier-${Date.now()}`;
    const created = [1, 2, 3].map((i) =>
      store.customers.create({ firstName: `P${i}`, lastName: "Page", email: `page${i}-${tag}@example.com`, tags: [tag], emailMarketing: "SUBSCRIBED", address: { city: "Köln", countryCode: "DE" } }),
    );
    const query = `query Page($q: String!, $after: String) {
      customers(first: 2, after: $after, query: $q) {
        edges { cursor node { id firstName lastName email tags state numberOfOrders amountSpent { amount currencyCode } emailMarketingConsent { marketingState } defaultAddress { city countryCodeV2 } createdAt } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const page1 = await store.graphql(query, { q: `tag:${tag}` });
    expect(page1.body.data.customers.edges).toHaveLength(2);
    expect(page1.body.data.customers.pageInfo.hasNextPage).toBe(true);
    expect(page1.body.data.customers.edges[0].node).toMatchObject({
      id: `gid://shopify/Customer/${created[0]!.id}`,
      email: created[0]!.email,
      tags: [tag],
      numberOfOrders: "0",
      amountSpent: { amount: "0.0", currencyCode: "EUR" },
      emailMarketingConsent: { marketingState: "SUBSCRIBED" },
      defaultAddress: { city: "Köln", countryCodeV2: "DE" },
    });
    const page2 = await store.graphql(query, { q: `tag:${tag}`, after: page1.body.data.customers.pageInfo.endCursor });
    expect(page2.body.data.customers.edges.map((e: LooseJson) => e.node.firstName)).toEqual(["P3"]);
    expect(page2.body.data.customers.pageInfo.hasNextPage).toBe(false);
    const byEmail = await store.graphql(`{ customers(first: 5, query: "email:${created[1]!.email}") { nodes { firstName } } }`);
    expect(byEmail.body.data.customers.nodes).toEqual([{ firstName: "P2" }]);
  });

  it("sets and reads metafields atomically, with compareDigest and type checks", async () => {
    const customer = store.customers.create({ email: `mf-${Date.now()}@example.com` });
    const ownerId = `gid://shopify/Customer/${customer.id}`;
    const SET = `mutation Set($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { id namespace key value type compareDigest } userErrors { field message code elementIndex } } }`;
    const ok = await store.graphql(SET, { m: [{ ownerId, namespace: "loyalty", key: "points", type: "number_integer", value: "120" }] });
    expect(ok.body.data.metafieldsSet.userErrors).toEqual([]);
    const digest = ok.body.data.metafieldsSet.metafields[0].compareDigest;

    const bad = await store.graphql(SET, {
      m: [
        { ownerId, namespace: "loyalty", key: "tier", type: "single_line_text_field", value: "gold" },
        { ownerId, namespace: "loyalty", key: "points", value: "12.5" },
      ],
    });
    expect(bad.body.data.metafieldsSet.userErrors).toEqual([{ field: ["metafields", "1", "value"], message: expect.any(String), code: "INVALID_VALUE", elementIndex: 1 }]);

    const stale = await store.graphql(SET, { m: [{ ownerId, namespace: "loyalty", key: "points", value: "130", compareDigest: "nope" }] });
    expect(stale.body.data.metafieldsSet.userErrors[0].code).toBe("STALE_OBJECT");
    const fresh = await store.graphql(SET, { m: [{ ownerId, namespace: "loyalty", key: "points", value: "130", compareDigest: digest }] });
    expect(fresh.body.data.metafieldsSet.userErrors).toEqual([]);

    const missingOwner = await store.graphql(SET, { m: [{ ownerId: "gid://shopify/Customer/1", namespace: "loyalty", key: "points", type: "number_integer", value: "1" }] });
    expect(missingOwner.body.data.metafieldsSet.userErrors[0]).toMatchObject({ field: ["metafields", "0", "ownerId"], code: "INVALID" });

    const read = await store.graphql(`query R($id: ID!) { customer(id: $id) { metafield(namespace: "loyalty", key: "points") { value jsonValue type } tier: metafield(namespace: "loyalty", key: "tier") { value } metafields(first: 5, namespace: "loyalty") { nodes { key } } } }`, { id: ownerId });
    expect(read.body.data.customer).toEqual({ metafield: { value: "130", jsonValue: 130, type: "number_integer" }, tier: null, metafields: { nodes: [{ key: "points" }] } });

    const shopId = (await store.graphql("{ shop { id } }")).body.data.shop.id;
    const app = await store.graphql(SET, { m: [{ ownerId: shopId, namespace: "$app", key: "settings", type: "json", value: '{"rate":1}' }] });
    expect(app.body.data.metafieldsSet.metafields[0].namespace).toMatch(/^app--\d+$/);
    const shopRead = await store.graphql('{ shop { metafield(namespace: "$app", key: "settings") { jsonValue } } }');
    expect(shopRead.body.data.shop.metafield.jsonValue).toEqual({ rate: 1 });
  });

  it("credits store credit with Shopify's userErrors", async () => {
    const customer = store.customers.create({ email: `sc-${Date.now()}@example.com` });
    const CREDIT = `mutation C($id: ID!, $input: StoreCreditAccountCreditInput!) { storeCreditAccountCredit(id: $id, creditInput: $input) { storeCreditAccountTransaction { amount { amount currencyCode } balanceAfterTransaction { amount } account { id balance { amount } } } userErrors { field message code } } }`;
    const id = `gid://shopify/Customer/${customer.id}`;
    const ok = await store.graphql(CREDIT, { id, input: { creditAmount: { amount: "7.50", currencyCode: "EUR" } } });
    expect(ok.body.data.storeCreditAccountCredit.storeCreditAccountTransaction).toMatchObject({ amount: { amount: "7.5", currencyCode: "EUR" }, balanceAfterTransaction: { amount: "7.5" } });
    const again = await store.graphql(CREDIT, { id, input: { creditAmount: { amount: "2.50", currencyCode: "EUR" } } });
    expect(again.body.data.storeCreditAccountCredit.storeCreditAccountTransaction.account.balance.amount).toBe("10.0");
    const negative = await store.graphql(CREDIT, { id, input: { creditAmount: { amount: "-1", currencyCode: "EUR" } } });
    expect(negative.body.data.storeCreditAccountCredit.userErrors[0].code).toBe("NEGATIVE_OR_ZERO_AMOUNT");
    const unknown = await store.graphql(CREDIT, { id: "gid://shopify/Customer/42", input: { creditAmount: { amount: "1", currencyCode: "EUR" } } });
    expect(unknown.body.data.storeCreditAccountCredit.userErrors[0]).toMatchObject({ field: ["id"], code: "OWNER_NOT_FOUND" });
  });

  it("records flow triggers whose handle and payload match the app's flow_trigger extension", async () => {
    const F = `mutation F($payload: JSON!) { flowTriggerReceive(handle: "points-earned", payload: $payload) { userErrors { field message } } }`;
    const customer = store.customers.create({ email: `flow-${Date.now()}@example.com` });
    const payload = { customer_id: customer.id, Points: 10, Balance: 25, Pending: false, Order: "gid://shopify/Order/1" };
    const response = await store.graphql(F, { payload });
    expect(response.body.data.flowTriggerReceive.userErrors).toEqual([]);
    expect(store.shops.get().flowTriggers.at(-1)).toMatchObject({ handle: "points-earned", payload });
    const count = store.shops.get().flowTriggers.length;
    const wrong = await store.graphql(F, { payload: { ...payload, Points: "10", extra: 1 } });
    expect(wrong.body.data.flowTriggerReceive.userErrors[0].message).toMatch(/'Points' must be a number[\s\S]*'extra' is not defined/);
    const unknown = await store.graphql(`mutation { flowTriggerReceive(handle: "no-such-trigger", payload: {}) { userErrors { field message } } }`);
    expect(unknown.body.data.flowTriggerReceive.userErrors[0].field).toEqual(["handle"]);
    expect(store.shops.get().flowTriggers.length).toBe(count);
    // it is a mutation like the others: it costs 10 and counts against the bucket
    expect(response.body.extensions.cost.requestedQueryCost).toBe(10);
  });
});
