// The fuzz harness: a seeded PRNG (mulberry32), mutators for JSON values, form fields and raw
// text, and the check every entry point must pass for every input — a Response below 500 (or one
// thrown by the route, as Remix answers it), within a time limit, and nothing written when the
// answer is a refusal. No dependency: the generator is twenty lines and a seed replays a failure.
import { expect } from "vitest";
import type { Sql } from "~/lib/sql.server";

/** FUZZ_SEED replays a run; FUZZ_RUNS scales every entry point's inputs (CI: the defaults). */
export const SEED = Number(process.env.FUZZ_SEED ?? 20261126) >>> 0;
export const runs = (ciDefault: number) => (process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : ciDefault);
/** A door's time limit as a test: 15 minutes, or 300 ms per input in a long run (on a busy shared
 *  machine one door of 10,000 POS customer searches took 17 minutes). The hang check is the
 *  per-input limit below, not this. */
export const doorTimeout = () => Math.max(900_000, runs(0) * 300);
/** A route that takes longer than this on one input is a hang. */
export const INPUT_TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT_MS ?? 10_000);

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  string(max = 12): string {
    const alphabet = "abcXYZ019 -_.:/@%+&=?#\"'\\<>{}[]\u0000\u00e4\u00df\u20ac\u{1F4A5}\n\t";
    const chars = Array.from(alphabet);
    let s = "";
    for (let i = this.int(max + 1); i > 0; i--) s += this.pick(chars);
    return s;
  }
}

/** Values that break naive parsers: wrong types, edges of numbers, long and odd strings. */
export function hostile(r: Rng): unknown {
  const n = r.int(34);
  switch (n) {
    case 0: return null;
    case 1: return true;
    case 2: return 0;
    case 3: return -1;
    case 4: return 1.5;
    case 5: return 1e308;
    case 6: return -1e308;
    case 7: return Number.MAX_SAFE_INTEGER + 2;
    case 8: return 2 ** 31;
    case 9: return "";
    case 10: return " ";
    case 11: return "x".repeat(r.pick([101, 321, 1001, 5000]));
    case 12: return "\u0000";
    case 13: return "💥💥";
    case 14: return "'; DROP TABLE members; --";
    case 15: return "__proto__";
    case 16: return {};
    case 17: return [];
    case 18: return [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]];
    case 19: return { __proto__: { polluted: 1 }, constructor: { prototype: { polluted: 1 } } };
    case 20: return "gid://shopify/Customer/1";
    case 21: return "-5";
    case 22: return "1e999";
    case 23: return "2026-02-30";
    case 24: return "99-99";
    case 25: return "9223372036854775808";
    case 26: return "NaN";
    case 27: return "Infinity";
    case 28: return "<script>alert(1)</script>";
    case 29: return "a@b";
    case 30: return [null, {}, "x"];
    case 31: return r.int(1000) - 500;
    case 32: return "0x10";
    default: return r.string(40);
  }
}

type Json = unknown;
/** Paths to every node of a JSON value (objects and arrays), for picking one to mutate. */
function nodes(v: Json, path: Array<string | number> = [], out: Array<Array<string | number>> = [], depth = 0): Array<Array<string | number>> {
  out.push(path);
  if (depth > 6 || out.length > 400) return out;
  if (Array.isArray(v)) v.forEach((x, i) => nodes(x, [...path, i], out, depth + 1));
  else if (v && typeof v === "object") for (const k of Object.keys(v)) nodes((v as Record<string, Json>)[k], [...path, k], out, depth + 1);
  return out;
}
function setAt(root: Json, path: Array<string | number>, value: Json | typeof REMOVE): Json {
  if (!path.length) return value === REMOVE ? null : value;
  let cur = root as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === REMOVE) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value;
  return root;
}
const REMOVE = Symbol("remove");
function getAt(root: Json, path: Array<string | number>): Json {
  let cur = root as Record<string | number, Json>;
  for (const p of path) cur = cur?.[p] as Record<string | number, Json>;
  return cur;
}

/** One to four structural mutations of a JSON value: replace, drop, add, retype, wrap, clone. */
export function mutateJson(r: Rng, base: Json): Json {
  let v = structuredClone(base);
  for (let i = 1 + r.int(4); i > 0; i--) {
    const all = nodes(v);
    const path = r.pick(all);
    const cur = getAt(v, path);
    switch (r.int(8)) {
      case 0:
      case 1:
      case 2:
        v = setAt(v, path, hostile(r));
        break;
      case 3:
        if (path.length) v = setAt(v, path, REMOVE);
        break;
      case 4:
        if (cur && typeof cur === "object" && !Array.isArray(cur)) (cur as Record<string, Json>)[r.pick(["id", "customer", "email", "points", "extra", r.string(6)])] = hostile(r);
        break;
      case 5:
        v = setAt(v, path, typeof cur === "string" ? Number(cur) || cur.length : typeof cur === "number" ? String(cur) : JSON.stringify(cur ?? null));
        break;
      case 6:
        v = setAt(v, path, [cur]);
        break;
      default:
        if (Array.isArray(cur) && cur.length) for (let k = r.int(5); k > 0; k--) cur.push(structuredClone(cur[0]));
        else v = setAt(v, path, hostile(r));
    }
  }
  return v;
}

/** Byte-level damage to a text: truncate, insert, delete, duplicate, swap a character. */
export function mutateText(r: Rng, s: string): string {
  let out = s;
  for (let i = 1 + r.int(3); i > 0; i--) {
    const at = r.int(out.length + 1);
    switch (r.int(6)) {
      case 0: out = out.slice(0, at); break;
      case 1: out = out.slice(0, at) + r.string(4) + out.slice(at); break;
      case 2: out = out.slice(0, at) + out.slice(at + 1 + r.int(8)); break;
      case 3: out = out.slice(0, at) + out.slice(at, at + 20) + out.slice(at); break;
      case 4: out = out.slice(0, at) + r.pick(["\"", "{", "}", "[", ",", ":", "\\", "\u0000", "\r\n", ";"]) + out.slice(at + 1); break;
      default: out = out.slice(0, at) + String(hostile(r)) + out.slice(at);
    }
  }
  return out;
}

/** An input for a JSON entry point: mostly structured mutations, some raw damage, some nonsense. */
export function jsonBody(r: Rng, base: Json): string {
  const k = r.int(10);
  if (k < 6) return JSON.stringify(mutateJson(r, base));
  if (k < 9) return mutateText(r, JSON.stringify(base));
  return r.pick(["", "null", "[]", "1", "\"x\"", "{", JSON.stringify(hostile(r)), r.string(60)]);
}

/** Mutated form fields: values replaced by hostile strings, fields dropped or repeated, extra ones. */
export function mutateForm(r: Rng, base: Record<string, string>): URLSearchParams {
  const out = new URLSearchParams();
  const keys = Object.keys(base);
  // mostly a few fields damaged and the rest intact, so a long form's save path is reached too
  const targets = r.bool(0.6) ? new Set(Array.from({ length: 1 + r.int(3) }, () => r.pick(keys))) : null;
  for (const k of keys) {
    const roll = targets && !targets.has(k) ? 9 : r.int(10);
    if (roll === 0) continue;
    const value = roll < 4 ? String(hostile(r)) : roll === 4 ? mutateText(r, base[k]!) : base[k]!;
    out.append(k, typeof value === "string" ? value : JSON.stringify(value));
    if (roll === 5) out.append(k, String(hostile(r)));
  }
  if (r.bool(0.2)) out.append(r.pick(["intent", "id", "points", r.string(5)]), String(hostile(r)));
  return out;
}

/** A fingerprint of the tables a request could write: row counts and sums of the mutable numbers. */
export async function fingerprint(sql: Sql, tables: readonly string[], extra: readonly string[] = []): Promise<string> {
  const parts = [...tables.map((t) => `(SELECT COUNT(*) FROM ${t}) AS "${t}"`), ...extra.map((e, i) => `(${e}) AS "x${i}"`)];
  const row = await sql.get<Record<string, unknown>>(`SELECT ${parts.join(", ")}`);
  return JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

export const WRITABLE = ["ledger_entries", "members", "jobs", "webhook_deliveries", "redemptions", "referral_clicks", "referral_friends", "shops", "sessions", "audit_log", "member_imports", "smtp_settings", "notifications", "app_events", "notification_deliveries", "whatsapp_settings", "whatsapp_contacts", "whatsapp_inbound", "flow_trigger_usage"];
export const MUTABLE_SUMS = [
  "SELECT COALESCE(SUM(points_available), 0) FROM members",
  "SELECT COALESCE(SUM(points_pending), 0) FROM members",
  "SELECT COUNT(blocked_at) + COUNT(excluded_at) + COUNT(birthday) FROM members",
  "SELECT COALESCE(SUM(LENGTH(status)), 0) FROM redemptions",
  "SELECT COALESCE(SUM(LENGTH(program)), 0) FROM shops",
];

export interface Outcome {
  status: number;
}
export interface Tally {
  inputs: number;
  byStatus: Record<number, number>;
  ms: number;
}

/** Calls a route handler with a time limit; a Response (returned or thrown) is the answer,
 *  anything else thrown is a failure, and so is a plain object when `plainOk` is false. */
export async function answer(run: () => Promise<unknown>, label: () => string): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<"hang">((resolve) => (timer = setTimeout(() => resolve("hang"), INPUT_TIMEOUT_MS)));
  const result = await Promise.race([
    run().then(
      (v) => ({ v }),
      (e: unknown) => ({ e }),
    ),
    hang,
  ]).finally(() => clearTimeout(timer));
  if (result === "hang") throw new Error(`hang (>${INPUT_TIMEOUT_MS} ms): ${label()}`);
  if ("e" in result) {
    if (result.e instanceof Response) return result.e;
    throw new Error(`threw ${result.e instanceof Error ? (result.e.stack ?? result.e.message) : String(result.e)}\n  input: ${label()}`);
  }
  if (result.v instanceof Response) return result.v;
  // Remix turns a plain object from a loader/action into a 200 JSON answer
  return new Response(JSON.stringify(result.v ?? null), { status: 200 });
}

/** How often (in inputs) a door's `check` (the ledger adds up, …) runs besides at its end. */
export const CHECK_EVERY = Number(process.env.FUZZ_CHECK_EVERY ?? 1000);

/** The fuzz loop for one entry point: `count` inputs, each answered below 500 in time, and a
 *  refusal (4xx) leaves the fingerprint unchanged. One fingerprint per input: the one taken after
 *  an input is the one before the next (nothing else writes between them). `check` (invariants
 *  that cost more, like the ledger adding up) runs every CHECK_EVERY inputs and at the end.
 *  Returns what it saw, for the printed table. */
export async function fuzz(
  name: string,
  count: number,
  sql: Sql,
  step: (i: number) => { call: () => Promise<unknown>; describe: () => string },
  opts: { tables?: readonly string[]; sums?: readonly string[]; check?: (afterInput: number) => Promise<void> } = {},
): Promise<Tally> {
  const started = Date.now();
  const byStatus: Record<number, number> = {};
  const print = () => fingerprint(sql, opts.tables ?? WRITABLE, opts.sums ?? MUTABLE_SUMS);
  let before = await print();
  for (let i = 0; i < count; i++) {
    const { call, describe } = step(i);
    const res = await answer(call, () => `${name} #${i} (FUZZ_SEED=${SEED}): ${describe().slice(0, 2000)}`);
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    if (res.status >= 500) expect.fail(`${name} #${i} answered ${res.status} (FUZZ_SEED=${SEED}): ${(await res.text()).slice(0, 300)}\n  input: ${describe().slice(0, 2000)}`);
    await res.body?.cancel().catch(() => undefined);
    const after = await print();
    if (res.status >= 400 && res.status !== 429 && after !== before) expect.fail(`${name} #${i} refused with ${res.status} but wrote (FUZZ_SEED=${SEED}): ${before} → ${after}\n  input: ${describe().slice(0, 2000)}`);
    before = after;
    if (opts.check && (i + 1) % CHECK_EVERY === 0 && i + 1 < count) await opts.check(i + 1);
  }
  await opts.check?.(count);
  const tally = { inputs: count, byStatus, ms: Date.now() - started };
  report.push({ name, ...tally });
  // one line per door as it ends, so a long run that is stopped still tells what it reached
  console.log(line({ name, ...tally }));
  return tally;
}

/** The ledger adds up for every shop: Σ entries = stored balances (an invariant for `check`). */
export async function ledgerAddsUp(sql: Sql, shops: readonly string[], label: string): Promise<void> {
  const { checkBalances } = await import("~/models/ledger.server");
  for (const shop of shops) expect((await checkBalances(sql, shop)).mismatched, `${label}: balances of ${shop} (FUZZ_SEED=${SEED})`).toEqual([]);
}

const line = (t: { name: string } & Tally) => `${t.name.padEnd(34)} ${String(t.inputs).padStart(7)} inputs ${String(t.ms).padStart(7)} ms  ${Object.entries(t.byStatus).map(([s, n]) => `${s}×${n}`).join(" ")}`;
export const report: Array<{ name: string } & Tally> = [];
export function printReport(title: string): void {
  const lines = report.map(line);
  console.log(`\n${title} (FUZZ_SEED=${SEED})\n${lines.join("\n")}\n`);
}
