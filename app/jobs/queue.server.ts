// The outbox: durable background work in the app's own database. A job is written in the same
// transaction as the fact that causes it (e.g. the webhook delivery), claimed by a worker with a
// lease, retried with exponential backoff, and parked as `dead` after maxAttempts.
import type { Queryable, Sql } from "~/lib/sql.server";
import { keyset, pageSize, toPage, type Cursor } from "~/lib/paging.server";
import { toDate } from "~/lib/sql.server";

export interface JobInput {
  shop: string;
  kind: string;
  payload: unknown;
  dedupeKey?: string | null;
  runAt?: Date;
  maxAttempts?: number;
}

export interface Job {
  id: number;
  shop: string;
  kind: string;
  payload: string;
  attempts: number;
  maxAttempts: number;
}

function t(q: Queryable, d: Date | number = Date.now()) {
  const ms = d instanceof Date ? d.getTime() : d;
  return q.dialect === "sqlite" ? ms : new Date(ms);
}

/** Enqueues a job; with a dedupeKey, a second enqueue for the same shop and key is ignored.
 *  Returns the new job's id, or null when it was a duplicate. */
export async function enqueue(q: Queryable, job: JobInput): Promise<number | null> {
  const now = t(q);
  const row = await q.get<{ id: number }>(
    `INSERT INTO jobs (shop, kind, payload, status, attempts, max_attempts, run_at, dedupe_key, created_at)
     VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?)
     ON CONFLICT (shop, dedupe_key) DO NOTHING
     RETURNING id`,
    [job.shop, job.kind, typeof job.payload === "string" ? job.payload : JSON.stringify(job.payload), job.maxAttempts ?? 10,
      job.runAt ? t(q, job.runAt) : now, job.dedupeKey ?? null, now],
  );
  return row ? Number(row.id) : null;
}

/** Claims up to `limit` due jobs (or jobs whose lease ran out) for this worker. */
export async function claim(sql: Sql, workerId: string, limit: number, leaseMs = 60_000, now = Date.now()): Promise<Job[]> {
  const skipLocked = sql.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
  const rows = await sql.all<Record<string, unknown>>(
    `UPDATE jobs SET status = 'running', locked_by = ?, locked_until = ?, attempts = attempts + 1
      WHERE id IN (SELECT id FROM jobs
                    WHERE (status = 'queued' AND run_at <= ?) OR (status = 'running' AND locked_until < ?)
                    ORDER BY run_at, id LIMIT ?${skipLocked})
      RETURNING id, shop, kind, payload, attempts, max_attempts`,
    [workerId, t(sql, now + leaseMs), t(sql, now), t(sql, now), limit],
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      shop: String(r.shop),
      kind: String(r.kind),
      payload: String(r.payload),
      attempts: Number(r.attempts),
      maxAttempts: Number(r.max_attempts),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Marks a job done. Its payload (which may hold a customer's personal data) is dropped. */
export async function complete(q: Queryable, job: Job, workerId: string): Promise<void> {
  await q.run(`UPDATE jobs SET status = 'done', payload = '{}', finished_at = ?, locked_by = NULL, locked_until = NULL, last_error = NULL WHERE id = ? AND locked_by = ?`, [
    t(q),
    job.id,
    workerId,
  ]);
}

export function backoffMs(attempts: number): number {
  // 1 s, 2 s, 4 s … capped at one hour.
  return Math.min(3_600_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

export async function fail(q: Queryable, job: Job, workerId: string, error: unknown, now = Date.now()): Promise<"retry" | "dead"> {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const dead = job.attempts >= job.maxAttempts;
  await q.run(
    `UPDATE jobs SET status = ?, run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL, finished_at = ? WHERE id = ? AND locked_by = ?`,
    [dead ? "dead" : "queued", t(q, now + backoffMs(job.attempts)), message.slice(0, 2000), dead ? t(q, now) : null, job.id, workerId],
  );
  return dead ? "dead" : "retry";
}

/** Puts dead jobs of a shop back in the queue (the merchant's "retry"): once — the update is
 *  conditional on `dead`, so a double click re-queues a job one time — with its full, bounded
 *  number of attempts again. Returns the ids it re-queued. */
export async function retryDead(q: Queryable, shop: string, ids?: number[]): Promise<number[]> {
  const filter = ids ? ` AND id IN (${ids.map(() => "?").join(",") || "NULL"})` : "";
  const rows = await q.all<{ id: number }>(
    `UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, finished_at = NULL WHERE shop = ? AND status = 'dead'${filter} RETURNING id`,
    [t(q), shop, ...(ids ?? [])],
  );
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

export interface DeadJobView {
  id: number;
  kind: string;
  /** the last error, with e-mail addresses and long digit runs masked: no personal data */
  error: string;
  attempts: number;
  maxAttempts: number;
  at: string | null;
}

/** What the merchant sees of a failed job: never the payload (it may hold a customer's data). */
export function maskError(message: string | null): string {
  return (message ?? "")
    .replace(/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+/g, "[email]")
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, "[ip]")
    .replace(/\+?\d[\d ()-]{7,}\d/g, "[number]")
    .slice(0, 500);
}

/** A shop's dead jobs, newest first, `limit` a page, a keyset page (lib/paging); `before` is the last id of the previous page. */
export async function listDeadJobs(q: Queryable, shop: string, opts: { before?: number | null; cursor?: Cursor; limit?: number } = {}): Promise<{ jobs: DeadJobView[]; next: number | null; prev: number | null }> {
  const limit = pageSize(opts.limit, 50);
  const cursor = opts.cursor ?? (opts.before ? { before: opts.before } : null);
  const k = keyset(cursor, "id");
  const rows = await q.all<Record<string, unknown>>(
    `SELECT id, kind, last_error, attempts, max_attempts, finished_at FROM jobs WHERE shop = ? AND status = 'dead'${k.where} ORDER BY id ${k.order} LIMIT ?`,
    [shop, ...k.params, limit + 1],
  );
  const views = rows.map((r) => ({
    id: Number(r.id),
    kind: String(r.kind),
    error: maskError(r.last_error === null ? null : String(r.last_error)),
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    at: toDate(r.finished_at)?.toISOString() ?? null,
  }));
  const { items, next, prev } = toPage(views, limit, cursor, (j) => j.id);
  return { jobs: items, next, prev };
}

export async function jobCounts(q: Queryable, shop: string): Promise<Record<string, number>> {
  const rows = await q.all<{ status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM jobs WHERE shop = ? GROUP BY status`, [shop]);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export { toDate };
