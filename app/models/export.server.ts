// Exports as CSV, streamed a page at a time (keyset on id), never built as one string: the shop's
// members (in the generic import format's columns, so an export can be imported again) and its
// ledger. Every query is scoped by shop; starting an export is recorded in the audit log.
import { csvLine } from "~/domain/csv";
import type { Sql } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { recordAudit } from "./audit.server";

export type ExportKind = "members" | "ledger";
const PAGE = 1000;

export const EXPORT_COLUMNS: Record<ExportKind, string[]> = {
  members: ["customer_id", "email", "first_name", "last_name", "points", "points_pending", "lifetime_earned", "birthday", "tier", "referral_code", "excluded", "blocked", "member_since"],
  ledger: ["entry_id", "created_at", "customer_id", "bucket", "points", "kind", "reason", "source_type", "source_id", "reverses_entry_id", "note"],
};

const iso = (v: unknown) => toDate(v)?.toISOString() ?? "";
const numericId = (gid: string) => /\/(\d+)$/.exec(gid)?.[1] ?? gid;

async function* memberLines(sql: Sql, shop: string): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const rows = await sql.all<Record<string, unknown>>(
      `SELECT id, customer_gid, email, first_name, last_name, points_available, points_pending, lifetime_earned, birthday, imported_tier, imported_referral_code, excluded_at, blocked_at, created_at
         FROM members WHERE shop = ? AND redacted_at IS NULL AND id > ? ORDER BY id LIMIT ?`,
      [shop, after, PAGE],
    );
    if (!rows.length) return;
    let out = "";
    for (const r of rows) {
      out += csvLine([
        numericId(String(r.customer_gid)),
        r.email as string | null,
        r.first_name as string | null,
        r.last_name as string | null,
        Number(r.points_available),
        Number(r.points_pending),
        Number(r.lifetime_earned),
        r.birthday as string | null,
        r.imported_tier as string | null,
        r.imported_referral_code as string | null,
        Boolean(r.excluded_at),
        Boolean(r.blocked_at),
        iso(r.created_at),
      ]);
    }
    yield out;
    after = Number(rows[rows.length - 1]!.id);
  }
}

async function* ledgerLines(sql: Sql, shop: string): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const rows = await sql.all<Record<string, unknown>>(
      `SELECT e.id, e.created_at, m.customer_gid, e.bucket, e.points, e.kind, e.reason, e.source_type, e.source_id, e.reverses_id, e.note
         FROM ledger_entries e JOIN members m ON m.id = e.member_id AND m.shop = e.shop
        WHERE e.shop = ? AND e.id > ? ORDER BY e.id LIMIT ?`,
      [shop, after, PAGE],
    );
    if (!rows.length) return;
    let out = "";
    for (const r of rows) {
      const gid = String(r.customer_gid);
      out += csvLine([
        Number(r.id),
        iso(r.created_at),
        gid.startsWith("redacted:") ? "" : numericId(gid),
        r.bucket as string,
        Number(r.points),
        r.kind as string,
        r.reason as string,
        r.source_type as string | null,
        r.source_id as string | null,
        r.reverses_id === null ? null : Number(r.reverses_id),
        r.note as string | null,
      ]);
    }
    yield out;
    after = Number(rows[rows.length - 1]!.id);
  }
}

/** The export as a byte stream (pulled page by page as the client reads); audited when it starts. */
export async function exportCsv(sql: Sql, shop: string, kind: ExportKind, actor: string): Promise<ReadableStream<Uint8Array>> {
  await sql.tx((q) => recordAudit(q, shop, { actor, action: "export", subjectType: "export", subjectId: kind, after: { kind } }));
  const encoder = new TextEncoder();
  const lines = kind === "members" ? memberLines(sql, shop) : ledgerLines(sql, shop);
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(EXPORT_COLUMNS[kind])));
        return;
      }
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
}
