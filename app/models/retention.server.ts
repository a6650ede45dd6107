// Rows that are only worth keeping for a while, deleted per shop in bounded batches by the daily
// `retention:prune` job (app/jobs/schedules.server.ts, docs/decisions/0024):
// - api_idempotency: an API answer is replayed for its Idempotency-Key for 24 hours (docs/api.md
//   promises "at least 24 hours"); older ones go.
// - app_events: a business event is kept 30 days after it happened, for the admin's list and a
//   manual retry of a failed delivery; then it goes with its delivery rows — but never while its
//   Flow trigger is still pending or one of its deliveries is still being tried.
import type { Queryable, Sql } from "~/lib/sql.server";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const APP_EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

const ts = (q: Queryable, ms: number): unknown => (q.dialect === "sqlite" ? ms : new Date(ms));

export interface PruneOptions {
  /** rows per DELETE (one short transaction each) */
  batchSize?: number;
  /** batches per run, per table; more left → `more`, and the job books a follow-up */
  maxBatches?: number;
}

export interface PruneResult {
  idempotency: number;
  events: number;
  deliveries: number;
  /** a table still had expired rows when the run's batches were used up */
  more: boolean;
}

/** Deletes the shop's expired rows, oldest first, `batchSize` at a time. */
export async function pruneExpired(sql: Sql, shop: string, now = Date.now(), opts: PruneOptions = {}): Promise<PruneResult> {
  const batchSize = opts.batchSize ?? 1000;
  const maxBatches = opts.maxBatches ?? 50;
  const result: PruneResult = { idempotency: 0, events: 0, deliveries: 0, more: false };

  const keysBefore = now - IDEMPOTENCY_TTL_MS;
  let batches = 0;
  for (;;) {
    if (batches++ >= maxBatches) {
      result.more = true;
      break;
    }
    const n = await sql.tx(async (q) => {
      const ids = await q.all<{ id: number }>(`SELECT id FROM api_idempotency WHERE shop = ? AND created_at < ? ORDER BY created_at, id LIMIT ?`, [shop, ts(q, keysBefore), batchSize]);
      if (!ids.length) return 0;
      const r = await q.run(`DELETE FROM api_idempotency WHERE shop = ? AND id IN (${ids.map(() => "?").join(", ")})`, [shop, ...ids.map((x) => Number(x.id))]);
      return r.changes;
    });
    result.idempotency += n;
    if (n < batchSize) break;
  }

  const eventsBefore = now - APP_EVENT_RETENTION_MS;
  batches = 0;
  for (;;) {
    if (batches++ >= maxBatches) {
      result.more = true;
      break;
    }
    const n = await sql.tx(async (q) => {
      const ids = await q.all<{ id: number }>(
        `SELECT e.id FROM app_events e
          WHERE e.shop = ? AND e.created_at < ? AND e.flow_status <> 'pending'
            AND NOT EXISTS (SELECT 1 FROM webhook_endpoint_deliveries d WHERE d.shop = e.shop AND d.event_id = e.id AND d.status IN ('pending', 'delivering', 'retrying'))
          ORDER BY e.created_at, e.id LIMIT ?`,
        [shop, ts(q, eventsBefore), batchSize],
      );
      if (!ids.length) return { events: 0, deliveries: 0, scanned: 0 };
      const list = ids.map((x) => Number(x.id));
      const marks = list.map(() => "?").join(", ");
      const d = await q.run(`DELETE FROM webhook_endpoint_deliveries WHERE shop = ? AND event_id IN (${marks})`, [shop, ...list]);
      const e = await q.run(`DELETE FROM app_events WHERE shop = ? AND id IN (${marks})`, [shop, ...list]);
      return { events: e.changes, deliveries: d.changes, scanned: ids.length };
    });
    result.events += n.events;
    result.deliveries += n.deliveries;
    if (n.scanned < batchSize) break;
  }
  return result;
}
