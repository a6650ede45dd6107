// Secrets never logged, personal data minimised, redaction complete — checked by looking, not by
// trusting: representative flows run with every line of log output captured (the app's logger
// with DEBUG on, console, stdout and stderr), and no access token, API secret, SMTP password, API
// key, session token or shopper e-mail / IP may appear in it. Then every text column of every
// table is searched: IPs and user agents only as hashes, and after customers/redact (shop/redact)
// nothing of the customer (shop) is left anywhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { mintSessionToken } from "../../devstore/auth/jwt.ts";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { log } from "~/lib/logger.server";
import { Worker } from "~/jobs/worker.server";
import { createApiKey } from "~/models/api-keys.server";
import { createReward } from "~/models/redemptions.server";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { ensureShop } from "~/models/shops.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { paidOrder, signedDelivery, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const A = "stammkunde-dev.myshopify.com";
const GONE = "geschlossen.myshopify.com";
const APP = "https://app.example.com";
let db: TestDatabase;
let store: DevStore;
type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
const logged: string[] = [];
const restore: Array<() => void> = [];
const SMTP_PASSWORD = "Smtp-Passw0rt-Geheim!";
const IP = "203.0.113.77";
const UA = "Mozilla/5.0 (Fuzzfox; Geheim-Agent 42)";
const CUSTOMER = { email: "geheim-kunde@example.com", first: "Gerlinde", last: "Geheimnis", phone: "+4915112345678" };
let customerId = 0;
const secrets: Record<string, string> = { "API secret": TEST_SECRET };

function capture() {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return write(chunk as never, ...(rest as never[]));
    }) as typeof stream.write;
    restore.push(() => (stream.write = write));
  }
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[level];
    console[level] = (...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    };
    restore.push(() => (console[level] = original));
  }
}

async function call(handler: Handler, request: Request, params: Record<string, string> = {}): Promise<Response> {
  const r = await handler({ request, params, context: {} }).catch((e: unknown) => {
    if (e instanceof Response) return e;
    throw e;
  });
  return r instanceof Response ? r : new Response(JSON.stringify(r), { status: 200 });
}
const route = async (name: string) => (await import(`~/routes/${name}.tsx`)) as Record<string, Handler>;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: GONE, currency: "EUR" });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: APP, DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url, DEBUG: "1" });
  customerId = store.customers.create({ firstName: CUSTOMER.first, lastName: CUSTOMER.last, email: CUSTOMER.email, phone: CUSTOMER.phone }).id;
  capture();
});
afterAll(async () => {
  for (const r of restore.reverse()) r();
  delete process.env.DEBUG;
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

/** Every (table, column) whose text holds `needle`, across the whole database. */
async function findEverywhere(needle: string): Promise<string[]> {
  const columns =
    db.sql.dialect === "sqlite"
      ? await db.sql.all<{ t: string; c: string }>(`SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
      : await db.sql.all<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()`);
  const found: string[] = [];
  for (const { t, c } of columns) {
    const row = await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM "${t}" WHERE LOWER(CAST("${c}" AS TEXT)) LIKE ?`, [`%${needle.toLowerCase()}%`]);
    if (Number(row?.n)) found.push(`${t}.${c}`);
  }
  return found;
}

describe(`secrets never logged on ${TEST_DB}`, () => {
  it("install (token exchange), admin pages, SMTP settings, API keys, webhooks, the worker, a redemption and a referral click log none of them", async () => {
    // install: the first admin request of a shop exchanges its session token for an offline token
    const sessionToken = mintSessionToken({ shop: A, apiKey: TEST_API_KEY, secret: TEST_SECRET, nowMs: Date.now(), userId: 42 }).token;
    secrets["session token"] = sessionToken;
    const home = await call((await route("app._index")).loader!, new Request(`${APP}/app?embedded=1&shop=${A}&host=${btoa(`admin.shopify.com/store/${A.split(".")[0]}`)}&id_token=${sessionToken}`));
    // a new shop is sent on to the onboarding: authenticated, installed
    expect(home.status === 200 || (home.headers.get("location") ?? "").includes("/app/onboarding"), `${home.status} ${home.headers.get("location")}`).toBe(true);
    const { sessionStorage } = await import("~/shopify.server");
    const offline = await sessionStorage.loadSession(`offline_${A}`);
    expect(offline?.accessToken).toBeTruthy();
    secrets["access token"] = offline!.accessToken!;
    // the SMTP password is saved, then a test mail fails against a closed port
    const messaging = (await route("app.messaging")).action!;
    const form = (f: Record<string, string>) => new Request(`${APP}/app/messaging`, { method: "POST", headers: { Authorization: `Bearer ${sessionToken}`, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(f) });
    secrets["SMTP password"] = SMTP_PASSWORD;
    expect((await call(messaging, form({ intent: "smtp", host: "127.0.0.1", port: "5391", secure: "false", username: "laden", password: SMTP_PASSWORD, clearPassword: "false" }))).status).toBe(200);
    expect((await call(messaging, form({ intent: "test", to: "owner@example.com", lang: "de" }))).status).toBeLessThan(500);
    // an API key, created, used, and a wrong one
    const { key } = await db.sql.tx((q) => createApiKey(q, A, "crm"));
    secrets["API key"] = key;
    const events = (await route("api.v1.events")).action!;
    const api = (auth: string) => new Request(`${APP}/api/v1/events`, { method: "POST", headers: { Authorization: `Bearer ${auth}`, "Content-Type": "application/json" }, body: JSON.stringify({ customerId, event: "visit", points: 5, idempotencyKey: "v1" }) });
    expect((await call(events, api(key))).status).toBeLessThan(500);
    expect((await call(events, api(`${key}x`))).status).toBe(401);
    // webhooks: the customer signs up and orders; one delivery with a bad signature
    for (const [topic, body] of [
      ["customers/create", { id: customerId, admin_graphql_api_id: `gid://shopify/Customer/${customerId}`, email: CUSTOMER.email, first_name: CUSTOMER.first, last_name: CUSTOMER.last, phone: CUSTOMER.phone }],
      ["orders/paid", { ...paidOrder(customerId), email: CUSTOMER.email, browser_ip: IP }],
    ] as const) {
      const d = signedDelivery({ topic, shop: A, body });
      const action = (await route(`webhooks.${topic.replace("/", ".")}`)).action!;
      expect((await call(action, new Request(`${APP}/webhooks/${topic}`, { method: "POST", headers: d.headers, body: d.body }))).status).toBe(200);
      const forged = new Headers(d.headers);
      forged.set("x-shopify-hmac-sha256", "Zm9yZ2Vk");
      expect((await call(action, new Request(`${APP}/webhooks/${topic}`, { method: "POST", headers: forged, body: d.body }))).status).toBe(401);
    }
    await new Worker({ sql: db.sql, admin: async (shop) => devstoreAdmin(store, shop), log }).drain();
    // the shopper redeems and follows a referral link
    const reward = await db.sql.tx((q) => createReward(q, A, { type: "amount", amountMinor: 500, pointsCost: 1, texts: { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } } }));
    const member = await db.sql.tx((q) => ensureMember(q, A, `gid://shopify/Customer/${customerId}`));
    await postEntry(db.sql, A, { memberId: member, bucket: "available", points: 10, kind: "earn", reason: "purchase", idempotencyKey: "secrets-seed" });
    const signed = signAppProxyQuery(TEST_SECRET, new URLSearchParams(), { shop: A, loggedInCustomerId: customerId, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
    const headers = { "Content-Type": "application/json", "X-Forwarded-For": IP, "User-Agent": UA };
    expect((await call((await route("proxy.rewards")).action!, new Request(`${APP}/proxy/rewards?${signed}`, { method: "POST", headers, body: JSON.stringify({ rewardId: reward, idempotencyKey: "secrets-1" }) }))).status).toBeLessThan(500);
    const code = (await db.sql.get<{ code: string }>(`SELECT code FROM referral_codes WHERE shop = ? LIMIT 1`, [A]).catch(() => undefined))?.code ?? "NOCODE234";
    const guest = signAppProxyQuery(TEST_SECRET, new URLSearchParams(), { shop: A, loggedInCustomerId: null, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
    expect((await call((await route("proxy.r.$code")).loader!, new Request(`${APP}/proxy/r/${code}?${guest}`, { headers }), { code })).status).toBeLessThan(500);

    const output = logged.join("\n");
    expect(output.length, "the flows logged something (the capture works)").toBeGreaterThan(0);
    for (const [what, value] of Object.entries({ ...secrets, "shopper e-mail": CUSTOMER.email, "shopper IP": IP, "shopper phone": CUSTOMER.phone })) {
      expect(output.includes(value), `${what} appeared in the log output`).toBe(false);
    }
  }, 120_000);

  it("IP addresses and user agents are stored only as hashes, in every table", async () => {
    expect(await findEverywhere(IP)).toEqual([]);
    expect(await findEverywhere("Geheim-Agent")).toEqual([]);
    // and the secrets at rest: no SMTP password, no API key in clear
    expect(await findEverywhere(SMTP_PASSWORD)).toEqual([]);
    expect(await findEverywhere(secrets["API key"]!)).toEqual([]);
  });
});

describe(`GDPR redaction, searched in every column of every table, on ${TEST_DB}`, () => {
  it("after customers/redact nothing of the customer is left: e-mail, names, phone, customer id", async () => {
    const needles = [CUSTOMER.email, CUSTOMER.first, CUSTOMER.last, CUSTOMER.phone, `gid://shopify/Customer/${customerId}`];
    // the flows above left the customer in several tables
    expect((await findEverywhere(CUSTOMER.email)).length).toBeGreaterThan(0);
    const d = signedDelivery({ topic: "customers/redact", shop: A, body: { shop_id: 1, shop_domain: A, customer: { id: customerId, email: CUSTOMER.email, phone: CUSTOMER.phone }, orders_to_redact: [] } });
    const res = await call((await route("webhooks.customers.redact")).action!, new Request(`${APP}/webhooks/customers/redact`, { method: "POST", headers: d.headers, body: d.body }));
    expect(res.status).toBe(200);
    await new Worker({ sql: db.sql, admin: async (shop) => devstoreAdmin(store, shop) }).drain();
    const left: Record<string, string[]> = {};
    for (const n of [...needles, String(customerId)]) {
      const found = await findEverywhere(n);
      if (found.length) left[n] = found;
    }
    expect(left).toEqual({});
  }, 120_000);

  it("after shop/redact nothing of the shop is left", async () => {
    await db.sql.tx((q) => ensureShop(q, GONE));
    const m = await db.sql.tx((q) => ensureMember(q, GONE, "gid://shopify/Customer/991", { email: "kundin@geschlossen.example", firstName: "Kundin" }));
    await postEntry(db.sql, GONE, { memberId: m, bucket: "available", points: 10, kind: "earn", reason: "purchase", idempotencyKey: "gone" });
    await db.sql.tx((q) => createApiKey(q, GONE, "crm"));
    for (const [topic, body] of [["app/uninstalled", { id: 2, domain: GONE, myshopify_domain: GONE }], ["shop/redact", { shop_id: 2, shop_domain: GONE }]] as const) {
      const d = signedDelivery({ topic, shop: GONE, body });
      const res = await call((await route(`webhooks.${topic.replace("/", ".")}`)).action!, new Request(`${APP}/webhooks/${topic}`, { method: "POST", headers: d.headers, body: d.body }));
      expect(res.status).toBe(200);
      await new Worker({ sql: db.sql }).drain();
    }
    expect(await findEverywhere("kundin@geschlossen.example")).toEqual([]);
    expect(await findEverywhere("Kundin")).toEqual([]);
    expect(await findEverywhere(GONE)).toEqual([]);
  }, 120_000);
});
