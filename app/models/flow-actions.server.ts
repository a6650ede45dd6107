// Shopify Flow actions (docs/decisions/0020): award points, deduct points (never below zero), set
// a tier through the manual assignment. Each run is recorded once per (shop, action run id) in
// the same transaction as its change, so Flow repeating a run (it retries on 5xx and timeouts)
// gets the first answer and changes nothing; the ledger entry's key comes from the run id too.
import type { Queryable, Sql } from "~/lib/sql.server";
import { customerGidOf, flowEntryKey, type FlowActionHandle } from "~/domain/flow-actions";
import { localizeFieldError } from "~/lib/i18n";
import { ensureMember, findMemberByCustomer, getMember, InsufficientPointsError, postEntryIn } from "./ledger.server";
import { recordAudit } from "./audit.server";
import { assignTierIn, TierAssignError } from "./tiers.server";

export const FLOW_ACTOR = "Shopify Flow";
const DAY = 86_400_000;

export interface FlowResult {
  status: number;
  body: Record<string, unknown>;
}

class Refused extends Error {
  constructor(readonly result: FlowResult) {
    super(JSON.stringify(result.body));
  }
}

const refuse = (status: number, body: Record<string, unknown>): never => {
  throw new Refused({ status, body });
};

async function earlier(q: Queryable, shop: string, runId: string): Promise<FlowResult | null> {
  const r = await q.get<{ result: string }>(`SELECT result FROM flow_action_runs WHERE shop = ? AND action_run_id = ?`, [shop, runId]);
  return r ? { ...(JSON.parse(r.result) as FlowResult), body: { ...(JSON.parse(r.result) as FlowResult).body, duplicate: true } } : null;
}

async function record(q: Queryable, shop: string, runId: string, handle: string, result: FlowResult, now: number): Promise<FlowResult> {
  const inserted = await q.get<{ id: number }>(
    `INSERT INTO flow_action_runs (shop, action_run_id, handle, result, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop, action_run_id) DO NOTHING RETURNING id`,
    [shop, runId, handle, JSON.stringify(result), q.dialect === "sqlite" ? now : new Date(now)],
  );
  // a concurrent run of the same id committed first: answer as it did
  if (!inserted) return (await earlier(q, shop, runId)) ?? result;
  return result;
}

export interface PointsAction {
  customerId: string | number;
  points: number;
  reason: string;
}

/** award-points / deduct-points: one "adjust" entry keyed by the action run. */
export async function runPointsAction(sql: Sql, shop: string, handle: Extract<FlowActionHandle, "award-points" | "deduct-points">, runId: string, a: PointsAction, now = Date.now()): Promise<FlowResult> {
  const gid = customerGidOf(a.customerId);
  const delta = handle === "deduct-points" ? -a.points : a.points;
  try {
    return await sql.tx(async (q) => {
      const seen = await earlier(q, shop, runId);
      if (seen) return seen;
      // awarding enrols a customer who isn't a member yet; deducting needs a member
      const memberId = delta > 0 ? await ensureMember(q, shop, gid) : Number((await findMemberByCustomer(q, shop, gid))?.id ?? refuse(422, { error: "not_a_member", fieldErrors: { customer_id: "is not a member of the loyalty program" } }));
      const before = await getMember(q, shop, memberId);
      const posted = await postEntryIn(q, shop, {
        memberId,
        bucket: "available",
        points: delta,
        kind: "adjust",
        reason: `flow:${a.reason}`.slice(0, 200),
        sourceType: "flow",
        sourceId: runId.slice(0, 200),
        idempotencyKey: flowEntryKey(runId),
        note: `Shopify Flow ${handle}`,
        at: now,
      });
      const after = await getMember(q, shop, memberId);
      if (!posted.duplicate) {
        await recordAudit(q, shop, {
          actor: FLOW_ACTOR,
          action: "adjust",
          subjectType: "member",
          subjectId: memberId,
          before: { pointsAvailable: Number(before?.points_available ?? 0) },
          after: { pointsAvailable: Number(after?.points_available ?? 0), entryId: posted.entryId, points: delta, reason: a.reason, actionRunId: runId },
          note: `Shopify Flow ${handle}`,
        });
      }
      return record(q, shop, runId, handle, { status: 200, body: { status: "posted", entryId: posted.entryId, points: delta, balance: Number(after?.points_available ?? 0) } }, now);
    });
  } catch (error) {
    if (error instanceof Refused) return error.result;
    if (error instanceof InsufficientPointsError) {
      const m = await findMemberByCustomer(sql, shop, gid);
      return { status: 422, body: { error: "insufficient_points", balance: Number(m?.points_available ?? 0), fieldErrors: { points: "is more than the member's available points" } } };
    }
    throw error;
  }
}

export interface TierAction {
  customerId: string | number;
  tier: string;
  days: number;
}

/** set-tier: the merchant's manual assignment, held for `days` from now. */
export async function runTierAction(sql: Sql, shop: string, runId: string, a: TierAction, now = Date.now()): Promise<FlowResult> {
  try {
    return await sql.tx(async (q) => {
      const seen = await earlier(q, shop, runId);
      if (seen) return seen;
      const memberId = await ensureMember(q, shop, customerGidOf(a.customerId));
      const until = now + a.days * DAY;
      const summary = await assignTierIn(q, shop, memberId, a.tier, until, FLOW_ACTOR, now);
      return record(q, shop, runId, "set-tier", { status: 200, body: { status: "assigned", tier: a.tier, until: new Date(until).toISOString(), up: summary.up, down: summary.down } }, now);
    });
  } catch (error) {
    if (error instanceof TierAssignError) {
      const fieldErrors = Object.fromEntries(Object.entries(error.fieldErrors).map(([k, v]) => [k === "tierId" ? "tier" : k === "until" ? "days" : "customer_id", localizeFieldError("en", v)]));
      return { status: 422, body: { error: "invalid_tier", fieldErrors } };
    }
    throw error;
  }
}
