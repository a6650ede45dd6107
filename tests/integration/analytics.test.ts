// The analytics rollups against the raw tables: a scripted run of orders (members and guests,
// repeats), a refund, a redemption whose code an order uses, a staff adjustment and an expiry,
// across days and two shops in different timezones. The stored rollups must equal an independent
// recount from the raw rows (plain JS over every row, bucketed by the shop's calendar day), the
// hand-counted facts, and stay the same when the job runs again. Today's partial row, refreshed by
// the analytics:today job, equals the recount too, twice in a row, and yesterday's row is closed by
// the first refresh after midnight; the dashboard reads stored rows only, on the (shop, day) index.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { dayList, emptyFigures, ledgerFigures, ROLLUP_FIELDS, type DayRollup } from "~/domain/analytics";
import { addDays, localDate } from "~/domain/periods";
import { handlers } from "~/jobs/handlers.server";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { createReward, redeem } from "~/models/redemptions.server";
import { analyticsPage, dashboard, readRollups, refreshToday, runRollups } from "~/models/rollups.server";
import { ensureShop } from "~/models/shops.server";
import { toDate, type Queryable } from "~/lib/sql.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { pipeline } from "../helpers/pipeline";
import { paidOrder, refundOf, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const A = "stammkunde-dev.myshopify.com";
const B = "other-analytics.myshopify.com";
const C = "today-berlin.myshopify.com";
const D = "today-newyork.myshopify.com";
const ZONES: Record<string, string> = { [A]: "Europe/Berlin", [B]: "America/New_York", [C]: "Europe/Berlin", [D]: "America/New_York" };
const DAY = 86_400_000;
let db: TestDatabase;
let store: DevStore;
const texts = { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } };

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  for (const shop of [A, B, C, D]) {
    await db.sql.tx((q) => ensureShop(q, shop));
    await db.sql.run(`UPDATE shops SET iana_timezone = ? WHERE domain = ?`, [ZONES[shop], shop]);
  }
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const ms = (v: unknown) => toDate(v)!.getTime();

/** Every figure of every day, recounted in JS from all raw rows of the shop. */
async function recount(shop: string, from: string, to: string): Promise<DayRollup[]> {
  const tz = ZONES[shop];
  const q = db.sql;
  const dayOf = (v: unknown) => localDate(ms(v), tz);
  const members = await q.all<{ created_at: unknown }>(`SELECT created_at FROM members WHERE shop = ?`, [shop]);
  const entries = await q.all<{ id: number; kind: string; reason: string; points: number; created_at: unknown }>(`SELECT id, kind, reason, points, created_at FROM ledger_entries WHERE shop = ?`, [shop]);
  const orders = await q.all<{ id: number; order_gid: string; customer_gid: string | null; revenue_minor: number | null; cancelled_at: unknown; created_at: unknown }>(`SELECT * FROM order_states WHERE shop = ?`, [shop]);
  const guests = await q.all<{ id: number; order_gid: string; email: string | null }>(`SELECT id, order_gid, email FROM guest_orders WHERE shop = ?`, [shop]);
  const redemptions = await q.all<{ status: string; points: number; created_at: unknown; used_at: unknown; revenue_minor: number | null; config: string }>(
    `SELECT r.status, r.points, r.created_at, r.used_at, r.revenue_minor, w.config FROM redemptions r JOIN rewards w ON w.id = r.reward_id WHERE r.shop = ?`,
    [shop],
  );
  const awards = await q.all<{ detail: string; base_minor: number; created_at: unknown }>(`SELECT detail, base_minor, created_at FROM earn_awards WHERE shop = ?`, [shop]);
  const referrals = await q.all<{ ordered_at: unknown; subtotal_minor: number; reward_entry_id: number | null }>(`SELECT ordered_at, subtotal_minor, reward_entry_id FROM referrals WHERE shop = ?`, [shop]);
  const clicks = await q.all<{ created_at: unknown }>(`SELECT created_at FROM referral_clicks WHERE shop = ?`, [shop]);
  const friends = await q.all<{ created_at: unknown; status: string }>(`SELECT created_at, status FROM referral_friends WHERE shop = ?`, [shop]);
  const out: DayRollup[] = [];
  let outstanding = 0;
  let total = 0;
  for (const e of entries) if (dayOf(e.created_at) < from) outstanding += Number(e.points);
  for (const m of members) if (dayOf(m.created_at) < from) total++;
  for (const day of dayList(from, to)) {
    const f = { day, ...emptyFigures() };
    const todays = entries.filter((e) => dayOf(e.created_at) === day);
    const l = ledgerFigures(todays.map((e) => ({ kind: e.kind, reason: e.reason, points: Number(e.points) })));
    Object.assign(f, { pointsIssued: l.issued, pointsReversed: l.reversed, pointsRedeemed: l.redeemed, pointsExpired: l.expired, pointsAdjusted: l.adjusted });
    outstanding += l.net;
    f.newMembers = members.filter((m) => dayOf(m.created_at) === day).length;
    total += f.newMembers;
    f.totalMembers = total;
    f.outstandingPoints = outstanding;
    for (const o of orders.filter((o) => dayOf(o.created_at) === day && o.cancelled_at === null)) {
      const guest = guests.find((g) => g.order_gid === o.order_gid);
      const repeat = o.customer_gid
        ? orders.some((p) => p.customer_gid === o.customer_gid && p.id < o.id)
        : Boolean(guest?.email && guests.some((p) => p.email === guest.email && p.id < guest.id));
      if (o.customer_gid) {
        f.memberOrders++;
        f.memberRevenueMinor += Number(o.revenue_minor ?? 0);
        if (repeat) f.memberRepeatOrders++;
      } else {
        f.guestOrders++;
        f.guestRevenueMinor += Number(o.revenue_minor ?? 0);
        if (repeat) f.guestRepeatOrders++;
      }
    }
    for (const r of redemptions) {
      if (dayOf(r.created_at) === day && ["issued", "used", "expired", "cancelled"].includes(r.status)) {
        f.redemptions++;
        f.rewardValueMinor += JSON.parse(r.config).amountMinor ?? 0;
      }
      if (r.used_at !== null && dayOf(r.used_at) === day) {
        f.rewardOrders++;
        f.rewardRevenueMinor += Number(r.revenue_minor ?? 0);
      }
    }
    f.referralClicks = clicks.filter((c) => dayOf(c.created_at) === day).length;
    f.referralFriends = friends.filter((x) => x.status === "issued" && dayOf(x.created_at) === day).length;
    f.referralOrders = referrals.filter((r) => dayOf(r.ordered_at) === day).length;
    for (const r of referrals) {
      // completed on the day the advocate's reward entry was posted
      const entry = entries.find((e) => Number(e.id) === Number(r.reward_entry_id));
      if (entry && dayOf(entry.created_at) === day) {
        f.referralsCompleted++;
        f.referralRevenueMinor += Number(r.subtotal_minor);
      }
    }
    for (const a of awards.filter((a) => dayOf(a.created_at) === day)) {
      const points = (JSON.parse(a.detail).campaigns ?? []).reduce((s: number, c: { points: number }) => s + c.points, 0);
      if (points > 0) {
        f.campaignPoints += points;
        f.campaignOrders++;
        f.campaignRevenueMinor += Number(a.base_minor);
      }
    }
    out.push(f);
  }
  return out;
}

/** The statement's plan as text: EXPLAIN QUERY PLAN on SQLite; EXPLAIN on PostgreSQL, with
 *  sequential scans discouraged (on a table this small the planner would otherwise pick one). */
async function explain(sql: string, params: unknown[]): Promise<string> {
  if (TEST_DB === "sqlite") return (await db.sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join("\n");
  return db.sql.tx(async (q) => {
    await q.run(`SET LOCAL enable_seqscan = off`);
    return (await q.all<Record<string, string>>(`EXPLAIN ${sql}`, params)).map((r) => r["QUERY PLAN"]).join("\n");
  });
}

describe(`analytics rollups on ${TEST_DB}`, () => {
  it("equal the raw tables after a scripted run, per shop and day, and a rerun changes nothing", async () => {
    const admin = devstoreAdmin(store, A);
    const p = pipeline(db.sql, { admin: async () => admin });
    const now = Date.now();
    // two days ago: a staff adjustment for a member who came by an import; yesterday: an expiry
    const early = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/9001"));
    await postEntry(db.sql, A, { memberId: early, bucket: "available", points: 400, kind: "adjust", reason: "manual:welcome back", idempotencyKey: "t:adjust", at: now - 2 * DAY });
    await postEntry(db.sql, A, { memberId: early, bucket: "available", points: -150, kind: "expire", reason: "expiry", idempotencyKey: "t:expire", at: now - DAY });

    // today: orders by members (one repeat), two guest orders with one email (one repeat)
    const buyer = store.customers.create({ firstName: "R", email: "r@example.com" }).id;
    const o1 = paidOrder(501, "100.00");
    await p.deliver("orders/paid", A, o1);
    await p.deliver("orders/paid", A, paidOrder(501, "50.00"));
    await p.deliver("orders/paid", A, paidOrder(buyer, "30.00"));
    await p.deliver("orders/paid", A, { ...paidOrder(null, "20.00"), email: "guest@example.com" });
    await p.deliver("orders/paid", A, { ...paidOrder(null, "25.00"), email: "guest@example.com" });
    // a refund of the first order's line claws its points back
    await p.deliver("refunds/create", A, refundOf(o1, [{ index: 0, quantity: 1 }]));
    // a €5 code for 500 points, used in an order
    const rewardId = await db.sql.tx((q) => createReward(q, A, { type: "amount", amountMinor: 500, pointsCost: 500, texts }));
    const member = await db.sql.tx((q) => ensureMember(q, A, `gid://shopify/Customer/${buyer}`));
    await postEntry(db.sql, A, { memberId: member, bucket: "available", points: 600, kind: "adjust", reason: "manual:goodwill", idempotencyKey: "t:goodwill" });
    const r = await redeem(db.sql, A, `gid://shopify/Customer/${buyer}`, rewardId, "t-click", admin, { sleep: async () => undefined });
    expect(r.status).toBe("issued");
    await p.deliver("orders/paid", A, { ...paidOrder(buyer, "60.00"), discount_codes: [{ code: r.code, amount: "5.00", type: "fixed_amount" }] });
    // the other shop: one member order
    await p.deliver("orders/paid", B, paidOrder(777, "10.00"));

    // the job a day later: the history is backfilled through today (its "yesterday")
    const later = now + DAY;
    for (const shop of [A, B]) {
      const run = await runRollups(db.sql, shop, later, { chunkDays: 2 });
      expect(run.more).toBe(false);
    }
    const to = localDate(now, ZONES[A]);
    const from = addDays(localDate(now - 2 * DAY, ZONES[A]), 0);
    const stored = await readRollups(db.sql, A, from, to);
    expect(stored.map((d) => d.day)).toEqual(dayList(from, to));
    const want = await recount(A, from, to);
    expect(stored).toEqual(want);

    // the hand count of today's facts
    const today = stored[stored.length - 1];
    expect(today).toMatchObject({
      memberOrders: 4, // 501 twice, the buyer twice
      memberRepeatOrders: 2,
      memberRevenueMinor: 10000 + 5000 + 3000 + 6000,
      guestOrders: 2,
      guestRepeatOrders: 1,
      guestRevenueMinor: 4500,
      redemptions: 1,
      rewardValueMinor: 500,
      rewardOrders: 1,
      pointsRedeemed: 500,
    });
    expect(today.pointsReversed).toBeGreaterThan(0);
    expect(stored[0]).toMatchObject({ pointsAdjusted: 400, outstandingPoints: 400 });
    expect(stored[1]).toMatchObject({ pointsExpired: 150, outstandingPoints: 250 });
    // the last day's outstanding points are the members' balances
    const balances = await db.sql.get<{ p: number }>(`SELECT SUM(points_available + points_pending) AS p FROM members WHERE shop = ?`, [A]);
    expect(today.outstandingPoints).toBe(Number(balances!.p));
    expect(today.totalMembers).toBe(Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM members WHERE shop = ?`, [A]))!.n));

    // the other shop sees only its own
    const other = await readRollups(db.sql, B, "2000-01-01", "2100-01-01");
    expect(other).toEqual(await recount(B, other[0].day, other[other.length - 1].day));
    expect(other.reduce((s, d) => s + d.memberOrders, 0)).toBe(1);
    expect(other.reduce((s, d) => s + d.redemptions + d.guestOrders, 0)).toBe(0);

    // idempotent: the same run again, a lost row rebuilt, and the job's run leave the same rows
    const before = await db.sql.all(`SELECT * FROM daily_rollups WHERE shop = ? ORDER BY day`, [A]);
    await runRollups(db.sql, A, later);
    await db.sql.run(`DELETE FROM daily_rollups WHERE shop = ? AND day = ?`, [A, to]);
    await handlers["analytics:rollup"]({ sql: db.sql }, { id: 0, shop: A, kind: "analytics:rollup", payload: "{}", attempts: 1, maxAttempts: 10 }, later);
    const after = await db.sql.all<{ day: string }>(`SELECT * FROM daily_rollups WHERE shop = ? ORDER BY day`, [A]);
    const strip = (rows: Array<Record<string, unknown>>) => rows.map(({ id: _id, computed_at: _c, ...rest }) => rest);
    expect(strip(after.filter((r) => r.day <= to))).toEqual(strip(before));
    // the job's complete run also stored its own today's row (no facts that day, the stocks carried)
    const laterDay = localDate(later, ZONES[A]);
    expect(after.map((r) => r.day)).toEqual([...before.map((r) => String(r.day)), laterDay]);
    expect(await readRollups(db.sql, A, laterDay, laterDay)).toEqual(await recount(A, laterDay, laterDay));

    // the dashboard: stored days plus today computed live give the same series
    const view = await dashboard(db.sql, A, { from, to, preset: "custom", days: 3 }, now);
    expect(view.series).toEqual(want);
    expect(view.kpis.liabilityMinor).toBe(today.outstandingPoints); // €5 for 500 points: 1 cent a point
    expect(view.kpis.memberRepeatRate).toBe(0.5);
    for (const f of ROLLUP_FIELDS) expect(Number.isInteger(view.totals[f]), f).toBe(true);
  });

  it("a first run over a long history goes in chunks and continues in a follow-up job", async () => {
    const shop = "chunks.myshopify.com";
    await db.sql.tx((q) => ensureShop(q, shop));
    const m = await db.sql.tx((q) => ensureMember(q, shop, "gid://shopify/Customer/1"));
    const now = Date.now();
    await postEntry(db.sql, shop, { memberId: m, bucket: "available", points: 10, kind: "adjust", reason: "manual:old", idempotencyKey: "old", at: now - 100 * DAY });
    // a run that may spend no time stores one chunk and says there is more
    const first = await runRollups(db.sql, shop, now, { chunkDays: 10, budgetMs: 0 });
    expect(first).toMatchObject({ more: true, days: 10 });
    // the job does the same and leaves the rest to a follow-up job, which continues where it stopped
    const job = (payload: object) => ({ id: 0, shop, kind: "analytics:rollup", payload: JSON.stringify(payload), attempts: 1, maxAttempts: 10 });
    const second = (await handlers["analytics:rollup"]({ sql: db.sql }, job({ budgetMs: 0 }), now)) as { more: boolean; from: string };
    expect(second.more).toBe(true);
    expect(second.from).toBe(addDays(first.from!, 8)); // the day before the last stored one again, then onwards
    const follow = await db.sql.all<{ payload: string; dedupe_key: string }>(`SELECT payload, dedupe_key FROM jobs WHERE shop = ? AND kind = 'analytics:rollup'`, [shop]);
    expect(follow).toHaveLength(1);
    expect(follow[0].dedupe_key).toMatch(/^analytics:rollup:after:\d{4}-\d{2}-\d{2}$/);
    let run = await runRollups(db.sql, shop, now);
    while (run.more) run = await runRollups(db.sql, shop, now);
    const rows = await readRollups(db.sql, shop, "2000-01-01", "2100-01-01");
    const yesterday = addDays(localDate(now, "UTC"), -1);
    expect(rows[rows.length - 1].day).toBe(yesterday);
    expect(rows.map((r) => r.day)).toEqual(dayList(rows[0].day, yesterday));
    expect(rows[rows.length - 1].outstandingPoints).toBe(10);
  });
  it("today's row: a refresh equals a recount, twice changes nothing, yesterday is closed after midnight; two shops", async () => {
    const admin = devstoreAdmin(store, C);
    const p = pipeline(db.sql, { admin: async () => admin });
    const now = Date.now();
    // history before today for C: a member who came three days ago with an adjustment
    const early = await db.sql.tx((q) => ensureMember(q, C, "gid://shopify/Customer/7001"));
    await postEntry(db.sql, C, { memberId: early, bucket: "available", points: 300, kind: "adjust", reason: "manual:welcome", idempotencyKey: "c:adjust", at: now - 3 * DAY });
    await db.sql.run(`UPDATE members SET created_at = ? WHERE shop = ? AND id = ?`, [db.sql.ts(now - 3 * DAY), C, early]);
    // today: member and guest orders in C, one member order in D
    await p.deliver("orders/paid", C, paidOrder(7001, "40.00"));
    await p.deliver("orders/paid", C, paidOrder(7002, "15.00"));
    await p.deliver("orders/paid", C, { ...paidOrder(null, "12.00"), email: "g@example.com" });
    await p.deliver("orders/paid", D, paidOrder(8001, "22.00"));
    // referrals: one ordered three days ago whose reward was posted then, one today rewarded today,
    // one in D still in its window; a click on C's code today
    const reward = async (key: string, atMs: number) =>
      (await postEntry(db.sql, C, { memberId: early, bucket: "available", points: 50, kind: "earn", reason: "referral", idempotencyKey: key, at: atMs })).entryId;
    const referral = `INSERT INTO referrals (shop, advocate_member_id, referral_code, order_gid, source, subtotal_minor, currency, verdict, status, reasons, ordered_at, window_ends_at, reward_points, reward_entry_id, created_at, updated_at)
      VALUES (?, ?, 'REFC', ?, 'code', ?, 'EUR', 'approve', ?, '[]', ?, ?, 50, ?, ?, ?)`;
    const ts = (t: number) => db.sql.ts(t);
    await db.sql.run(referral, [C, early, "gid://shopify/Order/ref-1", 4200, "rewarded", ts(now - 3 * DAY), ts(now - 3 * DAY), await reward("c:ref1", now - 3 * DAY), ts(now - 3 * DAY), ts(now)]);
    await db.sql.run(referral, [C, early, "gid://shopify/Order/ref-2", 1900, "rewarded", ts(now - 3 * DAY), ts(now), await reward("c:ref2", now), ts(now - 3 * DAY), ts(now)]);
    await db.sql.run(referral, [D, 1, "gid://shopify/Order/ref-3", 700, "pending", ts(now), ts(now + 30 * DAY), null, ts(now), ts(now)]);
    await db.sql.run(`INSERT INTO referral_clicks (shop, code, visit, created_at) VALUES (?, 'REFC', 'v1', ?)`, [C, ts(now)]);

    // the history through yesterday, then today's refresh by the job
    const at = Date.now();
    const job = (shop: string) => ({ id: 0, shop, kind: "analytics:today", payload: "{}", attempts: 1, maxAttempts: 3 });
    for (const shop of [C, D]) {
      await runRollups(db.sql, shop, at);
      expect(await handlers["analytics:today"]({ sql: db.sql }, job(shop), at)).toEqual({ days: [localDate(at, ZONES[shop])] });
    }
    const today = (shop: string) => localDate(at, ZONES[shop]);
    const all = (shop: string) => db.sql.all<Record<string, unknown>>(`SELECT * FROM daily_rollups WHERE shop = ? ORDER BY day`, [shop]);
    const strip = (rows: Array<Record<string, unknown>>) => rows.map(({ id: _id, computed_at: _c, ...rest }) => rest);
    for (const shop of [C, D]) {
      const rows = await readRollups(db.sql, shop, "2000-01-01", "2100-01-01");
      expect(rows[rows.length - 1].day).toBe(today(shop));
      expect(rows).toEqual(await recount(shop, rows[0].day, today(shop)));
    }
    const cToday = (await readRollups(db.sql, C, today(C), today(C)))[0];
    expect(cToday).toMatchObject({ memberOrders: 2, memberRevenueMinor: 5500, guestOrders: 1, guestRevenueMinor: 1200, totalMembers: 2, referralsCompleted: 1, referralRevenueMinor: 1900, referralClicks: 1 });
    expect((await readRollups(db.sql, C, addDays(today(C), -3), today(C))).map((r) => r.referralsCompleted)).toEqual([1, 0, 0, 1]);
    expect(cToday.outstandingPoints).toBe(Number((await db.sql.get<{ p: number }>(`SELECT SUM(points_available + points_pending) AS p FROM members WHERE shop = ?`, [C]))!.p));
    expect((await readRollups(db.sql, D, today(D), today(D)))[0]).toMatchObject({ memberOrders: 1, memberRevenueMinor: 2200, guestOrders: 0, referralOrders: 1, referralsCompleted: 0 });

    // a second refresh changes nothing but the time
    const snapshot = { c: await all(C), d: await all(D) };
    for (const shop of [C, D]) expect((await refreshToday(db.sql, shop, at + 1000)).days).toEqual([today(shop)]);
    expect(strip(await all(C))).toEqual(strip(snapshot.c));
    expect(strip(await all(D))).toEqual(strip(snapshot.d));

    // new facts in C: the next refresh has them, D's rows stay as they were
    await p.deliver("orders/paid", C, paidOrder(7001, "8.00"));
    const next = Date.now();
    await refreshToday(db.sql, C, next);
    expect(await readRollups(db.sql, C, today(C), today(C))).toEqual(await recount(C, today(C), today(C)));
    expect((await readRollups(db.sql, C, today(C), today(C)))[0].memberRepeatOrders).toBe(1);
    expect(strip(await all(D))).toEqual(strip(snapshot.d));

    // the dashboard reads stored rows only, each statement on an index: nothing from the raw tables
    const range = { from: addDays(today(C), -6), to: today(C), preset: "custom", days: 7 };
    const seen: Array<{ sql: string; params: unknown[] }> = [];
    const spy: Queryable = {
      dialect: db.sql.dialect,
      all: (sql, params = []) => (seen.push({ sql, params }), db.sql.all(sql, params)),
      get: (sql, params = []) => (seen.push({ sql, params }), db.sql.get(sql, params)),
      rows: (sql, params = []) => (seen.push({ sql, params }), db.sql.rows(sql, params)),
      run: () => Promise.reject(new Error("the dashboard writes nothing")),
      exec: () => Promise.reject(new Error("the dashboard writes nothing")),
    };
    const view = await dashboard(spy, C, range, next);
    expect(view.series).toEqual(await recount(C, range.from, range.to));
    expect(view.asOf).toBe(next);
    expect(seen.length).toBeGreaterThan(0);
    for (const { sql, params } of seen) {
      const tables = [...sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)/gi)].map((m) => m[1]);
      expect(tables.every((t) => ["daily_rollups", "shops", "rewards"].includes(t)), sql).toBe(true);
      const plan = await explain(sql, params);
      if (/daily_rollups/.test(sql)) expect(plan, sql).toMatch(/daily_rollups_shop_day_key/);
      if (TEST_DB === "sqlite") expect(plan, sql).not.toMatch(/(^|\n)SCAN (?!.*USING (COVERING )?INDEX)/);
    }

    // the page: nothing newer than today's row, no refresh asked for; a newer entry asks for one
    const queued = () => db.sql.all<{ dedupe_key: string }>(`SELECT dedupe_key FROM jobs WHERE shop = ? AND kind = 'analytics:today' AND status = 'queued'`, [C]);
    await db.sql.run(`DELETE FROM jobs WHERE shop = ? AND kind = 'analytics:today'`, [C]);
    expect((await analyticsPage(db.sql, C, {}, next + 1000)).refreshing).toBe(false);
    expect(await queued()).toEqual([]);
    // after midnight: a fact late on the old day, then the first refresh of the new day closes the
    // old day's row again (it was stored before the day ended) and starts the new one on top of it
    const member = await db.sql.tx((q) => ensureMember(q, C, "gid://shopify/Customer/7002"));
    await postEntry(db.sql, C, { memberId: member, bucket: "available", points: 25, kind: "adjust", reason: "manual:late", idempotencyKey: "c:late", at: next + 1 });
    const page = await analyticsPage(db.sql, C, {}, next + 2000);
    expect(page.refreshing).toBe(true);
    expect(page.view.asOf).toBe(next);
    await analyticsPage(db.sql, C, {}, next + 3000); // the same minute: one job
    expect(await queued()).toHaveLength(1);
    const tomorrow = next + DAY;
    const closed = await refreshToday(db.sql, C, tomorrow);
    expect(closed.days).toEqual([today(C), localDate(tomorrow, ZONES[C])]);
    const rows = await readRollups(db.sql, C, "2000-01-01", "2100-01-01");
    expect(rows).toEqual(await recount(C, rows[0].day, localDate(tomorrow, ZONES[C])));
    // closed: later refreshes that day leave the old day alone
    expect((await refreshToday(db.sql, C, tomorrow + 60_000)).days).toEqual([localDate(tomorrow, ZONES[C])]);
  });
});
