// One notice's delivery on one channel (decision 0019): the steps both channels' send runs take
// on a notification_deliveries row — the checks that cancel a notice no longer worth sending, the
// move past quiet hours, the claim under a lease (pending → sending, a conditional update, so two
// workers never both send it) and the outcome: sent, back to pending after a backoff, or failed
// after the last attempt. Each step is a conditional update through the channel's `Step`, so the
// email channel can copy the delivery onto its notice in the same transaction.
import type { Program } from "~/domain/program";
import { MAX_SEND_ATTEMPTS, nextSendTime, sendBackoffMs } from "~/domain/templates";
import type { Queryable, Sql } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { programOf } from "./earning.server";
import { ensureShop } from "./shops.server";

export type Channel = "email" | "whatsapp";

export interface SendSummary {
  sent: number;
  cancelled: number;
  deferred: number;
  retried: number;
  failed: number;
  /** pending notices remain that are due later (quiet hours, backoff): when the next one is */
  nextDueAt: string | null;
  more: boolean;
}

/** What a channel's send run starts from: an empty summary and the shop's program, time zone and name. */
export async function startRun(sql: Sql, shop: string) {
  const summary: SendSummary = { sent: 0, cancelled: 0, deferred: 0, retried: 0, failed: 0, nextDueAt: null, more: false };
  const shopRow = await ensureShop(sql, shop);
  const program: Program = programOf(shopRow);
  return { summary, program, timeZone: shopRow.iana_timezone || "UTC", shopName: shopRow.name ?? shop.replace(/\.myshopify\.com$/, "") };
}

/** A notice more than this overdue is not sent any more (e.g. recorded while email was off). */
export const STALE_MS = 3 * 86_400_000;
/** A claimed notice not marked sent within this time counts as interrupted. */
export const SEND_LEASE_MS = 120_000;

export const tsOf = (q: Queryable, ms: number): unknown => (q.dialect === "sqlite" ? ms : new Date(ms));

/** A conditional update of one delivery (`SET set WHERE <its id, shop, channel> AND condition`);
 *  the delivery's attempts and provider id after it, or undefined when the condition didn't hold. */
export type Step = (set: string, params: unknown[], condition: string) => Promise<{ attempts: number; external_id: string | null } | undefined>;

/** The plain step: the delivery row alone. */
export function deliveryStep(sql: Sql, shop: string, channel: Channel, deliveryId: number): Step {
  return (set, params, condition) =>
    sql.get<{ attempts: number; external_id: string | null }>(
      `UPDATE notification_deliveries SET ${set} WHERE id = ? AND shop = ? AND channel = ? AND ${condition} RETURNING attempts, external_id`,
      [...params, deliveryId, shop, channel],
    );
}

export const cancelStep = (step: Step, reason: string) => step("status = 'cancelled', reason = ?", [reason], "status = 'pending'");

/** Why a due notice is no longer worth sending on any channel, or null: overdue for too long, the
 *  entry tier reached with the first points, or its code no longer open. */
export async function staleReason(sql: Sql, shop: string, program: Program, notice: { kind: string; payload: string }, dueAt: unknown, now: number): Promise<string | null> {
  if ((toDate(dueAt)?.getTime() ?? now) < now - STALE_MS) return "stale";
  const { kind } = notice;
  if (kind !== "tier_up" && kind !== "code_expiring") return null;
  const payload = JSON.parse(notice.payload) as Record<string, unknown>;
  if (kind === "tier_up") {
    // joining the entry tier (threshold 0) with the first points is no news to announce
    const to = program.tiers.levels.find((l) => l.id === payload.to);
    if (!payload.from && to && to.threshold === 0) return "entry_tier";
  }
  if (kind === "code_expiring") {
    const red = await sql.get<{ status: string }>(`SELECT status FROM redemptions WHERE shop = ? AND id = ?`, [shop, Number(payload.redemptionId)]);
    if (red?.status !== "issued") return "code_closed";
  }
  return null;
}

/** Not now: cancelled with its reason when there is one, or moved to the end of the shop's quiet
 *  hours when inside them; null when the delivery may go out now. */
export async function holdBack(sql: Sql, step: Step, reason: string | null, program: Program, timeZone: string, now: number): Promise<"cancelled" | "deferred" | null> {
  if (reason) {
    await cancelStep(step, reason);
    return "cancelled";
  }
  const sendAt = nextSendTime(now, program.messaging.quietHours, timeZone);
  if (sendAt <= now) return null;
  await step("due_at = ?", [tsOf(sql, sendAt)], "status = 'pending'");
  return "deferred";
}

/** pending → sending under a lease, one more attempt (`set`/`params`: the channel's own columns
 *  to set with it). The attempts and provider id, or undefined when another worker has it. */
export function claim(sql: Sql, step: Step, now: number, extra: { set: string; params: unknown[] } = { set: "", params: [] }) {
  return step(`status = 'sending', attempts = attempts + 1${extra.set ? `, ${extra.set}` : ""}, due_at = ?`, [...extra.params, tsOf(sql, now + SEND_LEASE_MS)], "status = 'pending'");
}

export type SendOutcome = { ok: true; externalId: string | null } | { ok: false; retryable: boolean; message: string };

/** The provider's answer onto a claimed delivery: sent; or pending again after the backoff; or
 *  failed when it can't be retried or this was the last attempt. */
export async function settle(sql: Sql, step: Step, attempts: number, outcome: SendOutcome, now: number): Promise<"sent" | "retried" | "failed"> {
  if (outcome.ok) {
    await step("status = 'sent', sent_at = ?, reason = NULL, external_id = COALESCE(?, external_id)", [tsOf(sql, now), outcome.externalId], "status = 'sending'");
    return "sent";
  }
  const dead = !outcome.retryable || attempts >= MAX_SEND_ATTEMPTS;
  await step("status = ?, due_at = ?, reason = ?", [dead ? "failed" : "pending", tsOf(sql, dead ? now : now + sendBackoffMs(attempts)), outcome.message], "status = 'sending'");
  return dead ? "failed" : "retried";
}

/** When the channel's next pending or claimed delivery of the shop is due (after now), or null. */
export async function nextDueAt(sql: Sql, shop: string, channel: Channel, now: number): Promise<string | null> {
  const next = await sql.get<{ due_at: unknown }>(`SELECT MIN(due_at) AS due_at FROM notification_deliveries WHERE shop = ? AND channel = ? AND status IN ('pending', 'sending') AND due_at > ?`, [shop, channel, tsOf(sql, now)]);
  const nextMs = toDate(next?.due_at)?.getTime() ?? null;
  return nextMs === null ? null : new Date(nextMs).toISOString();
}
