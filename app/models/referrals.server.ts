// Referrals in storage. Every function takes the shop.
//
//   link visit     → recordClick (hashed IP and user agent, a visit token for the cart attribute)
//   friend's code  → claimFriendCode: once per friend (normalised email / customer); the row is
//                    written first as "creating" under unique keys, Shopify creates the code, and
//                    a code Shopify refused leaves no row
//   orders/paid    → noteReferredOrder enqueues attribution when the order carries a friend code or
//                    the stk_ref attribute; attributeOrder runs the checks (verdict) and, when
//                    approved, schedules the reward for the end of the return window
//   window passes  → rewardReferral posts the advocate's points (key referral:<order gid>)
//   refund/cancel  → orderUndone cancels a referral whose order was refunded or cancelled inside
//                    the window, in any delivery order
import { scheduleMemberSync } from "./member-sync.server";
import { createHmac, randomBytes } from "node:crypto";
import { applyNegativeBalancePolicy } from "~/domain/clawback";
import { customerGid as customerOf, orderGid as orderOf, type OrderPayload } from "~/domain/earning";
import { formatMinor, toMinorUnits } from "~/domain/money";
import { orderFacts } from "~/domain/order-facts";
import { periodKey } from "~/domain/periods";
import type { Program } from "~/domain/program";
import {
  cleanCode,
  friendDiscountInput,
  friendFromOrder,
  newReferralCode,
  normaliseEmail,
  referralMarkers,
  REASON_TEXTS,
  shareMessage,
  verdict,
  type ClaimErrorKey,
  type Reason,
  type ReferralSettings,
} from "~/domain/referrals";
import { newCode } from "~/domain/rewards";
import { enqueue } from "~/jobs/queue.server";
import { env } from "~/lib/env.server";
import { isUniqueViolation, toDate, type Queryable, type Sql } from "~/lib/sql.server";
import { keyset, pageSize, toPage, type Cursor, type Page } from "~/lib/paging.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { createRewardCode, findCode } from "~/services/shopify/discounts.server";
import { referralCustomer } from "~/services/shopify/referrals.server";
import { consume, release as releaseCounter } from "./counters.server";
import { programOf } from "./earning.server";
import { ensureMember, postEntryIn } from "./ledger.server";
import { ensureShop } from "./shops.server";
import { recordAppEvent } from "./app-events.server";
import { recordNotice } from "./messaging.server";

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** a repeated visit from the same browser within this time is the same click */
const CLICK_DEDUPE_MS = 60 * 60_000;
const FRIEND_SETTLE_AFTER_MS = 3 * 60_000;

export type ReferralStatus = "pending" | "held" | "rejected" | "rewarded" | "cancelled";

/** A request the referral rules refuse: an HTTP status, a key into CLAIM_ERRORS (or a plain
 *  reason for the merchant's review), and the field it concerns. */
export class ReferralError extends Error {
  constructor(
    readonly status: number,
    readonly reason: ClaimErrorKey | string,
    readonly field?: string,
  ) {
    super(reason);
  }
}

function ts(q: Queryable, d: Date | number = Date.now()): unknown {
  const ms = d instanceof Date ? d.getTime() : d;
  return q.dialect === "sqlite" ? ms : new Date(ms);
}
const forUpdate = (q: Queryable) => (q.dialect === "postgres" ? " FOR UPDATE" : "");
const ms = (v: unknown) => toDate(v)?.getTime() ?? 0;

/** An HMAC of a value, keyed with the app secret and the shop: comparable within one shop, useless
 *  anywhere else, and not reversible to the IP address, user agent or email it came from. */
export function referralHash(shop: string, kind: "ip" | "ua" | "email" | "device", value: string): string {
  return createHmac("sha256", env().SHOPIFY_API_SECRET).update(`${shop}\u0000${kind}\u0000${value}`).digest("hex").slice(0, 40);
}

const hashOrNull = (shop: string, kind: "ip" | "ua" | "email" | "device", value: string | null | undefined) => (value ? referralHash(shop, kind, value) : null);

/** The shop's referral settings when referrals are live (program on, referrals on), else null. */
export function liveSettings(program: Program): ReferralSettings | null {
  return program.enabled && program.referrals.enabled ? program.referrals : null;
}

async function settingsOf(q: Queryable, shop: string) {
  const row = await ensureShop(q, shop);
  return { shop: row, program: programOf(row) };
}

// ---------------------------------------------------------------------------------------------
// Codes

/** The member's code, created on first use; stable afterwards. */
export async function ensureReferralCode(sql: Sql, shop: string, memberId: number): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await sql.get<{ code: string }>(`SELECT code FROM referral_codes WHERE shop = ? AND member_id = ?`, [shop, memberId]);
    if (existing) return existing.code;
    try {
      await sql.tx(async (q) => {
        const made = await q.run(`INSERT INTO referral_codes (shop, member_id, code, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (shop, member_id) DO NOTHING`, [
          shop,
          memberId,
          newReferralCode((n) => randomBytes(n)),
          sql.ts(),
        ]);
        if (made.changes) {
          // the customer's metafield carries the code for the theme's referral block
          await q.run(`UPDATE members SET metafields_dirty = ? WHERE shop = ? AND id = ?`, [true, shop, memberId]);
          await scheduleMemberSync(q, shop);
        }
      });
    } catch (error) {
      // another member has this code already (one in ~10^13): draw again
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error("could not draw a unique referral code");
}

export interface AdvocateRow {
  member_id: number;
  code: string;
  customer_gid: string;
  email: string | null;
}

export async function findAdvocate(q: Queryable, shop: string, code: string): Promise<AdvocateRow | undefined> {
  return q.get<AdvocateRow>(
    `SELECT c.member_id, c.code, m.customer_gid, m.email FROM referral_codes c JOIN members m ON m.id = c.member_id AND m.shop = c.shop
      WHERE c.shop = ? AND c.code = ? AND m.redacted_at IS NULL`,
    [shop, code],
  );
}

/** The absolute link a member shares: the shop's primary domain when known, else its myshopify domain. */
export async function referralUrl(q: Queryable, shop: string, code: string): Promise<string> {
  const row = await q.get<{ primary_domain: string | null }>(`SELECT primary_domain FROM shops WHERE domain = ?`, [shop]);
  return `https://${row?.primary_domain || shop}/apps/loyalty/r/${code}`;
}

// ---------------------------------------------------------------------------------------------
// Clicks

export interface Visitor {
  ip: string | null;
  userAgent: string | null;
  /** the signed logged-in customer, if any: an advocate opening their own link is not a click */
  customerGid?: string | null;
}

/** Records a visit to a referral link; the same browser again within an hour is the same visit.
 *  Returns the visit token, or null when the code is unknown or referrals are off. */
export async function recordClick(sql: Sql, shop: string, rawCode: string, visitor: Visitor, now = Date.now()) {
  const code = cleanCode(rawCode);
  if (!code) return null;
  return sql.tx(async (q) => {
    const { program, shop: settings } = await settingsOf(q, shop);
    const live = liveSettings(program);
    if (!live) return null;
    const advocate = await findAdvocate(q, shop, code);
    if (!advocate) return null;
    if (visitor.customerGid && visitor.customerGid === advocate.customer_gid) {
      return { code, visit: randomBytes(12).toString("base64url"), settings: live, currency: settings.currency_code, advocateCustomerGid: advocate.customer_gid, newClick: false };
    }
    const ipHash = hashOrNull(shop, "ip", visitor.ip);
    const uaHash = hashOrNull(shop, "ua", visitor.userAgent);
    const recent =
      ipHash && uaHash
        ? await q.get<{ visit: string }>(`SELECT visit FROM referral_clicks WHERE shop = ? AND code = ? AND ip_hash = ? AND ua_hash = ? AND created_at > ? ORDER BY id DESC LIMIT 1`, [
            shop,
            code,
            ipHash,
            uaHash,
            ts(q, now - CLICK_DEDUPE_MS),
          ])
        : undefined;
    const visit = recent?.visit ?? randomBytes(12).toString("base64url");
    if (!recent) {
      await q.run(`INSERT INTO referral_clicks (shop, code, visit, ip_hash, ua_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`, [shop, code, visit, ipHash, uaHash, ts(q, now)]);
    }
    return { code, visit, settings: live, currency: settings.currency_code, advocateCustomerGid: advocate.customer_gid, newClick: !recent };
  });
}

// ---------------------------------------------------------------------------------------------
// The friend's code

export interface ClaimInput {
  code: string;
  /** the signed logged-in customer, or null for a guest */
  customerGid: string | null;
  email: string | null;
  visit: string | null;
  device: string | null;
  ip: string | null;
}

export type ClaimResult = { status: "issued"; code: string; created: boolean } | { status: "creating" };

interface FriendRow {
  id: number;
  status: "creating" | "issued";
  discount_code: string;
  discount_gid: string | null;
}

const sleepFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates the friend's discount code once per friend and shop — per normalised email, and per
 * customer when logged in — even when the same friend asks twice at once: the row is claimed first
 * under unique keys, then Shopify creates the code. A refusal removes the row, so nothing claims a
 * code Shopify doesn't have; an unknown outcome is looked up now, or by a settle job later.
 */
export async function claimFriendCode(sql: Sql, shop: string, input: ClaimInput, admin: AdminGraphql, opts: { now?: number; waitMs?: number; attempts?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<ClaimResult> {
  const now = opts.now ?? Date.now();
  const sleep = opts.sleep ?? sleepFor;
  const code = cleanCode(input.code);
  const { program, shop: shopRow } = await settingsOf(sql, shop);
  const s = liveSettings(program);
  if (!s) throw new ReferralError(404, "unavailable");
  const advocate = code ? await findAdvocate(sql, shop, code) : undefined;
  if (!advocate) throw new ReferralError(404, "unavailable", "code");

  // who the friend is: the signed customer (email from Shopify), or the email a guest typed
  let email = input.email?.trim() || null;
  let priorOrders = 0;
  // the advocate's current email from Shopify; if Shopify doesn't answer, the one we know (the
  // verdict on the order checks again)
  const advocateEmail = await referralCustomer(admin, advocate.customer_gid).then((c) => c?.email ?? advocate.email, () => advocate.email);
  if (input.customerGid) {
    if (input.customerGid === advocate.customer_gid) throw new ReferralError(422, "own_link", "code");
    const customer = await referralCustomer(admin, input.customerGid).catch(() => {
      throw new ReferralError(503, "shopify_failed");
    });
    email = customer?.email ?? email;
    priorOrders = customer?.numberOfOrders ?? 0;
  }
  const normal = normaliseEmail(email);
  if (!normal) throw new ReferralError(422, "email_required", "email");
  if (normal === normaliseEmail(advocateEmail)) throw new ReferralError(422, "own_link", "email");
  if (s.friendMustBeNew && priorOrders > 0) throw new ReferralError(422, "existing_customer", "email");
  const domain = normal.slice(normal.indexOf("@") + 1);
  const rawDomain = (email ?? "").toLowerCase().slice((email ?? "").lastIndexOf("@") + 1);
  if (s.blocklist.emails.some((b) => normaliseEmail(b) === normal) || s.blocklist.domains.some((d) => [domain, rawDomain].some((x) => x === d || x.endsWith(`.${d}`)))) {
    throw new ReferralError(422, "blocked", "email");
  }

  const emailHash = referralHash(shop, "email", normal);
  const ipHash = hashOrNull(shop, "ip", input.ip);
  const claimed = await sql.tx(async (q) => {
    const existing = await q.get<FriendRow>(
      `SELECT id, status, discount_code, discount_gid FROM referral_friends WHERE shop = ? AND (email_hash = ? OR customer_gid = ?) ORDER BY id LIMIT 1`,
      [shop, emailHash, input.customerGid],
    );
    if (existing) return { kind: "existing" as const };
    if (ipHash) {
      const row = await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM referral_friends WHERE shop = ? AND ip_hash = ? AND created_at > ?`, [shop, ipHash, ts(q, now - WEEK)]);
      if (Number(row?.n ?? 0) >= s.velocity.maxClaimsPerIpPerWeek) throw new ReferralError(429, "too_many");
    }
    const discountCode = newCode("FRIEND-", (n) => randomBytes(n));
    const inserted = await q.get<{ id: number }>(
      `INSERT INTO referral_friends (shop, advocate_member_id, referral_code, email_hash, customer_gid, discount_code, status, visit, ip_hash, device_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'creating', ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING id`,
      [shop, advocate.member_id, advocate.code, emailHash, input.customerGid, discountCode, input.visit, ipHash, hashOrNull(shop, "device", input.device), ts(q, now), ts(q, now)],
    );
    if (!inserted) return { kind: "raced" as const };
    const id = Number(inserted.id);
    await enqueue(q, { shop, kind: "referral:friend-settle", payload: { friendId: id }, dedupeKey: `friend-settle:${id}`, runAt: new Date(now + FRIEND_SETTLE_AFTER_MS) });
    return { kind: "claimed" as const, id, discountCode };
  });

  if (claimed.kind !== "claimed") {
    // the same friend asked before (or just now, in another request): wait a little for that code
    const deadline = Date.now() + (opts.waitMs ?? 5000);
    for (;;) {
      const row = await sql.get<FriendRow>(`SELECT id, status, discount_code, discount_gid FROM referral_friends WHERE shop = ? AND (email_hash = ? OR customer_gid = ?) ORDER BY id LIMIT 1`, [
        shop,
        emailHash,
        input.customerGid,
      ]);
      if (row?.status === "issued") return { status: "issued", code: row.discount_code, created: false };
      if (!row) throw new ReferralError(502, "shopify_failed");
      if (Date.now() >= deadline) return { status: "creating" };
      await sleep(100);
    }
  }

  const currency = shopRow.currency_code;
  const discount = friendDiscountInput(s, {
    code: claimed.discountCode,
    currency,
    now: new Date(now),
    title: `Referral: friend of ${advocate.code} (${claimed.discountCode})`,
    decimal: (minor) => formatMinor(minor, currency),
  });
  let outcome: { kind: "created"; id: string } | { kind: "rejected"; message: string } | { kind: "unknown" } = { kind: "unknown" };
  for (let attempt = 1; attempt <= (opts.attempts ?? 3); attempt++) {
    try {
      const r = await createRewardCode(admin, "basic", discount as unknown as Record<string, unknown>);
      if (r.ok) outcome = { kind: "created", id: r.id };
      else if (!r.userErrors.some((e) => e.code === "TAKEN")) outcome = { kind: "rejected", message: r.userErrors.map((e) => e.message).join("; ") };
      break;
    } catch {
      if (attempt < (opts.attempts ?? 3)) await sleep(200 * 4 ** (attempt - 1));
    }
  }
  if (outcome.kind === "unknown") {
    try {
      const found = await findCode(admin, claimed.discountCode);
      outcome = found ? { kind: "created", id: found } : { kind: "rejected", message: "Shopify has no such code" };
    } catch {
      return { status: "creating" }; // the settle job decides
    }
  }
  if (outcome.kind === "rejected") {
    await sql.run(`DELETE FROM referral_friends WHERE shop = ? AND id = ? AND status = 'creating'`, [shop, claimed.id]);
    console.error(`Shopify refused a friend's code for ${shop}: ${outcome.message}`);
    throw new ReferralError(502, "shopify_failed");
  }
  await sql.tx(async (q) => {
    const r = await q.run(`UPDATE referral_friends SET status = 'issued', discount_gid = ?, updated_at = ? WHERE shop = ? AND id = ? AND status = 'creating'`, [outcome.id, ts(q), shop, claimed.id]);
    if (r.changes) await friendRewardReady(q, shop, claimed.id, now);
  });
  return { status: "issued", code: claimed.discountCode, created: true };
}

/**
 * The friend's code is ready: a friend_reward_ready notice when the friend is a member (signed in
 * when claiming, enrolled by Shopify's customers/create), in the same transaction as the code's
 * state. A guest gets none — only an HMAC of their address is kept (decision 0008) and they saw the
 * code on the page — and the row records why (decision 0019).
 */
async function friendRewardReady(q: Queryable, shop: string, friendId: number, now: number): Promise<void> {
  const f = await q.get<{ customer_gid: string | null; discount_code: string }>(`SELECT customer_gid, discount_code FROM referral_friends WHERE shop = ? AND id = ?`, [shop, friendId]);
  if (!f) return;
  const member = f.customer_gid ? await q.get<{ id: number }>(`SELECT id FROM members WHERE shop = ? AND customer_gid = ? AND redacted_at IS NULL`, [shop, f.customer_gid]) : undefined;
  let notice: string;
  if (!f.customer_gid) notice = "guest";
  else if (!member) notice = "not_member";
  else {
    const shopRow = await ensureShop(q, shop);
    const r = programOf(shopRow).referrals.friendReward;
    const value = (lang: "en" | "de") =>
      r.type === "percentage" ? (lang === "de" ? `${r.value} % Rabatt` : `${r.value}% off`) : lang === "de" ? `${formatMinor(r.value, shopRow.currency_code)} Rabatt` : `${formatMinor(r.value, shopRow.currency_code)} off`;
    const recorded = await recordNotice(q, shop, Number(member.id), "friend_reward_ready", { code: f.discount_code, reward: { en: value("en"), de: value("de") } }, now, `friend-code:${friendId}`);
    notice = recorded ? "recorded" : "channels_off";
  }
  await q.run(`UPDATE referral_friends SET notice = ? WHERE shop = ? AND id = ?`, [notice, shop, friendId]);
}

/** The settle job: a friend's code still "creating" minutes later is looked up in Shopify. */
export async function settleFriendCode(sql: Sql, shop: string, friendId: number, admin: AdminGraphql): Promise<"issued" | "removed" | "settled"> {
  const row = await sql.get<FriendRow>(`SELECT id, status, discount_code, discount_gid FROM referral_friends WHERE shop = ? AND id = ?`, [shop, friendId]);
  if (!row || row.status !== "creating") return "settled";
  const found = await findCode(admin, row.discount_code);
  if (found) {
    await sql.tx(async (q) => {
      const r = await q.run(`UPDATE referral_friends SET status = 'issued', discount_gid = ?, updated_at = ? WHERE shop = ? AND id = ? AND status = 'creating'`, [found, ts(q), shop, friendId]);
      if (r.changes) await friendRewardReady(q, shop, friendId, Date.now());
    });
    return "issued";
  }
  await sql.run(`DELETE FROM referral_friends WHERE shop = ? AND id = ? AND status = 'creating'`, [shop, friendId]);
  return "removed";
}

// ---------------------------------------------------------------------------------------------
// Attribution

interface FriendLookup {
  id: number;
  advocate_member_id: number;
  referral_code: string;
  discount_code: string;
  ip_hash: string | null;
  device_hash: string | null;
}

/** Which advocate an order belongs to: a friend's code it used, else its stk_ref attribute. */
async function attributionOf(q: Queryable, shop: string, order: unknown) {
  const { codes, ref } = referralMarkers(order);
  if (codes.length) {
    const friend = await q.get<FriendLookup>(
      `SELECT id, advocate_member_id, referral_code, discount_code, ip_hash, device_hash FROM referral_friends WHERE shop = ? AND status = 'issued' AND discount_code IN (${codes.map(() => "?").join(",")}) ORDER BY id LIMIT 1`,
      [shop, ...codes],
    );
    if (friend) return { source: "code" as const, friend, code: friend.referral_code, memberId: Number(friend.advocate_member_id), ipHash: friend.ip_hash, deviceHash: friend.device_hash };
  }
  if (ref) {
    const c = await q.get<{ member_id: number }>(`SELECT member_id FROM referral_codes WHERE shop = ? AND code = ?`, [shop, ref.code]);
    if (c) {
      const click = ref.visit ? await q.get<{ ip_hash: string | null }>(`SELECT ip_hash FROM referral_clicks WHERE shop = ? AND code = ? AND visit = ?`, [shop, ref.code, ref.visit]) : undefined;
      return { source: "attribute" as const, friend: null, code: ref.code, memberId: Number(c.member_id), ipHash: click?.ip_hash ?? null, deviceHash: hashOrNull(shop, "device", ref.device) };
    }
  }
  return null;
}

/** orders/paid: when the order carries a friend's code or the stk_ref attribute of a known code,
 *  attribution (which asks Shopify about both customers) is queued as its own job. */
export async function noteReferredOrder(sql: Sql, shop: string, order: OrderPayload): Promise<boolean> {
  const { codes, ref } = referralMarkers(order);
  if (!codes.length && !ref) return false;
  const found = await attributionOf(sql, shop, order);
  if (!found) return false;
  const gid = orderOf(order);
  await enqueue(sql, { shop, kind: "referral:attribute", payload: order, dedupeKey: `referral:attribute:${gid}` });
  return true;
}

export type AttributionOutcome =
  | { status: "skipped"; reason: string }
  | { status: "duplicate"; referralId: number }
  | { status: ReferralStatus; referralId: number; verdict: "approve" | "hold" | "reject"; reasons: Reason[] };

/** Order events take this row's lock first (as earning does), so a refund and the attribution it
 *  cancels can't pass each other unseen. */
async function lockOrder(q: Queryable, shop: string, orderGid: string, customer: string | null) {
  await q.run(`INSERT INTO order_states (shop, order_gid, customer_gid, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (shop, order_gid) DO NOTHING`, [shop, orderGid, customer, ts(q)]);
  return q.get<{ cancelled_at: unknown }>(`SELECT cancelled_at FROM order_states WHERE shop = ? AND order_gid = ?${forUpdate(q)}`, [shop, orderGid]);
}

/** Referred orders of this advocate counted against the limit in the period of `at` (pending, held or rewarded). */
async function advocateCount(q: Queryable, shop: string, memberId: number, s: ReferralSettings, at: Date, timeZone: string, excludeOrder: string): Promise<number> {
  if (!s.advocateLimit) return 0;
  const key = periodKey(s.advocateLimit.period, at, timeZone);
  const rows = await q.all<{ ordered_at: unknown }>(
    `SELECT ordered_at FROM referrals WHERE shop = ? AND advocate_member_id = ? AND status IN ('pending', 'held', 'rewarded') AND order_gid <> ? AND ordered_at > ?`,
    [shop, memberId, excludeOrder, ts(q, at.getTime() - 367 * DAY)],
  );
  return rows.filter((r) => periodKey(s.advocateLimit!.period, toDate(r.ordered_at)!, timeZone) === key).length;
}

/**
 * The referral:attribute job: runs the checks for a referred order and records the referral with
 * its verdict and reasons. Approved referrals are rewarded when the return window has passed; held
 * ones wait for the merchant. An order refunded or cancelled before this runs is recorded cancelled.
 */
export async function attributeOrder(sql: Sql, shop: string, order: OrderPayload, admin: AdminGraphql, now = Date.now()): Promise<AttributionOutcome> {
  const gid = orderOf(order);
  const friendGid = customerOf(order);
  const pre = await sql.get<{ id: number }>(`SELECT id FROM referrals WHERE shop = ? AND order_gid = ?`, [shop, gid]);
  if (pre) return { status: "duplicate", referralId: Number(pre.id) };
  const { program, shop: shopRow } = await settingsOf(sql, shop);
  const s = liveSettings(program);
  if (!s) return { status: "skipped", reason: "referrals off" };
  const found = await attributionOf(sql, shop, order);
  if (!found) return { status: "skipped", reason: "no referral" };
  const advocateMember = await sql.get<{ customer_gid: string; email: string | null; first_name: string | null; last_name: string | null; redacted_at: unknown; excluded_at: unknown; blocked_at: unknown }>(
    `SELECT customer_gid, email, first_name, last_name, redacted_at, excluded_at, blocked_at FROM members WHERE shop = ? AND id = ?`,
    [shop, found.memberId],
  );
  if (!advocateMember || advocateMember.redacted_at) return { status: "skipped", reason: "advocate gone" };
  // Shopify's view of both people, asked before the transaction (no network inside it)
  const advocate = await referralCustomer(admin, advocateMember.customer_gid);
  const friendCustomer = friendGid ? await referralCustomer(admin, friendGid) : null;

  const facts = orderFacts(order, { currency: shopRow.currency_code });
  const at = facts.processedAt ?? new Date(now);
  const friend = friendFromOrder(order, friendGid);
  const friendEmailHash = hashOrNull(shop, "email", normaliseEmail(friend.email));
  const discountMinor = (() => {
    const used = ((order as { discount_codes?: Array<{ code?: string; amount?: string }> }).discount_codes ?? []).find((d) => d.code?.toUpperCase() === found.friend?.discount_code);
    return used?.amount ? toMinorUnits(used.amount, shopRow.currency_code) : 0;
  })();

  return sql.tx(async (q) => {
    const state = await lockOrder(q, shop, gid, friendGid);
    const again = await q.get<{ id: number }>(`SELECT id FROM referrals WHERE shop = ? AND order_gid = ?`, [shop, gid]);
    if (again) return { status: "duplicate", referralId: Number(again.id) } as const;
    const since = ts(q, at.getTime() - WEEK);
    const count = async (column: "ip_hash" | "device_hash", value: string | null) =>
      value ? Number((await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM referrals WHERE shop = ? AND ${column} = ? AND ordered_at > ? AND order_gid <> ?`, [shop, value, since, gid]))?.n ?? 0) : 0;
    const already = friendGid || friendEmailHash
      ? await q.get<{ id: number }>(
          `SELECT id FROM referrals WHERE shop = ? AND order_gid <> ? AND status NOT IN ('rejected', 'cancelled') AND (friend_customer_gid = ? OR friend_email_hash = ?) LIMIT 1`,
          [shop, gid, friendGid, friendEmailHash],
        )
      : undefined;
    const decided = verdict(
      {
        advocate: {
          customerGid: advocateMember.customer_gid,
          email: advocate?.email ?? advocateMember.email,
          phone: advocate?.phone ?? null,
          firstName: advocate?.firstName ?? advocateMember.first_name,
          lastName: advocate?.lastName ?? advocateMember.last_name,
          addresses: advocate?.addresses ?? [],
        },
        friend,
        subtotalMinor: facts.subtotalMinor,
        friendPriorOrders: friendCustomer ? Math.max(0, friendCustomer.numberOfOrders - 1) : null,
        friendAlreadyReferred: Boolean(already),
        sameIpThisWeek: await count("ip_hash", found.ipHash),
        sameDeviceThisWeek: await count("device_hash", found.deviceHash),
        advocateReferralsThisPeriod: await advocateCount(q, shop, found.memberId, s, at, shopRow.iana_timezone, gid),
        advocateExcluded: Boolean(advocateMember.excluded_at),
        advocateBlocked: Boolean(advocateMember.blocked_at),
      },
      s,
    );
    let status: ReferralStatus = decided.verdict === "approve" ? "pending" : decided.verdict === "hold" ? "held" : "rejected";
    let cancelReason: string | null = null;
    const windowEndsAt = at.getTime() + s.returnWindowDays * DAY;
    // a refund or cancellation that came first (Shopify doesn't promise order) already counts
    const refunded = await q.get<{ id: number }>(`SELECT id FROM order_refunds WHERE shop = ? AND order_gid = ? AND created_at <= ? LIMIT 1`, [shop, gid, ts(q, windowEndsAt)]);
    const cancelled = state?.cancelled_at && ms(state.cancelled_at) <= windowEndsAt;
    if (status !== "rejected" && (cancelled || refunded)) {
      status = "cancelled";
      cancelReason = cancelled ? "order cancelled" : "order refunded";
    }
    const row = await q.get<{ id: number }>(
      `INSERT INTO referrals (shop, advocate_member_id, referral_code, friend_id, order_gid, friend_customer_gid, friend_email_hash, source, subtotal_minor, discount_minor, currency,
                              verdict, status, reasons, ip_hash, device_hash, ordered_at, window_ends_at, decided_by, decided_at, cancel_reason, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'rules', ?, ?, ?, ?) RETURNING id`,
      [
        shop, found.memberId, found.code, found.friend?.id ?? null, gid, friendGid, friendEmailHash, found.source, facts.subtotalMinor, discountMinor, shopRow.currency_code,
        decided.verdict, status, JSON.stringify(decided.reasons), found.ipHash, found.deviceHash, ts(q, at), ts(q, windowEndsAt), ts(q, now), cancelReason, ts(q, now), ts(q, now),
      ],
    );
    const referralId = Number(row!.id);
    if (status === "pending") await scheduleReward(q, shop, referralId, Math.max(now, windowEndsAt));
    return { status, referralId, verdict: decided.verdict, reasons: decided.reasons } as const;
  });
}

async function scheduleReward(q: Queryable, shop: string, referralId: number, runAt: number) {
  await enqueue(q, { shop, kind: "referral:reward", payload: { referralId }, dedupeKey: `referral:reward:${referralId}@${runAt}`, runAt: new Date(runAt) });
}

interface ReferralRow {
  id: number;
  advocate_member_id: number;
  order_gid: string;
  status: ReferralStatus;
  reasons: string;
  ordered_at: unknown;
  window_ends_at: unknown;
  reward_entry_id: number | null;
  reward_points: number | null;
  decided_by: string | null;
  decided_at: unknown;
}

const REF_COUNTER = (memberId: number) => `referral:advocate:${memberId}`;

/**
 * The referral:reward job, due when the return window ends: the advocate earns the program's points
 * (key referral:<order gid>), within the advocate limit counted in the same transaction — unless the
 * friend's order was refunded or cancelled meanwhile. While the program is switched off the reward
 * waits a day and is tried again. The job is enqueued to run at the window's end.
 */
export async function rewardReferral(sql: Sql, shop: string, referralId: number, now = Date.now()): Promise<ReferralStatus | "waiting"> {
  return sql.tx(async (q) => {
    const { program, shop: shopRow } = await settingsOf(q, shop);
    const probe = await q.get<{ order_gid: string }>(`SELECT order_gid FROM referrals WHERE shop = ? AND id = ?`, [shop, referralId]);
    if (!probe) return "cancelled";
    const state = await lockOrder(q, shop, probe.order_gid, null);
    const r = await q.get<ReferralRow>(`SELECT * FROM referrals WHERE shop = ? AND id = ?${forUpdate(q)}`, [shop, referralId]);
    if (!r || r.status !== "pending") return r?.status ?? "cancelled";
    // the job is due at the window's end (run_at), so it runs no earlier than that
    const windowEnds = ms(r.window_ends_at);
    // a refund or cancellation recorded inside the window (one that came later does not count)
    const refunded = await q.get<{ id: number }>(`SELECT id FROM order_refunds WHERE shop = ? AND order_gid = ? AND created_at <= ? LIMIT 1`, [shop, r.order_gid, ts(q, windowEnds)]);
    const cancelled = state?.cancelled_at && ms(state.cancelled_at) <= windowEnds;
    if (cancelled || refunded) {
      await q.run(`UPDATE referrals SET status = 'cancelled', cancel_reason = ?, updated_at = ? WHERE id = ?`, [cancelled ? "order cancelled" : "order refunded", ts(q, now), r.id]);
      return "cancelled";
    }
    const s = liveSettings(program);
    if (!s) {
      await scheduleReward(q, shop, referralId, now + DAY);
      return "waiting";
    }
    const memberId = Number(r.advocate_member_id);
    // The advocate's standing now (the merchant may have acted during the window): excluded earns
    // nothing (rejected); blocked waits for the merchant's review (held) — unless the merchant
    // approved this referral after blocking them. The reason is recorded like the checks' reasons.
    const standing = await q.get<{ excluded_at: unknown; blocked_at: unknown }>(`SELECT excluded_at, blocked_at FROM members WHERE shop = ? AND id = ?`, [shop, memberId]);
    const staffApprovedSince = r.decided_by !== null && r.decided_by !== "rules" && standing?.blocked_at && ms(r.decided_at) >= ms(standing.blocked_at);
    const refusal = standing?.excluded_at ? ("advocate_excluded" as const) : standing?.blocked_at && !staffApprovedSince ? ("advocate_blocked" as const) : null;
    if (refusal) {
      const outcome = refusal === "advocate_excluded" ? ("reject" as const) : ("hold" as const);
      const before = JSON.parse(r.reasons) as Reason[];
      const reasons = before.some((x) => x.code === refusal) ? before : [...before, { code: refusal, outcome, ...REASON_TEXTS[refusal] }];
      const status: ReferralStatus = outcome === "reject" ? "rejected" : "held";
      await q.run(`UPDATE referrals SET status = ?, verdict = ?, reasons = ?, updated_at = ? WHERE id = ?`, [status, outcome, JSON.stringify(reasons), ts(q, now), r.id]);
      return status;
    }
    if (s.advocateLimit) {
      const period = periodKey(s.advocateLimit.period, toDate(r.ordered_at)!, shopRow.iana_timezone);
      const granted = await consume(q, shop, REF_COUNTER(memberId), period, 1, s.advocateLimit.count);
      if (granted < 1) {
        const reasons = [...(JSON.parse(r.reasons) as Reason[]), { code: "advocate_limit" as const, outcome: "reject" as const, ...REASON_TEXTS.advocate_limit }];
        await q.run(`UPDATE referrals SET status = 'rejected', verdict = 'reject', reasons = ?, updated_at = ? WHERE id = ?`, [JSON.stringify(reasons), ts(q, now), r.id]);
        return "rejected";
      }
    }
    const points = s.advocateReward.points;
    const posted = await postEntryIn(q, shop, {
      memberId,
      bucket: "available",
      points,
      kind: "earn",
      reason: "referral",
      sourceType: "referral",
      sourceId: r.order_gid,
      idempotencyKey: `referral:${r.order_gid}`,
      note: `friend's order ${r.order_gid} kept past the return window`,
    });
    await q.run(`UPDATE referrals SET status = 'rewarded', reward_points = ?, reward_entry_id = ?, updated_at = ? WHERE id = ?`, [points, posted.entryId, ts(q, now), r.id]);
    await recordNotice(q, shop, memberId, "referral_completed", { points, order: r.order_gid }, now, `referral:${r.order_gid}`, program.messaging);
    await recordAppEvent(q, shop, "referral_completed", memberId, { points, order: r.order_gid }, `referral:${r.order_gid}`, now);
    return "rewarded";
  });
}

/**
 * refunds/create and orders/cancelled: a refund (any refund, whole or partial) or a cancellation of
 * the friend's order inside the return window cancels the referral; if a late webhook finds the
 * advocate already rewarded, the reward is reversed. After the window the reward stands. Before
 * attribution, nothing is to do here: attribution finds the refund or cancellation itself.
 */
export async function orderUndone(sql: Sql, shop: string, orderGid: string, what: "refund" | "cancel", at: Date | null, now = Date.now()) {
  return sql.tx(async (q) => {
    await lockOrder(q, shop, orderGid, null);
    const r = await q.get<ReferralRow>(`SELECT * FROM referrals WHERE shop = ? AND order_gid = ?${forUpdate(q)}`, [shop, orderGid]);
    if (!r) return { status: "none" as const };
    const when = (at ?? new Date(now)).getTime();
    if (when > ms(r.window_ends_at)) return { status: "after window" as const };
    const reason = what === "refund" ? "order refunded" : "order cancelled";
    if (r.status === "pending" || r.status === "held") {
      await q.run(`UPDATE referrals SET status = 'cancelled', cancel_reason = ?, updated_at = ? WHERE id = ?`, [reason, ts(q, now), r.id]);
      await q.run(`DELETE FROM jobs WHERE shop = ? AND kind = 'referral:reward' AND status = 'queued' AND dedupe_key LIKE ?`, [shop, `referral:reward:${r.id}@%`]);
      return { status: "cancelled" as const };
    }
    if (r.status === "rewarded" && r.reward_entry_id && r.reward_points) {
      const { program, shop: shopRow } = await settingsOf(q, shop);
      const member = await q.get<{ points_available: number }>(`SELECT points_available FROM members WHERE shop = ? AND id = ?${forUpdate(q)}`, [shop, r.advocate_member_id]);
      const { debit, shortfall } = applyNegativeBalancePolicy(Number(member?.points_available ?? 0), Number(r.reward_points), program.negativeBalance);
      if (debit > 0) {
        await postEntryIn(q, shop, {
          memberId: Number(r.advocate_member_id),
          bucket: "available",
          points: -debit,
          kind: "reverse",
          reason: "referral cancelled",
          sourceType: "referral",
          sourceId: orderGid,
          idempotencyKey: `referral:reverse:${orderGid}`,
          reversesId: Number(r.reward_entry_id),
          allowNegative: program.negativeBalance === "allow",
          note: shortfall > 0 ? `${reason} inside the return window; ${shortfall} pts not taken: balance floored at zero` : `${reason} inside the return window`,
        });
      }
      const s = program.referrals;
      if (s.advocateLimit) await releaseCounter(q, shop, REF_COUNTER(Number(r.advocate_member_id)), periodKey(s.advocateLimit.period, toDate(r.ordered_at)!, shopRow.iana_timezone), 1);
      await q.run(`UPDATE referrals SET status = 'cancelled', cancel_reason = ?, updated_at = ? WHERE id = ?`, [reason, ts(q, now), r.id]);
      return { status: "reversed" as const, points: debit };
    }
    return { status: r.status };
  });
}

// ---------------------------------------------------------------------------------------------
// The merchant's review

/** Approves or rejects a held referral, recording who decided. An approved one is rewarded when the
 *  window ends (at once if it has ended). */
export async function decideReferral(sql: Sql, shop: string, referralId: number, decision: "approve" | "reject", staff: string, now = Date.now()): Promise<ReferralStatus> {
  return sql.tx(async (q) => {
    const r = await q.get<ReferralRow>(`SELECT * FROM referrals WHERE shop = ? AND id = ?${forUpdate(q)}`, [shop, referralId]);
    if (!r) throw new ReferralError(404, "unknown referral");
    if (r.status !== "held") throw new ReferralError(409, `a ${r.status} referral can't be ${decision === "approve" ? "approved" : "rejected"}`);
    const status: ReferralStatus = decision === "approve" ? "pending" : "rejected";
    await q.run(`UPDATE referrals SET status = ?, decided_by = ?, decided_at = ?, updated_at = ? WHERE id = ?`, [status, staff.slice(0, 200), ts(q, now), ts(q, now), r.id]);
    if (status === "pending") await scheduleReward(q, shop, r.id, Math.max(now, ms(r.window_ends_at)));
    return status;
  });
}

export interface ReferralListItem {
  id: number;
  status: ReferralStatus;
  verdict: string;
  reasons: Reason[];
  code: string;
  advocate: { memberId: number; email: string | null; name: string | null };
  orderGid: string;
  source: string;
  subtotalMinor: number;
  currency: string;
  orderedAt: string | null;
  windowEndsAt: string | null;
  rewardPoints: number | null;
  decidedBy: string | null;
  cancelReason: string | null;
}

/** The shop's referrals (of one status, or all), newest first, a keyset page (lib/paging). */
export async function listReferrals(q: Queryable, shop: string, opts: { status?: ReferralStatus; cursor?: Cursor; limit?: number } = {}): Promise<Page<ReferralListItem>> {
  const limit = pageSize(opts.limit, 50);
  const k = keyset(opts.cursor ?? null, "r.id");
  const rows = await q.all<Record<string, unknown>>(
    `SELECT r.*, m.email AS advocate_email, m.first_name, m.last_name FROM referrals r LEFT JOIN members m ON m.id = r.advocate_member_id AND m.shop = r.shop
      WHERE r.shop = ?${opts.status ? " AND r.status = ?" : ""}${k.where} ORDER BY r.id ${k.order} LIMIT ?`,
    [shop, ...(opts.status ? [opts.status] : []), ...k.params, limit + 1],
  );
  return toPage(rows.map(referralItem), limit, opts.cursor ?? null, (r) => r.id);
}

function referralItem(r: Record<string, unknown>): ReferralListItem {
  return {
    id: Number(r.id),
    status: r.status as ReferralStatus,
    verdict: String(r.verdict),
    reasons: JSON.parse(String(r.reasons)) as Reason[],
    code: String(r.referral_code),
    advocate: { memberId: Number(r.advocate_member_id), email: (r.advocate_email as string | null) ?? null, name: [r.first_name, r.last_name].filter(Boolean).join(" ") || null },
    orderGid: String(r.order_gid),
    source: String(r.source),
    subtotalMinor: Number(r.subtotal_minor),
    currency: String(r.currency),
    orderedAt: toDate(r.ordered_at)?.toISOString() ?? null,
    windowEndsAt: toDate(r.window_ends_at)?.toISOString() ?? null,
    rewardPoints: r.reward_points === null ? null : Number(r.reward_points),
    decidedBy: (r.decided_by as string | null) ?? null,
    cancelReason: (r.cancel_reason as string | null) ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Numbers

export interface AdvocateNumbers {
  memberId: number;
  code: string;
  email: string | null;
  clicks: number;
  signups: number;
  orders: number;
  revenueMinor: number;
  rewardedPoints: number;
  friendDiscountMinor: number;
}

export interface ReferralFunnel {
  clicks: number;
  /** friend codes issued */
  signups: number;
  /** referred orders (every verdict) */
  orders: number;
  /** subtotal of referred orders that were not rejected or cancelled */
  revenueMinor: number;
  rewardedPoints: number;
  friendDiscountMinor: number;
  byStatus: Record<ReferralStatus, number>;
  advocates: AdvocateNumbers[];
}

/** Clicks, sign-ups (friend codes), orders, revenue and reward cost, in total and per advocate. */
export async function referralFunnel(q: Queryable, shop: string, limit = 50): Promise<ReferralFunnel> {
  const num = (v: unknown) => Number(v ?? 0);
  const clicks = await q.all<{ code: string; n: number }>(`SELECT code, COUNT(*) AS n FROM referral_clicks WHERE shop = ? GROUP BY code`, [shop]);
  const signups = await q.all<{ member_id: number; n: number }>(`SELECT advocate_member_id AS member_id, COUNT(*) AS n FROM referral_friends WHERE shop = ? AND status = 'issued' GROUP BY advocate_member_id`, [shop]);
  const orders = await q.all<{ member_id: number; status: string; n: number; revenue: number; points: number; discount: number }>(
    `SELECT advocate_member_id AS member_id, status, COUNT(*) AS n, COALESCE(SUM(subtotal_minor), 0) AS revenue, COALESCE(SUM(reward_points), 0) AS points, COALESCE(SUM(discount_minor), 0) AS discount
       FROM referrals WHERE shop = ? GROUP BY advocate_member_id, status`,
    [shop],
  );
  const codes = await q.all<{ member_id: number; code: string; email: string | null }>(
    `SELECT c.member_id, c.code, m.email FROM referral_codes c LEFT JOIN members m ON m.id = c.member_id AND m.shop = c.shop WHERE c.shop = ?`,
    [shop],
  );
  const byMember = new Map<number, AdvocateNumbers>();
  const of = (memberId: number) => {
    let a = byMember.get(memberId);
    if (!a) byMember.set(memberId, (a = { memberId, code: "", email: null, clicks: 0, signups: 0, orders: 0, revenueMinor: 0, rewardedPoints: 0, friendDiscountMinor: 0 }));
    return a;
  };
  const memberOfCode = new Map<string, number>();
  for (const c of codes) {
    const a = of(Number(c.member_id));
    a.code = c.code;
    a.email = c.email;
    memberOfCode.set(c.code, Number(c.member_id));
  }
  for (const c of clicks) {
    const m = memberOfCode.get(c.code);
    if (m !== undefined) of(m).clicks += num(c.n);
  }
  for (const s of signups) of(Number(s.member_id)).signups += num(s.n);
  const byStatus: Record<ReferralStatus, number> = { pending: 0, held: 0, rejected: 0, rewarded: 0, cancelled: 0 };
  for (const o of orders) {
    const a = of(Number(o.member_id));
    a.orders += num(o.n);
    byStatus[o.status as ReferralStatus] = (byStatus[o.status as ReferralStatus] ?? 0) + num(o.n);
    if (o.status !== "rejected" && o.status !== "cancelled") {
      a.revenueMinor += num(o.revenue);
      a.friendDiscountMinor += num(o.discount);
    }
    a.rewardedPoints += o.status === "rewarded" ? num(o.points) : 0;
  }
  const advocates = [...byMember.values()].filter((a) => a.clicks || a.signups || a.orders);
  const sum = (k: keyof AdvocateNumbers) => advocates.reduce((s, a) => s + (a[k] as number), 0);
  return {
    clicks: clicks.reduce((s, c) => s + num(c.n), 0),
    signups: signups.reduce((s, c) => s + num(c.n), 0),
    orders: sum("orders"),
    revenueMinor: sum("revenueMinor"),
    rewardedPoints: sum("rewardedPoints"),
    friendDiscountMinor: sum("friendDiscountMinor"),
    byStatus,
    advocates: advocates.sort((a, b) => b.orders - a.orders || b.clicks - a.clicks || a.memberId - b.memberId).slice(0, limit),
  };
}

// ---------------------------------------------------------------------------------------------
// The storefront panel

export interface MemberReferral {
  referral: { code: string; url: string; shareMessage: string; stats: { clicks: number; pending: number; rewarded: number } };
  referrals: Array<{ status: "pending" | "rewarded" | "rejected" | "cancelled"; at: string | null }>;
}

/** For GET /apps/loyalty/rewards: the logged-in member's link, share text and how their referrals
 *  stand (no friend data). Null when referrals are off. Enrols the customer if needed. */
export async function memberReferral(sql: Sql, shop: string, customerGid: string, locale: "en" | "de"): Promise<MemberReferral | null> {
  const { program } = await settingsOf(sql, shop);
  const s = liveSettings(program);
  if (!s) return null;
  const memberId = await sql.tx((q) => ensureMember(q, shop, customerGid));
  const code = await ensureReferralCode(sql, shop, memberId);
  const url = await referralUrl(sql, shop, code);
  const clicks = await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM referral_clicks WHERE shop = ? AND code = ?`, [shop, code]);
  const rows = await sql.all<{ status: ReferralStatus; ordered_at: unknown }>(`SELECT status, ordered_at FROM referrals WHERE shop = ? AND advocate_member_id = ? ORDER BY id DESC LIMIT 100`, [shop, memberId]);
  const shown = (st: ReferralStatus) => (st === "held" ? "pending" : st);
  return {
    referral: {
      code,
      url,
      shareMessage: shareMessage(s.texts[locale].shareMessage, url),
      stats: {
        clicks: Number(clicks?.n ?? 0),
        pending: rows.filter((r) => r.status === "pending" || r.status === "held").length,
        rewarded: rows.filter((r) => r.status === "rewarded").length,
      },
    },
    referrals: rows.slice(0, 20).map((r) => ({ status: shown(r.status), at: toDate(r.ordered_at)?.toISOString() ?? null })),
  };
}

// ---------------------------------------------------------------------------------------------
// Privacy

/** Whether the shop has any referral data at all (most shops without referrals skip the rest). */
async function hasReferralData(q: Queryable, shop: string): Promise<boolean> {
  const row = await q.get<{ n: number }>(
    `SELECT (SELECT COUNT(*) FROM referral_codes WHERE shop = ?) + (SELECT COUNT(*) FROM referral_friends WHERE shop = ?) + (SELECT COUNT(*) FROM referrals WHERE shop = ?) AS n`,
    [shop, shop, shop],
  );
  return Number(row?.n ?? 0) > 0;
}

/** What we hold about a customer's referrals, as advocate and as friend (for data requests). */
export async function referralReport(q: Queryable, shop: string, customerGid: string, email?: string | null) {
  if (!(await hasReferralData(q, shop))) return { code: null, asAdvocate: [], friendCodes: [], asFriend: [] };
  const member = await q.get<{ id: number }>(`SELECT id FROM members WHERE shop = ? AND customer_gid = ?`, [shop, customerGid]);
  const code = member ? await q.get<{ code: string }>(`SELECT code FROM referral_codes WHERE shop = ? AND member_id = ?`, [shop, member.id]) : undefined;
  const asAdvocate = member
    ? await q.all<{ status: string; ordered_at: unknown; reward_points: number | null }>(`SELECT status, ordered_at, reward_points FROM referrals WHERE shop = ? AND advocate_member_id = ? ORDER BY id`, [shop, member.id])
    : [];
  const emailHash = hashOrNull(shop, "email", normaliseEmail(email));
  const friendCodes = await q.all<{ discount_code: string; status: string; created_at: unknown }>(
    `SELECT discount_code, status, created_at FROM referral_friends WHERE shop = ? AND (customer_gid = ? OR email_hash = ?) ORDER BY id`,
    [shop, customerGid, emailHash],
  );
  const asFriend = await q.all<{ status: string; ordered_at: unknown; order_gid: string }>(
    `SELECT status, ordered_at, order_gid FROM referrals WHERE shop = ? AND (friend_customer_gid = ? OR friend_email_hash = ?) ORDER BY id`,
    [shop, customerGid, emailHash],
  );
  return {
    code: code?.code ?? null,
    asAdvocate: asAdvocate.map((r) => ({ status: r.status, orderedAt: toDate(r.ordered_at)?.toISOString() ?? null, rewardPoints: r.reward_points })),
    friendCodes: friendCodes.map((f) => ({ code: f.discount_code, status: f.status, createdAt: toDate(f.created_at)?.toISOString() ?? null })),
    asFriend: asFriend.map((r) => ({ status: r.status, order: r.order_gid, orderedAt: toDate(r.ordered_at)?.toISOString() ?? null })),
  };
}

/** Erases a customer's referral data: their link stops working and its visits go; as a friend, the
 *  customer id, email hash and IP/device hashes go. Counts and statuses stay (no one behind them). */
export async function redactReferrals(q: Queryable, shop: string, customerGid: string, email: string | null | undefined, memberId: number | null): Promise<void> {
  if (!(await hasReferralData(q, shop))) return;
  if (memberId !== null) {
    const code = await q.get<{ code: string }>(`SELECT code FROM referral_codes WHERE shop = ? AND member_id = ?`, [shop, memberId]);
    if (code) {
      await q.run(`DELETE FROM referral_clicks WHERE shop = ? AND code = ?`, [shop, code.code]);
      await q.run(`DELETE FROM referral_codes WHERE shop = ? AND member_id = ?`, [shop, memberId]);
    }
  }
  const emailHash = hashOrNull(shop, "email", normaliseEmail(email));
  await q.run(`UPDATE referral_friends SET customer_gid = NULL, email_hash = NULL, ip_hash = NULL, device_hash = NULL, visit = NULL WHERE shop = ? AND (customer_gid = ? OR email_hash = ?)`, [
    shop,
    customerGid,
    emailHash,
  ]);
  await q.run(`UPDATE referrals SET friend_customer_gid = NULL, friend_email_hash = NULL, ip_hash = NULL, device_hash = NULL WHERE shop = ? AND (friend_customer_gid = ? OR friend_email_hash = ?)`, [
    shop,
    customerGid,
    emailHash,
  ]);
}
