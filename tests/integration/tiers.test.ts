// Tiers in storage: the preview of an edit over real members, manual assignment, tier-only rewards
// and the free-shipping perk against the (offline, strict) Shopify, the birthday bonus, and the
// scheduler with two workers on separate connections — on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { defaultProgram, type Program, type TierLevel } from "~/domain/program";
import { NIGHTLY, runDueSchedules } from "~/jobs/schedules.server";
import { openSql } from "~/lib/sql.server";
import { awardBirthdays } from "~/models/actions.server";
import { saveProgram } from "~/models/earning.server";
import { ensureMember, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { setMemberStatus } from "~/models/members.server";
import { createReward, redeem, RedeemError } from "~/models/redemptions.server";
import { updateShopSettings } from "~/models/shops.server";
import { applyTierSettings, assignTier, assignTierFromForm, evaluateMember, memberNotices, previewTierEdit, removeManualTier, runNightly, TierAssignError, tierChanges, tierOverview } from "~/models/tiers.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";
import { fe } from "~/domain/errors";

let db: TestDatabase;
let store: DevStore;
const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "other-shop.myshopify.com";
const noWait = async () => undefined;
const at = (s: string) => Date.parse(s);

function level(id: string, threshold: number, over: Partial<TierLevel> = {}): TierLevel {
  return { id, threshold, name: { en: id[0].toUpperCase() + id.slice(1), de: id }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] }, ...over };
}

function tiered(levels: TierLevel[], over: Partial<Program["tiers"]> = {}): Program {
  const p = defaultProgram();
  p.tiers = { enabled: true, basis: "points_earned", window: "lifetime", levels, retention: { keepNextPeriod: false, graceDays: 0 }, membershipProduct: null, ...over };
  return p;
}

const programOfShop = (row: { program: string } | undefined): Program => JSON.parse(row!.program) as Program;
const base = () => tiered([level("silver", 100), level("gold", 1000, { freeShipping: true, birthdayBonusPoints: 75 })]);

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  await db.sql.tx(async (q) => {
    await saveProgram(q, SHOP, base());
    await saveProgram(q, OTHER, base());
    await updateShopSettings(q, SHOP, { ianaTimezone: "Europe/Berlin" });
  });
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const admin: AdminGraphql = (query, options) => devstoreAdmin(store, SHOP)(query, options);
let seq = 0;

/** A member of SHOP (a real customer of the offline store) who earned `points` at `when`. */
async function earner(points: number, when = at("2026-03-01T10:00:00Z"), shop = SHOP) {
  const c = store.customers.create({ firstName: "T", email: `tier${++seq}@example.com` });
  const gid = `gid://shopify/Customer/${c.id}`;
  const memberId = await db.sql.tx((q) => ensureMember(q, shop, gid));
  if (points > 0) await postEntry(db.sql, shop, { memberId, bucket: "available", points, kind: "earn", reason: "purchase", idempotencyKey: `seed:${gid}`, at: when });
  return { gid, memberId, customerId: c.id };
}

describe(`tiers in storage on ${TEST_DB}`, () => {
  it("previews an edit as moves up and down over the shop's members, and saving never touches points", async () => {
    const now = at("2026-04-01T10:00:00Z");
    const members = [await earner(50), await earner(150), await earner(600), await earner(1200)];
    for (const m of members) await evaluateMember(db.sql, SHOP, m.memberId, now);
    await earner(5000, now, OTHER); // another shop's member counts nowhere here
    const points = await db.sql.all(`SELECT id, points_available FROM members WHERE shop = ? ORDER BY id`, [SHOP]);

    // silver from 40, gold from 700: the 50-point member moves up, the 600 one stays silver, the
    // 1200 one stays gold; with harder thresholds the 150 one and the 1200 one move down
    const next = tiered([level("silver", 40), level("gold", 700)]);
    expect(await previewTierEdit(db.sql, SHOP, next, now, 2)).toEqual({ up: 1, down: 0, unchanged: 3, protected: 0, byTier: { silver: 3, gold: 1 } });
    const harder = tiered([level("silver", 200), level("gold", 5000)]);
    expect(await previewTierEdit(db.sql, SHOP, harder, now)).toEqual({ up: 0, down: 2, unchanged: 2, protected: 0, byTier: { "": 2, silver: 2 } });

    await db.sql.tx((q) => saveProgram(q, SHOP, harder));
    const summary = await runNightly(db.sql, SHOP, now);
    expect(summary).toMatchObject({ members: 4, up: 0, down: 2 });
    expect(await db.sql.all(`SELECT id, points_available FROM members WHERE shop = ? ORDER BY id`, [SHOP])).toEqual(points);
    expect((await tierChanges(db.sql, SHOP, members[1].memberId)).map((c) => [c.from, c.to, c.reason])).toEqual([
      ["silver", null, "not_requalified"],
      [null, "silver", "qualified"],
    ]);
    await db.sql.tx((q) => saveProgram(q, SHOP, base()));
    await runNightly(db.sql, SHOP, now);
  });

  it("a manual assignment lifts a member until its end date, with the staff member recorded; removing it ends it at once", async () => {
    const now = at("2026-04-02T10:00:00Z");
    const m = await earner(150);
    await expect(assignTier(db.sql, SHOP, m.memberId, "platinum", now + 1e9, "staff@shop", now)).rejects.toMatchObject({ fieldErrors: { tierId: fe("errors.noTier", { id: "platinum" }) } });
    await expect(assignTier(db.sql, SHOP, m.memberId, "gold", now - 1, "staff@shop", now)).rejects.toBeInstanceOf(TierAssignError);
    await expect(assignTier(db.sql, OTHER, m.memberId, "gold", now + 1e9, "staff@shop", now)).rejects.toMatchObject({ fieldErrors: { memberId: fe("errors.unknownMember") } });
    await assignTier(db.sql, SHOP, m.memberId, "gold", at("2026-12-31T23:00:00Z"), "staff@shop", now);
    const member = (await findMemberByCustomer(db.sql, SHOP, m.gid))!;
    expect(member).toMatchObject({ tier_id: "gold", hold_tier_id: "gold", hold_source: "manual" });
    await removeManualTier(db.sql, SHOP, m.memberId, "staff@shop", now + 1000);
    const changes = await tierChanges(db.sql, SHOP, m.memberId);
    expect(changes.map((c) => [c.from, c.to, c.reason, c.detail?.staff])).toEqual([
      ["gold", "silver", "manual_removed", "staff@shop"],
      [null, "gold", "manual", "staff@shop"],
    ]);
    expect((await memberNotices(db.sql, SHOP, m.memberId)).map((n) => n.kind)).toEqual(["tier_down", "tier_up"]);
  });

  it("the admin's assignment form finds the member by email or customer id and answers field errors", async () => {
    const now = at("2026-04-02T12:00:00Z");
    const m = await earner(0);
    await db.sql.run(`UPDATE members SET email = ? WHERE id = ?`, [`Form${m.customerId}@Example.com`, m.memberId]);
    expect(await assignTierFromForm(db.sql, SHOP, { customer: "", tierId: "gold", until: "2026-12-31" }, "staff", now)).toEqual({ ok: false, fieldErrors: { customer: fe("errors.memberRequired") } });
    expect(await assignTierFromForm(db.sql, SHOP, { customer: "nobody@example.com", tierId: "gold", until: "2026-12-31" }, "staff", now)).toMatchObject({ ok: false, fieldErrors: { customer: expect.any(String) } });
    expect(await assignTierFromForm(db.sql, SHOP, { customer: String(m.customerId), tierId: "gold", until: "31.12.2026" }, "staff", now)).toMatchObject({ ok: false, fieldErrors: { until: expect.any(String) } });
    expect(await assignTierFromForm(db.sql, SHOP, { customer: String(m.customerId), tierId: "gold", until: "2026-12-31" }, "staff", now)).toEqual({ ok: true, memberId: m.memberId });
    // through the end of 31 December in Berlin
    const row = (await findMemberByCustomer(db.sql, SHOP, m.gid))!;
    expect(new Date(typeof row.hold_until === "number" ? row.hold_until : String(row.hold_until)).toISOString()).toBe("2026-12-31T23:00:00.000Z");
    expect(row.tier_id).toBe("gold");
    expect(await assignTierFromForm(db.sql, SHOP, { customer: `Form${m.customerId}@Example.com`, remove: true }, "staff", now + 1000)).toEqual({ ok: true, memberId: m.memberId });
    expect((await findMemberByCustomer(db.sql, SHOP, m.gid))!).toMatchObject({ tier_id: null, hold_tier_id: null });
    // another shop's admin can't reach this member
    expect(await assignTierFromForm(db.sql, OTHER, { customer: String(m.customerId), tierId: "gold", until: "2026-12-31" }, "staff", now)).toMatchObject({ ok: false });
  });

  it("a tier-only reward is refused with the reason to members outside the tier; free shipping costs a gold member nothing", async () => {
    const now = at("2026-04-03T10:00:00Z");
    const texts = { en: { title: "Gold gift" }, de: { title: "Gold-Geschenk" } };
    const goldOnly = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 500, pointsCost: 100, texts, tiers: ["gold"] }));
    const shipping = await db.sql.tx((q) => createReward(q, SHOP, { type: "free_shipping", pointsCost: 300, texts }));
    const silver = await earner(400);
    const gold = await earner(1500);
    for (const m of [silver, gold]) await evaluateMember(db.sql, SHOP, m.memberId, now);

    const refused = await redeem(db.sql, SHOP, silver.gid, goldOnly, "s-1", admin, { sleep: noWait, now }).catch((e) => e);
    expect(refused).toBeInstanceOf(RedeemError);
    expect(refused).toMatchObject({ status: 403, reason: "this reward is only for members of Gold" });
    expect((await findMemberByCustomer(db.sql, SHOP, silver.gid))!.points_available).toBe(400);

    expect(await redeem(db.sql, SHOP, gold.gid, goldOnly, "g-1", admin, { sleep: noWait, now })).toMatchObject({ status: "issued", points: 100 });
    const free = await redeem(db.sql, SHOP, gold.gid, shipping, "g-2", admin, { sleep: noWait, now });
    expect(free).toMatchObject({ status: "issued", points: 0 });
    expect((await findMemberByCustomer(db.sql, SHOP, gold.gid))!.points_available).toBe(1400);
    // silver pays for shipping
    expect(await redeem(db.sql, SHOP, silver.gid, shipping, "s-2", admin, { sleep: noWait, now })).toMatchObject({ status: "issued", points: 300 });
  });

  it("the gold tier's birthday bonus comes with the birthday, once a year", async () => {
    const m = await earner(2000);
    await evaluateMember(db.sql, SHOP, m.memberId, at("2026-05-01T10:00:00Z"));
    await db.sql.run(`UPDATE members SET birthday = '05-02' WHERE id = ?`, [m.memberId]);
    const day = at("2026-05-02T08:00:00Z");
    await awardBirthdays(db.sql, SHOP, day);
    await awardBirthdays(db.sql, SHOP, day + 3_600_000);
    const bonus = await db.sql.all<{ points: number; idempotency_key: string }>(`SELECT points, idempotency_key FROM ledger_entries WHERE shop = ? AND member_id = ? AND reason = 'tier birthday bonus'`, [SHOP, m.memberId]);
    expect(bonus).toEqual([{ points: 75, idempotency_key: `earn:birthday-tier:${m.gid}:2026` }]);
  });

  it("the admin's settings: field errors as a map, a preview that saves nothing, then a save that moves no points", async () => {
    const now = at("2026-05-10T10:00:00Z");
    const bad = await applyTierSettings(db.sql, SHOP, { tiers: { ...base().tiers, levels: [level("silver", 100), level("gold", 50)] }, expiry: { mode: "lots", months: 0, reminderDays: [30] } }, { save: true, now });
    expect(bad).toEqual({ ok: false, fieldErrors: { "tiers.levels.1.threshold": fe("errors.tierThreshold"), "expiry.months": fe("errors.min", { min: 1 }) } });
    const before = await db.sql.all(`SELECT id, points_available, tier_id FROM members WHERE shop = ? ORDER BY id`, [SHOP]);
    const next = { tiers: { ...base().tiers, levels: [level("silver", 100), level("gold", 100_000)] }, expiry: base().expiry };
    const preview = await applyTierSettings(db.sql, SHOP, next, { save: false, now });
    expect(preview.ok && preview.preview.down).toBeGreaterThan(0);
    expect(programOfShop(await db.sql.get<{ program: string }>(`SELECT program FROM shops WHERE domain = ?`, [SHOP])).tiers.levels[1].threshold).toBe(1000);
    const saved = await applyTierSettings(db.sql, SHOP, next, { save: true, now });
    expect(saved).toMatchObject({ ok: true, saved: true });
    expect(programOfShop(await db.sql.get<{ program: string }>(`SELECT program FROM shops WHERE domain = ?`, [SHOP])).tiers.levels[1].threshold).toBe(100_000);
    expect(await db.sql.all(`SELECT id, points_available, tier_id FROM members WHERE shop = ? ORDER BY id`, [SHOP])).toEqual(before);
    await db.sql.tx((q) => saveProgram(q, SHOP, base()));
  });

  it("the overview counts members per tier and pending notices", async () => {
    const o = await tierOverview(db.sql, SHOP);
    expect(o.enabled).toBe(true);
    expect(o.tiers.map((t) => t.id)).toEqual(["silver", "gold"]);
    expect(o.tiers.find((t) => t.id === "gold")!.members).toBeGreaterThan(0);
    expect(o.pendingNotices.tier_up).toBeGreaterThan(0);
  });

  it("two workers on separate connections enqueue one nightly run per shop and day; a run missed while down happens at start", async () => {
    await db.sql.run(`DELETE FROM schedules`);
    await db.sql.run(`DELETE FROM jobs WHERE kind = 'tiers:nightly'`);
    const first = at("2026-06-01T10:00:00Z");
    await runDueSchedules(db.sql, first, [NIGHTLY]); // creates the rows: first run at the next 00:15
    expect(await db.sql.all(`SELECT id FROM jobs WHERE kind = 'tiers:nightly'`)).toEqual([]);
    const next = await db.sql.get<{ next_run_at: unknown }>(`SELECT next_run_at FROM schedules WHERE shop = ?`, [SHOP]);
    expect(new Date(typeof next!.next_run_at === "number" ? next!.next_run_at : String(next!.next_run_at)).toISOString()).toBe("2026-06-01T22:15:00.000Z"); // 00:15 CEST

    // the workers were down for three days; both come back at once. PostgreSQL: each on its own
    // connection. SQLite: one process holds one connection (a second one in the same process
    // would block the event loop on the file lock), so the workers share it.
    const back = at("2026-06-04T09:00:00Z");
    const second = TEST_DB === "postgres" ? openSql(db.url) : db.sql;
    try {
      const counts = await Promise.all([runDueSchedules(db.sql, back, [NIGHTLY]), runDueSchedules(second, back, [NIGHTLY]), runDueSchedules(db.sql, back + 1000, [NIGHTLY])]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
    } finally {
      if (second !== db.sql) await second.close();
    }
    const jobs = await db.sql.all<{ shop: string; dedupe_key: string }>(`SELECT shop, dedupe_key FROM jobs WHERE kind = 'tiers:nightly' ORDER BY shop`);
    expect(jobs).toEqual([
      { shop: OTHER, dedupe_key: "tiers:nightly:2026-06-04" },
      { shop: SHOP, dedupe_key: "tiers:nightly:2026-06-04" },
    ]);
  });

  it("an excluded member holds the tier its activity reaches but gets no entry reward and no birthday bonus; a blocked one still earns them", async () => {
    const X = "exclusion-shop.myshopify.com";
    await db.sql.tx((q) => saveProgram(q, X, tiered([level("silver", 100), level("gold", 1000, { entryRewardPoints: 50, birthdayBonusPoints: 75 })])));
    const plain = await earner(2000, at("2026-03-01T10:00:00Z"), X);
    const excluded = await earner(2000, at("2026-03-01T10:00:00Z"), X);
    const blocked = await earner(2000, at("2026-03-01T10:00:00Z"), X);
    expect(await setMemberStatus(db.sql, X, excluded.memberId, "exclude", "user:1")).toBe(true);
    expect(await setMemberStatus(db.sql, X, blocked.memberId, "block", "user:1")).toBe(true);
    const night = at("2026-05-01T02:00:00Z");
    expect((await runNightly(db.sql, X, night)).up).toBe(3);
    const rows = await db.sql.all<{ id: number; tier_id: string | null; points_available: number }>(`SELECT id, tier_id, points_available FROM members WHERE shop = ? ORDER BY id`, [X]);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    for (const m of [plain, excluded, blocked]) expect(byId.get(m.memberId)!.tier_id).toBe("gold");
    expect(Number(byId.get(plain.memberId)!.points_available)).toBe(2050);
    expect(Number(byId.get(blocked.memberId)!.points_available)).toBe(2050);
    expect(Number(byId.get(excluded.memberId)!.points_available)).toBe(2000);
    const rewards = await db.sql.all<{ member_id: number }>(`SELECT member_id FROM ledger_entries WHERE shop = ? AND reason = 'tier entry' ORDER BY member_id`, [X]);
    expect(rewards.map((r) => Number(r.member_id))).toEqual([plain.memberId, blocked.memberId]);
    const upNotice = async (memberId: number) => (await memberNotices(db.sql, X, memberId, 20, ["tier_up"]))[0]?.payload.entryRewardPoints;
    expect(await upNotice(plain.memberId)).toBe(50);
    expect(await upNotice(excluded.memberId)).toBe(0);

    for (const m of [plain, excluded, blocked]) await db.sql.run(`UPDATE members SET birthday = '05-02' WHERE shop = ? AND id = ?`, [X, m.memberId]);
    await awardBirthdays(db.sql, X, at("2026-05-02T08:00:00Z"));
    const bonus = await db.sql.all<{ member_id: number }>(`SELECT member_id FROM ledger_entries WHERE shop = ? AND reason = 'tier birthday bonus' ORDER BY member_id`, [X]);
    expect(bonus.map((r) => Number(r.member_id))).toEqual([plain.memberId, blocked.memberId]);
    const excludedEntries = await db.sql.all(`SELECT id FROM ledger_entries WHERE shop = ? AND member_id = ? AND created_at > ?`, [X, excluded.memberId, db.sql.ts(at("2026-03-02T00:00:00Z"))]);
    expect(excludedEntries).toEqual([]);
    // a re-run the same night changes nothing, and the other shops saw none of it
    expect((await runNightly(db.sql, X, night)).up).toBe(0);
    expect(await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ledger_entries WHERE shop <> ? AND reason = 'tier entry' AND member_id IN (?, ?, ?)`, [X, plain.memberId, excluded.memberId, blocked.memberId])).toEqual({ n: 0 });
  });

  it("switching tiers on sorts existing members in without entry rewards, notices or Flow events; later moves up earn them, and switching off and on sorts again", async () => {
    const L = "launch-shop.myshopify.com";
    const program = () => tiered([level("silver", 100), level("gold", 1000, { entryRewardPoints: 50 })]);
    const off = () => ({ ...program(), tiers: { ...program().tiers, enabled: false } });
    await db.sql.tx((q) => saveProgram(q, L, off()));
    const before1 = await earner(2000, at("2026-03-01T10:00:00Z"), L);
    const before2 = await earner(150, at("2026-03-01T10:00:00Z"), L);
    // another shop with tiers on all along: its members' moves are their own
    const O = "launched-long-ago.myshopify.com";
    await db.sql.tx((q) => saveProgram(q, O, program()));
    const other = await earner(2000, at("2026-03-01T10:00:00Z"), O);
    const night = at("2026-05-01T02:00:00Z");
    expect((await runNightly(db.sql, O, night)).up).toBe(1);
    expect(Number((await db.sql.get<{ p: number }>(`SELECT points_available AS p FROM members WHERE id = ?`, [other.memberId]))!.p)).toBe(2050);

    // the merchant switches tiers on: both are placed that night, recorded with the placement
    await db.sql.tx((q) => saveProgram(q, L, program()));
    expect((await runNightly(db.sql, L, night)).up).toBe(2);
    const tiersOf = async () => (await db.sql.all<{ id: number; tier_id: string | null; points_available: number }>(`SELECT id, tier_id, points_available FROM members WHERE shop = ? ORDER BY id`, [L])).map((r) => [Number(r.id), r.tier_id, Number(r.points_available)]);
    expect(await tiersOf()).toEqual([
      [before1.memberId, "gold", 2000],
      [before2.memberId, "silver", 150],
    ]);
    const changes = await tierChanges(db.sql, L, before1.memberId);
    expect(changes[0]).toMatchObject({ to: "gold", detail: expect.objectContaining({ placement: true }) });
    const count = async (sqlText: string, params: unknown[]) => Number((await db.sql.get<{ n: number }>(sqlText, params))!.n);
    expect(await count(`SELECT COUNT(*) AS n FROM ledger_entries WHERE shop = ? AND reason = 'tier entry'`, [L])).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM notifications WHERE shop = ? AND kind IN ('tier_up', 'tier_down', 'tier_grace')`, [L])).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND tier_placed = ?`, [L, db.sql.dialect === "sqlite" ? 0 : false])).toBe(0);
    // the tier still reaches the customer's metafields
    expect(await count(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND metafields_dirty = ?`, [L, db.sql.dialect === "sqlite" ? 1 : true])).toBe(2);

    // afterwards, earning into gold is an achievement: entry reward and notice
    await postEntry(db.sql, L, { memberId: before2.memberId, bucket: "available", points: 900, kind: "earn", reason: "purchase", idempotencyKey: `later:${before2.memberId}`, at: at("2026-05-02T10:00:00Z") });
    expect((await evaluateMember(db.sql, L, before2.memberId, at("2026-05-02T10:05:00Z"))).up).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM ledger_entries WHERE shop = ? AND member_id = ? AND reason = 'tier entry'`, [L, before2.memberId])).toBe(1);
    expect((await memberNotices(db.sql, L, before2.memberId, 20, ["tier_up"]))[0]?.payload.entryRewardPoints).toBe(50);
    // a new member joining after the launch is not a placement either
    const newcomer = await earner(1500, at("2026-05-03T10:00:00Z"), L);
    expect((await evaluateMember(db.sql, L, newcomer.memberId, at("2026-05-03T10:05:00Z"))).up).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM ledger_entries WHERE shop = ? AND member_id = ? AND reason = 'tier entry'`, [L, newcomer.memberId])).toBe(1);

    // off and on again: everyone is sorted again, quietly; saving with tiers still on does not
    await db.sql.tx((q) => saveProgram(q, L, off()));
    await db.sql.tx((q) => saveProgram(q, L, program()));
    expect(await count(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND tier_placed = ?`, [L, db.sql.dialect === "sqlite" ? 0 : false])).toBe(3);
    expect(await count(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND tier_placed = ?`, [O, db.sql.dialect === "sqlite" ? 0 : false])).toBe(0);
    const notices = await count(`SELECT COUNT(*) AS n FROM notifications WHERE shop = ?`, [L]);
    await runNightly(db.sql, L, at("2026-05-04T02:00:00Z"));
    expect(await count(`SELECT COUNT(*) AS n FROM notifications WHERE shop = ? AND kind IN ('tier_up', 'tier_down', 'tier_grace')`, [L])).toBe(2);
    expect(await count(`SELECT COUNT(*) AS n FROM notifications WHERE shop = ?`, [L])).toBe(notices);
    expect(await count(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND tier_placed = ?`, [L, db.sql.dialect === "sqlite" ? 0 : false])).toBe(0);
  });
});
