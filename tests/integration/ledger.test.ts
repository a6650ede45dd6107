import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBalances, ensureMember, getMember, InsufficientPointsError, postEntriesIn, postEntry } from "~/models/ledger.server";
import { ensureShop } from "~/models/shops.server";
import { LedgerRuleError } from "~/domain/ledger";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";

let db: TestDatabase;
const A = "alpha.myshopify.com";
const B = "beta.myshopify.com";

beforeAll(async () => {
  db = await freshDatabase();
  for (const s of [A, B]) await db.sql.tx((q) => ensureShop(q, s));
});
afterAll(async () => db?.drop());

describe(`ledger on ${TEST_DB}`, () => {
  it("posts an entry and moves the balance in the same transaction", async () => {
    const id = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/1", { email: "a@example.com" }));
    const r = await postEntry(db.sql, A, { memberId: id, bucket: "available", points: 120, kind: "earn", reason: "purchase", idempotencyKey: "earn:1" });
    expect(r.duplicate).toBe(false);
    const m = await getMember(db.sql, A, id);
    expect(m?.points_available).toBe(120);
    expect(m?.lifetime_earned).toBe(120);
  });

  it("a repeated idempotency key finds the first entry and changes nothing", async () => {
    const id = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/2"));
    const first = await postEntry(db.sql, A, { memberId: id, bucket: "available", points: 50, kind: "earn", reason: "purchase", idempotencyKey: "earn:2" });
    const again = await postEntry(db.sql, A, { memberId: id, bucket: "available", points: 50, kind: "earn", reason: "purchase", idempotencyKey: "earn:2" });
    expect(again).toEqual({ entryId: first.entryId, duplicate: true });
    expect((await getMember(db.sql, A, id))?.points_available).toBe(50);
  });

  it("never goes below zero unless the entry allows it, and a refused debit writes nothing", async () => {
    const id = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/3"));
    await postEntry(db.sql, A, { memberId: id, bucket: "available", points: 30, kind: "earn", reason: "purchase", idempotencyKey: "earn:3" });
    await expect(
      postEntry(db.sql, A, { memberId: id, bucket: "available", points: -31, kind: "redeem", reason: "reward", idempotencyKey: "redeem:3" }),
    ).rejects.toBeInstanceOf(InsufficientPointsError);
    const entries = await db.sql.all(`SELECT * FROM ledger_entries WHERE shop = ? AND idempotency_key = ?`, [A, "redeem:3"]);
    expect(entries).toHaveLength(0);
    await postEntry(db.sql, A, { memberId: id, bucket: "available", points: -40, kind: "adjust", reason: "clawback", idempotencyKey: "adj:3", allowNegative: true });
    expect((await getMember(db.sql, A, id))?.points_available).toBe(-10);
  });

  it("posting many at once keeps the rules: duplicates change nothing, a debit too big writes nothing, other shops' members are refused", async () => {
    const [m1, m2, m3] = await db.sql.tx(async (q) => [
      await ensureMember(q, A, "gid://shopify/Customer/batch-1"),
      await ensureMember(q, A, "gid://shopify/Customer/batch-2"),
      await ensureMember(q, A, "gid://shopify/Customer/batch-3"),
    ]);
    const other = await db.sql.tx((q) => ensureMember(q, B, "gid://shopify/Customer/batch-1"));
    await postEntry(db.sql, A, { memberId: m1, bucket: "available", points: 100, kind: "earn", reason: "purchase", idempotencyKey: "batch:earn:1" });
    const at = Date.UTC(2026, 5, 1);
    const results = await db.sql.tx((q) =>
      postEntriesIn(q, A, [
        { memberId: m1, bucket: "available", points: -60, kind: "expire", reason: "expired", idempotencyKey: "batch:expire:1", at },
        { memberId: m2, bucket: "available", points: -1, kind: "expire", reason: "expired", idempotencyKey: "batch:expire:2", at },
        { memberId: m3, bucket: "available", points: 25, kind: "earn", reason: "tier entry", idempotencyKey: "batch:earn:3", at },
      ]),
    );
    expect(results.map((r) => r.status)).toEqual(["posted", "insufficient", "posted"]);
    expect(results[0]).toMatchObject({ available: 40 });
    expect(await db.sql.all(`SELECT id FROM ledger_entries WHERE shop = ? AND idempotency_key = ?`, [A, "batch:expire:2"])).toHaveLength(0);
    const m3row = await getMember(db.sql, A, m3);
    expect(m3row?.points_available).toBe(25);
    expect(m3row?.lifetime_earned).toBe(25);
    expect(Number(new Date(m3row?.last_activity_at as string | number).getTime())).toBe(at);
    // the same keys again: duplicates, balances unchanged
    const again = await db.sql.tx((q) =>
      postEntriesIn(q, A, [
        { memberId: m1, bucket: "available", points: -60, kind: "expire", reason: "expired", idempotencyKey: "batch:expire:1", at },
        { memberId: m3, bucket: "available", points: 25, kind: "earn", reason: "tier entry", idempotencyKey: "batch:earn:3", at },
      ]),
    );
    expect(again.map((r) => r.status)).toEqual(["duplicate", "duplicate"]);
    expect((await getMember(db.sql, A, m1))?.points_available).toBe(40);
    expect((await getMember(db.sql, A, m3))?.points_available).toBe(25);
    // a member of another shop: refused, and the whole call with it
    await expect(
      db.sql.tx((q) => postEntriesIn(q, A, [{ memberId: other, bucket: "available", points: 5, kind: "earn", reason: "x", idempotencyKey: "batch:other" }])),
    ).rejects.toBeInstanceOf(LedgerRuleError);
    expect(await db.sql.all(`SELECT id FROM ledger_entries WHERE idempotency_key = ?`, ["batch:other"])).toHaveLength(0);
    expect((await checkBalances(db.sql, A)).mismatched).toEqual([]);
    expect((await checkBalances(db.sql, B)).mismatched).toEqual([]);
  });

  it("rejects non-integer points and entries without a reason", async () => {
    const id = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/4"));
    await expect(postEntry(db.sql, A, { memberId: id, bucket: "available", points: 1.5, kind: "earn", reason: "x", idempotencyKey: "k1" })).rejects.toBeInstanceOf(LedgerRuleError);
    await expect(postEntry(db.sql, A, { memberId: id, bucket: "available", points: 1, kind: "earn", reason: "", idempotencyKey: "k2" })).rejects.toBeInstanceOf(LedgerRuleError);
  });

  it("concurrent debits never spend the same points", async () => {
    const id = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/5"));
    await postEntry(db.sql, A, { memberId: id, bucket: "available", points: 700, kind: "earn", reason: "purchase", idempotencyKey: "earn:5" });
    const attempts = Array.from({ length: 50 }, (_, i) =>
      postEntry(db.sql, A, { memberId: id, bucket: "available", points: -100, kind: "redeem", reason: "reward", idempotencyKey: `redeem:5:${i}` }),
    );
    const results = await Promise.allSettled(attempts);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(7);
    expect((await getMember(db.sql, A, id))?.points_available).toBe(0);
  });

  it("keeps shops apart: the same customer id and key in two shops are two members", async () => {
    const a = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/77"));
    const b = await db.sql.tx((q) => ensureMember(q, B, "gid://shopify/Customer/77"));
    expect(a).not.toBe(b);
    await postEntry(db.sql, A, { memberId: a, bucket: "available", points: 10, kind: "earn", reason: "purchase", idempotencyKey: "same" });
    const inB = await postEntry(db.sql, B, { memberId: b, bucket: "available", points: 20, kind: "earn", reason: "purchase", idempotencyKey: "same" });
    expect(inB.duplicate).toBe(false);
    // A member of shop A can't be posted to through shop B.
    await expect(postEntry(db.sql, B, { memberId: a, bucket: "available", points: 5, kind: "earn", reason: "x", idempotencyKey: "cross" })).rejects.toBeInstanceOf(LedgerRuleError);
    expect((await getMember(db.sql, A, a))?.points_available).toBe(10);
    expect(await getMember(db.sql, B, a)).toBeUndefined();
  });

  it("every stored balance equals the sum of its entries", async () => {
    for (const s of [A, B]) {
      const r = await checkBalances(db.sql, s);
      expect(r.members).toBeGreaterThan(0);
      expect(r.mismatched).toEqual([]);
    }
    // and the check notices drift if someone edits a balance behind the ledger's back
    await db.sql.run(`UPDATE members SET points_available = points_available + 1 WHERE shop = ? AND customer_gid = ?`, [A, "gid://shopify/Customer/1"]);
    expect((await checkBalances(db.sql, A)).mismatched).toHaveLength(1);
  });
});
