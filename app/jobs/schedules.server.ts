// The durable scheduler: recurring work as rows in `schedules` (name, shop, next_run_at). The worker
// calls runDueSchedules on every tick; each due row becomes one job whose dedupe key names the
// period (`tiers:nightly:2026-03-29`), so a run happens once per period however many workers tick,
// and a run that came due while no worker ran happens at the next start. On PostgreSQL the rows are
// claimed with FOR UPDATE SKIP LOCKED, so two workers don't even try the same row at once.
import { localDate, addDays, zonedInstant } from "~/domain/periods";
import type { Queryable, Sql } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { enqueue } from "./queue.server";

export interface ScheduleDef {
  name: string;
  /** the job kind each run enqueues */
  kind: string;
  /** the shop-local time of day it runs, "HH:MM" */
  at: string;
  maxAttempts: number;
}

/** Nightly per shop: tier re-evaluation, points expiry and reminders (app/models/tiers.server.ts). */
export const NIGHTLY: ScheduleDef = { name: "tiers:nightly", kind: "tiers:nightly", at: "00:15", maxAttempts: 10 };

/** Nightly per shop: the analytics dashboard's daily rollups (app/models/rollups.server.ts, docs/decisions/0018). */
export const ROLLUPS: ScheduleDef = { name: "analytics:rollup", kind: "analytics:rollup", at: "00:30", maxAttempts: 10 };

/** Daily per shop: expired API idempotency answers and old business events go (app/models/retention.server.ts, docs/decisions/0024). */
export const RETENTION: ScheduleDef = { name: "retention:prune", kind: "retention:prune", at: "03:45", maxAttempts: 10 };

export const SCHEDULES: ScheduleDef[] = [NIGHTLY, ROLLUPS, RETENTION];

/** Every 5 minutes per shop (enqueued by the worker's tick, one run per slot): today's partial
 *  analytics rollup, so the dashboard reads stored rows only (docs/decisions/0018). */
export const TODAY_REFRESH_MS = 5 * 60_000;

const ts = (q: Queryable, ms: number): unknown => (q.dialect === "sqlite" ? ms : new Date(ms));

/** The next time the shop's clock shows `at` after `after` (ms). */
export function nextLocalTime(after: number, at: string, timeZone: string): number {
  const [h, m] = at.split(":").map(Number);
  let date = localDate(after, timeZone);
  for (let i = 0; i < 3; i++) {
    const [y, mo, d] = date.split("-").map(Number);
    const t = zonedInstant(y, mo, d, h, m, timeZone);
    if (t > after) return t;
    date = addDays(date, 1);
  }
  throw new Error(`no next ${at} in ${timeZone}`);
}

/** Makes sure every installed shop has a row for each schedule; the first run is the next slot. */
export async function ensureSchedules(sql: Sql, now: number, defs: ScheduleDef[] = SCHEDULES): Promise<void> {
  // per schedule, so a schedule added later reaches the shops that already have the others
  for (const def of defs) {
    const shops = await sql.all<{ domain: string; iana_timezone: string }>(
      `SELECT s.domain, s.iana_timezone FROM shops s WHERE s.uninstalled_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM schedules x WHERE x.shop = s.domain AND x.name = ?)`,
      [def.name],
    );
    for (const shop of shops) {
      await sql.run(`INSERT INTO schedules (name, shop, next_run_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name, shop) DO NOTHING`, [
        def.name,
        shop.domain,
        ts(sql, nextLocalTime(now, def.at, shop.iana_timezone)),
        ts(sql, now),
      ]);
    }
  }
}

/**
 * Enqueues the run of every schedule that is due at `now` (once per period, however late) and moves
 * it to its next slot. Returns the jobs enqueued (duplicates of a period are not counted).
 */
export async function runDueSchedules(sql: Sql, now: number, defs: ScheduleDef[] = SCHEDULES): Promise<number> {
  await ensureSchedules(sql, now, defs);
  const byName = new Map(defs.map((d) => [d.name, d]));
  let enqueued = 0;
  for (;;) {
    const n = await sql.tx(async (q) => {
      const skip = q.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
      const rows = await q.all<{ id: number; name: string; shop: string; next_run_at: unknown }>(
        `SELECT id, name, shop, next_run_at FROM schedules WHERE next_run_at <= ? ORDER BY next_run_at, id LIMIT 50${skip}`,
        [ts(q, now)],
      );
      let count = 0;
      for (const row of rows) {
        const def = byName.get(row.name);
        const shop = await q.get<{ iana_timezone: string; uninstalled_at: unknown }>(`SELECT iana_timezone, uninstalled_at FROM shops WHERE domain = ?`, [row.shop]);
        if (!def || !shop || shop.uninstalled_at) {
          await q.run(`DELETE FROM schedules WHERE id = ?`, [row.id]);
          continue;
        }
        // the period is the shop's date now: runs missed while down collapse into one catch-up run
        const period = localDate(now, shop.iana_timezone);
        const id = await enqueue(q, { shop: row.shop, kind: def.kind, payload: { period, scheduledFor: toDate(row.next_run_at)?.toISOString() }, dedupeKey: `${def.name}:${period}`, maxAttempts: def.maxAttempts, runAt: new Date(now) });
        if (id !== null) count++;
        await q.run(`UPDATE schedules SET next_run_at = ?, last_run_at = ?, last_period = ?, updated_at = ? WHERE id = ?`, [
          ts(q, nextLocalTime(now, def.at, shop.iana_timezone)),
          ts(q, now),
          period,
          ts(q, now),
          row.id,
        ]);
      }
      return { rows: rows.length, count };
    });
    enqueued += n.count;
    if (n.rows < 50) break;
  }
  return enqueued;
}
