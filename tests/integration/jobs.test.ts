import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backoffMs, claim, enqueue, retryDead } from "~/jobs/queue.server";
import { PermanentJobError, type Handler } from "~/jobs/handlers.server";
import { Worker } from "~/jobs/worker.server";
import { openSql } from "~/lib/sql.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";

let db: TestDatabase;
const A = "alpha.myshopify.com";

beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => db?.drop());

async function status(id: number) {
  return db.sql.get<{ status: string; attempts: number; last_error: string | null }>(`SELECT status, attempts, last_error FROM jobs WHERE id = ?`, [id]);
}

describe(`jobs on ${TEST_DB}`, () => {
  it("retries a failing job with backoff and parks it as dead after maxAttempts", async () => {
    let calls = 0;
    const handlers: Record<string, Handler> = {
      flaky: async () => {
        calls++;
        throw new Error("Shopify answered 503");
      },
    };
    const id = (await enqueue(db.sql, { shop: A, kind: "flaky", payload: {}, maxAttempts: 3 }))!;
    const worker = new Worker({ sql: db.sql }, { handlers });
    let now = Date.now();
    await worker.runOnce(now);
    expect(await status(id)).toMatchObject({ status: "queued", attempts: 1 });
    // not due again before its backoff
    expect(await worker.runOnce(now + 10)).toBe(0);
    now += backoffMs(1) + 10;
    await worker.runOnce(now);
    now += backoffMs(2) + 10;
    await worker.runOnce(now);
    expect(calls).toBe(3);
    expect(await status(id)).toMatchObject({ status: "dead", attempts: 3, last_error: "Error: Shopify answered 503" });
    // the merchant's "retry" puts it back
    expect(await retryDead(db.sql, A, [id])).toEqual([id]);
    expect((await status(id))?.status).toBe("queued");
    await db.sql.run(`DELETE FROM jobs WHERE id = ?`, [id]);
  });

  it("parks a job with a permanently bad payload at once", async () => {
    const handlers: Record<string, Handler> = { bad: async () => { throw new PermanentJobError("invalid payload"); } };
    const id = (await enqueue(db.sql, { shop: A, kind: "bad", payload: {} }))!;
    await new Worker({ sql: db.sql }, { handlers }).runOnce();
    expect(await status(id)).toMatchObject({ status: "dead", attempts: 1 });
  });

  it("parks a job nobody handles instead of looping", async () => {
    const id = (await enqueue(db.sql, { shop: A, kind: "unknown:kind", payload: {} }))!;
    await new Worker({ sql: db.sql }).runOnce();
    expect((await status(id))?.status).toBe("dead");
  });

  it("reclaims a job whose worker died holding its lease", async () => {
    const id = (await enqueue(db.sql, { shop: A, kind: "ok", payload: {} }))!;
    const now = Date.now();
    const claimed = await claim(db.sql, "crashed-worker", 10, 1000, now);
    expect(claimed.map((j) => j.id)).toContain(id);
    const handlers: Record<string, Handler> = { ok: async () => "fine" };
    const rescuer = new Worker({ sql: db.sql }, { handlers, id: "rescuer" });
    expect(await rescuer.runOnce(now + 500)).toBe(0); // lease still held
    expect(await rescuer.runOnce(now + 1500)).toBeGreaterThan(0);
    expect((await status(id))?.status).toBe("done");
  });

  it("deduplicates jobs by key per shop", async () => {
    expect(await enqueue(db.sql, { shop: A, kind: "ok", payload: {}, dedupeKey: "reconcile:slot1" })).not.toBeNull();
    expect(await enqueue(db.sql, { shop: A, kind: "ok", payload: {}, dedupeKey: "reconcile:slot1" })).toBeNull();
    expect(await enqueue(db.sql, { shop: "other.myshopify.com", kind: "ok", payload: {}, dedupeKey: "reconcile:slot1" })).not.toBeNull();
  });

  it("two workers on separate connections never run the same job twice", async () => {
    await db.sql.run(`DELETE FROM jobs`);
    const runs = new Map<number, number>();
    const handlers: Record<string, Handler> = {
      count: async (_ctx, job) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 1));
      },
    };
    for (let i = 0; i < 60; i++) await enqueue(db.sql, { shop: A, kind: "count", payload: { i } });
    const second = openSql(db.url);
    try {
      const w1 = new Worker({ sql: db.sql }, { handlers, batch: 5 });
      const w2 = new Worker({ sql: second }, { handlers, batch: 5 });
      await Promise.all([w1.drain(), w2.drain()]);
    } finally {
      await second.close();
    }
    expect(runs.size).toBe(60);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });

  it("the worker schedules the ledger check and today's analytics row once per slot, and they run", async () => {
    await db.sql.run(`INSERT INTO shops (domain, currency_code, iana_timezone, installed_at) VALUES (?, 'EUR', 'UTC', ?)`, [A, db.sql.ts()]);
    const w = new Worker({ sql: db.sql });
    // a minute into the current hour, so both calls fall in the same hour slot whatever the time of day
    const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 60_000;
    await w.schedule(t0);
    await w.schedule(t0 + 61_000); // same hour slot: deduplicated
    const queued = await db.sql.all(`SELECT * FROM jobs WHERE kind = 'ledger:reconcile' AND shop = ?`, [A]);
    expect(queued).toHaveLength(1);
    // today's analytics row: once per 5-minute slot too (both calls fall in the hour's first slot)
    expect(await db.sql.all(`SELECT * FROM jobs WHERE kind = 'analytics:today' AND shop = ?`, [A])).toHaveLength(1);
    await w.drain();
    const today = await db.sql.get<{ day: string }>(`SELECT day FROM daily_rollups WHERE shop = ?`, [A]);
    expect(today?.day).toBe(new Date(t0).toISOString().slice(0, 10)); // the shop's clock is UTC
    const run = await db.sql.get<{ mismatches: number }>(`SELECT mismatches FROM reconciliation_runs WHERE shop = ?`, [A]);
    expect(run?.mismatches).toBe(0);
  });
});

describe(`transactions on ${TEST_DB}`, () => {
  it("a statement outside a transaction never lands inside another request's open transaction", async () => {
    await db.sql.run(`DELETE FROM shops WHERE domain LIKE 'tx-%'`);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const insert = `INSERT INTO shops (domain, currency_code, iana_timezone, installed_at) VALUES (?, 'EUR', 'UTC', ?)`;
    const failing = db.sql
      .tx(async (q) => {
        await q.run(insert, ["tx-inside.myshopify.com", db.sql.ts()]);
        await gate; // another request runs while this transaction is open
        throw new Error("roll back");
      })
      .catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 5));
    const outside = db.sql.run(insert, ["tx-outside.myshopify.com", db.sql.ts()]);
    setTimeout(release, 20);
    expect(await failing).toBe("roll back");
    await outside;
    const rows = await db.sql.all<{ domain: string }>(`SELECT domain FROM shops WHERE domain LIKE 'tx-%'`);
    expect(rows.map((r) => r.domain)).toEqual(["tx-outside.myshopify.com"]);
  });
});
