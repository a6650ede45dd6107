// Redeeming points for discount codes created in the (offline, strict) Shopify: the code exists
// and applies at checkout, concurrent redemptions never overspend, and no fault costs points.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, DiscountRejected, type DevStore } from "../../devstore/index.ts";
import { RewardConfigError } from "~/domain/rewards";
import { Worker } from "~/jobs/worker.server";
import { checkBalances, ensureMember, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { cancelRedemption, createReward, grantReward, listRewards, redeem, RedeemError, setRewardEnabled } from "~/models/redemptions.server";
import { pipeline } from "../helpers/pipeline";
import { orderWithLines } from "../helpers/webhooks";
import { withTimeout, type AdminGraphql } from "~/services/shopify/client.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";
import { devstoreAdmin } from "../helpers/devstore";
import { resetBuckets, throttledAdmin } from "~/services/shopify/throttle.server";

let db: TestDatabase;
let store: DevStore;
const SHOP = "stammkunde-dev.myshopify.com";
const noWait = async () => undefined;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const admin: AdminGraphql = (query, options) => devstoreAdmin(store, SHOP)(query, options);

const texts = { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } };

async function shopper(points: number) {
  const c = store.customers.create({ firstName: "Test", email: `t${Math.random().toString(36).slice(2)}@example.com` });
  const gid = `gid://shopify/Customer/${c.id}`;
  const memberId = await db.sql.tx((q) => ensureMember(q, SHOP, gid));
  if (points > 0) await postEntry(db.sql, SHOP, { memberId, bucket: "available", points, kind: "earn", reason: "purchase", idempotencyKey: `seed:${gid}` });
  return { id: c.id, gid };
}
const balanceOf = async (gid: string) => (await findMemberByCustomer(db.sql, SHOP, gid))?.points_available;

describe(`redemption on ${TEST_DB}`, () => {
  it("refuses an invalid reward, naming the fields", async () => {
    const error = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: -5, pointsCost: 0, texts })).catch((e) => e);
    expect(error).toBeInstanceOf(RewardConfigError);
    expect(Object.keys(error.fieldErrors).sort()).toEqual(["amountMinor", "pointsCost"]);
  });

  it("turns points into a €5 code only this customer can use, which applies at checkout", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 500, pointsCost: 500, texts, minimumSubtotalMinor: 1000 }));
    const s = await shopper(700);
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "click-1", admin, { sleep: noWait });
    expect(r).toMatchObject({ status: "issued", points: 500 });
    expect(await balanceOf(s.gid)).toBe(200);
    // the same click again (a double tap, a retry) is the same redemption
    expect(await redeem(db.sql, SHOP, s.gid, rewardId, "click-1", admin, { sleep: noWait })).toEqual(r);
    expect(await balanceOf(s.gid)).toBe(200);

    const variant = [...store.shops.get(SHOP).variants.values()].find((v) => v.price >= 1000)!; // prices in cents
    const order = store.orders.create({ customerId: s.id, lineItems: [{ variantId: variant.id, quantity: 1 }], discountCodes: [r.code!], shipping: null });
    expect(order.discountCodes).toEqual([{ code: r.code, amount: 500, type: "fixed_amount" }]); // cents
    // another shopper can't use it, nor can it be used twice
    const other = await shopper(0);
    expect(() => store.orders.create({ customerId: other.id, lineItems: [{ variantId: variant.id, quantity: 1 }], discountCodes: [r.code!] })).toThrow(DiscountRejected);
    expect(() => store.orders.create({ customerId: s.id, lineItems: [{ variantId: variant.id, quantity: 1 }], discountCodes: [r.code!] })).toThrow(DiscountRejected);
  });

  it("a reward for some products takes off only those products", async () => {
    const [coffee, cup] = [...store.shops.get(SHOP).products.values()];
    const cupVariant = [...store.shops.get(SHOP).variants.values()].find((v) => v.productId === cup.id)!;
    const coffeeVariant = [...store.shops.get(SHOP).variants.values()].find((v) => v.productId === coffee.id)!;
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "percentage", percent: 50, pointsCost: 10, texts, appliesTo: { type: "products", productIds: [`gid://shopify/Product/${cup.id}`] } }));
    const s = await shopper(10);
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "cups", admin, { sleep: noWait });
    const order = store.orders.create({ customerId: s.id, lineItems: [{ variantId: cupVariant.id, quantity: 1 }, { variantId: coffeeVariant.id, quantity: 1 }], discountCodes: [r.code!], shipping: null });
    expect(order.discountCodes[0].amount).toBe(Math.round(cupVariant.price / 2));
  });

  it("issues percentage and free-shipping rewards", async () => {
    const pct = await db.sql.tx((q) => createReward(q, SHOP, { type: "percentage", percent: 10, pointsCost: 100, texts }));
    const ship = await db.sql.tx((q) => createReward(q, SHOP, { type: "free_shipping", pointsCost: 50, texts, maxShippingMinor: 990 }));
    const s = await shopper(150);
    expect((await redeem(db.sql, SHOP, s.gid, pct, "p", admin, { sleep: noWait })).status).toBe("issued");
    const free = await redeem(db.sql, SHOP, s.gid, ship, "s", admin, { sleep: noWait });
    expect(free.status).toBe("issued");
    expect(await balanceOf(s.gid)).toBe(0);
    const variant = [...store.shops.get(SHOP).variants.values()].find((v) => v.price >= 1000)!;
    const order = store.orders.create({ customerId: s.id, lineItems: [{ variantId: variant.id, quantity: 1 }], discountCodes: [free.code!], shipping: { title: "Standard", price: "4.90" } });
    expect(order.discountCodes).toEqual([{ code: free.code, amount: 490, type: "shipping" }]);
  });

  it("points for money: the shopper picks the amount within the merchant's bounds", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "points_for_money", pointsCost: 100, minUnits: 5, maxUnits: 50, texts }));
    const s = await shopper(1250);
    await expect(redeem(db.sql, SHOP, s.gid, rewardId, "pfm-0", admin, { choice: { units: 4 } })).rejects.toMatchObject({ status: 422 });
    await expect(redeem(db.sql, SHOP, s.gid, rewardId, "pfm-1", admin, { choice: { units: 13 } })).rejects.toMatchObject({ status: 409 });
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "pfm-2", admin, { choice: { units: 12 }, sleep: noWait });
    expect(r).toMatchObject({ status: "issued", points: 1200 });
    expect(await balanceOf(s.gid)).toBe(50);
    const variant = [...store.shops.get(SHOP).variants.values()].find((v) => v.price >= 1000)!;
    const order = store.orders.create({ customerId: s.id, lineItems: [{ variantId: variant.id, quantity: 1 }], discountCodes: [r.code!], shipping: null });
    expect(order.discountCodes).toEqual([{ code: r.code, amount: 1200, type: "fixed_amount" }]);
  });

  it("store credit lands on the customer's Shopify account once, even when the answer was lost", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "store_credit", amountMinor: 750, pointsCost: 300, texts }));
    const s = await shopper(600);
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "sc-1", admin, { sleep: noWait });
    expect(r).toMatchObject({ status: "issued", points: 300 });
    const account = () => [...store.shops.get(SHOP).storeCreditAccounts.values()].find((a) => a.customerId === s.id);
    expect(account()?.balance).toBe(750);
    // the credit goes through but its answer is lost: the settle job repeats the idempotent call
    let first = true;
    const lossy: AdminGraphql = async (query, options) => {
      const res = await admin(query, options);
      if (first) {
        first = false;
        throw new TypeError("socket hang up");
      }
      return res;
    };
    const lost = await redeem(db.sql, SHOP, s.gid, rewardId, "sc-2", lossy, { sleep: noWait, attempts: 1 });
    expect(lost.status).toBe("held");
    await drainAt(Date.now() + 4 * 60_000);
    expect((await db.sql.get<{ status: string }>(`SELECT status FROM redemptions WHERE id = ?`, [lost.id]))?.status).toBe("issued");
    expect(account()?.balance).toBe(1500); // credited twice in all, once per redemption
    expect(await balanceOf(s.gid)).toBe(0);
  });

  it("limits how often a member and everyone together may take a reward; a released one doesn't count", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 10, texts, perCustomerLimit: 2, totalLimit: 3 }));
    const a = await shopper(100);
    const b = await shopper(100);
    expect((await redeem(db.sql, SHOP, a.gid, rewardId, "lim-a1", admin, { sleep: noWait })).status).toBe("issued");
    expect((await redeem(db.sql, SHOP, a.gid, rewardId, "lim-a2", admin, { sleep: noWait })).status).toBe("issued");
    await expect(redeem(db.sql, SHOP, a.gid, rewardId, "lim-a3", admin)).rejects.toMatchObject({ status: 409, reason: /as often/ });
    // a refused discount gives its place back
    store.faults.next(1, { kind: "error", status: 200, body: { data: { discountCodeBasicCreate: { codeDiscountNode: null, userErrors: [{ field: ["code"], code: "INVALID", message: "no" }] } } } }, "admin");
    expect((await redeem(db.sql, SHOP, b.gid, rewardId, "lim-b1", admin, { sleep: noWait })).status).toBe("released");
    expect((await redeem(db.sql, SHOP, b.gid, rewardId, "lim-b2", admin, { sleep: noWait })).status).toBe("issued");
    await expect(redeem(db.sql, SHOP, b.gid, rewardId, "lim-b3", admin)).rejects.toMatchObject({ status: 409, reason: /no longer available/ });
    expect(await balanceOf(b.gid)).toBe(90);
  });

  it("a reward's money budget runs out, and a cancelled code gives its share back", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 500, pointsCost: 10, texts, budgetMinor: 1200 }));
    const s = await shopper(100);
    const first = await redeem(db.sql, SHOP, s.gid, rewardId, "bud-1", admin, { sleep: noWait });
    expect((await redeem(db.sql, SHOP, s.gid, rewardId, "bud-2", admin, { sleep: noWait })).status).toBe("issued");
    await expect(redeem(db.sql, SHOP, s.gid, rewardId, "bud-3", admin)).rejects.toMatchObject({ status: 409, reason: /budget/ });
    await cancelRedemption(db.sql, SHOP, first.id, admin);
    expect((await redeem(db.sql, SHOP, s.gid, rewardId, "bud-4", admin, { sleep: noWait })).status).toBe("issued");
    expect(await balanceOf(s.gid)).toBe(80);
  });

  it("the merchant gives a member a reward without taking points", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 1000, pointsCost: 1000, texts }));
    const s = await shopper(0);
    const r = await grantReward(db.sql, SHOP, s.gid, rewardId, "goodwill-1", admin, "support@shop", { sleep: noWait });
    expect(r).toMatchObject({ status: "issued", points: 0 });
    expect(store.discounts.byCode(r.code!)).toBeDefined();
    expect(await balanceOf(s.gid)).toBe(0);
    expect((await db.sql.get<{ granted_by: string }>(`SELECT granted_by FROM redemptions WHERE id = ?`, [r.id]))?.granted_by).toBe("support@shop");
    // cancelling it gives nothing back, and takes nothing
    expect(await cancelRedemption(db.sql, SHOP, r.id, admin)).toBe(true);
    expect(await balanceOf(s.gid)).toBe(0);
  });

  it("a free product: one unit of the variant is free, not two", async () => {
    const variant = [...store.shops.get(SHOP).variants.values()].find((v) => v.price === 1450)!;
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "free_product", variantId: `gid://shopify/ProductVariant/${variant.id}`, pointsCost: 400, texts }));
    const s = await shopper(400);
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "free-1", admin, { sleep: noWait });
    expect(r.status).toBe("issued");
    const order = store.orders.create({ customerId: s.id, lineItems: [{ variantId: variant.id, quantity: 2 }], discountCodes: [r.code!], shipping: null });
    expect(order.discountCodes[0].amount).toBe(1450);
    // a variant that no longer exists: nothing is created, the points come back
    const gone = await db.sql.tx((q) => createReward(q, SHOP, { type: "free_product", variantId: "gid://shopify/ProductVariant/999999", pointsCost: 10, texts }));
    const t = await shopper(10);
    expect((await redeem(db.sql, SHOP, t.gid, gone, "free-2", admin, { sleep: noWait })).status).toBe("released");
    expect(await balanceOf(t.gid)).toBe(10);
  });

  it("a reward switched off is neither listed nor redeemable, and only in its own shop", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 10, texts }));
    const s = await shopper(10);
    expect(await setRewardEnabled(db.sql, "other-shop.myshopify.com", rewardId, false)).toBe(false);
    expect(await setRewardEnabled(db.sql, SHOP, rewardId, false)).toBe(true);
    expect((await listRewards(db.sql, SHOP)).map((r) => r.id)).not.toContain(rewardId);
    await expect(redeem(db.sql, SHOP, s.gid, rewardId, "off", admin)).rejects.toMatchObject({ status: 404 });
    await expect(redeem(db.sql, "other-shop.myshopify.com", s.gid, rewardId, "elsewhere", admin)).rejects.toMatchObject({ status: 404 });
    expect(await balanceOf(s.gid)).toBe(10);
  });

  it("a donation is recorded without a code", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "donation", pointsCost: 200, cause: { en: "Trees for the city", de: "Bäume für die Stadt" }, texts }));
    const s = await shopper(250);
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "don-1", admin);
    expect(r).toMatchObject({ status: "donated", code: null, points: 200 });
    expect(await balanceOf(s.gid)).toBe(50);
    const total = await db.sql.get<{ n: number; points: number }>(`SELECT COUNT(*) AS n, SUM(points) AS points FROM redemptions WHERE shop = ? AND reward_id = ? AND status = 'donated'`, [SHOP, rewardId]);
    expect(total).toEqual({ n: 1, points: 200 });
  });

  it("refuses too few points, an unknown reward and a missing key with a clear error, writing nothing", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 1000, texts }));
    const s = await shopper(999);
    await expect(redeem(db.sql, SHOP, s.gid, rewardId, "k", admin)).rejects.toMatchObject({ status: 409, reason: "not enough points" });
    await expect(redeem(db.sql, SHOP, s.gid, 999_999, "k2", admin)).rejects.toMatchObject({ status: 404 });
    await expect(redeem(db.sql, SHOP, s.gid, rewardId, "", admin)).rejects.toBeInstanceOf(RedeemError);
    expect(await db.sql.all(`SELECT * FROM redemptions r JOIN members m ON m.id = r.member_id WHERE m.customer_gid = ?`, [s.gid])).toEqual([]);
    expect(await balanceOf(s.gid)).toBe(999);
  });

  it("50 simultaneous redemptions by one member whose points cover 7: exactly 7 succeed", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 100, texts }));
    const s = await shopper(750);
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => redeem(db.sql, SHOP, s.gid, rewardId, `burst-${i}`, admin, { sleep: noWait })));
    const issued = results.filter((r) => r.status === "fulfilled" && r.value.status === "issued");
    expect(issued).toHaveLength(7);
    expect(results.filter((r) => r.status === "rejected").every((r) => (r as PromiseRejectedResult).reason.status === 409)).toBe(true);
    expect(await balanceOf(s.gid)).toBe(50);
  });

  it("retries a 5xx and a THROTTLED answer, then issues", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 10, texts }));
    const s = await shopper(20);
    store.faults.failNext(1, 503);
    expect((await redeem(db.sql, SHOP, s.gid, rewardId, "f1", admin, { sleep: noWait })).status).toBe("issued");
    store.faults.throttleNext(1);
    expect((await redeem(db.sql, SHOP, s.gid, rewardId, "f2", admin, { sleep: noWait })).status).toBe("issued");
    expect(await balanceOf(s.gid)).toBe(0);
  });

  it("when Shopify hangs, the shopper gets an answer in time and the settle job decides: 0 lost, 0 orphans", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 10, texts }));
    const s = await shopper(10);
    store.faults.hangNext(2); // the create and the lookup never answer
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "hang", withTimeout(admin, 300), { sleep: noWait, attempts: 1 });
    expect(r.status).toBe("held");
    await drainAt(Date.now() + 4 * 60_000);
    const row = await db.sql.get<{ status: string; code: string }>(`SELECT status, code FROM redemptions WHERE id = ?`, [r.id]);
    // the hung create never reached the store's state, so the code doesn't exist: points back
    expect(row?.status).toBe("released");
    expect(store.discounts.byCode(row!.code)).toBeUndefined();
    expect(await balanceOf(s.gid)).toBe(10);
  });

  it("gives the points back when Shopify refuses the discount", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 10, texts }));
    const gid = "gid://shopify/Customer/424242"; // not a customer of the store: Shopify answers userErrors
    const memberId = await db.sql.tx((q) => ensureMember(q, SHOP, gid));
    await postEntry(db.sql, SHOP, { memberId, bucket: "available", points: 10, kind: "earn", reason: "x", idempotencyKey: "seed:424242" });
    const r = await redeem(db.sql, SHOP, gid, rewardId, "refused", admin, { sleep: noWait });
    expect(r.status).toBe("released");
    expect(r.error).toMatch(/refused/);
    expect(await balanceOf(gid)).toBe(10);
  });

  it("when Shopify stays down, the hold waits for the settle job, which releases it: 0 points lost", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 10, texts }));
    const s = await shopper(10);
    store.faults.failNext(4, 503); // three attempts and the lookup
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "down", admin, { sleep: noWait });
    expect(r.status).toBe("held");
    expect(await balanceOf(s.gid)).toBe(0);
    await new Worker({ sql: db.sql, admin: async () => admin }).drain();
    expect(await balanceOf(s.gid)).toBe(0); // not yet due
    await drainAt(Date.now() + 4 * 60_000);
    expect(await balanceOf(s.gid)).toBe(10);
    expect(store.discounts.byCode(`unused`)).toBeUndefined();
  });

  it("a crash after Shopify made the code but before it was recorded: the settle job finds it and issues it", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 10, texts }));
    const s = await shopper(10);
    let calls = 0;
    // the create goes through, but its answer is lost, and so is the lookup right after
    const lossy: AdminGraphql = async (query, options) => {
      calls++;
      const res = await admin(query, options);
      if (calls === 1 || query.includes("CodeLookup")) throw new TypeError("socket hang up");
      return res;
    };
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "crash", lossy, { sleep: noWait, attempts: 1 });
    expect(r.status).toBe("held");
    await drainAt(Date.now() + 4 * 60_000);
    const row = await db.sql.get<{ status: string; code: string }>(`SELECT status, code FROM redemptions WHERE id = ?`, [r.id]);
    expect(row?.status).toBe("issued");
    expect(store.discounts.byCode(row!.code)).toBeDefined();
    expect(await balanceOf(s.gid)).toBe(0);
  });

  it("a code that expires unused is deactivated in Shopify and its points come back; a used one stays used", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 300, pointsCost: 30, texts, expiryDays: 30 }));
    const s = await shopper(60);
    const unused = await redeem(db.sql, SHOP, s.gid, rewardId, "exp-1", admin, { sleep: noWait });
    const used = await redeem(db.sql, SHOP, s.gid, rewardId, "exp-2", admin, { sleep: noWait });
    expect(await balanceOf(s.gid)).toBe(0);
    // the shopper uses the second code: orders/paid names it
    const order = { ...orderWithLines(s.id, [{ price: "40.00", quantity: 1 }]), discount_codes: [{ code: used.code!.toLowerCase(), amount: "3.00", type: "fixed_amount" }], total_price_set: { shop_money: { amount: "37.00", currency_code: "EUR" } } };
    const p = pipeline(db.sql);
    await p.send("orders/paid", SHOP, order);
    await new Worker({ sql: db.sql, admin: async () => admin }).drain();
    const usedRow = await db.sql.get<{ status: string; revenue_minor: number; order_gid: string }>(`SELECT status, revenue_minor, order_gid FROM redemptions WHERE id = ?`, [used.id]);
    expect(usedRow).toMatchObject({ status: "used", revenue_minor: 3700, order_gid: order.admin_graphql_api_id });
    const afterOrder = (await balanceOf(s.gid))!;

    await drainAt(Date.now() + 29 * 86_400_000);
    expect(await balanceOf(s.gid)).toBe(afterOrder);
    await drainAt(Date.now() + 31 * 86_400_000);
    expect(await balanceOf(s.gid)).toBe(afterOrder + 30); // only the unused code's points
    const rows = await db.sql.all<{ id: number; status: string }>(`SELECT id, status FROM redemptions WHERE id IN (?, ?) ORDER BY id`, [unused.id, used.id]);
    expect(rows.map((r) => r.status)).toEqual(["expired", "used"]);
    // Shopify deactivates by ending the discount now
    expect(store.discounts.byCode(unused.code!)?.endsAt).toBeLessThanOrEqual(Date.now());
  });

  it("the merchant cancels an unused code: deleted in Shopify, points back; a used code can't be cancelled", async () => {
    const rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 15, texts }));
    const s = await shopper(15);
    const r = await redeem(db.sql, SHOP, s.gid, rewardId, "cancel-me", admin, { sleep: noWait });
    expect(await cancelRedemption(db.sql, SHOP, r.id, admin)).toBe(true);
    expect(await balanceOf(s.gid)).toBe(15);
    expect(store.discounts.byCode(r.code!)).toBeUndefined();
    await expect(cancelRedemption(db.sql, SHOP, r.id, admin)).rejects.toMatchObject({ status: 409 });
  });

  it("a burst beyond a Standard-plan bucket waits for the bucket instead of failing", async () => {
    const shop = "burst-shop.myshopify.com";
    store.shops.create({ domain: shop, plan: "standard" });
    const rewardId = await db.sql.tx((q) => createReward(q, shop, { type: "amount", amountMinor: 100, pointsCost: 10, texts }));
    const customers = Array.from({ length: 120 }, () => store.customers.create({ shop, firstName: "B", email: `b${Math.random().toString(36).slice(2)}@example.com` }));
    for (const c of customers) {
      const memberId = await db.sql.tx((q) => ensureMember(q, shop, `gid://shopify/Customer/${c.id}`));
      await postEntry(db.sql, shop, { memberId, bucket: "available", points: 10, kind: "earn", reason: "x", idempotencyKey: `seed:${c.id}` });
    }
    resetBuckets();
    const client = throttledAdmin(shop, devstoreAdmin(store, shop));
    const results = await Promise.all(customers.map((c, i) => redeem(db.sql, shop, `gid://shopify/Customer/${c.id}`, rewardId, `burst-${i}`, client)));
    expect(results.filter((r) => r.status !== "issued")).toEqual([]);
    expect((await checkBalances(db.sql, shop)).mismatched).toEqual([]);
  });

  it("every balance still equals the sum of its entries", async () => {
    expect((await checkBalances(db.sql, SHOP)).mismatched).toEqual([]);
    // no orphan codes: every code in the store belongs to a redemption that was issued
    const issued = new Set((await db.sql.all<{ code: string }>(`SELECT code FROM redemptions WHERE status IN ('issued', 'used', 'expired')`)).map((r) => r.code));
    const inStore = [...store.shops.get(SHOP).discounts.values()].flatMap((d) => d.codes.map((c) => c.code));
    expect(inStore.filter((c) => !issued.has(c))).toEqual([]);
  });
});

async function drainAt(now: number) {
  const w = new Worker({ sql: db.sql, admin: async () => admin });
  for (let i = 0; i < 100 && (await w.runOnce(now)) > 0; i++);
}
