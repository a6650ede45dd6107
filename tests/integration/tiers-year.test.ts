// A simulated year (Jan 2026 – Jan 2027) with an injected clock, on SQLite and PostgreSQL: signed
// webhooks through the intake and worker, the durable schedule running the nightly tier and expiry
// job once a day in each shop's timezone (Berlin and New York), a worker down for ten days, and a
// second worker ticking alongside. Promotions, retention, grace, downgrades, a paid membership
// that ends and one that is refunded, the tier multiplier and its exact clawback, points expiring
// per lot and after inactivity, and their reminders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultProgram, type Program, type TierLevel } from "~/domain/program";
import { Worker } from "~/jobs/worker.server";
import { saveProgram } from "~/models/earning.server";
import { checkBalances, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { updateShopSettings } from "~/models/shops.server";
import { runNightly } from "~/models/tiers.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { pipeline } from "../helpers/pipeline";
import { orderWithLines, refundOf } from "../helpers/webhooks";

let db: TestDatabase;
const A = "berlin-shop.myshopify.com";
const B = "newyork-shop.myshopify.com";
const MEMBERSHIP_PRODUCT = 777;
const at = (s: string) => Date.parse(s);
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(typeof v === "number" ? v : String(v)).toISOString());

function level(id: string, threshold: number, over: Partial<TierLevel> = {}): TierLevel {
  return { id, threshold, name: { en: id[0].toUpperCase() + id.slice(1), de: id }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] }, ...over };
}

function programA(): Program {
  const p = defaultProgram();
  p.tiers = {
    enabled: true,
    basis: "points_earned",
    window: "calendar_year",
    levels: [level("silver", 500, { entryRewardPoints: 50 }), level("gold", 1500, { multiplier: 2, entryRewardPoints: 100 })],
    retention: { keepNextPeriod: true, graceDays: 14 },
    membershipProduct: { productId: `gid://shopify/Product/${MEMBERSHIP_PRODUCT}`, tierId: "gold", months: 3 },
  };
  p.expiry = { mode: "lots", months: 12, tierMonths: { gold: 24 }, reminderDays: [30, 3] };
  return p;
}

function programB(): Program {
  const p = defaultProgram();
  p.tiers = {
    enabled: true,
    basis: "points_earned",
    window: "rolling_12_months",
    levels: [level("silver", 500)],
    retention: { keepNextPeriod: false, graceDays: 7 },
    membershipProduct: null,
  };
  p.expiry = { mode: "inactivity", months: 6, tierMonths: {}, reminderDays: [30, 3] };
  return p;
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.sql.tx(async (q) => {
    await saveProgram(q, A, programA());
    await saveProgram(q, B, programB());
    await updateShopSettings(q, A, { ianaTimezone: "Europe/Berlin" });
    await updateShopSettings(q, B, { ianaTimezone: "America/New_York" });
  });
});
afterAll(async () => db?.drop());

const gid = (c: number) => `gid://shopify/Customer/${c}`;
const member = async (shop: string, c: number) => (await findMemberByCustomer(db.sql, shop, gid(c)))!;
const changes = async (shop: string, c: number) => {
  const m = await member(shop, c);
  return db.sql.all<{ from_tier: string | null; to_tier: string | null; reason: string; created_at: unknown }>(
    `SELECT from_tier, to_tier, reason, created_at FROM tier_changes WHERE shop = ? AND member_id = ? ORDER BY id`,
    [shop, m.id],
  );
};
const notices = async (shop: string, c: number, kind: string) => {
  const m = await member(shop, c);
  const rows = await db.sql.all<{ payload: string; due_at: unknown }>(`SELECT payload, due_at FROM notifications WHERE shop = ? AND member_id = ? AND kind = ? ORDER BY id`, [shop, m.id, kind]);
  return rows.map((r): Record<string, unknown> => ({ ...(JSON.parse(r.payload) as Record<string, unknown>), dueAt: iso(r.due_at)!.slice(0, 10) }));
};

describe(`a simulated year of tiers and expiry on ${TEST_DB}`, () => {
  it("promotes, retains, graces, downgrades, grants and ends memberships, expires points and reminds, each once", { timeout: 300_000 }, async () => {
    const p = pipeline(db.sql);
    const worker = new Worker({ sql: db.sql }, { id: "worker-1" });
    const second = new Worker({ sql: db.sql }, { id: "worker-2" });
    const [alice, bob, carol, frank, erin] = [101, 102, 103, 104, 201];

    const order = (shop: string, c: number, lines: Array<{ price: string; quantity: number; productId?: number }>, when: number) => {
      const o = orderWithLines(c, lines);
      Object.assign(o, { processed_at: new Date(when).toISOString(), created_at: new Date(when).toISOString() });
      return { shop, topic: "orders/paid", body: o as Record<string, unknown> };
    };
    type Event = { shop: string; topic: string; body: Record<string, unknown> } | (() => Promise<void>);
    const orders: Record<string, Record<string, unknown>> = {};
    const events: Record<string, (now: number) => Event[]> = {
      "2026-01-10": (now) => [order(A, alice, [{ price: "600.00", quantity: 1 }], now)],
      "2026-01-15": (now) => [order(B, erin, [{ price: "600.00", quantity: 1 }], now)],
      "2026-01-20": (now) => [order(A, frank, [{ price: "100.00", quantity: 1 }], now)],
      "2026-02-01": (now) => [order(A, alice, [{ price: "1000.00", quantity: 1 }], now)],
      "2026-02-10": (now) => [
        async () => {
          const m = await member(A, frank);
          await postEntry(db.sql, A, { memberId: m.id, bucket: "available", points: -30, kind: "redeem", reason: "reward", idempotencyKey: "test:frank:redeem", at: now });
        },
      ],
      "2026-03-01": (now) => {
        const o = order(A, alice, [{ price: "100.00", quantity: 1 }], now);
        orders.aliceMarch = o.body;
        return [o, order(A, frank, [{ price: "50.00", quantity: 1 }], now)];
      },
      "2026-03-02": () => [{ shop: A, topic: "refunds/create", body: refundOf(orders.aliceMarch, [{ index: 0, quantity: 1 }]) }],
      "2026-03-10": (now) => [order(A, bob, [{ price: "50.00", quantity: 1, productId: MEMBERSHIP_PRODUCT }], now)],
      "2026-04-01": (now) => {
        const o = order(A, carol, [{ price: "50.00", quantity: 1, productId: MEMBERSHIP_PRODUCT }, { price: "20.00", quantity: 1 }], now);
        orders.carol = o.body;
        return [o];
      },
      "2026-04-05": () => [{ shop: A, topic: "refunds/create", body: refundOf(orders.carol, [{ index: 0, quantity: 1 }]) }],
    };
    // the worker is down from 1 to 9 October: nothing runs those days
    const down = (day: string) => day >= "2026-10-01" && day <= "2026-10-09";

    let day = "2026-01-05";
    let runs = 0;
    while (day <= "2027-01-25") {
      const now = at(`${day}T12:00:00Z`);
      for (const e of events[day]?.(now) ?? []) {
        if (typeof e === "function") await e();
        else await p.send(e.topic, e.shop, e.body);
      }
      // the intake stamps its jobs with the wall clock; put them on the simulated one
      await db.sql.run(`UPDATE jobs SET run_at = ? WHERE status = 'queued' AND run_at > ?`, [db.sql.ts(now), db.sql.ts(now)]);
      if (!down(day)) {
        // both workers tick; the schedule gives each shop one nightly job per day between them
        await worker.schedule(now);
        await second.schedule(now);
        for (let i = 0; i < 20 && (await worker.runOnce(now)) + (await second.runOnce(now)) > 0; i++);
        runs++;
      }
      day = new Date(at(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    }
    expect(runs).toBeGreaterThan(370);

    // --- the schedule: once a day per shop, and one catch-up run after the downtime
    const nightly = await db.sql.all<{ shop: string; dedupe_key: string; status: string }>(`SELECT shop, dedupe_key, status FROM jobs WHERE kind = 'tiers:nightly' ORDER BY id`);
    for (const shop of [A, B]) {
      const keys = nightly.filter((j) => j.shop === shop).map((j) => j.dedupe_key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toContain("tiers:nightly:2026-10-10");
      expect(keys.some((k) => k > "tiers:nightly:2026-10-01" && k < "tiers:nightly:2026-10-10")).toBe(false);
      // every day from the first slot (the 6th: the shops' first 00:15 after the start) to the end, but the downtime
      expect(keys.length).toBe(runs - 1);
    }
    expect(nightly.every((j) => j.status === "done")).toBe(true);

    // --- Alice: silver, then gold; the tier doubles her March order and its refund takes exactly that back
    expect((await changes(A, alice)).map((c) => [c.from_tier, c.to_tier, c.reason])).toEqual([
      [null, "silver", "qualified"],
      ["silver", "gold", "qualified"],
    ]);
    const award = await db.sql.get<{ points: number; reversed_points: number; detail: string }>(`SELECT points, reversed_points, detail FROM earn_awards WHERE shop = ? AND order_gid = ?`, [A, orders.aliceMarch.admin_graphql_api_id]);
    expect(award).toMatchObject({ points: 200, reversed_points: 200 });
    expect(JSON.parse(award!.detail).tier).toEqual({ id: "gold", multiplier: 2 });
    const a = await member(A, alice);
    // 600 + 1000 + 200 − 200 + entry rewards 50 + 100; gold keeps points 24 months: nothing expired
    expect(a.points_available).toBe(1750);
    // 2027 started without an order, but the tier reached in 2026 is kept through 2027
    expect(a.tier_id).toBe("gold");
    expect(iso(a.tier_until)).toBe("2027-12-31T23:00:00.000Z");
    expect(await db.sql.get(`SELECT id FROM ledger_entries WHERE shop = ? AND member_id = ? AND kind = 'expire'`, [A, a.id])).toBeUndefined();
    expect((await notices(A, alice, "tier_up")).map((n) => [n.to, n.entryRewardPoints])).toEqual([
      ["silver", 50],
      ["gold", 100],
    ]);

    // --- Bob: gold bought for 3 months from 10 March; 14 days of grace after 10 June; then down
    const bobChanges = await changes(A, bob);
    expect(bobChanges.map((c) => [c.from_tier, c.to_tier, c.reason, iso(c.created_at)!.slice(0, 10)])).toEqual([
      [null, "gold", "membership", "2026-03-10"],
      ["gold", null, "membership_ended", "2026-06-24"],
    ]);
    expect((await notices(A, bob, "tier_grace")).map((n) => n.until)).toEqual(["2026-06-23T22:00:00.000Z"]);
    // the gold tier's entry reward was given once (it stays: tier changes never take points)
    expect((await member(A, bob)).points_available).toBe(50 + 100);

    // --- Carol: the membership refunded four days later ends it at once, without grace
    expect((await changes(A, carol)).map((c) => [c.to_tier, c.reason, iso(c.created_at)!.slice(0, 10)])).toEqual([
      ["gold", "membership", "2026-04-01"],
      [null, "membership_refunded", "2026-04-05"],
    ]);
    expect(await db.sql.get<{ revoked_at: unknown }>(`SELECT revoked_at FROM memberships WHERE shop = ? AND order_gid = ?`, [A, orders.carol.admin_graphql_api_id])).toMatchObject({ revoked_at: expect.anything() });

    // --- Frank: lots. 100 on 20 Jan, 30 spent (from that lot), 50 on 1 March: 70 expire on 20 Jan 2027
    const f = await member(A, frank);
    const frankExpired = await db.sql.all<{ points: number; idempotency_key: string; created_at: unknown }>(`SELECT points, idempotency_key, created_at FROM ledger_entries WHERE shop = ? AND member_id = ? AND kind = 'expire'`, [A, f.id]);
    expect(frankExpired.map((e) => [e.points, e.idempotency_key])).toEqual([[-70, `expire:${f.id}:2027-01-20`]]);
    expect(f.points_available).toBe(50);
    expect((await notices(A, frank, "points_expiring")).map((n) => [n.on, n.points, n.daysBefore, n.dueAt])).toEqual([
      ["2027-01-20", 70, 30, "2026-12-21"],
      ["2027-01-20", 70, 3, "2027-01-17"],
    ]);

    // --- Erin (New York, rolling 12 months, 7 days grace): inactivity expiry in July, downgrade in January
    const e = await member(B, erin);
    expect((await notices(B, erin, "points_expiring")).map((n) => [n.on, n.points, n.daysBefore, n.dueAt])).toEqual([
      ["2026-07-15", 600, 30, "2026-06-15"],
      ["2026-07-15", 600, 3, "2026-07-12"],
    ]);
    expect(e.points_available).toBe(0);
    expect((await changes(B, erin)).map((c) => [c.from_tier, c.to_tier, c.reason, iso(c.created_at)!.slice(0, 10)])).toEqual([
      [null, "silver", "qualified", "2026-01-15"],
      ["silver", null, "not_requalified", "2027-01-23"],
    ]);

    // --- shops don't see each other's members, and every balance equals its entries
    expect(await findMemberByCustomer(db.sql, B, gid(alice))).toBeUndefined();
    for (const shop of [A, B]) expect((await checkBalances(db.sql, shop)).mismatched).toEqual([]);

    // --- running the night again changes nothing
    const before = await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ledger_entries`);
    const notes = await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications`);
    const again = await runNightly(db.sql, A, at("2027-01-25T12:00:00Z"), { batch: 2 });
    // … and reads no one: every member's next check is a later date, until something is posted
    expect(again).toMatchObject({ members: 0, up: 0, down: 0, expiredEntries: 0, reminders: 0 });
    expect(await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ledger_entries`)).toEqual(before);
    expect(await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications`)).toEqual(notes);
  });
});
