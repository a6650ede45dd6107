// What the merchant API (docs/api.md) reads and writes: members with their balances, tier and
// referral link; their ledger entries; adjustments with an Idempotency-Key whose answer is kept
// and replayed. Every function takes the shop.
import { createHash } from "node:crypto";
import { searchColumns } from "~/domain/members";
import { levelOf } from "~/domain/tiers";
import type { Queryable, Sql } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { recordAudit } from "./audit.server";
import { programOf } from "./earning.server";
import { getMember, InsufficientPointsError, postEntryIn } from "./ledger.server";

export interface ApiMember {
  customerId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  points: { available: number; pending: number; lifetimeEarned: number };
  tier: { id: string; name: { en: string; de: string } } | null;
  referralLink: string | null;
  excluded: boolean;
  blocked: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

interface Row {
  id: number;
  customer_gid: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  points_available: number;
  points_pending: number;
  lifetime_earned: number;
  tier_id: string | null;
  excluded_at: unknown;
  blocked_at: unknown;
  created_at: unknown;
  updated_at: unknown;
  referral_code: string | null;
}

const COLUMNS = `m.id, m.customer_gid, m.email, m.first_name, m.last_name, m.points_available, m.points_pending, m.lifetime_earned, m.tier_id,
  m.excluded_at, m.blocked_at, m.created_at, m.updated_at, rc.code AS referral_code`;
const FROM = `members m LEFT JOIN referral_codes rc ON rc.shop = m.shop AND rc.member_id = m.id`;

/** What turns rows into API members: the shop's tiers and the base of referral links. */
async function shaper(q: Queryable, shop: string): Promise<(r: Row) => ApiMember> {
  const s = await q.get<{ program: string | null; primary_domain: string | null }>(`SELECT program, primary_domain FROM shops WHERE domain = ?`, [shop]);
  const program = programOf({ program: s?.program ?? null });
  const base = `https://${s?.primary_domain || shop}/apps/loyalty/r/`;
  return (r) => {
    const level = program.tiers.enabled ? levelOf(program.tiers, r.tier_id) : undefined;
    return {
      customerId: r.customer_gid,
      email: r.email,
      firstName: r.first_name,
      lastName: r.last_name,
      points: { available: Number(r.points_available), pending: Number(r.points_pending), lifetimeEarned: Number(r.lifetime_earned) },
      tier: level ? { id: level.id, name: { en: level.name.en, de: level.name.de } } : null,
      referralLink: r.referral_code ? base + r.referral_code : null,
      excluded: Boolean(r.excluded_at),
      blocked: Boolean(r.blocked_at),
      createdAt: toDate(r.created_at)?.toISOString() ?? null,
      updatedAt: toDate(r.updated_at)?.toISOString() ?? null,
    };
  };
}

export interface MemberFilter {
  email?: string | null;
  updatedSince?: Date | null;
}

/** Members by id, oldest first, after `after` (keyset: a walk sees each member once). */
export async function apiListMembers(q: Queryable, shop: string, filter: MemberFilter, after: number | null, limit: number): Promise<{ members: ApiMember[]; last: number | null }> {
  const where = ["m.shop = ?", "m.redacted_at IS NULL"];
  const params: unknown[] = [shop];
  if (filter.email) {
    where.push("m.search_email = ?");
    params.push(searchColumns({ email: filter.email }).searchEmail);
  }
  if (filter.updatedSince) {
    where.push("m.updated_at >= ?");
    params.push(q.dialect === "sqlite" ? filter.updatedSince.getTime() : filter.updatedSince);
  }
  if (after) {
    where.push("m.id > ?");
    params.push(after);
  }
  const rows = await q.all<Row>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${where.join(" AND ")} ORDER BY m.id LIMIT ?`, [...params, limit + 1]);
  const shape = await shaper(q, shop);
  const page = rows.slice(0, limit);
  return { members: page.map(shape), last: rows.length > limit ? Number(page[page.length - 1]!.id) : null };
}

export type MemberRef = { customerGid: string } | { email: string };

/** The path segment with its %-escapes undone, or as it is when they aren't valid ones: Remix has
 *  decoded it already, so a "%" left in it (…/members/50%25off) is a character, not an escape —
 *  decodeURIComponent threw on it and the API answered 500 (found by the fuzz, #12). */
function decodedOnce(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** "7360236568613", "gid://shopify/Customer/7360236568613" or an email; null when it is neither. */
export function parseMemberRef(raw: string | undefined): MemberRef | null {
  const ref = decodedOnce(raw ?? "").trim();
  const id = /^(?:gid:\/\/shopify\/Customer\/)?(\d{1,20})$/.exec(ref)?.[1];
  if (id) return { customerGid: `gid://shopify/Customer/${id}` };
  if (/^[^\s@]{1,200}@[^\s@]{1,200}$/.test(ref)) return { email: ref };
  return null;
}

/** The member a reference names in this shop: its id and API view, "ambiguous" when an email names
 *  several, or null. */
export async function apiFindMember(q: Queryable, shop: string, ref: MemberRef): Promise<{ id: number; member: ApiMember } | "ambiguous" | null> {
  const [cond, value] = "customerGid" in ref ? ["m.customer_gid = ?", ref.customerGid] : ["m.search_email = ?", searchColumns({ email: ref.email }).searchEmail];
  const rows = await q.all<Row>(`SELECT ${COLUMNS} FROM ${FROM} WHERE m.shop = ? AND ${cond} AND m.redacted_at IS NULL ORDER BY m.id LIMIT 2`, [shop, value]);
  if (!rows.length) return null;
  if (rows.length > 1) return "ambiguous";
  return { id: Number(rows[0]!.id), member: (await shaper(q, shop))(rows[0]!) };
}

export interface ApiEntry {
  id: number;
  points: number;
  bucket: string;
  kind: string;
  reason: string;
  note: string | null;
  source: { type: string; id: string | null } | null;
  createdAt: string | null;
}

/** The member's ledger entries, newest first, before `before` (keyset). */
export async function apiMemberEntries(q: Queryable, shop: string, memberId: number, before: number | null, limit: number): Promise<{ entries: ApiEntry[]; last: number | null }> {
  const rows = await q.all<{ id: number; created_at: unknown; points: number; bucket: string; kind: string; reason: string; note: string | null; source_type: string | null; source_id: string | null }>(
    `SELECT id, created_at, points, bucket, kind, reason, note, source_type, source_id FROM ledger_entries
      WHERE shop = ? AND member_id = ?${before ? " AND id < ?" : ""} ORDER BY id DESC LIMIT ?`,
    [shop, memberId, ...(before ? [before] : []), limit + 1],
  );
  const entries = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    points: Number(r.points),
    bucket: r.bucket,
    kind: r.kind,
    reason: r.reason,
    note: r.note,
    source: r.source_type ? { type: r.source_type, id: r.source_id } : null,
    createdAt: toDate(r.created_at)?.toISOString() ?? null,
  }));
  return { entries, last: rows.length > limit ? entries[entries.length - 1]!.id : null };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** true when this is the kept answer to an earlier request with the same Idempotency-Key */
  replayed?: boolean;
}

const fingerprint = (request: unknown) => createHash("sha256").update(JSON.stringify(request)).digest("hex");

/** Thrown inside the transaction to roll it back and answer with something else. */
class Rollback extends Error {
  constructor(readonly answer: Answer) {
    super("rollback");
  }
}

/**
 * Runs `fn` once per (shop, Idempotency-Key): its answer is stored in the same transaction as what
 * it wrote. A repeat of the same request gets the stored answer; the same key with a different
 * request gets 422. Concurrent duplicates wait on the key's unique index (PostgreSQL) or the
 * write lock (SQLite) and then read the first one's answer. An answer `fn` gives by throwing
 * (via `refuse`) rolls back and is not kept, so a retry is evaluated afresh.
 */
export async function onceForKey(sql: Sql, shop: string, key: string, request: unknown, fn: (q: Queryable, refuse: (a: Answer) => never) => Promise<Answer>): Promise<Answer> {
  const fp = fingerprint(request);
  try {
    return await sql.tx(async (q) => {
      const mine = await q.get<{ id: number }>(
        `INSERT INTO api_idempotency (shop, idem_key, fingerprint, status, response, created_at) VALUES (?, ?, ?, 0, '', ?) ON CONFLICT (shop, idem_key) DO NOTHING RETURNING id`,
        [shop, key, fp, q.dialect === "sqlite" ? Date.now() : new Date()],
      );
      if (!mine) {
        const kept = await q.get<{ fingerprint: string; status: number; response: string }>(`SELECT fingerprint, status, response FROM api_idempotency WHERE shop = ? AND idem_key = ?`, [shop, key]);
        if (!kept || kept.fingerprint !== fp) {
          return { status: 422, body: { error: "this Idempotency-Key was used for a different request", code: "idempotency_key_reused", fieldErrors: { "Idempotency-Key": "was used for a different request" } } };
        }
        return { status: Number(kept.status), body: JSON.parse(kept.response) as Record<string, unknown>, replayed: true };
      }
      const answer = await fn(q, (a) => {
        throw new Rollback(a);
      });
      await q.run(`UPDATE api_idempotency SET status = ?, response = ? WHERE id = ?`, [answer.status, JSON.stringify(answer.body), mine.id]);
      return answer;
    });
  } catch (error) {
    if (error instanceof Rollback) return error.answer;
    throw error;
  }
}

export interface ApiAdjustment {
  type: "award" | "deduct";
  points: number;
  reason: string;
  note?: string | null;
}

/**
 * Awards or deducts points for a member through the API: one "adjust" entry (never below zero),
 * audited as the key, once per Idempotency-Key.
 */
export async function apiAdjust(sql: Sql, shop: string, memberId: number, input: ApiAdjustment, idemKey: string, actor: string): Promise<Answer> {
  const signed = input.type === "award" ? input.points : -input.points;
  return onceForKey(sql, shop, idemKey, { op: "adjust", memberId, ...input, note: input.note ?? null }, async (q, refuse) => {
    const before = await getMember(q, shop, memberId);
    if (!before) refuse({ status: 404, body: { error: "no such member", code: "not_found" } });
    let posted;
    try {
      posted = await postEntryIn(q, shop, {
        memberId,
        bucket: "available",
        points: signed,
        kind: "adjust",
        reason: `api:${input.reason}`.slice(0, 200),
        sourceType: "api",
        sourceId: actor,
        idempotencyKey: `adjust:api:${idemKey}`,
        note: input.note ?? null,
      });
    } catch (error) {
      if (!(error instanceof InsufficientPointsError)) throw error;
      refuse({
        status: 409,
        body: { error: `the member has ${Number(before!.points_available)} points; ${input.points} can't be deducted`, code: "insufficient_points", available: Number(before!.points_available) },
      });
    }
    const after = (await getMember(q, shop, memberId))!;
    await recordAudit(q, shop, {
      actor,
      action: "adjust",
      subjectType: "member",
      subjectId: memberId,
      before: { pointsAvailable: Number(before!.points_available) },
      after: { pointsAvailable: Number(after.points_available), entryId: posted!.entryId, points: signed, reason: input.reason },
      note: input.note ?? null,
    });
    const entry = await q.get<{ created_at: unknown }>(`SELECT created_at FROM ledger_entries WHERE shop = ? AND id = ?`, [shop, posted!.entryId]);
    return {
      status: 201,
      body: {
        adjustment: { entryId: posted!.entryId, type: input.type, points: signed, reason: input.reason, note: input.note ?? null, createdAt: toDate(entry?.created_at)?.toISOString() ?? null },
        member: { customerId: after.customer_gid, points: { available: Number(after.points_available), pending: Number(after.points_pending) } },
      },
    };
  });
}
