// The short chaos run in CI, on the database under test (TEST_DB): the app and its worker (two of
// each on PostgreSQL) as real processes, SIGKILLed and restarted, against the offline store with
// duplicated and reordered webhooks and Admin API faults; then every invariant of
// scripts/chaos.ts (balances = Σ entries = the independent model, no orphan codes, every 2xx
// webhook recorded, no job stuck). A fixed seed; `npm run chaos` runs longer ones.
import { spawn } from "node:child_process";
import { expect, test } from "vitest";
import { TEST_DB } from "../helpers/db";

const SECONDS = Number(process.env.CHAOS_CI_SECONDS ?? 30);

test(`chaos: ${SECONDS} s of orders, refunds, redemptions and referrals with kills and faults on ${TEST_DB}`, async () => {
  const args = ["--import", "tsx", "scripts/chaos.ts", `--db=${TEST_DB}`, `--seconds=${SECONDS}`, "--seed=20261126", "--customers=300", "--kill-every=5", "--quiet"];
  const child = spawn(process.execPath, args, { env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  // the table the run prints is the evidence; shown in full when it fails
  expect(output, output).toMatch(/balances = independent model\s+\|\s+\d+\s+\|\s+pass/);
  expect(output).toMatch(/SIGKILL app \/ worker \(restarted\)\s+\|\s+\d+ \/ \d+/);
  expect(output).not.toMatch(/FAIL/);
  expect(code, output).toBe(0);
}, 600_000);
