// npm run bench -- import: a 1 M-row CSV in the generic format (with customer ids, so no Admin API
// lookups) imported on SQLite through the real path: upload (parsed and stored in chunks), the dry
// run, and the `import:members` job run by the worker. Prints rows/s per phase and checks that
// every row posted exactly once and every balance equals its entries.
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../app/db.server";
import { Worker } from "../app/jobs/worker.server";
import { checkBalances } from "../app/models/ledger.server";
import { createImport, importStatus, startImport } from "../app/models/member-import.server";
import { ensureShop } from "../app/models/shops.server";

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const SHOP = "bench-import.myshopify.com";
const TARGET_S = 120;

function makeCsv(path: string, rows: number) {
  const parts: string[] = ["customer_id,email,first_name,last_name,points,tier,birthday,referral_code\n"];
  for (let i = 0; i < rows; i++) {
    const month = String((i % 12) + 1).padStart(2, "0");
    const day = String((i % 28) + 1).padStart(2, "0");
    parts.push(`${10_000_000 + i},member${i}@example.de,Vorname${i % 997},Nachname${i % 1009},${(i % 5000) + 1},${i % 10 === 0 ? "Gold" : ""},1980-${month}-${day},${i % 3 === 0 ? `REF${i}` : ""}\n`);
  }
  writeFileSync(path, parts.join(""));
}

export async function importBench() {
  const dir = mkdtempSync(join(tmpdir(), "stammkunde-import-bench-"));
  const csvPath = join(dir, "members.csv");
  console.log(`Writing a ${ROWS.toLocaleString("en")}-row CSV…`);
  makeCsv(csvPath, ROWS);
  const mb = statSync(csvPath).size / 1e6;
  const db = await openDatabase(`file:${join(dir, "import.sqlite")}`);
  try {
    await db.sql.tx((q) => ensureShop(q, SHOP));
    const t0 = performance.now();
    const id = await createImport(db.sql, SHOP, { filename: "members.csv", actor: "bench" }, createReadStream(csvPath, { highWaterMark: 256 * 1024 }));
    const t1 = performance.now();
    const worker = new Worker({ sql: db.sql }, { batch: 10 });
    await worker.drain(); // the dry run
    const t2 = performance.now();
    const checked = (await importStatus(db.sql, SHOP, id))!;
    await startImport(db.sql, SHOP, id, "bench");
    await worker.drain(); // the import, slice after slice
    const t3 = performance.now();
    const done = (await importStatus(db.sql, SHOP, id))!;
    const entries = Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ledger_entries WHERE shop = ? AND kind = 'migrate'`, [SHOP]))!.n);
    const sum = Number((await db.sql.get<{ s: number }>(`SELECT COALESCE(SUM(points), 0) AS s FROM ledger_entries WHERE shop = ?`, [SHOP]))!.s);
    const expected = Array.from({ length: ROWS }, (_, i) => (i % 5000) + 1).reduce((s, p) => s + p, 0);
    const balances = await checkBalances(db.sql, SHOP);
    const s = (a: number, b: number) => (b - a) / 1000;
    const rate = (n: number, sec: number) => `${Math.round(n / sec).toLocaleString("en")} rows/s`;
    const total = s(t0, t3);
    const table = [
      ["phase", "time", "throughput"],
      [`upload: parse ${mb.toFixed(0)} MB and store in chunks`, `${s(t0, t1).toFixed(1)} s`, rate(ROWS, s(t0, t1))],
      ["dry run: check every row", `${s(t1, t2).toFixed(1)} s`, rate(ROWS, s(t1, t2))],
      ["import job: members + entries, chunk by chunk", `${s(t2, t3).toFixed(1)} s`, rate(ROWS, s(t2, t3))],
      [`total (target ≤ ${TARGET_S} s)`, `${total.toFixed(1)} s`, total <= TARGET_S ? "met" : "NOT MET"],
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    console.log(table.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")).join("\n"));
    console.log(
      `\nchecks: ${checked.validRows}/${ROWS} rows valid, ${done.importedRows} imported, ${entries} entries (one per row), ` +
        `${sum === expected ? "points = the file's" : `points ${sum} ≠ ${expected}`}, ${balances.mismatched.length} balances ≠ Σ entries`,
    );
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(
      join("bench", "results", `import-${new Date().toISOString().replace(/[:.]/g, "-")}.json`),
      JSON.stringify({ rows: ROWS, mb, uploadS: s(t0, t1), dryRunS: s(t1, t2), importS: s(t2, t3), totalS: total, entries, balanceMismatches: balances.mismatched.length }, null, 2),
    );
    if (entries !== ROWS || sum !== expected || balances.mismatched.length > 0 || done.status !== "done") process.exitCode = 1;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
