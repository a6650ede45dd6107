// The bugs the fuzz suite (tests/fuzz) found, each pinned by the smallest input that showed it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { hmacBase64 } from "../../devstore/auth/hmac.ts";
import { fold } from "~/domain/members";
import { referralMarkers } from "~/domain/referrals";
import { Worker } from "~/jobs/worker.server";
import { createApiKey } from "~/models/api-keys.server";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { ensureShop } from "~/models/shops.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { pipeline } from "../helpers/pipeline";
import { paidOrder, refundOf, signedDelivery, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const SHOP = "stammkunde-dev.myshopify.com";
const APP = "https://app.example.com";
let db: TestDatabase;
type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;

beforeAll(async () => {
  db = await freshDatabase();
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: APP, DATABASE_URL: db.url });
  await db.sql.tx((q) => ensureShop(q, SHOP));
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await db?.drop();
});
const count = async (t: string) => Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n);

describe(`fuzz finds, fixed, on ${TEST_DB}`, () => {
  it("a validly signed webhook whose shop header isn't a shop domain is a 400 (was a 500), route and lean path, nothing written", async () => {
    const d = signedDelivery({ topic: "orders/paid", shop: "not a domain", body: paidOrder(1) });
    const route = (await import("~/routes/webhooks.orders.paid")) as { action: Handler };
    const res = await route.action({ request: new Request(`${APP}/webhooks/orders/paid`, { method: "POST", headers: d.headers, body: d.body }), params: {}, context: {} });
    expect(res.status).toBe(400);
    await expect(pipeline(db.sql).send("orders/paid", "evil.example.com/../x", paidOrder(1))).rejects.toThrow(/400 invalid shop domain/);
    expect(await count("webhook_deliveries")).toBe(0);
    expect(await count("jobs")).toBe(0);
  });

  it("order and refund payloads with lists that aren't lists or an object for an id are refused by the job at once (were TypeErrors retried ten times)", async () => {
    const p = pipeline(db.sql);
    const bad = [
      { ...paidOrder(2), note_attributes: "x" },
      { ...paidOrder(3), discount_codes: { code: 1 } },
      { ...paidOrder(4), customer: { id: 4, admin_graphql_api_id: {} } },
      { ...paidOrder(5), customer: { id: 5, email: 5, first_name: ["x"] } },
    ];
    for (const order of bad) await p.send("orders/paid", SHOP, order);
    await p.send("refunds/create", SHOP, { ...refundOf(paidOrder(6), [{ index: 0, quantity: 1 }]), refund_line_items: "__proto__" });
    await new Worker({ sql: db.sql }).drain();
    const jobs = await db.sql.all<{ status: string; attempts: number; last_error: string }>(`SELECT status, attempts, last_error FROM jobs WHERE kind IN ('webhook:ORDERS_PAID', 'webhook:REFUNDS_CREATE')`);
    expect(jobs).toHaveLength(5);
    for (const j of jobs) expect(j).toMatchObject({ status: "dead", attempts: 1, last_error: expect.stringMatching(/invalid payload/) });
  });

  it("the domain helpers take whatever a payload holds", () => {
    expect(fold(5 as never)).toBeNull();
    expect(fold(" Ä@B.de ")).toBe("ä@b.de");
    expect(referralMarkers({ discount_codes: "x", note_attributes: { name: "stk_ref" } })).toEqual({ codes: [], ref: null });
    expect(referralMarkers({ discount_codes: [null, { code: 7 }, { code: " ab " }], note_attributes: [null] }).codes).toEqual(["AB"]);
  });

  it("a JSON body of null or a number at the storefront's social and birthday doors is a 400 (was a 500)", async () => {
    const m = await db.sql.tx((q) => ensureMember(q, SHOP, "gid://shopify/Customer/77"));
    await postEntry(db.sql, SHOP, { memberId: m, bucket: "available", points: 1, kind: "earn", reason: "purchase", idempotencyKey: "reg-77" });
    const q = signAppProxyQuery(TEST_SECRET, new URLSearchParams(), { shop: SHOP, loggedInCustomerId: 77, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
    for (const name of ["proxy.actions.social", "proxy.birthday"]) {
      const route = (await import(`~/routes/${name}.tsx`)) as { action: Handler };
      for (const body of ["null", "5", "[]"]) {
        const res = await route.action({ request: new Request(`${APP}/proxy/x?${q}`, { method: "POST", headers: { "Content-Type": "application/json" }, body }), params: {}, context: {} }).catch((e: unknown) => e as Response);
        expect(res.status, `${name} ${body}`).toBe(400);
      }
    }
  });

  it("a validly signed Flow action whose body is JSON but names no shop (null, a number, a list, a domain that isn't one) is a 400 naming the field (was a 500); unsigned still 401; nothing written", async () => {
    const before = [await count("ledger_entries"), await count("flow_action_runs"), await count("members")];
    const props = { customer_id: 77, points: 5, reason: "x" };
    const bodies = ["null", "1", "[]", "\"x\"", JSON.stringify({ shopify_domain: "not a domain", action_run_id: "r-1", properties: props }), JSON.stringify({ shopify_domain: { a: 1 }, action_run_id: "r-2", properties: props }), JSON.stringify({ action_run_id: "r-3", properties: props })];
    for (const name of ["flow.award-points", "flow.deduct-points", "flow.set-tier"]) {
      const route = (await import(`~/routes/${name}.tsx`)) as { action: Handler };
      for (const body of bodies) {
        const post = (headers: Record<string, string>) => route.action({ request: new Request(`${APP}/flow/x`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body }), params: {}, context: {} }).catch((e: unknown) => e as Response);
        const res = await post({ "X-Shopify-Hmac-SHA256": hmacBase64(TEST_SECRET, body) });
        expect(res.status, `${name} ${body}`).toBe(400);
        const answer = (await res.json()) as { error: string; fieldErrors?: Record<string, string> };
        if (body.startsWith("{")) expect(Object.keys(answer.fieldErrors ?? {}), `${name} ${body}`).toContain("shopify_domain");
        expect((await post({ "X-Shopify-Hmac-SHA256": hmacBase64("wrong-secret", body) })).status, `${name} forged ${body}`).toBe(401);
      }
    }
    expect([await count("ledger_entries"), await count("flow_action_runs"), await count("members")]).toEqual(before);
  });

  it("a merchant API member reference with a stray % (…/members/50%25off, decoded by Remix to 50%off) is a 422 naming the member (was a URIError, 500); nothing written", async () => {
    const { key } = await db.sql.tx((q) => createApiKey(q, SHOP, "regression"));
    const before = [await count("ledger_entries"), await count("api_idempotency"), await count("redemptions")];
    const headers = { Authorization: `Bearer ${key}`, "Content-Type": "application/json" };
    // a "%" that is no escape is a character: an email with one is looked up (nobody has it: 404)
    for (const [id, status] of [["50%off", 422], ["%", 422], ["%E0%A4%A", 422], ["a%zz@example.com", 404]] as const) {
      const member = (await import("~/routes/api.v1.members.$id")) as { loader: Handler };
      const entries = (await import("~/routes/api.v1.members.$id.entries")) as { loader: Handler };
      for (const route of [member, entries]) {
        const res = await route.loader({ request: new Request(`${APP}/api/v1/members/x`, { headers }), params: { id }, context: {} });
        expect(res.status, id).toBe(status);
        if (status === 422) expect(((await res.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toHaveProperty("member");
      }
      for (const [name, body] of [["api.v1.members.$id.adjustments", { type: "award", points: 5, reason: "x" }], ["api.v1.members.$id.redemptions", { rewardId: 1 }]] as const) {
        const route = (await import(`~/routes/${name}.tsx`)) as { action: Handler };
        const text = JSON.stringify(body);
        const res = await route.action({ request: new Request(`${APP}/api/v1/members/x/y`, { method: "POST", headers: { ...headers, "Idempotency-Key": `k-${name}-${id}`, "Content-Length": String(text.length) }, body: text }), params: { id }, context: {} });
        expect(res.status, `${name} ${id}`).toBe(status);
      }
    }
    expect([await count("ledger_entries"), await count("api_idempotency"), await count("redemptions")]).toEqual(before);
  });
});
