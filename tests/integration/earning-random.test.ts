// Randomised delivery orders: many sequences of paid / refund / cancel / duplicate webhooks, sent
// shuffled and concurrently, with two workers racing. Every balance must end at what an
// independent model says, and equal the sum of its entries — on both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultProgram } from "~/domain/program";
import { Worker } from "~/jobs/worker.server";
import { openSql } from "~/lib/sql.server";
import { saveProgram } from "~/models/earning.server";
import { checkBalances, findMemberByCustomer } from "~/models/ledger.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { pipeline } from "../helpers/pipeline";
import { orderWithLines, refundOf } from "../helpers/webhooks";

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => db?.drop());

function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

interface Event {
  topic: string;
  body: object;
}

describe(`random delivery orders on ${TEST_DB}`, () => {
  it.each([11, 23, 37, 41, 59])("seed %i: balances end where the model says", async (seed) => {
    const rnd = prng(seed);
    const int = (n: number) => Math.floor(rnd() * n);
    const shop = `random-${seed}.myshopify.com`;
    const program = structuredClone(defaultProgram());
    program.negativeBalance = "allow";
    await db.sql.tx((q) => saveProgram(q, shop, program));
    const p = pipeline(db.sql);
    const customers = [1, 2, 3, 4, 5].map((i) => seed * 100 + i);
    const expected = new Map<number, number>(customers.map((c) => [c, 0]));
    const events: Event[] = [];

    for (let o = 0; o < 20; o++) {
      const customer = customers[int(customers.length)];
      // whole-euro prices at 1 point per euro: every line's points are exact, so the model needs
      // no rounding rules of its own
      const lines = Array.from({ length: 1 + int(3) }, () => ({ price: `${5 + int(40)}.00`, quantity: 1 + int(3) }));
      const order = orderWithLines(customer, lines);
      let points = lines.reduce((s, l) => s + Number.parseInt(l.price, 10) * l.quantity, 0);
      events.push({ topic: "orders/paid", body: order });
      if (rnd() < 0.3) events.push({ topic: "orders/paid", body: order }); // a re-sent event
      const left = lines.map((l) => l.quantity);
      for (let r = int(3); r > 0; r--) {
        const picks = lines.map((_, index) => index).filter((i) => left[i] > 0 && rnd() < 0.6);
        if (!picks.length) continue;
        const refundLines = picks.map((index) => ({ index, quantity: 1 + int(left[index]) }));
        refundLines.forEach((l) => (left[l.index] -= l.quantity));
        const refund = refundOf(order, refundLines);
        events.push({ topic: "refunds/create", body: refund });
        if (rnd() < 0.3) events.push({ topic: "refunds/create", body: refund });
        points -= refundLines.reduce((s, l) => s + Number.parseInt(lines[l.index].price, 10) * l.quantity, 0);
      }
      if (rnd() < 0.2) {
        events.push({ topic: "orders/cancelled", body: { ...order, cancelled_at: new Date().toISOString(), cancel_reason: "customer" } });
        points = 0;
      }
      expected.set(customer, expected.get(customer)! + points);
    }

    // shuffle, then deliver in concurrent bursts while two workers on two connections race
    for (let i = events.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [events[i], events[j]] = [events[j], events[i]];
    }
    // PostgreSQL: a second pool, as a second worker process would have. SQLite: one connection per
    // process (a second one in the same process would block the event loop while waiting for the
    // write lock), so the two workers share it and interleave through its transaction queue.
    const second = TEST_DB === "postgres" ? openSql(db.url) : db.sql;
    try {
      const workers = [new Worker({ sql: db.sql }, { batch: 3 }), new Worker({ sql: second }, { batch: 3 })];
      for (let i = 0; i < events.length; i += 6) {
        const burst = events.slice(i, i + 6);
        await Promise.all([...burst.map((e) => p.send(e.topic, shop, e.body)), ...workers.map((w) => w.runOnce())]);
      }
      for (let round = 0; round < 5; round++) await Promise.all(workers.map((w) => w.drain()));
    } finally {
      if (second !== db.sql) await second.close();
    }

    for (const c of customers) {
      const m = await findMemberByCustomer(db.sql, shop, `gid://shopify/Customer/${c}`);
      expect(m?.points_available ?? 0, `customer ${c}`).toBe(expected.get(c));
    }
    expect((await checkBalances(db.sql, shop)).mismatched).toEqual([]);
    // every webhook job finished (the points' metafield sync is booked for the end of its window)
    expect(await db.sql.all(`SELECT kind, last_error FROM jobs WHERE shop = ? AND status <> 'done' AND kind <> 'metafields:sync'`, [shop])).toEqual([]);
  });
});
