// Importing members from a CSV (app/domain/member-import.ts says what rows mean). The file is
// parsed while it uploads and kept in the database in chunks of rows; the dry run checks every row
// and names each bad one without writing a member or an entry; the real run (job
// `import:members`) takes one chunk per transaction and commits the chunk's entries together with
// the import's progress, so after a crash it resumes at the first chunk not committed. Each entry's
// key is `import:<importId>:<row>`, so running a chunk again never posts twice.
import { CsvReader } from "~/domain/csv";
import { detectFormat, ImportFormatError, mapColumns, readRow, reasonOf, rowEntries, type ImportFormat, type ImportRow, type RowError } from "~/domain/member-import";
import { enqueue } from "~/jobs/queue.server";
import { keyset, pageSize, toPage, type Cursor, type Page } from "~/lib/paging.server";
import type { Queryable, Sql } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { recordAudit } from "./audit.server";
import { validateEntry, type EntryInput } from "~/domain/ledger";
import { searchColumns } from "~/domain/members";
import { scheduleMemberSync } from "./member-sync.server";
import { ensureShop } from "./shops.server";

export { ImportFormatError };

/** Rows per stored chunk, and so per transaction of the real run. */
export const CHUNK_ROWS = 10_000;
export const MAX_IMPORT_ROWS = 2_000_000;
/** How long one run of the job works before it hands over to a fresh job (other work goes between). */
export const SLICE_MS = 5_000;

export type ImportStatus = "uploading" | "validating" | "validated" | "queued" | "running" | "done" | "failed";

interface ImportRowDb {
  id: number;
  shop: string;
  filename: string;
  format: ImportFormat | null;
  header: string;
  status: ImportStatus;
  total_rows: number;
  valid_rows: number;
  bad_rows: number;
  done_rows: number;
  next_chunk: number;
  imported_rows: number;
  skipped_rows: number;
  points_imported: number;
  created_by: string;
  last_error: string | null;
  created_at: unknown;
  finished_at: unknown;
}

const now = (q: Queryable) => (q.dialect === "sqlite" ? Date.now() : new Date());

function decode(source: AsyncIterable<string | Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder("utf-8");
  return (async function* () {
    for await (const piece of source) yield typeof piece === "string" ? piece : decoder.decode(piece, { stream: true });
    const rest = decoder.decode();
    if (rest) yield rest;
  })();
}

/**
 * Stores an uploaded CSV: the header decides the format (or checks the one the merchant chose),
 * rows are kept in chunks, and the dry run is queued. Throws ImportFormatError (nothing kept) when
 * the file isn't one of the formats.
 */
export async function createImport(sql: Sql, shop: string, file: { filename: string; actor: string; format?: ImportFormat | null }, source: AsyncIterable<string | Uint8Array>): Promise<number> {
  const reader = new CsvReader();
  let header: string[] | null = null;
  let format: ImportFormat | null = null;
  let id = 0;
  let seq = 0;
  let rowNumber = 1; // the header is row 1, as a spreadsheet counts
  let buffer: string[][] = [];
  let firstRow = 2;
  const flush = async () => {
    if (!buffer.length) return;
    await sql.run(`INSERT INTO member_import_chunks (shop, import_id, seq, first_row, row_count, rows) VALUES (?, ?, ?, ?, ?, ?)`, [shop, id, seq++, firstRow, buffer.length, JSON.stringify(buffer)]);
    firstRow += buffer.length;
    buffer = [];
  };
  const take = async (records: string[][]) => {
    for (const r of records) {
      if (!header) {
        header = r.map((h) => h.trim());
        format = file.format ?? detectFormat(header);
        mapColumns(format, header); // throws naming a missing column
        await ensureShop(sql, shop);
        const row = await sql.get<{ id: number }>(
          `INSERT INTO member_imports (shop, filename, format, header, status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'uploading', ?, ?, ?) RETURNING id`,
          [shop, file.filename.slice(0, 255) || "import.csv", format, JSON.stringify(header), file.actor.slice(0, 300), now(sql), now(sql)],
        );
        id = Number(row!.id);
        continue;
      }
      rowNumber++;
      if (rowNumber - 1 > MAX_IMPORT_ROWS) throw new ImportFormatError("tooManyRows", { max: MAX_IMPORT_ROWS.toLocaleString("en") });
      buffer.push(r);
      if (buffer.length >= CHUNK_ROWS) await flush();
    }
  };
  try {
    for await (const text of decode(source)) await take(reader.push(text));
    await take(reader.end());
    if (!header) throw new ImportFormatError("empty");
    await flush();
  } catch (error) {
    if (id) await discardImport(sql, shop, id);
    throw error;
  }
  await sql.tx(async (q) => {
    await q.run(`UPDATE member_imports SET status = 'validating', total_rows = ?, updated_at = ? WHERE shop = ? AND id = ?`, [rowNumber - 1, now(q), shop, id]);
    await enqueue(q, { shop, kind: "import:members", payload: { importId: id, phase: "validate" }, dedupeKey: `import:${id}:validate`, maxAttempts: 5 });
  });
  return id;
}

async function discardImport(sql: Sql, shop: string, id: number) {
  await sql.tx(async (q) => {
    await q.run(`DELETE FROM member_import_chunks WHERE shop = ? AND import_id = ?`, [shop, id]);
    await q.run(`DELETE FROM member_import_errors WHERE shop = ? AND import_id = ?`, [shop, id]);
    await q.run(`DELETE FROM member_imports WHERE shop = ? AND id = ?`, [shop, id]);
  });
}

async function getImport(q: Queryable, shop: string, id: number): Promise<ImportRowDb | undefined> {
  return q.get<ImportRowDb>(`SELECT * FROM member_imports WHERE shop = ? AND id = ?`, [shop, id]);
}

async function chunk(q: Queryable, shop: string, id: number, seq: number) {
  const c = await q.get<{ first_row: number; row_count: number; rows: string }>(`SELECT first_row, row_count, rows FROM member_import_chunks WHERE shop = ? AND import_id = ? AND seq = ?`, [shop, id, seq]);
  return c ? { firstRow: Number(c.first_row), rowCount: Number(c.row_count), rows: JSON.parse(c.rows) as string[][] } : null;
}

async function insertErrors(q: Queryable, shop: string, id: number, phase: "validate" | "run", errors: RowError[]) {
  for (let i = 0; i < errors.length; i += 200) {
    const part = errors.slice(i, i + 200);
    await q.run(
      `INSERT INTO member_import_errors (shop, import_id, phase, row_number, column_name, reason) VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}
       ON CONFLICT (import_id, phase, row_number, column_name) DO NOTHING`,
      part.flatMap((e) => [shop, id, phase, e.row, e.column.slice(0, 255), e.reason.slice(0, 500)]),
    );
  }
}

/**
 * The dry run: reads every row as the real run will, and records each bad row (its number, column
 * and what is wrong), including a member who appears twice. Writes no member and no entry.
 */
export async function validateImport(sql: Sql, shop: string, id: number): Promise<{ valid: number; bad: number }> {
  const imp = await getImport(sql, shop, id);
  if (!imp || imp.status !== "validating") return { valid: Number(imp?.valid_rows ?? 0), bad: Number(imp?.bad_rows ?? 0) };
  const map = mapColumns(imp.format!, JSON.parse(imp.header) as string[]);
  await sql.run(`DELETE FROM member_import_errors WHERE shop = ? AND import_id = ? AND phase = 'validate'`, [shop, id]);
  const seen = new Map<string, number>();
  let valid = 0;
  let bad = 0;
  let checked = 0;
  for (let seq = 0; ; seq++) {
    const c = await chunk(sql, shop, id, seq);
    if (!c) break;
    const errors: RowError[] = [];
    c.rows.forEach((fields, i) => {
      const rowNumber = c.firstRow + i;
      const r = readRow(map, fields, rowNumber);
      let rowErrors = r.errors;
      if (r.row) {
        const who = r.row.customerGid ?? r.row.email!;
        const first = seen.get(who);
        if (first !== undefined) rowErrors = [{ row: rowNumber, column: map.label[r.row.customerGid ? "customerId" : "email"] ?? "email", reason: reasonOf("duplicate", first) }];
        else seen.set(who, rowNumber);
      }
      if (rowErrors.length) {
        bad++;
        errors.push(...rowErrors);
      } else valid++;
    });
    checked += c.rowCount;
    await sql.tx(async (q) => {
      await insertErrors(q, shop, id, "validate", errors);
      await q.run(`UPDATE member_imports SET done_rows = ?, updated_at = ? WHERE shop = ? AND id = ?`, [checked, now(q), shop, id]);
    });
  }
  await sql.run(`UPDATE member_imports SET status = 'validated', valid_rows = ?, bad_rows = ?, done_rows = 0, updated_at = ? WHERE shop = ? AND id = ? AND status = 'validating'`, [valid, bad, now(sql), shop, id]);
  return { valid, bad };
}

export class ImportStateError extends Error {
  /** 404: no such import in this shop (another shop's id is no different); 422: wrong state */
  constructor(message: string, readonly status: 404 | 422 = 422) {
    super(message);
  }
}

/** The merchant starts the real run of a checked import; recorded in the audit log. */
export async function startImport(sql: Sql, shop: string, id: number, actor: string): Promise<void> {
  await sql.tx(async (q) => {
    const imp = await getImport(q, shop, id);
    if (!imp) throw new ImportStateError("unknown import", 404);
    const r = await q.run(`UPDATE member_imports SET status = 'queued', updated_at = ? WHERE shop = ? AND id = ? AND status = 'validated'`, [now(q), shop, id]);
    if (r.changes !== 1) throw new ImportStateError(`an import that is ${imp.status} can't be started`);
    await recordAudit(q, shop, {
      actor,
      action: "import",
      subjectType: "import",
      subjectId: id,
      before: null,
      after: { filename: imp.filename, format: imp.format, rows: Number(imp.total_rows), valid: Number(imp.valid_rows), bad: Number(imp.bad_rows) },
    });
    await enqueue(q, { shop, kind: "import:members", payload: { importId: id, phase: "run" }, dedupeKey: `import:${id}:run:0`, maxAttempts: 20 });
  });
}

/** Starts a failed import again where it stopped (its committed chunks stay; keys keep it exact). */
export async function resumeImport(sql: Sql, shop: string, id: number, actor: string): Promise<void> {
  await sql.tx(async (q) => {
    const imp = await getImport(q, shop, id);
    if (!imp) throw new ImportStateError("unknown import", 404);
    const r = await q.run(`UPDATE member_imports SET status = 'queued', last_error = NULL, updated_at = ? WHERE shop = ? AND id = ? AND status = 'failed'`, [now(q), shop, id]);
    if (r.changes !== 1) throw new ImportStateError(`an import that is ${imp.status} can't be resumed`);
    await recordAudit(q, shop, { actor, action: "import", subjectType: "import", subjectId: id, before: { status: "failed", doneRows: Number(imp.done_rows) }, after: { status: "queued" }, note: "resumed" });
    await enqueue(q, { shop, kind: "import:members", payload: { importId: id, phase: "run" }, dedupeKey: `import:${id}:resume:${Date.now()}`, maxAttempts: 20 });
  });
}

/** Finds Shopify customers by email: email (lower case) → customer GID. */
export type CustomerLookup = (emails: string[]) => Promise<Map<string, string>>;

export interface SliceResult {
  status: ImportStatus;
  /** the chunk the next slice starts with, when there is more to do */
  nextChunk: number | null;
}

/**
 * Imports chunks, each in one transaction with the import's progress, until the import is done
 * or `budgetMs` has passed. A chunk commits only if the progress still points at it, so two
 * runners can't both take one; a crash loses at most the open transaction.
 */
export async function runImportSlice(sql: Sql, shop: string, id: number, lookup: CustomerLookup | null, opts: { budgetMs?: number; now?: () => number } = {}): Promise<SliceResult> {
  const clock = opts.now ?? Date.now;
  const until = clock() + (opts.budgetMs ?? SLICE_MS);
  const first = await getImport(sql, shop, id);
  if (!first || !["queued", "running"].includes(first.status)) return { status: first?.status ?? "failed", nextChunk: null };
  const map = mapColumns(first.format!, JSON.parse(first.header) as string[]);
  await sql.run(`UPDATE member_imports SET status = 'running', updated_at = ? WHERE shop = ? AND id = ? AND status = 'queued'`, [now(sql), shop, id]);
  for (;;) {
    const imp = (await getImport(sql, shop, id))!;
    const seq = Number(imp.next_chunk);
    const c = await chunk(sql, shop, id, seq);
    if (!c) {
      await sql.tx(async (q) => {
        await q.run(`UPDATE member_imports SET status = 'done', finished_at = ?, updated_at = ? WHERE shop = ? AND id = ? AND status = 'running'`, [now(q), now(q), shop, id]);
        // the file holds customers' personal data and is no longer needed
        await q.run(`DELETE FROM member_import_chunks WHERE shop = ? AND import_id = ?`, [shop, id]);
      });
      return { status: "done", nextChunk: null };
    }
    // rows the dry run found bad are skipped (they are in its report)
    const badRows = new Set(
      (await sql.all<{ row_number: number }>(
        `SELECT DISTINCT row_number FROM member_import_errors WHERE shop = ? AND import_id = ? AND phase = 'validate' AND row_number >= ? AND row_number < ?`,
        [shop, id, c.firstRow, c.firstRow + c.rowCount],
      )).map((r) => Number(r.row_number)),
    );
    const rows: ImportRow[] = [];
    c.rows.forEach((fields, i) => {
      if (badRows.has(c.firstRow + i)) return;
      const r = readRow(map, fields, c.firstRow + i);
      if (r.row) rows.push(r.row);
    });
    // customers by email, asked before the transaction (Shopify is never called inside one)
    const missing = rows.filter((r) => !r.customerGid).map((r) => r.email!);
    const found = missing.length ? await requireLookup(lookup)(missing) : new Map<string, string>();
    const runErrors: RowError[] = [];
    const taken = new Map<string, number>();
    const ready = rows.filter((r) => {
      const gid = r.customerGid ?? found.get(r.email!);
      if (!gid) {
        runErrors.push({ row: r.row, column: map.label.email ?? "email", reason: reasonOf("customer.notFound") });
        return false;
      }
      // one customer twice in a chunk (an id in one row, their email in another)
      const first = taken.get(gid);
      if (first !== undefined) {
        runErrors.push({ row: r.row, column: map.label.email ?? "email", reason: reasonOf("customer.twice", first) });
        return false;
      }
      taken.set(gid, r.row);
      r.customerGid = gid;
      return true;
    });
    await sql.tx(async (q) => {
      const { points, replayed } = await importChunkIn(q, shop, id, ready);
      await insertErrors(q, shop, id, "run", runErrors);
      const moved = await q.run(
        `UPDATE member_imports SET next_chunk = next_chunk + 1, done_rows = done_rows + ?, imported_rows = imported_rows + ?, skipped_rows = skipped_rows + ?, points_imported = points_imported + ?, updated_at = ?
          WHERE shop = ? AND id = ? AND next_chunk = ? AND status = 'running'`,
        [c.rowCount, ready.length - replayed, c.rowCount - ready.length, points, now(q), shop, id, seq],
      );
      if (moved.changes !== 1) throw new ImportStateError(`chunk ${seq} of import ${id} was taken by another run`);
    });
    if (clock() >= until) return { status: "running", nextChunk: seq + 1 };
  }
}

function requireLookup(lookup: CustomerLookup | null): CustomerLookup {
  if (!lookup) throw new Error("rows without a customer id need the Admin API to find customers by email");
  return lookup;
}

const STATEMENT_ROWS = 500;

/**
 * A chunk's rows in the caller's transaction, in a few statements rather than a few per row (a
 * 1 M-row import must finish in minutes). The members are upserted together — profile fields and
 * the birthday fill only what is unknown, tier and referral code come from the file — and each
 * member's balance moves by the row's total in the same statement; the entries are then inserted
 * together under their keys, and a member whose entries were already there (a replayed chunk) gets
 * its total back. All in the one transaction, so the balance always equals its entries, as with
 * postEntryIn. A row's total is its balance in the file (≥ 0), so no balance falls by an import.
 * Returns the points the new entries added and the rows that were imported before (replayed).
 */
async function importChunkIn(q: Queryable, shop: string, importId: number, rows: ImportRow[]): Promise<{ points: number; replayed: number }> {
  if (!rows.length) return { points: 0, replayed: 0 };
  const at = now(q);
  const planned = rows.map((r) => ({ row: r, entries: rowEntries(importId, r) }));
  const ids = new Map<string, number>();
  for (let i = 0; i < planned.length; i += STATEMENT_ROWS) {
    const part = planned.slice(i, i + STATEMENT_ROWS);
    const returned = await q.all<{ id: number; customer_gid: string }>(
      `INSERT INTO members (shop, customer_gid, email, first_name, last_name, search_email, search_first, search_last, birthday, imported_tier, imported_referral_code, points_available, metafields_dirty, points_pending, lifetime_earned, created_at, updated_at)
       VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)").join(", ")}
       ON CONFLICT (shop, customer_gid) DO UPDATE SET
         email = COALESCE(members.email, excluded.email),
         first_name = COALESCE(members.first_name, excluded.first_name),
         last_name = COALESCE(members.last_name, excluded.last_name),
         search_email = CASE WHEN members.email IS NULL THEN excluded.search_email ELSE members.search_email END,
         search_first = CASE WHEN members.first_name IS NULL THEN excluded.search_first ELSE members.search_first END,
         search_last = CASE WHEN members.last_name IS NULL THEN excluded.search_last ELSE members.search_last END,
         birthday = COALESCE(members.birthday, excluded.birthday),
         imported_tier = COALESCE(excluded.imported_tier, members.imported_tier),
         imported_referral_code = COALESCE(excluded.imported_referral_code, members.imported_referral_code),
         points_available = members.points_available + excluded.points_available,
         metafields_dirty = CASE WHEN excluded.points_available <> 0 THEN excluded.metafields_dirty ELSE members.metafields_dirty END,
         updated_at = excluded.updated_at
       RETURNING id, customer_gid`,
      part.flatMap(({ row: r, entries }) => {
        const search = searchColumns(r);
        const total = entries.reduce((sum, e) => sum + e.points, 0);
        return [shop, r.customerGid, r.email, r.firstName, r.lastName, search.searchEmail, search.searchFirst, search.searchLast, r.birthday, r.tier, r.referralCode, total, total !== 0, at, at];
      }),
    );
    for (const m of returned) ids.set(m.customer_gid, Number(m.id));
  }
  // what each member's balance was moved by, less what the new entries explain: their total back
  const unexplained = new Map<number, number>();
  const entries = planned.flatMap(({ row: r, entries: list }) => {
    const memberId = ids.get(r.customerGid!)!;
    return list.map((e) => {
      unexplained.set(memberId, (unexplained.get(memberId) ?? 0) + e.points);
      const entry: EntryInput = { memberId, bucket: "available", points: e.points, kind: "migrate", reason: e.reason, idempotencyKey: e.key, note: e.note, sourceType: "import", sourceId: String(importId), allowNegative: true };
      validateEntry(entry);
      return entry;
    });
  });
  let added = 0;
  for (let i = 0; i < entries.length; i += STATEMENT_ROWS) {
    const part = entries.slice(i, i + STATEMENT_ROWS);
    const inserted = await q.all<{ member_id: number; points: number }>(
      `INSERT INTO ledger_entries (shop, member_id, bucket, points, kind, reason, source_type, source_id, idempotency_key, note, created_at)
       VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
       ON CONFLICT (shop, idempotency_key) DO NOTHING
       RETURNING member_id, points`,
      part.flatMap((e) => [shop, e.memberId, e.bucket, e.points, e.kind, e.reason, e.sourceType, e.sourceId, e.idempotencyKey, e.note ?? null, at]),
    );
    for (const e of inserted) {
      unexplained.set(Number(e.member_id), unexplained.get(Number(e.member_id))! - Number(e.points));
      added += Number(e.points);
    }
  }
  let replayed = 0;
  for (const [memberId, points] of unexplained) {
    if (points === 0) continue;
    replayed++;
    await q.run(`UPDATE members SET points_available = points_available - ? WHERE id = ? AND shop = ?`, [points, memberId, shop]);
  }
  if (entries.length) await scheduleMemberSync(q, shop);
  return { points: added, replayed };
}

/** Marks an import failed for good (the job gave up); what was committed stays. */
export async function failImport(sql: Sql, shop: string, id: number, message: string): Promise<void> {
  await sql.run(`UPDATE member_imports SET status = 'failed', last_error = ?, updated_at = ? WHERE shop = ? AND id = ? AND status <> 'done'`, [message.slice(0, 2000), now(sql), shop, id]);
}

export interface ImportView {
  id: number;
  filename: string;
  format: ImportFormat | null;
  status: ImportStatus;
  totalRows: number;
  validRows: number;
  badRows: number;
  doneRows: number;
  importedRows: number;
  skippedRows: number;
  pointsImported: number;
  /** 0–100: of the check while validating, of the import while running */
  percent: number;
  createdBy: string;
  createdAt: string | null;
  finishedAt: string | null;
  lastError: string | null;
}

const importView = (r: ImportRowDb): ImportView => {
  const total = Number(r.total_rows);
  const done = Number(r.done_rows);
  const status = r.status;
  const percent = status === "done" || status === "validated" ? 100 : total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
  return {
    id: Number(r.id),
    filename: r.filename,
    format: r.format,
    status,
    totalRows: total,
    validRows: Number(r.valid_rows),
    badRows: Number(r.bad_rows),
    doneRows: done,
    importedRows: Number(r.imported_rows),
    skippedRows: Number(r.skipped_rows),
    pointsImported: Number(r.points_imported),
    percent,
    createdBy: r.created_by,
    createdAt: toDate(r.created_at)?.toISOString() ?? null,
    finishedAt: toDate(r.finished_at)?.toISOString() ?? null,
    lastError: r.last_error,
  };
};

export async function importStatus(q: Queryable, shop: string, id: number): Promise<ImportView | null> {
  const r = await getImport(q, shop, id);
  return r ? importView(r) : null;
}

/** The shop's imports, newest first, a keyset page (`cursor` from the URL, see lib/paging). */
export async function listImports(q: Queryable, shop: string, opts: { cursor?: Cursor; limit?: number } = {}): Promise<Page<ImportView>> {
  const limit = pageSize(opts.limit, 10);
  const k = keyset(opts.cursor ?? null, "id");
  const rows = await q.all<ImportRowDb>(`SELECT * FROM member_imports WHERE shop = ?${k.where} ORDER BY id ${k.order} LIMIT ?`, [shop, ...k.params, limit + 1]);
  return toPage(rows.map(importView), limit, opts.cursor ?? null, (i) => i.id);
}

/** The report: bad rows of the dry run ("validate") or rows the run couldn't import ("run"), by row. */
export async function importErrors(q: Queryable, shop: string, id: number, phase: "validate" | "run", afterRow = 0, limit = 100): Promise<{ errors: RowError[]; total: number }> {
  const rows = await q.all<{ row_number: number; column_name: string; reason: string }>(
    `SELECT row_number, column_name, reason FROM member_import_errors WHERE shop = ? AND import_id = ? AND phase = ? AND row_number > ? ORDER BY row_number, column_name LIMIT ?`,
    [shop, id, phase, afterRow, limit],
  );
  const total = await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM member_import_errors WHERE shop = ? AND import_id = ? AND phase = ?`, [shop, id, phase]);
  return { errors: rows.map((r) => ({ row: Number(r.row_number), column: r.column_name, reason: r.reason })), total: Number(total?.n ?? 0) };
}
