// The Integrations admin page behind Shopify's session token (the offline store mints it): an
// endpoint's secret is in the answer that made it and never again; field errors as 422 with codes
// the page translates; a malformed request as 400; one shop can't touch another's endpoints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

type Route = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response | Record<string, unknown>>;
const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "andere-integration.myshopify.com";
let db: TestDatabase;
let store: DevStore;
let page: { loader: Route; action: Route };

const auth = (shop = SHOP) => ({ Authorization: `Bearer ${store.auth.sessionToken({ shop, userId: 4242 })}` });
const call = (route: Route, init: RequestInit = {}, shop = SHOP) =>
  route({ request: new Request(`https://app.example.com/app/webhooks?shop=${shop}&locale=de`, init), params: {}, context: {} }).catch((e: Response) => e);
const post = async (fields: Array<[string, string]>, shop = SHOP) => (await call(page.action, { method: "POST", headers: auth(shop), body: new URLSearchParams(fields) }, shop)) as Response;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: OTHER });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [SHOP, OTHER]) {
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "read_customers" }));
  }
  page = (await import("~/routes/app.webhooks")) as unknown as typeof page;
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

describe(`integrations admin on ${TEST_DB}`, () => {
  it("adds an endpoint, shows its secret once, and names bad fields", async () => {
    const bad = await post([["intent", "create"], ["url", "ftp://x.example.com"]]);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({ url: "url_https", events: "events_required" });

    const made = await post([["intent", "create"], ["url", "https://hooks.example.com/stk"], ["events", "points_earned,tier_changed"]]);
    expect(made.status).toBe(200);
    const { id, secret } = (await made.json()) as { id: number; secret: string };
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);

    const loaded = await call(page.loader, { headers: auth() });
    expect(loaded).not.toBeInstanceOf(Response);
    expect(JSON.stringify(loaded)).not.toContain(secret);
    expect(loaded).toMatchObject({ locale: "de", endpoints: [{ id, url: "https://hooks.example.com/stk", events: ["points_earned", "tier_changed"], enabled: true, secretHint: secret.slice(0, 10) }] });

    const rotated = await post([["intent", "rotate"], ["id", String(id)]]);
    const next = ((await rotated.json()) as { secret: string }).secret;
    expect(next).not.toBe(secret);

    expect((await post([["intent", "disable"], ["id", String(id)]])).status).toBe(200);
    expect(await call(page.loader, { headers: auth() })).toMatchObject({ endpoints: [{ id, enabled: false, disabledReason: "by_merchant" }] });
  });

  it("keeps shops apart and answers 400 to a malformed request", async () => {
    const made = (await (await post([["intent", "create"], ["url", "https://hooks.example.com/a"], ["events", "points_earned"]])).json()) as { id: number };
    // the other shop's admin: not its endpoint, nothing changes
    expect(await (await post([["intent", "delete"], ["id", String(made.id)]], OTHER)).json()).toEqual({ intent: "delete", ok: false });
    expect(await (await post([["intent", "rotate"], ["id", String(made.id)]], OTHER)).status).toBe(404);
    expect(await call(page.loader, { headers: auth(OTHER) })).toMatchObject({ endpoints: [] });
    expect((await post([["intent", "delete"], ["id", "abc"]])).status).toBe(400);
    expect((await post([["intent", "retry"]])).status).toBe(400);
    expect((await post([["intent", "explode"]])).status).toBe(400);
    expect(await (await post([["intent", "delete"], ["id", String(made.id)]])).json()).toEqual({ intent: "delete", ok: true });
  });
});
