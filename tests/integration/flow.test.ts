// Shopify Flow against the strict offline store, on SQLite and PostgreSQL, with two shops.
// Triggers: business facts become events whose job calls flowTriggerReceive with a payload the
// devstore checks against the flow_trigger extension's declared fields and the shop's customers;
// THROTTLED is retried by the job queue; Shopify's userErrors park the job. Actions: the devstore
// signs and POSTs Flow action requests to the app's routes over HTTP as Shopify does; a bad or
// missing HMAC gets 401 and writes nothing; the same action run twice changes the balance once;
// deducting below zero is refused with 422; set-tier uses the manual assignment.
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { FLOW_TRIGGER_HANDLES } from "~/domain/app-events";
import { defaultProgram, type Program, type TierLevel } from "~/domain/program";
import { handlers } from "~/jobs/handlers.server";
import { Worker } from "~/jobs/worker.server";
import { recordAppEvent } from "~/models/app-events.server";
import { saveProgram } from "~/models/earning.server";
import { ensureMember, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { evaluateMember } from "~/models/tiers.server";
import { devstoreAdmin } from "../helpers/devstore";
import { startFlowApp } from "../helpers/flow-app";
import { pipeline } from "../helpers/pipeline";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { paidOrder, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const A = "stammkunde-dev.myshopify.com";
const B = "flow-zwei.myshopify.com";
let db: TestDatabase;
let store: DevStore;
let app: Server;

function level(id: string, threshold: number): TierLevel {
  return { id, threshold, name: { en: id, de: id }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] } };
}
function program(): Program {
  const p = defaultProgram();
  p.tiers = { ...p.tiers, enabled: true, basis: "points_earned", window: "lifetime", levels: [level("silver", 100), level("gold", 1000)] };
  return p;
}

const counts = async () => {
  const out: Record<string, number> = {};
  for (const t of ["ledger_entries", "members", "flow_action_runs", "audit_log", "app_events", "jobs"]) out[t] = Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n ?? 0);
  return out;
};
const balance = async (shop: string, gid: string) => Number((await findMemberByCustomer(db.sql, shop, gid))?.points_available ?? -1);
const flowWorker = () =>
  new Worker({ sql: db.sql, admin: async (shop) => devstoreAdmin(store, shop) }, { handlers: { "flow:trigger": handlers["flow:trigger"]!, "hooks:deliver": handlers["hooks:deliver"]! } });

beforeAll(async () => {
  db = await freshDatabase();
  const started = await startFlowApp();
  app = started.server;
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET, appUrl: started.url });
  store.shops.create({ domain: B, currency: "EUR" });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [A, B]) {
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "read_customers,write_customers" }));
    await db.sql.tx((q) => saveProgram(q, shop, program()));
  }
  // shop A's merchant has a workflow on every trigger: Flow tells the app through the lifecycle
  // callback (docs/decisions/0024); shop B has none, so none of its events fire a trigger
  for (const handle of Object.values(FLOW_TRIGGER_HANDLES)) {
    const on = await store.flow.switchWorkflow(handle, true, { shop: A });
    if (on.callback?.status !== 200 || !on.hasEnabledFlow) throw new Error(`the lifecycle callback refused ${handle}: ${on.callback?.status} ${on.callback?.body}`);
  }
});
afterAll(async () => {
  await store?.close();
  await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
  await db?.drop();
});

describe(`Shopify Flow triggers on ${TEST_DB}`, () => {
  it("sends each kind of event to flowTriggerReceive once, with a payload the store accepts", async () => {
    const c = store.customers.create({ email: "flow-a@example.com", firstName: "Flo" });
    const gid = `gid://shopify/Customer/${c.id}`;
    const now = Date.parse("2026-11-26T10:00:00Z");
    const memberId = await db.sql.tx((q) => ensureMember(q, A, gid));
    // a real fact: 150 points move the member into silver → tier_changed, recorded with the tier change
    await postEntry(db.sql, A, { memberId, bucket: "available", points: 150, kind: "earn", reason: "purchase", idempotencyKey: `seed:${gid}`, at: now - 1000 });
    expect(await evaluateMember(db.sql, A, memberId, now)).toMatchObject({ up: 1 });
    await db.sql.tx(async (q) => {
      await recordAppEvent(q, A, "points_earned", memberId, { points: 150, bucket: "available", order: "gid://shopify/Order/1" }, "earned:gid://shopify/Order/1", now);
      await recordAppEvent(q, A, "reward_redeemed", memberId, { points: 100, reward: "€5 off", code: "STK-1" }, "redeemed:1", now);
      await recordAppEvent(q, A, "referral_completed", memberId, { points: 50, order: "gid://shopify/Order/2" }, "referral:gid://shopify/Order/2", now);
      await recordAppEvent(q, A, "points_expiring", memberId, { points: 150, expiresOn: "2026-12-31" }, "remind:1", now);
      // the same fact twice is one event
      expect(await recordAppEvent(q, A, "points_earned", memberId, { points: 150 }, "earned:gid://shopify/Order/1", now)).toBeNull();
    });
    await flowWorker().drain();
    await flowWorker().drain(); // a second run sends nothing again
    const triggers = store.flow.triggers(A);
    expect(triggers.map((t) => t.handle).sort()).toEqual(["points-earned", "points-expiring", "referral-completed", "reward-redeemed", "tier-changed"]);
    expect(triggers.find((t) => t.handle === "tier-changed")!.payload).toEqual({ customer_id: c.id, "From tier": "", "To tier": "silver", Direction: "up" });
    expect(triggers.find((t) => t.handle === "points-earned")!.payload).toEqual({ customer_id: c.id, Points: 150, Balance: 150, Pending: false, Order: "gid://shopify/Order/1" });
    expect(store.flow.triggers(B)).toEqual([]);
    const statuses = await db.sql.all<{ flow_status: string }>(`SELECT flow_status FROM app_events WHERE shop = ?`, [A]);
    expect(statuses.map((s) => s.flow_status)).toEqual(["sent", "sent", "sent", "sent", "sent"]);
  });

  it("a paid order's points reach Flow through the whole path: signed webhook, earning, event, trigger", async () => {
    const c = store.customers.create({ email: "order-flow@example.com" });
    const p = pipeline(db.sql, { admin: async (shop) => devstoreAdmin(store, shop) });
    const order = paidOrder(c.id, "100.00");
    await p.deliver("orders/paid", A, order);
    await p.deliver("orders/paid", A, order); // Shopify delivering twice: one event, one trigger
    const earned = store.flow.triggers(A).filter((t) => t.handle === "points-earned" && (t.payload as { Order: string }).Order === order.admin_graphql_api_id);
    expect(earned).toHaveLength(1);
    const points = Number((await findMemberByCustomer(db.sql, A, `gid://shopify/Customer/${c.id}`))!.points_available);
    expect(points).toBeGreaterThan(0);
    expect(earned[0]!.payload).toEqual({ customer_id: c.id, Points: points, Balance: points, Pending: false, Order: order.admin_graphql_api_id });
  });

  it("the store refuses what real Flow would: unknown handle, undeclared or missing fields, a customer of another shop", async () => {
    const q = `mutation T($handle: String!, $payload: JSON!) { flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } } }`;
    const c = store.customers.create({ email: "strict@example.com" });
    const ok = { customer_id: c.id, Points: 1, Balance: 1, Pending: false, Order: "" };
    const errors = async (handle: string, payload: unknown, shop = A) => (await store.graphql(q, { handle, payload }, { shop })).body.data.flowTriggerReceive.userErrors as Array<{ field: string[]; message: string }>;
    expect(await errors("points-earned", ok)).toEqual([]);
    expect((await errors("points-earnd", ok))[0]!.field).toEqual(["handle"]);
    expect((await errors("points-earned", { ...ok, points: 1 }))[0]!.message).toMatch(/'points' is not defined/);
    expect((await errors("points-earned", { customer_id: c.id, Points: 1 }))[0]!.message).toMatch(/Missing required property 'Balance'/);
    expect((await errors("points-earned", { ...ok, Points: "1" }))[0]!.message).toMatch(/'Points' must be a number/);
    expect((await errors("points-earned", ok, B))[0]!.message).toMatch(/names no customer of this shop/);
  });

  it("retries a THROTTLED answer through the queue, and parks an event Shopify refuses", async () => {
    const c = store.customers.create({ email: "throttle@example.com" });
    const gid = `gid://shopify/Customer/${c.id}`;
    const memberId = await db.sql.tx((q) => ensureMember(q, A, gid));
    const before = store.flow.triggers(A).length;
    await db.sql.tx((q) => recordAppEvent(q, A, "points_earned", memberId, { points: 5, bucket: "pending", order: "gid://shopify/Order/9" }, "earned:gid://shopify/Order/9"));
    store.faults.throttleNext(2);
    const w = flowWorker();
    const t0 = Date.now();
    await w.runOnce(t0);
    await w.runOnce(t0 + 1_500); // backoff after the first failure: 1 s
    await w.runOnce(t0 + 5_000); // after the second: 2 s
    expect(w.stats.retried).toBe(2);
    expect(store.flow.triggers(A).length).toBe(before + 1);
    expect(store.flow.triggers(A).at(-1)!.payload).toMatchObject({ customer_id: c.id, Points: 5, Pending: true });
    const job = await db.sql.get<{ status: string; attempts: number }>(`SELECT status, attempts FROM jobs WHERE kind = 'flow:trigger' AND shop = ? ORDER BY id DESC LIMIT 1`, [A]);
    expect(job).toMatchObject({ status: "done", attempts: 3 });

    // a member whose customer the shop doesn't know: Shopify answers userErrors → failed, not retried
    const ghost = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/999999999"));
    await db.sql.tx((q) => recordAppEvent(q, A, "points_earned", ghost, { points: 1 }, "earned:ghost"));
    await flowWorker().runOnce(t0 + 10_000);
    const ev = await db.sql.get<{ flow_status: string; flow_error: string }>(`SELECT flow_status, flow_error FROM app_events WHERE shop = ? AND member_id = ?`, [A, ghost]);
    expect(ev).toMatchObject({ flow_status: "failed", flow_error: expect.stringMatching(/names no customer/) });
    const dead = await db.sql.get<{ status: string }>(`SELECT status FROM jobs WHERE kind = 'flow:trigger' AND shop = ? ORDER BY id DESC LIMIT 1`, [A]);
    expect(dead!.status).toBe("dead");
  });
});

describe(`Shopify Flow actions on ${TEST_DB}`, () => {
  it("refuses an unsigned or forged request with 401 and writes nothing", async () => {
    const c = store.customers.create({ email: "forged@example.com" });
    const before = await counts();
    const forged = await store.flow.runAction("award-points", { customer_id: c.id, points: 50, reason: "x" }, { secret: "not-the-app-secret" });
    expect(forged.status).toBe(401);
    const unsigned = await store.flow.runAction("award-points", { customer_id: c.id, points: 50, reason: "x" }, { secret: null });
    expect(unsigned.status).toBe(401);
    const tampered = await store.flow.runAction("deduct-points", { customer_id: c.id, points: 1, reason: "x" }, { rawBody: JSON.stringify({ shopify_domain: A, action_run_id: "r", properties: { customer_id: c.id, points: 1, reason: "x" } }), secret: "wrong" });
    expect(tampered.status).toBe(401);
    expect(await counts()).toEqual(before);
    // a signed body that isn't JSON: 400, nothing written
    const garbage = await store.flow.runAction("award-points", { customer_id: c.id, points: 1, reason: "x" }, { rawBody: "{not json" });
    expect(garbage.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it("awards points once per action run, per shop", async () => {
    const ca = store.customers.create({ email: "award-a@example.com" });
    const cb = store.customers.create({ shop: B, email: "award-b@example.com" });
    const run = "7f1c2a9e-0000-4000-8000-000000000001";
    const first = await store.flow.runAction("award-points", { customer_id: ca.id, points: 40, reason: "VIP event" }, { actionRunId: run });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({ status: "posted", points: 40, balance: 40 });
    const again = await store.flow.runAction("award-points", { customer_id: ca.id, points: 40, reason: "VIP event" }, { actionRunId: run });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ status: "posted", entryId: JSON.parse(first.body).entryId, duplicate: true });
    expect(await balance(A, `gid://shopify/Customer/${ca.id}`)).toBe(40);
    const entries = await db.sql.all<{ points: number; idempotency_key: string }>(`SELECT points, idempotency_key FROM ledger_entries WHERE shop = ? AND source_type = 'flow'`, [A]);
    expect(entries).toEqual([{ points: 40, idempotency_key: `flow:run:${run}` }]);
    // the same run id in another shop is another run
    const other = await store.flow.runAction("award-points", { customer_id: cb.id, points: 7, reason: "welcome" }, { actionRunId: run, shop: B });
    expect(other.status).toBe(200);
    expect(await balance(B, `gid://shopify/Customer/${cb.id}`)).toBe(7);
    expect(await balance(A, `gid://shopify/Customer/${ca.id}`)).toBe(40);
    const audit = await db.sql.get<{ actor: string }>(`SELECT actor FROM audit_log WHERE shop = ? AND action = 'adjust' ORDER BY id DESC LIMIT 1`, [A]);
    expect(audit!.actor).toBe("Shopify Flow");
  });

  it("deducts once, never below zero (422, nothing written), and checks the properties", async () => {
    const c = store.customers.create({ email: "deduct@example.com" });
    const gid = `gid://shopify/Customer/${c.id}`;
    await store.flow.runAction("award-points", { customer_id: c.id, points: 30, reason: "start" });
    const run = "deduct-run-1";
    const ok = await store.flow.runAction("deduct-points", { customer_id: c.id, points: 20, reason: "returned gift" }, { actionRunId: run });
    expect(ok.status).toBe(200);
    expect((await store.flow.runAction("deduct-points", { customer_id: c.id, points: 20, reason: "returned gift" }, { actionRunId: run })).status).toBe(200);
    expect(await balance(A, gid)).toBe(10);
    const before = await counts();
    const tooMuch = await store.flow.runAction("deduct-points", { customer_id: c.id, points: 11, reason: "too much" });
    expect(tooMuch.status).toBe(422);
    expect(JSON.parse(tooMuch.body)).toMatchObject({ error: "insufficient_points", balance: 10, fieldErrors: { points: expect.any(String) } });
    expect(await counts()).toEqual(before);
    // not a member: nothing to deduct from, and no member is made
    const stranger = store.customers.create({ email: "stranger@example.com" });
    const none = await store.flow.runAction("deduct-points", { customer_id: stranger.id, points: 1, reason: "x" });
    expect(none.status).toBe(422);
    expect(JSON.parse(none.body)).toMatchObject({ fieldErrors: { customer_id: expect.any(String) } });
    // a property the route can't use (signed, so it reaches the route): 422 naming it
    const bad = await store.flow.runAction("award-points", { customer_id: c.id, points: 1, reason: "x" }, { rawBody: JSON.stringify({ shopify_domain: A, action_run_id: "bad-1", handle: "award-points", properties: { customer_id: c.id, points: 2.5, reason: "x" } }) });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).fieldErrors).toHaveProperty("points");
    expect(await counts()).toEqual(before);
  });

  it("sets a tier through the manual assignment, once per run", async () => {
    const c = store.customers.create({ email: "tier@example.com" });
    const gid = `gid://shopify/Customer/${c.id}`;
    const run = "tier-run-1";
    const r = await store.flow.runAction("set-tier", { customer_id: c.id, tier: "gold", days: 30 }, { actionRunId: run });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ status: "assigned", tier: "gold", up: 1 });
    const m = await findMemberByCustomer(db.sql, A, gid);
    expect(m).toMatchObject({ tier_id: "gold", hold_tier_id: "gold", hold_source: "manual" });
    const changes = async () => Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM tier_changes WHERE shop = ? AND member_id = ?`, [A, m!.id]))!.n);
    expect(await changes()).toBe(1);
    const again = await store.flow.runAction("set-tier", { customer_id: c.id, tier: "gold", days: 30 }, { actionRunId: run });
    expect(JSON.parse(again.body)).toMatchObject({ duplicate: true });
    expect(await changes()).toBe(1);
    const unknown = await store.flow.runAction("set-tier", { customer_id: c.id, tier: "platinum", days: 30 });
    expect(unknown.status).toBe(422);
    expect(JSON.parse(unknown.body).fieldErrors).toHaveProperty("tier");
  });
});
