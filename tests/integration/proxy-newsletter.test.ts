// Subscribing to the newsletter from the storefront panel: the app asks Shopify (the offline store,
// through Shopify's library and the shop's offline session) to record the consent; the points come
// later from the customers/update webhook. Nothing is recorded when Shopify fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { defaultProgram } from "~/domain/program";
import { saveProgram } from "~/models/earning.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
const SHOP = "stammkunde-dev.myshopify.com";
type Route = (args: { request: Request; params: object; context: object }) => Promise<Response>;
let action: Route;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  Object.assign(process.env, {
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_SECRET,
    SHOPIFY_APP_URL: "https://app.example.com",
    DATABASE_URL: db.url,
    SHOPIFY_ADMIN_ORIGIN: store.url,
  });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "x", isOnline: false, accessToken: store.shops.accessToken(SHOP), scope: "write_customers" }));
  action = (await import("~/routes/proxy.newsletter")).action as never;
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

function post(customer: number | null, secret = TEST_SECRET) {
  const q = signAppProxyQuery(secret, new URLSearchParams({ locale: "de" }), { shop: SHOP, loggedInCustomerId: customer, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
  return action({ request: new Request(`https://app.example.com/proxy/newsletter?${q}`, { method: "POST", body: "{}" }), params: {}, context: {} }).catch((e: Response) => e);
}
const state = (id: number) => store.customers.get(id)!.emailMarketing.state;
async function program(newsletter: boolean) {
  const p = defaultProgram();
  p.actions.newsletter.enabled = newsletter;
  await db.sql.tx((q) => saveProgram(q, SHOP, p));
}

describe(`newsletter from the panel on ${TEST_DB}`, () => {
  it("records the shopper's consent in Shopify", async () => {
    await program(true);
    const id = store.customers.create({ firstName: "Nina", email: "nina@example.com" }).id;
    expect(state(id)).toBe("NOT_SUBSCRIBED");
    const res = await post(id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "subscribed" });
    expect(state(id)).toBe("SUBSCRIBED");
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("refuses guests, forged signatures and shops that don't reward it, changing nothing", async () => {
    const id = store.customers.create({ firstName: "Olaf", email: "olaf@example.com" }).id;
    expect((await post(null)).status).toBe(403);
    expect((await post(id, "wrong-secret")).status).toBe(401);
    await program(false);
    expect((await post(id)).status).toBe(409);
    expect(state(id)).toBe("NOT_SUBSCRIBED");
    await program(true);
  });

  it("answers 502 and changes nothing when Shopify fails; Shopify's own refusal is a 422", async () => {
    const id = store.customers.create({ firstName: "Paul", email: "paul@example.com" }).id;
    store.faults.failNext(1, 500);
    expect((await post(id)).status).toBe(502);
    expect(state(id)).toBe("NOT_SUBSCRIBED");
    const noEmail = store.customers.create({ firstName: "Quirin" }).id;
    const res = await post(noEmail);
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatch(/email/i);
  });
});
