// The merchant's view of members: search, one member's page, manual adjustments, and the staff
// decisions to exclude a member from the program or block them. Every function takes the shop;
// every change is recorded in the audit log in its own transaction.
import { prefixUpperBound, searchPlan, type AdjustmentInput } from "~/domain/members";
import { keys } from "~/domain/ledger";
import type { Queryable, Sql } from "~/lib/sql.server";
import { keyset, pageSize, toPage, type Cursor } from "~/lib/paging.server";
import { toDate } from "~/lib/sql.server";
import { recordAudit } from "./audit.server";
import { getMember, InsufficientPointsError, postEntryIn, type MemberRow } from "./ledger.server";

export const MEMBERS_PER_PAGE = 50;

export interface MemberListItem {
  id: number;
  customerGid: string;
  email: string | null;
  name: string;
  pointsAvailable: number;
  pointsPending: number;
  lifetimeEarned: number;
  excluded: boolean;
  blocked: boolean;
}

const listItem = (m: MemberRow): MemberListItem => ({
  id: Number(m.id),
  customerGid: m.customer_gid,
  email: m.email,
  name: [m.first_name, m.last_name].filter(Boolean).join(" "),
  pointsAvailable: Number(m.points_available),
  pointsPending: Number(m.points_pending),
  lifetimeEarned: Number(m.lifetime_earned),
  excluded: Boolean(m.excluded_at),
  blocked: Boolean(m.blocked_at),
});

/**
 * Members newest first, 50 a page; `after` is the last id of the previous page (keyset). With a
 * query: members whose email, first or last name starts with it (case-insensitive), each prefix an
 * index range on (shop, column); the ranges' matches are merged by id.
 */
export async function searchMembers(q: Queryable, shop: string, query: string | null, after: number | null = null, limit = MEMBERS_PER_PAGE): Promise<{ members: MemberListItem[]; next: number | null }> {
  const plan = searchPlan(query);
  const idBound = after ? " AND id < ?" : "";
  const idParam = after ? [after] : [];
  let rows: MemberRow[];
  if (!Array.isArray(plan)) {
    rows = await q.all<MemberRow>(`SELECT * FROM members WHERE shop = ? AND redacted_at IS NULL${idBound} ORDER BY id DESC LIMIT ?`, [shop, ...idParam, limit + 1]);
  } else {
    const byId = new Map<number, MemberRow>();
    for (const p of plan) {
      // the range uses the index; substr() keeps it exact whatever the database's collation
      let sql = `SELECT * FROM members WHERE shop = ? AND ${p.column} >= ? AND ${p.column} < ? AND substr(${p.column}, 1, ?) = ?`;
      const params: unknown[] = [shop, p.prefix, prefixUpperBound(p.prefix), p.prefix.length, p.prefix];
      if (p.and) {
        sql += ` AND substr(${p.and.column}, 1, ?) = ?`;
        params.push(p.and.prefix.length, p.and.prefix);
      }
      for (const r of await q.all<MemberRow>(`${sql}${idBound} ORDER BY id DESC LIMIT ?`, [...params, ...idParam, limit + 1])) byId.set(Number(r.id), r);
    }
    rows = [...byId.values()].sort((a, b) => Number(b.id) - Number(a.id)).slice(0, limit + 1);
  }
  const members = rows.slice(0, limit).map(listItem);
  return { members, next: rows.length > limit ? members[members.length - 1]!.id : null };
}

export interface MemberDetail extends MemberListItem {
  firstName: string | null;
  lastName: string | null;
  birthday: string | null;
  importedTier: string | null;
  importedReferralCode: string | null;
  createdAt: string | null;
  excludedAt: string | null;
  blockedAt: string | null;
}

export async function memberDetail(q: Queryable, shop: string, memberId: number): Promise<MemberDetail | null> {
  const m = await getMember(q, shop, memberId);
  if (!m) return null;
  return {
    ...listItem(m),
    firstName: m.first_name,
    lastName: m.last_name,
    birthday: m.birthday,
    importedTier: m.imported_tier,
    importedReferralCode: m.imported_referral_code,
    createdAt: toDate(m.created_at)?.toISOString() ?? null,
    excludedAt: toDate(m.excluded_at)?.toISOString() ?? null,
    blockedAt: toDate(m.blocked_at)?.toISOString() ?? null,
  };
}

export interface HistoryLine {
  id: number;
  at: string | null;
  points: number;
  bucket: string;
  kind: string;
  reason: string;
  note: string | null;
  source: string | null;
}

/** The member's entries, newest first; `before` is the last id of the previous page. */
export async function memberHistory(q: Queryable, shop: string, memberId: number, before: number | null = null, limit = 25): Promise<{ lines: HistoryLine[]; next: number | null }> {
  const rows = await q.all<{ id: number; created_at: unknown; points: number; bucket: string; kind: string; reason: string; note: string | null; source_type: string | null; source_id: string | null }>(
    `SELECT id, created_at, points, bucket, kind, reason, note, source_type, source_id FROM ledger_entries
      WHERE shop = ? AND member_id = ?${before ? " AND id < ?" : ""} ORDER BY id DESC LIMIT ?`,
    [shop, memberId, ...(before ? [before] : []), limit + 1],
  );
  const lines = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    at: toDate(r.created_at)?.toISOString() ?? null,
    points: Number(r.points),
    bucket: r.bucket,
    kind: r.kind,
    reason: r.reason,
    note: r.note,
    source: r.source_type ? `${r.source_type}${r.source_id ? ` ${r.source_id}` : ""}` : null,
  }));
  return { lines, next: rows.length > limit ? lines[lines.length - 1]!.id : null };
}

/** The member's codes (every redemption, newest first), a keyset page (lib/paging). */
export async function memberRedemptions(q: Queryable, shop: string, memberId: number, opts: { cursor?: Cursor; limit?: number } = {}) {
  const limit = pageSize(opts.limit, 50);
  const k = keyset(opts.cursor ?? null, "id");
  const rows = await q.all<{ id: number; code: string; status: string; points: number; created_at: unknown; granted_by: string | null; order_gid: string | null }>(
    `SELECT id, code, status, points, created_at, granted_by, order_gid FROM redemptions WHERE shop = ? AND member_id = ?${k.where} ORDER BY id ${k.order} LIMIT ?`,
    [shop, memberId, ...k.params, limit + 1],
  );
  const codes = rows.map((r) => ({ id: Number(r.id), code: r.code, status: r.status, points: Number(r.points), at: toDate(r.created_at)?.toISOString() ?? null, grantedBy: r.granted_by, orderGid: r.order_gid }));
  return toPage(codes, limit, opts.cursor ?? null, (c) => c.id);
}

export class MemberNotFound extends Error {}

export type AdjustResult =
  | { status: "posted"; entryId: number; balance: number }
  | { status: "duplicate"; entryId: number; balance: number }
  | { status: "insufficient"; balance: number };

/**
 * A manual adjustment: one "adjust" entry whose key comes from the form's token, so a double
 * submit posts once. A debit can't take the balance below 0 unless the merchant allows it; the
 * audit entry is written in the same transaction, only when the entry is new.
 */
export async function adjustMember(sql: Sql, shop: string, memberId: number, input: AdjustmentInput, actor: string): Promise<AdjustResult> {
  try {
    return await sql.tx(async (q) => {
      const before = await getMember(q, shop, memberId);
      if (!before) throw new MemberNotFound(String(memberId));
      const posted = await postEntryIn(q, shop, {
        memberId,
        bucket: "available",
        points: input.points,
        kind: "adjust",
        reason: `manual:${input.reason}`,
        sourceType: "staff",
        sourceId: actor.slice(0, 200),
        idempotencyKey: keys.manual(input.token),
        note: input.note,
        allowNegative: input.allowNegative,
      });
      const after = (await getMember(q, shop, memberId))!;
      if (posted.duplicate) return { status: "duplicate" as const, entryId: posted.entryId, balance: Number(after.points_available) };
      await recordAudit(q, shop, {
        actor,
        action: "adjust",
        subjectType: "member",
        subjectId: memberId,
        before: { pointsAvailable: Number(before.points_available) },
        after: { pointsAvailable: Number(after.points_available), entryId: posted.entryId, points: input.points, reason: input.reason, allowNegative: input.allowNegative },
        note: input.note,
      });
      return { status: "posted" as const, entryId: posted.entryId, balance: Number(after.points_available) };
    });
  } catch (error) {
    if (!(error instanceof InsufficientPointsError)) throw error;
    const m = await getMember(sql, shop, memberId);
    return { status: "insufficient", balance: Number(m?.points_available ?? 0) };
  }
}

export type StatusChange = "exclude" | "include" | "block" | "unblock";

/** Excludes / includes or blocks / unblocks a member; returns false when it already was so. */
export async function setMemberStatus(sql: Sql, shop: string, memberId: number, change: StatusChange, actor: string, note?: string | null): Promise<boolean> {
  const column = change === "exclude" || change === "include" ? "excluded_at" : "blocked_at";
  const on = change === "exclude" || change === "block";
  return sql.tx(async (q) => {
    const before = await getMember(q, shop, memberId);
    if (!before) throw new MemberNotFound(String(memberId));
    const r = await q.run(`UPDATE members SET ${column} = ? WHERE shop = ? AND id = ? AND ${column} IS ${on ? "NULL" : "NOT NULL"}`, [
      on ? (q.dialect === "sqlite" ? Date.now() : new Date()) : null,
      shop,
      memberId,
    ]);
    if (r.changes !== 1) return false;
    const flags = (m: MemberRow) => ({ excluded: Boolean(m.excluded_at), blocked: Boolean(m.blocked_at) });
    await recordAudit(q, shop, { actor, action: change, subjectType: "member", subjectId: memberId, before: flags(before), after: flags((await getMember(q, shop, memberId))!), note: note ?? null });
    return true;
  });
}

/** A member's standing, for the earning engine, redemptions and the storefront. */
export async function memberStanding(q: Queryable, shop: string, customerGid: string): Promise<{ excluded: boolean; blocked: boolean }> {
  const row = await q.get<{ excluded_at: unknown; blocked_at: unknown }>(`SELECT excluded_at, blocked_at FROM members WHERE shop = ? AND customer_gid = ?`, [shop, customerGid]);
  return { excluded: Boolean(row?.excluded_at), blocked: Boolean(row?.blocked_at) };
}
