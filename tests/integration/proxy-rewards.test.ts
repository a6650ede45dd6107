// The storefront's rewards through the signed app proxy, with the app's real Admin API client
// (the shop's offline session, Shopify's library) pointed at the offline store by configuration.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { ensureMember, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { createReward } from "~/models/redemptions.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
const SHOP = "stammkunde-dev.myshopify.com";
type Route = (args: { request: Request; params: object; context: object }) => Promise<Response>;
let loader: Route;
let action: Route;
let customerId: number;
let rewardId: number;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  Object.assign(process.env, {
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_SECRET,
    SHOPIFY_APP_URL: "https://app.example.com",
    DATABASE_URL: db.url,
    SHOPIFY_ADMIN_ORIGIN: store.url,
  });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "x", isOnline: false, accessToken: store.shops.accessToken(SHOP), scope: "write_discounts,read_customers" }));
  const route = await import("~/routes/proxy.rewards");
  loader = route.loader as never;
  action = route.action as never;
  customerId = store.customers.create({ firstName: "Erika", email: "erika@example.com" }).id;
  const memberId = await db.sql.tx((q) => ensureMember(q, SHOP, `gid://shopify/Customer/${customerId}`));
  await postEntry(db.sql, SHOP, { memberId, bucket: "available", points: 600, kind: "earn", reason: "purchase", idempotencyKey: "seed" });
  rewardId = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 500, pointsCost: 500, texts: { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } } }));
  await db.sql.tx((q) => createReward(q, SHOP, { type: "percentage", percent: 20, pointsCost: 2000, texts: { en: { title: "20% off" }, de: { title: "20 % Rabatt" } } }));
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

function signed(customer: number | null, secret = TEST_SECRET) {
  return signAppProxyQuery(secret, new URLSearchParams(), { shop: SHOP, loggedInCustomerId: customer, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
}
const call = (route: Route, customer: number | null, init?: RequestInit, secret?: string) =>
  route({ request: new Request(`https://app.example.com/proxy/rewards?${signed(customer, secret)}`, init), params: {}, context: {} }).catch((e: Response) => e);

describe(`storefront rewards on ${TEST_DB}`, () => {
  it("lists rewards with what the shopper can afford, in German too", async () => {
    const res = await call(loader, customerId, { headers: { "Accept-Language": "de-DE" } });
    const body = await res.json();
    expect(body.balance).toBe(600);
    expect(body.rewards.map((r: { title: string; affordable: boolean; value: string }) => [r.title, r.affordable, r.value])).toEqual([
      ["5 € Rabatt", true, "5,00\u00a0€"],
      ["20 % Rabatt", false, "20 %"],
    ]);
    // ways to earn, in the shopper's language, with what they have done
    expect(body.earn[0]).toEqual({ key: "purchase", points: 1, unit: "1\u00a0€" });
    expect(body.earn.find((w: { key: string }) => w.key === "signup")).toMatchObject({ title: "Konto erstellen", done: false });
  });

  it("redeems through Shopify's library against the store, once per key, for the signed-in shopper only", async () => {
    const body = JSON.stringify({ rewardId, idempotencyKey: "tap-1" });
    const res = await call(action, customerId, { method: "POST", body });
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r.status).toBe("issued");
    expect(store.discounts.byCode(r.code)).toBeDefined();
    expect((await call(action, customerId, { method: "POST", body })).status).toBe(200);
    expect((await findMemberByCustomer(db.sql, SHOP, `gid://shopify/Customer/${customerId}`))?.points_available).toBe(100);
    const list = await (await call(loader, customerId)).json();
    expect(list.codes).toEqual([{ code: r.code, points: 500 }]);
    expect(list.history.map((e: { reason: string; points: number }) => [e.reason, e.points])).toEqual([
      ["reward", -500],
      ["purchase", 600],
    ]);
  });

  it("answers 202 when Shopify is slow, and the same request later returns the code", async () => {
    process.env.STAMMKUNDE_PROXY_WAIT_MS = "200";
    store.faults.slowNext(1, 1000);
    const memberId = (await findMemberByCustomer(db.sql, SHOP, `gid://shopify/Customer/${customerId}`))!.id;
    await postEntry(db.sql, SHOP, { memberId, bucket: "available", points: 500, kind: "earn", reason: "purchase", idempotencyKey: "seed-2" });
    const body = JSON.stringify({ rewardId, idempotencyKey: "slow-tap" });
    const first = await call(action, customerId, { method: "POST", body });
    expect(first.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    const again = await call(action, customerId, { method: "POST", body });
    expect(again.status).toBe(200);
    expect((await again.json()).code).toMatch(/^STK-/);
    delete process.env.STAMMKUNDE_PROXY_WAIT_MS;
  });

  it("refuses guests, unsigned calls, too few points and bad bodies, writing nothing", async () => {
    expect((await call(action, null, { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: "g" }) })).status).toBe(403);
    expect((await call(action, customerId, { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: "x" }) }, "wrong")).status).toBe(401);
    expect((await call(action, customerId, { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: "poor" }) })).status).toBe(409);
    expect((await call(action, customerId, { method: "POST", body: "{" })).status).toBe(400);
    expect((await call(action, customerId, { method: "POST", body: JSON.stringify({ idempotencyKey: 5 }) })).status).toBe(422);
    expect((await findMemberByCustomer(db.sql, SHOP, `gid://shopify/Customer/${customerId}`))?.points_available).toBe(100);
  });

  it("keeps a shopper's redemption keys their own, and limits new attempts per minute", async () => {
    const other = store.customers.create({ firstName: "Max", email: "max@example.com" }).id;
    const otherMember = await db.sql.tx((q) => ensureMember(q, SHOP, `gid://shopify/Customer/${other}`));
    await postEntry(db.sql, SHOP, { memberId: otherMember, bucket: "available", points: 5000, kind: "earn", reason: "purchase", idempotencyKey: "seed-max" });
    // Erika's key, sent by Max: no code, no points moved
    const stolen = await call(action, other, { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: "tap-1" }) });
    expect(stolen.status).toBe(409);
    expect(JSON.stringify(await stolen.json())).not.toMatch(/STK-/);
    expect((await findMemberByCustomer(db.sql, SHOP, `gid://shopify/Customer/${other}`))?.points_available).toBe(5000);
    // five new attempts a minute, then 429 until the minute is over
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(action, other, { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: `max-${i}` }) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // asking again about an attempt already made is not a new attempt
    expect((await call(action, other, { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: "max-0" }) })).status).toBe(200);
    expect((await findMemberByCustomer(db.sql, SHOP, `gid://shopify/Customer/${other}`))?.points_available).toBe(2500);
    expect((await call(action, other, { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: "x".repeat(101) }) })).status).toBe(422);
  });

  it("shows the shopper's tier in their language and their notices; a tier-only reward answers 403 with the reason", async () => {
    const { defaultProgram } = await import("~/domain/program");
    const { saveProgram } = await import("~/models/earning.server");
    const { evaluateMember } = await import("~/models/tiers.server");
    const program = defaultProgram();
    const level = (id: string, threshold: number, en: string, de: string) => ({ id, threshold, name: { en, de }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [`${en} perks`], de: [`${de}-Vorteile`] } });
    program.tiers = { enabled: true, basis: "points_earned", window: "lifetime", levels: [level("silver", 500, "Silver", "Silber"), level("gold", 5000, "Gold", "Gold"), level("platinum", 50000, "Platinum", "Platin")], retention: { keepNextPeriod: false, graceDays: 0 }, membershipProduct: null };
    await db.sql.tx((q) => saveProgram(q, SHOP, program));
    const member = (await findMemberByCustomer(db.sql, SHOP, `gid://shopify/Customer/${customerId}`))!;
    // switching tiers on places the existing member quietly (decision 0025) …
    await evaluateMember(db.sql, SHOP, member.id, Date.now());
    const placed = await (await call(loader, customerId, { headers: { "Accept-Language": "de-DE" } })).json();
    expect(placed.tier).toMatchObject({ id: "silver", name: "Silber", perks: ["Silber-Vorteile"] });
    expect(placed.notices).toEqual([]);
    // … and a move the member earns afterwards is told
    await postEntry(db.sql, SHOP, { memberId: member.id, bucket: "available", points: 5000, kind: "earn", reason: "purchase", idempotencyKey: `tier-test:${member.id}` });
    await evaluateMember(db.sql, SHOP, member.id, Date.now());
    const body = await (await call(loader, customerId, { headers: { "Accept-Language": "de-DE" } })).json();
    expect(body.tier).toMatchObject({ id: "gold", name: "Gold", perks: ["Gold-Vorteile"] });
    expect(body.notices).toEqual([expect.objectContaining({ kind: "tier_up", to: "gold", reason: "qualified" })]);

    const platinumOnly = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 100, pointsCost: 10, texts: { en: { title: "Platinum" }, de: { title: "Platin" } }, tiers: ["platinum"] }));
    const refused = await call(action, customerId, { method: "POST", body: JSON.stringify({ rewardId: platinumOnly, idempotencyKey: "platinum-only" }) });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "this reward is only for members of Platinum" });
  });
});
