// Which of our Shopify Flow triggers a shop uses (docs/decisions/0024): Flow's trigger lifecycle
// callback (app/routes/flow.lifecycle.tsx) says, per shop and trigger, whether an enabled workflow
// uses it; recordAppEvents books a flow:trigger job only for those, and the job checks again.
import type { Queryable } from "~/lib/sql.server";
import { dbBool, toDate } from "~/lib/sql.server";

const ts = (q: Queryable, ms: number): unknown => (q.dialect === "sqlite" ? ms : new Date(ms));
const bool = (q: Queryable, v: boolean): unknown => (q.dialect === "sqlite" ? (v ? 1 : 0) : v);

/**
 * Stores one lifecycle notice. Flow says newer notices win: one older than the stored one (they may
 * arrive out of order) changes nothing. Returns whether it was applied.
 */
export async function applyFlowLifecycle(q: Queryable, shop: string, handle: string, enabled: boolean, notifiedAt: number, now = Date.now()): Promise<"applied" | "stale"> {
  const row = await q.get<{ id: number }>(
    `INSERT INTO flow_trigger_usage (shop, handle, enabled, notified_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (shop, handle) DO UPDATE SET enabled = excluded.enabled, notified_at = excluded.notified_at, updated_at = excluded.updated_at
       WHERE flow_trigger_usage.notified_at <= excluded.notified_at
     RETURNING id`,
    [shop, handle, bool(q, enabled), ts(q, notifiedAt), ts(q, now)],
  );
  return row ? "applied" : "stale";
}

/** The trigger handles the shop has an enabled workflow for. */
export async function enabledFlowTriggers(q: Queryable, shop: string): Promise<Set<string>> {
  const rows = await q.all<{ handle: string }>(`SELECT handle FROM flow_trigger_usage WHERE shop = ? AND enabled = ?`, [shop, bool(q, true)]);
  return new Set(rows.map((r) => r.handle));
}

export interface FlowTriggerUsageView {
  handle: string;
  enabled: boolean;
  notifiedAt: string | null;
}

/** Every notice stored for the shop, for the admin and tests. */
export async function flowTriggerUsage(q: Queryable, shop: string): Promise<FlowTriggerUsageView[]> {
  const rows = await q.all<{ handle: string; enabled: unknown; notified_at: unknown }>(`SELECT handle, enabled, notified_at FROM flow_trigger_usage WHERE shop = ? ORDER BY handle`, [shop]);
  return rows.map((r) => ({ handle: r.handle, enabled: dbBool(r.enabled), notifiedAt: toDate(r.notified_at)?.toISOString() ?? null }));
}
