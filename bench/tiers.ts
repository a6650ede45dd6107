// The nightly tier re-evaluation and points expiry over a big shop on SQLite: N members with M
// ledger entries over two years (default 1 M / 10 M), against a plain scan of the same entries in
// the same run. Seeding is not timed; the seeded file is cached in .cache/bench/ and copied for
// each run (the run writes to it). Two nights are timed: the first after tiers and expiry are
// switched on (every member is placed, everything overdue expires) and the next one (steady state).
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { defaultProgram, type Program } from "../app/domain/program";
import { openDatabase } from "../app/db.server";
import type { Sql } from "../app/lib/sql.server";
import { rng } from "./lib";
import { saveProgram } from "../app/models/earning.server";
import { checkBalances } from "../app/models/ledger.server";
import { runNightly, type RunSummary } from "../app/models/tiers.server";

const SHOP = "bench-tiers.myshopify.com";
const DAY = 86_400_000;
export const TIERS_NOW = Date.parse("2026-06-15T01:00:00Z");

export function tiersBenchProgram(): Program {
  const p = defaultProgram();
  const level = (id: string, name: string, threshold: number, over: Partial<Program["tiers"]["levels"][number]> = {}) => ({
    id, threshold, name: { en: name, de: name }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] }, ...over,
  });
  p.tiers = {
    enabled: true,
    basis: "points_earned",
    window: "calendar_year",
    levels: [level("bronze", "Bronze", 200), level("silver", "Silver", 1000), level("gold", "Gold", 3000, { multiplier: 1.5, entryRewardPoints: 100 })],
    retention: { keepNextPeriod: true, graceDays: 30 },
    membershipProduct: null,
  };
  p.expiry = { mode: "lots", months: 12, tierMonths: { gold: 24 }, reminderDays: [30, 3] };
  return p;
}

/** Seeds the shop straight through better-sqlite3: members with earns, redemptions and refunds
 *  over the two years before TIERS_NOW, balances equal to their entries. */
async function seed(file: string, members: number, entries: number) {
  const db = await openDatabase(`file:${file}`); // migrated schema
  await db.sql.run(`INSERT INTO shops (domain, currency_code, iana_timezone, program, installed_at) VALUES (?, 'EUR', 'Europe/Berlin', ?, ?)`, [SHOP, JSON.stringify(tiersBenchProgram()), TIERS_NOW - 800 * DAY]);
  await db.close();
  const raw = new Database(file);
  raw.pragma("journal_mode = OFF");
  raw.pragma("synchronous = OFF");
  raw.pragma("foreign_keys = OFF"); // entries are written before their member row, which needs their sum
  const indexes = raw.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('ledger_entries', 'members') AND sql IS NOT NULL`).all() as Array<{ name: string; sql: string }>;
  for (const ix of indexes) raw.exec(`DROP INDEX "${ix.name}"`);
  const insertMember = raw.prepare(
    `INSERT INTO members (id, shop, customer_gid, points_available, points_pending, lifetime_earned, created_at, updated_at, last_activity_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`,
  );
  const insertEntry = raw.prepare(
    `INSERT INTO ledger_entries (id, shop, member_id, bucket, points, kind, reason, source_type, source_id, idempotency_key, reverses_id, created_at) VALUES (?, ?, ?, 'available', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const random = rng(42);
  const start = TIERS_NOW - 730 * DAY;
  let entryId = 0;
  const perMember = Math.floor(entries / members);
  const extra = entries - perMember * members;
  const chunk = raw.transaction((from: number, to: number) => {
    for (let m = from; m < to; m++) {
      const n = perMember + (m <= extra ? 1 : 0);
      const times = Array.from({ length: n }, () => start + Math.floor(random() * 730 * DAY)).sort((a, b) => a - b);
      let balance = 0;
      let earned = 0;
      let lastEarn: { id: number; points: number } | null = null;
      let last = 0;
      for (const t of times) {
        const id = ++entryId;
        const r = random();
        if (balance >= 100 && r < 0.2) {
          const points = Math.min(balance, 100 * (1 + Math.floor(random() * 3)));
          balance -= points;
          last = t;
          insertEntry.run(id, SHOP, m, -points, "redeem", "reward", "redemption", String(id), `redeem:${id}`, null, t);
        } else if (lastEarn && balance > 0 && r < 0.23) {
          const points = Math.min(balance, Math.ceil(lastEarn.points / 2));
          balance -= points;
          insertEntry.run(id, SHOP, m, -points, "reverse", "refund", "order", `o${lastEarn.id}`, `reverse:refund:${id}`, lastEarn.id, t);
          lastEarn = null;
        } else {
          const points = 10 + Math.floor(random() * 290);
          balance += points;
          earned += points;
          last = t;
          lastEarn = { id, points };
          insertEntry.run(id, SHOP, m, points, "earn", "purchase", "order", `o${id}`, `earn:order:${id}`, null, t);
        }
      }
      insertMember.run(m, SHOP, `gid://shopify/Customer/${m}`, balance, earned, start, TIERS_NOW - DAY, last || null);
    }
  });
  const step = 10_000;
  for (let from = 1; from <= members; from += step) {
    chunk(from, Math.min(members + 1, from + step));
    if (from % 200_000 === 1 && from > 1) process.stdout.write(`  seeded ${from - 1} members\n`);
  }
  for (const ix of indexes) raw.exec(ix.sql);
  raw.exec("ANALYZE");
  raw.close();
  return entryId;
}

/** The baseline: one pass over the same entries in the order the nightly reads them (the columns it
 *  needs, as arrays), summing points: what any nightly job over the ledger costs at least. */
function plainScan(file: string): { rows: number; seconds: number } {
  const raw = new Database(file, { readonly: true });
  const t0 = performance.now();
  let rows = 0;
  let sum = 0;
  const statement = raw.prepare(`SELECT member_id, id, points, reverses_id, created_at, kind FROM ledger_entries WHERE shop = ? ORDER BY member_id, id`).raw(true);
  for (const r of statement.iterate(SHOP) as Iterable<unknown[]>) {
    rows++;
    sum += r[2] as number;
  }
  const seconds = (performance.now() - t0) / 1000;
  raw.close();
  if (!Number.isFinite(sum)) throw new Error("scan");
  return { rows, seconds };
}

export interface TiersBenchResult {
  members: number;
  entries: number;
  seedSeconds: number | null;
  scan: { rows: number; seconds: number };
  first: RunSummary & { seconds: number };
  next: RunSummary & { seconds: number };
  mismatched: number;
}

/** The seeded shop for this size and schema, seeding it first if it is not cached yet. */
export async function seededFile(members: number, entries: number, log = (s: string) => console.log(s)): Promise<{ cached: string; seedSeconds: number | null }> {
  const cacheDir = join(".cache", "bench");
  mkdirSync(cacheDir, { recursive: true });
  // the cache is keyed by the migrations too: a changed schema seeds afresh
  const schema = createHash("sha1");
  const migrations = join("prisma", "migrations", "sqlite");
  for (const name of readdirSync(migrations).sort()) schema.update(readFileSync(join(migrations, name, "migration.sql")));
  const cached = join(cacheDir, `tiers-${members}-${entries}-${schema.digest("hex").slice(0, 8)}.sqlite`);
  let seedSeconds: number | null = null;
  if (!existsSync(cached)) {
    log(`Seeding ${members} members / ${entries} entries into ${cached} (once; not timed)…`);
    const t0 = performance.now();
    const tmp = `${cached}.tmp`;
    rmSync(tmp, { force: true });
    await seed(tmp, members, entries);
    renameSync(tmp, cached);
    seedSeconds = (performance.now() - t0) / 1000;
    log(`  seeded in ${seedSeconds.toFixed(0)} s`);
  }
  return { cached, seedSeconds };
}

/** The merchant switches tiers and expiry on (not timed): the seeded program with both off, then
 *  saved with them on, as the program page does — every member is placed in the first night. */
export async function switchTiersOn(sql: Sql) {
  const off = tiersBenchProgram();
  off.tiers.enabled = false;
  off.expiry = { ...off.expiry, mode: "never" };
  await sql.run(`UPDATE shops SET program = ? WHERE domain = ?`, [JSON.stringify(off), SHOP]);
  await sql.tx((q) => saveProgram(q, SHOP, tiersBenchProgram()));
}

export async function tiersBench(dir: string, members: number, entries: number, log = (s: string) => console.log(s)): Promise<TiersBenchResult> {
  const { cached, seedSeconds } = await seededFile(members, entries, log);
  const file = join(dir, `tiers-${members}.sqlite`);
  copyFileSync(cached, file);
  const scan = plainScan(file);
  const db = await openDatabase(`file:${file}`);
  try {
    await switchTiersOn(db.sql);
    const timed = async (now: number) => {
      const t0 = performance.now();
      const s = await runNightly(db.sql, SHOP, now, { batch: 2000 });
      return { ...s, seconds: (performance.now() - t0) / 1000 };
    };
    const first = await timed(TIERS_NOW);
    const next = await timed(TIERS_NOW + DAY);
    const { mismatched } = await checkBalances(db.sql, SHOP);
    return { members, entries, seedSeconds, scan, first, next, mismatched: mismatched.length };
  } finally {
    await db.close();
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
  }
}

/** Rows for bench/run.ts's table. Throughput is members covered per second: the run decides for
 *  every member of the shop, reading those that are due (first night: all). */
export function tiersRows(r: TiersBenchResult): string[][] {
  const rate = (s: { seconds: number }) => `${Math.round(r.members / s.seconds).toLocaleString("en-US")} members/s`;
  const label = `${(r.members / 1e6).toLocaleString("en-US")} M members / ${(r.entries / 1e6).toLocaleString("en-US")} M entries`;
  const met = (s: number) => (s <= 60 ? "yes" : "NO");
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    [`baseline: plain scan of the entries (${label})`, `${n(Math.round(r.scan.rows / r.scan.seconds))} rows/s`, `${r.scan.seconds.toFixed(1)} s`, "", "1.00", "(baseline)", ""],
    [
      `first night after switching on (full pass): all read (${n(r.first.up)} up, ${n(r.first.expiredEntries)} expiries, ${n(r.first.reminders)} reminders)`,
      rate(r.first),
      `${r.first.seconds.toFixed(1)} s`,
      "",
      (r.first.seconds / r.scan.seconds).toFixed(2),
      "≤ 60 s",
      met(r.first.seconds),
    ],
    [
      `next night: ${n(r.next.members)} due read (${n(r.next.up + r.next.down)} moves, ${n(r.next.expiredEntries)} expiries, ${n(r.next.reminders)} reminders)`,
      rate(r.next),
      `${r.next.seconds.toFixed(1)} s`,
      "",
      (r.next.seconds / r.scan.seconds).toFixed(2),
      "≤ 60 s",
      met(r.next.seconds),
    ],
  ];
}
