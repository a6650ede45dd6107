// npm run bench [-- scenario…] — every scenario measures against a baseline taken in the same run
// and prints a table; loopback only, every phase bounded in time and count. Scenarios:
//   webhooks    webhook intake and processing on SQLite, against a bare handler; redemption burst
//   storefront  the theme widget's cost on the demo storefront, with Lighthouse (bench/storefront.ts)
//   tiers       the nightly tier re-evaluation and points expiry over 1 M members / 10 M entries (bench/tiers.ts)
//   import      a 1 M-row member import (bench/import.ts)
//   metafields  10,000 members' balances synced to customer metafields on a Standard-plan bucket (bench/metafields.ts)
//   dashboard   the analytics dashboard's queries over 1 M members / 10 M entries (bench/dashboard.ts)
// No name runs all of them.
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import "@shopify/shopify-api/adapters/web-api";
import { shopifyApi } from "@shopify/shopify-api";
import { paidOrder, signedDelivery, TEST_API_KEY, TEST_SECRET } from "../tests/helpers/webhooks";
import { webhookHeaders } from "../server/webhooks";
import { defaultProgram, type Program } from "../app/domain/program";
import { openSql } from "../app/lib/sql.server";
import { saveProgram } from "../app/models/earning.server";
import { openDatabase } from "../app/db.server";
import { ensureMember, postEntry } from "../app/models/ledger.server";
import { createReward, redeem } from "../app/models/redemptions.server";
import { throttledAdmin } from "../app/services/shopify/throttle.server";
import type { AdminGraphql } from "../app/services/shopify/client.server";
import { createDevStore } from "../devstore/index.ts";
import { children, freePort, printTable, stop, waitForOutput } from "./lib";
import { storefront } from "./storefront";
import { tiersBench, tiersRows } from "./tiers";

// `npm run bench -- tiers [--members=N] [--entries=M]`: the nightly tier and expiry run's size.
const flag = (name: string, fallback: number) => {
  const hit = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3).replace(/_/g, "")) : fallback;
};
const TIER_MEMBERS = flag("members", Number(process.env.BENCH_TIER_MEMBERS ?? 1_000_000));
const TIER_ENTRIES = flag("entries", Number(process.env.BENCH_TIER_ENTRIES ?? 10 * TIER_MEMBERS));

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 6000);
const DUPLICATE_SHARE = 0.1;
const CAMPAIGNS = Number(process.env.BENCH_CAMPAIGNS ?? 3);

/** The program the processing phase runs under: by default three campaigns that all evaluate on
 *  every order (a weekday multiplier, a big-basket bonus, a tag-conditioned bonus), stacked. */
function benchProgram(): Program {
  const p = defaultProgram();
  p.stacking = "add";
  const all: Program["campaigns"] = [
    { id: "double-days", enabled: true, name: { en: "Double points", de: "Doppelte Punkte" }, window: { weekdays: [1, 2, 3, 4, 5, 6, 7] }, conditions: {}, effect: { type: "multiplier", factor: 2 } },
    { id: "big-basket", enabled: true, name: { en: "Big basket", de: "Großer Warenkorb" }, window: {}, conditions: {}, effect: { type: "bigBasket", minSubtotalMinor: 15000, points: 50 } },
    { id: "vip-bonus", enabled: true, name: { en: "VIP bonus", de: "VIP-Bonus" }, window: {}, conditions: { customerTagsAny: ["vip"] }, effect: { type: "fixed", points: 20 }, budgetPoints: 1_000_000 },
  ];
  p.campaigns = all.slice(0, CAMPAIGNS);
  return p;
}
const SHOP = "bench-shop.myshopify.com";

interface Delivery {
  headers: Record<string, string>;
  body: string;
  orderGid: string;
}

/** ~12 KB orders/paid bodies (Shopify's sample with more line items) for many customers; a share
 *  of them delivered twice with the same event id, as Shopify's retries do. */
function makeDeliveries(count: number): { list: Delivery[]; unique: number } {
  const unique: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    const order = paidOrder(100_000 + (i % 2000), `${10 + (i % 300)}.00`) as Record<string, unknown> & { line_items: unknown[]; admin_graphql_api_id: string };
    order.line_items = [...order.line_items, ...order.line_items, ...order.line_items];
    const d = signedDelivery({ topic: "orders/paid", shop: SHOP, body: order });
    unique.push({ ...d, orderGid: order.admin_graphql_api_id });
  }
  const list: Delivery[] = [];
  for (let i = 0; i < unique.length; i++) {
    list.push(unique[i]);
    if (i % Math.round(1 / DUPLICATE_SHARE) === 0) list.push(unique[Math.max(0, i - 5)]);
  }
  return { list, unique: unique.length };
}

async function startApp(port: number, dbFile: string, worker: "inline" | "off"): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: `file:${dbFile}`,
      SHOPIFY_API_KEY: TEST_API_KEY,
      SHOPIFY_API_SECRET: TEST_SECRET,
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      WORKER: worker,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  await waitForOutput(child, /listening/);
  return child;
}

async function startWorker(dbFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "app/jobs/worker.ts"], {
    env: { ...process.env, NODE_ENV: "production", DATABASE_URL: `file:${dbFile}`, SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "http://127.0.0.1:1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  await waitForOutput(child, /started/);
  return child;
}

async function startBare(port: number, dbFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["bench/bare-server.mjs"], {
    env: { ...process.env, PORT: String(port), BARE_DB: dbFile, SECRET: TEST_SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  await waitForOutput(child, /listening/);
  return child;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  sent: number;
}

function load(url: string, deliveries: Delivery[], opts: { seconds?: number; amount?: number; onSend?: (d: Delivery) => void }): Promise<LoadResult> {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? SECONDS }),
        timeout: 20,
        requests: [
          {
            method: "POST",
            path: "/webhooks/orders/paid",
            setupRequest: (req: autocannon.Request) => {
              const d = deliveries[next++ % deliveries.length];
              opts.onSend?.(d);
              return { ...req, headers: d.headers, body: d.body };
            },
          },
        ],
      },
      (err: Error | null, r: autocannon.Result) => {
        if (err) return reject(err);
        resolve({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          non2xx: r.non2xx,
          errors: r.errors + r.timeouts,
          sent: r.requests.total,
        });
      },
    );
  });
}

/** The ceiling Shopify's own webhook validation puts on intake here: the library's validate alone,
 *  in this process, 10 at a time, for the same bodies. */
async function libraryCeiling(deliveries: Delivery[], seconds: number): Promise<number> {
  const api = shopifyApi({
    apiKey: TEST_API_KEY,
    apiSecretKey: TEST_SECRET,
    apiVersion: "2026-01",
    hostName: "bench.example.com",
    isEmbeddedApp: true,
    scopes: [],
    logger: { level: 0, log: async () => undefined },
  } as unknown as Parameters<typeof shopifyApi>[0]);
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const d = deliveries[n++ % deliveries.length];
        const { headers } = webhookHeaders(d.headers);
        const check = await api.webhooks.validate({ rawBody: d.body, rawRequest: new Request("http://bench/webhooks/orders/paid", { method: "POST", headers }) });
        if (!check.valid) throw new Error("bench delivery did not validate");
      }
    }),
  );
  return n / ((Date.now() - t0) / 1000);
}

/**
 * Redemption under Shopify's rate limit: a burst of 100 redemptions per second for 2 s, in this
 * process, against the offline store's Standard-plan bucket (1,000 points, 100/s). Reports the
 * app's own time per redemption (total minus time in Admin API calls and waiting for the bucket)
 * and how many failed.
 */
async function redemptionBurst(dir: string) {
  const store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  const shop = "bench-redeem.myshopify.com";
  store.shops.create({ domain: shop, plan: "standard" });
  const db = await openDatabase(`file:${join(dir, "redeem.sqlite")}`);
  try {
    const rewardId = await db.sql.tx((q) => createReward(q, shop, { type: "amount", amountMinor: 500, pointsCost: 100, texts: { en: { title: "€5" }, de: { title: "5 €" } } }));
    const n = 200;
    const customers = Array.from({ length: n }, (_, i) => store.customers.create({ shop, firstName: "B", email: `bench${i}@example.com` }).id);
    for (const id of customers) {
      const memberId = await db.sql.tx((q) => ensureMember(q, shop, `gid://shopify/Customer/${id}`));
      await postEntry(db.sql, shop, { memberId, bucket: "available", points: 100, kind: "earn", reason: "bench", idempotencyKey: `seed:${id}` });
    }
    const raw: AdminGraphql = (query, options) =>
      fetch(`${store.url}/admin/api/2026-01/graphql.json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": store.shops.accessToken(shop) },
        body: JSON.stringify({ query, variables: options?.variables }),
      });
    const client = throttledAdmin(shop, raw);
    const results: Array<{ ok: boolean; total: number; store: number }> = [];
    const t0 = performance.now();
    await Promise.all(
      customers.map(async (id, i) => {
        await new Promise((r) => setTimeout(r, i * 10)); // 100 per second
        let inStore = 0;
        const timed: AdminGraphql = async (query, options) => {
          const s0 = performance.now();
          try {
            return await client(query, options);
          } finally {
            inStore += performance.now() - s0;
          }
        };
        const start = performance.now();
        const r = await redeem(db.sql, shop, `gid://shopify/Customer/${id}`, rewardId, `bench-${i}`, timed).catch(() => null);
        results.push({ ok: r?.status === "issued", total: performance.now() - start, store: inStore });
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const app = results.map((r) => r.total - r.store).sort((a, b) => a - b);
    const totals = results.map((r) => r.total).sort((a, b) => a - b);
    const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
    return { n, failed: results.filter((r) => !r.ok).length, appP50: q(app, 50), appP99: q(app, 99), totalP99: q(totals, 99), elapsed };
  } finally {
    await db.close();
    await store.close();
  }
}

async function webhooks() {
  const dir = mkdtempSync(join(tmpdir(), "stammkunde-bench-"));
  const { list, unique } = makeDeliveries(ORDERS);
  const avgBytes = Math.round(list.reduce((s, d) => s + d.body.length, 0) / list.length);
  console.log(`${list.length} signed orders/paid deliveries (${unique} orders, ${list.length - unique} duplicates, ~${(avgBytes / 1024).toFixed(1)} KB each), ${CONNECTIONS} connections, ${SECONDS} s per phase\n`);

  const ceiling = await libraryCeiling(list, 3);

  // 1. the bare baseline
  const barePort = await freePort();
  const bare = await startBare(barePort, join(dir, "bare.sqlite"));
  await load(`http://127.0.0.1:${barePort}`, list, { seconds: 2 }); // warm-up
  const bareResult = await load(`http://127.0.0.1:${barePort}`, list, { seconds: SECONDS });
  await stop(bare);

  // 2. intake: verified, recorded durably with its job, answered (worker off)
  const appPort = await freePort();
  const app = await startApp(appPort, join(dir, "intake.sqlite"), "off");
  await load(`http://127.0.0.1:${appPort}`, list.slice(0, 500), { seconds: 2 }); // warm-up
  const intakeResult = await load(`http://127.0.0.1:${appPort}`, list, { seconds: SECONDS });
  await stop(app);

  // 3. processing end to end: a fresh app and a worker process beside it (the production layout:
  //    WORKER=off on the app, `npm run worker`); every order sent once or twice; done when every
  //    order's points are posted.
  const dbFile = join(dir, "process.sqlite");
  const procPort = await freePort();
  const proc = await startApp(procPort, dbFile, "off");
  const workerProc = await startWorker(dbFile);
  const setup = openSql(`file:${dbFile}`);
  await setup.tx((q) => saveProgram(q, SHOP, benchProgram()));
  await setup.close();
  const firstSent = new Map<string, number>();
  const t0 = Date.now();
  const sendResult = await load(`http://127.0.0.1:${procPort}`, list, {
    amount: list.length,
    onSend: (d) => {
      if (!firstSent.has(d.orderGid)) firstSent.set(d.orderGid, Date.now());
    },
  });
  const reader = new Database(dbFile, { readonly: true, timeout: 10_000 });
  const deadline = Date.now() + 120_000;
  let posted = 0;
  while (Date.now() < deadline) {
    posted = (reader.prepare("SELECT COUNT(*) AS n FROM ledger_entries").get() as { n: number }).n;
    if (posted >= unique) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const rows = reader.prepare("SELECT source_id, created_at FROM ledger_entries").all() as Array<{ source_id: string; created_at: number }>;
  const dupEntries = (reader.prepare("SELECT COUNT(*) AS n FROM (SELECT source_id FROM ledger_entries GROUP BY source_id HAVING COUNT(*) > 1)").get() as { n: number }).n;
  const drift = (reader
    .prepare(`SELECT COUNT(*) AS n FROM members m WHERE m.points_available <> (SELECT COALESCE(SUM(points), 0) FROM ledger_entries e WHERE e.member_id = m.id AND e.bucket = 'available')`)
    .get() as { n: number }).n;
  reader.close();
  await stop(workerProc);
  await stop(proc);
  const lastPosted = Math.max(...rows.map((r) => r.created_at));
  const latencies = rows.map((r) => r.created_at - (firstSent.get(r.source_id) ?? r.created_at)).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const processing = { ops: posted / ((lastPosted - t0) / 1000), p50: pct(50), p99: pct(99) };

  const redemption = await redemptionBurst(dir);

  const ratio = intakeResult.rps / bareResult.rps;
  const table = [
    ["scenario", "throughput", "p50 ms", "p99 ms", "vs bare", "target", "met"],
    ["bare: node:http + HMAC + 1 SQLite insert", `${bareResult.rps.toFixed(0)} req/s`, bareResult.p50, bareResult.p99, "1.00", "(baseline)", ""],
    ["intake: Shopify lib verify + delivery + job, durable", `${intakeResult.rps.toFixed(0)} req/s`, intakeResult.p50, intakeResult.p99, ratio.toFixed(2), "≥ 2000/s, p99 < 50, ≥ 0.30", intakeResult.rps >= 2000 && intakeResult.p99 < 50 && ratio >= 0.3 ? "yes" : "NO"],
    ["(ceiling) Shopify lib validate alone, in-process", `${ceiling.toFixed(0)} req/s`, "", "", (ceiling / bareResult.rps).toFixed(2), "", ""],
    [`processing: points posted, end to end (${CAMPAIGNS} campaigns)`, `${processing.ops.toFixed(0)} orders/s`, processing.p50, processing.p99, "", "≥ 700 orders/s", processing.ops >= 700 ? "yes" : "NO"],
  ];
  table.push([
    "redemption: 100/s for 2 s, Standard bucket (app's own time)",
    `${redemption.n} in ${redemption.elapsed.toFixed(1)} s, ${redemption.failed} failed`,
    redemption.appP50.toFixed(1),
    redemption.appP99.toFixed(1),
    "",
    "0 failed",
    redemption.failed === 0 ? "yes" : "NO",
  ]);
  printTable(table);
  console.log(
    `\nchecks: ${posted}/${unique} orders posted, ${dupEntries} orders with more than one entry, ${drift} balances ≠ Σ entries; ` +
      `intake non-2xx ${intakeResult.non2xx}, errors ${intakeResult.errors}; processing run sent ${sendResult.sent} (non-2xx ${sendResult.non2xx})`,
  );
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    join("bench", "results", `webhooks-${new Date().toISOString().replace(/[:.]/g, "-")}.json`),
    JSON.stringify({ redemption, campaigns: CAMPAIGNS, ceiling, bare: bareResult, intake: intakeResult, processing, posted, unique, dupEntries, drift, connections: CONNECTIONS, seconds: SECONDS, avgBytes }, null, 2),
  );
  rmSync(dir, { recursive: true, force: true });
  console.log(`redemption: total p99 incl. Shopify and waiting for its bucket ${redemption.totalP99.toFixed(0)} ms`);
  if (posted < unique || dupEntries > 0 || drift > 0 || redemption.failed > 0) process.exitCode = 1;
}

/** The nightly tier and expiry run over a big shop (SQLite), against a plain scan of the same entries. */
async function tiers() {
  const dir = mkdtempSync(join(tmpdir(), "stammkunde-bench-"));
  try {
    const r = await tiersBench(dir, TIER_MEMBERS, TIER_ENTRIES);
    console.log("");
    printTable([["scenario", "throughput", "time", "", "vs scan", "target", "met"], ...tiersRows(r)]);
    console.log(`load average (1/5/15 min) at the end: ${loadavg().map((x) => x.toFixed(2)).join(" / ")} on ${cpus().length} cores`);
    console.log(`\nchecks: ${r.mismatched} balances ≠ Σ entries after both nights`);
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(join("bench", "results", `tiers-${new Date().toISOString().replace(/[:.]/g, "-")}.json`), JSON.stringify(r, null, 2));
    if (r.mismatched !== 0 || r.first.seconds > 60 || r.next.seconds > 60) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const importScenario = () => import("./import").then((m) => m.importBench());
const metafieldsScenario = () => import("./metafields").then((m) => m.metafieldsBench());
const dashboardScenario = () => import("./dashboard").then((m) => m.dashboardBench());
const SCENARIOS: Record<string, () => Promise<void>> = { webhooks, storefront, tiers, import: importScenario, metafields: metafieldsScenario, dashboard: dashboardScenario };
/** Scenarios that run the built app; the others run the app's modules in this process. */
const NEEDS_BUILD = new Set(["webhooks", "storefront"]);

async function main() {
  const names = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}; scenarios: ${Object.keys(SCENARIOS).join(", ")}`);
  const needsBuild = (names.length ? names : Object.keys(SCENARIOS)).some((n) => NEEDS_BUILD.has(n));
  if (needsBuild && (!existsSync("build/server/index.js") || process.env.BENCH_REBUILD)) {
    console.log("Building the app (npm run build)…");
    const b = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
    if (b.status !== 0) throw new Error("build failed");
  }
  for (const name of names.length ? names : Object.keys(SCENARIOS)) {
    console.log(`\n=== ${name} ===\n`);
    await SCENARIOS[name]();
  }
  // Lighthouse leaves timers behind; the scenarios are done.
  process.exit(process.exitCode ?? 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
