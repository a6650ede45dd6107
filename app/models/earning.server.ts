// Earning in storage: one order earns once, whatever Shopify's deliveries do — duplicates, retries,
// a refund or a cancellation arriving before the payment. Every function takes the shop.
import { schedulePublish } from "./storefront.server";
import { recordAppEvent } from "./app-events.server";
import { recordNotice } from "./messaging.server";
import { customerGid as customerOf, orderGid as orderOf, type OrderPayload } from "~/domain/earning";
import { applyNegativeBalancePolicy } from "~/domain/clawback";
import { keys } from "~/domain/ledger";
import { toMinorUnits } from "~/domain/money";
import { orderFacts } from "~/domain/order-facts";
import { periodKey } from "~/domain/periods";
import { defaultProgram, parseProgram, type Program } from "~/domain/program";
import { calculatePurchaseEarn } from "~/domain/purchase-earn";
import { tierMultiplier } from "~/domain/tiers";
import { explainPurchase } from "~/domain/explain";
import { addRefund, clawbackTarget, refundFacts, type AwardLine, type RefundedSoFar } from "~/domain/refunds";
import { enqueue } from "~/jobs/queue.server";
import type { Queryable, Sql } from "~/lib/sql.server";
import { consume, lockCounter, release as releaseCounter } from "./counters.server";
import { ensureMember, postEntryIn } from "./ledger.server";
import { ensureShop, type ShopRow } from "./shops.server";

export type EarnOutcome =
  | { status: "earned"; points: number; memberId: number; entryId: number; bucket: "available" | "pending" }
  | { status: "duplicate"; entryId: number }
  | { status: "skipped"; reason: string };

const DAY = 86_400_000;

function ts(q: Queryable, d: Date | number = Date.now()): unknown {
  const ms = d instanceof Date ? d.getTime() : d;
  return q.dialect === "sqlite" ? ms : new Date(ms);
}
const forUpdate = (q: Queryable) => (q.dialect === "postgres" ? " FOR UPDATE" : "");

/** True when earning needs to know which collections an order's products are in. */
export function needsCollections(program: Program): boolean {
  if (!program.enabled || !program.purchase.enabled) return false;
  if (program.purchase.excludedCollectionIds.length > 0) return true;
  return program.campaigns.some((c) => c.enabled && c.effect.type === "productBonus" && c.effect.collectionIds.length > 0);
}

// Parsed programs by their stored JSON: a program is read on every order, and parsing it is pure,
// so the same text is parsed once. A changed program (even just the kill switch) is new text.
const parsedPrograms = new Map<string, Program>();
let defaultParsed: Program | undefined;

/** The shop's program (treat as read-only: it may be shared between calls). */
export function programOf(shop: Pick<ShopRow, "program">): Program {
  if (!shop.program) return (defaultParsed ??= defaultProgram());
  let program = parsedPrograms.get(shop.program);
  if (!program) {
    program = parseProgram(JSON.parse(shop.program));
    if (parsedPrograms.size >= 500) parsedPrograms.delete(parsedPrograms.keys().next().value as string);
    parsedPrograms.set(shop.program, program);
  }
  return program;
}

/** Validates and stores the merchant's program; invalid input throws ProgramConfigError (field errors). */
export async function saveProgram(q: Queryable, shop: string, input: unknown): Promise<Program> {
  const program = parseProgram(input);
  const before = programOf(await ensureShop(q, shop));
  await q.run(`UPDATE shops SET program = ? WHERE domain = ?`, [JSON.stringify(program), shop]);
  // changed tiers or expiry: every member is looked at again in the next nightly run
  if (JSON.stringify([before.tiers, before.expiry]) !== JSON.stringify([program.tiers, program.expiry])) {
    await q.run(`UPDATE members SET next_check_at = NULL WHERE shop = ? AND next_check_at IS NOT NULL`, [shop]);
  }
  // tiers switched on (first launch or again): every member's first placement is a sorting, not an
  // achievement — no entry rewards, no tier notices or Flow events for it (decision 0025)
  const tiersOn = (p: Program) => p.tiers.enabled && p.tiers.levels.length > 0;
  if (tiersOn(program) && !tiersOn(before)) {
    await q.run(`UPDATE members SET tier_placed = ? WHERE shop = ?`, [q.dialect === "sqlite" ? 0 : false, shop]);
  }
  // the theme extension reads the texts and the earning rate from metafields: write them again
  await schedulePublish(q, shop);
  return program;
}

interface AwardDetail {
  lines: AwardLine[];
  /** the member's tier and its multiplier when the order earned (already in the line points) */
  tier?: { id: string; multiplier: number } | null;
  campaigns: Array<{ id: string; points: number }>;
  counters: Array<{ key: string; period: string; amount: number }>;
  refunded: RefundedSoFar;
  shortfall: number;
  explanation: string[];
}

interface AwardRow {
  id: number;
  member_id: number;
  order_gid: string;
  entry_id: number;
  bucket: "available" | "pending";
  points: number;
  reversed_points: number;
  base_minor: number;
  currency: string;
  detail: string;
}

/** Creates the order's state row if needed and locks it for this transaction. */
async function orderState(q: Queryable, shop: string, orderGid: string, customer: string | null) {
  await q.run(`INSERT INTO order_states (shop, order_gid, customer_gid, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (shop, order_gid) DO NOTHING`, [shop, orderGid, customer, ts(q)]);
  return q.get<{ cancelled_at: unknown; fulfilled_at: unknown }>(`SELECT cancelled_at, fulfilled_at FROM order_states WHERE shop = ? AND order_gid = ?${forUpdate(q)}`, [shop, orderGid]);
}

async function customerStats(q: Queryable, shop: string, memberId: number) {
  const row = await q.get<{ n: number; spent: number }>(`SELECT COUNT(*) AS n, COALESCE(SUM(base_minor), 0) AS spent FROM earn_awards WHERE shop = ? AND member_id = ?`, [shop, memberId]);
  return { orderCount: Number(row?.n ?? 0), totalSpentMinor: Number(row?.spent ?? 0) };
}

/**
 * orders/paid (or orders/fulfilled when the program earns on fulfilment): computes the award with
 * the program of the moment, applies caps and budgets, posts it (pending or available), records
 * what is needed to claw it back, and applies refunds that arrived before it.
 */
export interface EarnOptions {
  now?: number;
  /** product GID → collection GIDs, when the program names collections (fetched from Shopify by the caller) */
  collectionsByProduct?: Record<string, string[]>;
}

export async function earnForOrder(sql: Sql, shop: string, payload: OrderPayload, event: "paid" | "fulfilled", options: EarnOptions = {}): Promise<EarnOutcome> {
  const now = options.now ?? Date.now();
  const gid = orderOf(payload);
  const customer = customerOf(payload);
  return sql.tx(async (q) => {
    const settings = await ensureShop(q, shop);
    const program = programOf(settings);
    const state = await orderState(q, shop, gid, customer);
    if (event === "fulfilled") await q.run(`UPDATE order_states SET fulfilled_at = ? WHERE shop = ? AND order_gid = ? AND fulfilled_at IS NULL`, [ts(q, now), shop, gid]);
    if (state?.cancelled_at || payload.cancelled_at) return { status: "skipped", reason: "cancelled" } as const;
    const pendingOnFulfilment = program.purchase.pending.mode === "fulfilment";
    if (event === "fulfilled") {
      // fulfilment either awards (trigger) or releases pending points (pending mode)
      if (pendingOnFulfilment) await releaseAwardIn(q, shop, gid);
      if (program.purchase.trigger !== "fulfilled") return { status: "skipped", reason: "not the earning event" } as const;
    } else if (program.purchase.trigger !== "paid") return { status: "skipped", reason: "not the earning event" } as const;
    if (!program.enabled || !program.purchase.enabled) return { status: "skipped", reason: "earning off" } as const;

    const facts = orderFacts(payload, { currency: settings.currency_code });
    // the order's revenue for the analytics rollups (docs/decisions/0018)
    await q.run(`UPDATE order_states SET revenue_minor = ? WHERE shop = ? AND order_gid = ? AND revenue_minor IS NULL`, [facts.subtotalMinor, shop, gid]);
    // Campaign windows and cap periods follow when the order was placed, not when its webhook
    // happened to arrive.
    const at = facts.processedAt ?? new Date(now);
    if (!customer) {
      // Remembered with the points it would have earned, for a retroactive award later.
      const asMember = { ...program, guests: { retroactive: true } };
      const guess = calculatePurchaseEarn(facts, asMember, { timeZone: settings.iana_timezone, at, customer: { totalSpentMinor: 0, orderCount: 0, tags: [] }, collectionsByProduct: options.collectionsByProduct });
      const guestDetail = {
        baseMinor: guess.baseMinor,
        lines: facts.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, netMinor: l.netMinor, points: guess.pointsByLine[l.lineId] ?? 0 })),
        campaigns: guess.campaigns,
        explanation: explainPurchase(guess, asMember, "en", settings.currency_code),
      };
      await q.run(`INSERT INTO guest_orders (shop, order_gid, email, points, detail, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shop, order_gid) DO NOTHING`, [
        shop, gid, (payload as { email?: string | null }).email?.toLowerCase() ?? null, guess.points, JSON.stringify(guestDetail), ts(q, now),
      ]);
      return { status: "skipped", reason: "guest" } as const;
    }
    const memberId = await ensureMember(q, shop, customer, {
      email: payload.customer?.email,
      firstName: payload.customer?.first_name,
      lastName: payload.customer?.last_name,
    });
    const existing = await q.get<{ entry_id: number }>(`SELECT entry_id FROM earn_awards WHERE shop = ? AND order_gid = ?`, [shop, gid]);
    if (existing) return { status: "duplicate", entryId: Number(existing.entry_id) } as const;
    // the merchant excluded this member from the program (app/models/members.server.ts)
    if (await isExcluded(q, shop, memberId)) return { status: "skipped", reason: "member excluded" } as const;

    const stats = await customerStats(q, shop, memberId);
    const tierRow = await q.get<{ tier_id: string | null }>(`SELECT tier_id FROM members WHERE id = ? AND shop = ?`, [memberId, shop]);
    const tierId = tierRow?.tier_id ?? null;
    const multiplier = tierMultiplier(program.tiers, tierId);
    // Campaign budgets are read (and locked) first, so the engine trims a campaign to what is left.
    const campaignBudgetLeft: Record<string, number> = {};
    for (const c of program.campaigns) {
      if (c.budgetPoints === undefined || !c.enabled) continue;
      campaignBudgetLeft[c.id] = Math.max(0, c.budgetPoints - (await lockCounter(q, shop, `campaign:${c.id}`, "lifetime")));
    }
    const earn = calculatePurchaseEarn(facts, program, {
      timeZone: settings.iana_timezone,
      at,
      customer: { ...stats, tags: facts.customerTags },
      collectionsByProduct: options.collectionsByProduct,
      campaignBudgetLeft,
      tierMultiplier: multiplier,
    });
    if (earn.points <= 0) return { status: "skipped", reason: earn.skipped ?? "no points" } as const;

    // Caps and budgets, each taken in this transaction: campaign budgets, the purchase rule's cap
    // per member and period, the program's daily cap per member.
    const counters: AwardDetail["counters"] = [];
    let points = earn.points;
    for (const c of earn.campaigns) {
      const campaign = program.campaigns.find((x) => x.id === c.id);
      if (campaign?.budgetPoints === undefined || c.points <= 0) continue;
      const granted = await consume(q, shop, `campaign:${c.id}`, "lifetime", c.points, campaign.budgetPoints);
      counters.push({ key: `campaign:${c.id}`, period: "lifetime", amount: granted });
      points -= c.points - granted;
    }
    const cap = program.caps.perRule.purchase;
    if (cap) {
      const period = periodKey(cap.period, at, settings.iana_timezone);
      const granted = await consume(q, shop, `rule:purchase:member:${memberId}`, period, points, cap.max);
      counters.push({ key: `rule:purchase:member:${memberId}`, period, amount: granted });
      points = granted;
    }
    if (program.caps.dailyGlobalPoints !== undefined) {
      const period = periodKey("day", at, settings.iana_timezone);
      const key = `global:daily:member:${memberId}`;
      const granted = await consume(q, shop, key, period, points, program.caps.dailyGlobalPoints);
      counters.push({ key, period, amount: granted });
      points = granted;
    }
    if (points <= 0) return { status: "skipped", reason: "cap reached" } as const;

    // Scale the per-line allocation to what the caps let through, so clawbacks stay proportional.
    const lines: AwardLine[] = facts.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, netMinor: l.netMinor, points: earn.pointsByLine[l.lineId] ?? 0 }));
    if (points !== earn.points) scaleLines(lines, points);

    const pendingDays = program.purchase.pending.mode === "days" ? program.purchase.pending.days : 0;
    const bucket: "available" | "pending" = pendingOnFulfilment && !state?.fulfilled_at && event === "paid" ? "pending" : pendingDays > 0 ? "pending" : "available";
    const explanation = explainPurchase(earn, program, "en", settings.currency_code);
    if (points !== earn.points) explanation.push(`capped to ${points} pts`);
    const releaseAt = bucket === "pending" && pendingDays > 0 ? now + pendingDays * DAY : null;
    const posted = await postAward(q, shop, program, now, {
      memberId,
      orderGid: gid,
      bucket,
      points,
      reason: "purchase",
      baseMinor: earn.baseMinor,
      currency: settings.currency_code,
      detail: { lines, tier: tierId && multiplier !== 1 ? { id: tierId, multiplier } : null, campaigns: earn.campaigns, counters, refunded: { quantities: {}, orderLevelMinor: 0, cancelled: false }, shortfall: 0, explanation },
      releaseAt,
    });
    if (posted.duplicate) return { status: "duplicate", entryId: posted.entryId } as const;
    await recordNotice(q, shop, memberId, "points_earned", { points, bucket, order: gid }, now, `earned:${gid}`, program.messaging);
    await recordAppEvent(q, shop, "points_earned", memberId, { points, bucket, order: gid }, `earned:${gid}`, now);
    return { status: "earned", points, memberId, entryId: posted.entryId, bucket } as const;
  });
}

interface AwardInput {
  memberId: number;
  orderGid: string;
  bucket: "available" | "pending";
  points: number;
  reason: string;
  baseMinor: number;
  currency: string;
  detail: AwardDetail;
  releaseAt: number | null;
}

/** Posts an order's award with what a later clawback needs, schedules its release, and applies
 *  refunds that arrived before it. */
async function postAward(q: Queryable, shop: string, program: Program, now: number, a: AwardInput) {
  const posted = await postEntryIn(q, shop, {
    memberId: a.memberId,
    bucket: a.bucket,
    points: a.points,
    kind: "earn",
    reason: a.reason,
    sourceType: "order",
    sourceId: a.orderGid,
    idempotencyKey: keys.orderEarn(a.orderGid),
    note: a.detail.explanation.join("; ").slice(0, 1000),
    at: now,
  });
  if (posted.duplicate) return posted;
  await q.run(
    `INSERT INTO earn_awards (shop, member_id, order_gid, entry_id, bucket, points, reversed_points, base_minor, currency, detail, release_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
    [shop, a.memberId, a.orderGid, posted.entryId, a.bucket, a.points, a.baseMinor, a.currency, JSON.stringify(a.detail), a.releaseAt === null ? null : ts(q, a.releaseAt), ts(q, now)],
  );
  if (a.releaseAt !== null) {
    await enqueue(q, { shop, kind: "earn:release", payload: { orderGid: a.orderGid }, dedupeKey: `release:${a.orderGid}`, runAt: new Date(a.releaseAt) });
  }
  const waiting = await q.all<{ refund_gid: string; detail: string }>(`SELECT refund_gid, detail FROM order_refunds WHERE shop = ? AND order_gid = ? AND applied_at IS NULL ORDER BY id`, [shop, a.orderGid]);
  for (const r of waiting) await applyRefundIn(q, shop, a.orderGid, r.refund_gid, JSON.parse(r.detail), program, now);
  return posted;
}

/**
 * A guest's orders, once that email becomes a customer and the program awards guests
 * retroactively: each earns what it would have earned, once (the same key as a normal award), and
 * can be clawed back like any other. Cancelled orders earn nothing.
 */
export async function claimGuestOrdersIn(q: Queryable, shop: string, customerGid: string, email: string | null | undefined, now = Date.now()): Promise<number> {
  if (!email) return 0;
  const settings = await ensureShop(q, shop);
  const program = programOf(settings);
  if (!program.enabled || !program.purchase.enabled || !program.guests.retroactive) return 0;
  const rows = await q.all<{ order_gid: string; points: number; detail: string | null }>(
    `SELECT order_gid, points, detail FROM guest_orders WHERE shop = ? AND email = ? AND claimed_at IS NULL${forUpdate(q)}`,
    [shop, email.toLowerCase()],
  );
  let total = 0;
  for (const row of rows) {
    await q.run(`UPDATE guest_orders SET claimed_at = ? WHERE shop = ? AND order_gid = ?`, [ts(q, now), shop, row.order_gid]);
    const state = await orderState(q, shop, row.order_gid, customerGid);
    if (state?.cancelled_at || row.points <= 0 || !row.detail) continue;
    const d = JSON.parse(row.detail) as { baseMinor: number; lines: AwardLine[]; campaigns: AwardDetail["campaigns"]; explanation: string[] };
    const memberId = await ensureMember(q, shop, customerGid);
    if (await isExcluded(q, shop, memberId)) continue;
    const posted = await postAward(q, shop, program, now, {
      memberId,
      orderGid: row.order_gid,
      bucket: "available",
      points: row.points,
      reason: "purchase (guest order)",
      baseMinor: d.baseMinor,
      currency: settings.currency_code,
      detail: { lines: d.lines, campaigns: d.campaigns, counters: [], refunded: { quantities: {}, orderLevelMinor: 0, cancelled: false }, shortfall: 0, explanation: [...d.explanation, "awarded when the guest became a customer"] },
      releaseAt: null,
    });
    if (!posted.duplicate) total += row.points;
  }
  return total;
}

/** True when the merchant excluded the member from the program: they earn nothing. */
export async function isExcluded(q: Queryable, shop: string, memberId: number): Promise<boolean> {
  const row = await q.get<{ excluded_at: unknown }>(`SELECT excluded_at FROM members WHERE shop = ? AND id = ?`, [shop, memberId]);
  return Boolean(row?.excluded_at);
}

function scaleLines(lines: AwardLine[], total: number) {
  const sum = lines.reduce((s, l) => s + l.points, 0);
  if (sum <= 0) return;
  const exact = lines.map((l) => (l.points * total) / sum);
  lines.forEach((l, i) => (l.points = Math.floor(exact[i])));
  let rest = total - lines.reduce((s, l) => s + l.points, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (rest <= 0) break;
    lines[i].points++;
    rest--;
  }
}

async function lockAward(q: Queryable, shop: string, orderGid: string): Promise<AwardRow | undefined> {
  return q.get<AwardRow>(`SELECT * FROM earn_awards WHERE shop = ? AND order_gid = ?${forUpdate(q)}`, [shop, orderGid]);
}

/**
 * Brings an award's reversals up to what its refunds and cancellation call for. Posts one
 * reversing entry under `key` for the difference; the award's counter moves by a conditional
 * update, so nothing is ever reversed twice.
 */
async function settleReversal(q: Queryable, shop: string, award: AwardRow, detail: AwardDetail, key: string, reason: string, program: Program): Promise<number> {
  const target = clawbackTarget(award.points, award.base_minor, detail.lines, detail.refunded);
  const due = target - award.reversed_points;
  await q.run(`UPDATE earn_awards SET detail = ? WHERE id = ?`, [JSON.stringify(detail), award.id]);
  if (due <= 0) return 0;
  const moved = await q.run(`UPDATE earn_awards SET reversed_points = reversed_points + ? WHERE id = ? AND reversed_points + ? <= points`, [due, award.id, due]);
  if (moved.changes !== 1) return 0;
  const column = award.bucket === "pending" ? "points_pending" : "points_available";
  const row = await q.get<{ balance: number }>(`SELECT ${column} AS balance FROM members WHERE id = ? AND shop = ?${forUpdate(q)}`, [award.member_id, shop]);
  const { debit, shortfall } = applyNegativeBalancePolicy(Number(row?.balance ?? 0), due, program.negativeBalance);
  if (shortfall > 0) {
    detail.shortfall += shortfall;
    await q.run(`UPDATE earn_awards SET detail = ? WHERE id = ?`, [JSON.stringify(detail), award.id]);
  }
  if (debit > 0) {
    await postEntryIn(q, shop, {
      memberId: award.member_id,
      bucket: award.bucket,
      points: -debit,
      kind: "reverse",
      reason,
      sourceType: "order",
      sourceId: award.order_gid,
      idempotencyKey: key,
      reversesId: award.entry_id,
      allowNegative: program.negativeBalance === "allow",
      note: shortfall > 0 ? `${due} pts due, ${shortfall} not taken: balance floored at zero` : null,
    });
  }
  return debit;
}

async function applyRefundIn(q: Queryable, shop: string, orderGid: string, refundGid: string, refund: { lines: Array<{ lineId: string; quantity: number }>; orderLevelMinor: number }, program: Program, now: number) {
  const award = await lockAward(q, shop, orderGid);
  if (!award) return 0;
  const detail = JSON.parse(award.detail) as AwardDetail;
  detail.refunded = addRefund(detail.refunded, refund);
  const taken = await settleReversal(q, shop, award, detail, keys.refund(refundGid), "refund", program);
  await q.run(`UPDATE order_refunds SET applied_at = ? WHERE shop = ? AND refund_gid = ?`, [ts(q, now), shop, refundGid]);
  return taken;
}

/** refunds/create: claws back in proportion to the refunded merchandise, at the award's rate. */
export async function clawbackForRefund(sql: Sql, shop: string, payload: unknown, now = Date.now()) {
  return sql.tx(async (q) => {
    const settings = await ensureShop(q, shop);
    const facts = refundFacts(payload, (amount) => toMinorUnits(amount, settings.currency_code));
    // The order's row is the lock every event of one order takes first, so a refund and the
    // payment it reduces can't pass each other unseen.
    await orderState(q, shop, facts.orderGid, null);
    const inserted = await q.get<{ id: number }>(
      `INSERT INTO order_refunds (shop, refund_gid, order_gid, detail, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop, refund_gid) DO NOTHING RETURNING id`,
      [shop, facts.refundGid, facts.orderGid, JSON.stringify({ lines: facts.lines, orderLevelMinor: facts.orderLevelMinor }), ts(q, now)],
    );
    if (!inserted) return { status: "duplicate" as const };
    const taken = await applyRefundIn(q, shop, facts.orderGid, facts.refundGid, facts, programOf(settings), now);
    return { status: "applied" as const, points: taken };
  });
}

/** orders/cancelled: the whole award goes, pending or available; budgets get their share back. */
export async function clawbackForCancel(sql: Sql, shop: string, payload: OrderPayload, now = Date.now()) {
  const gid = orderOf(payload);
  return sql.tx(async (q) => {
    const settings = await ensureShop(q, shop);
    await orderState(q, shop, gid, customerOf(payload));
    await q.run(`UPDATE order_states SET cancelled_at = ? WHERE shop = ? AND order_gid = ? AND cancelled_at IS NULL`, [ts(q, now), shop, gid]);
    const award = await lockAward(q, shop, gid);
    if (!award) return { status: "recorded" as const };
    const detail = JSON.parse(award.detail) as AwardDetail;
    if (!detail.refunded.cancelled) {
      for (const c of detail.counters) await releaseCounter(q, shop, c.key, c.period, c.amount);
    }
    detail.refunded = { ...detail.refunded, cancelled: true };
    const taken = await settleReversal(q, shop, award, detail, keys.orderCancel(gid), "cancellation", programOf(settings));
    await q.run(`DELETE FROM jobs WHERE shop = ? AND dedupe_key = ? AND status = 'queued'`, [shop, `release:${gid}`]);
    return { status: "reversed" as const, points: taken };
  });
}

/** Moves what is left of a pending award to available (after the return window or on fulfilment). */
async function releaseAwardIn(q: Queryable, shop: string, orderGid: string): Promise<number> {
  const award = await lockAward(q, shop, orderGid);
  if (!award || award.bucket !== "pending") return 0;
  const remaining = award.points - award.reversed_points;
  if (remaining > 0) {
    for (const [bucket, points, side] of [["pending", -remaining, "out"], ["available", remaining, "in"]] as const) {
      await postEntryIn(q, shop, {
        memberId: award.member_id,
        bucket,
        points,
        kind: "release",
        reason: "pending released",
        sourceType: "order",
        sourceId: orderGid,
        idempotencyKey: `release:${side}:${orderGid}`,
        reversesId: award.entry_id,
        allowNegative: true,
      });
    }
    await recordNotice(q, shop, award.member_id, "points_earned", { points: remaining, bucket: "available", order: orderGid }, Date.now(), `released:${orderGid}`);
    await recordAppEvent(q, shop, "points_earned", award.member_id, { points: remaining, bucket: "available", order: orderGid }, `released:${orderGid}`);
  }
  // From now on reversals come out of the available balance; what was reversed while pending
  // already left the pending bucket.
  await q.run(`UPDATE earn_awards SET bucket = 'available', release_at = NULL WHERE id = ?`, [award.id]);
  return remaining;
}

export function releaseAward(sql: Sql, shop: string, orderGid: string) {
  return sql.tx((q) => releaseAwardIn(q, shop, orderGid));
}
