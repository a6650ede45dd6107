// Webhooks through the lean HTTP door: signed like Shopify, verified by Shopify's library.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Worker } from "~/jobs/worker.server";
import { checkBalances, findMemberByCustomer } from "~/models/ledger.server";
import { intake } from "~/webhooks/intake.server";
import { handleWebhook } from "../../server/webhooks";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { fixture, paidOrder, signedDelivery, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let server: Server;
let base: string;
const A = "alpha.myshopify.com";
const B = "beta.myshopify.com";

const config = { apiKey: TEST_API_KEY, apiSecretKey: TEST_SECRET, appUrl: "https://app.example.com", scopes: ["read_orders"] };

beforeAll(async () => {
  db = await freshDatabase();
  server = createServer((req, res) => void handleWebhook(req, res, async () => (url, headers, body, meta) => intake(db.sql, config, url, headers, body, meta)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await db?.drop();
});

async function send(path: string, d: { headers: Record<string, string>; body: string }) {
  return fetch(`${base}${path}`, { method: "POST", headers: d.headers, body: d.body });
}

async function counts() {
  const d = await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM webhook_deliveries`);
  const j = await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs`);
  const e = await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ledger_entries`);
  return { deliveries: Number(d?.n), jobs: Number(j?.n), entries: Number(e?.n) };
}

const drain = () => new Worker({ sql: db.sql }).drain();

describe(`webhook intake on ${TEST_DB}`, () => {
  it("rejects a missing or wrong HMAC with 401 and writes nothing", async () => {
    const before = await counts();
    const order = paidOrder(1);
    const unsigned = await send("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: order, hmac: null }));
    expect(unsigned.status).toBe(401);
    const wrong = await send("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: order, secret: "not-the-secret" }));
    expect(wrong.status).toBe(401);
    // a body changed after signing
    const d = signedDelivery({ topic: "orders/paid", shop: A, body: order });
    const tampered = await send("/webhooks/orders/paid", { headers: d.headers, body: d.body.replace('"398.00"', '"39800.00"') });
    expect(tampered.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("rejects a validly signed body that isn't JSON with 400 and writes nothing", async () => {
    const before = await counts();
    const res = await send("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: '{"id": 1, "customer": ' }));
    expect(res.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it("awards points for Shopify's documented orders/paid payload", async () => {
    const res = await send("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: fixture("orders-paid.json") }));
    expect(res.status).toBe(200);
    await drain();
    const m = await findMemberByCustomer(db.sql, A, "gid://shopify/Customer/115310627314723954");
    // subtotal 398.00 EUR after discounts, without shipping (10.00) and tax (0.00): 398 points
    expect(m?.points_available).toBe(398);
    expect(m?.email).toBe("john@example.com");
  });

  it("the same delivery three times at once makes one ledger entry", async () => {
    const order = paidOrder(2, "120.50");
    const d = signedDelivery({ topic: "orders/paid", shop: A, body: order });
    const results = await Promise.all([send("/webhooks/orders/paid", d), send("/webhooks/orders/paid", d), send("/webhooks/orders/paid", d)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const deliveries = await db.sql.all(`SELECT * FROM webhook_deliveries WHERE shop = ? AND event_id = ?`, [A, d.headers["x-shopify-event-id"]]);
    expect(deliveries).toHaveLength(1);
    await drain();
    const entries = await db.sql.all(`SELECT * FROM ledger_entries WHERE shop = ? AND source_id = ?`, [A, order.admin_graphql_api_id]);
    expect(entries).toHaveLength(1);
    expect((await findMemberByCustomer(db.sql, A, "gid://shopify/Customer/2"))?.points_available).toBe(120);
  });

  it("the same order under different event ids (a re-sent event) still earns once", async () => {
    const order = paidOrder(3, "50.00");
    for (let i = 0; i < 3; i++) await send("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: order }));
    await drain();
    expect((await findMemberByCustomer(db.sql, A, "gid://shopify/Customer/3"))?.points_available).toBe(50);
  });

  it("keeps two shops apart: the same event id and customer in two shops are separate", async () => {
    const eventId = "shared-event-id";
    const order = paidOrder(4, "10.00");
    expect((await send("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: order, eventId }))).status).toBe(200);
    expect((await send("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: B, body: { ...paidOrder(4, "30.00"), id: order.id, admin_graphql_api_id: order.admin_graphql_api_id }, eventId }))).status).toBe(200);
    await drain();
    expect((await findMemberByCustomer(db.sql, A, "gid://shopify/Customer/4"))?.points_available).toBe(10);
    expect((await findMemberByCustomer(db.sql, B, "gid://shopify/Customer/4"))?.points_available).toBe(30);
  });

  it("guests earn nothing, and the job still completes", async () => {
    const res = await send("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: paidOrder(null) }));
    expect(res.status).toBe(200);
    await drain();
    // (the metafield sync that earlier tests' points booked runs at the end of its window, later)
    const open = await db.sql.all(`SELECT * FROM jobs WHERE status <> 'done' AND kind <> 'metafields:sync'`);
    expect(open).toEqual([]);
  });

  it("accepts customers/data_request without the API-version header and produces the report", async () => {
    // Raw JSON: the customer id has more digits than a JavaScript number holds, as in Shopify's sample.
    const body = `{"shop_id":954889,"shop_domain":"${A}","orders_requested":[299938,280263],"customer":{"id":115310627314723954,"email":"john@example.com","phone":"555-625-1199"},"data_request":{"id":9999}}`;
    const res = await send("/webhooks/customers/data_request", signedDelivery({ topic: "customers/data_request", shop: A, body, apiVersion: null }));
    expect(res.status).toBe(200);
    await drain();
    const row = await db.sql.get<{ report: string }>(`SELECT report FROM data_requests WHERE shop = ? AND request_id = ?`, [A, "9999"]);
    const report = JSON.parse(row!.report);
    expect(report.member.email).toBe("john@example.com");
    expect(report.member.pointsAvailable).toBe(398);
    expect(report.entries).toHaveLength(1);
    // a non-compliance topic without the header is still refused (the library's rule)
    const other = await send("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: paidOrder(9), apiVersion: null }));
    expect(other.status).toBe(400);
  });

  it("customers/redact erases personal data and keeps the anonymous totals", async () => {
    const body = `{"shop_id":954889,"shop_domain":"${A}","customer":{"id":115310627314723954,"email":"john@example.com","phone":"555-625-1199"},"orders_to_redact":[299938]}`;
    expect((await send("/webhooks/customers/redact", signedDelivery({ topic: "customers/redact", shop: A, body }))).status).toBe(200);
    await drain();
    expect(await findMemberByCustomer(db.sql, A, "gid://shopify/Customer/115310627314723954")).toBeUndefined();
    const leftovers = await db.sql.all(`SELECT * FROM members WHERE email = ?`, ["john@example.com"]);
    expect(leftovers).toEqual([]);
    const report = await db.sql.get<{ report: string }>(`SELECT report FROM data_requests WHERE request_id = ?`, ["9999"]);
    expect(report?.report).not.toContain("john@example.com");
    const redacted = await db.sql.get<{ points_available: number }>(`SELECT points_available FROM members WHERE shop = ? AND redacted_at IS NOT NULL`, [A]);
    expect(redacted?.points_available).toBe(398);
  });

  it("app/uninstalled tolerates a shop without a session, and shop/redact removes the shop's data only", async () => {
    expect((await send("/webhooks/app/uninstalled", signedDelivery({ topic: "app/uninstalled", shop: B, body: { id: 1, name: "Beta", domain: B } }))).status).toBe(200);
    await drain();
    expect((await send("/webhooks/shop/redact", signedDelivery({ topic: "shop/redact", shop: B, body: { shop_id: 2, shop_domain: B } }))).status).toBe(200);
    await drain();
    expect(await db.sql.all(`SELECT * FROM members WHERE shop = ?`, [B])).toEqual([]);
    expect(await db.sql.all(`SELECT * FROM ledger_entries WHERE shop = ?`, [B])).toEqual([]);
    expect((await db.sql.all(`SELECT * FROM members WHERE shop = ?`, [A])).length).toBeGreaterThan(0);
  });

  it("afterwards every balance equals the sum of its entries", async () => {
    const r = await checkBalances(db.sql, A);
    expect(r.members).toBeGreaterThan(3);
    expect(r.mismatched).toEqual([]);
    expect(await db.sql.all(`SELECT * FROM jobs WHERE status = 'dead'`)).toEqual([]);
  });
});
