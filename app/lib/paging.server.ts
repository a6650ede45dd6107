// Keyset pages for the merchant admin's lists: newest first by the row id, which is unique and
// only grows, so a page never skips or repeats a row while rows are written meanwhile (offsets
// would). A list's position travels in the URL as `before=<id>` (the next, older page) or
// `after=<id>` (the previous, newer one), each list with its own prefix when a page has several.
// The query always filters by shop, so a cursor naming another shop's row only says "older /
// newer than this number" and can't show anything of that shop. Malformed → 400, everywhere.

import { cursorParams } from "./paging";

/** The largest page any admin list serves. */
export const MAX_PAGE = 200;

export type Cursor = { before: number } | { after: number } | null;

export interface Page<T> {
  items: T[];
  /** the cursor for the next (older) page, or null at the end */
  next: number | null;
  /** the cursor for the previous (newer) page, or null on the first page */
  prev: number | null;
}

/** A page size between 1 and MAX_PAGE; anything else falls back to `fallback`. */
export function pageSize(limit: number | undefined, fallback: number): number {
  const n = limit ?? fallback;
  return Number.isSafeInteger(n) ? Math.min(MAX_PAGE, Math.max(1, n)) : fallback;
}


/** The list's cursor from the URL. Absent or empty → the first page; not a positive id, or both
 *  directions at once → a 400 Response (thrown, as Remix loaders do). */
export function readCursor(url: URL, prefix = ""): Cursor {
  const names = cursorParams(prefix);
  const before = url.searchParams.get(names.before) ?? "";
  const after = url.searchParams.get(names.after) ?? "";
  const id = (raw: string, name: string) => {
    const n = Number(raw);
    if (!/^[1-9]\d{0,14}$/.test(raw) || !Number.isSafeInteger(n)) throw new Response(`${name} must be a row id`, { status: 400 });
    return n;
  };
  if (before && after) throw new Response(`${names.before} and ${names.after} exclude each other`, { status: 400 });
  if (before) return { before: id(before, names.before) };
  if (after) return { after: id(after, names.after) };
  return null;
}

/** The SQL for a cursor over `column` (e.g. "r.id"): an extra condition (with its parameter) and
 *  the direction to read in. Append `ORDER BY <column> <order> LIMIT <limit + 1>`. */
export function keyset(cursor: Cursor, column: string): { where: string; params: number[]; order: "DESC" | "ASC" } {
  if (cursor && "before" in cursor) return { where: ` AND ${column} < ?`, params: [cursor.before], order: "DESC" };
  if (cursor && "after" in cursor) return { where: ` AND ${column} > ?`, params: [cursor.after], order: "ASC" };
  return { where: "", params: [], order: "DESC" };
}

/** Rows read with `keyset` (up to limit + 1 of them) → the page, newest first, and its cursors. */
export function toPage<T>(rows: T[], limit: number, cursor: Cursor, idOf: (row: T) => number): Page<T> {
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  if (cursor && "after" in cursor) {
    items.reverse();
    return { items, next: items.length ? idOf(items[items.length - 1]!) : cursor.after + 1, prev: more ? idOf(items[0]!) : null };
  }
  return {
    items,
    next: more ? idOf(items[items.length - 1]!) : null,
    prev: cursor && items.length ? idOf(items[0]!) : null,
  };
}
