// The Remix door: each topic's route file verifies through authenticate.webhook (Shopify's
// library) and records the delivery exactly like the lean path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Worker } from "~/jobs/worker.server";
import { findMemberByCustomer } from "~/models/ledger.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { paidOrder, signedDelivery, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
const A = "alpha.myshopify.com";
type Action = (args: { request: Request; params: object; context: object }) => Promise<Response>;
let ordersPaid: Action;
let dataRequest: Action;

beforeAll(async () => {
  db = await freshDatabase();
  Object.assign(process.env, {
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_SECRET,
    SHOPIFY_APP_URL: "https://app.example.com",
    DATABASE_URL: db.url,
  });
  ordersPaid = (await import("~/routes/webhooks.orders.paid")).action as unknown as Action;
  dataRequest = (await import("~/routes/webhooks.customers.data_request")).action as unknown as Action;
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await db?.drop();
});

function request(path: string, d: { headers: Record<string, string>; body: string }) {
  return { request: new Request(`https://app.example.com${path}`, { method: "POST", headers: d.headers, body: d.body }), params: {}, context: {} };
}

describe(`webhook route files on ${TEST_DB}`, () => {
  it("401 for a wrong HMAC, 400 for malformed JSON, nothing written", async () => {
    const wrong = await ordersPaid(request("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: paidOrder(1), secret: "nope" })));
    expect(wrong.status).toBe(401);
    const malformed = await ordersPaid(request("/webhooks/orders/paid", signedDelivery({ topic: "orders/paid", shop: A, body: "{not json" })));
    expect(malformed.status).toBe(400);
    expect(await db.sql.all(`SELECT * FROM webhook_deliveries`)).toEqual([]);
  });

  it("a topic sent to another topic's route is refused", async () => {
    const res = await ordersPaid(request("/webhooks/orders/paid", signedDelivery({ topic: "customers/create", shop: A, body: { id: 1 } })));
    expect(res.status).toBe(400);
  });

  it("records a signed orders/paid once, however often it arrives", async () => {
    const d = signedDelivery({ topic: "orders/paid", shop: A, body: paidOrder(11, "25.00") });
    const results = await Promise.all([1, 2, 3].map(() => ordersPaid(request("/webhooks/orders/paid", d))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await new Worker({ sql: db.sql }).drain();
    expect((await findMemberByCustomer(db.sql, A, "gid://shopify/Customer/11"))?.points_available).toBe(25);
    expect(await db.sql.all(`SELECT * FROM ledger_entries`)).toHaveLength(1);
  });

  it("customers/data_request passes without the API-version header", async () => {
    const body = `{"shop_id":1,"shop_domain":"${A}","customer":{"id":11,"email":"c11@example.com"},"data_request":{"id":42}}`;
    const res = await dataRequest(request("/webhooks/customers/data_request", signedDelivery({ topic: "customers/data_request", shop: A, body, apiVersion: null })));
    expect(res.status).toBe(200);
  });
});
