// npm run chaos [-- --db=sqlite|postgres --seconds=N --seed=S --customers=N --kill-every=S --quiet]
//
// A bounded soak on loopback: the offline store (in this process) drives a seeded-random mix of
// customers ordering, paying, refunding, cancelling, redeeming through the app proxy and referring
// friends, while webhooks are duplicated and reordered, the Admin API fails (5xx, hangs,
// THROTTLED), and the app and worker processes (two of each on PostgreSQL, one schema) are killed
// with SIGKILL at random moments and restarted. Then everything settles and the run checks its
// invariants against the app's database and an independent model (scripts/chaos/model.ts), prints
// what it did and exits nonzero with a diff on any violation. docs/decisions/0022-chaos-run.md
// says what the model covers and what it doesn't.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDevStore, type DevStore } from "../devstore/index.ts";
import { createRng } from "../devstore/core/rng.ts";
import { openDatabase, type Database } from "../app/db.server.ts";
import { defaultProgram } from "../app/domain/program.ts";
import { saveProgram } from "../app/models/earning.server.ts";
import { createReward } from "../app/models/redemptions.server.ts";
import { markOnboarded } from "../app/models/onboarding.server.ts";
import { children, freePort, printTable, waitForOutput } from "../bench/lib.ts";
import { diffBalances, expectedBalances, type ModelOrder, type ModelRules } from "./chaos/model.ts";

// ---------------------------------------------------------------------------------------------
// Options

const arg = (name: string, fallback: string) => {
  const hit = process.argv.slice(2).find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return fallback;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "true";
};
const DB = arg("db", "sqlite") as "sqlite" | "postgres";
if (DB !== "sqlite" && DB !== "postgres") throw new Error("--db must be sqlite or postgres");
const SECONDS = Number(arg("seconds", "60"));
const SEED = Number(arg("seed", String(Date.now() % 1_000_000)));
const CUSTOMERS = Number(arg("customers", "1000"));
const KILL_EVERY_S = Number(arg("kill-every", "8"));
const QUIET = arg("quiet", "false") === "true";
const SETTLE_TIMEOUT_S = Number(arg("settle-timeout", "120"));
const PORT_BASE = Number(arg("port-base", "0")); // 0: free ports; else app/worker/balancer/store from here
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
for (const [k, v] of Object.entries({ seconds: SECONDS, seed: SEED, customers: CUSTOMERS, "kill-every": KILL_EVERY_S })) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
}

const SHOP = "chaos-shop.myshopify.com";
const API_KEY = "stammkunde-chaos";
const API_SECRET = "stammkunde-chaos-secret";
const RULES: ModelRules = { signupPoints: 100, pointsPerUnit: 1, minorPerUnit: 100, advocatePoints: 50 };
const REWARDS = [
  { title: "Chaos 2 off", amountMinor: 200, pointsCost: 100 },
  { title: "Chaos 5 off", amountMinor: 500, pointsCost: 250 },
];
const FRIEND_DISCOUNT_MINOR = 1000;
const PRICES = ["7.50", "12.00", "19.90", "23.40", "4.99"];

const random = createRng(SEED);
const chance = (p: number) => random() < p;
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const log = (line: string) => QUIET || console.log(`[chaos ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);

// ---------------------------------------------------------------------------------------------
// What the run did (the table at the end)

const counts = {
  customers: 0,
  friends: 0,
  orders: 0,
  pendingOrders: 0,
  payments: 0,
  refunds: 0,
  fullRefunds: 0,
  cancels: 0,
  codeOrders: 0,
  redeemAsked: 0,
  redeemIssued: 0,
  redeemHeld: 0,
  redeemRefused: 0,
  redeemLost: 0,
  referralLinks: 0,
  friendCodes: 0,
  friendOrders: 0,
  duplicateWindows: 0,
  reorderBatches: 0,
  reorderedDeliveries: 0,
  faults5xx: 0,
  faultsThrottled: 0,
  faultsHang: 0,
  faultsSlow: 0,
  killsApp: 0,
  killsWorker: 0,
};

// ---------------------------------------------------------------------------------------------
// Database

async function prepareDatabase(): Promise<{ url: string; db: Database; drop: () => Promise<void> }> {
  if (DB === "postgres") {
    const schema = `chaos_${process.pid}_${SEED}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    const u = new URL(POSTGRES_URL);
    u.searchParams.set("schema", schema);
    const db = await openDatabase(u.toString());
    return {
      url: u.toString(),
      db,
      async drop() {
        await db.close();
        const c = new pg.Client({ connectionString: POSTGRES_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "stammkunde-chaos-"));
  const url = `file:${join(dir, "chaos.sqlite")}`;
  const db = await openDatabase(url);
  return {
    url,
    db,
    async drop() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The installed shop: program, rewards, offline session — as the install and the merchant leave it. */
async function seedShop(db: Database, store: DevStore): Promise<Map<number, { title: string; cost: number }>> {
  const program = defaultProgram();
  program.actions.signup.points = RULES.signupPoints;
  program.purchase.pointsPerUnit = RULES.pointsPerUnit;
  program.referrals = {
    ...program.referrals,
    enabled: true,
    friendReward: { type: "amount", value: FRIEND_DISCOUNT_MINOR, minimumOrderMinor: 0, expiresInDays: 30 },
    advocateReward: { points: RULES.advocatePoints },
    returnWindowDays: 0,
    friendMustBeNew: true,
    minimumSubtotalMinor: 0,
    velocity: { maxPerIpPerWeek: 1_000_000, maxClaimsPerIpPerWeek: 1_000_000 },
  };
  await db.sql.tx((q) => saveProgram(q, SHOP, program));
  await db.sql.tx((q) => markOnboarded(q, SHOP));
  const rewards = new Map<number, { title: string; cost: number }>();
  for (const r of REWARDS) {
    const id = await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: r.amountMinor, pointsCost: r.pointsCost, texts: { en: { title: r.title }, de: { title: r.title } } }));
    rewards.set(id, { title: r.title, cost: r.pointsCost });
  }
  await db.sql.run(
    `INSERT INTO sessions (id, shop, state, "isOnline", scope, "accessToken", "accountOwner") VALUES (?, ?, '', ?, ?, ?, ?)`,
    [`offline_${SHOP}`, SHOP, db.sql.bool(false), store.shops.get(SHOP).scope, store.shops.accessToken(SHOP), db.sql.bool(false)],
  );
  return rewards;
}

// ---------------------------------------------------------------------------------------------
// Processes: app servers behind a small balancer, workers; killed and restarted

interface Proc {
  kind: "app" | "worker";
  name: string;
  port?: number;
  child?: ChildProcess;
  pid?: number;
  up: boolean;
}

const procs: Proc[] = [];
const deadWorkerPids = new Set<number>();
let childEnv: Record<string, string> = {};

async function startProc(p: Proc): Promise<void> {
  const script = p.kind === "app" ? "server/index.ts" : "app/jobs/worker.ts";
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, ...childEnv, ...(p.port ? { PORT: String(p.port) } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const errors: string[] = [];
  child.stderr?.on("data", (c: Buffer) => {
    errors.push(c.toString());
    if (errors.length > 50) errors.shift();
    if (process.env.CHAOS_DEBUG) process.stderr.write(`[${p.name}] ${c}`);
  });
  if (process.env.CHAOS_DEBUG) child.stdout?.on("data", (c: Buffer) => process.stdout.write(`[${p.name}] ${c}`));
  child.on("exit", (code, signal) => {
    children.delete(child);
    if (p.child === child) p.up = false;
    if (signal !== "SIGKILL" && signal !== "SIGTERM" && !shuttingDown) {
      console.error(`${p.name} exited on its own (${code ?? signal}):\n${errors.join("").slice(-3000)}`);
      unexpectedExits.push(`${p.name}: ${code ?? signal}`);
    }
  });
  p.child = child;
  p.pid = child.pid;
  // generous: on a loaded two-core machine a production app takes minutes to start
  await waitForOutput(child, p.kind === "app" ? /listening/ : /started/, 600_000);
  p.up = true;
}

const unexpectedExits: string[] = [];
let shuttingDown = false;

async function killAndRestart(p: Proc): Promise<void> {
  if (!p.up || !p.child) return;
  p.up = false;
  const child = p.child;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGKILL");
  await exited;
  if (p.kind === "worker" && p.pid) deadWorkerPids.add(p.pid);
  if (p.kind === "app") counts.killsApp++;
  else counts.killsWorker++;
  log(`SIGKILL ${p.name} (pid ${p.pid})`);
  await sleep(between(0, 1500));
  await startProc(p);
  log(`restarted ${p.name} (pid ${p.pid})`);
}

/** Round-robin over the live app processes; a dead backend answers 502 (as a load balancer would). */
function startBalancer(port: number): Promise<Server> {
  let next = 0;
  const server = createServer((req, res) => {
    const live = procs.filter((p) => p.kind === "app" && p.up);
    const target = live.length ? live[next++ % live.length]! : procs.find((p) => p.kind === "app")!;
    const upstream = httpRequest({ host: "127.0.0.1", port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
      r.on("error", () => res.destroy());
    });
    upstream.on("error", () => {
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end("bad gateway");
      } else res.destroy();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

// ---------------------------------------------------------------------------------------------
// The shoppers

interface Customer {
  id: number;
  email: string;
  codes: string[];
  friend: boolean;
  ordered: boolean;
}

interface OrderState extends ModelOrder {
  storeId: number;
  lineId: number;
  placedAt: number;
}

interface Redemption {
  customerId: number;
  key: string;
  rewardId: number;
  outcome: "issued" | "held" | "refused" | "unknown";
  code?: string;
}

const proxyAnswers = new Map<string, number>();
const customers: Customer[] = [];
const friends: Customer[] = [];
const orders: OrderState[] = [];
const redemptions: Redemption[] = [];
const referralCodeOf = new Map<number, string>();
const friendCodes = new Map<number, { code: string; advocateId: number }>();
const friendClaims = new Map<number, number>(); // friend → advocate, claim asked
let store: DevStore;
let variants: Array<{ id: number; price: number }> = [];
let rewardIds: number[] = [];

function createCustomer(friend: boolean): Customer {
  const n = customers.length + friends.length + 1;
  const email = `${friend ? "friend" : "shopper"}${n}.${SEED}@chaos.example`;
  const record = store.customers.create({ shop: SHOP, firstName: friend ? "Friend" : "Shopper", lastName: `No${n}`, email });
  const c: Customer = { id: record.id, email, codes: [], friend, ordered: false };
  (friend ? friends : customers).push(c);
  counts[friend ? "friends" : "customers"]++;
  return c;
}

function placeOrder(c: Customer, opts: { code?: string; advocateId?: number; paid?: boolean } = {}): OrderState | null {
  const v = pick(variants);
  const quantity = opts.advocateId !== undefined ? between(2, 4) : between(1, 4);
  const paid = opts.paid ?? chance(0.75);
  let record;
  try {
    record = store.orders.create({
      shop: SHOP,
      customerId: c.id,
      lineItems: [{ variantId: v.id, quantity }],
      discountCodes: opts.code ? [opts.code] : undefined,
      shipping: null,
      financialStatus: paid ? "paid" : "pending",
    });
  } catch (error) {
    if ((error as Error).name === "DiscountRejected" || /discount/i.test(String((error as Error).message))) return null;
    throw error;
  }
  const line = record.lineItems[0]!;
  const discount = v.price * quantity - lineNet(record);
  const o: OrderState = {
    storeId: record.id,
    lineId: line.id,
    placedAt: Date.now(),
    customerId: c.id,
    quantity,
    netMinor: v.price * quantity - discount,
    paid,
    cancelled: false,
    refundedQuantity: 0,
    advocateId: opts.advocateId,
  };
  orders.push(o);
  c.ordered = true;
  counts.orders++;
  if (!paid) counts.pendingOrders++;
  if (opts.code) counts.codeOrders++;
  return o;
}

/** The line's amount after discounts, from the store's own order record. */
function lineNet(record: { lineItems: Array<{ price: number; quantity: number; discountAllocations?: Array<{ amount: number }> }> }): number {
  const line = record.lineItems[0]!;
  const discounts = (line.discountAllocations ?? []).reduce((s, d) => s + d.amount, 0);
  return line.price * line.quantity - discounts;
}

async function proxy(path: string, customerId: number, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const response = await store.appProxy.request(path, {
    shop: SHOP,
    customerId,
    method: init.method ?? "GET",
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    headers: { "content-type": "application/json", accept: "application/json", ...(init.headers ?? {}) },
  });
  const text = await response.text();
  const key = `${path.split("/")[1]} ${init.method ?? "GET"} ${response.status}`;
  proxyAnswers.set(key, (proxyAnswers.get(key) ?? 0) + 1);
  if (process.env.CHAOS_DEBUG && response.status >= 400) console.log(`[proxy] ${key}: ${text.slice(0, 300)}`);
  let body: Record<string, unknown> | null = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: a 502 from the balancer while an app restarts */
  }
  return { status: response.status, body };
}

async function redeem(r: Redemption): Promise<void> {
  try {
    const res = await proxy("/rewards", r.customerId, { method: "POST", body: { rewardId: r.rewardId, idempotencyKey: r.key } });
    if (res.status === 200 && res.body?.status === "issued") {
      r.outcome = "issued";
      r.code = String(res.body.code);
    } else if (res.status === 202) r.outcome = "held";
    else if ([404, 409, 429].includes(res.status) || (res.status === 502 && res.body?.status === "released")) r.outcome = "refused";
    else r.outcome = "unknown"; // the app died under the request, or the balancer had no backend
  } catch {
    r.outcome = "unknown";
  }
}

async function actRedeem(): Promise<void> {
  const c = pick(customers);
  const rewardId = pick(rewardIds);
  const r: Redemption = { customerId: c.id, key: `chaos-${SEED}-${redemptions.length}`, rewardId, outcome: "unknown" };
  redemptions.push(r);
  counts.redeemAsked++;
  await redeem(r);
  if (r.outcome === "issued") c.codes.push(r.code!);
}

async function actRefer(): Promise<void> {
  // a friend with a claim that is still being created asks again; otherwise a new friend
  const waiting = [...friendClaims.entries()].find(([f]) => !friendCodes.has(f));
  const advocate = waiting ? customers.find((c) => c.id === waiting[1])! : pick(customers);
  let code = referralCodeOf.get(advocate.id);
  if (!code) {
    const res = await proxy("/rewards", advocate.id).catch(() => null);
    const referral = res?.body?.referral as { code?: string } | undefined;
    if (!referral?.code) return;
    code = referral.code;
    referralCodeOf.set(advocate.id, code);
    counts.referralLinks++;
  }
  const friend = waiting ? friends.find((f) => f.id === waiting[0])! : createCustomer(true);
  friendClaims.set(friend.id, advocate.id);
  await proxy(`/r/${code}`, friend.id, { headers: { accept: "text/html" } }).catch(() => null);
  const res = await proxy("/referral-claim", friend.id, { method: "POST", body: { code }, headers: { "x-forwarded-for": `10.${friend.id % 250}.${(friend.id >> 8) % 250}.7` } }).catch(() => null);
  if (res?.status === 200 && typeof res.body?.code === "string") {
    friendCodes.set(friend.id, { code: res.body.code, advocateId: advocate.id });
    counts.friendCodes++;
  } else if (res && res.status >= 400 && res.status < 500 && res.status !== 429) {
    if (process.env.CHAOS_DEBUG) console.log(`[refer] friend ${friend.id} (orders ${store.state.shops.get(SHOP).ordersOf(friend.id).length}) refused: ${JSON.stringify(res.body)}`);
    friendClaims.delete(friend.id); // a definite no: this friend gives up
  }
}

function actFriendOrder(): void {
  const ready = friends.filter((f) => !f.ordered && friendCodes.has(f.id));
  if (!ready.length) return;
  const f = pick(ready);
  const { code, advocateId } = friendCodes.get(f.id)!;
  const o = placeOrder(f, { code, advocateId, paid: true });
  if (o) counts.friendOrders++;
}

function actOrder(): void {
  // shoppers holding a reward code come back to spend it now and then
  const holders = customers.filter((x) => x.codes.length);
  const c = holders.length && chance(0.3) ? pick(holders) : pick(customers);
  const code = c.codes.length && chance(0.5) ? c.codes.shift() : undefined;
  placeOrder(c, { code });
}

function actPay(): void {
  const open = orders.filter((o) => !o.paid && !o.cancelled);
  if (!open.length) return;
  const o = pick(open);
  store.orders.markPaid(o.storeId, { shop: SHOP });
  o.paid = true;
  counts.payments++;
}

function actRefund(): void {
  // Shopify's order and refund times are whole seconds: a friend's order refunded within its first
  // second would count as refunded inside a return window of 0 days, so those wait a little
  // an order whose money is all refunded (a reward code can make a line worth nothing) is
  // "refunded" in Shopify's terms even with quantities left: the store takes no further refund
  const refundable = (o: (typeof orders)[number]) => ["paid", "partially_refunded", "partially_paid"].includes(store.orders.get(o.storeId, { shop: SHOP })?.financialStatus ?? "");
  const open = orders.filter((o) => o.paid && !o.cancelled && o.refundedQuantity < o.quantity && (o.advocateId === undefined || Date.now() - o.placedAt > 2500) && refundable(o));
  if (!open.length) return;
  const o = pick(open);
  const left = o.quantity - o.refundedQuantity;
  const quantity = chance(0.4) ? left : between(1, left);
  store.orders.refund(o.storeId, [{ lineItemId: o.lineId, quantity }], { shop: SHOP });
  o.refundedQuantity += quantity;
  counts.refunds++;
  if (o.refundedQuantity === o.quantity) counts.fullRefunds++;
}

function actCancel(): void {
  const open = orders.filter((o) => !o.cancelled && o.advocateId === undefined);
  if (!open.length) return;
  const o = pick(open);
  store.orders.cancel(o.storeId, { shop: SHOP, refund: chance(0.5) });
  o.cancelled = true;
  counts.cancels++;
}

/** One shopper loop: a weighted random action, a short pause, until the time is up. */
async function shopper(until: number): Promise<void> {
  while (Date.now() < until) {
    const roll = random();
    try {
      if (roll < 0.34) actOrder();
      else if (roll < 0.44) actPay();
      else if (roll < 0.58) actRefund();
      else if (roll < 0.64) actCancel();
      else if (roll < 0.8) await actRedeem();
      else if (roll < 0.9) await actRefer();
      else actFriendOrder();
    } catch (error) {
      throw new Error(`shopper action failed: ${(error as Error).stack ?? error}`);
    }
    await sleep(between(5, 40));
  }
}

/** The weather: duplicate deliveries, held-and-shuffled batches, Admin API faults. */
async function weather(until: number): Promise<void> {
  while (Date.now() < until) {
    await sleep(between(300, 1500));
    const roll = random();
    if (roll < 0.2) {
      store.webhooks.switches.duplicate = store.webhooks.switches.duplicate > 1 ? 1 : between(2, 3);
      if (store.webhooks.switches.duplicate > 1) counts.duplicateWindows++;
    } else if (roll < 0.4) {
      if (!store.webhooks.switches.hold) {
        store.webhooks.hold();
        await sleep(between(200, 1500));
        const batch = store.webhooks.release(chance(0.5) ? "shuffle" : "reverse");
        counts.reorderBatches++;
        counts.reorderedDeliveries += batch.length;
      }
    } else if (roll < 0.6) {
      const n = between(1, 6);
      store.faults.failNext(n, pick([500, 502, 503]));
      counts.faults5xx += n;
    } else if (roll < 0.75) {
      const n = between(1, 8);
      store.faults.throttleNext(n);
      counts.faultsThrottled += n;
    } else if (roll < 0.82) {
      store.faults.hangNext(1);
      counts.faultsHang++;
    } else if (roll < 0.9) {
      const n = between(1, 4);
      store.faults.slowNext(n, between(500, 4000));
      counts.faultsSlow += n;
    } else {
      store.faults.clear();
    }
  }
}

/** SIGKILLs a random running app or worker every ~KILL_EVERY_S seconds; each restarts on its own
 *  time, so another may die while one is still coming back. */
async function reaper(until: number): Promise<void> {
  const restarts: Promise<void>[] = [];
  while (Date.now() < until) {
    await sleep(between(KILL_EVERY_S * 500, KILL_EVERY_S * 1500));
    // the last live app goes down only when no other app is on its way back (else the run is
    // mostly downtime on a slow machine, where a restart takes tens of seconds)
    const appsUp = procs.filter((p) => p.kind === "app" && p.up).length;
    const appsDown = procs.filter((p) => p.kind === "app" && !p.up).length;
    const up = procs.filter((p) => p.up && !(p.kind === "app" && appsUp === 1 && appsDown > 0));
    if (Date.now() >= until || !up.length) continue;
    const victim = pick(up);
    restarts.push(
      killAndRestart(victim).catch((error) => {
        unexpectedExits.push(`${victim.name} did not come back: ${(error as Error).message}`);
      }),
    );
  }
  await Promise.all(restarts);
}

// ---------------------------------------------------------------------------------------------
// Settling

async function countDue(db: Database): Promise<{ due: number; running: number; dead: number; future: number }> {
  const now = db.sql.ts(Date.now());
  const row = await db.sql.get<{ due: number; running: number; dead: number; future: number }>(
    `SELECT SUM(CASE WHEN status = 'queued' AND run_at <= ? THEN 1 ELSE 0 END) AS due,
            SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running,
            SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead,
            SUM(CASE WHEN status = 'queued' AND run_at > ? THEN 1 ELSE 0 END) AS future
       FROM jobs WHERE shop = ?`,
    [now, now, SHOP],
  );
  return { due: Number(row?.due ?? 0), running: Number(row?.running ?? 0), dead: Number(row?.dead ?? 0), future: Number(row?.future ?? 0) };
}

/**
 * Time passes faster at the end: delays longer than the run — the 3-minute settle of a held
 * redemption or friend code, a retry's backoff, the 60-second lease of a job whose worker was
 * killed — are brought forward to now, as if the clock had moved on. Nothing else is touched.
 */
async function fastForward(db: Database): Promise<number> {
  const now = db.sql.ts(Date.now());
  const a = await db.sql.run(
    `UPDATE jobs SET run_at = ? WHERE shop = ? AND status = 'queued' AND run_at > ? AND ((kind IN ('redeem:settle', 'referral:friend-settle') AND created_at <= ?) OR attempts > 0)`,
    // a settle job is brought forward only once its hold is a minute old: by then the request that
    // made the hold has finished its own attempts (3 × 8 s at most), as it has after 3 real minutes
    [now, SHOP, now, db.sql.ts(Date.now() - 60_000)],
  );
  const livePids = procs.filter((p) => p.kind === "worker" && p.up).map((p) => p.pid);
  const running = await db.sql.all<{ id: number; locked_by: string | null }>(`SELECT id, locked_by FROM jobs WHERE shop = ? AND status = 'running'`, [SHOP]);
  let b = 0;
  for (const r of running) {
    const pid = Number(/^worker-(\d+)-/.exec(r.locked_by ?? "")?.[1]);
    if (!livePids.includes(pid)) b += (await db.sql.run(`UPDATE jobs SET locked_until = ? WHERE id = ? AND status = 'running'`, [now, r.id])).changes;
  }
  return a.changes + b;
}

async function settleAll(db: Database): Promise<{ seconds: number; fastForwarded: number }> {
  const t0 = Date.now();
  store.faults.clear();
  store.webhooks.switches.duplicate = 1;
  if (store.webhooks.switches.hold) store.webhooks.release("fifo");
  for (const p of procs) if (!p.up) await startProc(p);
  const deadline = t0 + SETTLE_TIMEOUT_S * 1000;
  const withDeadline = <T>(p: Promise<T>, what: string) =>
    Promise.race([p, sleep(Math.max(0, deadline - Date.now())).then(() => Promise.reject(new Error(`settling timed out: ${what}`)))]);
  try {
    await settleLoop(db, withDeadline, deadline);
  } catch (error) {
    // the invariants below show what is left unsettled
    settleError = (error as Error).message;
    console.log(settleError);
  }
  return { seconds: (Date.now() - t0) / 1000, fastForwarded };
}

let settleError: string | null = null;
let fastForwarded = 0;

async function settleLoop(db: Database, withDeadline: <T>(p: Promise<T>, what: string) => Promise<T>, deadline: number): Promise<void> {
  await withDeadline(store.webhooks.settle({ retries: true }), "webhook deliveries");
  // a shopper whose answer was lost (the app died under the request) asks again with the same key
  for (const r of redemptions.filter((x) => x.outcome === "unknown" || x.outcome === "held")) {
    if (r.outcome === "unknown") counts.redeemLost++;
    await redeem(r);
  }
  let quiet = 0;
  while (quiet < 3) {
    if (Date.now() > deadline) {
      const held = await db.sql.all<{ id: number; status: string; job: string | null }>(
        `SELECT r.id, r.status, (SELECT j.status || ' ' || j.attempts || ' ' || COALESCE(j.last_error, '') FROM jobs j WHERE j.shop = r.shop AND j.dedupe_key = 'settle:' || r.id) AS job FROM redemptions r WHERE r.shop = ? AND r.status = 'held'`,
        [SHOP],
      );
      const creating = await db.sql.all<{ id: number; job: string | null }>(
        `SELECT f.id, (SELECT j.status || ' ' || j.attempts || ' ' || COALESCE(j.last_error, '') FROM jobs j WHERE j.shop = f.shop AND j.dedupe_key = 'friend-settle:' || f.id) AS job FROM referral_friends f WHERE f.shop = ? AND f.status = 'creating'`,
        [SHOP],
      );
      throw new Error(`settling timed out: jobs ${JSON.stringify(await countDue(db))}; held redemptions ${JSON.stringify(held)}; friend codes creating ${JSON.stringify(creating)}`);
    }
    fastForwarded += await fastForward(db);
    await sleep(500);
    await withDeadline(store.webhooks.settle({ retries: true }), "webhook deliveries");
    const c = await countDue(db);
    const held = await db.sql.get<{ n: number }>(`SELECT (SELECT COUNT(*) FROM redemptions WHERE shop = ? AND status = 'held') + (SELECT COUNT(*) FROM referral_friends WHERE shop = ? AND status = 'creating') AS n`, [SHOP, SHOP]);
    quiet = c.due === 0 && c.running === 0 && Number(held?.n ?? 0) === 0 ? quiet + 1 : 0;
  }
  // the final answer for every redemption the run asked about
  for (const r of redemptions.filter((x) => x.outcome === "held")) await redeem(r);
}

// ---------------------------------------------------------------------------------------------
// Invariants

interface Check {
  name: string;
  checked: number;
  violations: string[];
}

async function checkInvariants(db: Database, rewards: Map<number, { title: string; cost: number }>): Promise<Check[]> {
  const checks: Check[] = [];
  const sql = db.sql;

  // 1. every balance equals the sum of its entries
  {
    const rows = await sql.all<{ id: number; customer_gid: string; points_available: number; points_pending: number; a: number | null; p: number | null }>(
      `SELECT m.id, m.customer_gid, m.points_available, m.points_pending,
              (SELECT SUM(points) FROM ledger_entries e WHERE e.shop = m.shop AND e.member_id = m.id AND e.bucket = 'available') AS a,
              (SELECT SUM(points) FROM ledger_entries e WHERE e.shop = m.shop AND e.member_id = m.id AND e.bucket = 'pending') AS p
         FROM members m WHERE m.shop = ?`,
      [SHOP],
    );
    const bad = rows.filter((r) => Number(r.points_available) !== Number(r.a ?? 0) || Number(r.points_pending) !== Number(r.p ?? 0));
    checks.push({ name: "balance = Σ entries (every member)", checked: rows.length, violations: bad.map((r) => `${r.customer_gid}: balance ${r.points_available}/${r.points_pending} ≠ entries ${r.a ?? 0}/${r.p ?? 0}`) });
  }

  // 2. codes: every redemption code in Shopify belongs to an issued or used redemption and vice versa
  const shop = store.shops.get(SHOP);
  const storeCodes = new Map<string, { customerIds: number[]; title: string }>();
  for (const d of shop.discounts.values()) {
    for (const c of d.codes) storeCodes.set(c.code.toUpperCase(), { customerIds: d.context.type === "customers" ? d.context.customerIds : [], title: d.title });
  }
  const appRedemptions = await sql.all<{ code: string; status: string; points: number; customer_gid: string; reward_id: number }>(
    `SELECT r.code, r.status, r.points, m.customer_gid, r.reward_id FROM redemptions r JOIN members m ON m.id = r.member_id WHERE r.shop = ?`,
    [SHOP],
  );
  const friendRows = await sql.all<{ discount_code: string; status: string }>(`SELECT discount_code, status FROM referral_friends WHERE shop = ?`, [SHOP]);
  const redemptionCodes: Array<{ customerId: number; points: number }> = [];
  {
    const violations: string[] = [];
    const byCode = new Map(appRedemptions.map((r) => [r.code.toUpperCase(), r]));
    const friendByCode = new Map(friendRows.map((r) => [r.discount_code.toUpperCase(), r]));
    for (const [code, d] of storeCodes) {
      const reward = [...rewards.values()].find((r) => d.title.startsWith(`${r.title} (`));
      if (reward) {
        if (d.customerIds.length !== 1) violations.push(`store code ${code} is for ${d.customerIds.length} customers`);
        else redemptionCodes.push({ customerId: d.customerIds[0]!, points: reward.cost });
        const r = byCode.get(code);
        if (!r) violations.push(`store code ${code} (${d.title}) has no redemption in the app`);
        else if (r.status !== "issued" && r.status !== "used") violations.push(`store code ${code} belongs to a ${r.status} redemption`);
        else if (r.customer_gid !== `gid://shopify/Customer/${d.customerIds[0]}`) violations.push(`store code ${code} is for customer ${d.customerIds[0]}, the app's redemption for ${r.customer_gid}`);
      } else {
        const f = friendByCode.get(code);
        if (!f) violations.push(`store code ${code} (${d.title}) belongs to no redemption or friend`);
        else if (f.status !== "issued") violations.push(`store code ${code} belongs to a ${f.status} friend code`);
      }
    }
    for (const r of appRedemptions) {
      if ((r.status === "issued" || r.status === "used") && !storeCodes.has(r.code.toUpperCase())) violations.push(`${r.status} redemption ${r.code} has no code in Shopify`);
      if (r.status === "held") violations.push(`redemption ${r.code} still held after settling`);
    }
    for (const f of friendRows) {
      if (f.status === "issued" && !storeCodes.has(f.discount_code.toUpperCase())) violations.push(`friend code ${f.discount_code} has no code in Shopify`);
      if (f.status === "creating") violations.push(`friend code ${f.discount_code} still being created after settling`);
    }
    for (const r of redemptions) {
      if (r.outcome === "issued" && !storeCodes.has(r.code!.toUpperCase())) violations.push(`the app answered issued ${r.code} (key ${r.key}), Shopify has no such code`);
      if (r.outcome === "held" || r.outcome === "unknown") violations.push(`redemption ${r.key} never got a final answer (${r.outcome})`);
    }
    checks.push({ name: "no orphan codes; holds settled", checked: storeCodes.size + appRedemptions.length + friendRows.length, violations });
  }

  // 3. every delivery the app answered 2xx is recorded (and Shopify gave up on none)
  {
    const deliveries = store.webhooks.deliveries.filter((d) => d.shop === SHOP);
    const acked = deliveries.filter((d) => d.attempts.some((a) => a.status !== null && a.status >= 200 && a.status < 300));
    const recorded = new Set((await sql.all<{ event_id: string }>(`SELECT event_id FROM webhook_deliveries WHERE shop = ?`, [SHOP])).map((r) => r.event_id));
    const violations = acked.filter((d) => !recorded.has(d.eventId)).map((d) => `${d.topic} event ${d.eventId} got ${d.attempts.at(-1)?.status} but is not recorded`);
    for (const d of deliveries.filter((x) => x.state === "failed")) violations.push(`${d.topic} event ${d.eventId}: Shopify gave up after ${d.attempts.length} attempts (the run's retries were too short)`);
    checks.push({ name: "every 2xx webhook is recorded", checked: acked.length, violations });
  }

  // 4. no job stuck: nothing due, running or dead
  {
    const c = await countDue(db);
    const dead = await sql.all<{ id: number; kind: string; last_error: string | null }>(`SELECT id, kind, last_error FROM jobs WHERE shop = ? AND status = 'dead' LIMIT 20`, [SHOP]);
    const total = await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE shop = ?`, [SHOP]);
    const violations = [
      ...(c.due ? [`${c.due} jobs due but not run`] : []),
      ...(c.running ? [`${c.running} jobs still running`] : []),
      ...dead.map((d) => `dead job ${d.id} ${d.kind}: ${d.last_error?.slice(0, 200)}`),
    ];
    checks.push({ name: "no job stuck (due, running or dead)", checked: Number(total?.n ?? 0), violations });
  }

  // 5. balances equal the independent model
  {
    const all = [...customers, ...friends];
    const expected = expectedBalances({ customers: all.map((c) => c.id), orders, redemptionCodes, rules: RULES });
    const members = await sql.all<{ customer_gid: string; points_available: number; points_pending: number }>(`SELECT customer_gid, points_available, points_pending FROM members WHERE shop = ?`, [SHOP]);
    const actual = new Map<number, number>();
    const violations: string[] = [];
    for (const m of members) {
      const id = Number(m.customer_gid.replace("gid://shopify/Customer/", ""));
      actual.set(id, Number(m.points_available));
      if (Number(m.points_pending) !== 0) violations.push(`customer ${id}: ${m.points_pending} points pending (the program has no pending period)`);
    }
    for (const d of diffBalances(expected, actual)) {
      const mine = orders.filter((o) => o.customerId === d.customerId);
      const refs = orders.filter((o) => o.advocateId === d.customerId).length;
      const codes = redemptionCodes.filter((r) => r.customerId === d.customerId).map((r) => r.points);
      violations.push(
        `customer ${d.customerId}: model ${d.expected}, app ${d.actual} (Δ ${d.actual - d.expected}); orders ${JSON.stringify(mine.map((o) => ({ order: o.storeId, qty: o.quantity, net: o.netMinor, paid: o.paid, cancelled: o.cancelled, refunded: o.refundedQuantity })))}; codes ${JSON.stringify(codes)}; friend orders ${refs}`,
      );
    }
    checks.push({ name: "balances = independent model", checked: expected.size, violations });
  }

  // 6. the referrals the model expects were rewarded, once each
  {
    const friendOrders = orders.filter((o) => o.advocateId !== undefined);
    const rows = await sql.all<{ order_gid: string; status: string }>(`SELECT order_gid, status FROM referrals WHERE shop = ?`, [SHOP]);
    const byOrder = new Map(rows.map((r) => [r.order_gid, r.status]));
    const violations = friendOrders.filter((o) => byOrder.get(`gid://shopify/Order/${o.storeId}`) !== "rewarded").map((o) => `friend order ${o.storeId}: referral ${byOrder.get(`gid://shopify/Order/${o.storeId}`) ?? "missing"}, expected rewarded`);
    if (rows.length !== friendOrders.length) violations.push(`${rows.length} referrals recorded, ${friendOrders.length} friend orders placed`);
    checks.push({ name: "every friend order rewarded its advocate", checked: friendOrders.length, violations });
  }
  return checks;
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(): Promise<number> {
  if (!existsSync("build/server/index.js")) {
    log("no production build yet: npm run build");
    const b = spawnSync("npm", ["run", "build", "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
    if (b.status !== 0) throw new Error("npm run build failed");
  }
  const port = async (offset: number) => (PORT_BASE ? PORT_BASE + offset : freePort());
  const apps = DB === "postgres" ? 2 : 1;
  const workers = DB === "postgres" ? 2 : 1;
  for (let i = 0; i < apps; i++) procs.push({ kind: "app", name: `app${i + 1}`, port: await port(i), up: false });
  for (let i = 0; i < workers; i++) procs.push({ kind: "worker", name: `worker${i + 1}`, up: false });
  const lbPort = await port(10);
  const lbUrl = `http://127.0.0.1:${lbPort}`;

  store = await createDevStore({
    host: "127.0.0.1",
    port: PORT_BASE ? PORT_BASE + 11 : 0,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    appUrl: lbUrl,
    seedCatalog: false,
    shops: [{ domain: SHOP, name: "Chaos Kaffee", currency: "EUR", timezone: "Europe/Berlin", taxesIncluded: false, taxRate: 0, countryCode: "DE" }],
    // Shopify's 8 retries over 4 hours, compressed to about a minute; several in flight at once
    webhooks: { timeCompression: 240, seed: SEED, concurrency: 8 },
  });
  variants = PRICES.map((price, i) => {
    const { variants: v } = store.products.create({ shop: SHOP, title: `Chaos product ${i + 1}`, variants: [{ price, taxable: false, requiresShipping: false }] });
    return { id: v[0]!.id, price: v[0]!.price };
  });

  const { url, db, drop } = await prepareDatabase();
  const rewards = await seedShop(db, store);
  rewardIds = [...rewards.keys()];
  childEnv = {
    NODE_ENV: "production",
    DATABASE_URL: url,
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: lbUrl,
    SHOPIFY_ADMIN_ORIGIN: store.url,
    WORKER: "off",
    STAMMKUNDE_PROXY_WAIT_MS: "3000",
  };
  const balancer = await startBalancer(lbPort);
  await Promise.all(procs.map((p) => startProc(p)));
  log(`${DB}: ${apps} app + ${workers} worker processes behind ${lbUrl}, store ${store.url}, seed ${SEED}`);

  let exitCode = 1;
  try {
    for (let i = 0; i < CUSTOMERS; i++) createCustomer(false);
    log(`${CUSTOMERS} customers created; driving for ${SECONDS} s`);
    const until = Date.now() + SECONDS * 1000;
    const driveStart = Date.now();
    await Promise.all([shopper(until), shopper(until), shopper(until), shopper(until), weather(until), reaper(until)]);
    const driveSeconds = (Date.now() - driveStart) / 1000;
    log("settling: faults off, webhook retries delivered, jobs drained, holds resolved");
    const settled = await settleAll(db);
    const checks = await checkInvariants(db, rewards);
    const deliveries = store.webhooks.deliveries.filter((d) => d.shop === SHOP);
    const attempts = deliveries.reduce((s, d) => s + d.attempts.length, 0);
    const non2xx = deliveries.reduce((s, d) => s + d.attempts.filter((a) => !(a.status !== null && a.status >= 200 && a.status < 300)).length, 0);
    counts.redeemIssued = redemptions.filter((r) => r.outcome === "issued").length;
    counts.redeemRefused = redemptions.filter((r) => r.outcome === "refused").length;

    console.log(`\nChaos run on ${DB} (seed ${SEED}, ${apps} app + ${workers} worker processes): ${driveSeconds.toFixed(0)} s of traffic, ${settled.seconds.toFixed(1)} s to settle\n`);
    printTable([
      ["what", "count"],
      ["customers / friends", `${counts.customers} / ${counts.friends}`],
      ["orders (pending at first / with reward code / friend orders)", `${counts.orders} (${counts.pendingOrders} / ${counts.codeOrders} / ${counts.friendOrders})`],
      ["payments of pending orders", counts.payments],
      ["refunds (full)", `${counts.refunds} (${counts.fullRefunds})`],
      ["cancellations", counts.cancels],
      ["redemptions asked (issued / refused / answer lost, asked again)", `${counts.redeemAsked} (${counts.redeemIssued} / ${counts.redeemRefused} / ${counts.redeemLost})`],
      ["referral links / friend codes", `${counts.referralLinks} / ${counts.friendCodes}`],
      ["webhook events sent (deliveries / attempts / non-2xx attempts)", `${new Set(deliveries.map((d) => d.eventId)).size} (${deliveries.length} / ${attempts} / ${non2xx})`],
      ["duplicate deliveries (windows)", `${deliveries.filter((d) => d.copy > 0).length} (${counts.duplicateWindows})`],
      ["reordered deliveries (batches)", `${counts.reorderedDeliveries} (${counts.reorderBatches})`],
      ["Admin API faults queued: 5xx / THROTTLED / hang / slow", `${counts.faults5xx} / ${counts.faultsThrottled} / ${counts.faultsHang} / ${counts.faultsSlow}`],
      ["Admin API faults applied", store.faults.applied.length],
      ["SIGKILL app / worker (restarted)", `${counts.killsApp} / ${counts.killsWorker}`],
      ["delays brought forward while settling", settled.fastForwarded],
      ["app proxy answers", [...proxyAnswers].sort().map(([k, n]) => `${k}: ${n}`).join(", ")],
    ]);
    console.log("");
    printTable([["invariant", "checked", "result"], ...checks.map((c) => [c.name, c.checked, c.violations.length ? `FAIL (${c.violations.length})` : "pass"])]);
    if (settleError) checks.push({ name: "everything settled in time", checked: 1, violations: [settleError] });
    const failed = checks.filter((c) => c.violations.length);
    if (unexpectedExits.length) console.log(`\nprocesses that exited on their own: ${unexpectedExits.join(", ")}`);
    for (const c of failed) {
      console.log(`\n${c.name}:`);
      for (const v of c.violations.slice(0, 25)) console.log(`  - ${v}`);
      if (c.violations.length > 25) console.log(`  … and ${c.violations.length - 25} more`);
    }
    console.log(`\nduration ${((Date.now() - started) / 1000).toFixed(1)} s; ${failed.length || unexpectedExits.length ? "FAILED" : "passed"}`);
    exitCode = failed.length || unexpectedExits.length ? 1 : 0;
  } finally {
    shuttingDown = true;
    for (const p of procs) p.child?.kill("SIGKILL");
    const closed = new Promise<void>((r) => balancer.close(() => r()));
    balancer.closeAllConnections();
    await closed;
    await store.close();
    if (exitCode === 0 || !process.env.CHAOS_KEEP) await drop();
    else log(`database kept for inspection: ${url}`);
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    shuttingDown = true;
    process.exit(2);
  },
);
