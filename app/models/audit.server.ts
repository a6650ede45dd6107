// The audit log: every staff action in the admin (adjust, exclude / include, block / unblock,
// import, export, API keys made and revoked, changes to rewards, campaigns, budgets and branding, retrying a failed job) with who, what, when, and the state before and after. Written in the same
// transaction as the change it records. Holds no personal data: members are named by id.
import type { Queryable } from "~/lib/sql.server";
import { keyset, pageSize, toPage, type Cursor } from "~/lib/paging.server";
import { toDate } from "~/lib/sql.server";

export type AuditAction =
  | "adjust"
  | "exclude"
  | "include"
  | "block"
  | "unblock"
  | "import"
  | "export"
  | "api_key_create"
  | "api_key_revoke"
  | "retry"
  // the program pages (rewards, campaigns, budgets, branding)
  | "reward_create"
  | "reward_update"
  | "reward_enable"
  | "reward_disable"
  | "campaign_create"
  | "campaign_update"
  | "campaign_end"
  | "budgets"
  | "branding";

export interface AuditInput {
  actor: string;
  action: AuditAction;
  subjectType: "member" | "import" | "export" | "api_key" | "reward" | "campaign" | "program" | "job";
  subjectId?: string | number | null;
  before?: unknown;
  after?: unknown;
  note?: string | null;
}

export async function recordAudit(q: Queryable, shop: string, a: AuditInput): Promise<number> {
  const row = await q.get<{ id: number }>(
    `INSERT INTO audit_log (shop, actor, action, subject_type, subject_id, before_state, after_state, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      shop,
      a.actor.slice(0, 300),
      a.action,
      a.subjectType,
      a.subjectId === undefined || a.subjectId === null ? null : String(a.subjectId),
      a.before === undefined ? null : JSON.stringify(a.before),
      a.after === undefined ? null : JSON.stringify(a.after),
      a.note?.slice(0, 1000) ?? null,
      q.dialect === "sqlite" ? Date.now() : new Date(),
    ],
  );
  return Number(row!.id);
}

export interface AuditView {
  id: number;
  actor: string;
  action: AuditAction;
  subjectType: string;
  subjectId: string | null;
  before: unknown;
  after: unknown;
  note: string | null;
  at: string | null;
}

interface AuditRow {
  id: number;
  actor: string;
  action: AuditAction;
  subject_type: string;
  subject_id: string | null;
  before_state: string | null;
  after_state: string | null;
  note: string | null;
  created_at: unknown;
}

const view = (r: AuditRow): AuditView => ({
  id: Number(r.id),
  actor: r.actor,
  action: r.action,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  before: r.before_state ? JSON.parse(r.before_state) : null,
  after: r.after_state ? JSON.parse(r.after_state) : null,
  note: r.note,
  at: toDate(r.created_at)?.toISOString() ?? null,
});

/** Newest first, `limit` per page, a keyset page (lib/paging); `before` is the last id of the previous page. */
export async function listAudit(q: Queryable, shop: string, opts: { before?: number | null; cursor?: Cursor; limit?: number; subject?: { type: string; id: string } } = {}): Promise<{ entries: AuditView[]; next: number | null; prev: number | null }> {
  const limit = pageSize(opts.limit, 50);
  const cursor = opts.cursor ?? (opts.before ? { before: opts.before } : null);
  const k = keyset(cursor, "id");
  const where = ["shop = ?"];
  const params: unknown[] = [shop];
  if (opts.subject) {
    where.push("subject_type = ?", "subject_id = ?");
    params.push(opts.subject.type, opts.subject.id);
  }
  const rows = await q.all<AuditRow>(`SELECT * FROM audit_log WHERE ${where.join(" AND ")}${k.where} ORDER BY id ${k.order} LIMIT ?`, [...params, ...k.params, limit + 1]);
  const { items, next, prev } = toPage(rows.map(view), limit, cursor, (e) => e.id);
  return { entries: items, next, prev };
}
