// Notices and replies on WhatsApp against the strict Cloud API stand-in (devstore/whatsapp) and the
// offline store: every notice kind once per member in their language as the approved template,
// nothing without consent, STOP / Stopp, "Punkte" answered with the balance, redeem by reply with a
// confirmation creating a real code (and a failed Shopify call giving the points back), Meta's
// signature and handshake at the webhook door, two shops with their own accounts — on SQLite and
// PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { metaSignature, startWhatsAppStandIn, type StandInTemplate, type WhatsAppStandIn } from "../../devstore/whatsapp/index.ts";
import { defaultProgram, NOTICE_KINDS, type NoticeKind, type Program, type TierLevel } from "~/domain/program";
import { templateParameterNames } from "~/domain/whatsapp";
import { handlers, type JobContext } from "~/jobs/handlers.server";
import { saveProgram } from "~/models/earning.server";
import { ensureMember, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { applyMessagingSettings, recordNotice, saveSmtpSettings } from "~/models/messaging.server";
import { createReward } from "~/models/redemptions.server";
import { claimFriendCode, ensureReferralCode } from "~/models/referrals.server";
import { updateShopSettings } from "~/models/shops.server";
import { evaluateMember } from "~/models/tiers.server";
import { optIn, saveWhatsAppSettings, whatsAppSettingsView } from "~/models/whatsapp.server";
import { redactCustomer } from "~/models/privacy.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { startSmtp } from "../helpers/smtp";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
let wa: WhatsAppStandIn;
const A = "stammkunde-dev.myshopify.com";
const B = "laden-b.myshopify.com";
const ACCOUNTS = {
  [A]: { phoneNumberId: "106540352242922", accessToken: "EAAG-token-of-shop-a", appSecret: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", verifyToken: "verify-token-of-shop-a-123" },
  [B]: { phoneNumberId: "209876543210987", accessToken: "EAAG-token-of-shop-b", appSecret: "ffeeddccbbaa99887766554433221100", verifyToken: "verify-token-of-shop-b-456" },
} as const;
type Shop = keyof typeof ACCOUNTS;
let seq = 0;
// noon in Berlin on a summer day: outside the quiet hours
const NOON = Date.parse("2026-07-01T10:00:00Z");

type Route = (args: { request: Request; params: object; context: object }) => Promise<Response>;
let webhook: { loader: Route; action: Route };

const templateName = (k: NoticeKind) => `stk_${k}`;
function templates(): StandInTemplate[] {
  return NOTICE_KINDS.flatMap((k) => [
    { name: templateName(k), language: "en_US", bodyParams: templateParameterNames(k).length, text: `[${k}] Hi {{1}} ${templateParameterNames(k).slice(1).map((_, i) => `{{${i + 2}}}`).join(" ")}` },
    { name: templateName(k), language: "de", bodyParams: templateParameterNames(k).length, text: `[${k}] Hallo {{1}} ${templateParameterNames(k).slice(1).map((_, i) => `{{${i + 2}}}`).join(" ")}` },
  ]);
}

function level(id: string, threshold: number, de: string): TierLevel {
  return { id, threshold, name: { en: id[0]!.toUpperCase() + id.slice(1), de }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] } };
}

function program(over: (p: Program) => void = () => undefined): Program {
  const p = defaultProgram();
  p.tiers = { ...p.tiers, enabled: true, basis: "points_earned", window: "lifetime", levels: [level("silver", 100, "Silber"), level("gold", 1000, "Gold")] };
  p.messaging.quietHours = { enabled: true, start: "22:00", end: "08:00" };
  p.messaging.channels.whatsapp = { enabled: true, templates: Object.fromEntries(NOTICE_KINDS.map((k) => [k, { name: templateName(k), en: "en_US", de: "de" }])) };
  p.referrals.enabled = true;
  over(p);
  return p;
}

const ctx = (): JobContext => ({ sql: db.sql, admin: async (shop) => devstoreAdmin(store, shop) });
const job = (shop: string, kind: string, payload: unknown) => ({ id: ++seq * 1000, shop, kind, payload: JSON.stringify(payload), attempts: 1, maxAttempts: 20 });
const sendNow = (shop: string, now = NOON) => handlers["notifications:send"]!(ctx(), job(shop, "notifications:send", {}), now);

let phoneSeq = 0;
async function member(shop: Shop, o: { locale?: string | null; phone?: boolean; points?: number } = {}) {
  const n = ++seq;
  const first = `Kim${n}`;
  const customerId = store.customers.create({ shop, firstName: first, email: `kunde${n}@example.com` }).id;
  const gid = `gid://shopify/Customer/${customerId}`;
  const id = await db.sql.tx((q) => ensureMember(q, shop, gid, { email: `kunde${n}@example.com`, firstName: first }));
  await db.sql.run(`UPDATE members SET locale = ? WHERE id = ?`, [o.locale ?? null, id]);
  const phone = `4915100${String(++phoneSeq).padStart(5, "0")}`;
  if (o.phone !== false) await db.sql.tx((q) => optIn(q, shop, id, `+${phone.slice(0, 2)} ${phone.slice(2)}`, "storefront"));
  if (o.points) await postEntry(db.sql, shop, { memberId: id, bucket: "available", points: o.points, kind: "earn", reason: "purchase", idempotencyKey: `seed:${gid}` });
  return { id, gid, phone, customerId, first };
}

const to = (phone: string) => wa.messages.filter((m) => m.to === phone);
const deliveries = (memberId: number) =>
  db.sql.all<{ kind: string; status: string; reason: string | null; external_id: string | null; attempts: number }>(
    `SELECT n.kind, d.status, d.reason, d.external_id, d.attempts FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.member_id = ? AND d.channel = 'whatsapp' ORDER BY d.id`,
    [memberId],
  );

/** A member writes: Meta's signed delivery to the app's webhook route, then the job that answers. */
async function says(shop: Shop, from: string, input: { text?: string; buttonReply?: { id: string; title: string } }, now = Date.now()) {
  const { body, headers, id } = wa.inbound({ phoneNumberId: ACCOUNTS[shop].phoneNumberId, from, ...input });
  const res = await webhook.action({ request: new Request("https://app.example.com/webhooks/whatsapp", { method: "POST", headers, body }), params: {}, context: {} });
  expect(res.status).toBe(200);
  const jobs = await db.sql.all<{ id: number; payload: string }>(`SELECT id, payload FROM jobs WHERE shop = ? AND kind = 'whatsapp:inbound' AND status = 'queued' ORDER BY id`, [shop]);
  const outcomes: unknown[] = [];
  for (const j of jobs) {
    outcomes.push(await handlers["whatsapp:inbound"]!(ctx(), { ...job(shop, "whatsapp:inbound", {}), id: Number(j.id), payload: j.payload }, now));
    await db.sql.run(`UPDATE jobs SET status = 'done' WHERE id = ?`, [j.id]);
  }
  return { outcomes, id, body, headers };
}

async function counts() {
  const out: Record<string, number> = {};
  for (const t of ["whatsapp_inbound", "jobs", "whatsapp_contacts", "redemptions", "ledger_entries", "notification_deliveries"]) out[t] = Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n ?? 0);
  return out;
}

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: B, name: "Laden B" });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  wa = await startWhatsAppStandIn({ accounts: [A, B].map((s) => ({ ...ACCOUNTS[s as Shop], templates: templates() })) });
  for (const shop of [A, B] as Shop[]) {
    await db.sql.tx(async (q) => {
      await saveProgram(q, shop, program());
      await updateShopSettings(q, shop, { ianaTimezone: "Europe/Berlin" });
      await saveWhatsAppSettings(q, shop, { ...ACCOUNTS[shop], baseUrl: wa.url, apiVersion: "v23.0" });
    });
  }
  await db.sql.tx((q) => createReward(q, A, { type: "amount", amountMinor: 500, pointsCost: 500, texts: { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } } }));
  webhook = (await import("~/routes/webhooks.whatsapp")) as unknown as typeof webhook;
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await wa?.close();
  await store?.close();
  await db?.drop();
});

const SAMPLE: Record<NoticeKind, unknown> = {
  welcome: { points: 50 },
  points_earned: { points: 120, bucket: "available" },
  reward_redeemed: { reward: { en: "€5 off", de: "5 € Rabatt" }, code: "STK-ABC", points: 500 },
  code_expiring: { redemptionId: 999_999, code: "STK-OLD", until: "2026-07-04T10:00:00Z" },
  points_expiring: { points: 80, on: "2026-08-01", daysBefore: 30 },
  points_expired: { points: 80, on: "2026-07-01" },
  tier_up: { from: "silver", to: "gold", fromName: { en: "Silver", de: "Silber" }, toName: { en: "Gold", de: "Gold" }, entryRewardPoints: 0 },
  tier_down: { from: "gold", to: "silver", fromName: { en: "Gold", de: "Gold" }, toName: { en: "Silver", de: "Silber" } },
  tier_grace: { tier: "gold", name: { en: "Gold", de: "Gold" }, until: "2026-09-01T00:00:00Z" },
  referral_completed: { points: 200, friend: "Alex" },
  friend_reward_ready: { code: "FRIEND-XYZ", reward: { en: "€10 off", de: "10 € Rabatt" } },
};

describe(`WhatsApp on ${TEST_DB}`, () => {
  it("settings: token and app secret are stored encrypted and never shown; the view says they are set", async () => {
    const view = await whatsAppSettingsView(db.sql, A);
    expect(view).toEqual({ phoneNumberId: ACCOUNTS[A].phoneNumberId, baseUrl: wa.url, apiVersion: "v23.0", verifyTokenSet: true, accessTokenSet: true, appSecretSet: true });
    const row = JSON.stringify(await db.sql.all(`SELECT * FROM whatsapp_settings`));
    expect(row).not.toContain(ACCOUNTS[A].accessToken);
    expect(row).not.toContain(ACCOUNTS[A].appSecret);
    // another shop can't take the same phone number id; bad fields are named
    await expect(db.sql.tx((q) => saveWhatsAppSettings(q, B, { ...ACCOUNTS[B], phoneNumberId: ACCOUNTS[A].phoneNumberId }))).rejects.toMatchObject({ fieldErrors: { phoneNumberId: expect.any(String) } });
    await expect(db.sql.tx((q) => saveWhatsAppSettings(q, B, { phoneNumberId: "x", baseUrl: "http://evil.example.com", apiVersion: "23" }))).rejects.toMatchObject({
      fieldErrors: { phoneNumberId: expect.any(String), baseUrl: expect.any(String), apiVersion: expect.any(String) },
    });
  });

  it("every notice kind reaches WhatsApp once, as the approved template in the member's language", async () => {
    const de = await member(A, { locale: "de-DE" });
    const en = await member(A, { locale: "en-GB" });
    for (const m of [de, en]) for (const k of NOTICE_KINDS) expect(await db.sql.tx((q) => recordNotice(q, A, m.id, k, SAMPLE[k], NOON, `test:${k}:${m.id}`))).toBe(true);
    await sendNow(A);
    await sendNow(A, NOON + 1000); // a second run (a retried job) sends nothing again
    const sentKinds = NOTICE_KINDS.filter((k) => k !== "code_expiring"); // its code isn't open: cancelled
    for (const [m, lang] of [[de, "de"], [en, "en_US"]] as const) {
      const msgs = to(m.phone);
      expect(msgs.map((x) => (x.body.template as { name: string }).name).sort()).toEqual(sentKinds.map(templateName).sort());
      for (const x of msgs) {
        const t = x.body.template as { language: { code: string }; components: Array<{ parameters: Array<{ text: string }> }> };
        expect(t.language.code).toBe(lang);
        expect(t.components[0]!.parameters[0]!.text).toBe(m.first);
      }
      const d = await deliveries(m.id);
      expect(d.filter((x) => x.status === "sent").map((x) => x.external_id).sort()).toEqual(msgs.map((x) => x.id).sort());
      expect(d.find((x) => x.kind === "code_expiring")).toMatchObject({ status: "cancelled", reason: "code_closed" });
      // the same notices on the email channel: one delivery each, with its own state (email is off here)
      const email = await db.sql.all<{ status: string; reason: string }>(`SELECT d.status, d.reason FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.member_id = ? AND d.channel = 'email'`, [m.id]);
      expect(email).toHaveLength(NOTICE_KINDS.length);
      expect(new Set(email.map((x) => `${x.status}:${x.reason}`))).toEqual(new Set(["cancelled:email_off"]));
    }
    expect(to(de.phone).find((x) => (x.body.template as { name: string }).name === "stk_tier_up")!.rendered).toBe(`[tier_up] Hallo ${de.first} Gold Silber 0`);
    expect(to(en.phone).find((x) => (x.body.template as { name: string }).name === "stk_points_earned")!.rendered).toContain("120 available");
    expect(wa.refused).toEqual([]);
  });

  it("with email and WhatsApp both on, a notice goes out once per channel, each with its own delivery state", async () => {
    const smtp = await startSmtp({ user: "laden", password: "smtp-pw" });
    try {
      await db.sql.tx(async (q) => {
        await saveSmtpSettings(q, A, { host: smtp.host, port: smtp.port, secure: false, username: "laden", password: "smtp-pw" });
        await saveProgram(q, A, program((p) => (p.messaging.channels.email = { enabled: true, fromName: "Laden", fromEmail: "treue@laden.example", replyTo: "" })));
      });
      const m = await member(A, { locale: "de" });
      await db.sql.tx((q) => recordNotice(q, A, m.id, "points_expiring", SAMPLE.points_expiring, NOON, `both:${m.id}`));
      expect(await sendNow(A)).toMatchObject({ sent: 2 });
      expect(await sendNow(A, NOON + 1000)).toMatchObject({ sent: 0 });
      const mails = await smtp.waitFor(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe("80 Punkte verfallen am 01.08.2026");
      expect(to(m.phone).map((x) => (x.body.template as { name: string }).name)).toEqual(["stk_points_expiring"]);
      const rows = await db.sql.all<{ channel: string; status: string; attempts: number; external_id: string }>(
        `SELECT d.channel, d.status, d.attempts, d.external_id FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.member_id = ? ORDER BY d.channel`,
        [m.id],
      );
      expect(rows).toEqual([
        { channel: "email", status: "sent", attempts: 1, external_id: mails[0]!.messageId },
        { channel: "whatsapp", status: "sent", attempts: 1, external_id: to(m.phone)[0]!.id },
      ]);
      // the notice's own columns mirror its email delivery (decision 0015's readers)
      expect(await db.sql.get(`SELECT status, channel, message_id FROM notifications WHERE member_id = ?`, [m.id])).toEqual({ status: "sent", channel: "email", message_id: mails[0]!.messageId });
    } finally {
      await db.sql.tx((q) => saveProgram(q, A, program()));
      await smtp.close();
    }
  });

  it("a real fact: a tier up goes out on WhatsApp once; without consent or after STOP nothing is sent", async () => {
    const yes = await member(A, { locale: "de" });
    const none = await member(A, { locale: "de", phone: false });
    const stopped = await member(A, { locale: "de" });
    await says(A, stopped.phone, { text: "Stopp" });
    expect(to(stopped.phone).at(-1)!.rendered).toContain("keine WhatsApp-Nachrichten mehr");
    for (const m of [yes, none, stopped]) {
      await postEntry(db.sql, A, { memberId: m.id, bucket: "available", points: 150, kind: "earn", reason: "purchase", idempotencyKey: `fact:${m.gid}` });
      expect(await evaluateMember(db.sql, A, m.id, NOON)).toMatchObject({ up: 1 });
    }
    const before = { none: to(none.phone).length, stopped: to(stopped.phone).length };
    await sendNow(A);
    expect(to(yes.phone).map((x) => (x.body.template as { name: string }).name)).toEqual(["stk_tier_up"]);
    expect(to(yes.phone)[0]!.rendered).toContain("Silber");
    expect(to(none.phone).length).toBe(before.none);
    expect(to(stopped.phone).length).toBe(before.stopped);
    expect(await deliveries(none.id)).toEqual([expect.objectContaining({ kind: "tier_up", status: "cancelled", reason: "no_consent" })]);
    expect(await deliveries(stopped.id)).toEqual([expect.objectContaining({ kind: "tier_up", status: "cancelled", reason: "no_consent" })]);
    expect(await db.sql.get(`SELECT status, opted_out_at FROM whatsapp_contacts WHERE member_id = ?`, [stopped.id])).toMatchObject({ status: "opted_out" });
    // English STOP works the same
    const en = await member(A, { locale: "en" });
    await says(A, en.phone, { text: "STOP" });
    expect(await db.sql.get(`SELECT status FROM whatsapp_contacts WHERE member_id = ?`, [en.id])).toMatchObject({ status: "opted_out" });
  });

  it("inside the quiet hours a WhatsApp notice waits until they end; a refused template fails visibly with Meta's reason", async () => {
    const m = await member(A, { locale: "de" });
    const night = Date.parse("2026-07-01T21:30:00Z"); // 23:30 in Berlin
    await db.sql.tx((q) => recordNotice(q, A, m.id, "points_expiring", SAMPLE.points_expiring, night, `night:${m.id}`));
    expect(await sendNow(A, night)).toMatchObject({ sent: 0, deferred: 1, nextDueAt: "2026-07-02T06:00:00.000Z" });
    expect(to(m.phone)).toEqual([]);
    expect(await sendNow(A, Date.parse("2026-07-02T06:00:00Z"))).toMatchObject({ sent: 1 });
    expect(to(m.phone).length).toBe(1);

    // the merchant names a template Meta doesn't have: 132001, not retried
    await db.sql.tx((q) => saveProgram(q, A, program((p) => (p.messaging.channels.whatsapp.templates.points_expired = { name: "no_such_template", en: "en_US", de: "de" }))));
    await db.sql.tx((q) => recordNotice(q, A, m.id, "points_expired", SAMPLE.points_expired, NOON, `bad-template:${m.id}`));
    await sendNow(A);
    expect((await deliveries(m.id)).at(-1)).toMatchObject({ kind: "points_expired", status: "failed", attempts: 1, reason: expect.stringContaining("#132001") });
    // a 5xx from Meta is retried later
    await db.sql.tx((q) => saveProgram(q, A, program()));
    wa.failNext(ACCOUNTS[A].phoneNumberId, 1, 500, 131000, "Something went wrong");
    await db.sql.tx((q) => recordNotice(q, A, m.id, "points_expired", SAMPLE.points_expired, NOON, `flaky:${m.id}`));
    expect(await sendNow(A)).toMatchObject({ retried: 1 });
    expect(await sendNow(A, NOON + 61_000)).toMatchObject({ sent: 1 });
    expect((await deliveries(m.id)).at(-1)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("an inbound \"Punkte\" gets the balance in German; \"points\" in English; a redelivered message is answered once", async () => {
    const m = await member(A, { locale: "en", points: 640 });
    const r = await says(A, m.phone, { text: "Punkte" });
    expect(r.outcomes).toEqual(["balance"]);
    const reply = to(m.phone).at(-1)!;
    expect(reply.type).toBe("interactive");
    expect(reply.rendered).toContain("Dein Guthaben");
    expect(reply.rendered).toContain("640 Punkte");
    expect(reply.rendered).toContain("[ Meine Prämien ]");
    // Meta delivers the same message again: recorded once, no second job, no second answer
    const n = to(m.phone).length;
    const again = await webhook.action({ request: new Request("https://app.example.com/webhooks/whatsapp", { method: "POST", headers: r.headers, body: r.body }), params: {}, context: {} });
    expect(again.status).toBe(200);
    expect(Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM whatsapp_inbound WHERE message_id = ?`, [r.id]))!.n)).toBe(1);
    expect(Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE kind = 'whatsapp:inbound' AND status = 'queued'`))!.n)).toBe(0);
    expect(to(m.phone).length).toBe(n);
    await says(A, m.phone, { buttonReply: { id: "sk:points", title: "Check points" } });
    expect(to(m.phone).at(-1)!.rendered).toContain("Your balance at");
    // an unknown number is told how to sign up, nothing else
    expect((await says(A, "4917000000001", { text: "points" })).outcomes).toEqual(["unknown_number"]);
  });

  it("redeem by reply: offer, YES → a real discount code in the offline store; NO and a stale YES take nothing", async () => {
    const m = await member(A, { locale: "de", points: 600 });
    expect((await says(A, m.phone, { text: "Einlösen" })).outcomes).toEqual(["offer"]);
    expect(to(m.phone).at(-1)!.rendered).toContain("5 € Rabatt für 500 Punkte einlösen? Antworte JA");
    expect((await says(A, m.phone, { text: "nein" })).outcomes).toEqual(["cancelled"]);
    expect((await says(A, m.phone, { text: "JA" })).outcomes).toEqual(["no_offer"]);
    expect((await findMemberByCustomer(db.sql, A, m.gid))?.points_available).toBe(600);

    await says(A, m.phone, { buttonReply: { id: "sk:redeem", title: "Einlösen" } });
    const yes = await says(A, m.phone, { buttonReply: { id: "sk:yes", title: "JA" } });
    expect(yes.outcomes).toEqual(["issued"]);
    const text = to(m.phone).at(-1)!.rendered;
    const code = /: (\S+)$/.exec(text)![1]!;
    expect(text).toContain("Erledigt! Dein Code für 5 € Rabatt");
    expect(store.discounts.byCode(code)).toBeDefined();
    expect((await findMemberByCustomer(db.sql, A, m.gid))?.points_available).toBe(100);
    expect(await db.sql.get(`SELECT status, code FROM redemptions WHERE shop = ? AND client_key = ?`, [A, `whatsapp:${yes.id}`])).toMatchObject({ status: "issued", code });
    // YES again: the offer was used up
    expect((await says(A, m.phone, { text: "yes" })).outcomes).toEqual(["no_offer"]);
    expect((await findMemberByCustomer(db.sql, A, m.gid))?.points_available).toBe(100);
  });

  it("redeem by reply when Shopify fails: the points come back and the member is told so", async () => {
    const m = await member(A, { locale: "en", points: 500 });
    await says(A, m.phone, { text: "redeem" });
    // every attempt at creating the code gets a 500; asked afterwards, Shopify has no such code
    store.faults.failNext(3, 500);
    const yes = await says(A, m.phone, { text: "YES" });
    expect(yes.outcomes).toEqual(["not_issued"]);
    expect(to(m.phone).at(-1)!.rendered).toBe("The code could not be created just now. Your points are back in your account.");
    expect((await findMemberByCustomer(db.sql, A, m.gid))?.points_available).toBe(500);
    expect(await db.sql.get(`SELECT status FROM redemptions WHERE shop = ? AND client_key = ?`, [A, `whatsapp:${yes.id}`])).toMatchObject({ status: "released" });
    // the job running again (a retry after a crash) changes nothing and answers nothing
    const n = to(m.phone).length;
    const j = (await db.sql.get<{ id: number; payload: string }>(`SELECT id, payload FROM jobs WHERE shop = ? AND kind = 'whatsapp:inbound' ORDER BY id DESC LIMIT 1`, [A]))!;
    expect(await handlers["whatsapp:inbound"]!(ctx(), { ...job(A, "whatsapp:inbound", {}), id: Number(j.id), payload: j.payload }, Date.now())).toBe("done");
    expect(to(m.phone).length).toBe(n);
    expect((await findMemberByCustomer(db.sql, A, m.gid))?.points_available).toBe(500);
  });

  it("the webhook door: unsigned, forged or another shop's signature → 401 and nothing written; malformed → 400", async () => {
    const m = await member(A, { locale: "de", points: 10 });
    const { body, headers } = wa.inbound({ phoneNumberId: ACCOUNTS[A].phoneNumberId, from: m.phone, text: "Punkte" });
    const post = (b: string, h: Record<string, string>) => webhook.action({ request: new Request("https://app.example.com/webhooks/whatsapp", { method: "POST", headers: h, body: b }), params: {}, context: {} });
    const before = await counts();
    const unsigned: Record<string, string> = { ...headers };
    delete unsigned["X-Hub-Signature-256"];
    expect((await post(body, unsigned)).status).toBe(401);
    expect((await post(body, { ...headers, "X-Hub-Signature-256": `sha256=${"0".repeat(64)}` })).status).toBe(401);
    expect((await post(body, { ...headers, "X-Hub-Signature-256": metaSignature(body, ACCOUNTS[B].appSecret) })).status).toBe(401);
    expect((await post(body, { ...headers, "X-Hub-Signature-256": "sha1=abc" })).status).toBe(401);
    // the body re-serialised differs from Meta's escaped bytes: the signature no longer matches
    const reserialised = JSON.stringify(JSON.parse(body.replace("Punkte", "Pünktchen")));
    expect((await post(reserialised, { ...headers, "X-Hub-Signature-256": metaSignature(body, ACCOUNTS[A].appSecret) })).status).toBe(401);
    expect((await post("{not json", { ...headers, "X-Hub-Signature-256": metaSignature("{not json", ACCOUNTS[A].appSecret) })).status).toBe(400);
    const odd = JSON.stringify({ object: "page", entry: [{ id: "1", changes: [{ field: "messages", value: { metadata: { phone_number_id: ACCOUNTS[A].phoneNumberId } } }] }] });
    expect((await post(odd, { "Content-Type": "application/json", "X-Hub-Signature-256": metaSignature(odd, ACCOUNTS[A].appSecret) })).status).toBe(400);
    expect(await counts()).toEqual(before);
    expect((await post(body, headers)).status).toBe(200);
  });

  it("the GET handshake answers the challenge for a known verify token and refuses otherwise", async () => {
    const get = (q: string) => webhook.loader({ request: new Request(`https://app.example.com/webhooks/whatsapp?${q}`), params: {}, context: {} });
    const ok = await get(`hub.mode=subscribe&hub.verify_token=${ACCOUNTS[B].verifyToken}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    expect((await get(`hub.mode=subscribe&hub.verify_token=wrong-token-000000&hub.challenge=1`)).status).toBe(403);
    expect((await get(`hub.mode=unsubscribe&hub.verify_token=${ACCOUNTS[A].verifyToken}&hub.challenge=1`)).status).toBe(403);
    expect((await get(`hub.mode=subscribe&hub.challenge=1`)).status).toBe(403);
  });

  it("two shops: each notice goes out over its own shop's number and token; inbound finds its shop by phone number id", async () => {
    const a = await member(A, { locale: "de", points: 30 });
    const b = await member(B, { locale: "de", points: 70 });
    await db.sql.tx((q) => recordNotice(q, B, b.id, "points_expiring", SAMPLE.points_expiring, NOON, `b:${b.id}`));
    await sendNow(A);
    expect(to(b.phone)).toEqual([]);
    await sendNow(B);
    expect(to(b.phone).map((x) => x.phoneNumberId)).toEqual([ACCOUNTS[B].phoneNumberId]);
    await says(B, b.phone, { text: "Punkte" });
    expect(to(b.phone).at(-1)!.rendered).toContain("70 Punkte");
    expect(to(b.phone).at(-1)!.phoneNumberId).toBe(ACCOUNTS[B].phoneNumberId);
    // A's member writing to B's number is a stranger there
    expect((await says(B, a.phone, { text: "Punkte" })).outcomes).toEqual(["unknown_number"]);
  });

  it("friend_reward_ready: a signed-in friend who is a member hears about the code; a guest is skipped with the reason recorded", async () => {
    const advocate = await member(A, { locale: "de" });
    const code = await ensureReferralCode(db.sql, A, advocate.id);
    const friend = await member(A, { locale: "de" });
    const r = await claimFriendCode(db.sql, A, { code, customerGid: friend.gid, email: null, visit: null, device: null, ip: null }, devstoreAdmin(store, A), { now: NOON, sleep: async () => undefined });
    expect(r).toMatchObject({ status: "issued" });
    const issued = (r as { code: string }).code;
    await sendNow(A);
    const msg = to(friend.phone).at(-1)!;
    expect((msg.body.template as { name: string }).name).toBe("stk_friend_reward_ready");
    expect(msg.rendered).toContain(issued);
    expect(await db.sql.get(`SELECT notice FROM referral_friends WHERE shop = ? AND discount_code = ?`, [A, issued])).toMatchObject({ notice: "recorded" });
    const guest = await claimFriendCode(db.sql, A, { code, customerGid: null, email: "gast@example.org", visit: null, device: null, ip: null }, devstoreAdmin(store, A), { now: NOON, sleep: async () => undefined });
    expect(await db.sql.get(`SELECT notice FROM referral_friends WHERE shop = ? AND discount_code = ?`, [A, (guest as { code: string }).code])).toMatchObject({ notice: "guest" });
  });

  it("opt-in from the storefront panel through the signed app proxy: consent recorded, field errors named, opt-out", async () => {
    const m = await member(A, { locale: "de", phone: false });
    const proxy = (await import("~/routes/proxy.whatsapp")) as unknown as { action: Route };
    const post = (body: string) => {
      const q = signAppProxyQuery(TEST_SECRET, new URLSearchParams(), { shop: A, loggedInCustomerId: m.customerId, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
      return proxy.action({ request: new Request(`https://app.example.com/proxy/whatsapp?${q}`, { method: "POST", body }), params: {}, context: {} }).catch((e: Response) => e);
    };
    expect((await post("{nope")).status).toBe(400);
    const noConsent = await post(JSON.stringify({ phone: "+49 151 5550 0001" }));
    expect(noConsent.status).toBe(422);
    expect((await noConsent.json()).fieldErrors).toHaveProperty("consent");
    const badPhone = await post(JSON.stringify({ phone: "0151 5550001", consent: true }));
    expect(badPhone.status).toBe(422);
    expect((await badPhone.json()).fieldErrors).toHaveProperty("phone");
    expect(await db.sql.get(`SELECT id FROM whatsapp_contacts WHERE member_id = ?`, [m.id])).toBeUndefined();
    const ok = await post(JSON.stringify({ phone: "+49 151 5550 0001", consent: true }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "opted_in", phone: "+4915155500001" });
    expect(await db.sql.get(`SELECT phone, status, source FROM whatsapp_contacts WHERE member_id = ?`, [m.id])).toEqual({ phone: "4915155500001", status: "opted_in", source: "storefront" });
    expect((await db.sql.get<{ consent_at: unknown }>(`SELECT consent_at FROM whatsapp_contacts WHERE member_id = ?`, [m.id]))!.consent_at).not.toBeNull();
    // the same number for another member is refused
    const other = await member(A, { phone: false });
    await expect(db.sql.tx((q) => optIn(q, A, other.id, "+49 151 5550 0001", "storefront"))).rejects.toMatchObject({ fieldErrors: { phone: expect.any(String) } });
    expect(await (await post(JSON.stringify({ consent: false }))).json()).toEqual({ status: "opted_out" });
    expect(await db.sql.get(`SELECT status FROM whatsapp_contacts WHERE member_id = ?`, [m.id])).toEqual({ status: "opted_out" });
  });

  it("Shopify's SMS marketing consent with the customer's phone opts in; unsubscribing there opts out", async () => {
    const m = await member(A, { phone: false });
    const id = Number(m.gid.split("/").pop());
    const update = (state: string) => handlers["webhook:CUSTOMERS_UPDATE"]!(ctx(), job(A, "webhook:CUSTOMERS_UPDATE", { id, email: `x${id}@example.com`, phone: "+4915166600001", sms_marketing_consent: { state } }), NOON);
    await update("subscribed");
    expect(await db.sql.get(`SELECT phone, status, source FROM whatsapp_contacts WHERE member_id = ?`, [m.id])).toEqual({ phone: "4915166600001", status: "opted_in", source: "shopify_sms" });
    await update("unsubscribed");
    expect(await db.sql.get(`SELECT status FROM whatsapp_contacts WHERE member_id = ?`, [m.id])).toEqual({ status: "opted_out" });
  });

  it("customers/redact removes the member's number, consent and messages; their notices are not sent", async () => {
    const m = await member(A, { locale: "de", points: 20 });
    await says(A, m.phone, { text: "Punkte" });
    await db.sql.tx((q) => recordNotice(q, A, m.id, "points_expiring", SAMPLE.points_expiring, NOON, `redact:${m.id}`));
    await db.sql.tx((q) => redactCustomer(q, A, m.gid));
    expect(await db.sql.get(`SELECT id FROM whatsapp_contacts WHERE member_id = ?`, [m.id])).toBeUndefined();
    expect(await db.sql.get(`SELECT id FROM whatsapp_inbound WHERE phone = ?`, [m.phone])).toBeUndefined();
    const n = to(m.phone).length;
    await sendNow(A);
    expect(to(m.phone).length).toBe(n);
    expect((await deliveries(m.id)).at(-1)).toMatchObject({ status: "cancelled", reason: "redacted" });
  });

  it("turning WhatsApp on needs the account; the email channel's settings are untouched by it", async () => {
    await db.sql.run(`DELETE FROM whatsapp_settings WHERE shop = ?`, [B]);
    const r = await applyMessagingSettings(db.sql, B, program().messaging);
    expect(r).toMatchObject({ ok: false, fieldErrors: { "messaging.channels.whatsapp.enabled": expect.any(String) } });
    await db.sql.tx((q) => saveWhatsAppSettings(q, B, { ...ACCOUNTS[B], baseUrl: wa.url }));
    expect(await applyMessagingSettings(db.sql, B, program().messaging)).toMatchObject({ ok: true });
  });

  it("redeem by reply offers a Gold-only reward to Gold members only; a Silver member choosing it is refused and keeps the points", async () => {
    const goldOnly = await db.sql.tx((q) => createReward(q, A, { type: "amount", amountMinor: 300, pointsCost: 50, tiers: ["gold"], texts: { en: { title: "Gold gift" }, de: { title: "Gold-Geschenk" } } }));
    const silver = await member(A, { locale: "en", points: 600 });
    const gold = await member(A, { locale: "en", points: 1500 });
    for (const m of [silver, gold]) await evaluateMember(db.sql, A, m.id, Date.now());
    // silver: only the €5 reward is affordable and open, so it is offered directly
    expect((await says(A, silver.phone, { text: "redeem" })).outcomes).toEqual(["offer"]);
    expect(to(silver.phone).at(-1)!.rendered).not.toContain("Gold gift");
    await says(A, silver.phone, { text: "no" });
    // gold: both, to choose from
    expect((await says(A, gold.phone, { text: "redeem" })).outcomes).toEqual(["choose"]);
    expect(JSON.stringify(to(gold.phone).at(-1))).toContain("Gold gift");
    // a silver member tapping a (forwarded) Gold button gets no offer; nothing is taken or made
    const before = await counts();
    expect((await says(A, silver.phone, { buttonReply: { id: `sk:reward:${goldOnly}`, title: "Gold gift" } })).outcomes).toEqual(["refused"]);
    expect((await says(A, silver.phone, { text: "yes" })).outcomes).toEqual(["no_offer"]);
    expect((await findMemberByCustomer(db.sql, A, silver.gid))?.points_available).toBe(600);
    expect((await counts()).redemptions).toBe(before.redemptions);
  });
});
