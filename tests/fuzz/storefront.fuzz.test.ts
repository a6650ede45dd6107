// Fuzzing the doors a shopper, a checkout, a POS or a merchant's system can reach: app proxy routes
// with a validly signed query whose parameters are mutated (and mutated bodies), the checkout /
// customer-account / POS backends with valid session tokens and mutated queries and bodies, and the
// merchant API with a valid key and mutated bodies. 4xx or a handled answer, never a 5xx, a throw
// or a hang; nothing written on a refusal (429 excepted: counting an attempt is the limiter's job).
import { afterAll, beforeAll, describe, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { hmacBase64 } from "../../devstore/auth/hmac.ts";
import { createApiKey } from "~/models/api-keys.server";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { programOf, saveProgram } from "~/models/earning.server";
import { createReward } from "~/models/redemptions.server";
import { ensureShop } from "~/models/shops.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";
import { doorTimeout, fuzz, hostile, jsonBody, ledgerAddsUp, mutateText, printReport, Rng, runs, SEED } from "./fuzz";

const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "zweiter-laden.myshopify.com";
const APP = "https://app.example.com";
let db: TestDatabase;
let store: DevStore;
type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
const mods: Record<string, { loader?: Handler; action?: Handler }> = {};
let erika: number;
let max: number;
let rewardId: number;
let apiKey: string;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: OTHER, currency: "EUR" });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: APP, DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url, STAMMKUNDE_PROXY_WAIT_MS: "2000", SHOPIFY_LOG_LEVEL: process.env.SHOPIFY_LOG_LEVEL ?? "error" });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [SHOP, OTHER]) {
    await db.sql.tx((q) => ensureShop(q, shop));
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "write_discounts,read_customers,write_customers" }));
  }
  erika = store.customers.create({ firstName: "Erika", lastName: "Muster", email: "erika@example.com" }).id;
  max = store.customers.create({ firstName: "Max", email: "max@example.com" }).id;
  for (const [c, pts] of [[erika, 100_000], [max, 50]] as const) {
    const m = await db.sql.tx((q) => ensureMember(q, SHOP, `gid://shopify/Customer/${c}`));
    await postEntry(db.sql, SHOP, { memberId: m, bucket: "available", points: pts, kind: "earn", reason: "purchase", idempotencyKey: `seed-${c}` });
  }
  // the WhatsApp sign-up in the panel answers 409 unless the shop sends WhatsApp messages
  await db.sql.tx(async (q) => {
    const p = programOf(await ensureShop(q, SHOP));
    p.messaging.channels.whatsapp.enabled = true;
    await saveProgram(q, SHOP, p);
  });
  rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 500, pointsCost: 500, texts: { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } } }));
  // a bucket big enough that the inputs reach the route, not only the rate limiter (its own tests
  // are in the API suite)
  apiKey = (await db.sql.tx((q) => createApiKey(q, SHOP, "fuzz", { ratePerMinute: 1_000_000 }))).key;
  for (const name of ["proxy._index", "proxy.rewards", "proxy.member", "proxy.birthday", "proxy.newsletter", "proxy.actions.social", "proxy.r.$code", "proxy.referral-claim", "proxy.whatsapp", "api.extension.member", "api.extension.order", "api.extension.redeem", "api.pos.customers", "api.pos.member", "api.pos.redeem", "api.v1.events", "api.v1.reviews", "api.v1.members.$id.adjustments", "api.v1.members.$id.redemptions", "api.v1.members.$id", "api.v1.members.$id.entries", "api.v1.members._index", "api.v1.rewards", "flow.award-points", "flow.deduct-points", "flow.set-tier", "flow.lifecycle"]) {
    mods[name] = (await import(`~/routes/${name}.tsx`)) as never;
  }
});
afterAll(async () => {
  printReport(`storefront, extension and API fuzz on ${TEST_DB}`);
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

const PROXY_PARAMS = ["locale", "q", "code", "after", "id", "customerId", "shop", "logged_in_customer_id", "path_prefix", "timestamp"];
/** A signed proxy query: the shopper (sometimes a hostile id), extra parameters with hostile values. */
function proxyQuery(r: Rng): URLSearchParams {
  const original = new URLSearchParams();
  for (let i = r.int(3); i > 0; i--) original.append(r.pick(PROXY_PARAMS.slice(0, 6)), String(hostile(r)));
  const customer = r.bool(0.8) ? r.pick([erika, max, erika]) : (r.pick([null, "abc", "-1", "0", "99999999999999999999", "1 OR 1=1"]) as number | string | null);
  return signAppProxyQuery(TEST_SECRET, original, { shop: r.bool(0.9) ? SHOP : OTHER, loggedInCustomerId: customer as never, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
}

const BODIES: Record<string, () => unknown> = {
  "proxy.rewards": () => ({ rewardId, idempotencyKey: "k-1" }),
  "proxy.birthday": () => ({ birthday: "05-17" }),
  "proxy.newsletter": () => ({}),
  "proxy.actions.social": () => ({ network: "instagram" }),
  "proxy.referral-claim": () => ({ code: "ABCDEFGH2", email: "friend@example.com", visit: "v1", device: "d1" }),
  "proxy.whatsapp": () => ({ phone: "+49 151 2345678", consent: true }),
  "api.extension.redeem": () => ({ rewardId, idempotencyKey: "ext-1", units: 1 }),
  "api.pos.redeem": () => ({ customerId: erika, rewardId, idempotencyKey: "pos-1" }),
  "api.v1.events": () => ({ customerId: erika, event: "visit", points: 5, idempotencyKey: "evt-1", note: "in store" }),
  "api.v1.reviews": () => ({ customerId: erika, productId: 632910392 }),
  "api.v1.members.$id.adjustments": () => ({ type: "award", points: 5, reason: "goodwill", note: "late parcel" }),
  "api.v1.members.$id.redemptions": () => ({ rewardId }),
  "flow.award-points": () => ({ shopify_domain: SHOP, action_run_id: "run-1", handle: "award-points", properties: { customer_id: erika, points: 5, reason: "fuzz" } }),
  "flow.deduct-points": () => ({ shopify_domain: SHOP, action_run_id: "run-1", handle: "deduct-points", properties: { customer_id: `gid://shopify/Customer/${erika}`, points: 3, reason: "fuzz" } }),
  "flow.lifecycle": () => ({ flow_trigger_definition_id: "points-earned", has_enabled_flow: true, shop_id: 1, shopify_domain: SHOP, timestamp: new Date().toISOString() }),
  "flow.set-tier": () => ({ shopify_domain: SHOP, action_run_id: "run-1", action_definition_id: "set-tier", properties: { customer_id: erika, tier: "gold", days: 30 } }),
};

/** What a header can carry at all (HTTP header values are bytes, without line breaks). */
const header = (v: string) => v.replace(/[^\x20-\x7e]/g, "?").trim().slice(0, 2000);

interface Door {
  name: string;
  kind: "loader" | "action";
  request: (r: Rng) => { request: Request; params: Record<string, string>; text: string };
}
const keyed = (r: Rng, base: unknown) => {
  // mostly fresh idempotency keys so the mutated requests reach past "duplicate"
  const b = structuredClone(base) as Record<string, unknown>;
  if (typeof b.idempotencyKey === "string") b.idempotencyKey = `${b.idempotencyKey}-${r.int(1e9)}`;
  return jsonBody(r, b);
};
const proxyDoor = (name: string, kind: "loader" | "action", path: string): Door => ({
  name,
  kind,
  request: (r) => {
    const q = proxyQuery(r);
    const body = kind === "action" ? (name === "proxy.referral-claim" && r.bool(0.3) ? mutateText(r, "code=ABCDEFGH2&email=friend%40example.com") : keyed(r, BODIES[name]!())) : undefined;
    const json = name !== "proxy.referral-claim" || (body ?? "").startsWith("{") || r.bool(0.5);
    const code = r.bool(0.5) ? "ABCDEFGH2" : String(hostile(r));
    const headers: Record<string, string> = { "Content-Type": json ? "application/json" : "application/x-www-form-urlencoded", "X-Forwarded-For": r.pick(["203.0.113.9", "", "not-an-ip", "1.2.3.4, 5.6.7.8", header(String(hostile(r)))]), "User-Agent": header(String(hostile(r))) };
    return { request: new Request(`${APP}${path}?${q}`, { method: kind === "loader" ? "GET" : "POST", headers, body }), params: { code }, text: `${path}?${q} code=${code} ${body ?? ""}` };
  },
});
const surfaces = ["checkout", "customer-account"] as const;
const extDoor = (name: string, kind: "loader" | "action", path: string, query: (r: Rng) => Record<string, string>): Door => ({
  name,
  kind,
  request: (r) => {
    const pos = name.startsWith("api.pos");
    const surface = pos ? "pos" : r.pick(surfaces);
    const token = pos ? store.auth.extensionToken("pos", { userId: 77, shop: r.bool(0.9) ? SHOP : OTHER }) : store.auth.extensionToken(surface, { customerId: r.bool(0.85) ? r.pick([erika, max]) : null });
    const params = new URLSearchParams({ surface: r.bool(0.9) ? surface : String(hostile(r)), ...query(r) });
    for (let i = r.int(3); i > 0; i--) params.set(r.pick(["locale", "orderId", "customerId", "q", "shop", r.string(4)]), String(hostile(r)));
    const body = kind === "action" ? keyed(r, BODIES[name]!()) : undefined;
    const headers = { Authorization: `Bearer ${token}`, Origin: "https://extensions.shopifycdn.com", "Content-Type": "application/json" };
    return { request: new Request(`${APP}${path}?${params}`, { method: kind === "loader" ? "GET" : "POST", headers, body }), params: {}, text: `${path}?${params} ${body ?? ""}` };
  },
});
const apiDoor = (name: string, path: string): Door => ({
  name,
  kind: "action",
  request: (r) => {
    const body = keyed(r, BODIES[name]!());
    return { request: new Request(`${APP}${path}`, { method: "POST", headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" }, body }), params: {}, text: body };
  },
});

/** The merchant API's member doors: the member reference in the path and the query mutated, and
 *  for the writes an Idempotency-Key header (mostly fresh, sometimes hostile or missing). */
const memberRef = (r: Rng) => (r.bool(0.7) ? r.pick([String(erika), `gid://shopify/Customer/${erika}`, "erika@example.com", String(max)]) : String(hostile(r)));
const apiV1Door = (name: string, kind: "loader" | "action", path: (ref: string) => string, query: (r: Rng) => Record<string, string> = () => ({})): Door => ({
  name,
  kind,
  request: (r) => {
    const ref = memberRef(r);
    const params = new URLSearchParams(query(r));
    for (let i = r.int(3); i > 0; i--) params.set(r.pick(["limit", "cursor", "email", "updated_since", r.string(4)]), String(hostile(r)));
    const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" };
    const key = r.int(10);
    if (kind === "action" && key < 8) headers["Idempotency-Key"] = key < 7 ? `fuzz-${r.int(1e9)}` : header(String(hostile(r)));
    // a quarter of the writes as documented (the strict schemas refuse nearly every mutated one)
    const base = kind === "action" ? BODIES[name]!() : undefined;
    const body = base === undefined ? undefined : r.bool(0.25) ? JSON.stringify(base) : jsonBody(r, base);
    if (body !== undefined && r.bool(0.9)) headers["Content-Length"] = String(Buffer.byteLength(body));
    const url = `${APP}${path(encodeURIComponent(ref))}?${params}`;
    return { request: new Request(url, { method: kind === "loader" ? "GET" : "POST", headers, body }), params: { id: ref }, text: `${url} ${JSON.stringify(headers["Idempotency-Key"] ?? null)} ${body ?? ""}` };
  },
});
const pageQuery = (r: Rng): Record<string, string> => (r.bool(0.5) ? { limit: r.pick(["1", "50", "250", "0", "251", "-1", "x"]) } : r.bool(0.5) ? { cursor: r.pick(["", "eyJ4IjoxfQ", "abc", "%%%"]) } : {});

/** A Flow action request: the envelope and properties mutated, signed with the app secret (as
 *  Shopify signs it), with a fresh action run id mostly so the mutated runs reach past "done". */
const flowDoor = (name: string, path: string): Door => ({
  name,
  kind: "action",
  request: (r) => {
    const base = BODIES[name]!() as Record<string, unknown>;
    if (name !== "flow.lifecycle") base.action_run_id = `run-${r.int(1e9)}`;
    const body = jsonBody(r, base);
    const signed = r.int(20);
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (signed < 18) headers["X-Shopify-Hmac-SHA256"] = hmacBase64(signed < 17 ? TEST_SECRET : "wrong-secret", body);
    return { request: new Request(`${APP}${path}`, { method: "POST", headers, body }), params: {}, text: `signed=${signed} ${body}` };
  },
});

const DOORS: Door[] = [
  proxyDoor("proxy._index", "loader", "/proxy"),
  proxyDoor("proxy.rewards", "loader", "/proxy/rewards"),
  proxyDoor("proxy.rewards", "action", "/proxy/rewards"),
  proxyDoor("proxy.member", "loader", "/proxy/member"),
  proxyDoor("proxy.birthday", "action", "/proxy/birthday"),
  proxyDoor("proxy.newsletter", "action", "/proxy/newsletter"),
  proxyDoor("proxy.actions.social", "action", "/proxy/actions/social"),
  proxyDoor("proxy.r.$code", "loader", "/proxy/r/ABCDEFGH2"),
  proxyDoor("proxy.referral-claim", "action", "/proxy/referral-claim"),
  proxyDoor("proxy.whatsapp", "action", "/proxy/whatsapp"),
  extDoor("api.extension.member", "loader", "/api/extension/member", () => ({})),
  extDoor("api.extension.order", "loader", "/api/extension/order", (r) => ({ orderId: r.pick(["gid://shopify/Order/1", "gid://shopify/Order/99999999999999999999999", "1", ""]) })),
  extDoor("api.extension.redeem", "action", "/api/extension/redeem", () => ({})),
  extDoor("api.pos.customers", "loader", "/api/pos/customers", (r) => ({ q: r.bool(0.5) ? "Erika" : String(hostile(r)) })),
  extDoor("api.pos.member", "loader", "/api/pos/member", (r) => ({ customerId: r.bool(0.5) ? String(erika) : String(hostile(r)) })),
  extDoor("api.pos.redeem", "action", "/api/pos/redeem", () => ({})),
  apiDoor("api.v1.events", "/api/v1/events"),
  apiDoor("api.v1.reviews", "/api/v1/reviews"),
  apiV1Door("api.v1.members.$id.adjustments", "action", (ref) => `/api/v1/members/${ref}/adjustments`),
  apiV1Door("api.v1.members.$id.redemptions", "action", (ref) => `/api/v1/members/${ref}/redemptions`),
  apiV1Door("api.v1.members.$id", "loader", (ref) => `/api/v1/members/${ref}`),
  apiV1Door("api.v1.members.$id.entries", "loader", (ref) => `/api/v1/members/${ref}/entries`, pageQuery),
  apiV1Door("api.v1.members._index", "loader", () => `/api/v1/members`, (r) => ({ ...pageQuery(r), ...(r.bool(0.3) ? { email: r.pick(["erika@example.com", "ERIKA@example.com", "x"]) } : {}), ...(r.bool(0.3) ? { updated_since: r.pick(["2026-11-01", "2026-11-01T00:00:00Z", "2026-02-30", "yesterday"]) } : {}) })),
  apiV1Door("api.v1.rewards", "loader", () => `/api/v1/rewards`),
  flowDoor("flow.award-points", "/flow/award-points"),
  flowDoor("flow.deduct-points", "/flow/deduct-points"),
  flowDoor("flow.set-tier", "/flow/set-tier"),
  flowDoor("flow.lifecycle", "/flow/lifecycle"),
];

describe(`storefront, extension and API fuzz on ${TEST_DB}`, () => {
  const count = runs(150);
  DOORS.forEach((door, n) => {
    it(`${door.name} ${door.kind}: ${count} signed requests with mutated parameters and bodies`, async () => {
      const r = new Rng(SEED ^ (n + 1) * 104729);
      const handler = mods[door.name]![door.kind]!;
      await fuzz(`${door.name} ${door.kind}`, count, db.sql, () => {
        const { request, params, text } = door.request(r);
        return { call: () => handler({ request, params, context: {} }), describe: () => text };
      }, { check: () => ledgerAddsUp(db.sql, [SHOP, OTHER], door.name) });
    }, doorTimeout());
  });
});
