// Outbound webhooks against a real local HTTP receiver that verifies the signature the way
// docs/api.md tells merchants to (its own node:crypto code, not the app's): a fact's event arrives
// once, signed; a failing endpoint is retried on the schedule (the worker's clock is injected) and
// the delivery log shows every step; repeated failures switch the endpoint off with the reason;
// a manual retry delivers; shops never see each other's events — on SQLite and PostgreSQL.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DISABLE_AFTER_FAILURES, MAX_DELIVERY_ATTEMPTS, retryDelayMs } from "~/domain/app-events";
import { handlers } from "~/jobs/handlers.server";
import { Worker } from "~/jobs/worker.server";
import { recordAppEvent } from "~/models/app-events.server";
import { ensureMember } from "~/models/ledger.server";
import { redactCustomer } from "~/models/privacy.server";
import { deleteShopData } from "~/models/shops.server";
import { createEndpoint, EndpointInputError, listEndpoints, recentDeliveries, retryDelivery, rotateSecret, setEndpointEnabled } from "~/models/outbound-webhooks.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const A = "hooks-a.myshopify.com";
const B = "hooks-b.myshopify.com";
let db: TestDatabase;

interface Received {
  path: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  verified: boolean;
}

/** A merchant's receiver: verifies Stammkunde-Signature with its own code, answers per `plan`. */
async function receiver(secretFor: () => string, plan: (n: number) => number = () => 200) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = String(req.headers["stammkunde-signature"] ?? "");
      const t = /(?:^|,)t=(\d+)/.exec(header)?.[1];
      const v1 = /(?:^|,)v1=([0-9a-f]+)/.exec(header)?.[1] ?? "";
      const expected = createHmac("sha256", secretFor()).update(`${t}.${body}`).digest("hex");
      const verified = !!t && v1.length === expected.length && timingSafeEqual(Buffer.from(v1), Buffer.from(expected));
      got.push({ path: req.url ?? "", body, headers: req.headers, verified });
      res.statusCode = verified ? plan(got.length) : 401;
      res.end(verified ? "ok" : "bad signature");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { got, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let seq = 0;
async function member(shop: string) {
  const gid = `gid://shopify/Customer/${7000 + ++seq}`;
  return { gid, id: await db.sql.tx((q) => ensureMember(q, shop, gid)) };
}

const event = (shop: string, memberId: number, key: string, at: number, points = 10) =>
  db.sql.tx((q) => recordAppEvent(q, shop, "points_earned", memberId, { points, bucket: "available", order: `gid://shopify/Order/${key}` }, `earned:${key}`, at));

/** Runs what is due at `now` (the worker's injected clock), only outbound deliveries. */
const worker = () => new Worker({ sql: db.sql }, { handlers: { "hooks:deliver": handlers["hooks:deliver"]! } });
async function runAt(now: number) {
  const w = worker();
  let n = 0;
  for (let i = 0; i < 50; i++) {
    const ran = await w.runOnce(now);
    if (!ran) break;
    n += ran;
  }
  return n;
}

const T0 = Date.parse("2026-11-26T09:00:00Z");

beforeAll(async () => {
  db = await freshDatabase();
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url });
});
afterAll(async () => {
  await db?.drop();
});

describe(`outbound webhooks on ${TEST_DB}`, () => {
  it("refuses plain http outside development, private hosts and empty event lists, naming the field", async () => {
    await expect(db.sql.tx((q) => createEndpoint(q, A, { url: "http://127.0.0.1:1/x", events: ["points_earned"] }, T0, false))).rejects.toMatchObject({ fieldErrors: { url: "url_https" } });
    await expect(db.sql.tx((q) => createEndpoint(q, A, { url: "https://10.0.0.1/x", events: [] }, T0, false))).rejects.toBeInstanceOf(EndpointInputError);
    await expect(db.sql.tx((q) => createEndpoint(q, A, { url: "https://hooks.example.com/x", events: ["nope"] }, T0, false))).rejects.toMatchObject({ fieldErrors: { events: "events_unknown" } });
    expect(await listEndpoints(db.sql, A)).toEqual([]);
  });

  it("delivers a signed event once to the subscribed endpoint of its own shop", async () => {
    let secretA = "";
    const hookA = await receiver(() => secretA);
    const hookB = await receiver(() => "unused");
    try {
      const madeA = await db.sql.tx((q) => createEndpoint(q, A, { url: hookA.url, events: ["points_earned", "tier_changed"] }, T0, true));
      secretA = madeA.secret;
      expect(secretA).toMatch(/^whsec_/);
      await db.sql.tx((q) => createEndpoint(q, B, { url: hookB.url, events: ["points_earned"] }, T0, true));
      // the stored secret is encrypted: it is nowhere in the row
      const row = await db.sql.get<{ secret_enc: string }>(`SELECT secret_enc FROM webhook_endpoints WHERE shop = ? AND id = ?`, [A, madeA.id]);
      expect(row!.secret_enc).not.toContain(secretA.slice(6));
      expect(JSON.stringify(await listEndpoints(db.sql, A))).not.toContain(secretA);

      const m = await member(A);
      const id = await event(A, m.id, "1001", T0);
      expect(id).not.toBeNull();
      expect(await event(A, m.id, "1001", T0)).toBeNull(); // the same fact again: no second event
      await runAt(T0);
      await runAt(T0 + 1000);
      expect(hookA.got).toHaveLength(1);
      expect(hookB.got).toHaveLength(0);
      const [r] = hookA.got;
      expect(r!.verified).toBe(true);
      expect(r!.headers["stammkunde-event-type"]).toBe("points_earned");
      expect(JSON.parse(r!.body)).toMatchObject({ id: `evt_${id}`, type: "points_earned", shop: A, customerId: m.gid, data: { points: 10, balance: 0, bucket: "available" } });
      const [d] = (await recentDeliveries(db.sql, A)).items;
      expect(d).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 200, nextAttemptAt: null });
      expect((await recentDeliveries(db.sql, B)).items).toEqual([]);

      // a rotated secret signs from now on; the receiver still holding the old one refuses
      const rotated = await db.sql.tx((q) => rotateSecret(q, A, madeA.id));
      expect(rotated).not.toBe(secretA);
      await event(A, m.id, "1002", T0 + 2000);
      await runAt(T0 + 2000);
      expect(hookA.got.at(-1)!.verified).toBe(false);
      secretA = rotated!;
      await runAt(T0 + 2000 + retryDelayMs(1));
      expect(hookA.got.at(-1)!.verified).toBe(true);
    } finally {
      await hookA.close();
      await hookB.close();
    }
  });

  it("customers/redact removes the customer's events and deliveries; shop/redact removes the endpoints", async () => {
    const shop = "hooks-privacy.myshopify.com";
    await db.sql.tx((q) => createEndpoint(q, shop, { url: "https://hooks.example.com/p", events: ["points_earned"] }, T0, false));
    const gone = await member(shop);
    const kept = await member(shop);
    await event(shop, gone.id, "5001", T0);
    await event(shop, kept.id, "5002", T0);
    expect((await recentDeliveries(db.sql, shop)).items).toHaveLength(2);
    await db.sql.tx((q) => redactCustomer(q, shop, gone.gid, null));
    const left = await db.sql.all<{ customer_gid: string }>(`SELECT customer_gid FROM app_events WHERE shop = ?`, [shop]);
    expect(left).toEqual([{ customer_gid: kept.gid }]);
    expect((await recentDeliveries(db.sql, shop)).items).toHaveLength(1);
    await db.sql.tx((q) => deleteShopData(q, shop));
    for (const t of ["app_events", "webhook_endpoints", "webhook_endpoint_deliveries"]) {
      expect(Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t} WHERE shop = ?`, [shop]))!.n), t).toBe(0);
    }
  });

  it("retries a failing endpoint with backoff on the worker's clock, and the log shows each step", async () => {
    let secret = "";
    // answers 500, then 503, then 200
    const hook = await receiver(() => secret, (n) => (n === 1 ? 500 : n === 2 ? 503 : 200));
    try {
      const shop = "hooks-retry.myshopify.com";
      secret = (await db.sql.tx((q) => createEndpoint(q, shop, { url: hook.url, events: ["points_earned"] }, T0, true))).secret;
      const m = await member(shop);
      await event(shop, m.id, "2001", T0);

      await runAt(T0);
      let [d] = (await recentDeliveries(db.sql, shop)).items;
      expect(d).toMatchObject({ status: "retrying", attempts: 1, lastStatus: 500, lastError: "HTTP 500", nextAttemptAt: new Date(T0 + 60_000).toISOString() });

      // not yet due: nothing is sent
      await runAt(T0 + 59_000);
      expect(hook.got).toHaveLength(1);

      await runAt(T0 + 60_000);
      [d] = (await recentDeliveries(db.sql, shop)).items;
      expect(d).toMatchObject({ status: "retrying", attempts: 2, lastStatus: 503, nextAttemptAt: new Date(T0 + 60_000 + 120_000).toISOString() });

      await runAt(T0 + 180_000);
      [d] = (await recentDeliveries(db.sql, shop)).items;
      expect(d).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200, nextAttemptAt: null });
      expect(hook.got.map((g) => g.verified)).toEqual([true, true, true]);
      // every attempt carried the same event
      expect(new Set(hook.got.map((g) => JSON.parse(g.body).id)).size).toBe(1);
      expect((await listEndpoints(db.sql, shop))[0]).toMatchObject({ enabled: true, consecutiveFailures: 0 });
    } finally {
      await hook.close();
    }
  });

  it("gives up after the attempt cap, switches the endpoint off after failures in a row, and a manual retry delivers", async () => {
    let secret = "";
    let down = true;
    const hook = await receiver(() => secret, () => (down ? 500 : 200));
    try {
      const shop = "hooks-down.myshopify.com";
      const made = await db.sql.tx((q) => createEndpoint(q, shop, { url: hook.url, events: ["points_earned"] }, T0, true));
      secret = made.secret;
      const m = await member(shop);
      const events = Math.ceil(DISABLE_AFTER_FAILURES / MAX_DELIVERY_ATTEMPTS);
      for (let i = 0; i < events; i++) await event(shop, m.id, `30${i}`, T0);
      // seven hours per step is past every backoff
      for (let step = 0; step <= MAX_DELIVERY_ATTEMPTS; step++) await runAt(T0 + step * 7 * 3_600_000);

      const [ep] = await listEndpoints(db.sql, shop);
      expect(ep).toMatchObject({ enabled: false, consecutiveFailures: DISABLE_AFTER_FAILURES });
      expect(ep!.disabledReason).toBe(`failures:${DISABLE_AFTER_FAILURES}:HTTP 500`);
      const log = (await recentDeliveries(db.sql, shop)).items;
      expect(log).toHaveLength(events);
      // every attempt up to the switch-off reached the endpoint; what was still waiting then failed with the reason
      expect(log.every((d) => d.status === "failed" && d.attempts <= MAX_DELIVERY_ATTEMPTS)).toBe(true);
      expect(log.reduce((n, d) => n + d.attempts, 0)).toBe(DISABLE_AFTER_FAILURES);
      expect(log.some((d) => d.lastError === "endpoint_disabled")).toBe(true);
      expect(hook.got).toHaveLength(DISABLE_AFTER_FAILURES);

      // a new event while switched off is not delivered
      await event(shop, m.id, "3999", T0 + 100 * 3_600_000);
      expect((await recentDeliveries(db.sql, shop)).items).toHaveLength(events);

      // while off, a manual retry is refused; switched on (failures forgotten), it delivers
      const failed = log[0]!;
      expect(await db.sql.tx((q) => retryDelivery(q, shop, failed.id, T0 + 101 * 3_600_000))).toBe(false);
      down = false;
      expect(await setEndpointEnabled(db.sql, shop, made.id, true)).toBe(true);
      expect(await db.sql.tx((q) => retryDelivery(q, shop, failed.id, T0 + 101 * 3_600_000))).toBe(true);
      await runAt(T0 + 101 * 3_600_000);
      const after = ((await recentDeliveries(db.sql, shop)).items).find((d) => d.id === failed.id);
      expect(after).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 200 });
      expect((await listEndpoints(db.sql, shop))[0]).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
      // another shop can't retry it
      expect(await db.sql.tx((q) => retryDelivery(q, A, failed.id))).toBe(false);
    } finally {
      await hook.close();
    }
  });
});
