// `npm run bench -- metafields [--members=N]`: the customer metafield sync (metafields:sync,
// app/models/member-sync.server.ts) for 10,000 members whose balances changed, against the offline
// store on Shopify's Standard plan (bucket 1,000 points, restored at 100 points/s — shopify.dev,
// "GraphQL Admin API rate limits"). The job runs as the worker runs it: one call of
// syncMemberMetafields per job, each job booked again while members are left, through the same
// throttled client as background jobs (app/jobs/admin.server.ts, background: half the bucket stays
// free for shoppers). Reported: total time, calls, THROTTLED answers, the bucket's peak use, and
// the time against the least the cost limits allow for the same calls (the baseline, computed from
// this run's calls and the bucket the store reports).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../app/db.server";
import { CUSTOMER_NAMESPACE } from "../app/domain/storefront";
import { ensureMember, postEntryIn } from "../app/models/ledger.server";
import { syncMemberMetafields } from "../app/models/member-sync.server";
import type { AdminGraphql } from "../app/services/shopify/client.server";
import { BACKGROUND_RESERVE, resetBuckets, throttledAdmin } from "../app/services/shopify/throttle.server";
import { createDevStore } from "../devstore/index.ts";
import { printTable } from "./lib";

const flag = (name: string, fallback: number) => {
  const hit = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3).replace(/_/g, "")) : fallback;
};

interface CallLog {
  at: number;
  ms: number;
  requested: number;
  actual: number;
  available: number;
  max: number;
  restoreRate: number;
  throttled: boolean;
}

export async function metafieldsBench(): Promise<void> {
  const members = flag("members", Number(process.env.BENCH_METAFIELD_MEMBERS ?? 10_000));
  const dir = mkdtempSync(join(tmpdir(), "stammkunde-bench-"));
  const store = await createDevStore({ tomlPath: null, apiKey: "bench-key", apiSecret: "bench-secret", seedCatalog: false });
  const shop = "bench-metafields.myshopify.com";
  store.shops.create({ domain: shop, plan: "standard" });
  const db = await openDatabase(`file:${join(dir, "metafields.sqlite")}`);
  try {
    // 1. members whose balances changed: one earn each (the ledger marks them dirty)
    const t0 = performance.now();
    const ids: number[] = [];
    for (let i = 0; i < members; i++) ids.push(store.customers.create({ shop, firstName: "Bench", email: `bench${i}@example.com` }).id);
    await db.sql.tx(async (q) => {
      for (let i = 0; i < ids.length; i++) {
        const memberId = await ensureMember(q, shop, `gid://shopify/Customer/${ids[i]}`);
        await postEntryIn(q, shop, { memberId, bucket: "available", points: 10 + (i % 500), kind: "earn", reason: "bench", idempotencyKey: `bench:${ids[i]}` });
      }
    });
    const dirty = Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND metafields_dirty = ?`, [shop, db.sql.bool(true)]))?.n);
    console.log(`${members} customers and members with changed balances in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${dirty} to sync\n`);

    // 2. the sync, as the worker runs it, every Admin call logged with the cost Shopify reported
    const calls: CallLog[] = [];
    const raw: AdminGraphql = async (query, options) => {
      const s = performance.now();
      const res = await fetch(`${store.url}/admin/api/2026-01/graphql.json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": store.shops.accessToken(shop) },
        body: JSON.stringify({ query, variables: options?.variables }),
      });
      const body = (await res.clone().json()) as {
        errors?: Array<{ extensions?: { code?: string } }>;
        extensions?: { cost?: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } } };
      };
      const c = body.extensions?.cost;
      calls.push({
        at: s,
        ms: performance.now() - s,
        requested: c?.requestedQueryCost ?? 0,
        actual: c?.actualQueryCost ?? 0,
        available: c?.throttleStatus.currentlyAvailable ?? NaN,
        max: c?.throttleStatus.maximumAvailable ?? NaN,
        restoreRate: c?.throttleStatus.restoreRate ?? NaN,
        throttled: Array.isArray(body.errors) && body.errors.some((e) => e.extensions?.code === "THROTTLED"),
      });
      return res;
    };
    resetBuckets();
    const admin = throttledAdmin(shop, raw, { background: true });
    let synced = 0;
    let failed = 0;
    let jobs = 0;
    let jobErrors = 0;
    const start = performance.now();
    for (let more = true; more; ) {
      jobs++;
      try {
        const r = await syncMemberMetafields(db.sql, shop, admin);
        synced += r.synced;
        failed += r.failed;
        more = r.more;
      } catch (error) {
        // a job that throws is retried by the worker; the bench counts it and goes on the same way
        jobErrors++;
        console.error(`job ${jobs} failed: ${error instanceof Error ? error.message : String(error)}`);
        if (jobErrors > 20) throw error;
      }
    }
    const seconds = (performance.now() - start) / 1000;

    // 3. what Shopify holds: every customer's points metafield equals the member's balance
    const sh = store.state.shops.get(shop)!;
    const balances = await db.sql.all<{ customer_gid: string; points_available: number }>(`SELECT customer_gid, points_available FROM members WHERE shop = ?`, [shop]);
    const wrong = balances.filter((m) => sh.metafieldsOf(m.customer_gid).find((f) => f.namespace.endsWith(`--${CUSTOMER_NAMESPACE.replace(/^\$app:/, "")}`) && f.key === "points")?.value !== String(m.points_available)).length;
    const left = Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND metafields_dirty = ?`, [shop, db.sql.bool(true)]))?.n);

    // 4. the baseline: the least time Shopify's cost limits allow for these calls — the first
    //    bucketful at once, the rest at the restore rate — and the same with the half of the bucket
    //    background work leaves to shoppers
    const ok = calls.filter((c) => !c.throttled);
    const bucket = ok[0]?.max ?? 1000;
    const rate = ok[0]?.restoreRate ?? 100;
    const points = ok.reduce((s, c) => s + c.requested, 0);
    const floor = Math.max(0, (points - bucket) / rate);
    const floorReserved = Math.max(0, (points - bucket * (1 - BACKGROUND_RESERVE)) / rate);
    const peakUse = Math.max(...ok.map((c) => c.max - c.available));
    const lowest = Math.min(...ok.map((c) => c.available));
    const throttled = calls.filter((c) => c.throttled).length;
    const pointsPerSecond = points / seconds;

    printTable([
      ["scenario", "time", "calls", "THROTTLED", "peak bucket use", "points/s", "vs floor", "target", "met"],
      [`floor: ${points} points at ${rate}/s after a ${bucket}-point bucket`, `${floor.toFixed(1)} s`, ok.length, "", "", rate, "1.00", "(baseline)", ""],
      [`floor keeping ${BACKGROUND_RESERVE * 100} % of the bucket for shoppers`, `${floorReserved.toFixed(1)} s`, "", "", "", "", (floorReserved / floor).toFixed(2), "", ""],
      [
        `metafields:sync, ${members} members, Standard plan`,
        `${seconds.toFixed(1)} s`,
        calls.length,
        throttled,
        `${peakUse} of ${bucket}`,
        pointsPerSecond.toFixed(0),
        (seconds / floor).toFixed(2),
        "0 THROTTLED, all synced, ≤ 1.25 × floor",
        throttled === 0 && wrong === 0 && left === 0 && jobErrors === 0 && seconds <= 1.25 * floorReserved ? "yes" : "NO",
      ],
    ]);
    console.log(
      `\nchecks: ${synced} synced, ${failed} refused by Shopify, ${left} still dirty, ${wrong} customers whose points metafield ≠ balance; ` +
        `${jobs} job runs (${jobErrors} failed); ${(synced / Math.max(1, ok.length)).toFixed(1)} members per call; lowest bucket level seen ${lowest}; ` +
        `mean call ${(calls.reduce((s, c) => s + c.ms, 0) / Math.max(1, calls.length)).toFixed(1)} ms`,
    );
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(
      join("bench", "results", `metafields-${new Date().toISOString().replace(/[:.]/g, "-")}.json`),
      JSON.stringify({ members, seconds, calls: calls.length, throttled, peakUse, bucket, rate, points, floor, floorReserved, synced, failed, left, wrong, jobs, jobErrors }, null, 2),
    );
    if (throttled > 0 || wrong > 0 || left > 0 || jobErrors > 0) process.exitCode = 1;
  } finally {
    await db.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
