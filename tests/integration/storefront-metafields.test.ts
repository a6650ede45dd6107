// What the theme extension reads without asking the app: the merchant's texts and the earning rate
// (app-data metafields) and each member's points (app-owned customer metafields), written through
// the offline store's strict Admin API and rendered by its storefront with the real extension.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { defaultProgram } from "~/domain/program";
import { productPoints } from "~/domain/storefront";
import { saveProgram } from "~/models/earning.server";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { syncMemberMetafields } from "~/models/member-sync.server";
import { publishStorefront } from "~/models/storefront.server";
import { evaluateMember } from "~/models/tiers.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
const A = "stammkunde-dev.myshopify.com";
const B = "zweiter-laden.myshopify.com";

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: B, name: "Zweiter Laden" });
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

async function page(path: string, opts: { shop?: string; customerId?: number; locale?: string } = {}) {
  const { cookie } = store.storefront.session({ shop: opts.shop ?? A, customerId: opts.customerId ?? null, locale: opts.locale ?? "en" });
  const res = await fetch(`${store.url}${path}`, { headers: { cookie } });
  const html = await res.text();
  expect(html, "no Liquid error").not.toContain("liquid-error");
  expect(res.status).toBe(200);
  return html;
}
const launcherText = (html: string) => /data-stk-launcher[^>]*>([^<]*)</.exec(html)?.[1];
const customerMetafield = (shop: string, customerId: number, key: string) =>
  store.state.shops.get(shop)!.metafieldsOf(`gid://shopify/Customer/${customerId}`).find((m) => m.namespace.endsWith("--loyalty") && m.key === key)?.value;

describe(`storefront metafields on ${TEST_DB}`, () => {
  it("shows the translated texts until the merchant overrides them, per language", async () => {
    expect(launcherText(await page("/"))).toBe("Rewards");
    expect(launcherText(await page("/", { locale: "de" }))).toBe("Prämien");
    const p = defaultProgram();
    p.storefront.texts.en.launcherLabel = "Club points";
    p.storefront.texts.de.launcherLabel = "Clubpunkte";
    p.storefront.texts.de.guestIntro = "Willkommen im Club <3 {{ shop.name }}";
    await db.sql.tx((q) => saveProgram(q, A, p));
    // saving booked the publishing job
    expect(await db.sql.all(`SELECT kind FROM jobs WHERE shop = ? AND kind = 'storefront:publish'`, [A])).toHaveLength(1);
    await publishStorefront(db.sql, A, devstoreAdmin(store, A));
    expect(launcherText(await page("/"))).toBe("Club points");
    const de = await page("/", { locale: "de" });
    expect(launcherText(de)).toBe("Clubpunkte");
    // a merchant's text is text: escaped, never run as Liquid or HTML
    expect(de).toContain("Willkommen im Club &lt;3 {{ shop.name }}");
    // the other shop keeps its defaults
    expect(launcherText(await page("/", { shop: B }))).toBe("Rewards");
  });

  it("shows on product pages the points the product earns, computed in Liquid", async () => {
    const p = defaultProgram();
    p.purchase.pointsPerUnit = 3;
    p.purchase.rounding = "nearest";
    await db.sql.tx((q) => saveProgram(q, A, p));
    await publishStorefront(db.sql, A, devstoreAdmin(store, A));
    store.storefront.theme(A).placeBlocks("product", ["stammkunde-theme/earn-points"]);
    const { product } = store.products.create({ shop: A, title: "Teekanne", variants: [{ price: "24.95" }] });
    const html = await page(`/products/${product.handle}`);
    const expected = productPoints(2495, 3, "nearest");
    expect(expected).toBe(75);
    expect(html).toContain(`data-stk-earn-points="${expected}"`);
    // the shop's prices include VAT and points are earned on the net amount: "up to"
    expect(html).toContain(`Earn up to ${expected} points with this product`);
    // an excluded product shows nothing
    p.purchase.excludedProductIds = [`gid://shopify/Product/${product.id}`];
    await db.sql.tx((q) => saveProgram(q, A, p));
    await publishStorefront(db.sql, A, devstoreAdmin(store, A));
    expect(await page(`/products/${product.handle}`)).not.toContain("data-stk-earn-points");
  });

  it("writes members' points to their customers in batches; the balance block shows them", async () => {
    const customers = Array.from({ length: 30 }, (_, i) => store.customers.create({ shop: A, firstName: `K${i}`, email: `k${i}@example.com` }).id);
    for (const [i, id] of customers.entries()) {
      const memberId = await db.sql.tx((q) => ensureMember(q, A, `gid://shopify/Customer/${id}`));
      await postEntry(db.sql, A, { memberId, bucket: "available", points: 100 + i, kind: "earn", reason: "purchase", idempotencyKey: `seed:${id}` });
    }
    // the other shop's member stays with its own shop
    const other = store.customers.create({ shop: B, firstName: "Bea", email: "bea@example.com" }).id;
    const otherMember = await db.sql.tx((q) => ensureMember(q, B, `gid://shopify/Customer/${other}`));
    await postEntry(db.sql, B, { memberId: otherMember, bucket: "pending", points: 7, kind: "earn", reason: "purchase", idempotencyKey: "seed:b" });
    // a customer deleted in Shopify since: refused, counted, and not in the way of the others
    store.customers.delete(customers[3]!, { shop: A });

    const calls: string[] = [];
    const admin = devstoreAdmin(store, A);
    const counting: typeof admin = (query, options) => {
      calls.push(query);
      return admin(query, options);
    };
    const r = await syncMemberMetafields(db.sql, A, counting);
    expect(r).toEqual({ synced: 29, failed: 1, more: false });
    // 12 members (2 metafields each) per call: 3 batches, plus one retry for the batch with the deleted customer
    expect(calls.length).toBe(4);
    expect(customerMetafield(A, customers[0]!, "points")).toBe("100");
    expect(JSON.parse(customerMetafield(A, customers[29]!, "status")!)).toEqual({ points: 129, pending: 0, lifetime: 129, referral_code: null, tier: null });
    expect(await db.sql.get(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND metafields_dirty = ?`, [A, true])).toMatchObject({ n: 0 });
    // nothing left: the next run makes no call
    expect(await syncMemberMetafields(db.sql, A, counting)).toEqual({ synced: 0, failed: 0, more: false });
    expect(calls.length).toBe(4);
    expect(customerMetafield(B, other, "points")).toBeUndefined();
    // the sync booked for the window is one job per shop, however many entries
    expect(await db.sql.get(`SELECT COUNT(*) AS n FROM jobs WHERE shop = ? AND kind = 'metafields:sync'`, [A])).toMatchObject({ n: expect.any(Number) });

    store.storefront.theme(A).placeBlocks("index", ["stammkunde-theme/points-balance"]);
    const html = await page("/", { customerId: customers[5] });
    expect(html).toContain("You have <strong>105</strong> points");
    expect(await page("/", { locale: "de" })).toContain("Sammeln Sie bei jeder Bestellung Punkte");
  });

  it("a balance change after the batch was read keeps the member dirty for the next run", async () => {
    const id = store.customers.create({ shop: A, firstName: "Lena", email: "lena@example.com" }).id;
    const memberId = await db.sql.tx((q) => ensureMember(q, A, `gid://shopify/Customer/${id}`));
    await postEntry(db.sql, A, { memberId, bucket: "available", points: 10, kind: "earn", reason: "purchase", idempotencyKey: "lena:1" });
    const admin = devstoreAdmin(store, A);
    let once = false;
    const racing: typeof admin = async (query, options) => {
      const res = await admin(query, options);
      if (!once) {
        once = true; // points arrive while Shopify writes the old balance
        await postEntry(db.sql, A, { memberId, bucket: "available", points: 5, kind: "earn", reason: "purchase", idempotencyKey: "lena:2" });
      }
      return res;
    };
    await syncMemberMetafields(db.sql, A, racing);
    expect(customerMetafield(A, id, "points")).toBe("10");
    await syncMemberMetafields(db.sql, A, admin);
    expect(customerMetafield(A, id, "points")).toBe("15");
  });

  it("a tier move marks the member for the sync, and the status metafield carries the tier", async () => {
    const program = defaultProgram();
    const level = (id: string, threshold: number) => ({ id, threshold, name: { en: id, de: id }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] } });
    program.tiers = { enabled: true, basis: "points_earned", window: "lifetime", levels: [level("bronze", 0), level("silver", 50)], retention: { keepNextPeriod: false, graceDays: 0 }, membershipProduct: null };
    await db.sql.tx((q) => saveProgram(q, A, program));
    const id = store.customers.create({ shop: A, firstName: "Tia", email: "tia@example.com" }).id;
    const memberId = await db.sql.tx((q) => ensureMember(q, A, `gid://shopify/Customer/${id}`));
    await postEntry(db.sql, A, { memberId, bucket: "available", points: 60, kind: "earn", reason: "purchase", idempotencyKey: "tia:1" });
    const admin = devstoreAdmin(store, A);
    await syncMemberMetafields(db.sql, A, admin);
    // the move itself changes no points, yet the customer's metafield must learn the tier
    await evaluateMember(db.sql, A, memberId, Date.now());
    expect(await db.sql.get(`SELECT tier_id, metafields_dirty FROM members WHERE shop = ? AND id = ?`, [A, memberId])).toMatchObject({ tier_id: "silver", metafields_dirty: db.sql.dialect === "sqlite" ? 1 : true });
    await syncMemberMetafields(db.sql, A, admin);
    expect(JSON.parse(customerMetafield(A, id, "status")!)).toMatchObject({ points: 60, tier: "silver" });
    await db.sql.tx((q) => saveProgram(q, A, defaultProgram()));
  });

  it("the referral block shows the member's link and a WhatsApp button carrying it", async () => {
    const p = defaultProgram();
    p.referrals.enabled = true;
    p.referrals.texts.de.shareMessage = "Schau mal: {link}";
    await db.sql.tx((q) => saveProgram(q, A, p));
    await publishStorefront(db.sql, A, devstoreAdmin(store, A));
    store.storefront.theme(A).placeBlocks("index", ["stammkunde-theme/referral"]);
    const id = store.customers.create({ shop: A, firstName: "Rita", email: "rita@example.com" }).id;
    // no code yet: the block invites the member to open the panel
    expect(await page("/", { customerId: id })).toContain("Open your rewards to get your personal link.");
    const { memberReferral } = await import("~/models/referrals.server");
    const r = (await memberReferral(db.sql, A, `gid://shopify/Customer/${id}`, "de"))!;
    expect(r.referral.shareMessage).toBe(`Schau mal: ${r.referral.url}`);
    await syncMemberMetafields(db.sql, A, devstoreAdmin(store, A));
    const html = await page("/", { customerId: id, locale: "de" });
    expect(/value="([^"]*)" data-stk-refer-link/.exec(html)?.[1]).toMatch(new RegExp(`^http.*/apps/loyalty/r/${r.referral.code}$`));
    const wa = new URL(/href="(https:\/\/wa\.me\/\?text=[^"]*)"/.exec(html)![1]!.replace(/&amp;/g, "&"));
    expect(wa.searchParams.get("text")).toMatch(new RegExp(`^Schau mal: http.*/apps/loyalty/r/${r.referral.code}$`));
    // guests are asked to sign in; with referrals off the block is gone
    expect(await page("/")).toContain("Sign in to get your personal link");
    p.referrals.enabled = false;
    await db.sql.tx((q) => saveProgram(q, A, p));
    await publishStorefront(db.sql, A, devstoreAdmin(store, A));
    expect(await page("/", { customerId: id })).not.toContain("data-stk-refer-block");
  });
});
