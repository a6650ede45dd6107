// The API keys page as Shopify's library sees it (App Bridge session tokens from the offline
// store): a key is made with its scopes and shown once, works at once, is listed without its
// secret, and is refused from the moment it is revoked; another shop's key can't be revoked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { mintSessionToken } from "../../devstore/auth/jwt.ts";
import { createApiKey } from "~/models/api-keys.server";
import { listAudit } from "~/models/audit.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "zweiter-laden.myshopify.com";
type Route = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
let page: { loader: Route; action: Route };
let rewards: Route;
let adjust: Route;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "x", isOnline: false, accessToken: store.shops.accessToken(SHOP), scope: "read_customers" }));
  page = (await import("~/routes/app.api-keys")) as never;
  rewards = (await import("~/routes/api.v1.rewards")).loader as never;
  adjust = (await import("~/routes/api.v1.members.$id.adjustments")).action as never;
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

const bearer = () => `Bearer ${mintSessionToken({ shop: SHOP, apiKey: TEST_API_KEY, secret: TEST_SECRET, nowMs: Date.now(), userId: 77 }).token}`;
async function call(route: Route, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", bearer());
  try {
    const r = await route({ request: new Request("https://app.example.com/app/api-keys", { ...init, headers }), params: {}, context: {} });
    return r instanceof Response ? r : new Response(JSON.stringify(r), { status: 200, headers: { "Content-Type": "application/json" } });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
const submit = (fields: Array<[string, string]>) => call(page.action, { method: "POST", body: new URLSearchParams(fields) });
const api = (route: Route, key: string, init: RequestInit = {}, params: Record<string, string> = {}) =>
  route({ request: new Request("https://app.example.com/api/v1/x", { ...init, headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${key}` } }), params, context: {} }) as Promise<Response>;

describe(`API keys page on ${TEST_DB}`, () => {
  it("names missing fields (422) and makes nothing", async () => {
    const r = await submit([["intent", "create"], ["label", " "]]);
    expect(r.status).toBe(422);
    expect((await r.json()).fieldErrors).toEqual({ label: "label.required", scopes: "scopes.required" });
    expect((await (await call(page.loader)).json()).keys).toEqual({ items: [], next: null, prev: null });
  });

  it("makes a read-only key shown once, which reads but can't write, and lists it without the secret", async () => {
    const r = await submit([["intent", "create"], ["label", "HubSpot"], ["scope", "read"]]);
    expect(r.status).toBe(200);
    const made = (await r.json()) as { key: string; prefix: string };
    expect(made.key).toMatch(/^stk_/);
    expect((await api(rewards, made.key)).status).toBe(200);
    const write = await api(adjust, made.key, { method: "POST", body: JSON.stringify({ type: "award", points: 1, reason: "x" }), headers: { "Idempotency-Key": "k1" } }, { id: "1" });
    expect(write.status).toBe(403);
    const listed = (await (await call(page.loader)).json()) as { keys: { items: Array<Record<string, unknown>> } };
    expect(listed.keys.items).toEqual([expect.objectContaining({ prefix: made.prefix, label: "HubSpot", scopes: ["read"], revokedAt: null, lastUsedAt: expect.any(String) })]);
    expect(JSON.stringify(listed)).not.toContain(made.key);
  });

  it("revokes a key of its shop (refused from then on), not another shop's, and audits both", async () => {
    const { key, prefix } = await createApiKey(db.sql, SHOP, "Zapier");
    const other = await createApiKey(db.sql, OTHER, "theirs");
    expect((await api(rewards, key)).status).toBe(200);
    expect((await submit([["intent", "revoke"], ["prefix", prefix]])).status).toBe(200);
    expect((await api(rewards, key)).status).toBe(401);
    expect((await submit([["intent", "revoke"], ["prefix", prefix]])).status).toBe(404);
    expect((await submit([["intent", "revoke"], ["prefix", other.prefix]])).status).toBe(404);
    expect((await api(rewards, other.key)).status).toBe(200);
    const audit = await listAudit(db.sql, SHOP, { limit: 10 });
    expect(audit.entries.map((e) => e.action).sort()).toEqual(["api_key_create", "api_key_revoke"]);
  });
});
