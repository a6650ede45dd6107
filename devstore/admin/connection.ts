import { GraphQLError } from "graphql";

export const MAX_PAGE_SIZE = 250;

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface ConnectionView<N> {
  /** Nodes returned, for the actual-cost count. */
  readonly __count: number;
  edges: { cursor: string; node: N }[];
  nodes: N[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

type SortValue = string | number;

/** Shopify-style cursor: base64 of {"last_id":…,"last_value":…}. */
export function encodeCursor(id: number, value: SortValue): string {
  return Buffer.from(JSON.stringify({ last_id: id, last_value: String(value) })).toString("base64");
}

function decodeCursor(cursor: string): { id: number; value: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: unknown; last_value?: unknown };
    if (typeof parsed.last_id === "number" && typeof parsed.last_value === "string") return { id: parsed.last_id, value: parsed.last_value };
  } catch {
    // fall through
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort: ${cursor}`, { extensions: { code: "argumentLiteralsIncompatible" } });
}

function compare(a: SortValue, b: SortValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * Relay pagination over records already filtered: sorted by (sortValue, id), reversible,
 * first/last required as Shopify requires, at most 250 per page.
 */
export function paginate<T extends { id: number }, N>(
  records: T[],
  args: PageArgs,
  toNode: (record: T) => N,
  sortValue: (record: T) => SortValue = (r) => r.id,
): ConnectionView<N> {
  const { first, last, after, before } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new GraphQLError("you must provide one of first or last", { extensions: { code: "argumentLiteralsIncompatible" } });
  }
  for (const [name, value] of [["first", first], ["last", last]] as const) {
    if (value !== undefined && value !== null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`The ${name} argument must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`, { extensions: { code: "argumentLiteralsIncompatible" } });
    }
  }
  const keyed = records.map((r) => ({ r, v: sortValue(r) }));
  keyed.sort((a, b) => compare(a.v, b.v) || a.r.id - b.r.id);
  if (args.reverse) keyed.reverse();
  const direction = args.reverse ? -1 : 1;
  const cmpToCursor = (item: { r: T; v: SortValue }, c: { id: number; value: string }) => {
    const v = typeof item.v === "number" ? compare(item.v, Number(c.value)) : compare(String(item.v), c.value);
    return (v || item.r.id - c.id) * direction;
  };
  let window = keyed;
  if (after) {
    const c = decodeCursor(after);
    window = window.filter((item) => cmpToCursor(item, c) > 0);
  }
  if (before) {
    const c = decodeCursor(before);
    window = window.filter((item) => cmpToCursor(item, c) < 0);
  }
  let page = window;
  if (first !== undefined && first !== null) page = page.slice(0, first);
  if (last !== undefined && last !== null) page = page.slice(Math.max(0, page.length - last));
  const startIndex = keyed.indexOf(page[0]!);
  const endIndex = keyed.indexOf(page[page.length - 1]!);
  const edges = page.map((item) => ({ cursor: encodeCursor(item.r.id, item.v), node: toNode(item.r) }));
  return {
    __count: edges.length,
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: page.length > 0 && endIndex < keyed.length - 1,
      hasPreviousPage: page.length > 0 && startIndex > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
