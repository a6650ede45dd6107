// The UI extensions' backends (customer accounts, checkout and thank-you, POS) with session tokens
// minted by the offline store exactly as Shopify signs them, verified by Shopify's library; the
// app's Admin API client is the shop's offline session pointed at the offline store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, mintExtensionToken, type DevStore } from "../../devstore/index.ts";
import { orderPayload } from "../../devstore/webhooks/payloads.ts";
import { ensureMember, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { createReward } from "~/models/redemptions.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { pipeline } from "../helpers/pipeline";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
const SHOP = "stammkunde-dev.myshopify.com";
const OTHER_SHOP = "zweiter-laden.myshopify.com";
const APP = "https://app.example.com";
type Route = (args: { request: Request; params: object; context: object }) => Promise<Response>;
const routes: Record<string, { loader: Route; action?: Route }> = {};
let erika: number; // 600 points
let max: number; // 50 points
let otherShopCustomer: number;
let rewardId: number;
const gid = (id: number) => `gid://shopify/Customer/${id}`;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: OTHER_SHOP, currency: "EUR" });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: APP, DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [SHOP, OTHER_SHOP]) {
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "write_discounts,read_customers" }));
  }
  for (const name of ["api.extension.member", "api.extension.redeem", "api.extension.order", "api.pos.customers", "api.pos.member", "api.pos.redeem"]) {
    routes[name] = (await import(`~/routes/${name}.tsx`)) as never;
  }
  erika = store.customers.create({ firstName: "Erika", lastName: "Muster", email: "erika@example.com" }).id;
  max = store.customers.create({ firstName: "Max", email: "max@example.com" }).id;
  otherShopCustomer = store.customers.create({ shop: OTHER_SHOP, firstName: "Zoe", email: "zoe@example.com" }).id;
  const erikaMember = await db.sql.tx((q) => ensureMember(q, SHOP, gid(erika)));
  await postEntry(db.sql, SHOP, { memberId: erikaMember, bucket: "available", points: 600, kind: "earn", reason: "purchase", idempotencyKey: "seed-erika" });
  const maxMember = await db.sql.tx((q) => ensureMember(q, SHOP, gid(max)));
  await postEntry(db.sql, SHOP, { memberId: maxMember, bucket: "available", points: 50, kind: "earn", reason: "purchase", idempotencyKey: "seed-max" });
  rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 500, pointsCost: 500, texts: { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } } }));
  await db.sql.tx((q) => createReward(q, SHOP, { type: "percentage", percent: 20, pointsCost: 2000, texts: { en: { title: "20% off" }, de: { title: "20 % Rabatt" } } }));
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

const checkoutToken = (customerId: number | null, opts: { shop?: string; overrides?: Record<string, unknown> } = {}) => store.auth.extensionToken("checkout", { customerId, ...opts });
const accountToken = (customerId: number | null, opts: { shop?: string; overrides?: Record<string, unknown> } = {}) => store.auth.extensionToken("customer-account", { customerId, ...opts });

async function call(route: string, path: string, token: string | null, init: RequestInit & { kind?: "loader" | "action" } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  headers.set("Origin", "https://extensions.shopifycdn.com");
  const request = new Request(`${APP}${path}`, { ...init, headers });
  const fn = (init.kind ?? (init.method && init.method !== "GET" && init.method !== "OPTIONS" ? "action" : "loader")) === "action" ? routes[route]!.action! : routes[route]!.loader;
  return fn({ request, params: {}, context: {} }).catch((e: unknown) => {
    if (e instanceof Response) return e;
    throw e;
  });
}
const points = async (shop: string, customerId: number) => (await findMemberByCustomer(db.sql, shop, gid(customerId)))?.points_available ?? 0;

describe(`extension backends on ${TEST_DB}: who may see what`, () => {
  it("a valid customer-account token gets that customer's view, in German, with CORS for Shopify's extension origin", async () => {
    const res = await call("api.extension.member", "/api/extension/member?surface=customer-account&locale=de", accountToken(erika));
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    const body = await res.json();
    expect(body).toMatchObject({ loggedIn: true, balance: 600, pending: 0, currency: "EUR" });
    expect(body.rewards.map((r: { title: string; affordable: boolean }) => [r.title, r.affordable])).toEqual([
      ["5 € Rabatt", true],
      ["20 % Rabatt", false],
    ]);
    expect(body.history).toEqual([expect.objectContaining({ points: 600, reason: "purchase" })]);
    expect(body.earning).toMatchObject({ enabled: true, pointsPerUnit: 1, rounding: "down", currency: "EUR", exponent: 2 });
  });

  it("answers the CORS preflight without a token", async () => {
    const res = await call("api.extension.redeem", "/api/extension/redeem?surface=checkout", null, { method: "OPTIONS", kind: "loader" });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Headers")).toMatch(/Authorization/);
  });

  it("refuses a missing, expired, other-app or wrong-audience token with 401, readable by the extension", async () => {
    const old = Math.floor(Date.now() / 1000) - 900;
    const otherApp = mintExtensionToken({ surface: "checkout", shop: SHOP, apiKey: "another-app", secret: "another-secret", nowMs: Date.now(), customerId: erika }).token;
    const cases = {
      none: null,
      expired: accountToken(erika, { overrides: { exp: old, nbf: old - 300, iat: old - 300 } }),
      notYetValid: accountToken(erika, { overrides: { nbf: Math.floor(Date.now() / 1000) + 600 } }),
      otherApp,
      wrongAudience: accountToken(erika, { overrides: { aud: "another-app" } }),
      garbage: "abc.def.ghi",
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await call("api.extension.member", "/api/extension/member?surface=customer-account", token);
      expect([name, res.status]).toEqual([name, 401]);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    }
  });

  it("the customer is the token's only: ids in the query or body are ignored", async () => {
    const res = await call("api.extension.member", `/api/extension/member?surface=checkout&customerId=${erika}&logged_in_customer_id=${erika}`, checkoutToken(max));
    expect(await res.json()).toMatchObject({ loggedIn: true, balance: 50 });
    // Max redeems "for Erika": the body's customer is ignored, Max has too few points, Erika keeps hers
    const redeem = await call("api.extension.redeem", "/api/extension/redeem?surface=checkout", checkoutToken(max), {
      method: "POST",
      body: JSON.stringify({ rewardId, idempotencyKey: "max-for-erika", customerId: erika, customerGid: gid(erika) }),
    });
    expect(redeem.status).toBe(409);
    expect(await points(SHOP, erika)).toBe(600);
    // a guest at checkout sees the catalogue, nothing of anyone, and can't redeem
    const guest = await (await call("api.extension.member", `/api/extension/member?surface=checkout&customerId=${erika}`, checkoutToken(null))).json();
    expect(guest).toMatchObject({ loggedIn: false, balance: 0, codes: [], history: [] });
    expect(guest.rewards.every((r: { affordable: boolean }) => !r.affordable)).toBe(true);
    expect((await call("api.extension.redeem", "/api/extension/redeem", checkoutToken(null), { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: "guest" }) })).status).toBe(403);
    // customer accounts always have a buyer
    expect((await call("api.extension.member", "/api/extension/member?surface=customer-account", accountToken(null))).status).toBe(403);
  });

  it("another shop's token sees that shop only, never this shop's members or rewards", async () => {
    const body = await (await call("api.extension.member", `/api/extension/member?surface=customer-account&shop=${SHOP}&customerId=${erika}`, accountToken(otherShopCustomer, { shop: OTHER_SHOP }))).json();
    expect(body).toMatchObject({ loggedIn: true, balance: 0, rewards: [], codes: [] });
    const redeem = await call("api.extension.redeem", `/api/extension/redeem?surface=customer-account&shop=${SHOP}`, accountToken(otherShopCustomer, { shop: OTHER_SHOP }), {
      method: "POST",
      body: JSON.stringify({ rewardId, idempotencyKey: "cross-shop" }),
    });
    expect(redeem.status).toBe(404);
    expect(await points(SHOP, erika)).toBe(600);
    // a token whose dest isn't a shop is refused
    expect((await call("api.extension.member", "/api/extension/member", checkoutToken(erika, { overrides: { dest: "evil.example.com" } }))).status).toBe(401);
    expect((await call("api.extension.member", "/api/extension/member?surface=admin", checkoutToken(erika))).status).toBe(400);
  });
});

describe(`checkout redemption on ${TEST_DB}`, () => {
  it("creates a real code in the store for the token's buyer, once per key, and takes the points", async () => {
    const body = JSON.stringify({ rewardId, idempotencyKey: "checkout-tap-1" });
    const res = await call("api.extension.redeem", "/api/extension/redeem?surface=checkout", checkoutToken(erika), { method: "POST", body });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const r = await res.json();
    expect(r).toMatchObject({ status: "issued", points: 500 });
    const discount = store.discounts.byCode(r.code);
    expect(discount).toBeDefined();
    expect(JSON.stringify(discount)).toContain(String(erika)); // only Erika may use it
    expect(await points(SHOP, erika)).toBe(100);
    const again = await call("api.extension.redeem", "/api/extension/redeem?surface=checkout", checkoutToken(erika), { method: "POST", body });
    expect(await again.json()).toMatchObject({ status: "issued", code: r.code });
    expect(await points(SHOP, erika)).toBe(100);
    const view = await (await call("api.extension.member", "/api/extension/member?surface=checkout", checkoutToken(erika))).json();
    expect(view.codes).toEqual([{ code: r.code, points: 500 }]);
  });

  it("takes no points when Shopify fails, and no code exists", async () => {
    const memberId = (await findMemberByCustomer(db.sql, SHOP, gid(erika)))!.id;
    await postEntry(db.sql, SHOP, { memberId, bucket: "available", points: 500, kind: "earn", reason: "purchase", idempotencyKey: "seed-erika-2" });
    store.faults.failNext(3, 503); // every attempt at creating the code fails; the lookup after finds none
    const res = await call("api.extension.redeem", "/api/extension/redeem?surface=checkout", checkoutToken(erika), { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: "checkout-fails" }) });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ status: "released", code: null });
    expect(await points(SHOP, erika)).toBe(600);
    const held = await db.sql.get<{ code: string }>(`SELECT code FROM redemptions WHERE shop = ? AND client_key = ?`, [SHOP, "checkout-fails"]);
    expect(store.discounts.byCode(held!.code)).toBeUndefined();
  });

  it("refuses bad bodies with 400 and 422, writing nothing", async () => {
    const post = (body: string) => call("api.extension.redeem", "/api/extension/redeem?surface=checkout", checkoutToken(erika), { method: "POST", body });
    expect((await post("{")).status).toBe(400);
    expect((await post("null")).status).toBe(400);
    const invalid = await post(JSON.stringify({ rewardId: "x" }));
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).fieldErrors).toEqual({ rewardId: "is required", idempotencyKey: "is required (1 to 100 characters)" });
    expect(await points(SHOP, erika)).toBe(600);
  });
});

describe(`thank-you and order status on ${TEST_DB}`, () => {
  it("shows the points the buyer's own order earned, and nothing of another buyer's order", async () => {
    const p = pipeline(db.sql);
    const order = store.orders.create({ customerId: erika, lineItems: [{ title: "Tee", price: "42.50", quantity: 1 }] }); // €42.50 with 19 % VAT included: €35.71 → 35 points
    await p.deliver("orders/paid", SHOP, orderPayload(store.shops.get(SHOP), store.orders.get(order.id)!, store.customers.get(erika)!));
    const orderGid = `gid://shopify/Order/${order.id}`;
    const mine = await (await call("api.extension.order", `/api/extension/order?orderId=${encodeURIComponent(orderGid)}`, checkoutToken(erika))).json();
    expect(mine).toMatchObject({ loggedIn: true, order: { status: "earned", points: 35, bucket: "available", releaseAt: null }, earning: { pointsPerUnit: 1 } });
    // the thank-you page knows the order as an OrderIdentity with the same number
    const identity = await (await call("api.extension.order", `/api/extension/order?orderId=${encodeURIComponent(`gid://shopify/OrderIdentity/${order.id}`)}`, checkoutToken(erika))).json();
    expect(identity.order).toMatchObject({ status: "earned", points: 35 });
    const theirs = await (await call("api.extension.order", `/api/extension/order?orderId=${encodeURIComponent(orderGid)}`, checkoutToken(max))).json();
    expect(theirs.order).toEqual({ status: "processing", points: 0, bucket: null, releaseAt: null, untilFulfilment: false });
    expect((await call("api.extension.order", "/api/extension/order?orderId=42", checkoutToken(erika))).status).toBe(422);
    expect(await (await call("api.extension.order", `/api/extension/order?orderId=${encodeURIComponent(orderGid)}`, checkoutToken(null))).json()).toEqual({ loggedIn: false });
  });
});

describe(`pending points on the thank-you page on ${TEST_DB}`, () => {
  it("says until when an order's points are pending", async () => {
    const { defaultProgram } = await import("~/domain/program");
    const { saveProgram } = await import("~/models/earning.server");
    const program = defaultProgram();
    program.purchase.pending = { mode: "days", days: 14 };
    await db.sql.tx((q) => saveProgram(q, SHOP, program));
    try {
      const order = store.orders.create({ customerId: max, lineItems: [{ title: "Tasse", price: "11.90", quantity: 1 }] });
      const before = Date.now();
      await pipeline(db.sql).deliver("orders/paid", SHOP, orderPayload(store.shops.get(SHOP), store.orders.get(order.id)!, store.customers.get(max)!));
      const body = await (await call("api.extension.order", `/api/extension/order?surface=customer-account&orderId=gid://shopify/Order/${order.id}`, accountToken(max))).json();
      expect(body.order).toMatchObject({ status: "earned", points: 10, bucket: "pending", untilFulfilment: false });
      const release = Date.parse(body.order.releaseAt);
      expect(release - before).toBeGreaterThanOrEqual(14 * 86_400_000 - 1000);
      expect(release - before).toBeLessThan(14 * 86_400_000 + 60_000);
    } finally {
      await db.sql.tx((q) => saveProgram(q, SHOP, defaultProgram()));
    }
  });
});

describe(`POS on ${TEST_DB}`, () => {
  const posToken = (opts: { shop?: string; overrides?: Record<string, unknown> } = {}) => store.auth.extensionToken("pos", { userId: 77, ...opts });

  it("staff look a customer up by name and see their points", async () => {
    const res = await call("api.pos.customers", "/api/pos/customers?q=Erika", posToken());
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.customers).toEqual([expect.objectContaining({ id: gid(erika), displayName: "Erika Muster", email: "erika@example.com", balance: await points(SHOP, erika) })]);
    expect((await (await call("api.pos.customers", '/api/pos/customers?q=email:"x"', posToken())).json()).customers).toEqual([]);
  });

  it("shows the member and redeems onto the cart: the code exists and applies to a POS order, which earns like an online one", async () => {
    const member = await (await call("api.pos.member", `/api/pos/member?customerId=${erika}&locale=de`, posToken())).json();
    expect(member).toMatchObject({ customer: { id: gid(erika) }, balance: 635, rewards: [expect.objectContaining({ title: "5 € Rabatt", affordable: true }), expect.anything()] });
    const res = await call("api.pos.redeem", "/api/pos/redeem", posToken(), { method: "POST", body: JSON.stringify({ customerId: erika, rewardId, idempotencyKey: "pos-1" }) });
    expect(res.status).toBe(200);
    const { code } = await res.json();
    expect(store.discounts.byCode(code)).toBeDefined();
    expect(await points(SHOP, erika)).toBe(135);
    // the POS order with the code: Shopify applies it, orders/paid (source_name "pos") earns and marks the code used
    const order = store.orders.create({ customerId: erika, lineItems: [{ title: "Mug", price: "30.00", quantity: 1 }], discountCodes: [code], sourceName: "pos" });
    const payload = orderPayload(store.shops.get(SHOP), store.orders.get(order.id)!, store.customers.get(erika)!) as Record<string, unknown>;
    expect(payload.source_name).toBe("pos");
    await pipeline(db.sql).deliver("orders/paid", SHOP, payload);
    expect(await points(SHOP, erika)).toBe(135 + 21); // €30 − €5 = €25, less 19 % VAT included: €21.01
    const used = await db.sql.get<{ status: string }>(`SELECT status FROM redemptions WHERE shop = ? AND client_key = ?`, [SHOP, "pos-1"]);
    expect(used?.status).toBe("used");
  });

  it("keeps staff inside their shop: another shop's customer is unknown here; tokens are verified like the others", async () => {
    expect((await call("api.pos.member", `/api/pos/member?customerId=${otherShopCustomer}`, posToken())).status).toBe(404);
    const redeem = await call("api.pos.redeem", "/api/pos/redeem", posToken(), { method: "POST", body: JSON.stringify({ customerId: otherShopCustomer, rewardId, idempotencyKey: "pos-cross" }) });
    expect(redeem.status).toBe(404);
    expect((await call("api.pos.member", "/api/pos/member?customerId=abc", posToken())).status).toBe(422);
    const old = Math.floor(Date.now() / 1000) - 600;
    expect((await call("api.pos.member", `/api/pos/member?customerId=${erika}`, posToken({ overrides: { exp: old, nbf: old - 60, iat: old - 60 } }))).status).toBe(401);
    expect((await call("api.pos.member", `/api/pos/member?customerId=${erika}`, posToken({ overrides: { aud: "another-app" } }))).status).toBe(401);
    expect((await call("api.pos.member", `/api/pos/member?customerId=${erika}`, null)).status).toBe(401);
    // a shop without the app's session can't be served
    store.shops.create({ domain: "ohne-app.myshopify.com" });
    expect((await call("api.pos.customers", "/api/pos/customers?q=a", posToken({ shop: "ohne-app.myshopify.com" }))).status).toBe(503);
  });
});
