// The rewards editor, the campaigns and budgets page and the branding page, called as Shopify's
// library sees them: with App Bridge session tokens (the offline store's minting) of two shops.
// 422 with a map per field, 400 for a malformed body, 404 for another shop's reward or campaign,
// an audit entry for every change, and what the storefront then reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { mintSessionToken } from "../../devstore/auth/jwt.ts";
import { periodKey } from "~/domain/periods";
import { storefrontMetafields } from "~/domain/storefront";
import { defaultProgram, parseProgram } from "~/domain/program";
import { listAudit } from "~/models/audit.server";
import { consume } from "~/models/counters.server";
import { programOf, saveProgram } from "~/models/earning.server";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { memberView } from "~/models/member-view.server";
import { listRewards, redeem } from "~/models/redemptions.server";
import { publishStorefront } from "~/models/storefront.server";
import { ensureShop } from "~/models/shops.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
const A = "stammkunde-dev.myshopify.com";
const B = "zweiter-laden.myshopify.com";
type Route = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
type Page = { loader: Route; action: Route };
let rewardsList: Page;
let rewardPage: Page;
let campaignsList: Page;
let campaignPage: Page;
let branding: Page;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: B });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [A, B]) {
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "read_customers" }));
    await db.sql.tx((q) => saveProgram(q, shop, defaultProgram()));
  }
  rewardsList = (await import("~/routes/app.rewards._index")) as never;
  rewardPage = (await import("~/routes/app.rewards.$id")) as never;
  campaignsList = (await import("~/routes/app.campaigns._index")) as never;
  campaignPage = (await import("~/routes/app.campaigns.$id")) as never;
  branding = (await import("~/routes/app.branding")) as never;
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

const bearer = (shop: string, userId: number) => `Bearer ${mintSessionToken({ shop, apiKey: TEST_API_KEY, secret: TEST_SECRET, nowMs: Date.now(), userId }).token}`;
async function call(route: Route, url: string, init: RequestInit & { params?: Record<string, string>; shop?: string; signed?: boolean } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.signed !== false) headers.set("Authorization", bearer(init.shop ?? A, init.shop === B ? 88 : 77));
  try {
    const r = await route({ request: new Request(`https://app.example.com${url}`, { ...init, headers }), params: init.params ?? {}, context: {} });
    return r instanceof Response ? r : new Response(JSON.stringify(r), { status: 200, headers: { "Content-Type": "application/json" } });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
const post = (fields: Record<string, string>, params: Record<string, string> = {}, shop = A) => ({ method: "POST", body: new URLSearchParams(fields), params, shop });
const rewardFields = (over: Record<string, string> = {}) => ({
  type: "amount",
  enabled: "on",
  pointsCost: "500",
  "texts.en.title": "€5 off",
  "texts.de.title": "5 € Rabatt",
  amount: "5.00",
  minimumSubtotal: "30",
  codePrefix: "STK-",
  expiryDays: "90",
  refundIfUnused: "on",
  "appliesTo.type": "all",
  "combinesWith.shippingDiscounts": "on",
  ...over,
});
const rewardRow = async (shop: string, id: number) => db.sql.get<{ points_cost: number; config: string; enabled: unknown; type: string }>(`SELECT points_cost, config, enabled, type FROM rewards WHERE shop = ? AND id = ?`, [shop, id]);

describe(`rewards editor on ${TEST_DB}`, () => {
  let id: number;

  it("creates a reward: 422 with a field map first, then a redirect to its page and an audit entry", async () => {
    const bad = await call(rewardPage.action, "/app/rewards/new", post(rewardFields({ pointsCost: "0", amount: "abc", "texts.de.title": "" }), { id: "new" }));
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ ok: false, fieldErrors: { pointsCost: "Must be greater than 0", amount: "Must be an amount like 30.00", "texts.de.title": "Give the reward a German title" } });
    // the German admin (?locale=de, as Shopify opens it and the page's form keeps it) answers in German
    const badDe = await call(rewardPage.action, "/app/rewards/new?locale=de", post(rewardFields({ pointsCost: "0", amount: "abc", "texts.de.title": "" }), { id: "new" }));
    expect(badDe.status).toBe(422);
    expect(await badDe.json()).toEqual({ ok: false, fieldErrors: { pointsCost: "Muss größer als 0 sein", amount: "Muss ein Betrag wie 30.00 sein", "texts.de.title": "Geben Sie der Prämie einen deutschen Titel" } });
    expect(Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM rewards`))!.n)).toBe(0);

    const ok = await call(rewardPage.action, "/app/rewards/new?locale=de", post(rewardFields(), { id: "new" }));
    expect(ok.status).toBe(302);
    const location = ok.headers.get("Location")!;
    expect(location).toMatch(/\/app\/rewards\/\d+\?saved=1&locale=de$/);
    id = Number(/rewards\/(\d+)/.exec(location)![1]);
    const row = await rewardRow(A, id);
    expect(row).toMatchObject({ points_cost: 500, type: "amount" });
    expect(JSON.parse(row!.config)).toMatchObject({ amountMinor: 500, minimumSubtotalMinor: 3000, pointsCost: 500 });
    const [entry] = (await listAudit(db.sql, A)).entries;
    expect(entry).toMatchObject({ actor: "user:77", action: "reward_create", subjectType: "reward", subjectId: String(id), after: { pointsCost: 500, enabled: true } });
  });

  it("edits the cost: the storefront's next read shows it, the audit log has before and after", async () => {
    const loaded = (await (await call(rewardPage.loader, `/app/rewards/${id}`, { params: { id: String(id) } })).json()) as { form: Record<string, string> };
    expect(loaded.form).toMatchObject({ pointsCost: "500", amount: "5.00", minimumSubtotal: "30.00" });

    const bad = await call(rewardPage.action, `/app/rewards/${id}`, post({ ...loaded.form, pointsCost: "-3" }, { id: String(id) }));
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({ pointsCost: "Must be greater than 0" });
    expect((await rewardRow(A, id))!.points_cost).toBe(500);

    // a posted type is ignored: a reward's type stays what it was
    const ok = await call(rewardPage.action, `/app/rewards/${id}`, post({ ...loaded.form, pointsCost: "450", type: "percentage", percent: "50" }, { id: String(id) }));
    expect(ok.status).toBe(200);
    expect(await rewardRow(A, id)).toMatchObject({ points_cost: 450, type: "amount" });
    const view = await memberView(db.sql, A, null, "de");
    expect(view.rewards).toEqual([expect.objectContaining({ id, pointsCost: 450 })]);
    const [entry] = (await listAudit(db.sql, A)).entries;
    expect(entry).toMatchObject({ action: "reward_update", subjectId: String(id), before: { pointsCost: 500 }, after: { pointsCost: 450 } });

    // saving it unchanged writes no second entry
    const again = (await (await call(rewardPage.loader, `/app/rewards/${id}`, { params: { id: String(id) } })).json()) as { form: Record<string, string> };
    expect((await call(rewardPage.action, `/app/rewards/${id}`, post(again.form, { id: String(id) }))).status).toBe(200);
    expect((await listAudit(db.sql, A)).entries.filter((e) => e.action === "reward_update")).toHaveLength(1);
  });

  it("another shop can neither read nor edit nor switch off this shop's reward (404), and nothing changes", async () => {
    const before = await rewardRow(A, id);
    expect((await call(rewardPage.loader, `/app/rewards/${id}`, { params: { id: String(id) }, shop: B })).status).toBe(404);
    expect((await call(rewardPage.action, `/app/rewards/${id}`, post(rewardFields({ pointsCost: "1" }), { id: String(id) }, B))).status).toBe(404);
    expect((await call(rewardsList.action, "/app/rewards", post({ id: String(id), intent: "disable" }, {}, B))).status).toBe(404);
    expect(await rewardRow(A, id)).toEqual(before);
    const listB = (await (await call(rewardsList.loader, "/app/rewards", { shop: B })).json()) as { rewards: unknown[] };
    expect(listB.rewards).toEqual([]);
    expect((await listAudit(db.sql, B)).entries).toEqual([]);
    for (const raw of ["0", "abc", "1e3", "-1"]) expect((await call(rewardPage.loader, `/app/rewards/${raw}`, { params: { id: raw } })).status).toBe(404);
  });

  it("a malformed body is 400; an unknown intent on the list is 400", async () => {
    const json = await call(rewardPage.action, `/app/rewards/${id}`, { method: "POST", body: JSON.stringify({ pointsCost: 1 }), headers: { "Content-Type": "application/json" }, params: { id: String(id) } });
    expect(json.status).toBe(400);
    expect((await call(rewardsList.action, "/app/rewards", post({ id: String(id), intent: "delete" }))).status).toBe(400);
    expect((await call(rewardPage.action, "/app/rewards/new", post(rewardFields({ type: "teleport" }), { id: "new" }))).status).toBe(422);
  });

  it("lists rewards with times redeemed; switching one off retires it from the storefront, audited", async () => {
    const donation = await call(rewardPage.action, "/app/rewards/new", post({ type: "donation", enabled: "on", pointsCost: "100", "texts.en.title": "Plant a tree", "texts.de.title": "Pflanze einen Baum", "cause.en": "Trees", "cause.de": "Bäume", codePrefix: "STK-", expiryDays: "90", "appliesTo.type": "all" }, { id: "new" }));
    expect(donation.status).toBe(302);
    const donationId = Number(/rewards\/(\d+)/.exec(donation.headers.get("Location")!)![1]);
    const memberId = await db.sql.tx((q) => ensureMember(q, A, "gid://shopify/Customer/5"));
    await postEntry(db.sql, A, { memberId, bucket: "available", points: 300, kind: "earn", reason: "purchase", idempotencyKey: "seed:5" });
    const noShopify: AdminGraphql = () => Promise.reject(new Error("a donation makes no Shopify call"));
    for (const key of ["d1", "d2"]) expect((await redeem(db.sql, A, "gid://shopify/Customer/5", donationId, key, noShopify)).status).toBe("donated");

    const list = (await (await call(rewardsList.loader, "/app/rewards?locale=de", {})).json()) as { rewards: Array<{ id: number; redeemed: number; enabled: boolean; preview: { en: string; de: string } }> };
    expect(list.rewards.map((r) => [r.id, r.redeemed, r.enabled])).toEqual([[donationId, 2, true], [id, 0, true]]);
    expect(list.rewards.find((r) => r.id === id)!.preview.de.replace(/\u00a0/g, " ")).toBe("450 Punkte → 5 € Rabatt ab 30 €");

    expect((await call(rewardsList.action, "/app/rewards", post({ id: String(donationId), intent: "disable" }))).status).toBe(200);
    expect((await listRewards(db.sql, A)).map((r) => r.id)).toEqual([id]);
    expect(await rewardRow(A, donationId)).toMatchObject({ type: "donation" }); // retired, not deleted
    expect((await listAudit(db.sql, A)).entries[0]).toMatchObject({ action: "reward_disable", subjectId: String(donationId), before: { enabled: true }, after: { enabled: false } });
    const after = (await (await call(rewardsList.loader, "/app/rewards", {})).json()) as { rewards: Array<{ id: number; redeemed: number; enabled: boolean }> };
    expect(after.rewards.map((r) => [r.id, r.redeemed, r.enabled])).toEqual([[id, 0, true], [donationId, 2, false]]);
  });
});

const campaignFields = (over: Record<string, string> = {}) => ({
  id: "double-weekend",
  enabled: "on",
  "name.en": "Double points weekend",
  "name.de": "Doppelte Punkte am Wochenende",
  "window.startDate": "2026-11-01",
  "window.endDate": "2099-12-31",
  "window.weekdays": "6,7",
  "effect.type": "multiplier",
  "effect.factor": "2",
  budgetPoints: "5000",
  ...over,
});

describe(`campaigns and budgets on ${TEST_DB}`, () => {
  it("creates a campaign (422 per field first), edits it, shows its budget from the counters, ends it — audited", async () => {
    const bad = await call(campaignPage.action, "/app/campaigns/new", post(campaignFields({ "window.endDate": "2026-10-01", "conditions.countries": "DE, Germany", "effect.factor": "0" }), { id: "new" }));
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({
      ok: false,
      fieldErrors: { "window.endDate": "Must not be before the start date", "conditions.countries": "Must be a two-letter country code in capitals, e.g. DE", "effect.factor": "Must be greater than 0" },
    });
    const badDe = await call(campaignPage.action, "/app/campaigns/new?locale=de", post(campaignFields({ "window.endDate": "2026-10-01", "conditions.countries": "DE, Germany", "effect.factor": "0", id: "Doppelt Punkte" }), { id: "new" }));
    expect(await badDe.json()).toEqual({
      ok: false,
      fieldErrors: {
        id: "Verwenden Sie Kleinbuchstaben, Ziffern und einzelne Bindestriche, z. B. double-points-monday",
        "window.endDate": "Darf nicht vor dem Startdatum liegen",
        "conditions.countries": "Muss ein Ländercode aus zwei Großbuchstaben sein, z. B. DE",
        "effect.factor": "Muss größer als 0 sein",
      },
    });
    const created = await call(campaignPage.action, "/app/campaigns/new", post(campaignFields(), { id: "new" }));
    expect(created.status).toBe(302);
    expect(created.headers.get("Location")).toMatch(/\/app\/campaigns\/double-weekend\?saved=1$/);
    const program = programOf(await ensureShop(db.sql, A));
    expect(program.campaigns).toEqual([expect.objectContaining({ id: "double-weekend", window: { startDate: "2026-11-01", endDate: "2099-12-31", weekdays: [6, 7] }, budgetPoints: 5000 })]);
    expect((await listAudit(db.sql, A)).entries[0]).toMatchObject({ action: "campaign_create", subjectType: "campaign", subjectId: "double-weekend", before: null });
    // a second one with the same id is refused on the id field
    const dup = await call(campaignPage.action, "/app/campaigns/new", post(campaignFields(), { id: "new" }));
    expect(dup.status).toBe(422);
    expect(((await dup.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({ id: 'Another campaign already uses the id "double-weekend"' });

    await db.sql.tx((q) => consume(q, A, "campaign:double-weekend", "lifetime", 1200, 5000));
    const loaded = (await (await call(campaignPage.loader, "/app/campaigns/double-weekend", { params: { id: "double-weekend" } })).json()) as { form: Record<string, string>; status: string; budget: unknown };
    expect(loaded).toMatchObject({ status: "running", budget: { limit: 5000, used: 1200 } });
    const list = (await (await call(campaignsList.loader, "/app/campaigns", {})).json()) as { campaigns: unknown[] };
    expect(list.campaigns).toEqual([expect.objectContaining({ id: "double-weekend", status: "running", budget: { limit: 5000, used: 1200 } })]);

    const edited = await call(campaignPage.action, "/app/campaigns/double-weekend", post({ ...loaded.form, "effect.factor": "3", "conditions.customerTagsAny": "VIP", id: "renamed" }, { id: "double-weekend" }));
    expect(edited.status).toBe(200);
    const c = programOf(await ensureShop(db.sql, A)).campaigns[0]!;
    expect(c).toMatchObject({ id: "double-weekend", effect: { type: "multiplier", factor: 3 }, conditions: { customerTagsAny: ["VIP"] } });
    expect((await listAudit(db.sql, A)).entries[0]).toMatchObject({ action: "campaign_update", before: { effect: { factor: 2 } }, after: { effect: { factor: 3 } } });

    const ended = await call(campaignPage.action, "/app/campaigns/double-weekend", post({ ...loaded.form, intent: "end" }, { id: "double-weekend" }));
    expect(ended.status).toBe(200);
    const after = programOf(await ensureShop(db.sql, A)).campaigns[0]!;
    expect(after.enabled).toBe(false);
    expect(after.window.endDate).toBe(new Date().toISOString().slice(0, 10)); // the test shop's zone is UTC
    expect((await listAudit(db.sql, A)).entries[0]).toMatchObject({ action: "campaign_end", subjectId: "double-weekend", after: { enabled: false } });
    const status = (await (await call(campaignPage.loader, "/app/campaigns/double-weekend", { params: { id: "double-weekend" } })).json()) as { status: string };
    expect(status.status).toBe("ended");
  });

  it("another shop gets 404 for this shop's campaign and changes nothing", async () => {
    const before = (await ensureShop(db.sql, A)).program;
    expect((await call(campaignPage.loader, "/app/campaigns/double-weekend", { params: { id: "double-weekend" }, shop: B })).status).toBe(404);
    expect((await call(campaignPage.action, "/app/campaigns/double-weekend", post(campaignFields({ "effect.factor": "9" }), { id: "double-weekend" }, B))).status).toBe(404);
    expect((await call(campaignPage.action, "/app/campaigns/double-weekend", post({ intent: "end" }, { id: "double-weekend" }, B))).status).toBe(404);
    expect((await ensureShop(db.sql, A)).program).toBe(before);
    expect(programOf(await ensureShop(db.sql, B)).campaigns).toEqual([]);
    expect((await call(campaignPage.action, "/app/campaigns/x", post({ intent: "teleport" }, { id: "x" }))).status).toBe(400);
  });

  it("budgets: caps and the daily cap per member with members at the cap from the counters; 422 per field", async () => {
    const bad = await call(campaignsList.action, "/app/campaigns", post({ intent: "budgets", stacking: "add", "caps.dailyGlobalPoints": "0", "caps.perRule.purchase.max": "x", "caps.perRule.purchase.period": "month" }));
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({ "caps.dailyGlobalPoints": "Must be greater than 0", "caps.perRule.purchase.max": "Must be a number" });
    const badDe = await call(campaignsList.action, "/app/campaigns?locale=de", post({ intent: "budgets", stacking: "add", "caps.dailyGlobalPoints": "0", "caps.perRule.purchase.max": "x", "caps.perRule.purchase.period": "month" }));
    expect(((await badDe.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({ "caps.dailyGlobalPoints": "Muss größer als 0 sein", "caps.perRule.purchase.max": "Muss eine Zahl sein" });
    const ok = await call(campaignsList.action, "/app/campaigns", post({ intent: "budgets", stacking: "add", "caps.dailyGlobalPoints": "300", "caps.perRule.signup.max": "100", "caps.perRule.signup.period": "lifetime" }));
    expect(ok.status).toBe(200);
    const p = programOf(await ensureShop(db.sql, A));
    expect(p.stacking).toBe("add");
    expect(p.caps).toEqual({ perRule: { signup: { max: 100, period: "lifetime" } }, dailyGlobalPoints: 300 });
    expect((await listAudit(db.sql, A)).entries[0]).toMatchObject({ action: "budgets", subjectType: "program", after: { stacking: "add" } });

    const today = periodKey("day", new Date(), "UTC"); // the test shop's zone
    const lifetime = periodKey("lifetime", new Date(), "UTC");
    await db.sql.tx(async (q) => {
      await consume(q, A, "global:daily:member:1", today, 300, 300);
      await consume(q, A, "global:daily:member:2", today, 120, 300);
      await consume(q, B, "global:daily:member:9", today, 300, 300); // the other shop's member
      await consume(q, A, "rule:signup:member:1", lifetime, 100, 100);
    });
    const list = (await (await call(campaignsList.loader, "/app/campaigns", {})).json()) as { usage: { daily: unknown; rules: Record<string, unknown> } };
    expect(list.usage.daily).toEqual({ period: today, membersAtCap: 1, points: 420 });
    expect(list.usage.rules).toEqual({ signup: { period: lifetime, membersAtCap: 1, points: 100 } });
  });
});

describe(`branding on ${TEST_DB}`, () => {
  it("validates (422 per field), saves into the program, asks for a publish, audits; reset gives the theme editor back", async () => {
    const fields = { accentColor: "#aa0000", textColor: "#ffffff", position: "left", launcherStyle: "icon", cornerRadius: "4" };
    const bad = await call(branding.action, "/app/branding", post({ ...fields, accentColor: "red", cornerRadius: "40" }));
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ ok: false, fieldErrors: { accentColor: "Must be a colour like #1f5130", cornerRadius: "Must be at most 24" } });
    const badDe = await call(branding.action, "/app/branding?locale=de", post({ ...fields, accentColor: "red", cornerRadius: "40" }));
    expect(await badDe.json()).toEqual({ ok: false, fieldErrors: { accentColor: "Muss eine Farbe wie #1f5130 sein", cornerRadius: "Darf höchstens 24 sein" } });
    expect(programOf(await ensureShop(db.sql, A)).storefront.branding).toBeUndefined();

    const jobsBefore = Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE shop = ? AND kind = 'storefront:publish'`, [A]))!.n);
    const ok = await call(branding.action, "/app/branding", post(fields));
    expect(ok.status).toBe(200);
    const program = programOf(await ensureShop(db.sql, A));
    expect(program.storefront.branding).toEqual({ accentColor: "#aa0000", textColor: "#ffffff", position: "left", launcherStyle: "icon", cornerRadius: 4 });
    // the program's texts were kept
    expect(program.storefront.texts).toEqual(defaultProgram().storefront.texts);
    const jobsAfter = Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE shop = ? AND kind = 'storefront:publish'`, [A]))!.n);
    expect(jobsAfter).toBeGreaterThan(jobsBefore);
    expect(JSON.parse(storefrontMetafields(program).find((m) => m.key === "branding")!.value)).toEqual({ accent: "#aa0000", text: "#ffffff", position: "left", style: "icon", radius: 4 });
    expect((await listAudit(db.sql, A)).entries[0]).toMatchObject({ action: "branding", subjectType: "program", before: null, after: { accentColor: "#aa0000" } });
    expect(programOf(await ensureShop(db.sql, B)).storefront.branding).toBeUndefined();
    expect((await (await call(branding.loader, "/app/branding", { shop: B })).json()) as object).toMatchObject({ custom: false });

    expect((await call(branding.action, "/app/branding", post({ intent: "reset" }))).status).toBe(200);
    expect(programOf(await ensureShop(db.sql, A)).storefront.branding).toBeUndefined();
    expect((await listAudit(db.sql, A)).entries[0]).toMatchObject({ action: "branding", before: { accentColor: "#aa0000" }, after: null });
    expect((await call(branding.action, "/app/branding", post({ intent: "paint" }))).status).toBe(400);
  });

  it("the storefront texts page keeps the branding when it saves texts", async () => {
    await db.sql.tx(async (q) => {
      const p = programOf(await ensureShop(q, A));
      await saveProgram(q, A, parseProgram({ ...p, storefront: { ...p.storefront, branding: { accentColor: "#123456", textColor: "#ffffff", position: "right", launcherStyle: "label", cornerRadius: 12 } } }));
    });
    const texts = (await import("~/routes/app.storefront")) as unknown as Page;
    const fields = Object.fromEntries(["en", "de"].flatMap((l) => ["launcherLabel", "panelTitle", "guestIntro"].map((f) => [`${l}.${f}`, f === "launcherLabel" ? "Punkte" : ""])));
    expect((await call(texts.action, "/app/storefront", post(fields))).status).toBe(200);
    const p = programOf(await ensureShop(db.sql, A));
    expect(p.storefront.texts.de.launcherLabel).toBe("Punkte");
    expect(p.storefront.branding?.accentColor).toBe("#123456");
    // the label of another tier's reward, per language; too long names its field (422)
    expect((await call(texts.action, "/app/storefront", post({ ...fields, "de.tierOnly": "Exklusiv für {tiers}" }))).status).toBe(200);
    expect(programOf(await ensureShop(db.sql, A)).storefront.texts.de.tierOnly).toBe("Exklusiv für {tiers}");
    const tooLong = await call(texts.action, "/app/storefront", post({ ...fields, "en.tierOnly": "x".repeat(81) }));
    expect(tooLong.status).toBe(422);
    expect((await tooLong.json()).fieldErrors).toEqual({ "en.tierOnly": "Must be at most 80 characters" });
    expect(programOf(await ensureShop(db.sql, A)).storefront.texts.de.tierOnly).toBe("Exklusiv für {tiers}");
  });

  it("the launcher wears the published branding in Liquid; without branding, the theme editor's settings", async () => {
    const home = async (shop: string) => {
      const { cookie } = store.storefront.session({ shop, customerId: null, locale: "en" });
      const res = await fetch(`${store.url}/`, { headers: { cookie } });
      const html = await res.text();
      expect(html).not.toContain("liquid-error");
      return /<div\s+class="stk-root[^"]*"[\s\S]*?<button[^>]*data-stk-launcher[^>]*>/.exec(html)?.[0] ?? "";
    };
    // no branding: the block's defaults
    expect((await call(branding.action, "/app/branding", post({ intent: "reset" }))).status).toBe(200);
    await publishStorefront(db.sql, A, devstoreAdmin(store, A));
    const plain = await home(A);
    expect(plain).toContain('class="stk-root stk-root--right"');
    expect(plain).toContain("--stk-accent: #1f5130;");
    expect(plain).not.toContain("--stk-on-accent");

    expect((await call(branding.action, "/app/branding", post({ accentColor: "#8A1538", textColor: "#FFFFEE", position: "left", launcherStyle: "icon", cornerRadius: "5" }))).status).toBe(200);
    await publishStorefront(db.sql, A, devstoreAdmin(store, A));
    const branded = await home(A);
    expect(branded).toContain('class="stk-root stk-root--left"');
    expect(branded).toContain("--stk-accent: #8a1538; --stk-on-accent: #ffffee; --stk-radius: 5px; --stk-launcher-radius: 10px; --stk-button-radius: 2px;");
    // the icon launcher keeps its text as its accessible name (the merchant's label from the test before)
    expect(branded).toMatch(/class="stk-launcher stk-launcher--icon"[^>]*aria-label="Punkte"/);
    // the other shop's storefront is untouched
    await publishStorefront(db.sql, B, devstoreAdmin(store, B));
    expect(await home(B)).toContain("--stk-accent: #1f5130;");
  });
});

describe(`field errors in the merchant's language on ${TEST_DB}`, () => {
  it("the program and storefront pages answer their 422 in German under ?locale=de and in English without it", async () => {
    const program = (await import("~/routes/app.program")) as never as Page;
    const storefront = (await import("~/routes/app.storefront")) as never as Page;
    const loaded = (await (await call(program.loader, "/app/program", { shop: B })).json()) as { form: Record<string, string> };
    const broken = { ...loaded.form, "purchase.pointsPerUnit": "1.5", "purchase.minimumOrder": "zwei", "actions.signup.points": "0" };
    const de = await call(program.action, "/app/program?locale=de", post(broken, {}, B));
    expect(de.status).toBe(422);
    expect(((await de.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({
      "purchase.pointsPerUnit": "Muss eine ganze Zahl sein",
      "purchase.minimumOrder": "Muss ein Betrag wie 30.00 sein",
      "actions.signup.points": "Muss größer als 0 sein",
    });
    const en = await call(program.action, "/app/program", post(broken, {}, B));
    expect(((await en.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({
      "purchase.pointsPerUnit": "Must be a whole number",
      "purchase.minimumOrder": "Must be an amount like 30.00",
      "actions.signup.points": "Must be greater than 0",
    });

    const texts = { "en.launcherLabel": "Rewards", "en.panelTitle": "x".repeat(200), "en.guestIntro": "Hi", "de.launcherLabel": "Prämien und Punkte für Stammkunden unseres Ladens", "de.panelTitle": "Prämien", "de.guestIntro": "Hallo" };
    const bad = await call(storefront.action, "/app/storefront?locale=de", post(texts, {}, B));
    expect(bad.status).toBe(422);
    const errors = ((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors;
    expect(errors["de.launcherLabel"]).toBe("Darf höchstens 40 Zeichen lang sein");
    expect(errors["en.panelTitle"]).toMatch(/^Darf höchstens \d+ Zeichen lang sein$/);
  });
});
