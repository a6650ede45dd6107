// Shopify Flow's trigger lifecycle callback and what it saves (docs/decisions/0024), on SQLite and
// PostgreSQL with two shops: the devstore switches workflows on and off and signs the notice as
// Flow does; unsigned or forged → 401 and nothing written, malformed → 400; a trigger fires only
// while the shop has an enabled workflow using it; an event nobody consumes is not written. Then
// the retention job: expired API answers and old events go, per shop, in batches; recent ones stay.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { hmacBase64 } from "../../devstore/auth/hmac.ts";
import { handlers } from "~/jobs/handlers.server";
import { runDueSchedules } from "~/jobs/schedules.server";
import { Worker } from "~/jobs/worker.server";
import { recordAppEvent, recordAppEvents } from "~/models/app-events.server";
import { flowTriggerUsage } from "~/models/flow-usage.server";
import { createEndpoint } from "~/models/outbound-webhooks.server";
import { buildDataReport, redactCustomer } from "~/models/privacy.server";
import { APP_EVENT_RETENTION_MS, IDEMPOTENCY_TTL_MS, pruneExpired } from "~/models/retention.server";
import { ensureMember } from "~/models/ledger.server";
import { ensureShop } from "~/models/shops.server";
import { devstoreAdmin } from "../helpers/devstore";
import { startFlowApp } from "../helpers/flow-app";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const A = "lifecycle-eins.myshopify.com";
const B = "lifecycle-zwei.myshopify.com";
let db: TestDatabase;
let store: DevStore;
let app: Awaited<ReturnType<typeof startFlowApp>>;

const n = async (sql: string, params: unknown[] = []) => Number((await db.sql.get<{ n: number }>(sql, params))?.n ?? 0);
const flowJobs = (shop: string) => n(`SELECT COUNT(*) AS n FROM jobs WHERE shop = ? AND kind = 'flow:trigger'`, [shop]);
const events = (shop: string) => n(`SELECT COUNT(*) AS n FROM app_events WHERE shop = ?`, [shop]);
const flowWorker = () => new Worker({ sql: db.sql, admin: async (shop) => devstoreAdmin(store, shop) }, { handlers: { "flow:trigger": handlers["flow:trigger"]!, "hooks:deliver": handlers["hooks:deliver"]! } });

async function member(shop: string, email: string) {
  const c = store.customers.create({ shop, email });
  const gid = `gid://shopify/Customer/${c.id}`;
  return { id: c.id, gid, memberId: await db.sql.tx((q) => ensureMember(q, shop, gid)) };
}

/** A notice signed with `secret` (the app's unless told), POSTed to the app's callback. */
async function notice(body: string, secret: string | null = TEST_SECRET) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (secret !== null) headers["X-Shopify-Hmac-SHA256"] = hmacBase64(secret, body);
  const res = await fetch(`${app.url}/flow/lifecycle`, { method: "POST", headers, body });
  return { status: res.status, body: await res.text() };
}
const noticeBody = (o: Record<string, unknown> = {}) => JSON.stringify({ flow_trigger_definition_id: "points-earned", has_enabled_flow: true, shop_id: 1, shopify_domain: A, timestamp: new Date().toISOString(), ...o });

beforeAll(async () => {
  db = await freshDatabase();
  app = await startFlowApp();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET, appUrl: app.url, shops: [{ domain: A, currency: "EUR" }, { domain: B, currency: "EUR" }] });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [A, B]) {
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "read_customers,write_customers" }));
  }
});
afterAll(async () => {
  await store?.close();
  await app?.close();
  await db?.drop();
});

describe(`Flow trigger lifecycle callback on ${TEST_DB}`, () => {
  it("refuses an unsigned or forged notice with 401 and a malformed one with 400, writing nothing", async () => {
    expect((await notice(noticeBody(), null)).status).toBe(401);
    expect((await notice(noticeBody(), "not-the-app-secret")).status).toBe(401);
    // the devstore's Flow, forging: the app refuses, so the merchant can't switch the workflow on
    const forged = await store.flow.switchWorkflow("points-earned", true, { shop: A, secret: "not-the-app-secret" });
    expect(forged.callback!.status).toBe(401);
    expect(forged).toMatchObject({ enabled: false, hasEnabledFlow: false });
    expect((await notice("{not json")).status).toBe(400);
    const missing = await notice(JSON.stringify({ flow_trigger_definition_id: "points-earned", shopify_domain: A, timestamp: new Date().toISOString() }));
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).fieldErrors).toHaveProperty("has_enabled_flow");
    const unknown = await notice(noticeBody({ flow_trigger_definition_id: "points-burned" }));
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).fieldErrors).toHaveProperty("flow_trigger_definition_id");
    expect((await notice(noticeBody({ timestamp: "yesterday" }))).status).toBe(400);
    expect((await notice(noticeBody({ has_enabled_flow: "yes" }))).status).toBe(400);
    // a shop without a session (not installed): 400
    expect((await notice(noticeBody({ shopify_domain: "nobody.myshopify.com" }))).status).toBe(400);
    expect(await n(`SELECT COUNT(*) AS n FROM flow_trigger_usage`)).toBe(0);
  });

  it("fires a trigger only while a workflow uses it, per shop", async () => {
    const a = await member(A, "life-a@example.com");
    const b = await member(B, "life-b@example.com");
    const earn = (shop: string, memberId: number, key: string) => db.sql.tx((q) => recordAppEvent(q, shop, "points_earned", memberId, { points: 10, bucket: "available", order: null }, key));

    // no workflow: no job, and no event row (nobody consumes it)
    expect(await earn(A, a.memberId, "earned:none")).toBeNull();
    expect(await flowJobs(A)).toBe(0);
    expect(await events(A)).toBe(0);

    // the merchant switches a workflow on in shop A: Flow's signed notice reaches the app
    const on = await store.flow.switchWorkflow("points-earned", true, { shop: A });
    expect(on.callback!.status).toBe(200);
    expect(on).toMatchObject({ enabled: true, hasEnabledFlow: true });
    expect(JSON.parse(on.callback!.requestBody)).toMatchObject({ flow_trigger_definition_id: "points-earned", has_enabled_flow: true, shopify_domain: A });
    expect(await flowTriggerUsage(db.sql, A)).toEqual([{ handle: "points-earned", enabled: true, notifiedAt: expect.any(String) }]);
    expect(await flowTriggerUsage(db.sql, B)).toEqual([]);
    // a second workflow on the same trigger: Flow sends nothing new
    expect((await store.flow.switchWorkflow("points-earned", true, { shop: A, workflowId: "wf-2" })).callback).toBeNull();

    const idA = await earn(A, a.memberId, "earned:on");
    expect(idA).not.toBeNull();
    expect(await flowJobs(A)).toBe(1);
    // another kind in the same shop has no workflow: nothing
    expect(await db.sql.tx((q) => recordAppEvent(q, A, "tier_changed", a.memberId, { fromTier: null, toTier: "silver", direction: "up" }, "tier:1"))).toBeNull();
    // shop B has no workflow: nothing
    expect(await earn(B, b.memberId, "earned:b")).toBeNull();
    expect(await flowJobs(B)).toBe(0);
    expect(await events(B)).toBe(0);

    await flowWorker().drain();
    const sent = store.flow.triggers(A);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ handle: "points-earned", payload: { customer_id: a.id, Points: 10 }, workflowsStarted: 2 });
    expect(store.flow.triggers(B)).toEqual([]);
    expect(await db.sql.get(`SELECT flow_status FROM app_events WHERE shop = ? AND id = ?`, [A, idA])).toEqual({ flow_status: "sent" });

    // booked while on, switched off (both workflows) before the job ran: the job sends nothing
    const idLate = await earn(A, a.memberId, "earned:late");
    expect(await flowJobs(A)).toBe(2);
    expect((await store.flow.switchWorkflow("points-earned", false, { shop: A })).callback).toBeNull(); // wf-2 still on
    const off = await store.flow.switchWorkflow("points-earned", false, { shop: A, workflowId: "wf-2" });
    expect(off.callback!.status).toBe(200);
    expect(off.hasEnabledFlow).toBe(false);
    await flowWorker().drain();
    expect(store.flow.triggers(A)).toHaveLength(1);
    expect(await db.sql.get(`SELECT flow_status FROM app_events WHERE shop = ? AND id = ?`, [A, idLate])).toEqual({ flow_status: "off" });

    // off again: no job, no row
    expect(await earn(A, a.memberId, "earned:off")).toBeNull();
    expect(await flowJobs(A)).toBe(2);
    expect(await flowTriggerUsage(db.sql, A)).toEqual([{ handle: "points-earned", enabled: false, notifiedAt: expect.any(String) }]);
  });

  it("ignores a notice older than the one stored (Flow: newer timestamps win), answering 200", async () => {
    const t = Date.now();
    expect((await notice(noticeBody({ flow_trigger_definition_id: "reward-redeemed", shopify_domain: B, timestamp: new Date(t).toISOString() }))).status).toBe(200);
    const stale = await notice(noticeBody({ flow_trigger_definition_id: "reward-redeemed", shopify_domain: B, has_enabled_flow: false, timestamp: new Date(t - 60_000).toISOString() }));
    expect(stale.status).toBe(200);
    expect(JSON.parse(stale.body)).toMatchObject({ result: "stale" });
    expect(await flowTriggerUsage(db.sql, B)).toEqual([{ handle: "reward-redeemed", enabled: true, notifiedAt: new Date(t).toISOString() }]);
    const newer = await notice(noticeBody({ flow_trigger_definition_id: "reward-redeemed", shopify_domain: B, has_enabled_flow: false, timestamp: new Date(t + 1000).toISOString() }));
    expect(JSON.parse(newer.body)).toMatchObject({ result: "applied" });
    expect((await flowTriggerUsage(db.sql, B))[0]!.enabled).toBe(false);
    expect((await flowTriggerUsage(db.sql, A)).map((u) => u.handle)).toEqual(["points-earned"]);
  });

  it("keeps an event an outbound endpoint wants, without a Flow job; the batch path follows the same rules", async () => {
    const m = await member(B, "hooked@example.com");
    await db.sql.tx((q) => createEndpoint(q, B, { url: "https://hooks.example.com/in", events: ["tier_changed"] }));
    await store.flow.switchWorkflow("points-expiring", true, { shop: B });
    const jobsBefore = await flowJobs(B);
    const recorded = await db.sql.tx((q) =>
      recordAppEvents(q, B, [
        { kind: "tier_changed", memberId: m.memberId, data: { fromTier: null, toTier: "gold", direction: "up" }, dedupeKey: "tier:b1" },
        { kind: "points_expiring", memberId: m.memberId, data: { points: 5, expiresOn: "2026-12-31" }, dedupeKey: "remind:b1" },
        { kind: "points_earned", memberId: m.memberId, data: { points: 5 }, dedupeKey: "earned:b1" },
      ]),
    );
    expect(recorded).toBe(2);
    const rows = await db.sql.all<{ kind: string; flow_status: string }>(`SELECT kind, flow_status FROM app_events WHERE shop = ? ORDER BY id`, [B]);
    expect(rows).toEqual([
      { kind: "tier_changed", flow_status: "off" },
      { kind: "points_expiring", flow_status: "pending" },
    ]);
    expect(await flowJobs(B)).toBe(jobsBefore + 1);
    expect(await n(`SELECT COUNT(*) AS n FROM webhook_endpoint_deliveries WHERE shop = ?`, [B])).toBe(1);
    // the customer's events are in their data report, and redaction removes them
    const report = await buildDataReport(db.sql, B, m.gid);
    expect(report.events.map((e) => e.kind)).toEqual(["tier_changed", "points_expiring"]);
    await db.sql.tx((q) => redactCustomer(q, B, m.gid));
    expect(await events(B)).toBe(0);
  });
});

describe(`pruning expired rows on ${TEST_DB}`, () => {
  const NOW = Date.parse("2026-11-26T03:45:00Z");
  const ts = (ms: number) => (db.sql.dialect === "sqlite" ? ms : new Date(ms));
  const P = "prune-eins.myshopify.com";
  const Q = "prune-zwei.myshopify.com";

  async function idem(shop: string, key: string, at: number, response = "{}") {
    await db.sql.run(`INSERT INTO api_idempotency (shop, idem_key, fingerprint, status, response, created_at) VALUES (?, ?, 'fp', 201, ?, ?)`, [shop, key, response, ts(at)]);
  }
  async function event(shop: string, key: string, at: number, flowStatus = "sent") {
    const r = await db.sql.get<{ id: number }>(
      `INSERT INTO app_events (shop, kind, member_id, customer_gid, payload, dedupe_key, created_at, flow_status) VALUES (?, 'points_earned', 1, 'gid://shopify/Customer/1', '{}', ?, ?, ?) RETURNING id`,
      [shop, key, ts(at), flowStatus],
    );
    return Number(r!.id);
  }
  async function delivery(shop: string, eventId: number, status: string) {
    await db.sql.run(`INSERT INTO webhook_endpoint_deliveries (shop, endpoint_id, event_id, status, attempts, created_at, updated_at) VALUES (?, 1, ?, ?, 1, ?, ?)`, [shop, eventId, status, ts(NOW), ts(NOW)]);
  }
  const keys = async (shop: string) => (await db.sql.all<{ idem_key: string }>(`SELECT idem_key FROM api_idempotency WHERE shop = ? ORDER BY idem_key`, [shop])).map((r) => r.idem_key);
  const keysOf = async (shop: string) => (await db.sql.all<{ dedupe_key: string }>(`SELECT dedupe_key FROM app_events WHERE shop = ? ORDER BY dedupe_key`, [shop])).map((r) => r.dedupe_key);

  it("deletes only the shop's expired rows of each table, in batches, and keeps recent and unfinished ones", async () => {
    const day = 24 * 60 * 60 * 1000;
    for (const shop of [P, Q]) {
      for (let i = 0; i < 5; i++) await idem(shop, `old-${i}`, NOW - IDEMPOTENCY_TTL_MS - 1000 - i);
      await idem(shop, "recent", NOW - IDEMPOTENCY_TTL_MS + 60_000);
      await event(shop, "ev-old-sent", NOW - APP_EVENT_RETENTION_MS - day);
      await event(shop, "ev-old-off", NOW - APP_EVENT_RETENTION_MS - day, "off");
      const delivered = await event(shop, "ev-old-delivered", NOW - APP_EVENT_RETENTION_MS - day, "off");
      await delivery(shop, delivered, "delivered");
      await event(shop, "ev-old-pending-flow", NOW - APP_EVENT_RETENTION_MS - day, "pending");
      const retrying = await event(shop, "ev-old-retrying", NOW - APP_EVENT_RETENTION_MS - day, "off");
      await delivery(shop, retrying, "retrying");
      await event(shop, "ev-recent", NOW - day);
      // an API answer younger than the events' retention but older than 24 h goes; an event that age stays
      await event(shop, "ev-2-days", NOW - 2 * day);
    }
    // small batches and one batch per table: the run says there's more, the handler books a follow-up
    const first = await pruneExpired(db.sql, P, NOW, { batchSize: 2, maxBatches: 1 });
    expect(first).toMatchObject({ idempotency: 2, more: true });
    const rest = await pruneExpired(db.sql, P, NOW, { batchSize: 2 });
    expect(rest.idempotency + first.idempotency).toBe(5);
    expect(rest.events + first.events).toBe(3);
    expect(rest.deliveries + first.deliveries).toBe(1);
    expect(rest.more).toBe(false);
    expect(await keys(P)).toEqual(["recent"]);
    expect(await keysOf(P)).toEqual(["ev-2-days", "ev-old-pending-flow", "ev-old-retrying", "ev-recent"]);
    expect(await n(`SELECT COUNT(*) AS n FROM webhook_endpoint_deliveries WHERE shop = ?`, [P])).toBe(1);
    // the other shop is untouched
    expect((await keys(Q)).length).toBe(6);
    expect((await keysOf(Q)).length).toBe(7);
    expect(await n(`SELECT COUNT(*) AS n FROM webhook_endpoint_deliveries WHERE shop = ?`, [Q])).toBe(2);
  });

  it("runs daily per installed shop from the scheduler, through the job handler", async () => {
    await db.sql.tx((q) => ensureShop(q, Q));
    await runDueSchedules(db.sql, NOW);
    const row = await db.sql.get<{ next_run_at: unknown }>(`SELECT next_run_at FROM schedules WHERE shop = ? AND name = 'retention:prune'`, [Q]);
    expect(row).toBeTruthy();
    const due = db.sql.dialect === "sqlite" ? Number(row!.next_run_at) : new Date(row!.next_run_at as string).getTime();
    expect(await runDueSchedules(db.sql, due)).toBeGreaterThanOrEqual(1);
    const job = await db.sql.get<{ id: number; kind: string }>(`SELECT id, kind FROM jobs WHERE shop = ? AND kind = 'retention:prune'`, [Q]);
    expect(job).toBeTruthy();
    const r = (await handlers["retention:prune"]!({ sql: db.sql }, { id: Number(job!.id), shop: Q, kind: "retention:prune", payload: "{}", attempts: 1, maxAttempts: 10 }, NOW)) as { idempotency: number; events: number };
    expect(r).toMatchObject({ idempotency: 5, events: 3 });
    expect(await keys(Q)).toEqual(["recent"]);
  });
});
