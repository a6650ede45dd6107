// The points ledger in storage. Every function takes the shop. An entry and the balance change it
// explains are written in one transaction; the balance moves by a conditional UPDATE, never by
// read-then-write, so concurrent postings can't lose or invent points.
import { isActivity, LedgerRuleError, mismatches, validateEntry, type BalanceCheck, type EntryInput } from "~/domain/ledger";
import { searchColumns } from "~/domain/members";
import { scheduleMemberSync } from "./member-sync.server";
import type { Queryable, Sql } from "~/lib/sql.server";

export class InsufficientPointsError extends Error {
  constructor(readonly memberId: number, readonly points: number) {
    super(`Member ${memberId} has too few points for ${points}`);
  }
}

export interface MemberProfile {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

export interface MemberRow {
  id: number;
  shop: string;
  customer_gid: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  points_available: number;
  points_pending: number;
  lifetime_earned: number;
  birthday: string | null;
  tier_id: string | null;
  tier_since: unknown;
  tier_until: unknown;
  grace_until: unknown;
  hold_tier_id: string | null;
  hold_until: unknown;
  hold_source: string | null;
  last_activity_at: unknown;
  next_check_at: unknown;
  excluded_at: unknown;
  blocked_at: unknown;
  redacted_at: unknown;
  imported_tier: string | null;
  imported_referral_code: string | null;
  created_at: unknown;
}

function ts(q: Queryable, d: Date | number = new Date()): unknown {
  const ms = d instanceof Date ? d.getTime() : d;
  return q.dialect === "sqlite" ? ms : new Date(ms);
}

/** Finds or enrols the member for a Shopify customer; returns its id. Profile fields are filled
 *  in when given and not yet known. */
export async function ensureMember(q: Queryable, shop: string, customerGid: string, profile: MemberProfile = {}): Promise<number> {
  const now = ts(q);
  const search = searchColumns(profile);
  const row = await q.get<{ id: number }>(
    `INSERT INTO members (shop, customer_gid, email, first_name, last_name, search_email, search_first, search_last, points_available, points_pending, lifetime_earned, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?)
     ON CONFLICT (shop, customer_gid) DO UPDATE SET
       email = COALESCE(members.email, excluded.email),
       first_name = COALESCE(members.first_name, excluded.first_name),
       last_name = COALESCE(members.last_name, excluded.last_name),
       search_email = CASE WHEN members.email IS NULL THEN excluded.search_email ELSE members.search_email END,
       search_first = CASE WHEN members.first_name IS NULL THEN excluded.search_first ELSE members.search_first END,
       search_last = CASE WHEN members.last_name IS NULL THEN excluded.search_last ELSE members.search_last END
     RETURNING id`,
    [shop, customerGid, profile.email ?? null, profile.firstName ?? null, profile.lastName ?? null, search.searchEmail, search.searchFirst, search.searchLast, now, now],
  );
  if (!row) throw new Error("member upsert returned nothing");
  return Number(row.id);
}

export interface PostResult {
  entryId: number;
  duplicate: boolean;
}

/**
 * Posts one entry inside the caller's transaction. If an entry with the same idempotency key
 * exists for the shop, nothing changes and that entry is returned (duplicate: true).
 */
export async function postEntryIn(q: Queryable, shop: string, e: EntryInput): Promise<PostResult> {
  validateEntry(e);
  const at = e.at ?? Date.now();
  const inserted = await q.get<{ id: number }>(
    `INSERT INTO ledger_entries (shop, member_id, bucket, points, kind, reason, source_type, source_id, idempotency_key, reverses_id, note, created_at)
     SELECT ?, m.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM members m WHERE m.id = ? AND m.shop = ?
     ON CONFLICT (shop, idempotency_key) DO NOTHING
     RETURNING id`,
    [
      shop, e.bucket, e.points, e.kind, e.reason, e.sourceType ?? null, e.sourceId ?? null, e.idempotencyKey,
      e.reversesId ?? null, e.note ?? null, ts(q, at), e.memberId, shop,
    ],
  );
  if (!inserted) {
    const existing = await q.get<{ id: number }>(`SELECT id FROM ledger_entries WHERE shop = ? AND idempotency_key = ?`, [shop, e.idempotencyKey]);
    if (existing) return { entryId: Number(existing.id), duplicate: true };
    throw new LedgerRuleError(`member ${e.memberId} does not belong to ${shop}`);
  }
  const column = e.bucket === "available" ? "points_available" : "points_pending";
  const earned = e.kind === "earn" ? e.points : 0;
  const guard = e.allowNegative || e.points >= 0 ? "" : ` AND ${column} + ? >= 0`;
  // next_check_at = NULL: the nightly tier and expiry run looks at the member again
  const activity = isActivity(e.kind) ? ", last_activity_at = CASE WHEN last_activity_at IS NULL OR last_activity_at < ? THEN ? ELSE last_activity_at END" : "";
  const params: unknown[] = [e.points, earned, ts(q), true];
  if (activity) params.push(ts(q, at), ts(q, at));
  params.push(e.memberId, shop);
  if (guard) params.push(e.points);
  const updated = await q.run(
    `UPDATE members SET ${column} = ${column} + ?, lifetime_earned = lifetime_earned + ?, updated_at = ?, metafields_dirty = ?, next_check_at = NULL${activity} WHERE id = ? AND shop = ?${guard}`,
    params,
  );
  if (updated.changes !== 1) throw new InsufficientPointsError(e.memberId, e.points);
  // the customer's points metafield in Shopify follows within seconds (app/models/member-sync.server.ts)
  await scheduleMemberSync(q, shop);
  return { entryId: Number(inserted.id), duplicate: false };
}

/** Posts one entry in its own transaction. */
export function postEntry(sql: Sql, shop: string, e: EntryInput): Promise<PostResult> {
  return sql.tx((q) => postEntryIn(q, shop, e));
}

export async function getMember(q: Queryable, shop: string, memberId: number): Promise<MemberRow | undefined> {
  return q.get<MemberRow>(`SELECT * FROM members WHERE shop = ? AND id = ?`, [shop, memberId]);
}

export async function findMemberByCustomer(q: Queryable, shop: string, customerGid: string): Promise<MemberRow | undefined> {
  return q.get<MemberRow>(`SELECT * FROM members WHERE shop = ? AND customer_gid = ?`, [shop, customerGid]);
}

export interface EntryRow {
  id: number;
  member_id: number;
  bucket: string;
  points: number;
  kind: string;
  reason: string;
  source_type: string | null;
  source_id: string | null;
  idempotency_key: string;
  reverses_id: number | null;
  note: string | null;
  created_at: unknown;
}

export async function listEntries(q: Queryable, shop: string, memberId: number, limit = 100): Promise<EntryRow[]> {
  return q.all<EntryRow>(`SELECT * FROM ledger_entries WHERE shop = ? AND member_id = ? ORDER BY id DESC LIMIT ?`, [shop, memberId, limit]);
}

/** Compares every member's stored balances with the sum of its entries. */
export async function checkBalances(q: Queryable, shop: string): Promise<{ members: number; mismatched: BalanceCheck[] }> {
  const rows = await q.all<Record<string, number>>(
    `SELECT m.id AS member_id, m.points_available AS stored_available, m.points_pending AS stored_pending,
            COALESCE(SUM(CASE WHEN e.bucket = 'available' THEN e.points ELSE 0 END), 0) AS sum_available,
            COALESCE(SUM(CASE WHEN e.bucket = 'pending' THEN e.points ELSE 0 END), 0) AS sum_pending
       FROM members m LEFT JOIN ledger_entries e ON e.member_id = m.id AND e.shop = m.shop
      WHERE m.shop = ?
      GROUP BY m.id, m.points_available, m.points_pending`,
    [shop],
  );
  const checks: BalanceCheck[] = rows.map((r) => ({
    memberId: Number(r.member_id),
    storedAvailable: Number(r.stored_available),
    storedPending: Number(r.stored_pending),
    sumAvailable: Number(r.sum_available),
    sumPending: Number(r.sum_pending),
  }));
  return { members: checks.length, mismatched: mismatches(checks) };
}

/** Runs the check and records it, so the merchant (and alerts) can see the ledger is sound. */
export async function reconcile(sql: Sql, shop: string): Promise<{ members: number; mismatched: BalanceCheck[] }> {
  const result = await checkBalances(sql, shop);
  await sql.run(`INSERT INTO reconciliation_runs (shop, members, mismatches, details, ran_at) VALUES (?, ?, ?, ?, ?)`, [
    shop,
    result.members,
    result.mismatched.length,
    JSON.stringify(result.mismatched.slice(0, 100)),
    sql.ts(),
  ]);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Posting many entries at once (the nightly run; docs/decisions/0016)

export type BatchPostResult =
  | { status: "posted"; entryId: number; available: number; pending: number }
  | { status: "duplicate"; entryId: number }
  /** the balance is too low for a negative entry: nothing written */
  | { status: "insufficient" };

/** Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const ROWS_PER_STATEMENT = 400;

function chunked<T>(list: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** After the table in a statement that reaches members by id through a list: SQLite's planner
 *  otherwise may walk a (shop, …) index over every member of the shop instead of looking each id
 *  up by its primary key (which NOT INDEXED still uses). PostgreSQL plans this well by itself. */
export function byIdOnly(q: Queryable): string {
  return q.dialect === "sqlite" ? " NOT INDEXED" : "";
}

/** A typed parameter inside VALUES: PostgreSQL would read an untyped one as text. */
export function typed(q: Queryable, type: "int" | "ts" | "text"): string {
  if (q.dialect === "sqlite") return "?";
  return type === "int" ? "CAST(? AS INTEGER)" : type === "ts" ? "CAST(? AS TIMESTAMPTZ(3))" : "CAST(? AS TEXT)";
}

/**
 * Posts entries for distinct members inside the caller's transaction, with the same rules as
 * `postEntryIn` — an existing idempotency key changes nothing (duplicate), a negative entry never
 * takes a balance below zero (insufficient: nothing written), and each entry's balance change is a
 * conditional update in the same transaction — but with a few multi-row statements instead of
 * several per entry. The members' rows are read first (locked on PostgreSQL), so the guard decided
 * there holds until commit; a conditional update that still finds too few points throws and rolls
 * the caller's transaction back rather than leave an entry without its balance change.
 */
export async function postEntriesIn(q: Queryable, shop: string, entries: readonly EntryInput[], now = Date.now()): Promise<BatchPostResult[]> {
  if (entries.length === 0) return [];
  for (const e of entries) validateEntry(e);
  if (new Set(entries.map((e) => e.memberId)).size !== entries.length) throw new LedgerRuleError("postEntriesIn takes one entry per member");
  const lock = q.dialect === "postgres" ? " ORDER BY id FOR UPDATE" : "";
  const balances = new Map<number, { available: number; pending: number }>();
  for (const part of chunked(entries)) {
    const rows = await q.all<{ id: number; points_available: number; points_pending: number }>(
      `SELECT id, points_available, points_pending FROM members${byIdOnly(q)} WHERE shop = ? AND id IN (${part.map(() => "?").join(",")})${lock}`,
      [shop, ...part.map((e) => e.memberId)],
    );
    for (const r of rows) balances.set(Number(r.id), { available: Number(r.points_available), pending: Number(r.points_pending) });
  }
  const fits = (e: EntryInput) => {
    const b = balances.get(e.memberId);
    if (!b) return false;
    if (e.allowNegative || e.points >= 0) return true;
    return (e.bucket === "available" ? b.available : b.pending) + e.points >= 0;
  };
  const results: Array<BatchPostResult | undefined> = entries.map(() => undefined);
  const inserted = new Map<string, number>();
  const candidates = entries.filter(fits);
  for (const part of chunked(candidates)) {
    const params: unknown[] = [];
    for (const e of part) {
      params.push(shop, e.memberId, e.bucket, e.points, e.kind, e.reason, e.sourceType ?? null, e.sourceId ?? null, e.idempotencyKey, e.reversesId ?? null, e.note ?? null, ts(q, e.at ?? now));
    }
    const rows = await q.all<{ id: number; idempotency_key: string }>(
      `INSERT INTO ledger_entries (shop, member_id, bucket, points, kind, reason, source_type, source_id, idempotency_key, reverses_id, note, created_at)
       VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
       ON CONFLICT (shop, idempotency_key) DO NOTHING RETURNING id, idempotency_key`,
      params,
    );
    for (const r of rows) inserted.set(r.idempotency_key, Number(r.id));
  }
  // what was not inserted: an existing key is a duplicate; otherwise the member is not the shop's
  // or the balance is too low
  const rest = entries.filter((e) => !inserted.has(e.idempotencyKey));
  const existing = new Map<string, number>();
  for (const part of chunked(rest)) {
    const rows = await q.all<{ id: number; idempotency_key: string }>(
      `SELECT id, idempotency_key FROM ledger_entries WHERE shop = ? AND idempotency_key IN (${part.map(() => "?").join(",")})`,
      [shop, ...part.map((e) => e.idempotencyKey)],
    );
    for (const r of rows) existing.set(r.idempotency_key, Number(r.id));
  }
  entries.forEach((e, i) => {
    const dup = existing.get(e.idempotencyKey);
    if (dup !== undefined) results[i] = { status: "duplicate", entryId: dup };
    else if (!inserted.has(e.idempotencyKey)) {
      if (!balances.has(e.memberId)) throw new LedgerRuleError(`member ${e.memberId} does not belong to ${shop}`);
      results[i] = { status: "insufficient" };
    }
  });
  // the balance changes, one conditional update per statement for many members
  const posted = entries.filter((e) => inserted.has(e.idempotencyKey));
  const int = typed(q, "int");
  const tsT = typed(q, "ts");
  const after = new Map<number, { available: number; pending: number }>();
  for (const part of chunked(posted)) {
    const params: unknown[] = [ts(q, now), true];
    for (const e of part) {
      const available = e.bucket === "available" ? e.points : 0;
      const pending = e.bucket === "pending" ? e.points : 0;
      const guarded = e.allowNegative || e.points >= 0 ? 0 : 1;
      params.push(e.memberId, available, pending, e.kind === "earn" ? e.points : 0, guarded, isActivity(e.kind) ? ts(q, e.at ?? now) : null);
    }
    params.push(shop);
    const rows = await q.all<{ id: number; points_available: number; points_pending: number }>(
      `UPDATE members${byIdOnly(q)} SET points_available = points_available + v.column2, points_pending = points_pending + v.column3,
              lifetime_earned = lifetime_earned + v.column4, updated_at = ?, metafields_dirty = ?, next_check_at = NULL,
              last_activity_at = CASE WHEN v.column6 IS NOT NULL AND (last_activity_at IS NULL OR last_activity_at < v.column6) THEN v.column6 ELSE last_activity_at END
         FROM (VALUES ${part.map(() => `(${int}, ${int}, ${int}, ${int}, ${int}, ${tsT})`).join(", ")}) AS v
        WHERE members.id = v.column1 AND members.shop = ?
          AND (v.column5 = 0 OR (points_available + v.column2 >= 0 AND points_pending + v.column3 >= 0))
        RETURNING id, points_available, points_pending`,
      params,
    );
    for (const r of rows) after.set(Number(r.id), { available: Number(r.points_available), pending: Number(r.points_pending) });
    const missing = part.find((e) => !after.has(e.memberId));
    if (missing) throw new InsufficientPointsError(missing.memberId, missing.points);
  }
  entries.forEach((e, i) => {
    const id = inserted.get(e.idempotencyKey);
    if (id !== undefined) results[i] = { status: "posted", entryId: id, ...after.get(e.memberId)! };
  });
  if (posted.length > 0) await scheduleMemberSync(q, shop);
  return results as BatchPostResult[];
}
