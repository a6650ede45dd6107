// Earning and clawbacks end to end: signed webhooks through Shopify's validation, the outbox and
// the worker, on SQLite and PostgreSQL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultProgram, ProgramConfigError, type Program } from "~/domain/program";
import { saveProgram } from "~/models/earning.server";
import { checkBalances, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { pipeline } from "../helpers/pipeline";
import { orderWithLines, refundOf } from "../helpers/webhooks";

let db: TestDatabase;
let p: ReturnType<typeof pipeline>;
const A = "alpha.myshopify.com";
const B = "beta.myshopify.com";
const DAY = 86_400_000;
let nextCustomer = 9000;

beforeAll(async () => {
  db = await freshDatabase();
  p = pipeline(db.sql);
});
afterAll(async () => db?.drop());

async function program(shop: string, change: (p: Program) => void = () => undefined) {
  const next = structuredClone(defaultProgram());
  change(next);
  await db.sql.tx((q) => saveProgram(q, shop, next));
}
beforeEach(async () => {
  await program(A);
  await program(B);
});

const balance = async (shop: string, customerId: number) => {
  const m = await findMemberByCustomer(db.sql, shop, `gid://shopify/Customer/${customerId}`);
  return { available: m?.points_available ?? 0, pending: m?.points_pending ?? 0 };
};

describe(`earning on ${TEST_DB}`, () => {
  it("a paid order earns 1 point per euro of merchandise by default", async () => {
    const c = ++nextCustomer;
    await p.deliver("orders/paid", A, orderWithLines(c, [{ price: "19.99", quantity: 2 }, { price: "5.50", quantity: 1 }]));
    expect(await balance(A, c)).toEqual({ available: 45, pending: 0 });
    const entry = await db.sql.get<{ note: string }>(`SELECT note FROM ledger_entries WHERE shop = ? AND kind = 'earn' ORDER BY id DESC LIMIT 1`, [A]);
    expect(entry?.note).toMatch(/45/);
  });

  it("uses the merchant's rate and the kill switch stops earning at once", async () => {
    await program(A, (x) => (x.purchase.pointsPerUnit = 3));
    const c = ++nextCustomer;
    await p.deliver("orders/paid", A, orderWithLines(c, [{ price: "10.00", quantity: 1 }]));
    expect((await balance(A, c)).available).toBe(30);
    await program(A, (x) => (x.enabled = false));
    await p.deliver("orders/paid", A, orderWithLines(c, [{ price: "10.00", quantity: 1 }]));
    expect((await balance(A, c)).available).toBe(30);
  });

  it("a partial refund claws back in proportion, repeated deliveries change nothing, a full refund takes the rest", async () => {
    const c = ++nextCustomer;
    const order = orderWithLines(c, [{ price: "30.00", quantity: 2 }, { price: "40.00", quantity: 1 }]);
    await p.deliver("orders/paid", A, order);
    expect((await balance(A, c)).available).toBe(100);
    const first = refundOf(order, [{ index: 0, quantity: 1 }]);
    await p.deliver("refunds/create", A, first);
    await p.deliver("refunds/create", A, first); // Shopify retried it
    expect((await balance(A, c)).available).toBe(70);
    await p.deliver("refunds/create", A, refundOf(order, [{ index: 0, quantity: 1 }, { index: 1, quantity: 1 }]));
    expect((await balance(A, c)).available).toBe(0);
    const reversals = await db.sql.all<{ reverses_id: number }>(`SELECT reverses_id FROM ledger_entries WHERE shop = ? AND source_id = ? AND kind = 'reverse'`, [A, order.admin_graphql_api_id]);
    expect(reversals).toHaveLength(2);
    expect(reversals.every((r) => r.reverses_id)).toBe(true);
  });

  it("a refund to store credit claws back like any other refund", async () => {
    const c = ++nextCustomer;
    const order = orderWithLines(c, [{ price: "15.00", quantity: 2 }]);
    await p.deliver("orders/paid", A, order);
    const refund = { ...refundOf(order, [{ index: 0, quantity: 1 }]), transactions: [{ kind: "refund", gateway: "shopify_store_credit", status: "success", amount: "15.00" }] };
    await p.deliver("refunds/create", A, refund);
    expect((await balance(A, c)).available).toBe(15);
  });

  it("a refund that arrives before the payment is applied when the payment comes", async () => {
    const c = ++nextCustomer;
    const order = orderWithLines(c, [{ price: "25.00", quantity: 4 }]);
    await p.deliver("refunds/create", A, refundOf(order, [{ index: 0, quantity: 1 }]));
    await p.deliver("orders/paid", A, order);
    expect((await balance(A, c)).available).toBe(75);
  });

  it("a cancellation reverses the whole award; a payment after a cancellation earns nothing", async () => {
    const c = ++nextCustomer;
    const order = orderWithLines(c, [{ price: "50.00", quantity: 1 }]);
    await p.deliver("orders/paid", A, order);
    await p.deliver("orders/cancelled", A, { ...order, cancelled_at: new Date().toISOString(), cancel_reason: "customer" });
    expect((await balance(A, c)).available).toBe(0);
    const late = orderWithLines(c, [{ price: "20.00", quantity: 1 }]);
    await p.deliver("orders/cancelled", A, { ...late, cancelled_at: new Date().toISOString() });
    await p.deliver("orders/paid", A, late);
    expect((await balance(A, c)).available).toBe(0);
  });

  it("pending points become available after the return window, and a refund inside it comes out of pending", async () => {
    await program(A, (x) => (x.purchase.pending = { mode: "days", days: 14 }));
    const c = ++nextCustomer;
    const order = orderWithLines(c, [{ price: "10.00", quantity: 3 }]);
    await p.deliver("orders/paid", A, order);
    expect(await balance(A, c)).toEqual({ available: 0, pending: 30 });
    await p.deliver("refunds/create", A, refundOf(order, [{ index: 0, quantity: 1 }]));
    expect(await balance(A, c)).toEqual({ available: 0, pending: 20 });
    await p.drain(Date.now() + 13 * DAY);
    expect(await balance(A, c)).toEqual({ available: 0, pending: 20 });
    await p.drain(Date.now() + 15 * DAY);
    expect(await balance(A, c)).toEqual({ available: 20, pending: 0 });
    await p.deliver("refunds/create", A, refundOf(order, [{ index: 0, quantity: 2 }]));
    expect(await balance(A, c)).toEqual({ available: 0, pending: 0 });
  });

  it("a cancellation inside the return window removes the pending points and the release never happens", async () => {
    await program(A, (x) => (x.purchase.pending = { mode: "days", days: 7 }));
    const c = ++nextCustomer;
    const order = orderWithLines(c, [{ price: "12.00", quantity: 1 }]);
    await p.deliver("orders/paid", A, order);
    await p.deliver("orders/cancelled", A, { ...order, cancelled_at: new Date().toISOString() });
    await p.drain(Date.now() + 8 * DAY);
    expect(await balance(A, c)).toEqual({ available: 0, pending: 0 });
  });

  it("earns on fulfilment when the program says so, or holds points pending until fulfilment", async () => {
    await program(A, (x) => (x.purchase.trigger = "fulfilled"));
    const c = ++nextCustomer;
    const order = orderWithLines(c, [{ price: "18.00", quantity: 1 }]);
    await p.deliver("orders/paid", A, order);
    expect(await balance(A, c)).toEqual({ available: 0, pending: 0 });
    await p.deliver("orders/fulfilled", A, { ...order, fulfillment_status: "fulfilled" });
    await p.deliver("orders/fulfilled", A, { ...order, fulfillment_status: "fulfilled" });
    expect(await balance(A, c)).toEqual({ available: 18, pending: 0 });

    await program(A, (x) => (x.purchase.pending = { mode: "fulfilment", days: 0 }));
    const d = ++nextCustomer;
    const o2 = orderWithLines(d, [{ price: "11.00", quantity: 1 }]);
    await p.deliver("orders/paid", A, o2);
    expect(await balance(A, d)).toEqual({ available: 0, pending: 11 });
    await p.deliver("orders/fulfilled", A, { ...o2, fulfillment_status: "fulfilled" });
    expect(await balance(A, d)).toEqual({ available: 11, pending: 0 });
  });

  it("floors at zero when the points were already spent and records the shortfall; 'allow' goes negative", async () => {
    await program(A, (x) => (x.negativeBalance = "floor"));
    const c = ++nextCustomer;
    const order = orderWithLines(c, [{ price: "40.00", quantity: 1 }]);
    await p.deliver("orders/paid", A, order);
    const member = await findMemberByCustomer(db.sql, A, `gid://shopify/Customer/${c}`);
    await postEntry(db.sql, A, { memberId: member!.id, bucket: "available", points: -30, kind: "redeem", reason: "reward", idempotencyKey: `redeem:${c}` });
    await p.deliver("refunds/create", A, refundOf(order, [{ index: 0, quantity: 1 }]));
    expect((await balance(A, c)).available).toBe(0);
    const note = await db.sql.get<{ note: string }>(`SELECT note FROM ledger_entries WHERE shop = ? AND source_id = ? AND kind = 'reverse'`, [A, order.admin_graphql_api_id]);
    expect(note?.note).toMatch(/30 not taken/);

    await program(A, (x) => (x.negativeBalance = "allow"));
    const d = ++nextCustomer;
    const o2 = orderWithLines(d, [{ price: "40.00", quantity: 1 }]);
    await p.deliver("orders/paid", A, o2);
    const m2 = await findMemberByCustomer(db.sql, A, `gid://shopify/Customer/${d}`);
    await postEntry(db.sql, A, { memberId: m2!.id, bucket: "available", points: -30, kind: "redeem", reason: "reward", idempotencyKey: `redeem:${d}` });
    await p.deliver("refunds/create", A, refundOf(o2, [{ index: 0, quantity: 1 }]));
    expect((await balance(A, d)).available).toBe(-30);
  });

  it("caps purchase points per member and day, and a campaign's budget runs out", async () => {
    await program(A, (x) => {
      x.caps.perRule.purchase = { max: 50, period: "day" };
    });
    const c = ++nextCustomer;
    await p.deliver("orders/paid", A, orderWithLines(c, [{ price: "30.00", quantity: 1 }]));
    await p.deliver("orders/paid", A, orderWithLines(c, [{ price: "30.00", quantity: 1 }]));
    await p.deliver("orders/paid", A, orderWithLines(c, [{ price: "30.00", quantity: 1 }]));
    expect((await balance(A, c)).available).toBe(50);

    await program(A, (x) => {
      x.campaigns = [{ id: "launch", enabled: true, name: { en: "Launch bonus", de: "Startbonus" }, window: {}, conditions: {}, effect: { type: "fixed", points: 40 }, budgetPoints: 60 }];
    });
    const d = ++nextCustomer;
    await p.deliver("orders/paid", A, orderWithLines(d, [{ price: "10.00", quantity: 1 }]));
    await p.deliver("orders/paid", A, orderWithLines(d, [{ price: "10.00", quantity: 1 }]));
    await p.deliver("orders/paid", A, orderWithLines(d, [{ price: "10.00", quantity: 1 }]));
    // 3 × 10 base; the campaign gives 40 + 20 before its budget of 60 is spent
    expect((await balance(A, d)).available).toBe(90);
  });

  it("remembers a guest's order", async () => {
    await p.deliver("orders/paid", A, { ...orderWithLines(null, [{ price: "15.00", quantity: 1 }]), email: "Guest@Example.com" });
    const row = await db.sql.get<{ email: string; points: number }>(`SELECT email, points FROM guest_orders WHERE shop = ? AND email = ?`, [A, "guest@example.com"]);
    expect(row?.points).toBe(15);
  });

  it("awards a guest's orders when that email becomes a customer, if the merchant chose so", async () => {
    await program(A, (x) => {
      x.guests.retroactive = true;
      x.actions.signup.enabled = false;
    });
    const kept = { ...orderWithLines(null, [{ price: "22.00", quantity: 2 }]), email: "new.shopper@example.com" };
    const cancelled = { ...orderWithLines(null, [{ price: "9.00", quantity: 1 }]), email: "new.shopper@example.com" };
    await p.deliver("orders/paid", A, kept);
    await p.deliver("orders/paid", A, cancelled);
    await p.deliver("orders/cancelled", A, { ...cancelled, cancelled_at: new Date().toISOString() });
    const c = ++nextCustomer;
    await p.deliver("customers/create", A, { id: c, email: "New.Shopper@example.com", first_name: "New" });
    await p.deliver("customers/create", A, { id: c, email: "New.Shopper@example.com", first_name: "New" });
    expect((await balance(A, c)).available).toBe(44);
    // and it is clawed back like any other award
    await p.deliver("refunds/create", A, refundOf(kept, [{ index: 0, quantity: 1 }]));
    expect((await balance(A, c)).available).toBe(22);

    await program(A, (x) => {
      x.guests.retroactive = false;
      x.actions.signup.enabled = false;
    });
    await p.deliver("orders/paid", A, { ...orderWithLines(null, [{ price: "30.00", quantity: 1 }]), email: "other@example.com" });
    const d = ++nextCustomer;
    await p.deliver("customers/create", A, { id: d, email: "other@example.com" });
    expect((await balance(A, d)).available).toBe(0);
  });

  it("rejects an invalid program with the field named, and keeps the old one", async () => {
    const bad = structuredClone(defaultProgram()) as unknown as Record<string, Record<string, unknown>>;
    bad.purchase.pointsPerUnit = -2;
    const error = await db.sql.tx((q) => saveProgram(q, A, bad)).catch((e) => e);
    expect(error).toBeInstanceOf(ProgramConfigError);
    expect(Object.keys((error as ProgramConfigError).fieldErrors)).toContain("purchase.pointsPerUnit");
    const c = ++nextCustomer;
    await p.deliver("orders/paid", A, orderWithLines(c, [{ price: "10.00", quantity: 1 }]));
    expect((await balance(A, c)).available).toBe(10);
  });

  it("keeps shops apart: each shop's program applies to its own orders", async () => {
    await program(B, (x) => (x.purchase.pointsPerUnit = 5));
    const c = ++nextCustomer;
    await p.deliver("orders/paid", A, orderWithLines(c, [{ price: "10.00", quantity: 1 }]));
    await p.deliver("orders/paid", B, orderWithLines(c, [{ price: "10.00", quantity: 1 }]));
    expect((await balance(A, c)).available).toBe(10);
    expect((await balance(B, c)).available).toBe(50);
  });

  it("every balance still equals the sum of its entries", async () => {
    for (const s of [A, B]) expect((await checkBalances(db.sql, s)).mismatched).toEqual([]);
    expect(await db.sql.all(`SELECT kind, last_error FROM jobs WHERE status = 'dead'`)).toEqual([]);
    // members enrolled by the tests above exist only once each
    const dup = await db.sql.all(`SELECT customer_gid FROM members GROUP BY shop, customer_gid HAVING COUNT(*) > 1`);
    expect(dup).toEqual([]);
  });
});
