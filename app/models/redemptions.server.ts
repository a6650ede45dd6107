// Redeeming points in two phases, so a shopper never loses points for a code Shopify didn't make:
// 1. hold — the points are debited (a conditional update: concurrent redemptions can't spend the
//    same points) and the redemption is recorded with its code, in one transaction;
// 2. create the discount in Shopify, retrying 5xx, timeouts and THROTTLED within limits;
// 3. issue it — or release the hold with a reversing entry. When Shopify's answer is unknown, the
//    code is looked up before anything is released; a settle job does the same for holds a crash
//    left behind.
import { randomBytes } from "node:crypto";
import { discountInput, moneyValue, newCode, parseReward, priceOf, RewardChoiceError, tierAccess, tierPrice, tierRefusal, type Reward } from "~/domain/rewards";
import { levelOf } from "~/domain/tiers";
import { programOf } from "./earning.server";
import { enqueue } from "~/jobs/queue.server";
import type { Queryable, Sql } from "~/lib/sql.server";
import { ShopifyApiError, type AdminGraphql } from "~/services/shopify/client.server";
import { createRewardCode, endCode, findCode, type CreateResult } from "~/services/shopify/discounts.server";
import { creditStore } from "~/services/shopify/store-credit.server";
import { variantPrice } from "~/services/shopify/products.server";
import { currencyExponent, formatMinor } from "~/domain/money";
import { toMinorUnits } from "~/domain/money";
import { ensureMember, findMemberByCustomer, InsufficientPointsError, postEntryIn } from "./ledger.server";
import { ensureShop } from "./shops.server";
import { consume, release as releaseCounter } from "./counters.server";
import { recordAppEvent } from "./app-events.server";
import { recordNotice } from "./messaging.server";

const CODE_REMINDER_MS = 3 * 86_400_000;

export class RedeemError extends Error {
  constructor(readonly status: number, readonly reason: string) {
    super(reason);
  }
}

export interface RedemptionView {
  id: number;
  status: "held" | "issued" | "released" | "used" | "expired" | "cancelled" | "donated";
  code: string | null;
  points: number;
  error?: string;
}

const SETTLE_AFTER_MS = 3 * 60_000;

function ts(q: Queryable, d = Date.now()): unknown {
  return q.dialect === "sqlite" ? d : new Date(d);
}

export async function createReward(q: Queryable, shop: string, input: unknown): Promise<number> {
  const reward = parseReward(input);
  await ensureShop(q, shop);
  const row = await q.get<{ id: number }>(`INSERT INTO rewards (shop, type, points_cost, config, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, [
    shop, reward.type, reward.pointsCost, JSON.stringify(reward), q.dialect === "sqlite" ? 1 : true, ts(q),
  ]);
  return Number(row!.id);
}

/** The merchant turns a reward on or off; off, it is neither shown nor redeemable (issued codes stay valid). */
export async function setRewardEnabled(q: Queryable, shop: string, rewardId: number, enabled: boolean): Promise<boolean> {
  const r = await q.run(`UPDATE rewards SET enabled = ? WHERE shop = ? AND id = ?`, [q.dialect === "sqlite" ? Number(enabled) : enabled, shop, rewardId]);
  return r.changes === 1;
}

export async function listRewards(q: Queryable, shop: string): Promise<Array<{ id: number; reward: Reward }>> {
  const rows = await q.all<{ id: number; config: string; enabled: unknown }>(`SELECT id, config, enabled FROM rewards WHERE shop = ? ORDER BY points_cost, id`, [shop]);
  return rows.filter((r) => Boolean(r.enabled)).map((r) => ({ id: Number(r.id), reward: parseReward(JSON.parse(r.config)) }));
}

/** The enabled rewards a member of `tierId` (null: none) may take: tier-only rewards of other tiers
 *  are left out. For lists that offer rewards to redeem (WhatsApp replies, the API per member). */
export async function listRewardsFor(q: Queryable, shop: string, tierId: string | null): Promise<Array<{ id: number; reward: Reward }>> {
  const tiers = programOf(await ensureShop(q, shop)).tiers;
  return (await listRewards(q, shop)).filter((r) => tierAccess(r.reward, tierId, tiers, "en").kind === "open");
}

interface RedemptionRow {
  id: number;
  member_id: number;
  reward_id: number;
  status: RedemptionView["status"];
  points: number;
  code: string;
  hold_entry_id: number | null;
  last_error: string | null;
}

const view = (r: RedemptionRow): RedemptionView => ({
  id: Number(r.id),
  status: r.status,
  code: r.status === "issued" ? r.code : null,
  points: Number(r.points),
  ...(r.status === "released" && r.last_error ? { error: r.last_error } : {}),
});

export interface RedeemOptions {
  now?: number;
  /** points-for-money: how many whole units of shop currency the shopper takes */
  choice?: { units?: number };
  /** attempts at creating the code (default 3) */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Redemption attempts a shopper may start per minute (asking again about one, same key, is free). */
export const REDEEM_ATTEMPTS_PER_MINUTE = 5;

/** Counts a new redemption attempt against the shopper's per-minute allowance; false when spent. */
export async function allowRedeemAttempt(sql: Sql, shop: string, customerGid: string, clientKey: string, now = Date.now()): Promise<boolean> {
  return sql.tx(async (q) => {
    if (await q.get(`SELECT 1 AS x FROM redemptions WHERE shop = ? AND client_key = ?`, [shop, clientKey])) return true;
    const minute = new Date(now).toISOString().slice(0, 16);
    return (await consume(q, shop, `redeem-attempts:${customerGid}`, minute, 1, REDEEM_ATTEMPTS_PER_MINUTE)) === 1;
  });
}

/** Phase 1: hold the points. Idempotent per client key. */
async function hold(sql: Sql, shop: string, customerGid: string, rewardId: number, clientKey: string, now: number, choice: { units?: number } = {}, grant?: { staff: string }) {
  return sql.tx(async (q) => {
    const existing = await q.get<RedemptionRow>(`SELECT * FROM redemptions WHERE shop = ? AND client_key = ?`, [shop, clientKey]);
    if (existing) {
      // a key is the shopper's own: someone else's key never reveals that redemption or its code
      const owner = await findMemberByCustomer(q, shop, customerGid);
      if (!owner || Number(owner.id) !== Number(existing.member_id)) throw new RedeemError(409, "this idempotency key belongs to another redemption");
      return { existing };
    }
    const row = await q.get<{ config: string; enabled: unknown }>(`SELECT config, enabled FROM rewards WHERE shop = ? AND id = ?`, [shop, rewardId]);
    if (!row || !row.enabled) throw new RedeemError(404, "unknown reward");
    const reward = parseReward(JSON.parse(row.config));
    const settings = await ensureShop(q, shop);
    let price: ReturnType<typeof priceOf>;
    try {
      price = priceOf(reward, settings.currency_code, choice);
    } catch (error) {
      if (error instanceof RewardChoiceError) throw new RedeemError(422, error.message);
      throw error;
    }
    if (grant) price = { ...price, points: 0 }; // the shop gives it: no points are taken
    if (grant) await ensureMember(q, shop, customerGid);
    const member = await findMemberByCustomer(q, shop, customerGid);
    // the merchant excluded or blocked this member (app/models/members.server.ts)
    if (member?.excluded_at || member?.blocked_at) throw new RedeemError(403, "this account can't redeem rewards; please contact the shop");
    if (member && !grant) {
      // tier-only rewards, and free shipping as a tier perk
      const tiers = programOf(settings).tiers;
      const refusal = tierRefusal(reward, member.tier_id, new Map(tiers.levels.map((l) => [l.id, l.name.en])), tiers.enabled);
      if (refusal) throw new RedeemError(403, refusal);
      price = { ...price, points: tierPrice(reward, price.points, tiers.enabled && Boolean(levelOf(tiers, member.tier_id)?.freeShipping)) };
    }
    if (!member || member.points_available < price.points) throw new RedeemError(409, "not enough points");
    // Limits per member and in total, counted like budgets: taken now, given back if the
    // redemption doesn't happen (released) or is undone (expired, cancelled).
    if (reward.perCustomerLimit !== undefined && (await consume(q, shop, `reward:${rewardId}:member:${member.id}`, "lifetime", 1, reward.perCustomerLimit)) < 1) {
      throw new RedeemError(409, "you have taken this reward as often as it can be taken");
    }
    if (reward.totalLimit !== undefined && (await consume(q, shop, `reward:${rewardId}`, "lifetime", 1, reward.totalLimit)) < 1) {
      throw new RedeemError(409, "this reward is no longer available");
    }
    const value = moneyValue(reward, price);
    if (reward.budgetMinor !== undefined && value > 0 && (await consume(q, shop, `reward:${rewardId}:money`, "lifetime", value, reward.budgetMinor)) < value) {
      throw new RedeemError(409, "this reward's budget is spent");
    }
    const code = newCode(reward.codePrefix, (n) => randomBytes(n));
    const inserted = await q.get<{ id: number }>(
      `INSERT INTO redemptions (shop, member_id, reward_id, client_key, status, points, code, created_at, updated_at) VALUES (?, ?, ?, ?, 'held', ?, ?, ?, ?) RETURNING id`,
      [shop, member.id, rewardId, clientKey, price.points, code, ts(q, now), ts(q, now)],
    );
    const id = Number(inserted!.id);
    if (grant) {
      await q.run(`UPDATE redemptions SET granted_by = ? WHERE id = ?`, [grant.staff.slice(0, 200), id]);
    } else if (price.points > 0) {
      try {
        const entry = await postEntryIn(q, shop, {
          memberId: member.id,
          bucket: "available",
          points: -price.points,
          kind: "redeem",
          reason: "reward",
          sourceType: "redemption",
          sourceId: String(id),
          idempotencyKey: `redeem:${id}`,
          note: reward.texts.en.title,
          at: now,
        });
        await q.run(`UPDATE redemptions SET hold_entry_id = ? WHERE id = ?`, [entry.entryId, id]);
      } catch (error) {
        if (error instanceof InsufficientPointsError) throw new RedeemError(409, "not enough points");
        throw error;
      }
    }
    if (reward.type === "donation") {
      // nothing to create in Shopify: the donation is recorded as made
      await q.run(`UPDATE redemptions SET status = 'donated', used_at = ?, updated_at = ? WHERE id = ?`, [ts(q, now), ts(q, now), id]);
      return { donated: id };
    }
    await enqueue(q, { shop, kind: "redeem:settle", payload: { redemptionId: id }, dedupeKey: `settle:${id}`, runAt: new Date(now + SETTLE_AFTER_MS) });
    return { id, reward, code, memberGid: member.customer_gid, currency: settings.currency_code, amountMinor: price.amountMinor };
  });
}

/** Marks a held redemption issued and schedules what happens if its code expires unused. */
async function issue(sql: Sql, shop: string, id: number, discountGid: string): Promise<void> {
  await sql.tx(async (q) => {
    const r = await q.get<{ config: string; created_at: unknown; member_id: number; code: string; points: number }>(
      `SELECT w.config, r.created_at, r.member_id, r.code, r.points FROM redemptions r JOIN rewards w ON w.id = r.reward_id AND w.shop = r.shop WHERE r.shop = ? AND r.id = ? AND r.status = 'held'`,
      [shop, id],
    );
    if (!r) return;
    const reward = parseReward(JSON.parse(r.config));
    const created = r.created_at instanceof Date ? r.created_at.getTime() : Number(r.created_at);
    const expiresAt = created + reward.expiryDays * 86_400_000;
    await q.run(`UPDATE redemptions SET status = 'issued', discount_gid = ?, expires_at = ?, updated_at = ? WHERE shop = ? AND id = ? AND status = 'held'`, [discountGid, ts(q, expiresAt), ts(q), shop, id]);
    // the code by email, and a reminder three days before it expires (cancelled if used by then)
    const now = Date.now();
    const notice = { redemptionId: id, code: r.code, points: Number(r.points), reward: { en: reward.texts.en.title, de: reward.texts.de.title }, until: new Date(expiresAt).toISOString() };
    await recordNotice(q, shop, Number(r.member_id), "reward_redeemed", notice, now, `redeemed:${id}`);
    await recordAppEvent(q, shop, "reward_redeemed", Number(r.member_id), { points: Number(r.points), reward: reward.texts.en.title, code: r.code }, `redeemed:${id}`, now);
    if (expiresAt - CODE_REMINDER_MS > now) await recordNotice(q, shop, Number(r.member_id), "code_expiring", notice, expiresAt - CODE_REMINDER_MS, `code-expiring:${id}`);
    if (reward.refundIfUnused && reward.type !== "store_credit") {
      await enqueue(q, { shop, kind: "redeem:expire", payload: { redemptionId: id }, dedupeKey: `expire:${id}`, runAt: new Date(expiresAt + 60_000) });
    }
  });
}

/** Gives an issued code's points back once its code is ended in Shopify (never before). */
async function refundIssued(sql: Sql, shop: string, id: number, status: "expired" | "cancelled", reason: string): Promise<boolean> {
  return sql.tx(async (q) => {
    const r = await q.get<RedemptionRow>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?${q.dialect === "postgres" ? " FOR UPDATE" : ""}`, [shop, id]);
    if (!r || r.status !== "issued") return false;
    // a code the shop gave away cost no points, so there is nothing to give back
    if (r.points > 0) await postEntryIn(q, shop, {
      memberId: r.member_id,
      bucket: "available",
      points: r.points,
      kind: "reverse",
      reason: status === "expired" ? "reward expired unused" : "reward cancelled",
      sourceType: "redemption",
      sourceId: String(id),
      idempotencyKey: `redeem:refund:${id}`,
      reversesId: r.hold_entry_id,
      note: reason,
    });
    await q.run(`UPDATE redemptions SET status = ?, updated_at = ? WHERE id = ?`, [status, ts(q), id]);
    await giveBackLimits(q, shop, r);
    return true;
  });
}

/** The code's end date passed and it was never used (the job runs at its end date): deactivate it
 *  in Shopify, then refund. */
export async function expireUnused(sql: Sql, shop: string, id: number, admin: AdminGraphql): Promise<boolean> {
  const r = await sql.get<RedemptionRow & { discount_gid: string | null }>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?`, [shop, id]);
  if (!r || r.status !== "issued" || !r.discount_gid) return false;
  await endCode(admin, r.discount_gid, "deactivate");
  return refundIssued(sql, shop, id, "expired", `code ${r.code} expired unused`);
}

/** The merchant cancels an unused code: it is deleted in Shopify first, then the points go back. */
export async function cancelRedemption(sql: Sql, shop: string, id: number, admin: AdminGraphql): Promise<boolean> {
  const r = await sql.get<RedemptionRow & { discount_gid: string | null }>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?`, [shop, id]);
  if (!r) throw new RedeemError(404, "unknown redemption");
  if (r.status !== "issued" || !r.discount_gid) throw new RedeemError(409, `a ${r.status} code can't be cancelled`);
  await endCode(admin, r.discount_gid, "delete");
  return refundIssued(sql, shop, id, "cancelled", `code ${r.code} cancelled by the shop`);
}

/** orders/paid: our codes in the order are used; the order and its revenue are recorded (ROI). */
export async function markCodesUsed(sql: Sql, shop: string, order: { admin_graphql_api_id?: string; id?: number | string; discount_codes?: Array<{ code?: string }>; total_price_set?: { shop_money?: { amount?: string; currency_code?: string } } }): Promise<number> {
  const codes = (order.discount_codes ?? []).map((d) => d.code?.toUpperCase()).filter((c): c is string => Boolean(c));
  if (!codes.length) return 0;
  const money = order.total_price_set?.shop_money;
  const revenue = money?.amount && money.currency_code ? toMinorUnits(money.amount, money.currency_code) : null;
  const orderGid = order.admin_graphql_api_id ?? `gid://shopify/Order/${order.id}`;
  let used = 0;
  for (const code of codes) {
    const r = await sql.run(`UPDATE redemptions SET status = 'used', order_gid = ?, revenue_minor = ?, used_at = ?, updated_at = ? WHERE shop = ? AND UPPER(code) = ? AND status = 'issued'`, [
      orderGid, revenue, sql.ts(), sql.ts(), shop, code,
    ]);
    used += r.changes;
  }
  return used;
}

/** Gives back a redemption's share of its reward's limits. */
async function giveBackLimits(q: Queryable, shop: string, r: RedemptionRow): Promise<void> {
  const row = await q.get<{ config: string }>(`SELECT config FROM rewards WHERE shop = ? AND id = ?`, [shop, r.reward_id]);
  if (!row) return;
  const reward = parseReward(JSON.parse(row.config));
  if (reward.perCustomerLimit !== undefined) await releaseCounter(q, shop, `reward:${r.reward_id}:member:${r.member_id}`, "lifetime", 1);
  if (reward.totalLimit !== undefined) await releaseCounter(q, shop, `reward:${r.reward_id}`, "lifetime", 1);
  if (reward.budgetMinor !== undefined) {
    const settings = await ensureShop(q, shop);
    const units = reward.type === "points_for_money" && reward.pointsCost > 0 ? r.points / reward.pointsCost : undefined;
    const value = moneyValue(reward, { amountMinor: units !== undefined ? units * 10 ** currencyExponent(settings.currency_code) : undefined });
    await releaseCounter(q, shop, `reward:${r.reward_id}:money`, "lifetime", value);
  }
}

/** Gives the held points back (a reversing entry) and marks the redemption released. */
async function releaseHold(sql: Sql, shop: string, id: number, reason: string): Promise<void> {
  await sql.tx(async (q) => {
    const r = await q.get<RedemptionRow>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?${q.dialect === "postgres" ? " FOR UPDATE" : ""}`, [shop, id]);
    if (!r || r.status !== "held") return;
    if (r.hold_entry_id) {
      await postEntryIn(q, shop, {
        memberId: r.member_id,
        bucket: "available",
        points: r.points,
        kind: "reverse",
        reason: "reward not issued",
        sourceType: "redemption",
        sourceId: String(id),
        idempotencyKey: `redeem:release:${id}`,
        reversesId: r.hold_entry_id,
        note: reason.slice(0, 500),
      });
    }
    await q.run(`UPDATE redemptions SET status = 'released', last_error = ?, updated_at = ? WHERE id = ?`, [reason.slice(0, 2000), ts(q), id]);
    await giveBackLimits(q, shop, r);
  });
}

type Attempt = { kind: "created"; id: string } | { kind: "rejected"; message: string } | { kind: "unknown"; message: string };

function waitFor(error: unknown, attempt: number): number {
  const status = (error as ShopifyApiError).cost?.throttleStatus;
  if (error instanceof ShopifyApiError && error.code === "THROTTLED" && status) {
    const needed = Math.max(0, 10 - status.currentlyAvailable);
    return Math.min(2000, Math.ceil((needed / Math.max(1, status.restoreRate)) * 1000) + 50);
  }
  return 200 * 4 ** (attempt - 1);
}

async function withRetries(call: () => Promise<CreateResult>, attempts: number, sleep: (ms: number) => Promise<void>): Promise<Attempt> {
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const r = await call();
      if (r.ok) return { kind: "created", id: r.id };
      // A code that is already taken may be our own earlier attempt that timed out.
      if (r.userErrors.some((e) => e.code === "TAKEN")) return { kind: "unknown", message: "code taken" };
      return { kind: "rejected", message: r.userErrors.map((e) => e.message).join("; ") };
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
      if (attempt < attempts) await sleep(waitFor(error, attempt));
    }
  }
  return { kind: "unknown", message: last || "Shopify did not answer" };
}

/** Looks the code up and settles a hold: issued if Shopify has it, released if not. */
export async function settle(sql: Sql, shop: string, id: number, admin: AdminGraphql, reason: string): Promise<RedemptionView["status"]> {
  const r = await sql.get<RedemptionRow>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?`, [shop, id]);
  if (!r || r.status !== "held") return r?.status ?? "released";
  const credit = await storeCreditOf(sql, shop, r);
  if (credit) {
    // Asking again with the same idempotency key is the lookup: it credits at most once.
    const again = await credit(admin);
    if (again.ok) await issue(sql, shop, id, again.id);
    else await releaseHold(sql, shop, id, `Shopify refused the store credit: ${again.userErrors.map((e) => e.message).join("; ")}`);
    return again.ok ? "issued" : "released";
  }
  const found = await findCode(admin, r.code);
  if (found) {
    await issue(sql, shop, id, found);
    return "issued";
  }
  await releaseHold(sql, shop, id, reason);
  return "released";
}

/** For a store-credit redemption: the (idempotent) credit call; null for other rewards. */
async function storeCreditOf(sql: Sql, shop: string, r: RedemptionRow, admin?: AdminGraphql): Promise<((client?: AdminGraphql) => Promise<CreateResult>) | null> {
  const row = await sql.get<{ config: string; customer_gid: string; currency_code: string }>(
    `SELECT w.config, m.customer_gid, s.currency_code FROM rewards w JOIN members m ON m.id = ? AND m.shop = w.shop JOIN shops s ON s.domain = w.shop WHERE w.shop = ? AND w.id = ?`,
    [r.member_id, shop, r.reward_id],
  );
  if (!row) return null;
  const reward = parseReward(JSON.parse(row.config));
  if (reward.type !== "store_credit") return null;
  const amount = { amount: formatMinor(reward.amountMinor, row.currency_code), currencyCode: row.currency_code };
  return (client = admin) => creditStore(client!, row.customer_gid, amount, `stammkunde-redemption-${shop}-${r.id}`);
}

/** The merchant gives a member a reward (a goodwill code): the same path, without taking points. */
export function grantReward(sql: Sql, shop: string, customerGid: string, rewardId: number, clientKey: string, admin: AdminGraphql, staff: string, opts: RedeemOptions = {}): Promise<RedemptionView> {
  return redeem(sql, shop, customerGid, rewardId, clientKey, admin, { ...opts, grant: { staff } });
}

export async function redeem(sql: Sql, shop: string, customerGid: string, rewardId: number, clientKey: string, admin: AdminGraphql, opts: RedeemOptions & { grant?: { staff: string } } = {}): Promise<RedemptionView> {
  if (!clientKey || clientKey.length > 200) throw new RedeemError(422, "idempotencyKey is required (≤ 200 characters)");
  const now = opts.now ?? Date.now();
  const held = await hold(sql, shop, customerGid, rewardId, clientKey, now, opts.choice, opts.grant);
  if ("existing" in held) return view(held.existing!);
  if ("donated" in held) return view((await sql.get<RedemptionRow>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?`, [shop, held.donated]))!);
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  if (held.reward.type === "store_credit") {
    const row = (await sql.get<RedemptionRow>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?`, [shop, held.id]))!;
    const credit = (await storeCreditOf(sql, shop, row, admin))!;
    const result = await withRetries(() => credit(), opts.attempts ?? 3, sleep);
    if (result.kind === "created") await issue(sql, shop, held.id, result.id);
    else if (result.kind === "rejected") await releaseHold(sql, shop, held.id, `Shopify refused the store credit: ${result.message}`);
    // unknown: the settle job repeats the idempotent credit
    return view((await sql.get<RedemptionRow>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?`, [shop, held.id]))!);
  }
  let variantPriceMinor: number | undefined;
  if (held.reward.type === "free_product") {
    const variantGid = held.reward.variantId;
    // the same retry rules as creating the code; the price travels in the result's id
    const price = await withRetries(
      async () => {
        const p = await variantPrice(admin, variantGid);
        return p ? { ok: true as const, id: p } : { ok: false as const, userErrors: [{ message: "the product is no longer for sale" }] };
      },
      opts.attempts ?? 3,
      sleep,
    );
    if (price.kind !== "created") {
      // nothing was created in Shopify yet, so giving the points back is safe
      await releaseHold(sql, shop, held.id, `free product unavailable: ${price.message}`);
      return view((await sql.get<RedemptionRow>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?`, [shop, held.id]))!);
    }
    variantPriceMinor = toMinorUnits(price.id, held.currency);
  }
  const { kind, input } = discountInput(held.reward, {
    code: held.code,
    customerGid: held.memberGid,
    currency: held.currency,
    now: new Date(now),
    title: `${held.reward.texts.en.title} (${held.code})`,
    amountMinor: held.amountMinor,
    variantPriceMinor,
  });
  const result = await withRetries(() => createRewardCode(admin, kind, input as unknown as Record<string, unknown>), opts.attempts ?? 3, sleep);
  if (result.kind === "created") await issue(sql, shop, held.id, result.id);
  else if (result.kind === "rejected") await releaseHold(sql, shop, held.id, `Shopify refused the discount: ${result.message}`);
  else {
    // Unknown outcome: only Shopify knows whether the code exists. Ask; if asking fails too, the
    // settle job asks again later and the points stay held until then.
    try {
      await settle(sql, shop, held.id, admin, `Shopify did not create the discount: ${result.message}`);
    } catch {
      /* left held for the settle job */
    }
  }
  const r = await sql.get<RedemptionRow>(`SELECT * FROM redemptions WHERE shop = ? AND id = ?`, [shop, held.id]);
  return view(r!);
}

export async function memberCodes(q: Queryable, shop: string, customerGid: string) {
  return q.all<{ id: number; code: string; points: number; reward_id: number; created_at: unknown }>(
    `SELECT r.id, r.code, r.points, r.reward_id, r.created_at FROM redemptions r JOIN members m ON m.id = r.member_id AND m.shop = r.shop
      WHERE r.shop = ? AND m.customer_gid = ? AND r.status = 'issued' ORDER BY r.id DESC LIMIT 50`,
    [shop, customerGid],
  );
}
