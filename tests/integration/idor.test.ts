// IDOR sweeps, table-driven from the route list (tests/helpers/routes.ts), so a new route is swept
// as soon as it is listed. Admin: shop B's staff, with a valid session token, plant shop A's ids
// (member, import, referral, job, redemption) everywhere a route reads one — params, query, form —
// and get nothing of A's back (404 where the route names an object), and nothing of A's changes.
// Shoppers: customer 2 of a shop plants customer 1's ids, idempotency key, order and code into
// every storefront, checkout and customer-account door and sees and changes nothing of customer
// 1's. POS staff of shop B can't reach shop A's customer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { mintSessionToken } from "../../devstore/auth/jwt.ts";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { enqueue } from "~/jobs/queue.server";
import { recordAudit } from "~/models/audit.server";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { createApiKey } from "~/models/api-keys.server";
import { createImport } from "~/models/member-import.server";
import { createEndpoint } from "~/models/outbound-webhooks.server";
import { createReward, redeem } from "~/models/redemptions.server";
import { ensureShop } from "~/models/shops.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { ROUTES } from "../helpers/routes";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const A = "stammkunde-dev.myshopify.com";
const B = "zweiter-laden.myshopify.com";
const APP = "https://app.example.com";
let db: TestDatabase;
let store: DevStore;
type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
// shop A's objects
const a = { member: 0, importId: 0, referral: 0, job: 0, redemption: 0, code: "", c1: 0, c2: 0, order: 0, rewardId: 0, keyPrefix: "", endpoint: 0, campaign: "idor-camp" };
// what must never appear in an answer to someone else
const SECRETS = ["idor-eins@example.com", "Idorina", "7777"];

async function* text(s: string) {
  yield new TextEncoder().encode(s);
}

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: B, currency: "EUR" });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: APP, DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [A, B]) {
    await db.sql.tx((q) => ensureShop(q, shop));
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "write_discounts,read_customers,read_orders" }));
  }
  a.c1 = store.customers.create({ firstName: "Idorina", lastName: "Eins", email: "idor-eins@example.com" }).id;
  a.c2 = store.customers.create({ firstName: "Zweite", email: "idor-zwei@example.com" }).id;
  a.member = await db.sql.tx((q) => ensureMember(q, A, `gid://shopify/Customer/${a.c1}`, { email: "idor-eins@example.com", firstName: "Idorina", lastName: "Eins" }));
  await postEntry(db.sql, A, { memberId: a.member, bucket: "available", points: 8277, kind: "earn", reason: "purchase", idempotencyKey: "seed-c1" });
  const m2 = await db.sql.tx((q) => ensureMember(q, A, `gid://shopify/Customer/${a.c2}`, { email: "idor-zwei@example.com" }));
  await postEntry(db.sql, A, { memberId: m2, bucket: "available", points: 100, kind: "earn", reason: "purchase", idempotencyKey: "seed-c2" });
  a.rewardId = await db.sql.tx((q) => createReward(q, A, { type: "amount", amountMinor: 500, pointsCost: 500, texts: { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } } }));
  const r = await redeem(db.sql, A, `gid://shopify/Customer/${a.c1}`, a.rewardId, "c1-key", devstoreAdmin(store, A));
  a.code = String((r as { code?: string }).code ?? "");
  a.redemption = Number((await db.sql.get<{ id: number }>(`SELECT id FROM redemptions WHERE shop = ? AND client_key = ?`, [A, "c1-key"]))!.id);
  // 8277 − 500 = 7777: the balance only customer 1 and shop A's staff may see
  a.importId = await createImport(db.sql, A, { filename: "a.csv", actor: "user:1" }, text("email,points\nidor-eins@example.com,5\n"));
  await db.sql.run(
    `INSERT INTO referrals (shop, advocate_member_id, referral_code, order_gid, source, subtotal_minor, discount_minor, currency, verdict, status, reasons, ordered_at, window_ends_at, created_at, updated_at)
     VALUES (?, ?, 'IDORCODE', 'gid://shopify/Order/1', 'code', 1000, 0, 'EUR', 'hold', 'held', '[]', ?, ?, ?, ?)`,
    [A, a.member, ...Array(4).fill(db.sql.dialect === "sqlite" ? Date.now() : new Date())],
  );
  a.referral = Number((await db.sql.get<{ id: number }>(`SELECT id FROM referrals WHERE shop = ?`, [A]))!.id);
  a.job = (await enqueue(db.sql, { shop: A, kind: "webhook:ORDERS_PAID", payload: { id: 1 } }))!;
  await db.sql.run(`UPDATE jobs SET status = 'dead', last_error = 'Error: boom' WHERE id = ?`, [a.job]);
  await db.sql.tx((q) => recordAudit(q, A, { actor: "user:1", action: "adjust", subjectType: "member", subjectId: a.member, note: "Idorina" }));
  a.keyPrefix = (await db.sql.tx((q) => createApiKey(q, A, "Idor CRM"))).prefix;
  a.endpoint = (await db.sql.tx((q) => createEndpoint(q, A, { url: "https://crm.example.com/hooks", events: ["points_earned"] }))).id;
  // a campaign in shop A's program, made through the page as shop A's staff
  const campaigns = (await import("~/routes/app.campaigns.$id")) as unknown as Record<string, Handler>;
  const tokenA = mintSessionToken({ shop: A, apiKey: TEST_API_KEY, secret: TEST_SECRET, nowMs: Date.now(), userId: 1 }).token;
  const made = await call(campaigns.action!, new Request(`${APP}/app/campaigns/new`, { method: "POST", headers: { Authorization: `Bearer ${tokenA}`, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ id: a.campaign, enabled: "on", "name.en": "Idor weekend", "name.de": "Idor-Wochenende", "window.startDate": "2026-11-01", "window.endDate": "2099-12-31", "window.weekdays": "6,7", "effect.type": "multiplier", "effect.factor": "2" }) }), { id: "new" });
  if (made.status !== 302) throw new Error(`seeding shop A's campaign: ${made.status} ${await made.text()}`);
  a.order = store.orders.create({ customerId: a.c1, lineItems: [{ title: "Mug", price: "30.00", quantity: 1 }] }).id;
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

/** Everything of shop A (or of customer 1) a request could change. */
async function stateOfA(): Promise<string> {
  const rows = await Promise.all([
    db.sql.all(`SELECT id, points_available, points_pending, blocked_at, excluded_at, birthday, email FROM members WHERE shop = ? ORDER BY id`, [A]),
    db.sql.get(`SELECT COUNT(*) AS n, COALESCE(SUM(points), 0) AS s FROM ledger_entries WHERE shop = ?`, [A]),
    db.sql.all(`SELECT id, status FROM redemptions WHERE shop = ? ORDER BY id`, [A]),
    db.sql.all(`SELECT id, status FROM referrals WHERE shop = ? ORDER BY id`, [A]),
    db.sql.all(`SELECT id, status, attempts FROM jobs WHERE shop = ? AND kind NOT LIKE 'sync:%' ORDER BY id`, [A]),
    db.sql.all(`SELECT id, status FROM member_imports WHERE shop = ? ORDER BY id`, [A]),
    db.sql.get(`SELECT COUNT(*) AS n FROM audit_log WHERE shop = ?`, [A]),
    db.sql.get(`SELECT program FROM shops WHERE domain = ?`, [A]),
    db.sql.all(`SELECT id, points_cost, config, enabled FROM rewards WHERE shop = ? ORDER BY id`, [A]),
    db.sql.all(`SELECT id, revoked_at FROM api_keys WHERE shop = ? ORDER BY id`, [A]),
    db.sql.all(`SELECT id, url, events, secret_enc, enabled FROM webhook_endpoints WHERE shop = ? ORDER BY id`, [A]),
  ]);
  return JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
}

async function call(handler: Handler, request: Request, params: Record<string, string>): Promise<Response> {
  const r = await handler({ request, params, context: {} }).catch((e: unknown) => {
    if (e instanceof Response) return e;
    throw e;
  });
  return r instanceof Response ? r : new Response(JSON.stringify(r), { status: 200 });
}

// How each admin route names an object of the shop, with shop A's ids planted: the form an action
// gets, and whether the answer must be a 404 (the route takes an id) or may be the caller's own
// (shop-scoped) data. A route missing here fails the sweep.
const ADMIN: Record<string, { form?: () => Record<string, string>; notFound?: Array<"loader" | "action">; params?: () => Record<string, string> }> = {
  "app.tsx": {},
  "app._index.tsx": {},
  "app.program.tsx": { form: () => ({ enabled: "on" }) },
  "app.storefront.tsx": { form: () => ({ "en.panelTitle": "B" }) },
  "app.referrals.tsx": { form: () => ({ intent: "approve", referralId: String(a.referral) }), notFound: ["action"] },
  "app.tiers.tsx": { form: () => ({ intent: "unassign", customer: `gid://shopify/Customer/${a.c1}`, tierId: "1", until: "" }) },
  "app.onboarding.tsx": { form: () => ({ intent: "check", preset: "points" }) },
  "app.members._index.tsx": {},
  "app.members.$id.tsx": { form: () => ({ intent: "adjust", points: "-100", reason: "idor", token: `idor-${Math.random().toString(36).slice(2, 12)}` }), notFound: ["loader", "action"] },
  "app.import.tsx": { form: () => ({ intent: "start", id: String(a.importId) }), notFound: ["action"] },
  "app.export._index.tsx": {},
  "app.export.$kind.tsx": {},
  "app.audit.tsx": {},
  "app.messaging.tsx": { form: () => ({ intent: "retry" }) },
  "app.jobs.tsx": { form: () => ({ intent: "retry", id: String(a.job) }), notFound: ["action"] },
  "app.analytics.tsx": {},
  "app.api-keys.tsx": { form: () => ({ intent: "revoke", prefix: a.keyPrefix }), notFound: ["action"] },
  "app.webhooks.tsx": { form: () => ({ intent: "rotate", id: String(a.endpoint) }), notFound: ["action"] },
  "app.rewards._index.tsx": { form: () => ({ intent: "disable", id: String(a.rewardId) }), notFound: ["action"] },
  "app.rewards.$id.tsx": { params: () => ({ id: String(a.rewardId) }), form: () => ({ pointsCost: "1", enabled: "on" }), notFound: ["loader", "action"] },
  "app.campaigns._index.tsx": { form: () => ({ intent: "budgets" }) },
  "app.campaigns.$id.tsx": { params: () => ({ id: a.campaign }), form: () => ({ intent: "end" }), notFound: ["loader", "action"] },
  "app.branding.tsx": { form: () => ({ intent: "reset" }) },
};

describe(`IDOR sweep over every admin route with two shops on ${TEST_DB}`, () => {
  const admin = Object.entries(ROUTES).filter(([, r]) => r.door === "admin");
  it("every admin route says how it names objects", () => {
    expect(admin.map(([f]) => f).filter((f) => !(f in ADMIN))).toEqual([]);
  });
  for (const [file, { handlers }] of admin) {
    for (const handler of handlers) {
      it(`${file} ${handler}: shop B's session with shop A's ids gets nothing of A's and changes nothing of A's`, async () => {
        const mod = (await import(`~/routes/${file.replace(/\.tsx$/, "")}`)) as Record<string, Handler>;
        const token = mintSessionToken({ shop: B, apiKey: TEST_API_KEY, secret: TEST_SECRET, nowMs: Date.now(), userId: 91 }).token;
        // shop A's ids as list cursors too (lib/paging): a page must show B's rows only
        const query = new URLSearchParams({
          id: String(a.importId),
          before: String(a.job + 1),
          heldBefore: String(a.referral + 1),
          recentBefore: String(a.referral + 1),
          failedBefore: String(a.member + 1),
          codesBefore: String(a.redemption + 1),
          q: "idor",
          member: String(a.member),
        });
        const params = { id: String(a.member), kind: "members" };
        const spec = ADMIN[file]!;
        const before = await stateOfA();
        for (const kind of handler === "loader" ? ["members", "ledger"] : ["members"]) {
          const request =
            handler === "loader"
              ? new Request(`${APP}/app/x?${query}`, { headers: { Authorization: `Bearer ${token}` } })
              : new Request(`${APP}/app/x?${query}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(spec.form?.() ?? {}) });
          const res = await call(mod[handler]!, request, { ...params, kind, ...spec.params?.() });
          const body = await res.text();
          if (spec.notFound?.includes(handler)) expect(res.status, body).toBe(404);
          else expect(res.status, body).toBeLessThan(500);
          for (const secret of SECRETS) expect(body, `${file} ${handler} showed shop A's ${secret}`).not.toContain(secret);
          expect(body).not.toContain(A);
        }
        expect(await stateOfA()).toEqual(before);
      });
    }
  }
});

describe(`IDOR sweep over every shopper door with two customers on ${TEST_DB}`, () => {
  const shopper = Object.entries(ROUTES).filter(([, r]) => r.door === "proxy" || r.door === "extension");
  /** customer 2's request, carrying customer 1's ids, key, order and code wherever one fits */
  const planted = () => ({ customerId: String(a.c1), orderId: `gid://shopify/Order/${a.order}`, memberId: String(a.member), redemptionId: String(a.redemption), code: a.code });
  const body = () => JSON.stringify({ rewardId: a.rewardId, idempotencyKey: "c1-key", customerId: a.c1, birthday: "02-02", network: "instagram", code: a.code, email: "idor-eins@example.com" });
  for (const [file, { door, handlers }] of shopper) {
    for (const handler of handlers) {
      it(`${file} ${handler} (${door}): customer 2 sees and changes nothing of customer 1's`, async () => {
        const mod = (await import(`~/routes/${file.replace(/\.tsx$/, "")}`)) as Record<string, Handler>;
        const method = handler === "loader" ? "GET" : "POST";
        const before = await stateOfA();
        const requests: Request[] = [];
        if (door === "proxy") {
          const q = signAppProxyQuery(TEST_SECRET, new URLSearchParams(planted()), { shop: A, loggedInCustomerId: a.c2, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
          requests.push(new Request(`${APP}/proxy/x?${q}`, { method, headers: { "Content-Type": "application/json" }, body: method === "POST" ? body() : undefined }));
        } else {
          for (const surface of ["checkout", "customer-account"] as const) {
            const token = store.auth.extensionToken(surface, { customerId: a.c2 });
            const q = new URLSearchParams({ surface, ...planted() });
            requests.push(new Request(`${APP}/api/extension/x?${q}`, { method, headers: { Authorization: `Bearer ${token}`, Origin: "https://extensions.shopifycdn.com", "Content-Type": "application/json" }, body: method === "POST" ? body() : undefined }));
          }
        }
        for (const request of requests) {
          const res = await call(mod[handler]!, request, { code: a.code });
          const text = await res.text();
          expect(res.status, text).toBeLessThan(500);
          for (const secret of [...SECRETS, a.code]) expect(text, `${file} ${handler} showed customer 1's ${secret}`).not.toContain(secret);
        }
        // customer 2's own rows may change (a redemption of their own, a birthday); customer 1's never
        const after = await stateOfA();
        const c1 = (s: string) => JSON.stringify((JSON.parse(s) as unknown[][])[0]!.filter((m) => (m as { id: number }).id === a.member));
        expect(c1(after)).toEqual(c1(before));
        const c1Redemptions = await db.sql.all(`SELECT id, status FROM redemptions WHERE shop = ? AND member_id = ?`, [A, a.member]);
        expect(c1Redemptions).toHaveLength(1);
      });
    }
  }

  it("POS staff of shop B can't look up, show or redeem for shop A's customer", async () => {
    const token = store.auth.extensionToken("pos", { userId: 5, shop: B });
    const headers = { Authorization: `Bearer ${token}`, Origin: "https://extensions.shopifycdn.com", "Content-Type": "application/json" };
    const before = await stateOfA();
    const member = (await import("~/routes/api.pos.member")) as Record<string, Handler>;
    const redeemRoute = (await import("~/routes/api.pos.redeem")) as Record<string, Handler>;
    const customers = (await import("~/routes/api.pos.customers")) as Record<string, Handler>;
    const m = await call(member.loader!, new Request(`${APP}/api/pos/member?customerId=${a.c1}`, { headers }), {});
    expect(m.status).toBe(404);
    const r = await call(redeemRoute.action!, new Request(`${APP}/api/pos/redeem`, { method: "POST", headers, body: JSON.stringify({ customerId: a.c1, rewardId: a.rewardId, idempotencyKey: "pos-idor" }) }), {});
    expect(r.status).toBe(404);
    const c = await call(customers.loader!, new Request(`${APP}/api/pos/customers?q=Idorina`, { headers }), {});
    const listed = await c.text();
    for (const secret of SECRETS) expect(listed).not.toContain(secret);
    expect(await stateOfA()).toEqual(before);
  });
});
