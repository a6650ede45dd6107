// Where the nightly tier and expiry run spends its time: the first night on the seeded bench shop
// (bench/tiers.ts), with every SQL statement timed and grouped by what it does ("INSERT
// ledger_entries", "SELECT members", …); the rest of the wall time is JavaScript (deciding, planning,
// building statements). Not a benchmark with a target: a tool for finding the next thing to fix.
//   node --import tsx bench/tiers-profile.ts [--members=100000] [--entries=1000000] [--batch=2000]
// Add `--cpu-prof` before `--import` for a V8 profile of the same run.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlite, type Queryable, type Sql } from "../app/lib/sql.server";
import { openDatabase } from "../app/db.server";
import { runNightly } from "../app/models/tiers.server";
import { seededFile, switchTiersOn, TIERS_NOW } from "./tiers";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const members = arg("members", 100_000);
const entries = arg("entries", 1_000_000);

const spent = new Map<string, { ms: number; cpu: number; n: number }>();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function labelOf(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  const m = /^(SELECT|INSERT INTO|UPDATE|DELETE FROM|BEGIN|COMMIT|ROLLBACK)\s*(\w+)?/i.exec(s);
  if (!m) return s.slice(0, 30);
  if (/^SELECT/i.test(m[1])) return `SELECT ${/FROM (\w+)/i.exec(s)?.[1] ?? "?"}`;
  if (/^UPDATE/i.test(m[1])) return `UPDATE ${m[2] ?? ""} SET ${/ SET (\w+)/i.exec(s)?.[1] ?? "?"}`;
  return `${m[1].split(" ")[0].toUpperCase()} ${m[2] ?? ""}`.trim();
}
function timed(q: Queryable): Queryable {
  const wrap =
    <A extends unknown[], R>(fn: (sql: string, ...rest: A) => Promise<R>) =>
    async (sql: string, ...rest: A): Promise<R> => {
      const t0 = performance.now();
      const c0 = cpuMs();
      try {
        return await fn(sql, ...rest);
      } finally {
        const k = labelOf(sql);
        const s = spent.get(k) ?? { ms: 0, cpu: 0, n: 0 };
        s.ms += performance.now() - t0;
        s.cpu += cpuMs() - c0;
        s.n++;
        spent.set(k, s);
      }
    };
  return { dialect: q.dialect, all: wrap(q.all.bind(q)), get: wrap(q.get.bind(q)), run: wrap(q.run.bind(q)), rows: wrap(q.rows.bind(q)), exec: q.exec.bind(q) } as Queryable;
}

const { cached } = await seededFile(members, entries);
const dir = mkdtempSync(join(tmpdir(), "stammkunde-tprof-"));
const file = join(dir, "tiers.sqlite");
copyFileSync(cached, file);
const migrated = await openDatabase(`file:${file}`); // a seed cached under older migrations gets the newer ones
await switchTiersOn(migrated.sql);
await migrated.close();
const sql = openSqlite(`file:${file}`);
// --pragma=cache_size=-65536 (repeatable): try a connection setting without changing the app
for (const a of process.argv.filter((x) => x.startsWith("--pragma="))) await sql.exec(`PRAGMA ${a.slice("--pragma=".length)}`);
const profiled: Sql = {
  ...timed(sql),
  // the transaction's end (COMMIT, and a WAL checkpoint when one is due) is timed as "COMMIT"
  tx: async (fn) => {
    let t1 = 0;
    let c1 = 0;
    const r = await sql.tx(async (q) => {
      const out = await fn(timed(q));
      t1 = performance.now();
      c1 = cpuMs();
      return out;
    });
    const s = spent.get("COMMIT") ?? { ms: 0, cpu: 0, n: 0 };
    s.ms += performance.now() - t1;
    s.cpu += cpuMs() - c1;
    s.n++;
    spent.set("COMMIT", s);
    return r;
  },
  close: () => sql.close(),
  ts: sql.ts,
  bool: sql.bool,
};
try {
  const load = loadavg()[0];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const s = await runNightly(profiled, "bench-tiers.myshopify.com", TIERS_NOW, { batch: arg("batch", 2000) });
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const sqlMs = [...spent.values()].reduce((a, b) => a + b.ms, 0);
  const sqlCpu = [...spent.values()].reduce((a, b) => a + b.cpu, 0);
  console.log(`first night, ${members} members / ${entries} entries: ${(total / 1000).toFixed(1)} s (load ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)})`);
  // CPU time moves far less than wall time on a shared, busy machine
  console.log(`  CPU ${(cpu.user / 1e6).toFixed(1)} s user + ${(cpu.system / 1e6).toFixed(1)} s system`);
  console.log(`  ${s.up} up, ${s.down} down, ${s.expiredEntries} expiries, ${s.reminders} reminders`);
  const cpuTotal = (cpu.user + cpu.system) / 1000;
  console.log(`  wall: SQL ${(sqlMs / 1000).toFixed(1)} s, JavaScript ${((total - sqlMs) / 1000).toFixed(1)} s; CPU: SQL ${(sqlCpu / 1000).toFixed(1)} s, JavaScript ${((cpuTotal - sqlCpu) / 1000).toFixed(1)} s`);
  console.log(`    ${"statements".padEnd(36)} ${"wall".padStart(7)}    ${"CPU".padStart(7)}`);
  for (const [k, v] of [...spent].sort((a, b) => b[1].cpu - a[1].cpu)) console.log(`    ${k.padEnd(36)} ${(v.ms / 1000).toFixed(2).padStart(7)} s  ${(v.cpu / 1000).toFixed(2).padStart(7)} s  ${String(v.n).padStart(6)}×`);
} finally {
  await sql.close();
  rmSync(dir, { recursive: true, force: true });
}
