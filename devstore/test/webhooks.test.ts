import "@shopify/shopify-api/adapters/node";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, DEFAULT_SHOP, type DevStore } from "../index.ts";
import { startReceiver } from "./receiver.ts";

const SECRET = "hush-webhooks";
const API_KEY = "webhook-test-key";

const shopify = shopifyApi({
  apiKey: API_KEY,
  apiSecretKey: SECRET,
  scopes: ["read_customers"],
  hostName: "localhost:3000",
  apiVersion: ApiVersion.January26,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

const TOML = `
client_id = "${API_KEY}"
name = "Stammkunde"
application_url = "https://example.invalid"

[access_scopes]
scopes = "read_customers,write_customers,read_orders,write_discounts"

[webhooks]
api_version = "2026-01" # the version the payloads follow

  [[webhooks.subscriptions]]
  topics = [ "orders/create", "orders/paid", "orders/cancelled", "refunds/create" ]
  uri = "/webhooks/orders"

  [[webhooks.subscriptions]]
  topics = ["customers/create", "customers/update", "customers/delete"]
  uri = "/webhooks/customers"

  [[webhooks.subscriptions]]
  topics = ["app/uninstalled"]
  uri = "/webhooks/app/uninstalled"

  [[webhooks.subscriptions]]
  compliance_topics = [
    "customers/data_request",
    "customers/redact",
    "shop/redact",
  ]
  uri = "/webhooks/compliance"

[app_proxy]
url = "https://example.invalid/proxy"
subpath = "loyalty"
prefix = "apps"
`;

let store: DevStore;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let respond: (index: number) => number | "hang" = () => 200;

beforeAll(async () => {
  receiver = await startReceiver(
    (_req, i) => respond(i),
    async ({ req, res, rawBody }) => shopify.webhooks.validate({ rawBody, rawRequest: req, rawResponse: res }),
  );
  const dir = mkdtempSync(path.join(tmpdir(), "devstore-toml-"));
  const tomlPath = path.join(dir, "shopify.app.toml");
  writeFileSync(tomlPath, TOML);
  store = await createDevStore({
    tomlPath,
    apiSecret: SECRET,
    appUrl: receiver.url,
    webhooks: { timeCompression: 200_000, timeoutMs: 250 },
  });
});
afterAll(async () => {
  await store?.close();
  await receiver?.close();
});

function since(start: number) {
  return receiver.received.slice(start);
}
/** One delivery per webhook id: on a busy machine an answer can miss the 5 s timeout and the store
 * retries it, as Shopify does — same webhook id, so the receiver sees it twice. */
function firstAttempts(start: number) {
  const seen = new Set<unknown>();
  return since(start).filter((r) => !seen.has(r.headers["x-shopify-webhook-id"]) && seen.add(r.headers["x-shopify-webhook-id"]));
}

describe("subscriptions from shopify.app.toml", () => {
  it("reads topics, compliance topics, the API version and the app proxy", () => {
    expect(store.apiKey).toBe(API_KEY);
    expect(store.webhooks.subscriptions).toEqual([
      { topics: ["orders/create", "orders/paid", "orders/cancelled", "refunds/create"], uri: "/webhooks/orders", compliance: false },
      { topics: ["customers/create", "customers/update", "customers/delete"], uri: "/webhooks/customers", compliance: false },
      { topics: ["app/uninstalled"], uri: "/webhooks/app/uninstalled", compliance: false },
      { topics: ["customers/data_request", "customers/redact", "shop/redact"], uri: "/webhooks/compliance", compliance: true },
    ]);
    expect(store.appProxy.pathPrefix).toBe("/apps/loyalty");
    expect(store.appProxy.target).toBe(`${receiver.url}/proxy`);
  });
});

describe("delivery, signed like Shopify", () => {
  it("delivers orders/create and orders/paid that Shopify's library validates", async () => {
    const start = receiver.received.length;
    const customer = store.customers.create({ firstName: "Lena", lastName: "Kaufmann", email: "lena@example.com", tags: ["vip"] });
    const variant = [...store.shops.get().variants.values()].find((v) => v.sku === "KAF-1000")!;
    const order = store.orders.create({ customerId: customer.id, lineItems: [{ variantId: variant.id, quantity: 1 }], shipping: { price: "4.90", title: "DHL" }, noteAttributes: { ref: "abc" } });
    await store.webhooks.settle();
    const got = firstAttempts(start);
    expect(got.map((r) => `${r.path} ${r.headers["x-shopify-topic"]}`)).toEqual([
      "/webhooks/customers customers/create",
      "/webhooks/orders orders/create",
      "/webhooks/orders orders/paid",
    ]);
    for (const r of got) {
      expect(r.validation).toMatchObject({ valid: true, domain: DEFAULT_SHOP, apiVersion: "2026-01", webhookId: r.headers["x-shopify-webhook-id"] });
      expect(r.headers["x-shopify-event-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(r.headers["x-shopify-triggered-at"] as string)).not.toBeNaN();
    }
    const payload = got[1]!.json;
    expect(payload).toMatchObject({
      id: order.id,
      admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
      name: "#1001",
      order_number: 1001,
      currency: "EUR",
      presentment_currency: "EUR",
      taxes_included: true,
      financial_status: "paid",
      cancelled_at: null,
      email: "lena@example.com",
      subtotal_price: "32.00",
      total_price: "36.90",
      total_tax: "5.11",
      total_discounts: "0.00",
      total_price_set: { shop_money: { amount: "36.90", currency_code: "EUR" }, presentment_money: { amount: "36.90", currency_code: "EUR" } },
      total_shipping_price_set: { shop_money: { amount: "4.90", currency_code: "EUR" } },
      current_subtotal_price_set: { shop_money: { amount: "32.00", currency_code: "EUR" } },
      note_attributes: [{ name: "ref", value: "abc" }],
      discount_codes: [],
      customer: { id: customer.id, admin_graphql_api_id: `gid://shopify/Customer/${customer.id}`, email: "lena@example.com", tags: "vip" },
      line_items: [
        {
          variant_id: variant.id,
          quantity: 1,
          price: "32.00",
          price_set: { shop_money: { amount: "32.00", currency_code: "EUR" } },
          tax_lines: [{ title: "MwSt", rate: 0.19, price: "5.11" }],
          discount_allocations: [],
        },
      ],
      shipping_lines: [{ title: "DHL", price: "4.90" }],
    });
    expect(got[2]!.headers["x-shopify-event-id"]).not.toBe(got[1]!.headers["x-shopify-event-id"]);
  });

  it("sends refunds/create with refund_line_items and transactions, and orders/cancelled", async () => {
    const variant = [...store.shops.get().variants.values()].find((v) => v.sku === "KAF-250")!;
    const order = store.orders.create({ email: "guest@example.com", lineItems: [{ variantId: variant.id, quantity: 3 }] });
    await store.webhooks.settle();
    const start = receiver.received.length;
    const refund = store.orders.refund(order.id, [{ lineItemId: order.lineItems[0]!.id, quantity: 1 }]);
    store.orders.cancel(order.id, { reason: "customer", refund: true });
    await store.webhooks.settle();
    const got = since(start);
    expect(got.map((r) => r.headers["x-shopify-topic"])).toEqual(["refunds/create", "refunds/create", "orders/cancelled"]);
    expect(got[0]!.json).toMatchObject({
      id: refund.id,
      order_id: order.id,
      admin_graphql_api_id: `gid://shopify/Refund/${refund.id}`,
      refund_line_items: [
        {
          line_item_id: order.lineItems[0]!.id,
          quantity: 1,
          subtotal: 9.9,
          subtotal_set: { shop_money: { amount: "9.90", currency_code: "EUR" } },
          total_tax_set: { shop_money: { amount: "1.58", currency_code: "EUR" } },
          line_item: { id: order.lineItems[0]!.id, admin_graphql_api_id: `gid://shopify/LineItem/${order.lineItems[0]!.id}` },
        },
      ],
      transactions: [{ kind: "refund", status: "success", amount: "9.90", currency: "EUR" }],
    });
    expect(got[1]!.json.refund_line_items[0].quantity).toBe(2);
    expect(got[2]!.json).toMatchObject({ cancel_reason: "customer", financial_status: "refunded", customer: null, current_subtotal_price: "0.00" });
    expect(got[2]!.json.cancelled_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect(got[2]!.json.refunds).toHaveLength(2);
  });

  it("marks a pending order paid: orders/paid with a sale transaction", async () => {
    const variant = [...store.shops.get().variants.values()][0]!;
    const order = store.orders.create({ email: "later@example.com", lineItems: [{ variantId: variant.id, quantity: 1 }], financialStatus: "pending" });
    await store.webhooks.settle();
    const start = receiver.received.length;
    store.orders.markPaid(order.id);
    await store.webhooks.settle();
    const got = since(start);
    expect(got.map((r) => r.headers["x-shopify-topic"])).toEqual(["orders/paid"]);
    expect(got[0]!.json).toMatchObject({ id: order.id, financial_status: "paid", total_outstanding: "0.00" });
    expect(() => store.orders.markPaid(order.id)).toThrow(/cannot be marked as paid/);
  });

  it("sends customers/update and customers/delete", async () => {
    const start = receiver.received.length;
    const c = store.customers.create({ email: "del@example.com" });
    store.customers.update(c.id, { tags: ["gold"] });
    store.customers.delete(c.id);
    await store.webhooks.settle();
    const got = since(start);
    expect(got.map((r) => r.headers["x-shopify-topic"])).toEqual(["customers/create", "customers/update", "customers/delete"]);
    expect(got[1]!.json).toMatchObject({ id: c.id, tags: "gold", email_marketing_consent: { state: "not_subscribed" } });
    expect(got[2]!.json).toEqual({ id: c.id, phone: null, addresses: [], tax_exemptions: [], email_marketing_consent: null, sms_marketing_consent: null, admin_graphql_api_id: `gid://shopify/Customer/${c.id}` });
  });

  it("sends compliance webhooks with their documented payloads, and can drop the API version on data_request", async () => {
    const c = store.customers.create({ email: "gdpr@example.com", phone: "+4915112345678" });
    const shop = store.shops.get();
    await store.webhooks.settle();
    const start = receiver.received.length;
    store.compliance.dataRequest({ customerId: c.id });
    store.compliance.customersRedact({ customerId: c.id });
    store.compliance.shopRedact();
    store.webhooks.switches.omitApiVersionOnDataRequest = true;
    store.compliance.dataRequest({ customerId: c.id });
    store.webhooks.switches.omitApiVersionOnDataRequest = false;
    await store.webhooks.settle();
    const got = since(start);
    expect(got.map((r) => `${r.path} ${r.headers["x-shopify-topic"]}`)).toEqual([
      "/webhooks/compliance customers/data_request",
      "/webhooks/compliance customers/redact",
      "/webhooks/compliance shop/redact",
      "/webhooks/compliance customers/data_request",
    ]);
    expect(got[0]!.json).toEqual({ shop_id: shop.id, shop_domain: DEFAULT_SHOP, orders_requested: [], customer: { id: c.id, email: "gdpr@example.com", phone: "+4915112345678" }, data_request: { id: expect.any(Number) } });
    expect(got[1]!.json).toEqual({ shop_id: shop.id, shop_domain: DEFAULT_SHOP, customer: { id: c.id, email: "gdpr@example.com", phone: "+4915112345678" }, orders_to_redact: [] });
    expect(got[2]!.json).toEqual({ shop_id: shop.id, shop_domain: DEFAULT_SHOP });
    expect(got[3]!.headers["x-shopify-api-version"]).toBeUndefined();
    // The library then refuses the delivery for the missing header: the app has to cope.
    expect(got[3]!.validation).toMatchObject({ valid: false, reason: "missing_headers", missingHeaders: ["X-Shopify-API-Version"] });
  });

  it("a tampered body fails the library's validation", async () => {
    const delivered = store.webhooks.deliveries.find((d) => d.topic === "orders/create")!;
    const tampered = delivered.body.replace('"financial_status":"paid"', '"financial_status":"refunded"');
    const response = await fetch(delivered.url, { method: "POST", headers: delivered.headers, body: tampered });
    expect(response.status).toBe(200);
    expect(receiver.received.at(-1)!.validation).toMatchObject({ valid: false, reason: "invalid_hmac" });
  });
});

describe("uninstall", () => {
  it("sends app/uninstalled, revokes tokens and stops topic webhooks", async () => {
    const local = await createDevStore({ tomlPath: null, apiSecret: SECRET, appUrl: receiver.url, seedCatalog: false, shops: [{ domain: "leaving.myshopify.com", accessTokens: ["shpat_leaving"] }], webhookSubscriptions: [{ topics: ["app/uninstalled", "app/scopes_update", "customers/create"], uri: "/hooks", compliance: false }, { topics: ["shop/redact"], uri: "/gdpr", compliance: true }] });
    try {
      const start = receiver.received.length;
      local.shops.updateScopes("read_customers,read_orders");
      local.shops.uninstall();
      local.customers.create({ email: "after@example.com" });
      local.compliance.shopRedact();
      await local.webhooks.settle();
      const got = since(start);
      expect(got.map((r) => r.headers["x-shopify-topic"])).toEqual(["app/scopes_update", "app/uninstalled", "shop/redact"]);
      expect(got.shift()!.json).toMatchObject({ previous: expect.arrayContaining(["write_discounts"]), current: ["read_customers", "read_orders"] });
      expect(got[0]!.json).toMatchObject({ myshopify_domain: "leaving.myshopify.com", currency: "EUR", iana_timezone: "Europe/Berlin" });
      expect((await local.graphql("{ shop { id } }", {}, { token: "shpat_leaving" })).status).toBe(401);
    } finally {
      await local.close();
    }
  });
});

describe("retries and test switches", () => {
  it("retries non-2xx and silent endpoints 8 times with one webhook id, then gives up", async () => {
    const start = receiver.received.length;
    respond = (i) => (i - start < 2 ? 500 : i - start === 2 ? "hang" : 200);
    const c = store.customers.create({ email: "retry@example.com" });
    await store.webhooks.settle({ retries: true });
    const got = since(start);
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.headers["x-shopify-webhook-id"])).size).toBe(1);
    expect(new Set(got.map((r) => r.rawBody)).size).toBe(1);
    const delivery = store.webhooks.deliveries.find((d) => d.topic === "customers/create" && JSON.parse(d.body).id === c.id)!;
    expect(delivery.state).toBe("delivered");
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 500, null, 200]);
    expect(delivery.attempts[2]!.error).toMatch(/no answer within 250 ms/);

    const failStart = receiver.received.length;
    respond = () => 503;
    store.customers.create({ email: "never@example.com" });
    await store.webhooks.settle({ retries: true });
    expect(since(failStart)).toHaveLength(9);
    expect(store.webhooks.deliveries.at(-1)!.state).toBe("failed");
    respond = () => 200;
  });

  it("duplicates deliveries with the same webhook and event ids", async () => {
    const start = receiver.received.length;
    store.webhooks.switches.duplicate = 3;
    store.customers.create({ email: "dup@example.com" });
    store.webhooks.switches.duplicate = 1;
    await store.webhooks.settle();
    const got = since(start);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers["x-shopify-webhook-id"])).size).toBe(1);
    expect(new Set(got.map((r) => r.headers["x-shopify-event-id"])).size).toBe(1);
  });

  it("holds deliveries and releases them reversed or shuffled", async () => {
    store.webhooks.hold();
    const emails = Array.from({ length: 6 }, (_, i) => `order${i}@example.com`);
    for (const email of emails) store.customers.create({ email });
    await store.webhooks.settle();
    const start = receiver.received.length;
    expect(store.webhooks.deliveries.filter((d) => d.state === "held")).toHaveLength(6);
    store.webhooks.release("shuffle");
    await store.webhooks.settle();
    const arrived = since(start).map((r) => r.json.email);
    expect([...arrived].sort()).toEqual([...emails].sort());
    expect(arrived).not.toEqual(emails);

    store.webhooks.hold();
    store.customers.create({ email: "a@example.com" });
    store.customers.create({ email: "b@example.com" });
    const reversedStart = receiver.received.length;
    store.webhooks.release("reverse");
    await store.webhooks.settle();
    expect(since(reversedStart).map((r) => r.json.email)).toEqual(["b@example.com", "a@example.com"]);
  });

  it("delays each delivery when asked", async () => {
    store.webhooks.switches.delayMs = 120;
    const started = Date.now();
    store.customers.create({ email: "slow@example.com" });
    await store.webhooks.settle();
    store.webhooks.switches.delayMs = 0;
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});
