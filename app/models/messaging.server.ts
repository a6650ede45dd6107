// Notices to members by email. A business fact records a notice (the `notifications` table, once
// per dedupe key, with a delivery per channel in `notification_deliveries`, decision 0019) and books
// a `notifications:send` job per shop and window; the job sends the email deliveries that are due
// over the shop's own SMTP server: consent, channel and kind settings and quiet hours first,
// then claim (pending → sending, conditional), send with the Message-ID chosen before the first
// attempt, mark sent. Failures go back to pending with backoff, then `failed` (docs/decisions/0015).
import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import { enqueue } from "~/jobs/queue.server";
import type { Queryable, Sql } from "~/lib/sql.server";
import { dbBool, toDate } from "~/lib/sql.server";
import { keyset, pageSize, toPage, type Cursor, type Page } from "~/lib/paging.server";
import { decryptSecret, encryptSecret } from "~/lib/secrets.server";
import { fe } from "~/domain/errors";
import { NOTICE_KINDS, parseProgram, ProgramConfigError, type MessagingSettings, type NoticeKind, type Program } from "~/domain/program";
import {
  isNoticeKind,
  needsMarketingConsent,
  noticeVariables,
  renderTemplate,
  templateFor,
  unknownVariables,
  type Lang,
} from "~/domain/templates";
import { programOf, saveProgram } from "./earning.server";
import { cancelStep, claim, holdBack, nextDueAt, SEND_LEASE_MS, settle, STALE_MS, staleReason, startRun, tsOf, type SendSummary, type Step } from "./deliveries.server";
import { ensureShop } from "./shops.server";

/** How long notices gather before one send job sends them. */
export const SEND_WINDOW_MS = 10_000;
export { SEND_LEASE_MS, STALE_MS, type SendSummary };
const BATCH = 50;

// ---------------------------------------------------------------------------------------------
// Recording

/** One send job per shop and window, at the window's end (or when a later notice is due). */
export async function scheduleNoticeSend(q: Queryable, shop: string, at: number): Promise<void> {
  const window = Math.floor(at / SEND_WINDOW_MS);
  await enqueue(q, { shop, kind: "notifications:send", payload: {}, dedupeKey: `notifications:send:${window}`, runAt: new Date((window + 1) * SEND_WINDOW_MS), maxAttempts: 20 });
}

/** Kinds recorded whether or not email is on: the storefront panel and the admin show them too. */
const ALWAYS_RECORDED: ReadonlySet<NoticeKind> = new Set<NoticeKind>(["points_expiring", "points_expired", "tier_up", "tier_down", "tier_grace"]);

/** `recordNotices` for one notice (the rules are there). Returns false when nothing was recorded.
 *  `messaging`: the shop's settings when the caller has them (saves a read). */
export async function recordNotice(q: Queryable, shop: string, memberId: number, kind: NoticeKind, payload: unknown, dueAt: number, dedupeKey: string, messaging?: MessagingSettings): Promise<boolean> {
  const settings = messaging ?? programOf(await ensureShop(q, shop)).messaging;
  const [recorded] = await recordNotices(q, shop, [{ memberId, kind, payload, dueAt, dedupeKey }], settings);
  return recorded === true;
}

export interface NoticeInput {
  memberId: number;
  kind: NoticeKind;
  payload: unknown;
  dueAt: number;
  dedupeKey: string;
}

/**
 * Records notices for members, once per dedupe key, in the caller's transaction, and books their
 * send jobs (one per window) when a channel is on for the kind. The kinds outside ALWAYS_RECORDED
 * are recorded only while a channel and the kind are on, so a shop without messaging pays nothing
 * on its orders. A multi-row insert per few hundred notices (the nightly run records thousands).
 * Returns, per notice, whether it was recorded now.
 */
export async function recordNotices(q: Queryable, shop: string, notices: readonly NoticeInput[], messaging: MessagingSettings): Promise<boolean[]> {
  const kindOn = (kind: NoticeKind) => messaging.kinds[kind] !== false;
  const byEmail = (kind: NoticeKind) => messaging.channels.email.enabled && kindOn(kind);
  // WhatsApp only with an approved template for the kind (decision 0019)
  const byWhatsApp = (kind: NoticeKind) => messaging.channels.whatsapp.enabled && kindOn(kind) && !!messaging.channels.whatsapp.templates[kind]?.name;
  const sendingKind = (kind: NoticeKind) => byEmail(kind) || byWhatsApp(kind);
  const wanted = notices.filter((n) => sendingKind(n.kind) || ALWAYS_RECORDED.has(n.kind));
  const recorded = new Map<string, number>();
  const ROWS = 400;
  for (let i = 0; i < wanted.length; i += ROWS) {
    const part = wanted.slice(i, i + ROWS);
    const params: unknown[] = [];
    for (const n of part) params.push(shop, n.memberId, n.kind, JSON.stringify(n.payload), tsOf(q, n.dueAt), n.dedupeKey, tsOf(q, n.dueAt));
    const rows = await q.all<{ id: number; dedupe_key: string }>(
      `INSERT INTO notifications (shop, member_id, kind, payload, due_at, dedupe_key, status, attempts, created_at)
       VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, 'pending', 0, ?)").join(", ")}
       ON CONFLICT (shop, dedupe_key) DO NOTHING RETURNING id, dedupe_key`,
      params,
    );
    for (const r of rows) recorded.set(r.dedupe_key, Number(r.id));
    // each new notice's deliveries, one per channel with its own status, attempts and provider id:
    // email always (a channel that is off cancels it with its reason, as decision 0015 had it),
    // WhatsApp only when it is on for the kind
    const deliveries: unknown[][] = [];
    for (const n of part) {
      const id = recorded.get(n.dedupeKey);
      if (id === undefined) continue;
      deliveries.push([shop, id, "email", tsOf(q, n.dueAt), tsOf(q, n.dueAt)]);
      if (byWhatsApp(n.kind)) deliveries.push([shop, id, "whatsapp", tsOf(q, n.dueAt), tsOf(q, n.dueAt)]);
    }
    for (let j = 0; j < deliveries.length; j += ROWS) {
      const d = deliveries.slice(j, j + ROWS);
      await q.run(
        `INSERT INTO notification_deliveries (shop, notification_id, channel, status, attempts, due_at, created_at)
         VALUES ${d.map(() => "(?, ?, ?, 'pending', 0, ?, ?)").join(", ")} ON CONFLICT (notification_id, channel) DO NOTHING`,
        d.flat(),
      );
    }
  }
  const sendAt = new Set<number>();
  for (const n of wanted) if (recorded.has(n.dedupeKey) && sendingKind(n.kind)) sendAt.add(Math.floor(Math.max(n.dueAt, Date.now()) / SEND_WINDOW_MS) * SEND_WINDOW_MS);
  for (const at of sendAt) await scheduleNoticeSend(q, shop, at);
  // a key twice in one call is recorded once, for its first notice
  const seen = new Set<string>();
  return notices.map((n) => {
    if (!recorded.has(n.dedupeKey) || seen.has(n.dedupeKey)) return false;
    seen.add(n.dedupeKey);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// SMTP settings

export interface SmtpSettingsView {
  host: string;
  port: number;
  secure: boolean;
  username: string;
  /** a password is stored (it is never sent back) */
  passwordSet: boolean;
}

export interface SmtpInput {
  host: string;
  port: number | string;
  secure: boolean;
  username?: string;
  /** empty or absent: keep the stored one */
  password?: string;
  clearPassword?: boolean;
}

/** A channel's settings refused, field by field (the admin shows each field's message). */
export class ChannelSettingsError extends Error {
  constructor(
    readonly fieldErrors: Record<string, string>,
    channel: string,
    name: string,
  ) {
    super(`invalid ${channel} settings: ${Object.keys(fieldErrors).join(", ")}`);
    this.name = name;
  }
}

export class SmtpSettingsError extends ChannelSettingsError {
  constructor(fieldErrors: Record<string, string>) {
    super(fieldErrors, "SMTP", "SmtpSettingsError");
  }
}

interface SmtpRow {
  host: string;
  port: number;
  secure: unknown;
  username: string | null;
  password_enc: string | null;
}

const HOST_RE = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\d{1,3}(\.\d{1,3}){3}$|^\[[0-9a-fA-F:]+\]$/;

export function validateSmtp(input: SmtpInput): Record<string, string> {
  const errors: Record<string, string> = {};
  const host = String(input.host ?? "").trim();
  if (!host) errors.host = fe("errors.smtpHostRequired");
  else if (!HOST_RE.test(host)) errors.host = fe("errors.host");
  const port = typeof input.port === "number" ? input.port : /^\d+$/.test(String(input.port ?? "").trim()) ? Number(String(input.port).trim()) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) errors.port = fe("errors.port");
  if ((input.username ?? "").length > 254) errors.username = fe("errors.maxChars", { max: 254 });
  if ((input.password ?? "").length > 1024) errors.password = fe("errors.maxChars", { max: 1024 });
  return errors;
}

export async function saveSmtpSettings(q: Queryable, shop: string, input: SmtpInput, now = Date.now()): Promise<SmtpSettingsView> {
  const errors = validateSmtp(input);
  if (Object.keys(errors).length) throw new SmtpSettingsError(errors);
  const port = Number(String(input.port).trim());
  const username = input.username?.trim() || null;
  const existing = await q.get<SmtpRow>(`SELECT host, port, secure, username, password_enc FROM smtp_settings WHERE shop = ?`, [shop]);
  const passwordEnc = input.clearPassword ? null : input.password ? encryptSecret(input.password, shop) : (existing?.password_enc ?? null);
  await q.run(
    `INSERT INTO smtp_settings (shop, host, port, secure, username, password_enc, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (shop) DO UPDATE SET host = excluded.host, port = excluded.port, secure = excluded.secure, username = excluded.username,
       password_enc = excluded.password_enc, updated_at = excluded.updated_at`,
    [shop, input.host.trim(), port, q.dialect === "sqlite" ? (input.secure ? 1 : 0) : input.secure, username, passwordEnc, tsOf(q, now)],
  );
  return { host: input.host.trim(), port, secure: input.secure, username: username ?? "", passwordSet: passwordEnc !== null };
}

const viewOf = (r: SmtpRow): SmtpSettingsView => ({ host: r.host, port: Number(r.port), secure: dbBool(r.secure), username: r.username ?? "", passwordSet: r.password_enc !== null });

/** The shop's SMTP settings as the admin sees them: never the password. */
export async function smtpSettingsView(q: Queryable, shop: string): Promise<SmtpSettingsView | null> {
  const r = await q.get<SmtpRow>(`SELECT host, port, secure, username, password_enc FROM smtp_settings WHERE shop = ?`, [shop]);
  return r ? viewOf(r) : null;
}

type Transport = ReturnType<typeof nodemailer.createTransport>;

async function transportFor(q: Queryable, shop: string): Promise<{ transport: Transport; password: string | undefined } | null> {
  const r = await q.get<SmtpRow>(`SELECT host, port, secure, username, password_enc FROM smtp_settings WHERE shop = ?`, [shop]);
  if (!r) return null;
  const v = viewOf(r);
  const password = r.password_enc ? decryptSecret(r.password_enc, shop) : undefined;
  const auth = v.username ? { user: v.username, pass: password ?? "" } : undefined;
  // one pooled connection per run: a batch of notices is one SMTP session, not one per message
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 1,
    maxMessages: 100,
    host: v.host,
    port: v.port,
    secure: v.secure,
    auth,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // nodemailer's own logger stays off: it could print the AUTH exchange
    logger: false,
    debug: false,
  });
  return { transport, password };
}

/** An error's message for storage and the admin: never the password, at most 500 characters. */
function errorText(e: unknown, secret?: string): string {
  let m = e instanceof Error ? e.message : String(e);
  if (secret) m = m.split(secret).join("***");
  return m.replace(/\s+/g, " ").slice(0, 500);
}

// ---------------------------------------------------------------------------------------------
// Sending

interface DueRow {
  delivery_id: number;
  id: number;
  member_id: number;
  kind: string;
  payload: string;
  message_id: string | null;
  due_at: unknown;
  email: string | null;
  first_name: string | null;
  email_consent: string | null;
  locale: string | null;
  points_available: number;
  redacted_at: unknown;
}

export function languageOf(locale: string | null, settings: MessagingSettings): Lang {
  const l = (locale ?? "").toLowerCase();
  if (l.startsWith("de")) return "de";
  if (l.startsWith("en")) return "en";
  return settings.defaultLanguage;
}

interface EmailDelivery {
  notification_id: number;
  status: string;
  attempts: number;
  external_id: string | null;
  reason: string | null;
  due_at: unknown;
  sent_at: unknown;
}

/**
 * One step of an email delivery's state (decision 0019): a conditional update of the delivery row,
 * then the notice's own columns (status, attempts, message id, reason, due, sent) copied from it in
 * the same transaction — the member's history, the counts and decision 0015's readers keep reading
 * the notice. Returns the delivery after the step, or undefined when the condition didn't hold.
 */
async function emailStep(sql: Sql, shop: string, deliveryId: number, set: string, params: unknown[], condition: string): Promise<EmailDelivery | undefined> {
  return sql.tx(async (q) => {
    const d = await q.get<EmailDelivery>(
      `UPDATE notification_deliveries SET ${set} WHERE id = ? AND shop = ? AND channel = 'email' AND ${condition} RETURNING notification_id, status, attempts, external_id, reason, due_at, sent_at`,
      [...params, deliveryId, shop],
    );
    if (d) {
      await q.run(`UPDATE notifications SET status = ?, attempts = ?, message_id = ?, reason = ?, due_at = ?, sent_at = ?, channel = CASE WHEN ? = 'sent' THEN 'email' ELSE channel END WHERE id = ? AND shop = ?`, [
        d.status,
        Number(d.attempts),
        d.external_id,
        d.reason,
        d.due_at,
        d.sent_at,
        d.status,
        Number(d.notification_id),
        shop,
      ]);
    }
    return d;
  });
}

/** The email channel's `Step` (deliveries.server): the delivery and its notice in one go. */
const emailStepOf =
  (sql: Sql, shop: string, deliveryId: number): Step =>
  (set, params, condition) =>
    emailStep(sql, shop, deliveryId, set, params, condition);

/** Why a notice must not go out by email, or null when it may. */
export function blockedReason(kind: NoticeKind, settings: MessagingSettings, member: { email: string | null; emailConsent: string | null; redacted: boolean }, hasSmtp: boolean): string | null {
  if (!settings.channels.email.enabled) return "email_off";
  if (settings.kinds[kind] === false) return "kind_off";
  if (!hasSmtp || !settings.channels.email.fromEmail) return "no_smtp";
  if (member.redacted || !member.email) return "no_email";
  if (needsMarketingConsent(kind) && (member.emailConsent ?? "").toLowerCase() !== "subscribed") return "no_consent";
  return null;
}

/**
 * Sends the shop's due notices, up to `limit`. Each notice: cancelled with a reason when it must
 * not go out; moved to the end of the quiet hours when inside them; else claimed by a conditional
 * update (pending → sending, so two workers never both send it), sent with its Message-ID and
 * marked sent. A notice left `sending` by a crash is sent again with the same Message-ID once its
 * lease ran out.
 */
export async function sendDueNotices(sql: Sql, shop: string, now = Date.now(), limit = BATCH): Promise<SendSummary> {
  const { summary, program, timeZone, shopName } = await startRun(sql, shop);
  const settings = program.messaging;
  // interrupted sends come back with their message id
  const interrupted = await sql.all<{ id: number }>(`SELECT id FROM notification_deliveries WHERE shop = ? AND channel = 'email' AND status = 'sending' AND due_at <= ?`, [shop, tsOf(sql, now)]);
  for (const d of interrupted) await emailStep(sql, shop, Number(d.id), "status = 'pending'", [], "status = 'sending'");
  const rows = await sql.all<DueRow>(
    `SELECT d.id AS delivery_id, n.id, n.member_id, n.kind, n.payload, d.external_id AS message_id, d.due_at, m.email, m.first_name, m.email_consent, m.locale, m.points_available, m.redacted_at
       FROM notification_deliveries d
       JOIN notifications n ON n.id = d.notification_id AND n.shop = d.shop
       JOIN members m ON m.id = n.member_id AND m.shop = n.shop
      WHERE d.shop = ? AND d.channel = 'email' AND d.status = 'pending' AND d.due_at <= ? ORDER BY d.due_at, d.id LIMIT ?`,
    [shop, tsOf(sql, now), limit + 1],
  );
  summary.more = rows.length > limit;
  let transport: Transport | null | undefined;
  let password: string | undefined;
  try {
    for (const r of rows.slice(0, limit)) {
      const id = Number(r.id);
      const step = emailStepOf(sql, shop, Number(r.delivery_id));
      if (!isNoticeKind(r.kind)) {
        await cancelStep(step, "unknown_kind");
        summary.cancelled++;
        continue;
      }
      if (transport === undefined) {
        // an unreadable password (client secret changed) fails the job: the notices wait
        const t = await transportFor(sql, shop);
        transport = t?.transport ?? null;
        password = t?.password;
      }
      const blocked =
        blockedReason(r.kind, settings, { email: r.email, emailConsent: r.email_consent, redacted: r.redacted_at !== null && r.redacted_at !== undefined }, transport !== null) ??
        (await staleReason(sql, shop, program, r, r.due_at, now));
      const held = await holdBack(sql, step, blocked, program, timeZone, now);
      if (held) {
        summary[held]++;
        continue;
      }
      const messageId = r.message_id ?? `<${randomUUID()}.n${id}@stammkunde.${shop}>`;
      const claimed = await claim(sql, step, now, { set: "external_id = COALESCE(external_id, ?)", params: [messageId] });
      if (!claimed) continue; // another worker has it
      const lang = languageOf(r.locale, settings);
      const vars = noticeVariables(r.kind, JSON.parse(r.payload) as Record<string, unknown>, { firstName: r.first_name, balance: Number(r.points_available) }, shopName, lang, timeZone);
      const mail = renderTemplate(templateFor(settings, r.kind, lang), vars, "send");
      const email = settings.channels.email;
      try {
        const info = (await transport!.sendMail({
          from: { name: email.fromName || shopName, address: email.fromEmail },
          to: r.email!,
          replyTo: email.replyTo || undefined,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: claimed.external_id!,
          headers: { "X-Stammkunde-Notice": `${r.kind}:${id}` },
        })) as { messageId?: string };
        summary[await settle(sql, step, Number(claimed.attempts), { ok: true, externalId: info.messageId ?? null }, now)]++;
      } catch (e) {
        summary[await settle(sql, step, Number(claimed.attempts), { ok: false, retryable: true, message: errorText(e, password) }, now)]++;
      }
    }
  } finally {
    transport?.close();
  }
  summary.nextDueAt = await nextDueAt(sql, shop, "email", now);
  return summary;
}

/** After a send run: book the next one (more due now, or when the next waiting notice is due). */
export async function scheduleFollowUp(q: Queryable, shop: string, summary: SendSummary, jobId: number, now = Date.now()): Promise<void> {
  if (summary.more) await enqueue(q, { shop, kind: "notifications:send", payload: {}, dedupeKey: `notifications:send:after:${jobId}`, maxAttempts: 20 });
  if (summary.nextDueAt) {
    const at = Math.max(Date.parse(summary.nextDueAt), now);
    await enqueue(q, { shop, kind: "notifications:send", payload: {}, dedupeKey: `notifications:send:at:${at}`, runAt: new Date(at), maxAttempts: 20 });
  }
}

/** The merchant's "send test email": one message to `to` with the stored settings. */
export async function sendTestEmail(sql: Sql, shop: string, to: string, lang: Lang): Promise<{ ok: true; messageId: string } | { ok: false; error: string }> {
  if (!/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(to)) return { ok: false, error: fe("errors.email") };
  const shopRow = await ensureShop(sql, shop);
  const email = programOf(shopRow).messaging.channels.email;
  let password: string | undefined;
  let transport: Transport | null = null;
  try {
    const t = await transportFor(sql, shop);
    if (!t) return { ok: false, error: fe("errors.smtpFirst") };
    transport = t.transport;
    password = t.password;
    const from = email.fromEmail || to;
    const info = (await transport.sendMail({
      from: { name: email.fromName || shopRow.name || shop, address: from },
      to,
      subject: lang === "de" ? "Stammkunde: Test-E-Mail" : "Stammkunde: test email",
      text: lang === "de" ? "Die SMTP-Einstellungen funktionieren." : "Your SMTP settings work.",
    })) as { messageId: string };
    return { ok: true, messageId: info.messageId };
  } catch (e) {
    return { ok: false, error: errorText(e, password) };
  } finally {
    transport?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The admin's view

export async function noticeCounts(q: Queryable, shop: string): Promise<Record<string, number>> {
  const rows = await q.all<{ status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM notifications WHERE shop = ? GROUP BY status`, [shop]);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export interface NoticeRow {
  id: number;
  memberId: number;
  kind: string;
  status: string;
  attempts: number;
  reason: string | null;
  dueAt: string | null;
  sentAt: string | null;
}

/** The shop's notices (of one status, or all), newest first, a keyset page (lib/paging). */
export async function recentNotices(q: Queryable, shop: string, opts: { status?: string; cursor?: Cursor; limit?: number } = {}): Promise<Page<NoticeRow>> {
  const limit = pageSize(opts.limit, 50);
  const k = keyset(opts.cursor ?? null, "id");
  const params: unknown[] = [shop];
  let filter = "";
  if (opts.status) {
    filter = " AND status = ?";
    params.push(opts.status);
  }
  params.push(...k.params, limit + 1);
  const rows = await q.all<{ id: number; member_id: number; kind: string; status: string; attempts: number; reason: string | null; due_at: unknown; sent_at: unknown }>(
    `SELECT id, member_id, kind, status, attempts, reason, due_at, sent_at FROM notifications WHERE shop = ?${filter}${k.where} ORDER BY id ${k.order} LIMIT ?`,
    params,
  );
  const notices = rows.map((r) => ({ id: Number(r.id), memberId: Number(r.member_id), kind: r.kind, status: r.status, attempts: Number(r.attempts), reason: r.reason, dueAt: toDate(r.due_at)?.toISOString() ?? null, sentAt: toDate(r.sent_at)?.toISOString() ?? null }));
  return toPage(notices, limit, opts.cursor ?? null, (n) => n.id);
}

/** The merchant's "retry": failed deliveries on every channel go back to pending (email: same
 *  Message-ID) and a send is booked. Returns how many notices had a failed email. */
export async function retryFailedNotices(q: Queryable, shop: string, now = Date.now()): Promise<number> {
  const all = await q.run(`UPDATE notification_deliveries SET status = 'pending', attempts = 0, due_at = ? WHERE shop = ? AND status = 'failed'`, [tsOf(q, now), shop]);
  const r = await q.run(`UPDATE notifications SET status = 'pending', attempts = 0, due_at = ? WHERE shop = ? AND status = 'failed'`, [tsOf(q, now), shop]);
  if (all.changes) await scheduleNoticeSend(q, shop, now);
  return r.changes;
}

export { NOTICE_KINDS };

// ---------------------------------------------------------------------------------------------
// What the customer webhooks and orders tell us

/** The customer's email marketing consent state from a customers/create|update payload. */
export async function setEmailConsent(q: Queryable, shop: string, customerGid: string, c: { email_marketing_consent?: { state?: string | null } | null }): Promise<void> {
  const state = c.email_marketing_consent?.state;
  if (state === undefined) return;
  await q.run(`UPDATE members SET email_consent = ? WHERE shop = ? AND customer_gid = ?`, [state ? state.toLowerCase().slice(0, 40) : null, shop, customerGid]);
}

/** The language of the member's latest order (the order's customer_locale). */
export async function setMemberLocale(q: Queryable, shop: string, memberId: number, locale: string): Promise<void> {
  const l = locale.trim().slice(0, 20);
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l)) return;
  await q.run(`UPDATE members SET locale = ? WHERE shop = ? AND id = ? AND COALESCE(locale, '') <> ?`, [l, shop, memberId, l]);
}

/** The welcome notice, once per member (a new customer account). */
export async function recordWelcome(q: Queryable, shop: string, memberId: number, now = Date.now()): Promise<boolean> {
  return recordNotice(q, shop, memberId, "welcome", {}, now, `welcome:${memberId}`);
}

// ---------------------------------------------------------------------------------------------
// The admin's settings form

export type MessagingSettingsResult = { ok: true; messaging: MessagingSettings } | { ok: false; fieldErrors: Record<string, string> };

/**
 * Validates and saves the program's messaging section (channel, quiet hours, kinds, templates,
 * default language). Field errors use the program's paths ("messaging.quietHours.start"); a
 * template that uses a variable its kind doesn't offer is an error on that field. Turning email
 * on needs SMTP settings and a sender address.
 */
export async function applyMessagingSettings(sql: Sql, shop: string, input: unknown): Promise<MessagingSettingsResult> {
  const current = programOf(await ensureShop(sql, shop));
  let next: Program;
  try {
    next = parseProgram({ ...structuredClone(current), messaging: input });
  } catch (error) {
    if (error instanceof ProgramConfigError) return { ok: false, fieldErrors: error.fieldErrors };
    throw error;
  }
  const m = next.messaging;
  const fieldErrors: Record<string, string> = {};
  for (const [kind, langs] of Object.entries(m.templates) as Array<[NoticeKind, Partial<Record<Lang, { subject: string; body: string }>>]>) {
    for (const [lang, t] of Object.entries(langs) as Array<[Lang, { subject: string; body: string }]>) {
      if (!t) continue;
      for (const field of ["subject", "body"] as const) {
        const unknown = unknownVariables({ subject: t[field], body: "" }, kind);
        if (unknown.length) fieldErrors[`messaging.templates.${kind}.${lang}.${field}`] = fe("errors.unknownVariable", { names: unknown.map((v) => `{{${v}}}`).join(", ") });
      }
      if (!t.subject.trim()) fieldErrors[`messaging.templates.${kind}.${lang}.subject`] ??= fe("errors.subjectRequired");
    }
  }
  if (m.channels.email.enabled) {
    if (!m.channels.email.fromEmail) fieldErrors["messaging.channels.email.fromEmail"] ??= fe("errors.fromEmailRequired");
    if (!(await smtpSettingsView(sql, shop))) fieldErrors["messaging.channels.email.enabled"] = fe("errors.smtpFirst");
  }
  if (m.channels.whatsapp.enabled) {
    const account = await sql.get<{ access_token_enc: string | null; app_secret_enc: string | null }>(`SELECT access_token_enc, app_secret_enc FROM whatsapp_settings WHERE shop = ?`, [shop]);
    if (!account?.access_token_enc || !account.app_secret_enc) fieldErrors["messaging.channels.whatsapp.enabled"] = fe("errors.whatsappFirst");
  }
  if (Object.keys(fieldErrors).length) return { ok: false, fieldErrors };
  await sql.tx((q) => saveProgram(q, shop, next));
  return { ok: true, messaging: m };
}
