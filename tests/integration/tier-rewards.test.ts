// Tier-only rewards wherever a shopper meets them (#8): the storefront panel and the rewards page
// (signed app proxy), the customer-account extension (session tokens as Shopify signs them) and the
// merchant API — listed locked ("Gold members only") to everyone outside the tier, refused when
// redeemed with nothing taken and no code made in the offline Shopify, open once promoted. Two
// shops, SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { defaultProgram, parseProgram, type Program, type TierLevel } from "~/domain/program";
import { createApiKey } from "~/models/api-keys.server";
import { programOf, saveProgram } from "~/models/earning.server";
import { ensureMember, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { setMemberStatus } from "~/models/members.server";
import { createReward, listRewardsFor } from "~/models/redemptions.server";
import { ensureShop } from "~/models/shops.server";
import { assignTier, evaluateMember } from "~/models/tiers.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

type Route = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;
let db: TestDatabase;
let store: DevStore;
const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "zweiter-laden.myshopify.com";
const APP = "https://app.example.com";
const routes: Record<string, { loader: Route; action?: Route }> = {};
const gid = (id: number) => `gid://shopify/Customer/${id}`;

let silver: { customerId: number; memberId: number }; // 400 points earned: Silver
let gold: { customerId: number; memberId: number }; // 1500 points earned: Gold
let otherGold: { customerId: number; memberId: number }; // Gold in the other shop
let openReward: number;
let goldOnly: number;
let otherGoldOnly: number;
let apiKey: string;
let otherApiKey: string;

function level(id: string, threshold: number, de: string): TierLevel {
  return { id, threshold, name: { en: id[0]!.toUpperCase() + id.slice(1), de }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] } };
}
function program(change: (p: Program) => void = () => undefined): Program {
  const p = structuredClone(defaultProgram());
  p.tiers = { enabled: true, basis: "points_earned", window: "lifetime", levels: [level("silver", 100, "Silber"), level("gold", 1000, "Gold")], retention: { keepNextPeriod: false, graceDays: 0 }, membershipProduct: null };
  change(p);
  return p;
}

async function earner(shop: string, name: string, points: number) {
  const customerId = store.customers.create({ shop, firstName: name, email: `${name.toLowerCase()}@example.com` }).id;
  const memberId = await db.sql.tx((q) => ensureMember(q, shop, gid(customerId)));
  await postEntry(db.sql, shop, { memberId, bucket: "available", points, kind: "earn", reason: "purchase", idempotencyKey: `seed:${shop}:${customerId}` });
  await evaluateMember(db.sql, shop, memberId, Date.now());
  return { customerId, memberId };
}

const gift = (title: string) => ({ en: { title }, de: { title: `${title} (de)` } });

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: OTHER, currency: "EUR" });
  Object.assign(process.env, {
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_SECRET,
    SHOPIFY_APP_URL: APP,
    DATABASE_URL: db.url,
    SHOPIFY_ADMIN_ORIGIN: store.url,
    STAMMKUNDE_API_REDEEM_WAIT_MS: "20000",
  });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [SHOP, OTHER]) {
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "write_discounts,read_customers" }));
    await db.sql.tx((q) => saveProgram(q, shop, program()));
  }
  for (const name of ["proxy.rewards", "proxy._index", "api.extension.member", "api.extension.redeem", "api.v1.rewards", "api.v1.members.$id.redemptions"]) {
    routes[name] = (await import(`~/routes/${name}.tsx`)) as never;
  }
  silver = await earner(SHOP, "Erika", 400);
  gold = await earner(SHOP, "Max", 1500);
  otherGold = await earner(OTHER, "Zoe", 1500);
  openReward = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 500, pointsCost: 100, texts: gift("€5 off") }));
  goldOnly = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 1000, pointsCost: 200, tiers: ["gold"], texts: gift("Gold gift") }));
  otherGoldOnly = await db.sql.tx((q) => createReward(q, OTHER, { type: "amount", amountMinor: 1000, pointsCost: 200, tiers: ["gold"], texts: gift("Zoe's gift") }));
  apiKey = (await createApiKey(db.sql, SHOP, "crm", { ratePerMinute: 100_000 })).key;
  otherApiKey = (await createApiKey(db.sql, OTHER, "crm", { ratePerMinute: 100_000 })).key;
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

// ---------------------------------------------------------------------------------------------
// calls

function proxyUrl(path: string, shop: string, customer: number | null) {
  const q = signAppProxyQuery(TEST_SECRET, new URLSearchParams(), { shop, loggedInCustomerId: customer, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
  return `${APP}/proxy${path}?${q}`;
}
const run = (fn: Route, request: Request, params: Record<string, string> = {}) =>
  fn({ request, params, context: {} }).catch((e: unknown) => {
    if (e instanceof Response) return e;
    throw e;
  });
const panel = async (customer: number | null, o: { shop?: string; lang?: string } = {}) => {
  const res = await run(routes["proxy.rewards"]!.loader, new Request(proxyUrl("/rewards", o.shop ?? SHOP, customer), { headers: { "Accept-Language": o.lang ?? "en" } }));
  expect(res.status).toBe(200);
  return (await res.json()) as { rewards: Array<{ id: number; title: string; affordable: boolean; locked?: boolean; lockedText?: string }>; blocked?: boolean };
};
const proxyRedeem = (customer: number, rewardId: number, key: string) =>
  run(routes["proxy.rewards"]!.action!, new Request(proxyUrl("/rewards", SHOP, customer), { method: "POST", body: JSON.stringify({ rewardId, idempotencyKey: key }) }));
function extension(route: "api.extension.member" | "api.extension.redeem", path: string, customerId: number, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${store.auth.extensionToken("customer-account", { customerId })}`);
  headers.set("Origin", "https://extensions.shopifycdn.com");
  const r = routes[route]!;
  return run(init.method === "POST" ? r.action! : r.loader, new Request(`${APP}${path}`, { ...init, headers }));
}
const apiGet = (path: string, key: string) => run(routes["api.v1.rewards"]!.loader, new Request(`${APP}/api/v1${path}`, { headers: { Authorization: `Bearer ${key}` } }));
const apiRedeem = (customerId: number, rewardId: number, idem: string) =>
  run(
    routes["api.v1.members.$id.redemptions"]!.action!,
    new Request(`${APP}/api/v1/members/${customerId}/redemptions`, { method: "POST", headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json", "Idempotency-Key": idem }, body: JSON.stringify({ rewardId }) }),
    { id: String(customerId) },
  );

const balance = async (shop: string, customerId: number) => (await findMemberByCustomer(db.sql, shop, gid(customerId)))!.points_available;
const redemptionsOf = async (shop: string, memberId: number) => Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM redemptions WHERE shop = ? AND member_id = ?`, [shop, memberId]))!.n);
const codesInStore = (shop: string) => [...store.shops.get(shop).discounts.values()].reduce((n, d) => n + d.codes.length, 0);
const byId = <T extends { id: number }>(list: T[], id: number) => list.find((r) => r.id === id);

// ---------------------------------------------------------------------------------------------

describe(`tier-only rewards on ${TEST_DB}`, () => {
  it("the storefront panel lists a Gold-only reward locked to Silver members and guests, open to Gold members, in English and German", async () => {
    const s = await panel(silver.customerId);
    expect(byId(s.rewards, goldOnly)).toMatchObject({ title: "Gold gift", affordable: false, locked: true, lockedText: "Gold members only" });
    expect(byId(s.rewards, openReward)).toMatchObject({ affordable: true });
    expect(byId(s.rewards, openReward)).not.toHaveProperty("locked");
    expect(byId((await panel(silver.customerId, { lang: "de-DE" })).rewards, goldOnly)).toMatchObject({ locked: true, lockedText: "Nur für Gold-Mitglieder" });

    const g = await panel(gold.customerId);
    expect(byId(g.rewards, goldOnly)).toMatchObject({ affordable: true });
    expect(byId(g.rewards, goldOnly)).not.toHaveProperty("locked");

    const guest = await panel(null);
    expect(byId(guest.rewards, goldOnly)).toMatchObject({ affordable: false, locked: true, lockedText: "Gold members only" });
    // another shop's rewards never show here, and that shop's Gold member sees its own reward open
    expect(byId(g.rewards, otherGoldOnly)).toBeUndefined();
    const zoe = await panel(otherGold.customerId, { shop: OTHER });
    expect(zoe.rewards.map((r) => [r.id, r.affordable, r.locked ?? false])).toEqual([[otherGoldOnly, true, false]]);
  });

  it("the merchant's own label replaces the standard one, per language; programs saved before it still load", async () => {
    await db.sql.tx((q) => saveProgram(q, SHOP, program((p) => (p.storefront.texts.en.tierOnly = "Reserved for {tiers} VIPs"))));
    try {
      expect(byId((await panel(silver.customerId)).rewards, goldOnly)!.lockedText).toBe("Reserved for Gold VIPs");
      expect(byId((await panel(silver.customerId, { lang: "de" })).rewards, goldOnly)!.lockedText).toBe("Nur für Gold-Mitglieder");
      const page = await (await run(routes["proxy._index"]!.loader, new Request(proxyUrl("", SHOP, null)))).text();
      expect(page).toContain("Reserved for Gold VIPs");
      // too long a label is refused by the program's schema, naming the field
      expect(() => parseProgram(program((p) => (p.storefront.texts.de.tierOnly = "x".repeat(81))))).toThrow(/storefront\.texts\.de\.tierOnly/);
    } finally {
      await db.sql.tx((q) => saveProgram(q, SHOP, program()));
    }
    // a program stored before the label existed (no tierOnly key) loads with the standard text
    const stored = JSON.parse((await db.sql.get<{ program: string }>(`SELECT program FROM shops WHERE domain = ?`, [SHOP]))!.program);
    for (const lang of ["en", "de"]) delete stored.storefront.texts[lang].tierOnly;
    await db.sql.run(`UPDATE shops SET program = ? WHERE domain = ?`, [JSON.stringify(stored), SHOP]);
    expect(programOf(await ensureShop(db.sql, SHOP)).storefront.texts.en.tierOnly).toBe("");
    expect(byId((await panel(silver.customerId)).rewards, goldOnly)!.lockedText).toBe("Gold members only");
  });

  it("the rewards page marks the Gold-only reward in both languages; with tiers off it is not listed at all", async () => {
    const page = await (await run(routes["proxy._index"]!.loader, new Request(proxyUrl("", SHOP, null)))).text();
    expect(page).toContain("Gold gift");
    expect(page).toContain("<em data-stk-tier-only>Gold members only</em>");
    expect(page).toContain("<em data-stk-tier-only>Nur für Gold-Mitglieder</em>");
    await db.sql.tx((q) => saveProgram(q, SHOP, program((p) => (p.tiers.enabled = false))));
    try {
      const off = await (await run(routes["proxy._index"]!.loader, new Request(proxyUrl("", SHOP, null)))).text();
      expect(off).not.toContain("Gold gift");
      expect(off).toContain("€5 off");
      // no one can take it now: the panel leaves it out too, even for the former Gold member
      expect(byId((await panel(gold.customerId)).rewards, goldOnly)).toBeUndefined();
    } finally {
      await db.sql.tx((q) => saveProgram(q, SHOP, program()));
    }
  });

  it("a Silver member redeeming the Gold-only reward (panel, customer account, API) is refused: no points taken, no code in Shopify", async () => {
    const codesBefore = codesInStore(SHOP);
    const res = await proxyRedeem(silver.customerId, goldOnly, "silver-tap-1");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "this reward is only for members of Gold" });

    const view = await (await extension("api.extension.member", `/api/extension/member?surface=customer-account&shop=${SHOP}&locale=de`, silver.customerId)).json();
    expect(byId(view.rewards, goldOnly)).toMatchObject({ locked: true, lockedText: "Nur für Gold-Mitglieder", affordable: false });
    const ext = await extension("api.extension.redeem", `/api/extension/redeem?surface=customer-account&shop=${SHOP}`, silver.customerId, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ rewardId: goldOnly, idempotencyKey: "silver-account-1" }),
    });
    expect(ext.status).toBe(403);

    const api = await apiRedeem(silver.customerId, goldOnly, "silver-api-1");
    expect(api.status).toBe(403);
    expect(await api.json()).toMatchObject({ code: "member_cannot_redeem", error: "this reward is only for members of Gold" });

    expect(await balance(SHOP, silver.customerId)).toBe(400);
    expect(await redemptionsOf(SHOP, silver.memberId)).toBe(0);
    expect(codesInStore(SHOP)).toBe(codesBefore);
  });

  it("the API lists per member only what that member may redeem; unknown, or another shop's, member → 404", async () => {
    const ids = async (path: string, key = apiKey) => {
      const res = await apiGet(path, key);
      expect(res.status).toBe(200);
      return ((await res.json()).rewards as Array<{ id: number }>).map((r) => r.id);
    };
    expect(await ids("/rewards")).toEqual([openReward, goldOnly]);
    expect(((await (await apiGet("/rewards", apiKey)).json()).rewards[1] as { tiers: string[] }).tiers).toEqual(["gold"]);
    expect(await ids(`/rewards?member=${silver.customerId}`)).toEqual([openReward]);
    expect(await ids(`/rewards?member=${gold.customerId}`)).toEqual([openReward, goldOnly]);
    expect(await ids(`/rewards?member=${otherGold.customerId}`, otherApiKey)).toEqual([otherGoldOnly]);
    expect((await apiGet(`/rewards?member=${otherGold.customerId}`, apiKey)).status).toBe(404);
    expect((await apiGet(`/rewards?member=not%20an%20id`, apiKey)).status).toBe(422);
    expect(await listRewardsFor(db.sql, SHOP, null)).toEqual([expect.objectContaining({ id: openReward })]);
  });

  it("a Gold member redeems it; after promotion to Gold the Silver member does too", async () => {
    const codesBefore = codesInStore(SHOP);
    const g = await proxyRedeem(gold.customerId, goldOnly, "gold-tap-1");
    expect(g.status).toBe(200);
    const gCode = (await g.json()).code as string;
    expect(store.discounts.byCode(gCode)).toBeDefined();
    expect(await balance(SHOP, gold.customerId)).toBe(1300);

    await assignTier(db.sql, SHOP, silver.memberId, "gold", Date.now() + 365 * 86_400_000, "staff@shop", Date.now());
    expect((await findMemberByCustomer(db.sql, SHOP, gid(silver.customerId)))!.tier_id).toBe("gold");
    const listed = byId((await panel(silver.customerId)).rewards, goldOnly)!;
    expect(listed).toMatchObject({ affordable: true });
    expect(listed).not.toHaveProperty("locked");
    const res = await proxyRedeem(silver.customerId, goldOnly, "silver-tap-2");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "issued", points: 200 });
    expect(store.discounts.byCode(body.code)).toBeDefined();
    expect(await balance(SHOP, silver.customerId)).toBe(200);
    expect(codesInStore(SHOP)).toBe(codesBefore + 2);
    // the other shop saw none of this
    expect(await balance(OTHER, otherGold.customerId)).toBe(1500);
  });

  it("excluded and blocked members can't redeem: the panel offers nothing to take and redeeming is refused, balance kept", async () => {
    const excluded = await earner(SHOP, "Ex", 1500);
    const blocked = await earner(SHOP, "Bl", 1500);
    await setMemberStatus(db.sql, SHOP, excluded.memberId, "exclude", "staff 1");
    await setMemberStatus(db.sql, SHOP, blocked.memberId, "block", "staff 1");
    const ex = await panel(excluded.customerId);
    expect(ex.rewards.map((r) => r.affordable)).toEqual([false, false]);
    const bl = await panel(blocked.customerId);
    expect(bl.blocked).toBe(true);
    expect(byId(bl.rewards, goldOnly)).toMatchObject({ affordable: false, locked: true }); // the guest's view
    const codesBefore = codesInStore(SHOP);
    for (const m of [excluded, blocked]) {
      const res = await proxyRedeem(m.customerId, openReward, `standing-${m.memberId}`);
      expect(res.status).toBe(403);
      expect(await balance(SHOP, m.customerId)).toBe(1500);
      expect(await redemptionsOf(SHOP, m.memberId)).toBe(0);
      expect(await (await apiGet(`/rewards?member=${m.customerId}`, apiKey)).json()).toEqual({ rewards: [] });
    }
    expect(codesInStore(SHOP)).toBe(codesBefore);
  });
});
