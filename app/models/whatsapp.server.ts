// The WhatsApp channel (decision 0019): the shop's Cloud API account (token and app secret
// encrypted at rest), members' numbers with their consent, notices sent as approved templates once
// per notice (notification_deliveries, channel whatsapp), and inbound messages: recorded once per
// Meta message id, then answered by a job — balance, codes, redeem by reply with a confirmation.
import type { Queryable, Sql } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { decryptSecret, encryptSecret } from "~/lib/secrets.server";
import { enqueue } from "~/jobs/queue.server";
import { fe } from "~/domain/errors";
import type { MessagingSettings } from "~/domain/program";
import { isNoticeKind, noticeVariables, type Lang } from "~/domain/templates";
import { buttonTitle, commandOf, normalisePhone, OFFER_TTL_MS, REPLIES, SESSION_WINDOW_MS, templateParameters, type InboundMessage } from "~/domain/whatsapp";
import type { Reward } from "~/domain/rewards";
import { buttonsMessage, sendMessage, templateMessage, textMessage, type OutboundMessage, type SendResult, type WhatsAppAccount } from "~/services/whatsapp/client.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { programOf } from "./earning.server";
import { ensureShop } from "./shops.server";
import { listRewards, listRewardsFor, memberCodes, redeem, RedeemError } from "./redemptions.server";
import { claim, deliveryStep, holdBack, nextDueAt, settle, staleReason, startRun, tsOf, type SendSummary } from "./deliveries.server";
import { ChannelSettingsError, languageOf } from "./messaging.server";

const BATCH = 50;
export const DEFAULT_API_VERSION = "v23.0";
export const DEFAULT_BASE_URL = "https://graph.facebook.com";

// ---------------------------------------------------------------------------------------------
// Settings

export interface WhatsAppSettingsView {
  phoneNumberId: string;
  baseUrl: string;
  apiVersion: string;
  verifyTokenSet: boolean;
  /** stored (never sent back) */
  accessTokenSet: boolean;
  appSecretSet: boolean;
}

export interface WhatsAppInput {
  phoneNumberId: string;
  baseUrl?: string;
  apiVersion?: string;
  /** empty or absent: keep the stored one */
  accessToken?: string;
  appSecret?: string;
  verifyToken?: string;
}

export class WhatsAppSettingsError extends ChannelSettingsError {
  constructor(fieldErrors: Record<string, string>) {
    super(fieldErrors, "WhatsApp", "WhatsAppSettingsError");
  }
}

interface SettingsRow {
  shop: string;
  phone_number_id: string;
  access_token_enc: string | null;
  app_secret_enc: string | null;
  verify_token: string | null;
  base_url: string;
  api_version: string;
}

/** https anywhere; plain http only to this machine (the stand-in in tests and the demo). */
function validBaseUrl(s: string): boolean {
  try {
    const u = new URL(s);
    if (u.username || u.password || u.search || u.hash) return false;
    if (u.protocol === "https:") return true;
    return u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  } catch {
    return false;
  }
}

export function validateWhatsApp(input: WhatsAppInput): Record<string, string> {
  const e: Record<string, string> = {};
  if (!/^\d{1,30}$/.test(String(input.phoneNumberId ?? "").trim())) e.phoneNumberId = fe("errors.waPhoneNumberId");
  if (input.baseUrl && !validBaseUrl(input.baseUrl.trim())) e.baseUrl = fe("errors.https");
  if (input.apiVersion && !/^v\d{1,3}\.\d{1,2}$/.test(input.apiVersion.trim())) e.apiVersion = fe("errors.apiVersion", { example: "v23.0" });
  if ((input.accessToken ?? "").length > 4096) e.accessToken = fe("errors.maxChars", { max: 4096 });
  if (input.appSecret && !/^[A-Za-z0-9]{16,128}$/.test(input.appSecret)) e.appSecret = fe("errors.waAppSecret");
  if (input.verifyToken && !/^[\x21-\x7e]{16,200}$/.test(input.verifyToken)) e.verifyToken = fe("errors.waVerifyToken");
  return e;
}

export async function saveWhatsAppSettings(q: Queryable, shop: string, input: WhatsAppInput, now = Date.now()): Promise<WhatsAppSettingsView> {
  const errors = validateWhatsApp(input);
  if (!Object.keys(errors).length) {
    const taken = await q.get<{ shop: string }>(`SELECT shop FROM whatsapp_settings WHERE phone_number_id = ? AND shop <> ?`, [input.phoneNumberId.trim(), shop]);
    if (taken) errors.phoneNumberId = fe("errors.waPhoneNumberIdTaken");
    if (input.verifyToken) {
      const t = await q.get<{ shop: string }>(`SELECT shop FROM whatsapp_settings WHERE verify_token = ? AND shop <> ?`, [input.verifyToken, shop]);
      if (t) errors.verifyToken = fe("errors.waVerifyTokenTaken");
    }
  }
  if (Object.keys(errors).length) throw new WhatsAppSettingsError(errors);
  const existing = await q.get<SettingsRow>(`SELECT * FROM whatsapp_settings WHERE shop = ?`, [shop]);
  const tokenEnc = input.accessToken ? encryptSecret(input.accessToken, shop, undefined, "whatsapp-token") : (existing?.access_token_enc ?? null);
  const secretEnc = input.appSecret ? encryptSecret(input.appSecret, shop, undefined, "whatsapp-app-secret") : (existing?.app_secret_enc ?? null);
  const verify = input.verifyToken || existing?.verify_token || null;
  const baseUrl = input.baseUrl?.trim().replace(/\/+$/, "") || existing?.base_url || DEFAULT_BASE_URL;
  const apiVersion = input.apiVersion?.trim() || existing?.api_version || DEFAULT_API_VERSION;
  await q.run(
    `INSERT INTO whatsapp_settings (shop, phone_number_id, access_token_enc, app_secret_enc, verify_token, base_url, api_version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (shop) DO UPDATE SET phone_number_id = excluded.phone_number_id, access_token_enc = excluded.access_token_enc, app_secret_enc = excluded.app_secret_enc,
       verify_token = excluded.verify_token, base_url = excluded.base_url, api_version = excluded.api_version, updated_at = excluded.updated_at`,
    [shop, input.phoneNumberId.trim(), tokenEnc, secretEnc, verify, baseUrl, apiVersion, tsOf(q, now)],
  );
  return (await whatsAppSettingsView(q, shop))!;
}

export async function whatsAppSettingsView(q: Queryable, shop: string): Promise<WhatsAppSettingsView | null> {
  const r = await q.get<SettingsRow>(`SELECT * FROM whatsapp_settings WHERE shop = ?`, [shop]);
  if (!r) return null;
  return { phoneNumberId: r.phone_number_id, baseUrl: r.base_url, apiVersion: r.api_version, verifyTokenSet: !!r.verify_token, accessTokenSet: !!r.access_token_enc, appSecretSet: !!r.app_secret_enc };
}

/** The account to send with, or null when the settings or the token are missing. */
export async function whatsAppAccount(q: Queryable, shop: string): Promise<WhatsAppAccount | null> {
  const r = await q.get<SettingsRow>(`SELECT * FROM whatsapp_settings WHERE shop = ?`, [shop]);
  if (!r?.access_token_enc) return null;
  return { baseUrl: r.base_url, apiVersion: r.api_version, phoneNumberId: r.phone_number_id, accessToken: decryptSecret(r.access_token_enc, shop, undefined, "whatsapp-token") };
}

/** Which shop a webhook for this phone number id belongs to, with the secret that must sign it. */
export async function shopForPhoneNumberId(q: Queryable, phoneNumberId: string): Promise<{ shop: string; appSecret: string } | null> {
  const r = await q.get<SettingsRow>(`SELECT * FROM whatsapp_settings WHERE phone_number_id = ?`, [phoneNumberId]);
  if (!r?.app_secret_enc) return null;
  try {
    return { shop: r.shop, appSecret: decryptSecret(r.app_secret_enc, r.shop, undefined, "whatsapp-app-secret") };
  } catch {
    return null; // unreadable (client secret rotated): nothing can verify, so nothing is accepted
  }
}

/** The GET handshake: whether some shop set this verify token. */
export async function verifyTokenKnown(q: Queryable, token: string): Promise<boolean> {
  if (!token || token.length > 200) return false;
  return !!(await q.get<{ shop: string }>(`SELECT shop FROM whatsapp_settings WHERE verify_token = ?`, [token]));
}

// ---------------------------------------------------------------------------------------------
// Numbers and consent

export interface ContactRow {
  id: number;
  member_id: number;
  phone: string;
  status: "opted_in" | "opted_out";
  source: string;
  last_inbound_at: unknown;
  pending_reward_id: number | null;
  pending_until: unknown;
}

export class WhatsAppOptInError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(Object.values(fieldErrors).join("; "));
  }
}

/**
 * Records the member's WhatsApp number with their consent ("storefront": they ticked the box in the
 * panel; "shopify_sms": Shopify's SMS marketing consent). One number per member and one member per
 * number in a shop; a number another member holds is refused. Returns the normalised number.
 */
export async function optIn(q: Queryable, shop: string, memberId: number, rawPhone: string, source: "storefront" | "shopify_sms", now = Date.now()): Promise<string> {
  const phone = normalisePhone(rawPhone);
  if (!phone) throw new WhatsAppOptInError({ phone: "Enter the number with country code, e.g. +49 151 2345678" });
  const other = await q.get<{ member_id: number }>(`SELECT member_id FROM whatsapp_contacts WHERE shop = ? AND phone = ? AND member_id <> ?`, [shop, phone, memberId]);
  if (other) throw new WhatsAppOptInError({ phone: "This number is already signed up" });
  await q.run(
    `INSERT INTO whatsapp_contacts (shop, member_id, phone, status, source, consent_at, opted_out_at, updated_at) VALUES (?, ?, ?, 'opted_in', ?, ?, NULL, ?)
     ON CONFLICT (shop, member_id) DO UPDATE SET phone = excluded.phone, status = 'opted_in', source = excluded.source, consent_at = excluded.consent_at, opted_out_at = NULL, updated_at = excluded.updated_at`,
    [shop, memberId, phone, source, tsOf(q, now), tsOf(q, now)],
  );
  return phone;
}

/** STOP: the number gets no more messages until the member opts in again. */
export async function optOut(q: Queryable, shop: string, phone: string, now = Date.now()): Promise<boolean> {
  const r = await q.run(`UPDATE whatsapp_contacts SET status = 'opted_out', opted_out_at = ?, pending_reward_id = NULL, pending_until = NULL, updated_at = ? WHERE shop = ? AND phone = ? AND status = 'opted_in'`, [
    tsOf(q, now),
    tsOf(q, now),
    shop,
    phone,
  ]);
  return r.changes > 0;
}

export async function contactOf(q: Queryable, shop: string, memberId: number): Promise<ContactRow | undefined> {
  return q.get<ContactRow>(`SELECT * FROM whatsapp_contacts WHERE shop = ? AND member_id = ?`, [shop, memberId]);
}

/** customers/create|update: Shopify's SMS marketing consent with the customer's phone opts the member in; unsubscribed opts out. */
export async function applySmsConsent(q: Queryable, shop: string, customerGid: string, c: { phone?: string | null; sms_marketing_consent?: { state?: string | null } | null }, now = Date.now()): Promise<void> {
  const state = c.sms_marketing_consent?.state?.toLowerCase();
  if (!state) return;
  const m = await q.get<{ id: number }>(`SELECT id FROM members WHERE shop = ? AND customer_gid = ? AND redacted_at IS NULL`, [shop, customerGid]);
  if (!m) return;
  if (state === "subscribed" && c.phone) {
    await optIn(q, shop, Number(m.id), c.phone, "shopify_sms", now).catch((e: unknown) => {
      if (!(e instanceof WhatsAppOptInError)) throw e;
    });
  } else if (state === "unsubscribed" || state === "redacted") {
    await q.run(`UPDATE whatsapp_contacts SET status = 'opted_out', opted_out_at = ?, updated_at = ? WHERE shop = ? AND member_id = ? AND status = 'opted_in' AND source = 'shopify_sms'`, [tsOf(q, now), tsOf(q, now), shop, Number(m.id)]);
  }
}

// ---------------------------------------------------------------------------------------------
// Notices on WhatsApp

interface DueDelivery {
  id: number;
  notification_id: number;
  attempts: number;
  kind: string;
  payload: string;
  n_due_at: unknown;
  first_name: string | null;
  locale: string | null;
  points_available: number;
  redacted_at: unknown;
  phone: string | null;
  contact_status: string | null;
}

/** Why a notice must not go out on WhatsApp, or null when it may. Every kind needs the member's opt-in. */
export function whatsAppBlockedReason(kind: string, settings: MessagingSettings, member: { redacted: boolean; phone: string | null; contactStatus: string | null }, hasAccount: boolean): string | null {
  if (!isNoticeKind(kind)) return "unknown_kind";
  const wa = settings.channels.whatsapp;
  if (!wa.enabled) return "whatsapp_off";
  if (settings.kinds[kind] === false) return "kind_off";
  if (!wa.templates[kind]?.name) return "no_template";
  if (!hasAccount) return "no_account";
  if (member.redacted) return "redacted";
  if (!member.phone || member.contactStatus !== "opted_in") return "no_consent";
  return null;
}

/**
 * Sends the shop's due WhatsApp deliveries: blocked → cancelled with a reason; quiet hours → later;
 * else claimed (pending → sending, conditional, with a lease), sent as the kind's approved template
 * in the member's language and marked sent with Meta's message id. A delivery still `sending`
 * after its lease (the process died mid-call) is marked failed `interrupted`, not sent again:
 * WhatsApp has no idempotency key and a second copy would be visible on the phone (0019).
 */
export async function sendDueWhatsApp(sql: Sql, shop: string, now = Date.now(), limit = BATCH, opts: { fetch?: typeof fetch } = {}): Promise<SendSummary> {
  const { summary, program, timeZone, shopName } = await startRun(sql, shop);
  const settings = program.messaging;
  await sql.run(`UPDATE notification_deliveries SET status = 'failed', reason = 'interrupted' WHERE shop = ? AND channel = 'whatsapp' AND status = 'sending' AND due_at <= ?`, [shop, tsOf(sql, now)]);
  const rows = await sql.all<DueDelivery>(
    `SELECT d.id, d.notification_id, d.attempts, n.kind, n.payload, n.due_at AS n_due_at, m.first_name, m.locale, m.points_available, m.redacted_at, c.phone, c.status AS contact_status
       FROM notification_deliveries d
       JOIN notifications n ON n.id = d.notification_id AND n.shop = d.shop
       JOIN members m ON m.id = n.member_id AND m.shop = n.shop
       LEFT JOIN whatsapp_contacts c ON c.shop = m.shop AND c.member_id = m.id
      WHERE d.shop = ? AND d.channel = 'whatsapp' AND d.status = 'pending' AND d.due_at <= ? ORDER BY d.due_at, d.id LIMIT ?`,
    [shop, tsOf(sql, now), limit + 1],
  );
  summary.more = rows.length > limit;
  let account: WhatsAppAccount | null | undefined;
  for (const r of rows.slice(0, limit)) {
    const step = deliveryStep(sql, shop, "whatsapp", Number(r.id));
    // an unreadable token (client secret changed) fails the job: the deliveries wait
    if (account === undefined) account = await whatsAppAccount(sql, shop);
    // an unknown kind is blocked ("unknown_kind"), so the stale checks see notice kinds only
    const blocked = whatsAppBlockedReason(r.kind, settings, { redacted: r.redacted_at !== null && r.redacted_at !== undefined, phone: r.phone, contactStatus: r.contact_status }, account !== null);
    const held = await holdBack(sql, step, blocked ?? (await staleReason(sql, shop, program, r, r.n_due_at, now)), program, timeZone, now);
    if (held) {
      summary[held]++;
      continue;
    }
    if (!isNoticeKind(r.kind)) continue;
    const claimed = await claim(sql, step, now);
    if (!claimed) continue; // another worker has it
    const lang = languageOf(r.locale, settings);
    const tpl = settings.channels.whatsapp.templates[r.kind]!;
    const vars = noticeVariables(r.kind, JSON.parse(r.payload) as Record<string, unknown>, { firstName: r.first_name, balance: Number(r.points_available) }, shopName, lang, timeZone);
    const result = await sendMessage(account!, templateMessage(r.phone!, tpl.name, tpl[lang], templateParameters(r.kind, vars)), opts);
    const outcome = result.ok ? { ok: true as const, externalId: result.id } : { ok: false as const, retryable: result.retryable, message: result.message };
    summary[await settle(sql, step, Number(claimed.attempts), outcome, now)]++;
  }
  summary.nextDueAt = await nextDueAt(sql, shop, "whatsapp", now);
  return summary;
}

/** Both channels' runs as one summary for booking the follow-up. */
export function mergeSummaries(a: SendSummary, b: SendSummary): SendSummary {
  const next = [a.nextDueAt, b.nextDueAt].filter((x): x is string => !!x).sort()[0] ?? null;
  return { sent: a.sent + b.sent, cancelled: a.cancelled + b.cancelled, deferred: a.deferred + b.deferred, retried: a.retried + b.retried, failed: a.failed + b.failed, nextDueAt: next, more: a.more || b.more };
}

export async function whatsAppDeliveryCounts(q: Queryable, shop: string): Promise<Record<string, number>> {
  const rows = await q.all<{ status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM notification_deliveries WHERE shop = ? AND channel = 'whatsapp' GROUP BY status`, [shop]);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** A delivery report from Meta (statuses[]): a message Meta could not deliver is failed with Meta's reason. */
export async function applyStatus(q: Queryable, shop: string, s: { id: string; status: string; errors?: Array<{ code?: number; title?: string; message?: string }> }): Promise<void> {
  if (s.status !== "failed") return;
  const e = s.errors?.[0];
  const reason = `${e?.title ?? e?.message ?? "not delivered"}${e?.code !== undefined ? ` (#${e.code})` : ""}`.slice(0, 500);
  await q.run(`UPDATE notification_deliveries SET status = 'failed', reason = ? WHERE shop = ? AND channel = 'whatsapp' AND external_id = ? AND status = 'sent'`, [reason, shop, s.id]);
}

// ---------------------------------------------------------------------------------------------
// Inbound

/**
 * Records verified inbound messages once per Meta message id and books one job per new message, in
 * one transaction; a redelivery (Meta retries until it gets a 200) finds them and books nothing.
 * Returns how many were new.
 */
export async function acceptInbound(sql: Sql, shop: string, messages: InboundMessage[], statuses: Array<{ id: string; status: string; errors?: Array<{ code?: number; title?: string; message?: string }> }>, now = Date.now()): Promise<number> {
  return sql.tx(async (q) => {
    let fresh = 0;
    for (const m of messages) {
      const row = await q.get<{ id: number }>(
        `INSERT INTO whatsapp_inbound (shop, message_id, phone, payload, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop, message_id) DO NOTHING RETURNING id`,
        [shop, m.id, m.from, JSON.stringify(m), tsOf(q, now)],
      );
      if (!row) continue;
      fresh++;
      await enqueue(q, { shop, kind: "whatsapp:inbound", payload: { inboundId: Number(row.id) }, dedupeKey: `whatsapp:inbound:${Number(row.id)}`, maxAttempts: 10 });
    }
    for (const s of statuses) await applyStatus(q, shop, s);
    return fresh;
  });
}

export type InboundOutcome = "opted_out" | "unknown_number" | "balance" | "codes" | "offer" | "choose" | "none_affordable" | "issued" | "not_issued" | "pending_code" | "no_offer" | "cancelled" | "refused" | "help" | "done";

/**
 * Answers one inbound message (the `whatsapp:inbound` job). Handled once: the row's handled_at is
 * set in the same step as the outcome, and a redeem is keyed by the confirming message's id, so a
 * re-run of the job finds the redemption instead of making a second one.
 */
export async function handleInbound(sql: Sql, shop: string, inboundId: number, admin: (() => Promise<AdminGraphql>) | undefined, now = Date.now(), opts: { fetch?: typeof fetch; sleep?: (ms: number) => Promise<void> } = {}): Promise<InboundOutcome> {
  const row = await sql.get<{ id: number; phone: string; payload: string; handled_at: unknown; message_id: string }>(`SELECT id, phone, payload, handled_at, message_id FROM whatsapp_inbound WHERE shop = ? AND id = ?`, [shop, inboundId]);
  if (!row || row.handled_at) return "done";
  const message = JSON.parse(row.payload) as InboundMessage;
  const command = commandOf(message);
  const shopRow = await ensureShop(sql, shop);
  const settings = programOf(shopRow).messaging;
  const shopName = shopRow.name ?? shop.replace(/\.myshopify\.com$/, "");
  const contact = await sql.get<ContactRow & { locale: string | null; customer_gid: string; points_available: number; points_pending: number; redacted_at: unknown; tier_id: string | null }>(
    `SELECT c.*, m.locale, m.customer_gid, m.points_available, m.points_pending, m.redacted_at, m.tier_id FROM whatsapp_contacts c JOIN members m ON m.id = c.member_id AND m.shop = c.shop WHERE c.shop = ? AND c.phone = ?`,
    [shop, row.phone],
  );
  const cmdLang = "lang" in command ? command.lang : null;
  const lang: Lang = cmdLang ?? languageOf(contact?.locale ?? null, settings);
  const account = await whatsAppAccount(sql, shop);
  const replies: OutboundMessage[] = [];
  const to = row.phone;
  let outcome: InboundOutcome;

  if (contact) await sql.run(`UPDATE whatsapp_contacts SET last_inbound_at = ? WHERE id = ? AND shop = ?`, [tsOf(sql, now), Number(contact.id), shop]);

  if (command.kind === "stop") {
    await optOut(sql, shop, row.phone, now);
    replies.push(textMessage(to, REPLIES.stopped(lang)));
    outcome = "opted_out";
  } else if (!contact || contact.status !== "opted_in" || contact.redacted_at) {
    replies.push(textMessage(to, REPLIES.unknownNumber(lang)));
    outcome = "unknown_number";
  } else {
    const balance = Number(contact.points_available);
    switch (command.kind) {
      case "points":
        replies.push(buttonsMessage(to, REPLIES.balance(lang, shopName, balance, Number(contact.points_pending)), REPLIES.buttons(lang).filter((b) => b.id !== "sk:points")));
        outcome = "balance";
        break;
      case "rewards": {
        const codes = (await memberCodes(sql, shop, contact.customer_gid)).map((c) => c.code);
        replies.push(buttonsMessage(to, `${REPLIES.codes(lang, codes)}\n${REPLIES.balance(lang, shopName, balance, Number(contact.points_pending))}`, REPLIES.buttons(lang).filter((b) => b.id !== "sk:rewards")));
        outcome = "codes";
        break;
      }
      case "redeem": {
        // only rewards this member may take: another tier's reward is not offered (redeem refuses it too)
        const affordable = (await listRewardsFor(sql, shop, contact.tier_id)).filter((r) => byReply(r.reward) && r.reward.pointsCost <= balance).slice(0, 3);
        if (!affordable.length) {
          replies.push(textMessage(to, REPLIES.noneAffordable(lang, balance)));
          outcome = "none_affordable";
        } else if (affordable.length === 1) {
          const r = affordable[0]!;
          await setOffer(sql, shop, Number(contact.id), r.id, now);
          replies.push(buttonsMessage(to, REPLIES.offer(lang, rewardTitle(r.reward, lang), r.reward.pointsCost), REPLIES.confirmButtons(lang)));
          outcome = "offer";
        } else {
          replies.push(buttonsMessage(to, REPLIES.choose(lang), affordable.map((r) => ({ id: `sk:reward:${r.id}`, title: buttonTitle(`${rewardTitle(r.reward, lang)}`) }))));
          outcome = "choose";
        }
        break;
      }
      case "choose": {
        const r = (await listRewardsFor(sql, shop, contact.tier_id)).find((x) => x.id === command.rewardId && byReply(x.reward));
        if (!r || r.reward.pointsCost > balance) {
          replies.push(textMessage(to, r ? REPLIES.noneAffordable(lang, balance) : REPLIES.refused(lang)));
          outcome = r ? "none_affordable" : "refused";
        } else {
          await setOffer(sql, shop, Number(contact.id), r.id, now);
          replies.push(buttonsMessage(to, REPLIES.offer(lang, rewardTitle(r.reward, lang), r.reward.pointsCost), REPLIES.confirmButtons(lang)));
          outcome = "offer";
        }
        break;
      }
      case "yes": {
        const pendingUntil = toDate(contact.pending_until)?.getTime() ?? 0;
        if (!contact.pending_reward_id || pendingUntil < now) {
          replies.push(textMessage(to, REPLIES.nothingPending(lang)));
          outcome = "no_offer";
          break;
        }
        if (!admin) throw new Error("the shop's Admin API is needed to create the code");
        const rewardId = Number(contact.pending_reward_id);
        // the offer is taken by this YES (conditional), so two YES messages can't both redeem
        const took = await sql.run(`UPDATE whatsapp_contacts SET pending_reward_id = NULL, pending_until = NULL WHERE id = ? AND shop = ? AND pending_reward_id = ?`, [Number(contact.id), shop, rewardId]);
        const key = `whatsapp:${row.message_id}`;
        const already = await sql.get<{ id: number }>(`SELECT id FROM redemptions WHERE shop = ? AND client_key = ?`, [shop, key]).catch(() => undefined);
        if (!took.changes && !already) {
          replies.push(textMessage(to, REPLIES.nothingPending(lang)));
          outcome = "no_offer";
          break;
        }
        const reward = (await listRewards(sql, shop)).find((x) => x.id === rewardId);
        try {
          const r = await redeem(sql, shop, contact.customer_gid, rewardId, key, await admin(), { now, sleep: opts.sleep });
          if (r.status === "issued" && r.code) {
            replies.push(textMessage(to, REPLIES.issued(lang, reward ? rewardTitle(reward.reward, lang) : "", r.code)));
            outcome = "issued";
          } else if (r.status === "held") {
            replies.push(textMessage(to, REPLIES.pendingCode(lang)));
            outcome = "pending_code";
          } else {
            replies.push(textMessage(to, REPLIES.notIssued(lang)));
            outcome = "not_issued";
          }
        } catch (e) {
          if (!(e instanceof RedeemError)) throw e;
          replies.push(textMessage(to, REPLIES.refused(lang)));
          outcome = "refused";
        }
        break;
      }
      case "no":
        await sql.run(`UPDATE whatsapp_contacts SET pending_reward_id = NULL, pending_until = NULL WHERE id = ? AND shop = ?`, [Number(contact.id), shop]);
        replies.push(textMessage(to, REPLIES.cancelled(lang)));
        outcome = "cancelled";
        break;
      default:
        replies.push(buttonsMessage(to, REPLIES.help(lang), REPLIES.buttons(lang)));
        outcome = "help";
    }
  }
  // mark handled before replying: a crash in between loses a reply rather than repeating a redeem's answer
  const marked = await sql.run(`UPDATE whatsapp_inbound SET handled_at = ?, outcome = ? WHERE id = ? AND shop = ? AND handled_at IS NULL`, [tsOf(sql, now), outcome, inboundId, shop]);
  if (!marked.changes || !account) return outcome;
  for (const reply of replies) {
    const res: SendResult = await sendMessage(account, reply, opts);
    if (!res.ok) console.error(`WhatsApp reply for ${shop} not sent: ${res.message}`);
  }
  return outcome;
}

/** Rewards that end in a code or credit the member can use: not points-for-money (needs an amount) nor donations. */
const byReply = (r: Reward) => r.type !== "points_for_money" && r.type !== "donation";
const rewardTitle = (r: Reward, lang: Lang) => r.texts[lang]?.title || r.texts.en.title;

async function setOffer(q: Queryable, shop: string, contactId: number, rewardId: number, now: number): Promise<void> {
  await q.run(`UPDATE whatsapp_contacts SET pending_reward_id = ?, pending_until = ? WHERE id = ? AND shop = ?`, [rewardId, tsOf(q, now + OFFER_TTL_MS), contactId, shop]);
}

/** Whether the member wrote within the last 24 h (free-form messages allowed). */
export function inSessionWindow(lastInboundAt: unknown, now = Date.now()): boolean {
  const t = toDate(lastInboundAt)?.getTime();
  return t !== undefined && now - t < SESSION_WINDOW_MS;
}
