// Rules for the merchant's member pages that need no database: how names and emails are folded
// for search, what a search looks for, and what a manual adjustment may be.

/** Lower case with JavaScript's full Unicode folding (SQLite's lower() folds ASCII only), trimmed. */
export function fold(value: string | null | undefined): string | null {
  // a webhook's payload is Shopify's word, not a type: a number or an object here folds to nothing
  const v = typeof value === "string" ? value.trim().toLowerCase() : null;
  return v ? v : null;
}

/** The search columns a member's profile gives. */
export function searchColumns(p: { email?: string | null; firstName?: string | null; lastName?: string | null }) {
  return { searchEmail: fold(p.email), searchFirst: fold(p.firstName), searchLast: fold(p.lastName) };
}

export type SearchPlan =
  | { kind: "all" }
  /** prefix of one indexed column, optionally narrowed by a second prefix (first + last name) */
  | { kind: "prefix"; column: "search_email" | "search_first" | "search_last"; prefix: string; and?: { column: "search_last"; prefix: string } }[];

/**
 * What a search box query looks for, as prefixes of indexed columns (any may match): an email
 * prefix; a first or last name prefix; "first last" as both; the whole text as a last name
 * ("von der Leyen") or a first name ("Anna Lena").
 */
export function searchPlan(query: string | null | undefined): SearchPlan {
  const q = fold(query?.replace(/\s+/g, " ").slice(0, 100));
  if (!q) return { kind: "all" };
  if (q.includes("@")) return [{ kind: "prefix", column: "search_email", prefix: q }];
  const plan: Exclude<SearchPlan, { kind: "all" }> = [
    { kind: "prefix", column: "search_email", prefix: q },
    { kind: "prefix", column: "search_first", prefix: q },
    { kind: "prefix", column: "search_last", prefix: q },
  ];
  const space = q.indexOf(" ");
  if (space > 0) plan.push({ kind: "prefix", column: "search_first", prefix: q.slice(0, space), and: { column: "search_last", prefix: q.slice(space + 1) } });
  return plan;
}

/** The smallest string greater than every string starting with `prefix` (for an index range). */
export function prefixUpperBound(prefix: string): string {
  const last = prefix.codePointAt(prefix.length - 1)!;
  const head = prefix.slice(0, prefix.length - (last > 0xffff ? 2 : 1));
  return head + String.fromCodePoint(last + 1);
}

export interface AdjustmentInput {
  points: number;
  reason: string;
  note: string | null;
  allowNegative: boolean;
  token: string;
}

export const MAX_ADJUST_POINTS = 10_000_000;

/** Reads the manual adjustment form; returns the input or a map of field errors. */
export function parseAdjustment(form: { points?: unknown; reason?: unknown; note?: unknown; allowNegative?: unknown; token?: unknown }):
  | { ok: true; value: AdjustmentInput }
  | { ok: false; fieldErrors: Record<string, string> } {
  const fieldErrors: Record<string, string> = {};
  const rawPoints = String(form.points ?? "").trim().replace(/^\+/, "");
  const points = Number(rawPoints);
  if (!/^-?\d+$/.test(rawPoints)) fieldErrors.points = "points.whole";
  else if (points === 0) fieldErrors.points = "points.zero";
  else if (Math.abs(points) > MAX_ADJUST_POINTS) fieldErrors.points = "points.tooMany";
  const reason = String(form.reason ?? "").trim();
  if (!reason) fieldErrors.reason = "reason.required";
  else if (reason.length > 100) fieldErrors.reason = "reason.tooLong";
  const note = String(form.note ?? "").trim();
  if (note.length > 500) fieldErrors.note = "note.tooLong";
  const token = String(form.token ?? "");
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(token)) fieldErrors.token = "token.invalid";
  if (Object.keys(fieldErrors).length) return { ok: false, fieldErrors };
  const allow = form.allowNegative;
  return { ok: true, value: { points, reason, note: note || null, allowNegative: allow === true || allow === "on" || allow === "true", token } };
}
