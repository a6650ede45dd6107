// Fuzzing the webhook doors: every topic's route gets validly signed deliveries whose bodies are
// mutated (structure, types, raw bytes). The answer is 2xx (recorded) or 4xx (refused, nothing
// written), never a 5xx, a throw or a hang. Then the worker processes everything that was accepted:
// a hostile payload may fail its job (bounded retries, then dead) but never breaks the ledger.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { Worker } from "~/jobs/worker.server";
import { checkBalances, ensureMember, postEntry } from "~/models/ledger.server";
import { ensureShop } from "~/models/shops.server";
import { TOPICS, type Topic } from "~/webhooks/topics";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { paidOrder, refundOf, signedDelivery, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";
import { fuzz, jsonBody, printReport, Rng, runs, SEED } from "./fuzz";

const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "zweiter-laden.myshopify.com";
let db: TestDatabase;
let store: DevStore;
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
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  for (const s of [SHOP, OTHER]) await db.sql.tx((q) => ensureShop(q, s));
  const m = await db.sql.tx((q) => ensureMember(q, SHOP, "gid://shopify/Customer/7001", { email: "erika@example.com" }));
  await postEntry(db.sql, SHOP, { memberId: m, bucket: "available", points: 500, kind: "earn", reason: "purchase", idempotencyKey: "seed" });
  for (const topic of Object.keys(TOPICS) as Topic[]) routes[topic] = ((await import(`~/routes/${FILES[topic]}.tsx`)) as { action: Action }).action;
});
afterAll(async () => {
  printReport(`webhook fuzz on ${TEST_DB}`);
  const { database } = await import("~/db.server");
  await (await database()).close();
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
    }, 600_000);
  }

  it("the worker took every accepted hostile payload: jobs ended done or dead (bounded), the ledger adds up", async () => {
    expect(workerSeen.queued + workerSeen.running).toBe(0);
    for (const shop of [SHOP, OTHER]) expect((await checkBalances(db.sql, shop)).mismatched).toEqual([]);
    console.log(`worker after the webhook fuzz: ${JSON.stringify(workerSeen)}`);
  }, 600_000);
});
