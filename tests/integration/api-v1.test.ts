// The merchant REST API v1 (docs/api.md) with keys of two shops, on SQLite and PostgreSQL: members
// with cursor pagination and filters, one member by id or email, the ledger, idempotent
// adjustments (also under concurrent duplicates), rewards and redemptions through the two-phase
// redemption against the offline store, scopes, revocation, rate limits and error answers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { defaultProgram } from "~/domain/program";
import { createApiKey, revokeApiKey } from "~/models/api-keys.server";
import { saveProgram } from "~/models/earning.server";
import { checkBalances, ensureMember, findMemberByCustomer, postEntry } from "~/models/ledger.server";
import { createReward } from "~/models/redemptions.server";
import { ensureReferralCode } from "~/models/referrals.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

type Route = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;
let db: TestDatabase;
let store: DevStore;
const A = "stammkunde-dev.myshopify.com";
const B = "beta-api.myshopify.com";
let routes: { list: Route; one: Route; entries: Route; adjust: Route; redeem: Route; rewards: Route };
let apiClock: { now: () => number };
let keyA: string; // read + write, shop A
let keyB: string; // read + write, shop B
const customersA: number[] = [];
let rewardId: number;

const gid = (id: number) => `gid://shopify/Customer/${id}`;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  Object.assign(process.env, {
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_SECRET,
    SHOPIFY_APP_URL: "https://app.example.com",
    DATABASE_URL: db.url,
    SHOPIFY_ADMIN_ORIGIN: store.url,
    STAMMKUNDE_API_REDEEM_WAIT_MS: "20000",
  });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  await sessionStorage.storeSession(new Session({ id: `offline_${A}`, shop: A, state: "x", isOnline: false, accessToken: store.shops.accessToken(A), scope: "write_discounts,read_customers" }));
  routes = {
    list: (await import("~/routes/api.v1.members._index")).loader as never,
    one: (await import("~/routes/api.v1.members.$id")).loader as never,
    entries: (await import("~/routes/api.v1.members.$id.entries")).loader as never,
    adjust: (await import("~/routes/api.v1.members.$id.adjustments")).action as never,
    redeem: (await import("~/routes/api.v1.members.$id.redemptions")).action as never,
    rewards: (await import("~/routes/api.v1.rewards")).loader as never,
  };
  apiClock = (await import("~/lib/api.server")).apiClock;
  keyA = (await createApiKey(db.sql, A, "crm", { ratePerMinute: 100_000 })).key;
  keyB = (await createApiKey(db.sql, B, "crm", { ratePerMinute: 100_000 })).key;
  // shop A: 23 customers in the offline store, each a member with points; shop B: 5 members
  const program = structuredClone(defaultProgram());
  program.tiers = {
    enabled: true,
    basis: "points_earned",
    window: "lifetime",
    levels: [{ id: "gold", threshold: 100, name: { en: "Gold", de: "Gold" }, multiplier: 1, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks: { en: [], de: [] } }],
    retention: { keepNextPeriod: false, graceDays: 0 },
    membershipProduct: null,
  };
  await db.sql.tx((q) => saveProgram(q, A, program));
  for (let i = 0; i < 23; i++) {
    const id = store.customers.create({ firstName: `Kunde${i}`, email: `kunde${i}@example.com` }).id;
    customersA.push(id);
    const memberId = await db.sql.tx((q) => ensureMember(q, A, gid(id), { email: `Kunde${i}@Example.com`, firstName: `Kunde${i}` }));
    await postEntry(db.sql, A, { memberId, bucket: "available", points: 100 + i, kind: "earn", reason: "purchase", idempotencyKey: `seed:${id}` });
  }
  for (let i = 0; i < 5; i++) {
    const memberId = await db.sql.tx((q) => ensureMember(q, B, gid(900_000 + i), { email: `beta${i}@example.com` }));
    await postEntry(db.sql, B, { memberId, bucket: "available", points: 50, kind: "earn", reason: "purchase", idempotencyKey: `seed:b${i}` });
  }
  rewardId = await db.sql.tx((q) => createReward(q, A, { type: "amount", amountMinor: 500, pointsCost: 100, texts: { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } } }));
  await db.sql.tx((q) => createReward(q, B, { type: "amount", amountMinor: 500, pointsCost: 10, texts: { en: { title: "B" }, de: { title: "B" } } }));
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});
afterEach(() => {
  apiClock.now = () => Date.now();
});

const url = (path: string) => `https://app.example.com/api/v1${path}`;
function get(route: Route, path: string, key: string | null, params: Record<string, string> = {}) {
  return route({ request: new Request(url(path), { headers: key ? { Authorization: `Bearer ${key}` } : {} }), params, context: {} });
}
function post(route: Route, path: string, key: string | null, body: unknown, params: Record<string, string> = {}, idem?: string) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (idem) headers["Idempotency-Key"] = idem;
  return route({ request: new Request(url(path), { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) }), params, context: {} });
}
const adjust = (key: string | null, customer: string, body: unknown, idem?: string) => post(routes.adjust, `/members/${customer}/adjustments`, key, body, { id: customer }, idem);
const balance = async (shop: string, customer: string) => Number((await findMemberByCustomer(db.sql, shop, customer))?.points_available ?? 0);
const entryCount = async (shop: string) => Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ledger_entries WHERE shop = ?`, [shop]))?.n);

describe(`REST API v1 on ${TEST_DB}`, () => {
  it("walks every member of the key's shop exactly once, page by page", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(routes.list, `/members?limit=5${cursor ? `&cursor=${cursor}` : ""}`, keyA);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { members: Array<{ customerId: string }>; nextCursor: string | null };
      expect(body.members.length).toBeLessThanOrEqual(5);
      seen.push(...body.members.map((m) => m.customerId));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    expect([...seen].sort()).toEqual(customersA.map(gid).sort());
    const b = (await (await get(routes.list, "/members?limit=250", keyB)).json()) as { members: Array<{ customerId: string }>; nextCursor: string | null };
    expect(b.members.map((m) => m.customerId).sort()).toEqual([0, 1, 2, 3, 4].map((i) => gid(900_000 + i)).sort());
    expect(b.nextCursor).toBeNull();
  });

  it("filters by email (any case) and by updated since", async () => {
    const byEmail = (await (await get(routes.list, "/members?email=KUNDE7%40example.COM", keyA)).json()) as { members: Array<{ customerId: string; email: string }> };
    expect(byEmail.members.map((m) => m.customerId)).toEqual([gid(customersA[7]!)]);
    // the other shop's key does not find shop A's customer by email
    expect((await (await get(routes.list, "/members?email=kunde7%40example.com", keyB)).json()).members).toEqual([]);
    // members not touched since long ago drop out of "updated since"
    const old = db.sql.dialect === "sqlite" ? Date.UTC(2020, 0, 1) : new Date(Date.UTC(2020, 0, 1));
    await db.sql.run(`UPDATE members SET updated_at = ? WHERE shop = ? AND customer_gid <> ?`, [old, A, gid(customersA[3]!)]);
    const since = (await (await get(routes.list, "/members?updated_since=2024-06-01T00:00:00Z", keyA)).json()) as { members: Array<{ customerId: string }> };
    expect(since.members.map((m) => m.customerId)).toEqual([gid(customersA[3]!)]);
    const bad = await get(routes.list, "/members?updated_since=yesterday&limit=0&cursor=nonsense", keyA);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ code: "validation_failed", fieldErrors: { updated_since: expect.any(String), limit: expect.any(String), cursor: expect.any(String) } });
  });

  it("gets one member by customer id, GID or email: balance, pending, tier and referral link", async () => {
    const id = customersA[2]!;
    const member = await findMemberByCustomer(db.sql, A, gid(id));
    const code = await ensureReferralCode(db.sql, A, Number(member!.id));
    await db.sql.run(`UPDATE members SET tier_id = 'gold' WHERE shop = ? AND id = ?`, [A, member!.id]);
    for (const ref of [String(id), encodeURIComponent(gid(id)), encodeURIComponent(`KUNDE2@example.com`)]) {
      const res = await get(routes.one, `/members/${ref}`, keyA, { id: ref });
      expect(res.status, ref).toBe(200);
      expect((await res.json()).member).toMatchObject({
        customerId: gid(id),
        email: "Kunde2@Example.com",
        points: { available: 102, pending: 0, lifetimeEarned: 102 },
        tier: { id: "gold", name: { en: "Gold", de: "Gold" } },
        referralLink: `https://${A}/apps/loyalty/r/${code}`,
      });
    }
    expect((await get(routes.one, "/members/123456789", keyA, { id: "123456789" })).status).toBe(404);
    const bad = await get(routes.one, "/members/not-a-ref", keyA, { id: "not-a-ref" });
    expect(bad.status).toBe(422);
    expect((await bad.json()).fieldErrors).toHaveProperty("member");
  });

  it("a key of shop B never sees or changes shop A's members (404, nothing written)", async () => {
    const id = String(customersA[4]);
    const before = await entryCount(A);
    expect((await get(routes.one, `/members/${id}`, keyB, { id })).status).toBe(404);
    expect((await get(routes.one, `/members/kunde4%40example.com`, keyB, { id: "kunde4%40example.com" })).status).toBe(404);
    expect((await get(routes.entries, `/members/${id}/entries`, keyB, { id })).status).toBe(404);
    const adj = await adjust(keyB, id, { type: "award", points: 5, reason: "goodwill" }, "cross-1");
    expect(adj.status).toBe(404);
    expect(await adj.json()).toMatchObject({ code: "not_found" });
    expect((await post(routes.redeem, `/members/${id}/redemptions`, keyB, { rewardId }, { id }, "cross-2")).status).toBe(404);
    expect(await entryCount(A)).toBe(before);
    expect(await balance(A, gid(customersA[4]!))).toBe(104);
    // B's rewards are B's
    const rewards = (await (await get(routes.rewards, "/rewards", keyB)).json()) as { rewards: Array<{ id: number; pointsCost: number }> };
    expect(rewards.rewards.map((r) => r.pointsCost)).toEqual([10]);
  });

  it("refuses a revoked key (401), a missing scope (403) and a key-less request (401)", async () => {
    const revoked = await createApiKey(db.sql, A, "old");
    await revokeApiKey(db.sql, A, revoked.prefix);
    const readOnly = (await createApiKey(db.sql, A, "read", { scopes: ["read"] })).key;
    const writeOnly = (await createApiKey(db.sql, A, "write", { scopes: ["write"] })).key;
    const id = String(customersA[5]);
    const r401 = await get(routes.list, "/members", revoked.key);
    expect(r401.status).toBe(401);
    expect(await r401.json()).toMatchObject({ code: "unauthorized" });
    expect((await get(routes.list, "/members", null)).status).toBe(401);
    expect((await adjust(revoked.key, id, { type: "award", points: 5, reason: "x" }, "rev-1")).status).toBe(401);
    const r403 = await adjust(readOnly, id, { type: "award", points: 5, reason: "x" }, "scope-1");
    expect(r403.status).toBe(403);
    expect(await r403.json()).toMatchObject({ code: "insufficient_scope" });
    expect((await get(routes.list, "/members", readOnly)).status).toBe(200);
    expect((await get(routes.list, "/members", writeOnly)).status).toBe(403);
    expect((await adjust(writeOnly, id, { type: "award", points: 5, reason: "x" }, "scope-2")).status).toBe(201);
    expect(await balance(A, gid(customersA[5]!))).toBe(110);
  });

  it("awards and deducts with a reason, never below zero, and lists the ledger newest first", async () => {
    const id = String(customersA[6]);
    const award = await adjust(keyA, id, { type: "award", points: 40, reason: "goodwill", note: "late parcel" }, "adj-award-1");
    expect(award.status).toBe(201);
    expect(await award.json()).toMatchObject({ adjustment: { type: "award", points: 40, reason: "goodwill", note: "late parcel" }, member: { points: { available: 146 } } });
    const deduct = await adjust(keyA, id, { type: "deduct", points: 46, reason: "correction" }, "adj-deduct-1");
    expect(deduct.status).toBe(201);
    expect((await deduct.json()).member.points.available).toBe(100);
    const before = await entryCount(A);
    const tooMuch = await adjust(keyA, id, { type: "deduct", points: 101, reason: "correction" }, "adj-deduct-2");
    expect(tooMuch.status).toBe(409);
    expect(await tooMuch.json()).toMatchObject({ code: "insufficient_points", available: 100 });
    expect(await entryCount(A)).toBe(before);
    expect(await balance(A, gid(customersA[6]!))).toBe(100);
    // the refused key is not used up: the same key with a smaller amount goes through
    expect((await adjust(keyA, id, { type: "deduct", points: 100, reason: "correction" }, "adj-deduct-2")).status).toBe(201);
    expect(await balance(A, gid(customersA[6]!))).toBe(0);
    // the ledger, 2 a page: deduct 100, deduct 46, award 40, the seed
    const seen: Array<{ points: number; reason: string }> = [];
    let cursor: string | null = null;
    do {
      const res = await get(routes.entries, `/members/${id}/entries?limit=2${cursor ? `&cursor=${cursor}` : ""}`, keyA, { id });
      const body = (await res.json()) as { points: { available: number }; entries: Array<{ points: number; reason: string }>; nextCursor: string | null };
      expect(body.points.available).toBe(0);
      seen.push(...body.entries);
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.map((e) => e.points)).toEqual([-100, -46, 40, 106]);
    expect(seen[0]!.reason).toBe("api:correction");
    expect((await checkBalances(db.sql, A)).mismatched).toEqual([]);
  });

  it("the same Idempotency-Key gives the same answer and one entry, also for concurrent duplicates", async () => {
    const id = String(customersA[8]);
    const body = { type: "award", points: 25, reason: "crm sync" };
    const before = await entryCount(A);
    const answers = await Promise.all(Array.from({ length: 8 }, () => adjust(keyA, id, body, "same-key-1")));
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(201));
    for (const b of bodies) expect(b).toEqual(bodies[0]);
    expect(answers.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(7);
    expect(await entryCount(A)).toBe(before + 1);
    expect(await balance(A, gid(customersA[8]!))).toBe(108 + 25);
    // later, the same again: the same answer
    const again = await adjust(keyA, id, body, "same-key-1");
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(bodies[0]);
    // the same key for a different request is refused
    const other = await adjust(keyA, id, { ...body, points: 26 }, "same-key-1");
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: "idempotency_key_reused", fieldErrors: { "Idempotency-Key": expect.any(String) } });
    expect(await entryCount(A)).toBe(before + 1);
  });

  it("answers malformed JSON with 400 and wrong fields with 422 naming each", async () => {
    const id = String(customersA[9]);
    const before = await entryCount(A);
    const bad = await adjust(keyA, id, "{not json", "json-1");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "invalid_json" });
    const fields = await adjust(keyA, id, { type: "gift", points: -3, extra: 1 });
    expect(fields.status).toBe(422);
    const fe = (await fields.json()) as { code: string; fieldErrors: Record<string, string> };
    expect(fe.code).toBe("validation_failed");
    expect(Object.keys(fe.fieldErrors).sort()).toEqual(["Idempotency-Key", "body", "points", "reason", "type"]);
    const noKey = await adjust(keyA, id, { type: "award", points: 1, reason: "x" });
    expect(noKey.status).toBe(422);
    expect((await noKey.json()).fieldErrors).toEqual({ "Idempotency-Key": "is required" });
    const big = await adjust(keyA, id, { type: "award", points: 1, reason: "x", note: "n".repeat(70_000) }, "big-1");
    expect(big.status).toBe(413);
    expect(await entryCount(A)).toBe(before);
  });

  it("limits each key's rate: 429 with Retry-After and X-RateLimit-* headers, then recovers", async () => {
    const slow = (await createApiKey(db.sql, A, "slow", { ratePerMinute: 3 })).key;
    const t = Date.now();
    apiClock.now = () => t;
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await get(routes.rewards, "/rewards", slow));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(answers.map((r) => r.headers.get("X-RateLimit-Remaining"))).toEqual(["2", "1", "0"]);
    expect(answers[0]!.headers.get("X-RateLimit-Limit")).toBe("3");
    const limited = await get(routes.rewards, "/rewards", slow);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ code: "rate_limited" });
    expect(limited.headers.get("Retry-After")).toBe("20");
    expect(limited.headers.get("X-RateLimit-Remaining")).toBe("0");
    // another key is not affected
    expect((await get(routes.rewards, "/rewards", keyA)).status).toBe(200);
    apiClock.now = () => t + 19_000;
    expect((await get(routes.rewards, "/rewards", slow)).status).toBe(429);
    apiClock.now = () => t + 20_500;
    const back = await get(routes.rewards, "/rewards", slow);
    expect(back.status).toBe(200);
    expect(back.headers.get("X-RateLimit-Remaining")).toBe("0");
    apiClock.now = () => t + 600_000; // long idle: a full bucket, never more
    const full = await get(routes.rewards, "/rewards", slow);
    expect(full.headers.get("X-RateLimit-Remaining")).toBe("2");
    // last used is recorded
    const row = await db.sql.get<{ last_used_at: unknown }>(`SELECT last_used_at FROM api_keys WHERE prefix = ?`, [slow.slice(0, 10)]);
    expect(row?.last_used_at).toBeTruthy();
  });

  it("lists rewards and redeems one: a real code in the offline store, the same redemption for the same key", async () => {
    const rewards = (await (await get(routes.rewards, "/rewards", keyA)).json()) as { rewards: Array<{ id: number; type: string; pointsCost: number; texts: { de: { title: string } } }> };
    expect(rewards.rewards).toEqual([expect.objectContaining({ id: rewardId, type: "amount", pointsCost: 100, texts: expect.objectContaining({ de: { title: "5 € Rabatt" } }) })]);
    const id = String(customersA[10]);
    const res = await post(routes.redeem, `/members/${id}/redemptions`, keyA, { rewardId }, { id }, "redeem-1");
    expect(res.status).toBe(201);
    const body = (await res.json()) as { redemption: { status: string; code: string; points: number } };
    expect(body.redemption).toMatchObject({ status: "issued", points: 100 });
    expect(store.discounts.byCode(body.redemption.code, { shop: A })).toBeTruthy();
    expect(await balance(A, gid(customersA[10]!))).toBe(10);
    const again = await post(routes.redeem, `/members/${id}/redemptions`, keyA, { rewardId }, { id }, "redeem-1");
    expect(again.status).toBe(201);
    expect((await again.json()).redemption.code).toBe(body.redemption.code);
    expect(await balance(A, gid(customersA[10]!))).toBe(10);
    const poor = await post(routes.redeem, `/members/${id}/redemptions`, keyA, { rewardId }, { id }, "redeem-2");
    expect(poor.status).toBe(409);
    expect(await poor.json()).toMatchObject({ code: "insufficient_points" });
    expect((await post(routes.redeem, `/members/${id}/redemptions`, keyA, { rewardId: 999_999 }, { id }, "redeem-3")).status).toBe(404);
  });

  it("a failed Shopify call gives the points back (502)", async () => {
    const id = String(customersA[11]);
    store.faults.failNext(3, 500); // every attempt at creating the code fails; the lookup finds none
    const res = await post(routes.redeem, `/members/${id}/redemptions`, keyA, { rewardId }, { id }, "redeem-fail-1");
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: "redemption_failed", redemption: { status: "released" } });
    expect(await balance(A, gid(customersA[11]!))).toBe(111);
    expect((await checkBalances(db.sql, A)).mismatched).toEqual([]);
  });
});
