// Dead letters: a job that used up its bounded retries is parked as dead, and the merchant sees it
// (kind, last error with personal data masked, attempts, when — never the payload) on a paged admin
// page and retries it once, in the audit log. Every job kind's retries are bounded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevStore } from "../../devstore/index.ts";
import { mintSessionToken } from "../../devstore/auth/jwt.ts";
import { handlers } from "~/jobs/handlers.server";
import { backoffMs, enqueue, listDeadJobs, maskError } from "~/jobs/queue.server";
import { Worker } from "~/jobs/worker.server";
import { listAudit } from "~/models/audit.server";
import { ensureShop } from "~/models/shops.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { storeWithSessions } from "../helpers/devstore";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const A = "stammkunde-dev.myshopify.com";
const B = "zweiter-laden.myshopify.com";
const APP = "https://app.example.com";
let db: TestDatabase;
let store: DevStore;
type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
let page: { loader: Handler; action: Handler };

beforeAll(async () => {
  db = await freshDatabase();
  store = await storeWithSessions(db.url, APP, [A, B], [B]);
  for (const shop of [A, B]) await db.sql.tx((q) => ensureShop(q, shop));
  page = (await import("~/routes/app.jobs")) as never;
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

const bearer = (shop = A) => `Bearer ${mintSessionToken({ shop, apiKey: TEST_API_KEY, secret: TEST_SECRET, nowMs: Date.now(), userId: 7 }).token}`;
async function call(h: Handler, url: string, init: RequestInit = {}, shop = A): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", bearer(shop));
  const r = await h({ request: new Request(`${APP}${url}`, { ...init, headers }), params: {}, context: {} }).catch((e: unknown) => (e instanceof Response ? e : Promise.reject(e)));
  return r instanceof Response ? r : new Response(JSON.stringify(r), { status: 200 });
}
const post = (fields: Record<string, string>, shop = A) => call(page.action, "/app/jobs", { method: "POST", body: new URLSearchParams(fields), headers: { "Content-Type": "application/x-www-form-urlencoded" } }, shop);

/** Runs a job until it is dead, moving the clock past each backoff. */
async function runToDeath(worker: Worker, id: number, max: number) {
  let now = Date.now();
  for (let i = 0; i < max + 2; i++) {
    await worker.runOnce(now);
    now += backoffMs(i + 1) + 1000;
  }
  return db.sql.get<{ status: string; attempts: number }>(`SELECT status, attempts FROM jobs WHERE id = ?`, [id]);
}

describe(`dead letters on ${TEST_DB}`, () => {
  it("a job that exhausts its retries is dead; the page shows kind, masked error, attempts and when, never the payload", async () => {
    const failing = { "sync:failing": async () => Promise.reject(new Error("Shopify 503 for kunde@example.com from 203.0.113.5, phone +49 151 2345678")) };
    const worker = new Worker({ sql: db.sql }, { handlers: failing });
    const id = (await enqueue(db.sql, { shop: A, kind: "sync:failing", payload: { email: "kunde@example.com" }, maxAttempts: 3 }))!;
    expect(await runToDeath(worker, id, 3)).toEqual({ status: "dead", attempts: 3 });
    const res = await call(page.loader, "/app/jobs");
    const text = await res.text();
    const data = JSON.parse(text) as { jobs: Array<{ id: number; kind: string; error: string; attempts: number; maxAttempts: number; at: string }> };
    expect(data.jobs[0]).toMatchObject({ id, kind: "sync:failing", attempts: 3, maxAttempts: 3 });
    expect(data.jobs[0]!.error).toBe("Error: Shopify 503 for [email] from [ip], phone [number]");
    expect(Date.parse(data.jobs[0]!.at)).toBeGreaterThan(0);
    expect(text).not.toContain("kunde@example.com");
    // shop B sees none of A's
    expect(((await (await call(page.loader, "/app/jobs", {}, B)).json()) as { jobs: unknown[] }).jobs).toEqual([]);
  });

  it("retry re-queues it once (a double click doesn't), with the full bounded attempts, in the audit log", async () => {
    const { jobs } = await listDeadJobs(db.sql, A);
    const id = jobs[0]!.id;
    const [first, second] = await Promise.all([post({ intent: "retry", id: String(id) }), post({ intent: "retry", id: String(id) })]);
    expect([first.status, second.status].sort()).toEqual([200, 404]);
    expect(await db.sql.get(`SELECT status, attempts FROM jobs WHERE id = ?`, [id])).toEqual({ status: "queued", attempts: 0 });
    const audit = (await listAudit(db.sql, A)).entries.filter((e) => e.action === "retry");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: "user:7", subjectType: "job", subjectId: String(id), before: { status: "dead" }, after: { status: "queued" } });
    // it fails again: dead again after its bounded attempts, not forever
    const worker = new Worker({ sql: db.sql }, { handlers: { "sync:failing": async () => Promise.reject(new Error("still down")) } });
    expect(await runToDeath(worker, id, 3)).toEqual({ status: "dead", attempts: 3 });
    // retry all, and bad input
    expect(await (await post({ intent: "retryAll" })).json()).toEqual({ ok: true, retried: 1 });
    expect((await post({ intent: "retry", id: "abc" })).status).toBe(422);
    expect((await post({ intent: "explode" })).status).toBe(400);
  });

  it("pages through the dead jobs, 50 a page, newest first", async () => {
    await db.sql.run(`UPDATE jobs SET status = 'done' WHERE shop = ?`, [A]);
    const ids: number[] = [];
    for (let i = 0; i < 55; i++) ids.push((await enqueue(db.sql, { shop: A, kind: `sync:k${i}`, payload: {} }))!);
    await db.sql.run(`UPDATE jobs SET status = 'dead', last_error = 'Error: x' WHERE shop = ? AND status = 'queued'`, [A]);
    const one = (await (await call(page.loader, "/app/jobs")).json()) as { jobs: Array<{ id: number }>; next: number };
    expect(one.jobs).toHaveLength(50);
    expect(one.jobs[0]!.id).toBe(ids[54]);
    const two = (await (await call(page.loader, `/app/jobs?before=${one.next}`)).json()) as { jobs: Array<{ id: number }>; next: number | null };
    expect(two.jobs.map((j) => j.id)).toEqual(ids.slice(0, 5).reverse());
    expect(two.next).toBeNull();
  });

  it("every job kind's retries are bounded: each one failing ends dead, none loops", async () => {
    await db.sql.run(`DELETE FROM jobs`);
    const down = async () => {
      throw new Error("Admin API down");
    };
    const worker = new Worker({ sql: db.sql, admin: down as never }, {});
    const kinds = Object.keys(handlers);
    expect(kinds.length).toBeGreaterThan(10);
    // a payload no handler can use, so each either refuses it at once or fails on the Admin API
    for (const kind of kinds) await enqueue(db.sql, { shop: A, kind, payload: "{\"id\":\"x\",\"memberId\":-1}" });
    let now = Date.now();
    for (let round = 0; round < 30; round++) {
      while ((await worker.runOnce(now)) > 0);
      now += 3_700_000;
    }
    const rows = await db.sql.all<{ kind: string; status: string; attempts: number; max_attempts: number }>(`SELECT kind, status, attempts, max_attempts FROM jobs`);
    for (const r of rows) {
      expect(["done", "dead"], `${r.kind} is ${r.status}`).toContain(r.status);
      expect(Number(r.max_attempts)).toBeLessThanOrEqual(20);
      expect(Number(r.attempts)).toBeLessThanOrEqual(Number(r.max_attempts));
    }
  }, 120_000);

  it("maskError hides e-mails, IPs and phone-like numbers", () => {
    expect(maskError("a.b+c@example.co.uk failed")).toBe("[email] failed");
    expect(maskError("from 10.0.0.1")).toBe("from [ip]");
    expect(maskError("order 12 of 3")).toBe("order 12 of 3");
    expect(maskError(null)).toBe("");
  });
});
