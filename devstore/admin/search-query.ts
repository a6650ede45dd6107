/**
 * Shopify's search syntax, the part apps use: `field:value`, comparators (`field:>10`,
 * `created_at:>=2026-01-01`), quoted values, `*` prefix wildcards, implicit AND, OR, NOT / `-`,
 * parentheses, and free text.
 */
export type FieldValue = string | number | boolean | null | undefined | (string | number)[];

export interface Searchable<T> {
  field(record: T, name: string): FieldValue;
  /** Text matched by terms without a field. */
  text(record: T): string;
  /** Fields whose values are times (compared as dates). */
  dateFields?: string[];
}

type Node =
  | { kind: "term"; field: string | null; op: ":" | ">" | "<" | ">=" | "<="; value: string; negate: boolean }
  | { kind: "and" | "or"; left: Node; right: Node }
  | { kind: "not"; node: Node };

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\(|\)|-?[A-Za-z_.]+:(?:>=|<=|>|<)?(?:"[^"]*"|'[^']*'|[^\s()]+)|"[^"]*"|'[^']*'|[^\s()]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(query))) if (m[1]) tokens.push(m[1]);
  return tokens;
}

function parse(tokens: string[]): Node | null {
  let i = 0;
  const primary = (): Node | null => {
    const token = tokens[i++];
    if (token === undefined) return null;
    if (token === "(") {
      const inner = or();
      if (tokens[i] === ")") i++;
      return inner;
    }
    if (token === "NOT") {
      const inner = primary();
      return inner ? { kind: "not", node: inner } : null;
    }
    const negate = token.startsWith("-") && token.length > 1;
    const body = negate ? token.slice(1) : token;
    const m = /^([A-Za-z_.]+):(>=|<=|>|<)?(.*)$/.exec(body);
    const unquote = (v: string) => v.replace(/^"(.*)"$|^'(.*)'$/, "$1$2");
    if (m) return { kind: "term", field: m[1]!.toLowerCase(), op: (m[2] as ">" | undefined) ?? ":", value: unquote(m[3]!), negate };
    return { kind: "term", field: null, op: ":", value: unquote(body), negate };
  };
  const and = (): Node | null => {
    let left = primary();
    while (i < tokens.length && tokens[i] !== ")" && tokens[i] !== "OR") {
      if (tokens[i] === "AND") i++;
      const right = primary();
      if (!right) break;
      left = left ? { kind: "and", left, right } : right;
    }
    return left;
  };
  const or = (): Node | null => {
    let left = and();
    while (tokens[i] === "OR") {
      i++;
      const right = and();
      if (!right) break;
      left = left ? { kind: "or", left, right } : right;
    }
    return left;
  };
  return or();
}

function matchValue(actual: FieldValue, node: Extract<Node, { kind: "term" }>, isDate: boolean): boolean {
  if (Array.isArray(actual)) return actual.some((a) => matchValue(a, node, isDate));
  if (actual === null || actual === undefined) return node.value === "" || node.value === "null";
  if (node.op !== ":") {
    const left = isDate ? Date.parse(String(actual)) : Number(actual);
    const right = isDate ? Date.parse(node.value) : Number(node.value);
    if (Number.isNaN(left) || Number.isNaN(right)) return false;
    return node.op === ">" ? left > right : node.op === "<" ? left < right : node.op === ">=" ? left >= right : left <= right;
  }
  const wanted = node.value.toLowerCase();
  const have = String(actual).toLowerCase();
  if (wanted === "*") return have !== "";
  if (wanted.endsWith("*")) return have.startsWith(wanted.slice(0, -1));
  if (isDate) return have.startsWith(wanted) || Date.parse(have) === Date.parse(wanted);
  return have === wanted;
}

export function compileSearch<T>(query: string | null | undefined, searchable: Searchable<T>): (record: T) => boolean {
  const tree = query ? parse(tokenize(query.trim())) : null;
  if (!tree) return () => true;
  const evaluate = (node: Node, record: T): boolean => {
    switch (node.kind) {
      case "and":
        return evaluate(node.left, record) && evaluate(node.right, record);
      case "or":
        return evaluate(node.left, record) || evaluate(node.right, record);
      case "not":
        return !evaluate(node.node, record);
      case "term": {
        let hit: boolean;
        if (node.field === null) {
          const text = searchable.text(record).toLowerCase();
          const wanted = node.value.toLowerCase().replace(/\*$/, "");
          hit = text.includes(wanted);
        } else {
          hit = matchValue(searchable.field(record, node.field), node, searchable.dateFields?.includes(node.field) ?? false);
        }
        return node.negate ? !hit : hit;
      }
    }
  };
  return (record) => evaluate(tree, record);
}
