// The test command: the whole suite on SQLite, then again on PostgreSQL when one is reachable
// (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test). Without PostgreSQL the
// run says so plainly; in CI (CI=true) a missing PostgreSQL is a failure.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const url = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const extra = process.argv.slice(2);

const totals = { passed: 0, failed: 0, skipped: 0 };
const reports = mkdtempSync(join(tmpdir(), "stammkunde-vitest-"));

// Unit and offline-store tests don't touch the database: they run once, in the SQLite pass.
function vitest(db, filters = []) {
  console.log(`\n=== Test suite on ${db} ===\n`);
  const out = join(reports, `${db}.json`);
  const r = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...filters, ...extra], {
    stdio: "inherit",
    env: { ...process.env, TEST_DB: db, NODE_ENV: "test" },
  });
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, "utf8"));
    totals.passed += j.numPassedTests;
    totals.failed += j.numFailedTests;
    totals.skipped += j.numPendingTests + j.numTodoTests;
    if (j.numTotalTests === 0) return 1;
  }
  return r.status ?? 1;
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch (error) {
    console.log(`PostgreSQL not reachable at ${url}: ${error.message}`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let failed = 0;
let passedRuns = 0;
let skipped = 0;
let pgStatus = "skipped";
const s = vitest("sqlite");
s === 0 ? passedRuns++ : failed++;
if (await postgresReachable()) {
  const p = vitest("postgres", ["tests/integration"]);
  p === 0 ? passedRuns++ : failed++;
  pgStatus = p === 0 ? "passed" : "failed";
} else {
  skipped++;
  console.log("\n*** PostgreSQL run SKIPPED: no PostgreSQL reachable (set TEST_POSTGRES_URL). ***\n");
  if (process.env.CI) failed++;
}
// Browser tests: Debian's Chromium drives the demo (offline store + app) through Playwright.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let browser = "skipped";
if (process.env.SKIP_E2E) {
  console.log("\n*** Browser tests SKIPPED (SKIP_E2E set). ***\n");
} else if (!existsSync(chromium)) {
  console.log(`\n*** Browser tests SKIPPED: no Chromium at ${chromium} (apt-get install -y chromium). ***\n`);
  if (process.env.CI) failed++;
} else {
  console.log("\n=== Browser tests (Playwright, Chromium) against the production build ===\n");
  const build = spawnSync("npm", ["run", "build", "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
  if (build.status !== 0) failed++;
  const out = join(reports, "e2e.json");
  const r = spawnSync("npx", ["playwright", "test", "--reporter=list,json"], { stdio: "inherit", env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out } });
  if (existsSync(out)) {
    const stats = JSON.parse(readFileSync(out, "utf8")).stats;
    totals.passed += stats.expected + stats.flaky;
    totals.failed += stats.unexpected;
    totals.skipped += stats.skipped;
  }
  browser = r.status === 0 ? "passed" : "failed";
  if (r.status !== 0) failed++;
}

console.log(`\nDatabase runs: SQLite ${s === 0 ? "passed" : "failed"}; PostgreSQL ${pgStatus}; browser tests ${browser}`);
console.log(`Tests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
