// npm run bench -- dashboard [--members=N] [--entries=M]: the analytics dashboard's queries over a
// big shop on SQLite (default 1 M members / 10 M ledger entries over two years, with ~2.5 M orders,
// redemptions, guest orders, referral clicks and referrals). Seeding is not timed and is cached in
// .cache/bench/ (keyed by the migrations and the seeder's code); the rollups are then built once
// (the first run's backfill, timed), today's partial row is refreshed (the analytics:today job,
// timed), and the dashboard loader's reads (app/models/rollups.server.ts `dashboard`: stored rows
// only) are timed for 30/90/365-day ranges many times, against the baseline measured in the same
// run: the same figures computed from the raw tables without rollups (`computeDays` over the range,
// at the refresh's time, so today's partial day is the same in both).
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseRange } from "../app/domain/analytics";
import { localDate } from "../app/domain/periods";
import { openDatabase } from "../app/db.server";
import type { Queryable, Sql } from "../app/lib/sql.server";
import { computeDays, dashboard, refreshToday, runRollups } from "../app/models/rollups.server";
import { printTable, rng } from "./lib";

const SHOP = "bench-dashboard.myshopify.com";
const TZ = "Europe/Berlin";
const DAY = 86_400_000;
/** the bench's clock: the end of the seeded history (an afternoon, so today has facts) */
export const DASHBOARD_NOW = Date.parse("2026-06-15T14:00:00Z");
const TARGET_P95_MS = 300;

const flag = (name: string, fallback: number) => {
  const hit = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3).replace(/_/g, "")) : fallback;
};

async function seed(file: string, members: number, entries: number) {
  const db = await openDatabase(`file:${file}`); // migrated schema
  await db.sql.run(`INSERT INTO shops (domain, currency_code, iana_timezone, installed_at) VALUES (?, 'EUR', ?, ?)`, [SHOP, TZ, DASHBOARD_NOW - 800 * DAY]);
  await db.sql.run(`INSERT INTO rewards (id, shop, type, points_cost, config, enabled, created_at) VALUES (1, ?, 'amount', 500, ?, 1, ?)`, [
    SHOP,
    JSON.stringify({ type: "amount", amountMinor: 500, pointsCost: 500, texts: { en: { title: "€5" }, de: { title: "5 €" } } }),
    DASHBOARD_NOW - 800 * DAY,
  ]);
  await db.close();
  const raw = new Database(file);
  raw.pragma("journal_mode = OFF");
  raw.pragma("synchronous = OFF");
  raw.pragma("foreign_keys = OFF");
  const tables = ["ledger_entries", "members", "order_states", "earn_awards", "redemptions", "guest_orders", "referral_clicks", "referrals"];
  const indexes = raw
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (${tables.map(() => "?").join(", ")}) AND sql IS NOT NULL`)
    .all(...tables) as Array<{ name: string; sql: string }>;
  for (const ix of indexes) raw.exec(`DROP INDEX "${ix.name}"`);
  const insMember = raw.prepare(`INSERT INTO members (id, shop, customer_gid, points_available, points_pending, lifetime_earned, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)`);
  const insEntry = raw.prepare(
    `INSERT INTO ledger_entries (id, shop, member_id, bucket, points, kind, reason, source_type, source_id, idempotency_key, reverses_id, created_at) VALUES (?, ?, ?, 'available', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insOrder = raw.prepare(`INSERT INTO order_states (shop, order_gid, customer_gid, revenue_minor, created_at) VALUES (?, ?, ?, ?, ?)`);
  const insAward = raw.prepare(
    `INSERT INTO earn_awards (shop, member_id, order_gid, entry_id, bucket, points, base_minor, currency, detail, created_at) VALUES (?, ?, ?, ?, 'available', ?, ?, 'EUR', ?, ?)`,
  );
  const insRedemption = raw.prepare(
    `INSERT INTO redemptions (shop, member_id, reward_id, client_key, status, points, code, hold_entry_id, order_gid, revenue_minor, used_at, created_at, updated_at) VALUES (?, ?, 1, ?, ?, 500, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insGuest = raw.prepare(`INSERT INTO guest_orders (shop, order_gid, email, points, created_at) VALUES (?, ?, ?, ?, ?)`);
  const insClick = raw.prepare(`INSERT INTO referral_clicks (shop, code, visit, created_at) VALUES (?, ?, ?, ?)`);
  const insReferral = raw.prepare(
    `INSERT INTO referrals (shop, advocate_member_id, referral_code, order_gid, source, subtotal_minor, currency, verdict, status, reasons, ordered_at, window_ends_at, reward_points, reward_entry_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'code', ?, 'EUR', 'approve', 'rewarded', '[]', ?, ?, 500, ?, ?, ?)`,
  );
  const random = rng(7);
  const start = DASHBOARD_NOW - 730 * DAY;
  let entryId = 0;
  let orderSeq = 0;
  const perMember = Math.floor(entries / members);
  const extra = entries - perMember * members;
  const chunk = raw.transaction((from: number, to: number) => {
    for (let m = from; m < to; m++) {
      const joined = start + Math.floor(random() * 700 * DAY);
      const n = perMember + (m <= extra ? 1 : 0);
      const times = Array.from({ length: n }, () => joined + Math.floor(random() * (DASHBOARD_NOW - joined))).sort((a, b) => a - b);
      let balance = 0;
      let earned = 0;
      for (const t of times) {
        const id = ++entryId;
        const r = random();
        if (balance >= 500 && r < 0.12) {
          balance -= 500;
          insEntry.run(id, SHOP, m, -500, "redeem", "reward", "redemption", String(id), `redeem:${id}`, null, t);
          const used = random() < 0.6 && t + DAY < DASHBOARD_NOW;
          insRedemption.run(SHOP, m, `k${id}`, used ? "used" : "issued", `STK-${id}`, id, used ? `gid://shopify/Order/r${id}` : null, used ? 4000 + Math.floor(random() * 6000) : null, used ? t + DAY : null, t, t);
        } else if (balance >= 50 && r < 0.16) {
          balance -= 50;
          insEntry.run(id, SHOP, m, -50, "reverse", "refund", "order", `o${id}`, `reverse:${id}`, id - 1, t);
        } else if (balance >= 100 && r < 0.19) {
          balance -= 100;
          insEntry.run(id, SHOP, m, -100, "expire", "expiry", null, null, `expire:${id}`, null, t);
        } else {
          const points = 10 + Math.floor(random() * 290);
          balance += points;
          earned += points;
          const purchase = r < 0.45;
          insEntry.run(id, SHOP, m, points, "earn", purchase ? "purchase" : "action", purchase ? "order" : null, purchase ? `o${id}` : null, `earn:${id}`, null, t);
          if (purchase) {
            const gid = `gid://shopify/Order/${++orderSeq}`;
            const base = points * 100;
            insOrder.run(SHOP, gid, `gid://shopify/Customer/${m}`, base, t);
            const bonus = random() < 0.1 ? Math.floor(points / 2) : 0;
            insAward.run(SHOP, m, gid, id, points, base, JSON.stringify({ lines: [], campaigns: bonus ? [{ id: "double", points: bonus }] : [] }), t);
            if (m % 50 === 0 && random() < 0.3) {
              insReferral.run(SHOP, m, `REF${m}`, `gid://shopify/Order/f${id}`, base, t - 30 * DAY, t, id, t, t);
            }
          }
        }
      }
      insMember.run(m, SHOP, `gid://shopify/Customer/${m}`, balance, earned, joined, joined);
      // guests: an order without an account for every 10th member, sometimes again by the same email
      if (m % 10 === 0) {
        const t = joined + Math.floor(random() * (DASHBOARD_NOW - joined));
        for (let k = 0; k < (random() < 0.3 ? 2 : 1); k++) {
          const gid = `gid://shopify/Order/g${m}-${k}`;
          insOrder.run(SHOP, gid, null, 2500, t + k * DAY > DASHBOARD_NOW ? t : t + k * DAY);
          insGuest.run(SHOP, gid, `guest${m}@example.com`, 25, t + k * DAY > DASHBOARD_NOW ? t : t + k * DAY);
        }
      }
      if (m % 5 === 0) insClick.run(SHOP, `REF${m}`, `v${m}`, joined + Math.floor(random() * (DASHBOARD_NOW - joined)));
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
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** The plan of every statement the loader runs (recorded from a 30-day view): all on indexes. */
async function loaderPlans(sql: Sql): Promise<Array<{ sql: string; plan: string[] }>> {
  const seen: Array<{ sql: string; params: unknown[] }> = [];
  const record = (fn: (s: string, p?: unknown[]) => Promise<unknown>) => (s: string, p: unknown[] = []) => {
    seen.push({ sql: s, params: p });
    return fn(s, p);
  };
  const spy = { ...sql, dialect: sql.dialect, all: record(sql.all.bind(sql)), get: record(sql.get.bind(sql)), rows: record(sql.rows.bind(sql)) } as unknown as Queryable;
  const parsed = parseRange({ range: "30" }, localDate(DASHBOARD_NOW, TZ));
  await dashboard(spy, SHOP, parsed.range, DASHBOARD_NOW);
  const out: Array<{ sql: string; plan: string[] }> = [];
  for (const { sql: text, params } of seen) {
    const plan = (await sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params)).map((r) => r.detail);
    // the rollups on their (shop, day) index; shops and rewards are tiny here (one shop, one reward:
    // the planner rightly scans those), on their own indexes in a real database
    if (/daily_rollups/.test(text) && !plan.some((d) => /daily_rollups_shop_day_key/.test(d))) throw new Error(`the loader reads rollups without the index: ${text}\n${plan.join("\n")}`);
    if (/\b(members|ledger_entries)\b/.test(text)) throw new Error(`the loader reads a raw table: ${text}`);
    out.push({ sql: text.replace(/\s+/g, " "), plan });
  }
  return out;
}

export async function dashboardBench() {
  const members = flag("members", Number(process.env.BENCH_DASHBOARD_MEMBERS ?? 1_000_000));
  const entries = flag("entries", Number(process.env.BENCH_DASHBOARD_ENTRIES ?? 10 * members));
  const iterations = flag("iterations", 40);
  const baselineIterations = flag("baseline-iterations", 5);
  const refreshIterations = flag("refresh-iterations", 5);
  const cacheDir = join(".cache", "bench");
  mkdirSync(cacheDir, { recursive: true });
  const schema = createHash("sha1");
  const migrations = join("prisma", "migrations", "sqlite");
  for (const name of readdirSync(migrations).sort()) schema.update(readFileSync(join(migrations, name, "migration.sql")));
  schema.update(seed.toString()); // the seeder's own code, not the whole file: changing the bench keeps the seed
  const cached = join(cacheDir, `dashboard-${members}-${entries}-${schema.digest("hex").slice(0, 8)}.sqlite`);
  if (!existsSync(cached)) {
    console.log(`Seeding ${members} members / ${entries} entries into ${cached} (once; not timed)…`);
    const t0 = performance.now();
    const tmp = `${cached}.tmp`;
    rmSync(tmp, { force: true });
    await seed(tmp, members, entries);
    renameSync(tmp, cached);
    console.log(`  seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  if (process.argv.includes("--seed-only")) return; // prepare the cached shop on a busy machine, measure later
  const dir = mkdtempSync(join(tmpdir(), "stammkunde-dashboard-bench-"));
  const file = join(dir, "dashboard.sqlite");
  copyFileSync(cached, file);
  const db = await openDatabase(`file:${file}`);
  const load = () => loadavg().map((x) => x.toFixed(1)).join(" / ");
  try {
    const loadBefore = load();
    // 1. the first run's backfill: every day of the two years, in chunks
    const t0 = performance.now();
    let run = await runRollups(db.sql, SHOP, DASHBOARD_NOW, { budgetMs: Number.POSITIVE_INFINITY });
    while (run.more) run = await runRollups(db.sql, SHOP, DASHBOARD_NOW, { budgetMs: Number.POSITIVE_INFINITY });
    const backfillS = (performance.now() - t0) / 1000;
    const stored = Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM daily_rollups WHERE shop = ?`, [SHOP]))!.n);
    console.log(`  backfilled ${stored} days in ${backfillS.toFixed(1)} s (load ${load()})`);
    // 2. the nightly run afterwards: the last two days
    const t1 = performance.now();
    await runRollups(db.sql, SHOP, DASHBOARD_NOW + DAY);
    const nightlyMs = performance.now() - t1;
    // 3. today's partial row, as the analytics:today job refreshes it every few minutes: the first
    //    one (cold statements), then the steady ones
    const refreshMs: number[] = [];
    const t2 = performance.now();
    const closing = await refreshToday(db.sql, SHOP, DASHBOARD_NOW);
    const closingMs = performance.now() - t2;
    for (let i = 0; i < refreshIterations; i++) {
      const s = performance.now();
      const r = await refreshToday(db.sql, SHOP, DASHBOARD_NOW);
      refreshMs.push(performance.now() - s);
      if (r.days.length !== 1) throw new Error(`a refresh with yesterday closed wrote ${r.days.join(", ")}`);
    }
    const plans = await loaderPlans(db.sql);

    const today = localDate(DASHBOARD_NOW, TZ);
    const rows: Array<Array<string | number>> = [["scenario", "range", "runs", "p50 ms", "p95 ms", "vs raw p95", "target", "met"]];
    const results: Record<string, unknown> = {};
    let allMet = true;
    for (const days of [30, 90, 365] as const) {
      const parsed = parseRange({ range: String(days) }, today);
      if (!parsed.ok) throw new Error("range");
      const range = parsed.range;
      // baseline: the same days' figures from the raw tables
      const raw: number[] = [];
      let rawOut: Awaited<ReturnType<typeof computeDays>> = [];
      for (let i = 0; i < baselineIterations; i++) {
        const s = performance.now();
        rawOut = await computeDays(db.sql, SHOP, range.from, range.to);
        raw.push(performance.now() - s);
      }
      const timed: number[] = [];
      let view: Awaited<ReturnType<typeof dashboard>> | null = null;
      await dashboard(db.sql, SHOP, range, DASHBOARD_NOW); // warm the statement cache
      for (let i = 0; i < iterations; i++) {
        const s = performance.now();
        view = await dashboard(db.sql, SHOP, range, DASHBOARD_NOW);
        timed.push(performance.now() - s);
      }
      // the two must agree, or the comparison means nothing (today's stored row is as of the
      // refresh at the bench's clock, the time the raw figures are computed at too)
      if (view!.asOf !== DASHBOARD_NOW) throw new Error(`${days} days: today's row is as of ${view!.asOf}, not the refresh's time`);
      const same = JSON.stringify(view!.series) === JSON.stringify(rawOut);
      if (!same) throw new Error(`${days} days: the rollups and the raw tables disagree`);
      const p95 = pct(timed, 95);
      const met = p95 <= TARGET_P95_MS;
      allMet &&= met;
      rows.push([`baseline: the figures from the raw tables`, `${days} days`, baselineIterations, pct(raw, 50).toFixed(1), pct(raw, 95).toFixed(1), "1.00", "(baseline)", ""]);
      rows.push([`dashboard loader: stored rollups only`, `${days} days`, iterations, pct(timed, 50).toFixed(1), p95.toFixed(1), (p95 / pct(raw, 95)).toFixed(3), `p95 ≤ ${TARGET_P95_MS} ms`, met ? "yes" : "NO"]);
      results[`${days}`] = { rawMs: raw, dashboardMs: timed, p50: pct(timed, 50), p95, rawP95: pct(raw, 95) };
    }
    console.log(`\n${members.toLocaleString("en-US")} members / ${entries.toLocaleString("en-US")} entries; rollups backfilled: ${stored} days in ${backfillS.toFixed(1)} s (one-off); nightly run of the last two days: ${nightlyMs.toFixed(0)} ms`);
    console.log(
      `today's refresh (analytics:today, ${closing.days.join(" + ")}): ${closingMs.toFixed(0)} ms the first, then p50 / p95 ${pct(refreshMs, 50).toFixed(0)} / ${pct(refreshMs, 95).toFixed(0)} ms over ${refreshIterations} runs`,
    );
    console.log(`\nthe loader's query plans (EXPLAIN QUERY PLAN):`);
    for (const p of plans) console.log(`  ${p.sql.slice(0, 90)}…\n    ${p.plan.join("\n    ")}`);
    printTable(rows);
    const loadAfter = load();
    console.log(`\nload average (1 / 5 / 15 min) before: ${loadBefore}, after: ${loadAfter}`);
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(
      join("bench", "results", `dashboard-${new Date().toISOString().replace(/[:.]/g, "-")}.json`),
      JSON.stringify({ members, entries, backfillS, storedDays: stored, nightlyMs, refresh: { closingMs, refreshMs }, results, plans, loadBefore, loadAfter }, null, 2),
    );
    if (!allMet) process.exitCode = 1;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
