// The storefront's door: app proxy requests signed the way Shopify signs them (the offline store's
// signer), verified by Shopify's library in the app. The shopper comes only from the signature.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
const A = "alpha.myshopify.com";
const B = "beta.myshopify.com";
type Loader = (args: { request: Request; params: object; context: object }) => Promise<Response>;
let member: Loader;

beforeAll(async () => {
  db = await freshDatabase();
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url });
  member = (await import("~/routes/proxy.member")).loader as unknown as Loader;
  const id = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/501"));
  await postEntry(db.sql, A, { memberId: id, bucket: "available", points: 250, kind: "earn", reason: "purchase", idempotencyKey: "earn:501" });
  const other = await db.sql.tx((q) => ensureMember(q, B, "gid://shopify/Customer/501"));
  await postEntry(db.sql, B, { memberId: other, bucket: "available", points: 9, kind: "earn", reason: "purchase", idempotencyKey: "earn:501" });
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await db?.drop();
});

function signed(shop: string, customerId: number | null, secret = TEST_SECRET): URLSearchParams {
  return signAppProxyQuery(secret, new URLSearchParams(), { shop, loggedInCustomerId: customerId, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
}
async function call(query: URLSearchParams | string) {
  const res = await member({ request: new Request(`https://app.example.com/proxy/member?${query.toString()}`), params: {}, context: {} }).catch((e) => e as Response);
  return { status: res.status, body: res.status === 200 ? await res.json() : null, cache: res.headers.get("cache-control") };
}

describe(`app proxy on ${TEST_DB}`, () => {
  it("answers the logged-in shopper with their own balance, never cached", async () => {
    const r = await call(signed(A, 501));
    expect(r).toMatchObject({ status: 200, body: { loggedIn: true, member: { pointsAvailable: 250 } }, cache: "private, no-store" });
  });
  it("answers the same customer id in another shop with that shop's balance", async () => {
    expect((await call(signed(B, 501))).body.member.pointsAvailable).toBe(9);
  });
  it("treats a guest as a guest", async () => {
    expect((await call(signed(A, null))).body).toEqual({ loggedIn: false });
  });
  it("refuses an unsigned request, a wrong secret, and a tampered customer id with 401", async () => {
    expect((await call(new URLSearchParams({ shop: A, logged_in_customer_id: "501" }))).status).toBe(401);
    expect((await call(signed(A, 501, "not-the-secret"))).status).toBe(401);
    const q = signed(A, 502);
    q.set("logged_in_customer_id", "501");
    expect((await call(q)).status).toBe(401);
  });
  it("refuses a stale signature (older than 90 s)", async () => {
    const old = signAppProxyQuery(TEST_SECRET, new URLSearchParams(), { shop: A, loggedInCustomerId: 501, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) - 600 });
    expect((await call(old)).status).toBe(401);
  });
});
