// Notices by email against real SMTP servers (npm smtp-server on local ports): the German template
// for a German customer, once per notice however often the job runs, quiet hours, consent, an SMTP
// server that is down or refuses, two shops with their own servers, and the SMTP password kept out
// of every answer, row and log — on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultProgram, type Program, type TierLevel } from "~/domain/program";
import { MAX_SEND_ATTEMPTS, sendBackoffMs } from "~/domain/templates";
import { handlers } from "~/jobs/handlers.server";
import { Worker } from "~/jobs/worker.server";
import { saveProgram } from "~/models/earning.server";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { applyMessagingSettings, noticeCounts, recentNotices, recordWelcome, retryFailedNotices, saveSmtpSettings, sendDueNotices, sendTestEmail, SmtpSettingsError, smtpSettingsView } from "~/models/messaging.server";
import { updateShopSettings } from "~/models/shops.server";
import { evaluateMember } from "~/models/tiers.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { paidOrder, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";
import { fe } from "~/domain/errors";

let db: TestDatabase;
let smtpA: TestSmtp;
let smtpB: TestSmtp;
const A = "laden-a.myshopify.com";
const B = "laden-b.myshopify.com";
const PASSWORD_A = "s3cret-A-pässwörd";
const PASSWORD_B = "other-B-password";
let seq = 0;

function level(id: string, threshold: number, de: string): TierLevel {
  return { id, threshold, name: { en: id[0].toUpperCase() + id.slice(1), de }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] } };
}

function program(over: (p: Program) => void = () => undefined): Program {
  const p = defaultProgram();
  p.tiers = { ...p.tiers, enabled: true, basis: "points_earned", window: "lifetime", levels: [level("silver", 100, "Silber"), level("gold", 1000, "Gold")] };
  p.messaging.channels.email = { enabled: true, fromName: "Laden", fromEmail: "treue@laden.example", replyTo: "" };
  p.messaging.quietHours = { enabled: true, start: "22:00", end: "08:00" };
  over(p);
  return p;
}

async function member(shop: string, o: { locale?: string | null; consent?: string | null; email?: string | null } = {}) {
  const gid = `gid://shopify/Customer/${9000 + ++seq}`;
  const email = o.email === undefined ? `kunde${seq}@example.com` : o.email;
  const id = await db.sql.tx((q) => ensureMember(q, shop, gid, { email, firstName: `Kim${seq}` }));
  await db.sql.run(`UPDATE members SET locale = ?, email_consent = ? WHERE id = ?`, [o.locale ?? null, o.consent ?? null, id]);
  return { id, gid, email };
}

/** A member who earns `points` and is evaluated at `now`: silver at 100 → one tier_up notice. */
async function promoted(shop: string, now: number, o: Parameters<typeof member>[1] = {}) {
  const m = await member(shop, o);
  await postEntry(db.sql, shop, { memberId: m.id, bucket: "available", points: 150, kind: "earn", reason: "purchase", idempotencyKey: `seed:${m.gid}`, at: now - 1000 });
  expect(await evaluateMember(db.sql, shop, m.id, now)).toMatchObject({ up: 1 });
  return m;
}

const notices = (memberId: number) =>
  db.sql.all<{ id: number; kind: string; status: string; attempts: number; reason: string | null; message_id: string | null; channel: string | null }>(
    `SELECT id, kind, status, attempts, reason, message_id, channel FROM notifications WHERE member_id = ? ORDER BY id`,
    [memberId],
  );

// noon in Berlin on a summer day: outside the quiet hours
const NOON = Date.parse("2026-07-01T10:00:00Z");

beforeAll(async () => {
  db = await freshDatabase();
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url });
  smtpA = await startSmtp({ user: "laden-a", password: PASSWORD_A });
  smtpB = await startSmtp({ user: "laden-b", password: PASSWORD_B });
  for (const [shop, smtp, user, password] of [[A, smtpA, "laden-a", PASSWORD_A], [B, smtpB, "laden-b", PASSWORD_B]] as const) {
    await db.sql.tx(async (q) => {
      await saveProgram(q, shop, program((p) => (p.messaging.channels.email.fromEmail = `treue@${shop}`)));
      await updateShopSettings(q, shop, { ianaTimezone: "Europe/Berlin" });
      await saveSmtpSettings(q, shop, { host: smtp.host, port: smtp.port, secure: false, username: user, password });
    });
  }
});
afterAll(async () => {
  await smtpA?.close();
  await smtpB?.close();
  await db?.drop();
});

describe(`notices by email on ${TEST_DB}`, () => {
  it("tier up: one email with the German template to a German customer, over the shop's SMTP with its login", async () => {
    const before = smtpA.messages.length;
    const m = await promoted(A, NOON, { locale: "de-DE" });
    const r = await sendDueNotices(db.sql, A, NOON);
    expect(r).toMatchObject({ sent: 1, cancelled: 0, deferred: 0, retried: 0, failed: 0 });
    const mails = await smtpA.waitFor(before + 1);
    const mail = mails[before]!;
    expect(mail.subject).toBe("Du hast Silber erreicht");
    expect(mail.text).toContain(`Hallo Kim${seq}`);
    expect(mail.text).toContain("du bist jetzt Silber");
    expect(mail.to).toEqual([m.email]);
    expect(mail.from).toBe(`treue@${A}`);
    expect(mail.user).toBe("laden-a");
    const [n] = await notices(m.id);
    expect(n).toMatchObject({ kind: "tier_up", status: "sent", attempts: 1, channel: "email" });
    expect(mail.messageId).toBe(n!.message_id);
  });

  it("the merchant's template wins, in the member's language; English for an English customer", async () => {
    await db.sql.tx((q) => saveProgram(q, A, program((p) => {
      p.messaging.channels.email.fromEmail = `treue@${A}`;
      p.messaging.templates.tier_up = { en: { subject: "Welcome to {{tier}}, {{firstName}}", body: "<Hi> & {{tier}}" } };
    })));
    const before = smtpA.messages.length;
    await promoted(A, NOON, { locale: "en-US" });
    await promoted(A, NOON, { locale: "de" });
    expect(await sendDueNotices(db.sql, A, NOON)).toMatchObject({ sent: 2 });
    const mails = (await smtpA.waitFor(before + 2)).slice(before);
    expect(mails.map((m) => m.subject).sort()).toEqual(["Du hast Silber erreicht", `Welcome to Silver, Kim${seq - 1}`].sort());
    const en = mails.find((m) => m.subject.startsWith("Welcome"))!;
    expect(en.text.trim()).toBe("<Hi> & Silver");
    expect(en.html).toContain("&lt;Hi&gt; &amp; Silver");
    await db.sql.tx((q) => saveProgram(q, A, program((p) => (p.messaging.channels.email.fromEmail = `treue@${A}`))));
  });

  it("a retried job sends nothing twice; an interrupted send goes again with the same Message-ID", async () => {
    const before = smtpA.messages.length;
    const m = await promoted(A, NOON, { locale: "de" });
    const job = { id: 1, shop: A, kind: "notifications:send", payload: "{}", attempts: 1, maxAttempts: 20 };
    await handlers["notifications:send"]!({ sql: db.sql }, job, NOON);
    await handlers["notifications:send"]!({ sql: db.sql }, { ...job, attempts: 2 }, NOON + 1000);
    await sendDueNotices(db.sql, A, NOON + 2000);
    await smtpA.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtpA.messages.length).toBe(before + 1);
    expect((await notices(m.id))[0]).toMatchObject({ status: "sent", attempts: 1 });

    // a crash after the claim (status sending, message id recorded) and before "sent": once the
    // lease runs out the notice is sent again with the Message-ID chosen the first time
    const m2 = await promoted(A, NOON, { locale: "de" });
    const [n2] = await notices(m2.id);
    const chosen = `<crashed-${n2!.id}@stammkunde.${A}>`;
    // (the email channel's state is its delivery row since decision 0019; the notice mirrors it)
    await db.sql.run(`UPDATE notification_deliveries SET status = 'sending', attempts = 1, external_id = ?, due_at = ? WHERE notification_id = ? AND channel = 'email'`, [chosen, db.sql.ts(NOON + 120_000), n2!.id]);
    expect(await sendDueNotices(db.sql, A, NOON + 60_000)).toMatchObject({ sent: 0 }); // the lease still holds
    expect(await sendDueNotices(db.sql, A, NOON + 121_000)).toMatchObject({ sent: 1 });
    const mails = await smtpA.waitFor(before + 2);
    expect(mails[before + 1]!.messageId).toBe(chosen);
    expect((await notices(m2.id))[0]).toMatchObject({ status: "sent", attempts: 2, message_id: chosen });
  });

  it("inside the quiet hours a notice waits until they end (shop time), and the job books itself for then", async () => {
    const night = Date.parse("2026-07-01T21:30:00Z"); // 23:30 in Berlin
    const m = await promoted(A, night, { locale: "de" });
    const r = await sendDueNotices(db.sql, A, night);
    expect(r).toMatchObject({ sent: 0, deferred: 1, nextDueAt: "2026-07-02T06:00:00.000Z" });
    expect((await notices(m.id))[0]).toMatchObject({ status: "pending", attempts: 0 });
    const job = { id: 424242, shop: A, kind: "notifications:send", payload: "{}", attempts: 1, maxAttempts: 20 };
    await handlers["notifications:send"]!({ sql: db.sql }, job, night);
    const booked = await db.sql.get<{ run_at: unknown }>(`SELECT run_at FROM jobs WHERE shop = ? AND dedupe_key = ?`, [A, `notifications:send:at:${Date.parse("2026-07-02T06:00:00Z")}`]);
    expect(booked).toBeDefined();
    expect(await sendDueNotices(db.sql, A, Date.parse("2026-07-02T05:59:00Z"))).toMatchObject({ sent: 0 });
    const before = smtpA.messages.length;
    expect(await sendDueNotices(db.sql, A, Date.parse("2026-07-02T06:00:00Z"))).toMatchObject({ sent: 1 });
    await smtpA.waitFor(before + 1);
    expect((await notices(m.id))[0]).toMatchObject({ status: "sent" });
  });

  it("consent: a welcome needs email marketing consent (cancelled with the reason), a tier change does not", async () => {
    const no = await promoted(A, NOON, { consent: "not_subscribed", locale: "de" });
    const yes = await member(A, { consent: "subscribed", locale: "de" });
    await db.sql.tx(async (q) => {
      await recordWelcome(q, A, no.id, NOON);
      await recordWelcome(q, A, yes.id, NOON);
      expect(await recordWelcome(q, A, yes.id, NOON)).toBe(false); // once per member
    });
    const before = smtpA.messages.length;
    expect(await sendDueNotices(db.sql, A, NOON)).toMatchObject({ sent: 2, cancelled: 1 });
    expect((await notices(no.id)).map((n) => [n.kind, n.status, n.reason])).toEqual([["tier_up", "sent", null], ["welcome", "cancelled", "no_consent"]]);
    expect((await notices(yes.id)).map((n) => [n.kind, n.status])).toEqual([["welcome", "sent"]]);
    const mails = (await smtpA.waitFor(before + 2)).slice(before);
    expect(mails.map((m) => m.subject).sort()).toEqual(["Du hast Silber erreicht", "Willkommen im Treueprogramm von laden-a"]);
    // no email address, or the kind switched off: cancelled with that reason
    const noMail = await promoted(A, NOON, { email: null });
    await sendDueNotices(db.sql, A, NOON);
    await db.sql.tx((q) => saveProgram(q, A, program((p) => {
      p.messaging.channels.email.fromEmail = `treue@${A}`;
      p.messaging.kinds.tier_up = false;
    })));
    const off = await promoted(A, NOON);
    await sendDueNotices(db.sql, A, NOON);
    expect((await notices(noMail.id))[0]).toMatchObject({ status: "cancelled", reason: "no_email" });
    expect((await notices(off.id))[0]).toMatchObject({ status: "cancelled", reason: "kind_off" });
    await db.sql.tx((q) => saveProgram(q, A, program((p) => (p.messaging.channels.email.fromEmail = `treue@${A}`))));
  });

  it("SMTP refuses or is down: retried with backoff, then sent once; after the last attempt failed and visible", async () => {
    const before = smtpA.messages.length;
    const m = await promoted(A, NOON, { locale: "de" });
    smtpA.rejectNext(1);
    expect(await sendDueNotices(db.sql, A, NOON)).toMatchObject({ sent: 0, retried: 1 });
    const [n1] = await notices(m.id);
    expect(n1).toMatchObject({ status: "pending", attempts: 1 });
    expect(n1!.reason).toMatch(/451/);
    // not again before the backoff
    expect(await sendDueNotices(db.sql, A, NOON + 1000)).toMatchObject({ sent: 0, retried: 0 });
    expect(await sendDueNotices(db.sql, A, NOON + sendBackoffMs(1))).toMatchObject({ sent: 1 });
    await smtpA.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtpA.messages.length).toBe(before + 1);
    expect((await notices(m.id))[0]).toMatchObject({ status: "sent", attempts: 2 });

    // B's server goes away: every attempt fails until the notice is failed, then the merchant retries
    const down = await startSmtp();
    const port = down.port;
    await down.close();
    await saveSmtpSettings(db.sql, B, { host: "127.0.0.1", port, secure: false, username: "laden-b" });
    const mb = await promoted(B, NOON, { locale: "en" });
    let now = NOON;
    for (let i = 1; i <= MAX_SEND_ATTEMPTS; i++) {
      const r = await sendDueNotices(db.sql, B, now);
      expect(r).toMatchObject(i < MAX_SEND_ATTEMPTS ? { retried: 1 } : { failed: 1 });
      now += sendBackoffMs(i);
    }
    const [failed] = await notices(mb.id);
    expect(failed).toMatchObject({ status: "failed", attempts: MAX_SEND_ATTEMPTS });
    expect(failed!.reason).toMatch(/ECONNREFUSED/);
    expect((await recentNotices(db.sql, B, { status: "failed" })).items.map((n) => n.memberId)).toEqual([mb.id]);
    expect((await noticeCounts(db.sql, B)).failed).toBe(1);
    // the password stayed (an empty field keeps it); the server is back on that port
    expect((await smtpSettingsView(db.sql, B))!.passwordSet).toBe(true);
    const back = await startSmtp({ user: "laden-b", password: PASSWORD_B, port });
    try {
      expect(await retryFailedNotices(db.sql, B, now)).toBe(1);
      expect(await sendDueNotices(db.sql, B, now)).toMatchObject({ sent: 1 });
      const [mail] = await back.waitFor(1);
      expect(mail!.subject).toBe("You reached Silver");
      expect(mail!.messageId).toBe((await notices(mb.id))[0]!.message_id);
    } finally {
      await back.close();
      await saveSmtpSettings(db.sql, B, { host: smtpB.host, port: smtpB.port, secure: false, username: "laden-b" });
    }
  });

  it("two shops, two SMTP servers: each shop's notices go only through its own, with its own login", async () => {
    const [a0, b0] = [smtpA.messages.length, smtpB.messages.length];
    const ma = await promoted(A, NOON);
    const mb = await promoted(B, NOON);
    expect(await sendDueNotices(db.sql, B, NOON)).toMatchObject({ sent: 1 });
    expect(await sendDueNotices(db.sql, A, NOON)).toMatchObject({ sent: 1 });
    await smtpA.waitFor(a0 + 1);
    await smtpB.waitFor(b0 + 1);
    expect(smtpA.messages.slice(a0).map((m) => [m.to[0], m.user, m.from])).toEqual([[ma.email, "laden-a", `treue@${A}`]]);
    expect(smtpB.messages.slice(b0).map((m) => [m.to[0], m.user, m.from])).toEqual([[mb.email, "laden-b", `treue@${B}`]]);
    expect(smtpA.logins.every((l) => l.user === "laden-a")).toBe(true);
    expect(smtpB.logins.every((l) => l.user === "laden-b" && l.ok)).toBe(true);
  });

  it("the SMTP password is encrypted at rest, never in a view, an error, a notice or a job", async () => {
    const view = await smtpSettingsView(db.sql, A);
    expect(view).toEqual({ host: smtpA.host, port: smtpA.port, secure: false, username: "laden-a", passwordSet: true });
    expect(JSON.stringify(view)).not.toContain(PASSWORD_A);
    const row = await db.sql.get<{ password_enc: string }>(`SELECT password_enc FROM smtp_settings WHERE shop = ?`, [A]);
    expect(row!.password_enc).toMatch(/^v1:/);
    expect(row!.password_enc).not.toContain(PASSWORD_A);
    // a copy of A's ciphertext in B's row doesn't decrypt (the shop is bound in)
    const wrong = await db.sql.get<{ password_enc: string }>(`SELECT password_enc FROM smtp_settings WHERE shop = ?`, [B]);
    expect(wrong!.password_enc).not.toBe(row!.password_enc);

    // a wrong password: the server's refusal is stored and shown, the password is not
    await saveSmtpSettings(db.sql, A, { host: smtpA.host, port: smtpA.port, secure: false, username: "laden-a", password: "wrong-" + PASSWORD_A });
    const logs: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    const debug = process.env.DEBUG;
    process.env.DEBUG = "1";
    try {
      const test = await sendTestEmail(db.sql, A, "owner@laden.example", "en");
      expect(test.ok).toBe(false);
      const m = await promoted(A, NOON);
      const ctxLogs: unknown[] = [];
      const job = { id: 777, shop: A, kind: "notifications:send", payload: "{}", attempts: 1, maxAttempts: 20 };
      ctxLogs.push(await handlers["notifications:send"]!({ sql: db.sql, log: (msg, data) => ctxLogs.push({ msg, data }) }, job, NOON + 60_000));
      const [n] = await notices(m.id);
      expect(n!.status).toBe("pending");
      expect(n!.reason).toMatch(/Invalid username or password|535/);
      // the jobs the notices booked, run by a real worker at the real clock (months after NOON:
      // what is still pending is stale by then and cancelled, not sent)
      await new Worker({ sql: db.sql, log: (msg, data) => ctxLogs.push({ msg, data }) }).runOnce(Date.now() + 60_000);
      expect((await notices(m.id))[0]).toMatchObject({ status: "cancelled", reason: "stale" });
      const everything = JSON.stringify({ test, n, ctxLogs, logs, rows: await db.sql.all(`SELECT * FROM notifications WHERE shop = ?`, [A]), jobs: await db.sql.all(`SELECT payload, last_error FROM jobs WHERE shop = ?`, [A]) });
      expect(everything).not.toContain(PASSWORD_A);
    } finally {
      process.stdout.write = write;
      if (debug === undefined) delete process.env.DEBUG;
      else process.env.DEBUG = debug;
    }
    await saveSmtpSettings(db.sql, A, { host: smtpA.host, port: smtpA.port, secure: false, username: "laden-a", password: PASSWORD_A });
    const ok = await sendTestEmail(db.sql, A, "owner@laden.example", "de");
    expect(ok.ok).toBe(true);
    const last = smtpA.messages.at(-1) ?? (await smtpA.waitFor(1)).at(-1);
    expect(last).toBeDefined();
  });

  it("field errors for bad SMTP settings", async () => {
    await expect(saveSmtpSettings(db.sql, A, { host: "", port: "70000", secure: false })).rejects.toMatchObject({ fieldErrors: { host: expect.any(String), port: expect.any(String) } });
    await expect(saveSmtpSettings(db.sql, A, { host: "bad host!", port: 25, secure: false })).rejects.toBeInstanceOf(SmtpSettingsError);
  });

  it("a channel switched off cancels what is due (nothing is sent later in a burst)", async () => {
    await db.sql.tx((q) => saveProgram(q, B, program((p) => (p.messaging.channels.email.enabled = false))));
    const m = await promoted(B, NOON);
    expect(await sendDueNotices(db.sql, B, NOON)).toMatchObject({ sent: 0, cancelled: 1 });
    expect((await notices(m.id))[0]).toMatchObject({ status: "cancelled", reason: "email_off" });
  });

  it("an order's webhook: points earned by email in the order's language, to a subscribed customer, once however often the job runs", async () => {
    const customerId = 7_700_001;
    const gid = `gid://shopify/Customer/${customerId}`;
    const job = (kind: string, payload: unknown, id: number) => ({ id, shop: B, kind, payload: JSON.stringify(payload), attempts: 1, maxAttempts: 20 });
    await db.sql.tx((q) => saveProgram(q, B, program((p) => (p.messaging.channels.email.fromEmail = `treue@${B}`))));
    await handlers["webhook:CUSTOMERS_CREATE"]!({ sql: db.sql }, job("webhook:CUSTOMERS_CREATE", { id: customerId, email: `c${customerId}@example.com`, first_name: "Lena", email_marketing_consent: { state: "subscribed" } }, 1), NOON);
    const order = { ...paidOrder(customerId, "100.00"), customer_locale: "de-AT" };
    for (let i = 0; i < 2; i++) await handlers["webhook:ORDERS_PAID"]!({ sql: db.sql }, job("webhook:ORDERS_PAID", order, 2 + i), NOON);
    const m = await db.sql.get<{ id: number; locale: string; email_consent: string }>(`SELECT id, locale, email_consent FROM members WHERE shop = ? AND customer_gid = ?`, [B, gid]);
    expect(m).toMatchObject({ locale: "de-AT", email_consent: "subscribed" });
    // signup points + the order's lift the member to silver as well
    expect((await notices(Number(m!.id))).map((n) => n.kind)).toEqual(["welcome", "points_earned", "tier_up"]);
    const before = smtpB.messages.length;
    expect(await sendDueNotices(db.sql, B, NOON)).toMatchObject({ sent: 3 });
    const mails = (await smtpB.waitFor(before + 3)).slice(before);
    expect(mails.map((x) => x.subject).sort()).toEqual(["Du hast 100 Punkte gesammelt", "Du hast Silber erreicht", "Willkommen im Treueprogramm von laden-b"]);
    expect(mails.find((x) => x.subject.startsWith("Du hast"))!.text).toContain("(verfügbar)");
    // unsubscribing later (customers/update): the next marketing notice is not sent
    await handlers["webhook:CUSTOMERS_UPDATE"]!({ sql: db.sql }, job("webhook:CUSTOMERS_UPDATE", { id: customerId, email: `c${customerId}@example.com`, email_marketing_consent: { state: "unsubscribed" } }, 5), NOON);
    await handlers["webhook:ORDERS_PAID"]!({ sql: db.sql }, job("webhook:ORDERS_PAID", { ...paidOrder(customerId, "20.00"), customer_locale: "de" }, 6), NOON);
    expect(await sendDueNotices(db.sql, B, NOON)).toMatchObject({ sent: 0, cancelled: 1 });
    expect((await notices(Number(m!.id))).at(-1)).toMatchObject({ kind: "points_earned", status: "cancelled", reason: "no_consent" });
  });

  it("with email off, orders record no new notices (nothing to pay for), tier notices stay pending", async () => {
    await db.sql.tx((q) => saveProgram(q, B, program((p) => (p.messaging.channels.email.enabled = false))));
    const customerId = 7_700_002;
    await handlers["webhook:ORDERS_PAID"]!({ sql: db.sql }, { id: 9, shop: B, kind: "webhook:ORDERS_PAID", payload: JSON.stringify(paidOrder(customerId, "50.00")), attempts: 1, maxAttempts: 20 }, NOON);
    const row = await db.sql.get<{ id: number }>(`SELECT id FROM members WHERE shop = ? AND customer_gid = ?`, [B, `gid://shopify/Customer/${customerId}`]);
    expect(await notices(Number(row!.id))).toEqual([]);
  });

  it("the admin's settings: field errors per template field and for email without SMTP, else saved", async () => {
    const p = program().messaging;
    p.templates.tier_up = { de: { subject: "{{code}} {{tier}}", body: "{{nope}}" } };
    p.quietHours.start = "7 Uhr";
    const r = await applyMessagingSettings(db.sql, A, p);
    expect(r).toEqual({
      ok: false,
      fieldErrors: {
        "messaging.quietHours.start": expect.any(String),
      },
    });
    p.quietHours.start = "22:00";
    expect(await applyMessagingSettings(db.sql, A, p)).toEqual({
      ok: false,
      fieldErrors: { "messaging.templates.tier_up.de.subject": fe("errors.unknownVariable", { names: "{{code}}" }), "messaging.templates.tier_up.de.body": fe("errors.unknownVariable", { names: "{{nope}}" }) },
    });
    const other = "no-smtp.myshopify.com";
    const q = program().messaging;
    q.channels.email.fromEmail = "a@b.example";
    expect(await applyMessagingSettings(db.sql, other, q)).toMatchObject({ ok: false, fieldErrors: { "messaging.channels.email.enabled": fe("errors.smtpFirst") } });
    p.templates.tier_up = { de: { subject: "Neu: {{tier}}", body: "Hallo {{firstName}}" } };
    p.channels.email.fromEmail = `treue@${A}`;
    const ok = await applyMessagingSettings(db.sql, A, p);
    expect(ok.ok).toBe(true);
    const stored = await db.sql.get<{ program: string }>(`SELECT program FROM shops WHERE domain = ?`, [A]);
    expect((JSON.parse(stored!.program) as Program).messaging.templates.tier_up?.de?.subject).toBe("Neu: {{tier}}");
  });

  it("joining the entry tier (threshold 0) is not announced; moving up from it is", async () => {
    await db.sql.tx((q) => saveProgram(q, B, program((p) => {
      p.messaging.channels.email.fromEmail = `treue@${B}`;
      p.tiers.levels = [level("bronze", 0, "Bronze"), ...p.tiers.levels];
    })));
    const m = await member(B, { locale: "de" });
    await postEntry(db.sql, B, { memberId: m.id, bucket: "available", points: 10, kind: "earn", reason: "purchase", idempotencyKey: `seed:${m.gid}`, at: NOON - 1000 });
    await evaluateMember(db.sql, B, m.id, NOON);
    expect(await sendDueNotices(db.sql, B, NOON)).toMatchObject({ sent: 0, cancelled: 1 });
    await postEntry(db.sql, B, { memberId: m.id, bucket: "available", points: 100, kind: "earn", reason: "purchase", idempotencyKey: `seed2:${m.gid}`, at: NOON });
    await evaluateMember(db.sql, B, m.id, NOON + 1000);
    expect(await sendDueNotices(db.sql, B, NOON + 1000)).toMatchObject({ sent: 1 });
    expect((await notices(m.id)).map((n) => [n.kind, n.status, n.reason])).toEqual([["tier_up", "cancelled", "entry_tier"], ["tier_up", "sent", null]]);
  });
});
