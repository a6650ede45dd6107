// Engagement earning and the custom-events API, on SQLite and PostgreSQL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultProgram, type Program } from "~/domain/program";
import { awardBirthdays, earnAction, setBirthday } from "~/models/actions.server";
import { createApiKey, revokeApiKey } from "~/models/api-keys.server";
import { saveProgram } from "~/models/earning.server";
import { checkBalances, findMemberByCustomer } from "~/models/ledger.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { pipeline } from "../helpers/pipeline";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";

let db: TestDatabase;
let p: ReturnType<typeof pipeline>;
type Route = (args: { request: Request; params: object; context: object }) => Promise<Response>;
let events: Route;
let reviews: Route;
let birthday: Route;
let social: Route;
const A = "alpha.myshopify.com";
const B = "beta.myshopify.com";

beforeAll(async () => {
  db = await freshDatabase();
  p = pipeline(db.sql);
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url });
  events = (await import("~/routes/api.v1.events")).action as never;
  reviews = (await import("~/routes/api.v1.reviews")).action as never;
  birthday = (await import("~/routes/proxy.birthday")).action as never;
  social = (await import("~/routes/proxy.actions.social")).action as never;
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await db?.drop();
});

async function program(shop: string, change: (p: Program) => void = () => undefined) {
  const next = structuredClone(defaultProgram());
  change(next);
  await db.sql.tx((q) => saveProgram(q, shop, next));
}
beforeEach(async () => {
  await program(A, (x) => {
    x.actions.signup.enabled = true;
    x.actions.newsletter.enabled = true;
    x.actions.birthday.enabled = true;
    x.actions.social.enabled = true;
    x.actions.social.networks.instagram = { enabled: true, url: "https://instagram.com/kaffee" };
    x.actions.custom = { enabled: true, maxPointsPerEvent: 100 };
    x.actions.review.enabled = true;
  });
});

function proxyPost(route: Route, path: string, customerId: number | null, body: unknown, secret = TEST_SECRET) {
  const q = signAppProxyQuery(secret, new URLSearchParams(), { shop: A, loggedInCustomerId: customerId, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
  return route({ request: new Request(`https://app.example.com/proxy/${path}?${q}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) }), params: {}, context: {} }).catch((e: Response) => e);
}

const points = async (shop: string, id: number) => (await findMemberByCustomer(db.sql, shop, `gid://shopify/Customer/${id}`))?.points_available ?? 0;

describe(`engagement on ${TEST_DB}`, () => {
  it("customers/create earns the signup points once, and the newsletter when subscribed", async () => {
    const customer = { id: 301, admin_graphql_api_id: "gid://shopify/Customer/301", email: "a@example.com", first_name: "A", last_name: "B", email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in" } };
    await p.deliver("customers/create", A, customer);
    await p.deliver("customers/create", A, customer);
    const program = defaultProgram();
    expect(await points(A, 301)).toBe(program.actions.signup.points + program.actions.newsletter.points);
  });

  it("customers/update earns the newsletter once when consent turns to subscribed", async () => {
    const base = { id: 302, admin_graphql_api_id: "gid://shopify/Customer/302", email: "c@example.com", email_marketing_consent: { state: "not_subscribed" } };
    await p.deliver("customers/create", A, base);
    const afterSignup = await points(A, 302);
    await p.deliver("customers/update", A, { ...base, email_marketing_consent: { state: "subscribed" } });
    await p.deliver("customers/update", A, { ...base, email_marketing_consent: { state: "unsubscribed" } });
    await p.deliver("customers/update", A, { ...base, email_marketing_consent: { state: "subscribed" } });
    expect(await points(A, 302)).toBe(afterSignup + defaultProgram().actions.newsletter.points);
  });

  it("a rule that is off earns nothing", async () => {
    await program(A, (x) => (x.actions.signup.enabled = false));
    await p.deliver("customers/create", A, { id: 303, email: "d@example.com" });
    expect(await points(A, 303)).toBe(0);
  });

  it("birthdays earn once a year on the day in the shop's timezone; 29 Feb counts on 28 Feb", async () => {
    expect(await setBirthday(db.sql, A, "gid://shopify/Customer/304", "03-15")).toBe("set");
    expect(await setBirthday(db.sql, A, "gid://shopify/Customer/304", "04-01")).toBe("locked");
    await expect(setBirthday(db.sql, A, "gid://shopify/Customer/304", "02-30")).rejects.toThrow("no such day");
    await setBirthday(db.sql, A, "gid://shopify/Customer/305", "02-29");
    expect(await awardBirthdays(db.sql, A, Date.parse("2027-03-14T12:00:00Z"))).toBe(0);
    expect(await awardBirthdays(db.sql, A, Date.parse("2027-03-15T12:00:00Z"))).toBe(1);
    expect(await awardBirthdays(db.sql, A, Date.parse("2027-03-15T20:00:00Z"))).toBe(0);
    expect(await awardBirthdays(db.sql, A, Date.parse("2027-02-28T12:00:00Z"))).toBe(1);
    expect(await awardBirthdays(db.sql, A, Date.parse("2028-03-15T12:00:00Z"))).toBe(1);
    expect(await points(A, 304)).toBe(2 * defaultProgram().actions.birthday.points);
  });

  it("social follows earn once per network, only for networks that are on", async () => {
    const c = "gid://shopify/Customer/306";
    expect((await earnAction(db.sql, A, c, { kind: "social", network: "instagram" })).status).toBe("earned");
    expect((await earnAction(db.sql, A, c, { kind: "social", network: "instagram" })).status).toBe("duplicate");
    expect(await earnAction(db.sql, A, c, { kind: "social", network: "tiktok" })).toEqual({ status: "skipped", reason: "tiktok off" });
  });

  it("caps an action per member and period", async () => {
    await program(A, (x) => {
      x.actions.custom = { enabled: true, maxPointsPerEvent: 100 };
      x.caps.perRule.custom = { max: 120, period: "day" };
    });
    const c = "gid://shopify/Customer/307";
    for (const k of ["e1", "e2", "e3"]) await earnAction(db.sql, A, c, { kind: "custom", event: "visit", points: 50, key: k });
    expect(await points(A, 307)).toBe(120);
  });
});

describe(`storefront actions through the app proxy on ${TEST_DB}`, () => {
  it("a logged-in shopper sets a birthday once; a guest, a bad date and an unsigned call are refused", async () => {
    expect((await proxyPost(birthday, "birthday", 501, { birthday: "07-04" })).status).toBe(200);
    expect((await proxyPost(birthday, "birthday", 501, { birthday: "08-01" })).status).toBe(409);
    expect((await proxyPost(birthday, "birthday", 502, { birthday: "13-01" })).status).toBe(422);
    expect((await proxyPost(birthday, "birthday", 502, "{x")).status).toBe(400);
    expect((await proxyPost(birthday, "birthday", null, { birthday: "07-04" })).status).toBe(403);
    expect((await proxyPost(birthday, "birthday", 502, { birthday: "07-04" }, "wrong-secret")).status).toBe(401);
    const row = await db.sql.get<{ birthday: string }>(`SELECT birthday FROM members WHERE shop = ? AND customer_gid = ?`, [A, "gid://shopify/Customer/501"]);
    expect(row?.birthday).toBe("07-04");
    expect(await db.sql.get(`SELECT birthday FROM members WHERE shop = ? AND customer_gid = ?`, [A, "gid://shopify/Customer/502"])).toBeUndefined();
  });

  it("a social follow earns once per network for the signed-in shopper only", async () => {
    const first = await proxyPost(social, "actions/social", 503, { network: "instagram" });
    expect(first.status).toBe(200);
    expect((await first.json()).status).toBe("earned");
    expect((await (await proxyPost(social, "actions/social", 503, { network: "instagram" })).json()).status).toBe("duplicate");
    expect((await proxyPost(social, "actions/social", 503, { network: "myspace" })).status).toBe(422);
    expect((await proxyPost(social, "actions/social", 503, { network: "tiktok" })).status).toBe(409);
    expect(await points(A, 503)).toBe(defaultProgram().actions.social.points);
  });
});

describe(`custom events API on ${TEST_DB}`, () => {
  const call = (key: string | null, body: unknown) =>
    events({
      request: new Request("https://app.example.com/api/v1/events", {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}) },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
      params: {},
      context: {},
    });

  it("awards with a valid key, once per idempotency key", async () => {
    const { key } = await createApiKey(db.sql, A, "reviews");
    const body = { customerId: 401, event: "review_published", points: 40, idempotencyKey: "rev-1" };
    const first = await call(key, body);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ status: "earned", points: 40 });
    expect((await call(key, body)).status).toBe(200);
    expect(await points(A, 401)).toBe(40);
  });

  it("refuses a missing, unknown or revoked key with 401 and writes nothing", async () => {
    const { key, prefix } = await createApiKey(db.sql, A);
    await revokeApiKey(db.sql, A, prefix);
    for (const k of [null, "stk_not-a-real-key-000000000000", key]) {
      expect((await call(k, { customerId: 402, event: "x", points: 5, idempotencyKey: "k" })).status).toBe(401);
    }
    expect(await points(A, 402)).toBe(0);
  });

  it("names bad fields (422), refuses malformed JSON (400) and points above the limit", async () => {
    const { key } = await createApiKey(db.sql, A);
    expect((await call(key, "{nope")).status).toBe(400);
    const bad = await call(key, { customerId: "abc", event: "", points: 1.5, idempotencyKey: "" });
    expect(bad.status).toBe(422);
    expect(Object.keys((await bad.json()).fieldErrors).sort()).toEqual(["customerId", "event", "idempotencyKey", "points"]);
    const big = await call(key, { customerId: 403, event: "x", points: 101, idempotencyKey: "big" });
    expect(big.status).toBe(422);
    expect(await points(A, 403)).toBe(0);
  });

  it("a review earns the program's review points once per product", async () => {
    const { key } = await createApiKey(db.sql, A);
    const post = (body: unknown) =>
      reviews({ request: new Request("https://app.example.com/api/v1/reviews", { method: "POST", headers: { Authorization: `Bearer ${key}` }, body: JSON.stringify(body) }), params: {}, context: {} });
    expect((await post({ customerId: 405, productId: 1 })).status).toBe(201);
    expect((await post({ customerId: 405, productId: 1 })).status).toBe(200);
    expect((await post({ customerId: 405, productId: "gid://shopify/Product/2" })).status).toBe(201);
    expect((await post({ customerId: 405 })).status).toBe(422);
    expect(await points(A, 405)).toBe(2 * defaultProgram().actions.review.points);
  });

  it("a key of one shop awards only that shop's customers", async () => {
    await program(B, (x) => (x.actions.custom = { enabled: true, maxPointsPerEvent: 100 }));
    const { key } = await createApiKey(db.sql, B);
    await call(key, { customerId: 404, event: "x", points: 7, idempotencyKey: "k404" });
    expect(await points(B, 404)).toBe(7);
    expect(await points(A, 404)).toBe(0);
    for (const s of [A, B]) expect((await checkBalances(db.sql, s)).mismatched).toEqual([]);
  });
});
