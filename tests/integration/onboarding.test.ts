// The onboarding against the offline store: going live once (program on, first reward, shop marked
// onboarded), the app-embed check through the strict Admin API following the theme editor, and the
// route's answers — 400 for a malformed post, 422 with a per-field map, the overview's redirect.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { applyPreset, presetDefaults } from "~/domain/presets";
import { defaultProgram } from "~/domain/program";
import { programOf } from "~/models/earning.server";
import { goLive, markOnboarded, onboardedAt } from "~/models/onboarding.server";
import { listRewards } from "~/models/redemptions.server";
import { ensureShop } from "~/models/shops.server";
import { checkAppEmbed } from "~/services/shopify/themes.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

type Route = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;
const callRoute = (route: Route, url: string, init: RequestInit = {}) => route({ request: new Request(url, init), params: {}, context: {} }).catch((e: Response) => e);

let db: TestDatabase;
let store: DevStore;
const A = "stammkunde-dev.myshopify.com";
const B = "zweiter-laden.myshopify.com";
const C = "dritter-laden.myshopify.com";
const EMBED = "stammkunde-theme/rewards-launcher";

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: B, name: "Zweiter Laden", currency: "EUR" });
  store.shops.create({ domain: C, name: "Dritter Laden", currency: "EUR" });
  Object.assign(process.env, {
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_SECRET,
    SHOPIFY_APP_URL: "https://app.example.com",
    DATABASE_URL: db.url,
    SHOPIFY_ADMIN_ORIGIN: store.url,
  });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [A, B, C]) {
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: store.shops.get(shop).scope }));
  }
});

afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

const points = () => {
  const r = applyPreset(defaultProgram(), "points", { ...presetDefaults("points", "EUR"), pointsPerUnit: "3" }, "EUR", { enabled: true });
  return { program: r.program!, reward: r.reward! };
};

describe(`onboarding on ${TEST_DB}`, () => {
  it("goes live once: program on, one first reward, the shop onboarded; the other shop untouched", async () => {
    expect(await onboardedAt(db.sql, A)).toBeNull();
    const { program, reward } = points();
    const first = await db.sql.tx((q) => goLive(q, A, program, reward));
    expect(first).toMatchObject({ status: "live", rewardId: expect.any(Number) });
    expect(await onboardedAt(db.sql, A)).toBeInstanceOf(Date);
    const shop = await ensureShop(db.sql, A);
    expect(programOf(shop)).toMatchObject({ enabled: true, purchase: { enabled: true, pointsPerUnit: 3 } });
    expect((await listRewards(db.sql, A)).map((r) => r.reward)).toMatchObject([{ type: "amount", amountMinor: 500, pointsCost: 500 }]);
    // the program publishes to the storefront like any save
    expect(await db.sql.all(`SELECT kind FROM jobs WHERE shop = ? AND kind = 'storefront:publish'`, [A])).toHaveLength(1);

    // a second submit (double click, another tab) changes nothing
    const changed = structuredClone(program);
    changed.purchase.pointsPerUnit = 9;
    expect(await db.sql.tx((q) => goLive(q, A, changed, reward))).toEqual({ status: "already-live" });
    expect(programOf(await ensureShop(db.sql, A)).purchase.pointsPerUnit).toBe(3);
    expect(await listRewards(db.sql, A)).toHaveLength(1);

    expect(await onboardedAt(db.sql, B)).toBeNull();
    expect(await listRewards(db.sql, B)).toHaveLength(0);
  });

  it("rolls back with the transaction: a failed go-live leaves the shop not onboarded", async () => {
    const { program } = points();
    await expect(db.sql.tx((q) => goLive(q, C, program, { type: "amount" } as never))).rejects.toThrow();
    expect(await onboardedAt(db.sql, C)).toBeNull();
    expect(await listRewards(db.sql, C)).toHaveLength(0);
    await expect(db.sql.tx((q) => goLive(q, C, { ...program, enabled: false }, points().reward))).rejects.toThrow(/switched on/);
    expect(await onboardedAt(db.sql, C)).toBeNull();
  });

  it("markOnboarded is idempotent", async () => {
    const shop = "markiert.myshopify.com";
    expect(await db.sql.tx((q) => markOnboarded(q, shop, Date.UTC(2026, 0, 2)))).toBe(true);
    expect(await db.sql.tx((q) => markOnboarded(q, shop))).toBe(false);
    expect((await onboardedAt(db.sql, shop))?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
  });

  it("reads the app embed's state from the live theme, per shop, following the theme editor", async () => {
    expect(await checkAppEmbed(devstoreAdmin(store, A))).toMatchObject({ state: "on", themeId: expect.stringMatching(/^gid:\/\/shopify\/OnlineStoreTheme\//) });
    store.storefront.theme(B).disableEmbed(EMBED);
    try {
      expect(await checkAppEmbed(devstoreAdmin(store, B))).toMatchObject({ state: "off" });
      expect(await checkAppEmbed(devstoreAdmin(store, A))).toMatchObject({ state: "on" });
    } finally {
      store.storefront.theme(B).enableEmbed(EMBED);
    }
    expect(await checkAppEmbed(devstoreAdmin(store, B))).toMatchObject({ state: "on" });
  });

  it("says 'unknown' with the reason when Shopify can't tell, and never throws", async () => {
    const token = store.shops.get(A).issueAccessToken({ scope: "read_products" }).token;
    const noScope = (query: string) => fetch(`${store.url}/admin/api/2026-01/graphql.json`, { method: "POST", headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token }, body: JSON.stringify({ query }) });
    expect(await checkAppEmbed(noScope)).toEqual({ state: "unknown", reason: "access-denied" });
    store.faults.failNext(1, 503);
    expect(await checkAppEmbed(devstoreAdmin(store, A))).toEqual({ state: "unknown", reason: "error" });
    expect(await checkAppEmbed(async () => new Response(JSON.stringify({ data: { themes: { nodes: [] } } })))).toEqual({ state: "unknown", reason: "no-theme" });
    const file = (content: unknown) => async () => new Response(JSON.stringify({ data: { themes: { nodes: [{ id: "gid://shopify/OnlineStoreTheme/1", files: { nodes: [{ filename: "config/settings_data.json", body: content === undefined ? {} : { content } }], userErrors: [] } }] } } }));
    expect(await checkAppEmbed(file(undefined))).toMatchObject({ state: "unknown", reason: "unreadable" });
    expect(await checkAppEmbed(file("{ not json"))).toMatchObject({ state: "unknown", reason: "unreadable" });
    expect(await checkAppEmbed(file('{"current":{"blocks":{}}}'))).toMatchObject({ state: "off" });
    const missing = async () => new Response(JSON.stringify({ data: { themes: { nodes: [{ id: "gid://shopify/OnlineStoreTheme/1", files: { nodes: [], userErrors: [{ filename: "config/settings_data.json", code: "NOT_FOUND" }] } }] } } }));
    expect(await checkAppEmbed(missing)).toMatchObject({ state: "off" });
  });

  it("the route: 400 for a malformed post, 422 with the fields, live once; the overview redirects until then", async () => {
    const page = (await import("~/routes/app.onboarding")) as unknown as { loader: Route; action: Route };
    const overview = (await import("~/routes/app._index")) as unknown as { loader: Route };
    const auth = { Authorization: `Bearer ${store.auth.sessionToken({ shop: B, userId: 7 })}` };
    const url = `https://app.example.com/app/onboarding?shop=${B}`;
    const post = (fields: Record<string, string>) => callRoute(page.action, url, { method: "POST", headers: auth, body: new URLSearchParams(fields) });

    const before = await callRoute(overview.loader, `https://app.example.com/app?shop=${B}`, { headers: auth });
    expect(before).toBeInstanceOf(Response);
    expect((before as Response).status).toBe(302);
    expect(new URL((before as Response).headers.get("Location")!, "https://app.example.com").pathname).toBe("/app/onboarding");

    store.storefront.theme(B).disableEmbed(EMBED);
    try {
      const loaded = (await callRoute(page.loader, url, { headers: auth })) as unknown as Record<string, unknown>;
      expect(loaded).not.toBeInstanceOf(Response);
      expect(loaded).toMatchObject({ onboarded: false, currency: "EUR", embed: { state: "off" }, deepLink: `https://${B}/admin/themes/current/editor?context=apps&activateAppId=${TEST_API_KEY}/rewards-launcher` });
      expect((loaded.defaults as Record<string, unknown>).referrals).toMatchObject({ friendDiscount: "10.00", advocatePoints: "500" });
    } finally {
      store.storefront.theme(B).enableEmbed(EMBED);
    }

    const fields = { preset: "referrals", ...presetDefaults("referrals", "EUR") };
    expect((await post({ ...fields, intent: "guess" })).status).toBe(400);
    expect((await post({ ...fields, intent: "check", preset: "tiers-only" })).status).toBe(400);
    const bad = await post({ ...fields, intent: "check", friendDiscount: "zehn", advocatePoints: "0" });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ ok: false, fieldErrors: { friendDiscount: "Must be an amount like 5.00", advocatePoints: "Must be greater than 0" } });
    const badDe = await callRoute(page.action, `${url}&locale=de`, { method: "POST", headers: auth, body: new URLSearchParams({ ...fields, intent: "check", friendDiscount: "zehn", advocatePoints: "0" }) });
    expect(await badDe.json()).toEqual({ ok: false, fieldErrors: { friendDiscount: "Muss ein Betrag wie 5.00 sein", advocatePoints: "Muss größer als 0 sein" } });
    const checked = await post({ ...fields, intent: "check" });
    expect(await checked.json()).toEqual({ ok: true, intent: "check" });
    expect(await onboardedAt(db.sql, B)).toBeNull(); // checking writes nothing
    expect((await post({ ...fields, intent: "live", advocatePoints: "-1" })).status).toBe(422);
    expect(await onboardedAt(db.sql, B)).toBeNull();

    expect(await (await post({ ...fields, intent: "live" })).json()).toEqual({ ok: true, intent: "live", live: true });
    expect(await (await post({ ...fields, intent: "live" })).json()).toEqual({ ok: true, intent: "live", live: false });
    expect(programOf(await ensureShop(db.sql, B))).toMatchObject({ enabled: true, purchase: { enabled: false }, referrals: { enabled: true, friendReward: { value: 1000 } } });
    expect(await listRewards(db.sql, B)).toHaveLength(1);

    const after = await callRoute(overview.loader, `https://app.example.com/app?shop=${B}`, { headers: auth });
    expect(after).not.toBeInstanceOf(Response);
    // unsigned: nothing happens
    const unsigned = await callRoute(page.action, url, { method: "POST", body: new URLSearchParams({ ...fields, intent: "live" }) });
    expect(unsigned.status).not.toBe(200);
  });
});
