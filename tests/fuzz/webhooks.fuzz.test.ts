// Fuzzing the webhook doors: every topic's route gets validly signed deliveries whose bodies are
// mutated (structure, types, raw bytes). The answer is 2xx (recorded) or 4xx (refused, nothing
// written), never a 5xx, a throw or a hang. Then the worker processes everything that was accepted:
// a hostile payload may fail its job (bounded retries, then dead) but never breaks the ledger.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { startWhatsAppStandIn, type WhatsAppStandIn } from "../../devstore/whatsapp/index.ts";
import { Worker } from "~/jobs/worker.server";
import { metaSignature } from "~/lib/meta-signature.server";
import { programOf, saveProgram } from "~/models/earning.server";
import { checkBalances, ensureMember, postEntry } from "~/models/ledger.server";
import { ensureShop } from "~/models/shops.server";
import { optIn, saveWhatsAppSettings } from "~/models/whatsapp.server";
import { TOPICS, type Topic } from "~/webhooks/topics";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { paidOrder, refundOf, signedDelivery, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";
import { doorTimeout, fuzz, hostile, jsonBody, ledgerAddsUp, mutateText, printReport, Rng, runs, SEED } from "./fuzz";

const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "zweiter-laden.myshopify.com";
let db: TestDatabase;
let store: DevStore;
let wa: WhatsAppStandIn;
type Action = (args: { request: Request; params: object; context: object }) => Promise<Response>;
const routes: Partial<Record<Topic, Action>> = {};

const order = paidOrder(7001);
const customer = { id: 7001, email: "erika@example.com", first_name: "Erika", last_name: "Muster", phone: "+49301234567", admin_graphql_api_id: "gid://shopify/Customer/7001", accepts_marketing: true, state: "enabled", tags: "vip", currency: "EUR", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-02T00:00:00Z" };
const BODIES: Record<Topic, unknown> = {
  ORDERS_PAID: order,
  ORDERS_CANCELLED: { ...order, cancelled_at: "2026-11-20T10:00:00Z", cancel_reason: "customer" },
  ORDERS_FULFILLED: { ...order, fulfillment_status: "fulfilled" },
  REFUNDS_CREATE: refundOf(order, [{ index: 0, quantity: 1 }]),
  CUSTOMERS_CREATE: customer,
  CUSTOMERS_UPDATE: customer,
  CUSTOMERS_DELETE: { id: 7001, admin_graphql_api_id: "gid://shopify/Customer/7001" },
  APP_UNINSTALLED: { id: 1, name: "Dev", domain: SHOP, myshopify_domain: SHOP, email: "owner@example.com" },
  APP_SCOPES_UPDATE: { id: 1, previous: ["read_orders"], current: ["read_orders", "write_discounts"], updated_at: "2026-11-20T10:00:00Z" },
  CUSTOMERS_DATA_REQUEST: { shop_id: 1, shop_domain: SHOP, orders_requested: [order.id], customer: { id: 7001, email: "erika@example.com", phone: "+49301234567" }, data_request: { id: 9 } },
  CUSTOMERS_REDACT: { shop_id: 1, shop_domain: SHOP, customer: { id: 7001, email: "erika@example.com", phone: "+49301234567" }, orders_to_redact: [order.id] },
  SHOP_REDACT: { shop_id: 1, shop_domain: SHOP },
};
const FILES: Record<Topic, string> = Object.fromEntries(Object.entries(TOPICS).map(([k, v]) => [k, `webhooks.${v.replace("/", ".")}`])) as Record<Topic, string>;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  // the Shopify library's INFO line per request would be 10,000 lines a door in a long run
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url, SHOPIFY_LOG_LEVEL: process.env.SHOPIFY_LOG_LEVEL ?? "error" });
  for (const s of [SHOP, OTHER]) await db.sql.tx((q) => ensureShop(q, s));
  const m = await db.sql.tx((q) => ensureMember(q, SHOP, "gid://shopify/Customer/7001", { email: "erika@example.com" }));
  await postEntry(db.sql, SHOP, { memberId: m, bucket: "available", points: 500, kind: "earn", reason: "purchase", idempotencyKey: "seed" });
  for (const topic of Object.keys(TOPICS) as Topic[]) routes[topic] = ((await import(`~/routes/${FILES[topic]}.tsx`)) as { action: Action }).action;
  // WhatsApp: both shops connected to the stand-in Meta API (replies go there when jobs run), and
  // Erika opted in with her phone, so the inbound commands reach her balance and rewards
  wa = await startWhatsAppStandIn({ accounts: [SHOP, OTHER].map((s) => ({ ...WA[s]!, templates: [] })) });
  for (const s of [SHOP, OTHER]) await db.sql.tx((q) => saveWhatsAppSettings(q, s, { ...WA[s]!, baseUrl: wa.url, apiVersion: "v23.0" }));
  await db.sql.tx((q) => optIn(q, SHOP, m, `+${WA_PHONE}`, "storefront"));
  // Meta lets a business answer only within 24 h of the customer's last message: the stand-in
  // learns of one through its own inbound(), so it is told once per phone the fuzz writes from
  for (const s of [SHOP, OTHER]) for (const from of WA_FROM) if (from) wa.inbound({ phoneNumberId: WA[s]!.phoneNumberId, from, text: "hi" });
  whatsapp = (await import("~/routes/webhooks.whatsapp")) as unknown as typeof whatsapp;
});
afterAll(async () => {
  printReport(`webhook fuzz on ${TEST_DB}`);
  const { database } = await import("~/db.server");
  await (await database()).close();
  await wa?.close();
  await store?.close();
  await db?.drop();
});

/** The mutated parts of a dead job's payload, against the topic's base body. */
function changed(kind: string, payload: string): string {
  const base = BODIES[kind.replace("webhook:", "") as Topic] as Record<string, unknown> | undefined;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(payload);
  } catch {
    return payload.slice(0, 500);
  }
  if (!base || !p || typeof p !== "object") return payload.slice(0, 500);
  const keys = new Set([...Object.keys(base), ...Object.keys(p)]);
  return [...keys].filter((k) => k !== "id" && k !== "admin_graphql_api_id" && JSON.stringify(base[k]) !== JSON.stringify(p[k])).map((k) => `${k}=${JSON.stringify(p[k])?.slice(0, 300)}`).join(", ");
}

const workerSeen = { done: 0, dead: 0, queued: 0, running: 0 };
/** Runs every job the fuzzed deliveries caused, retries included (the clock moved past each
 *  backoff), until only done and dead ones are left; a dead one must be a refused payload. */
async function drainAll(): Promise<void> {
  // (WhatsApp replies go to the stand-in Meta API the shops' settings point at)
  const worker = new Worker({ sql: db.sql, admin: async (shop) => devstoreAdmin(store, shop) });
  let now = Date.now();
  for (let round = 0; round < 40; round++) {
    while ((await worker.runOnce(now)) > 0);
    const pending = await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')`);
    if (!Number(pending?.n)) break;
    now += 3_700_000; // past the longest backoff
  }
  const rows = await db.sql.all<{ status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM jobs WHERE status <> 'done' OR finished_at IS NOT NULL GROUP BY status`);
  for (const r of rows) if (r.status === "queued" || r.status === "running") workerSeen[r.status] += Number(r.n);
  workerSeen.done += worker.stats.done;
  workerSeen.dead += worker.stats.dead;
  // a hostile payload is refused by the handler's schema (dead at once, permanently), never a
  // crash inside the handler (a TypeError on a missing field and the like)
  const dead = await db.sql.all<{ id: number; kind: string; last_error: string; payload: string }>(`SELECT id, kind, last_error, payload FROM jobs WHERE status = 'dead'`);
  const crashes = dead.filter((d) => /TypeError|RangeError|ReferenceError|SqliteError|violates|constraint/i.test(d.last_error));
  expect(crashes.map((d) => `${d.kind}: ${d.last_error.slice(0, 300)} (FUZZ_SEED=${SEED}) payload differs in ${changed(d.kind, d.payload)}`)).toEqual([]);
  await db.sql.run(`DELETE FROM jobs WHERE status = 'dead'`);
}

describe(`webhook fuzz on ${TEST_DB}`, () => {
  const topics = Object.keys(TOPICS) as Topic[];
  const perTopic = runs(200);
  for (const topic of topics) {
    it(`${TOPICS[topic]}: ${perTopic} validly signed, mutated bodies → 2xx or 4xx, nothing written on refusal`, async () => {
      const r = new Rng(SEED ^ topics.indexOf(topic) * 7919);
      const route = routes[topic]!;
      await fuzz(`webhooks.${TOPICS[topic]}`, perTopic, db.sql, () => {
        const body = jsonBody(r, BODIES[topic]);
        // mostly the shop that installed the app; sometimes another or a made-up one
        const shop = r.bool(0.85) ? SHOP : r.pick([OTHER, "unknown-shop.myshopify.com", "not a domain"]);
        const d = signedDelivery({ topic: TOPICS[topic], shop, body });
        return {
          call: () => route({ request: new Request(`https://app.example.com/webhooks/${TOPICS[topic]}`, { method: "POST", headers: d.headers, body: d.body }), params: {}, context: {} }),
          describe: () => `${shop} ${body}`,
        };
      });
      await drainAll();
    }, doorTimeout());
  }

  it("the worker took every accepted hostile payload: jobs ended done or dead (bounded), the ledger adds up", async () => {
    expect(workerSeen.queued + workerSeen.running).toBe(0);
    for (const shop of [SHOP, OTHER]) expect((await checkBalances(db.sql, shop)).mismatched).toEqual([]);
    console.log(`worker after the webhook fuzz: ${JSON.stringify(workerSeen)}`);
  }, doorTimeout());
});

const WA: Record<string, { phoneNumberId: string; accessToken: string; appSecret: string; verifyToken: string }> = {
  [SHOP]: { phoneNumberId: "106540352242922", accessToken: "EAAG-token-of-shop-a", appSecret: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", verifyToken: "verify-token-of-shop-a-123" },
  [OTHER]: { phoneNumberId: "209876543210987", accessToken: "EAAG-token-of-shop-b", appSecret: "ffeeddccbbaa99887766554433221100", verifyToken: "verify-token-of-shop-b-456" },
};
const WA_PHONE = "4915100000001";
const WA_FROM = [WA_PHONE, WA_PHONE, "4915100000002", "1", ""];
let whatsapp: { loader: Action; action: Action };

/** A delivery as Meta sends it: one message (text, button reply, quick reply) or a status update. */
function metaDelivery(r: Rng, shop: string, i: number): unknown {
  const ts = String(Math.floor(Date.now() / 1000));
  const from = r.pick(WA_FROM);
  const id = `wamid.fuzz-${i}-${r.int(1e9)}`;
  const value: Record<string, unknown> = { messaging_product: "whatsapp", metadata: { display_phone_number: "15550001111", phone_number_id: WA[shop]!.phoneNumberId }, contacts: [{ profile: { name: "Kunde" }, wa_id: from }] };
  const kind = r.int(5);
  if (kind === 4) value.statuses = [{ id: `wamid.out-${r.int(100)}`, status: r.pick(["sent", "delivered", "read", "failed"]), timestamp: ts, recipient_id: from, errors: r.bool(0.3) ? [{ code: 131047, title: "Re-engagement message" }] : undefined }];
  else {
    const text = r.pick(["Punkte", "points", "redeem", "Einlösen", "YES", "JA", "1", "STOP", "start", "help", "codes", "no"]);
    value.messages = [
      kind === 0 || kind === 1
        ? { from, id, timestamp: ts, type: "text", text: { body: text } }
        : kind === 2
          ? { from, id, timestamp: ts, type: "interactive", interactive: { type: "button_reply", button_reply: { id: r.pick(["sk:redeem", "sk:yes", "sk:no", "sk:reward:1", "sk:x"]), title: text } } }
          : { from, id, timestamp: ts, type: "button", button: { payload: r.pick(["STOP", "sk:redeem", "x"]), text } },
    ];
  }
  return { object: "whatsapp_business_account", entry: [{ id: `10${WA[shop]!.phoneNumberId}`, changes: [{ value, field: "messages" }] }] };
}

describe(`WhatsApp inbound fuzz on ${TEST_DB}`, () => {
  const count = runs(200);
  it(`webhooks.whatsapp action: ${count} deliveries signed with the shop's app secret, mutated bodies → 2xx or 4xx, nothing written on refusal`, async () => {
    const r = new Rng(SEED ^ 0x3a7a);
    const route = whatsapp.action;
    // the shop answers on WhatsApp (else every message is only recorded and ignored)
    await db.sql.tx(async (q) => {
      const p = programOf(await ensureShop(q, SHOP));
      p.messaging.channels.whatsapp.enabled = true;
      await saveProgram(q, SHOP, p);
    });
    await fuzz("webhooks.whatsapp action", count, db.sql, (i) => {
      const shop = r.bool(0.85) ? SHOP : OTHER;
      // a third as Meta sends it (so the accepted path and its jobs are reached), the rest mutated
      const base = metaDelivery(r, shop, i);
      const body = r.bool(0.3) ? JSON.stringify(base) : jsonBody(r, base);
      // mostly the owner's secret over the exact bytes; sometimes the other shop's, a damaged
      // header or none, which must be refused with nothing written
      const roll = r.int(20);
      const signature =
        roll < 16 ? metaSignature(body, WA[shop]!.appSecret) : roll === 16 ? metaSignature(body, WA[shop === SHOP ? OTHER : SHOP]!.appSecret) : roll === 17 ? mutateText(r, metaSignature(body, WA[shop]!.appSecret)) : roll === 18 ? String(hostile(r)) : null;
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (signature !== null) headers["X-Hub-Signature-256"] = signature.replace(/[^\x20-\x7e]/g, "?").trim();
      return {
        call: () => route({ request: new Request("https://app.example.com/webhooks/whatsapp", { method: r.bool(0.98) ? "POST" : "PUT", headers, body }), params: {}, context: {} }),
        describe: () => `${shop} sig=${headers["X-Hub-Signature-256"] ?? "(none)"} ${body}`,
      };
    }, { check: () => ledgerAddsUp(db.sql, [SHOP, OTHER], "webhooks.whatsapp") });
    // the accepted messages are answered by jobs: a hostile one ends done or dead, never a crash
    await drainAll();
    await ledgerAddsUp(db.sql, [SHOP, OTHER], "after the WhatsApp jobs");
  }, doorTimeout());

  it(`webhooks.whatsapp loader: ${count} verification handshakes with mutated parameters → 200 only with a known token`, async () => {
    const r = new Rng(SEED ^ 0x3a7b);
    await fuzz("webhooks.whatsapp loader", count, db.sql, () => {
      const q = new URLSearchParams({ "hub.mode": r.bool(0.8) ? "subscribe" : String(hostile(r)), "hub.challenge": r.bool(0.7) ? String(r.int(1e9)) : String(hostile(r)), "hub.verify_token": r.bool(0.5) ? r.pick(Object.values(WA)).verifyToken : r.bool(0.5) ? mutateText(r, WA[SHOP]!.verifyToken) : String(hostile(r)) });
      if (r.bool(0.2)) q.delete(r.pick(["hub.mode", "hub.challenge", "hub.verify_token"]));
      return {
        call: async () => {
          const res = await whatsapp.loader({ request: new Request(`https://app.example.com/webhooks/whatsapp?${q}`), params: {}, context: {} });
          // a 200 echoes the challenge, and only for a token some shop set
          if (res.status === 200) expect(Object.values(WA).map((w) => w.verifyToken)).toContain(q.get("hub.verify_token"));
          return res;
        },
        describe: () => String(q),
      };
    });
  }, doorTimeout());
});
