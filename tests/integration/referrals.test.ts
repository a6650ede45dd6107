// Referrals end to end: a member's link through the signed app proxy, the friend's landing page
// rendered by the (strict) offline storefront, the friend's code created in the offline Shopify,
// the friend's order through the real webhook pipeline, every fraud rule with its reason, the
// return window, refunds and cancellations in any order, and two shops that never mix.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { orderPayload, refundPayload } from "../../devstore/webhooks/payloads.ts";
import type { AddressInput } from "../../devstore/commerce/customers.ts";
import { defaultProgram, type Program } from "~/domain/program";
import { saveProgram } from "~/models/earning.server";
import { checkBalances, findMemberByCustomer } from "~/models/ledger.server";
import { setMemberStatus } from "~/models/members.server";
import { buildDataReport, redactCustomer } from "~/models/privacy.server";
import { claimFriendCode, decideReferral, listReferrals, referralFunnel } from "~/models/referrals.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { pipeline } from "../helpers/pipeline";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "zweiter-laden.myshopify.com";
const DAY = 86_400_000;
type Route = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;

let db: TestDatabase;
let store: DevStore;
let app: Server;
let flow: ReturnType<typeof pipeline>;
let routes: { rewards: Route; landing: Route; claim: Route };

function settings(change: (p: Program) => void = () => {}): Program {
  const p = structuredClone(defaultProgram());
  p.referrals = {
    ...p.referrals,
    enabled: true,
    advocateLimit: { count: 3, period: "month" },
    blocklist: { emails: ["blocked@example.org"], domains: ["trashmail.com"] },
  };
  change(p);
  return p;
}

beforeAll(async () => {
  db = await freshDatabase();
  // the app's proxy routes behind a plain HTTP server, so the offline storefront can forward to them
  app = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "https://app.example.com");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])) as Array<[string, string]>);
    const request = new Request(url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const m = /^\/proxy\/r\/([^/]+)$/.exec(url.pathname);
    const route = m ? routes.landing : url.pathname === "/proxy/referral-claim" ? routes.claim : url.pathname === "/proxy/rewards" ? routes.rewards : null;
    const answer = route ? await route({ request, params: m ? { code: m[1] } : {}, context: {} }).catch((e: Response) => e) : new Response("no route", { status: 404 });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
  const port = (app.address() as { port: number }).port;
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET, appUrl: `http://127.0.0.1:${port}` });
  store.shops.create({ domain: OTHER, currency: "EUR" });
  Object.assign(process.env, {
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_SECRET,
    SHOPIFY_APP_URL: "https://app.example.com",
    DATABASE_URL: db.url,
    SHOPIFY_ADMIN_ORIGIN: store.url,
    STAMMKUNDE_PROXY_WAIT_MS: "3000",
  });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of [SHOP, OTHER]) {
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "write_discounts,read_customers,read_orders" }));
    await db.sql.tx((q) => saveProgram(q, shop, settings()));
  }
  routes = {
    rewards: (await import("~/routes/proxy.rewards")).loader as never,
    landing: (await import("~/routes/proxy.r.$code")).loader as never,
    claim: (await import("~/routes/proxy.referral-claim")).action as never,
  };
  flow = pipeline(db.sql, { admin: async (shop) => devstoreAdmin(store, shop) });
});

afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await new Promise((r) => app?.close(r));
  await db?.drop();
});

// ---------------------------------------------------------------------------------------------
// helpers

let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(++seq).toString(36)}`;
const uniqueIp = () => `198.51.${seq % 250}.${(++seq % 250) + 1}`;

function signed(path: string, o: { shop?: string; customer?: number | null; secret?: string; query?: Record<string, string> } = {}) {
  const q = signAppProxyQuery(o.secret ?? TEST_SECRET, new URLSearchParams(o.query), { shop: o.shop ?? SHOP, loggedInCustomerId: o.customer ?? null, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
  return `https://app.example.com/proxy${path}?${q}`;
}
const callRoute = (route: Route, url: string, init: RequestInit = {}, params: Record<string, string> = {}) => route({ request: new Request(url, init), params, context: {} }).catch((e: Response) => e);

interface AdvocateOpts {
  shop?: string;
  email?: string;
  phone?: string | null;
  address?: AddressInput;
  firstName?: string;
  lastName?: string;
}
/** A customer who opens the rewards panel: enrolled, with a referral link. */
async function advocate(o: AdvocateOpts = {}) {
  const shop = o.shop ?? SHOP;
  const c = store.customers.create({
    shop,
    firstName: o.firstName ?? "Erika",
    lastName: o.lastName ?? `Muster${uniq()}`,
    email: o.email ?? `erika.${uniq()}@gmail.com`,
    phone: o.phone === undefined ? null : o.phone,
    address: o.address ?? { address1: `Hauptstraße ${++seq}`, zip: "10115", city: "Berlin", countryCode: "DE" },
  });
  const res = await callRoute(routes.rewards, signed("/rewards", { shop, customer: c.id }), { headers: { "Accept-Language": "de-DE" } });
  expect(res.status).toBe(200);
  const body = await res.json();
  return { id: c.id, gid: `gid://shopify/Customer/${c.id}`, customer: c, code: body.referral.code as string, body };
}

/** A friend's visit to the link; returns the visit token the page carries. */
async function visit(code: string, o: { shop?: string; ip?: string; ua?: string; customer?: number | null } = {}) {
  const res = await callRoute(routes.landing, signed(`/r/${code}`, { shop: o.shop, customer: o.customer }), { headers: { "x-forwarded-for": o.ip ?? uniqueIp(), "user-agent": o.ua ?? "Mozilla/5.0 (iPhone) Safari" } }, { code });
  const html = await res.text();
  return { res, html, visit: /data-visit="([^"]+)"/.exec(html)?.[1] ?? null };
}

async function claim(body: Record<string, unknown>, o: { shop?: string; customer?: number | null; ip?: string; lang?: string } = {}) {
  return callRoute(routes.claim, signed("/referral-claim", { shop: o.shop, customer: o.customer }), {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-forwarded-for": o.ip ?? uniqueIp(), "Accept-Language": o.lang ?? "en" },
    body: JSON.stringify(body),
  });
}

interface FriendOrder {
  shop?: string;
  customer?: { email?: string; phone?: string | null; firstName?: string; lastName?: string; address?: AddressInput } | number;
  codes?: string[];
  ref?: string;
  price?: string;
  shippingAddress?: AddressInput;
  phone?: string | null;
}
/** The friend places (and pays) an order; the paid webhook goes through the pipeline. */
async function friendOrders(o: FriendOrder = {}) {
  const shop = o.shop ?? SHOP;
  const customer =
    typeof o.customer === "number"
      ? store.customers.get(o.customer, { shop })!
      : store.customers.create({
          shop,
          firstName: o.customer?.firstName ?? "Max",
          lastName: o.customer?.lastName ?? `Freund${uniq()}`,
          email: o.customer?.email ?? `max.${uniq()}@example.com`,
          phone: o.customer?.phone ?? null,
          address: o.customer?.address,
        });
  const order = store.orders.create({
    shop,
    customerId: customer.id,
    lineItems: [{ title: "Kaffee", price: o.price ?? "50.00", quantity: 1, taxable: false }],
    discountCodes: o.codes ?? [],
    noteAttributes: o.ref ? { stk_ref: o.ref } : {},
    phone: o.phone ?? null,
    shipping: null,
    ...(o.shippingAddress ? { shippingAddress: o.shippingAddress } : {}),
  });
  await flow.send("orders/paid", shop, orderPayload(store.shops.get(shop), order, customer) as object);
  await flow.drain();
  return { order, customer, gid: `gid://shopify/Order/${order.id}` };
}

async function referralOf(orderGid: string, shop = SHOP) {
  const row = await db.sql.get<{ id: number; status: string; verdict: string; reasons: string; reward_points: number | null; window_ends_at: unknown; ip_hash: string | null; device_hash: string | null; friend_email_hash: string | null; friend_customer_gid: string | null }>(
    `SELECT * FROM referrals WHERE shop = ? AND order_gid = ?`,
    [shop, orderGid],
  );
  return row ? { ...row, codes: (JSON.parse(row.reasons) as Array<{ code: string }>).map((r) => r.code) } : undefined;
}
const balanceOf = async (gid: string, shop = SHOP) => (await findMemberByCustomer(db.sql, shop, gid))?.points_available ?? 0;
const count = async (sqlText: string, params: unknown[]) => Number((await db.sql.get<{ n: number }>(sqlText, params))?.n ?? 0);

// ---------------------------------------------------------------------------------------------

describe(`referrals on ${TEST_DB}`, () => {
  it("happy path: share → friend visits, claims a code and orders → window passes → advocate rewarded", async () => {
    const a = await advocate();
    expect(a.body.referral).toMatchObject({ code: expect.stringMatching(/^[A-HJKMNP-Z2-9]{9}$/), url: `https://${SHOP}/apps/loyalty/r/${a.code}`, stats: { clicks: 0, pending: 0, rewarded: 0 } });
    expect(a.body.referral.shareMessage).toBe(`Ich kaufe hier gern ein. Mit meinem Link bekommst du Rabatt auf deine erste Bestellung: https://${SHOP}/apps/loyalty/r/${a.code}`);
    expect(a.body.referrals).toEqual([]);
    // the code is stable
    expect((await (await callRoute(routes.rewards, signed("/rewards", { customer: a.id }))).json()).referral.code).toBe(a.code);

    const v = await visit(a.code, { ip: "203.0.113.9" });
    expect(v.res.status).toBe(200);
    expect(v.res.headers.get("content-type")).toBe("application/liquid");
    expect(v.html).toContain("{% if request.locale.iso_code == \"de\" %}");
    expect(v.visit).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // no raw personal data in the click
    const click = await db.sql.get<{ ip_hash: string; ua_hash: string }>(`SELECT ip_hash, ua_hash FROM referral_clicks WHERE shop = ? AND visit = ?`, [SHOP, v.visit]);
    expect(click!.ip_hash).toMatch(/^[0-9a-f]{40}$/);
    expect(JSON.stringify(click)).not.toContain("203.0.113.9");
    // a reload within the hour is the same visit; the advocate opening their own link is no visit
    expect((await visit(a.code, { ip: "203.0.113.9" })).visit).toBe(v.visit);
    expect((await visit(a.code, { customer: a.id })).res.status).toBe(200);
    expect(await count(`SELECT COUNT(*) AS n FROM referral_clicks WHERE shop = ? AND code = ?`, [SHOP, a.code])).toBe(1);

    const email = `max.${uniq()}@example.com`;
    const res = await claim({ code: a.code, email, visit: v.visit, device: "device-happy-1" }, { ip: "203.0.113.9" });
    expect(res.status).toBe(200);
    const got = await res.json();
    expect(got).toEqual({ status: "issued", code: expect.stringMatching(/^FRIEND-/), applyUrl: `/discount/${got.code}?redirect=/` });
    const discount = store.discounts.byCode(got.code)!;
    expect(discount).toBeDefined();
    expect(discount).toMatchObject({ usageLimit: 1, appliesOncePerCustomer: true });
    // asking again gives the same code
    expect((await (await claim({ code: a.code, email: email.toUpperCase() })).json()).code).toBe(got.code);

    const { gid, order } = await friendOrders({ customer: { email }, codes: [got.code], ref: `${a.code}.${v.visit}.device-happy-1` });
    expect(order.discountCodes).toEqual([{ code: got.code, amount: 1000, type: "fixed_amount" }]);
    const r = (await referralOf(gid))!;
    expect(r).toMatchObject({ status: "pending", verdict: "approve", codes: [] });
    expect(r.ip_hash).toBe(click!.ip_hash);
    expect(r.device_hash).toMatch(/^[0-9a-f]{40}$/);
    expect(await balanceOf(a.gid)).toBe(0);

    // inside the window nothing happens; after it the advocate earns, once
    await flow.drain(Date.now() + 29 * DAY);
    expect((await referralOf(gid))!.status).toBe("pending");
    await flow.drain(Date.now() + 31 * DAY);
    await flow.drain(Date.now() + 32 * DAY);
    expect(await referralOf(gid)).toMatchObject({ status: "rewarded", reward_points: 500 });
    expect(await balanceOf(a.gid)).toBe(500);
    const entry = await db.sql.get<{ points: number; reason: string }>(`SELECT points, reason FROM ledger_entries WHERE shop = ? AND idempotency_key = ?`, [SHOP, `referral:${gid}`]);
    expect(entry).toMatchObject({ points: 500, reason: "referral" });
    expect((await checkBalances(db.sql, SHOP)).mismatched).toEqual([]);

    const panel = await (await callRoute(routes.rewards, signed("/rewards", { customer: a.id }))).json();
    expect(panel.referral.stats).toEqual({ clicks: 1, pending: 0, rewarded: 1 });
    expect(panel.referrals).toEqual([{ status: "rewarded", at: expect.any(String) }]);
    expect(JSON.stringify(panel.referrals)).not.toContain(email);

    const funnel = await referralFunnel(db.sql, SHOP);
    const mine = funnel.advocates.find((x) => x.code === a.code)!;
    expect(mine).toMatchObject({ clicks: 1, signups: 1, orders: 1, revenueMinor: 4000, rewardedPoints: 500, friendDiscountMinor: 1000 });
  });

  it("renders the landing page in the shop's theme, in English and German, with the script that remembers the referral", async () => {
    const a = await advocate();
    const page = await fetch(`${store.url}/apps/loyalty/r/${a.code}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="app-proxy-content"');
    expect(html).toContain("A gift from a friend");
    expect(html).toContain("€10.00 off orders from €30.00, valid for 30 days");
    expect(html).toContain('name="email"');
    expect(html).toContain('stk_ref=" + ref');
    expect(html).toContain('fetch("/cart/update.js"');
    // German, by the storefront's language switch
    const switched = await fetch(`${store.url}/localization?language_code=de&return_to=/`, { redirect: "manual" });
    const cookie = switched.headers.get("set-cookie")!.split(";")[0];
    const de = await (await fetch(`${store.url}/apps/loyalty/r/${a.code}`, { headers: { cookie } })).text();
    expect(de).toContain("Ein Geschenk von Freunden");
    expect(de).toContain("10,00\u00a0€ Rabatt ab 30,00\u00a0€ Bestellwert, 30 Tage gültig");
    // an unknown code: a friendly page, 404
    const missing = await fetch(`${store.url}/apps/loyalty/r/NOPE2345`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('data-testid="referral-not-found"');
  });

  describe("fraud checks, each with its reason", () => {
    it("self-referral: the same customer", async () => {
      const a = await advocate();
      const { gid } = await friendOrders({ customer: a.id, ref: a.code });
      expect(await referralOf(gid)).toMatchObject({ status: "rejected", verdict: "reject" });
      expect((await referralOf(gid))!.codes).toContain("self_customer");
    });

    it("self-referral: the same email after removing +tags and Gmail dots", async () => {
      const a = await advocate({ email: `erika.muster.${uniq()}@gmail.com` });
      const alias = `${a.customer.email!.split("@")[0].replace(/\./g, "").toUpperCase()}+friend@googlemail.com`;
      const { gid } = await friendOrders({ customer: { email: alias }, ref: a.code });
      expect(await referralOf(gid)).toMatchObject({ status: "rejected", codes: ["self_email"] });
    });

    it("self-referral: the same phone number, written differently", async () => {
      const digits = String(10000 + ((seq * 7919) % 90000));
      const a = await advocate({ phone: `+4917055${digits}` });
      const { gid } = await friendOrders({ phone: `0170 55 ${digits}`, ref: a.code });
      expect(await referralOf(gid)).toMatchObject({ status: "rejected", codes: ["self_phone"] });
    });

    it("same shipping address, another name: held for review", async () => {
      const street = `Lindenallee ${uniq()}`;
      const a = await advocate({ address: { address1: street, zip: "20095", countryCode: "DE" } });
      const { gid } = await friendOrders({ ref: a.code, shippingAddress: { firstName: "Max", lastName: "Andere", address1: street.replace("allee", "Allee"), zip: "20095", countryCode: "DE" } });
      expect(await referralOf(gid)).toMatchObject({ status: "held", verdict: "hold", codes: ["same_address"] });
    });

    it("self-referral: the same name and address", async () => {
      const street = `Rosenweg ${uniq()}`;
      const a = await advocate({ firstName: "Jürgen", lastName: "Groß", address: { address1: `${street}`, zip: "50667", countryCode: "DE" } });
      const { gid } = await friendOrders({
        customer: { firstName: "Jurgen", lastName: "Gross" },
        ref: a.code,
        shippingAddress: { firstName: "Jurgen", lastName: "Gross", address1: street.toUpperCase(), zip: "50667", countryCode: "DE" },
      });
      expect(await referralOf(gid)).toMatchObject({ status: "rejected", codes: ["self_name_address"] });
    });

    it("velocity: a fourth referred order from one IP address within a week is held", async () => {
      const ip = "192.0.2.44";
      const gids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const a = await advocate();
        const v = await visit(a.code, { ip, ua: `agent ${i}` });
        gids.push((await friendOrders({ ref: `${a.code}.${v.visit}` })).gid);
      }
      expect((await Promise.all(gids.map((g) => referralOf(g)))).map((r) => [r!.status, r!.codes])).toEqual([
        ["pending", []],
        ["pending", []],
        ["pending", []],
        ["held", ["velocity_ip"]],
      ]);
    });

    it("velocity: a fourth referred order from one device within a week is held", async () => {
      const gids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const a = await advocate();
        const v = await visit(a.code);
        gids.push((await friendOrders({ ref: `${a.code}.${v.visit}.shared-device-77` })).gid);
      }
      expect((await referralOf(gids[3]))!).toMatchObject({ status: "held", codes: ["velocity_device"] });
      expect((await referralOf(gids[2]))!.status).toBe("pending");
    });

    it("existing customer: a friend who ordered before", async () => {
      const a = await advocate();
      const friend = store.customers.create({ firstName: "Old", lastName: `Kunde${uniq()}`, email: `old.${uniq()}@example.com` });
      store.orders.create({ customerId: friend.id, lineItems: [{ title: "Tee", price: "20.00", quantity: 1 }], shipping: null });
      const { gid } = await friendOrders({ customer: friend.id, ref: a.code });
      expect(await referralOf(gid)).toMatchObject({ status: "rejected", codes: ["existing_customer"] });
    });

    it("advocate limit: the fourth referral in a month is rejected", async () => {
      const a = await advocate();
      const gids: string[] = [];
      for (let i = 0; i < 4; i++) gids.push((await friendOrders({ ref: a.code })).gid);
      expect((await Promise.all(gids.map((g) => referralOf(g)))).map((r) => r!.codes)).toEqual([[], [], [], ["advocate_limit"]]);
      expect((await referralOf(gids[3]))!.status).toBe("rejected");
    });

    it("blocklist: a blocked address and a blocked domain", async () => {
      const a = await advocate();
      const one = await friendOrders({ customer: { email: "Blocked@Example.org" }, ref: a.code });
      const two = await friendOrders({ customer: { email: `x.${uniq()}@mail.trashmail.com` }, ref: a.code });
      expect(await referralOf(one.gid)).toMatchObject({ status: "rejected", codes: ["blocklist_email"] });
      expect(await referralOf(two.gid)).toMatchObject({ status: "rejected", codes: ["blocklist_domain"] });
      // and no code for them either
      expect((await claim({ code: a.code, email: `y.${uniq()}@trashmail.com` })).status).toBe(422);
    });

    it("minimum subtotal and one referral per friend", async () => {
      const a = await advocate();
      const small = await friendOrders({ ref: a.code, price: "29.99" });
      expect(await referralOf(small.gid)).toMatchObject({ status: "rejected", codes: ["below_minimum"] });
      const first = await friendOrders({ ref: a.code });
      const second = await friendOrders({ customer: first.customer.id, ref: a.code });
      expect((await referralOf(second.gid))!.codes).toEqual(["existing_customer", "already_referred"]);
    });

    it("a held referral waits for the merchant, who approves (recorded) and the reward follows the window", async () => {
      await db.sql.tx((q) => saveProgram(q, SHOP, settings((p) => (p.referrals.review.reviewAll = true))));
      try {
        const a = await advocate();
        const held = await friendOrders({ ref: a.code });
        const rejected = await friendOrders({ ref: a.code });
        const r = (await referralOf(held.gid))!;
        expect(r).toMatchObject({ status: "held", codes: ["review_all"] });
        expect(await decideReferral(db.sql, SHOP, r.id, "approve", "Anna Admin (staff 42)")).toBe("pending");
        expect(await decideReferral(db.sql, SHOP, (await referralOf(rejected.gid))!.id, "reject", "Anna Admin (staff 42)")).toBe("rejected");
        await expect(decideReferral(db.sql, SHOP, r.id, "reject", "x")).rejects.toMatchObject({ status: 409 });
        await expect(decideReferral(db.sql, OTHER, r.id, "approve", "x")).rejects.toMatchObject({ status: 404 });
        const listed = (await listReferrals(db.sql, SHOP)).items.find((x) => x.id === r.id)!;
        expect(listed).toMatchObject({ status: "pending", decidedBy: "Anna Admin (staff 42)", reasons: [{ code: "review_all", de: "Jede Empfehlung wird vom Shop geprüft." }] });
        await flow.drain(Date.now() + 31 * DAY);
        expect((await referralOf(held.gid))!.status).toBe("rewarded");
        expect((await referralOf(rejected.gid))!.status).toBe("rejected");
        expect(await balanceOf(a.gid)).toBe(500);
      } finally {
        await db.sql.tx((q) => saveProgram(q, SHOP, settings()));
      }
    });
  });

  describe("refunds and cancellations", () => {
    it("a refund inside the window cancels the reward", async () => {
      const a = await advocate();
      const { order, gid } = await friendOrders({ ref: a.code });
      const refund = store.orders.refund(order.id, [{ lineItemId: order.lineItems[0].id, quantity: 1 }]);
      await flow.deliver("refunds/create", SHOP, refundPayload(store.shops.get(SHOP), order, refund) as object);
      expect(await referralOf(gid)).toMatchObject({ status: "cancelled" });
      await flow.drain(Date.now() + 31 * DAY);
      expect((await referralOf(gid))!.status).toBe("cancelled");
      expect(await balanceOf(a.gid)).toBe(0);
    });

    it("a cancellation inside the window cancels the reward", async () => {
      const a = await advocate();
      const { order, customer, gid } = await friendOrders({ ref: a.code });
      const cancelled = store.orders.cancel(order.id, { refund: false });
      await flow.deliver("orders/cancelled", SHOP, orderPayload(store.shops.get(SHOP), cancelled, customer) as object);
      await flow.drain(Date.now() + 31 * DAY);
      expect(await referralOf(gid)).toMatchObject({ status: "cancelled" });
      expect(await balanceOf(a.gid)).toBe(0);
    });

    it("a refund delivered before the payment still ends cancelled", async () => {
      const a = await advocate();
      const friend = store.customers.create({ firstName: "Re", lastName: `Order${uniq()}`, email: `re.${uniq()}@example.com` });
      const order = store.orders.create({ customerId: friend.id, lineItems: [{ title: "Kaffee", price: "50.00", quantity: 1 }], noteAttributes: { stk_ref: a.code }, shipping: null });
      const refund = store.orders.refund(order.id, [{ lineItemId: order.lineItems[0].id, quantity: 1 }]);
      await flow.deliver("refunds/create", SHOP, refundPayload(store.shops.get(SHOP), order, refund) as object);
      await flow.deliver("orders/paid", SHOP, orderPayload(store.shops.get(SHOP), order, friend) as object);
      const gid = `gid://shopify/Order/${order.id}`;
      expect(await referralOf(gid)).toMatchObject({ status: "cancelled" });
      await flow.drain(Date.now() + 31 * DAY);
      expect(await balanceOf(a.gid)).toBe(0);
    });

    it("a refund made inside the window but delivered after the reward takes the reward back; one after the window doesn't", async () => {
      const a = await advocate();
      const late = await friendOrders({ ref: a.code });
      const after = await friendOrders({ ref: a.code });
      await flow.drain(Date.now() + 31 * DAY);
      expect(await balanceOf(a.gid)).toBe(1000);
      const refund = (o: typeof late, at: number) => ({ ...(refundPayload(store.shops.get(SHOP), o.order, store.orders.refund(o.order.id, [{ lineItemId: o.order.lineItems[0].id, quantity: 1 }])) as object), created_at: new Date(at).toISOString() });
      await flow.deliver("refunds/create", SHOP, refund(late, Date.now() + 5 * DAY));
      await flow.deliver("refunds/create", SHOP, refund(after, Date.now() + 40 * DAY));
      expect(await referralOf(late.gid)).toMatchObject({ status: "cancelled" });
      expect(await referralOf(after.gid)).toMatchObject({ status: "rewarded" });
      expect(await balanceOf(a.gid)).toBe(500);
      const reversal = await db.sql.get<{ points: number; kind: string }>(`SELECT points, kind FROM ledger_entries WHERE shop = ? AND idempotency_key = ?`, [SHOP, `referral:reverse:${late.gid}`]);
      expect(reversal).toEqual({ points: -500, kind: "reverse" });
      expect((await checkBalances(db.sql, SHOP)).mismatched).toEqual([]);
    });
  });

  describe("the friend's code", () => {
    it("is created once per email, even for concurrent requests with aliases of one address", async () => {
      const a = await advocate();
      const base = `max.power.${uniq()}`;
      const variants = [`${base}@gmail.com`, `${base.replace(/\./g, "")}@googlemail.com`, `${base}+a@gmail.com`, `${base.toUpperCase()}@GMAIL.COM`, `${base}+b@gmail.com`];
      const answers = await Promise.all(variants.map((email) => claim({ code: a.code, email })));
      const bodies = await Promise.all(answers.map((r) => r.json()));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(bodies.map((b) => b.code)).size).toBe(1);
      expect(await count(`SELECT COUNT(*) AS n FROM referral_friends WHERE shop = ? AND advocate_member_id = (SELECT member_id FROM referral_codes WHERE shop = ? AND code = ?)`, [SHOP, SHOP, a.code])).toBe(1);
      const discounts = [...store.shops.get(SHOP).discounts.values()].filter((d) => d.title.includes(`friend of ${a.code}`));
      expect(discounts).toHaveLength(1);
    });

    it("for a logged-in friend: once per customer; never for the advocate or an existing customer", async () => {
      const a = await advocate();
      const friend = store.customers.create({ firstName: "Lia", lastName: `Neu${uniq()}`, email: `lia.${uniq()}@example.com` });
      const first = await (await claim({ code: a.code }, { customer: friend.id })).json();
      expect(first.status).toBe("issued");
      // the same person as a guest with the same email gets the same code
      expect((await (await claim({ code: a.code, email: friend.email! })).json()).code).toBe(first.code);
      const own = await claim({ code: a.code }, { customer: a.id, lang: "de-DE" });
      expect(own.status).toBe(422);
      expect(await own.json()).toEqual({ error: "own_link", message: "Das ist dein eigener Link – teile ihn mit Freunden.", fieldErrors: { code: "Das ist dein eigener Link – teile ihn mit Freunden." } });
      const ownEmail = await claim({ code: a.code, email: a.customer.email!.replace("@", "+x@") });
      expect(ownEmail.status).toBe(422);
      const old = store.customers.create({ firstName: "Alt", lastName: `Kunde${uniq()}`, email: `alt.${uniq()}@example.com` });
      store.orders.create({ customerId: old.id, lineItems: [{ title: "Tee", price: "20.00", quantity: 1 }], shipping: null });
      const existing = await claim({ code: a.code }, { customer: old.id });
      expect(existing.status).toBe(422);
      expect((await existing.json()).error).toBe("existing_customer");
      expect((await claim({ code: a.code, email: "not-an-email" })).status).toBe(422);
      expect((await claim({ code: "NOPE2345", email: `z.${uniq()}@example.com` })).status).toBe(404);
    });

    it("a code Shopify refuses or never confirms leaves no friend row claiming it", async () => {
      const a = await advocate();
      const email = `fail.${uniq()}@example.com`;
      const friendRows = () => count(`SELECT COUNT(*) AS n FROM referral_friends r JOIN referral_codes c ON c.shop = r.shop AND c.member_id = r.advocate_member_id WHERE r.shop = ? AND c.code = ?`, [SHOP, a.code]);
      // the advocate's lookup and three creates fail, then the lookup finds no code: refused, nothing kept
      store.faults.failNext(4, 500);
      const refused = await claim({ code: a.code, email });
      expect(refused.status).toBe(502);
      expect(await friendRows()).toBe(0);
      // the lookup fails too: the row waits as "creating" (202) until the settle job looks again
      store.faults.failNext(5, 500);
      const unknown = await claim({ code: a.code, email });
      expect(unknown.status).toBe(202);
      expect(await count(`SELECT COUNT(*) AS n FROM referral_friends WHERE shop = ? AND status = 'creating'`, [SHOP])).toBe(1);
      await flow.drain(Date.now() + 4 * 60_000);
      expect(await friendRows()).toBe(0);
      // asking again works
      const ok = await claim({ code: a.code, email });
      expect(ok.status).toBe(200);
      expect(store.discounts.byCode((await ok.json()).code)).toBeDefined();
    });

    it("refuses a connection that claims too many codes in a week", async () => {
      const a = await advocate();
      const ip = "192.0.2.201";
      for (let i = 0; i < 10; i++) expect((await claim({ code: a.code, email: `many.${i}.${uniq()}@example.com` }, { ip })).status).toBe(200);
      const res = await claim({ code: a.code, email: `many.x.${uniq()}@example.com` }, { ip });
      expect(res.status).toBe(429);
      expect((await res.json()).error).toBe("too_many");
    });

    it("can be directly created by the model too, with the same once-only rule", async () => {
      const a = await advocate();
      const admin = devstoreAdmin(store, SHOP);
      const input = { code: a.code, customerGid: null, email: `direct.${uniq()}@example.com`, visit: null, device: null, ip: null };
      const one = await claimFriendCode(db.sql, SHOP, input, admin, { sleep: async () => undefined });
      const two = await claimFriendCode(db.sql, SHOP, input, admin, { sleep: async () => undefined });
      expect(one).toMatchObject({ status: "issued", created: true });
      expect(two).toEqual({ status: "issued", code: (one as { code: string }).code, created: false });
    });
  });

  describe("the proxy doors", () => {
    it("unsigned or tampered requests get 401 and write nothing", async () => {
      const a = await advocate();
      const clicks = () => count(`SELECT COUNT(*) AS n FROM referral_clicks WHERE shop = ? AND code = ?`, [SHOP, a.code]);
      const friends = () => count(`SELECT COUNT(*) AS n FROM referral_friends WHERE shop = ?`, [SHOP]);
      const before = await friends();
      expect((await callRoute(routes.landing, `https://app.example.com/proxy/r/${a.code}?shop=${SHOP}`, {}, { code: a.code })).status).toBe(401);
      expect((await callRoute(routes.landing, signed(`/r/${a.code}`, { secret: "wrong" }), {}, { code: a.code })).status).toBe(401);
      const body = JSON.stringify({ code: a.code, email: `u.${uniq()}@example.com` });
      expect((await callRoute(routes.claim, `https://app.example.com/proxy/referral-claim?shop=${SHOP}`, { method: "POST", headers: { "Content-Type": "application/json" }, body })).status).toBe(401);
      expect((await callRoute(routes.claim, signed("/referral-claim", { secret: "wrong" }), { method: "POST", headers: { "Content-Type": "application/json" }, body })).status).toBe(401);
      expect(await clicks()).toBe(0);
      expect(await friends()).toBe(before);
      // malformed bodies
      expect((await callRoute(routes.claim, signed("/referral-claim"), { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" })).status).toBe(400);
      expect((await callRoute(routes.claim, signed("/referral-claim"), { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).status).toBe(422);
    });

    it("answers the no-JavaScript form with a Liquid page carrying the code", async () => {
      const a = await advocate();
      const res = await callRoute(routes.claim, signed("/referral-claim"), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "x-forwarded-for": uniqueIp() },
        body: new URLSearchParams({ code: a.code, email: `form.${uniq()}@example.com`, visit: "", device: "" }).toString(),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/liquid");
      expect(await res.text()).toMatch(/data-testid="referral-code">FRIEND-[A-Z0-9]+<\/span>/);
    });

    it("says nothing about referrals when they are off, and the link shows the friendly page", async () => {
      const a = await advocate();
      await db.sql.tx((q) => saveProgram(q, SHOP, settings((p) => (p.referrals.enabled = false))));
      try {
        const body = await (await callRoute(routes.rewards, signed("/rewards", { customer: a.id }))).json();
        expect(body.referral).toBeUndefined();
        expect(body.referrals).toBeUndefined();
        expect((await visit(a.code)).res.status).toBe(404);
        expect((await claim({ code: a.code, email: `off.${uniq()}@example.com` })).status).toBe(404);
        const { gid } = await friendOrders({ ref: a.code });
        expect(await referralOf(gid)).toBeUndefined();
      } finally {
        await db.sql.tx((q) => saveProgram(q, SHOP, settings()));
      }
    });
  });

  it("the merchant's page: funnel numbers, held referrals with reasons, approve and reject through Shopify's session token", async () => {
    await db.sql.tx((q) => saveProgram(q, SHOP, settings((p) => (p.referrals.review.reviewAll = true))));
    try {
      const a = await advocate();
      const held = await friendOrders({ ref: a.code });
      const id = (await referralOf(held.gid))!.id;
      const page = (await import("~/routes/app.referrals")) as unknown as { loader: Route; action: Route };
      const token = store.auth.sessionToken({ shop: SHOP, userId: 4242 });
      const auth = { Authorization: `Bearer ${token}` };
      const loaded = (await callRoute(page.loader, `https://app.example.com/app/referrals?shop=${SHOP}&locale=de`, { headers: auth })) as unknown;
      expect(loaded).not.toBeInstanceOf(Response); // a Response here is the library refusing the token
      const data = loaded as { locale: string; held: { items: Array<{ id: number }> }; funnel: Record<string, unknown> };
      expect(data.locale).toBe("de");
      expect(data.held.items.find((r: { id: number }) => r.id === id)).toMatchObject({ status: "held", reasons: [{ code: "review_all" }] });
      expect(data.funnel).toMatchObject({ clicks: expect.any(Number), signups: expect.any(Number), orders: expect.any(Number) });
      const post = (fields: Record<string, string>) => callRoute(page.action, `https://app.example.com/app/referrals?shop=${SHOP}`, { method: "POST", headers: auth, body: new URLSearchParams(fields) });
      expect((await post({ intent: "maybe", referralId: String(id) })).status).toBe(422);
      const approved = await post({ intent: "approve", referralId: String(id) });
      expect(await approved.json()).toEqual({ ok: true, status: "pending" });
      expect((await listReferrals(db.sql, SHOP)).items.find((r) => r.id === id)!.decidedBy).toBe("staff 4242");
      expect((await post({ intent: "reject", referralId: String(id) })).status).toBe(409);
      expect((await callRoute(page.action, `https://app.example.com/app/referrals?shop=${SHOP}`, { method: "POST", body: new URLSearchParams({ intent: "reject", referralId: String(id) }) })).status).not.toBe(200);
    } finally {
      await db.sql.tx((q) => saveProgram(q, SHOP, settings()));
    }
  });

  it("an excluded advocate earns no referral reward (rejected, reason recorded); their friend still gets the friend's code", async () => {
    const a = await advocate();
    const memberId = (await findMemberByCustomer(db.sql, SHOP, a.gid))!.id;
    expect(await setMemberStatus(db.sql, SHOP, memberId, "exclude", "staff 7")).toBe(true);
    // the friend's offer stands: the friend did nothing wrong, and the order's checks still run
    const email = `friend.${uniq()}@example.com`;
    const claimed = await claim({ code: a.code, email });
    expect(claimed.status).toBe(200);
    const code = (await claimed.json()).code as string;
    expect(store.discounts.byCode(code)).toBeDefined();
    const { gid } = await friendOrders({ customer: { email }, codes: [code] });
    expect(await referralOf(gid)).toMatchObject({ status: "rejected", verdict: "reject", codes: ["advocate_excluded"] });
    await flow.drain(Date.now() + 31 * DAY);
    expect(await balanceOf(a.gid)).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM ledger_entries WHERE shop = ? AND idempotency_key = ?`, [SHOP, `referral:${gid}`])).toBe(0);
    // the merchant reads why, in both languages
    const listed = (await listReferrals(db.sql, SHOP)).items.find((r) => r.orderGid === gid)!;
    expect(listed.reasons).toEqual([{ code: "advocate_excluded", outcome: "reject", en: expect.stringContaining("excluded"), de: expect.stringContaining("ausgeschlossen") }]);
  });

  it("an advocate excluded inside the return window is not rewarded when it ends; one blocked waits for the merchant's approval", async () => {
    const excluded = await advocate();
    const blocked = await advocate();
    const ex = await friendOrders({ ref: excluded.code });
    const bl = await friendOrders({ ref: blocked.code });
    for (const o of [ex, bl]) expect(await referralOf(o.gid)).toMatchObject({ status: "pending", verdict: "approve" });
    await setMemberStatus(db.sql, SHOP, (await findMemberByCustomer(db.sql, SHOP, excluded.gid))!.id, "exclude", "staff 7");
    await setMemberStatus(db.sql, SHOP, (await findMemberByCustomer(db.sql, SHOP, blocked.gid))!.id, "block", "staff 7");
    await flow.drain(Date.now() + 31 * DAY);
    expect(await referralOf(ex.gid)).toMatchObject({ status: "rejected", verdict: "reject", codes: ["advocate_excluded"] });
    const held = (await referralOf(bl.gid))!;
    expect(held).toMatchObject({ status: "held", verdict: "hold", codes: ["advocate_blocked"] });
    expect([await balanceOf(excluded.gid), await balanceOf(blocked.gid)]).toEqual([0, 0]);
    // the limit counter is not spent by a refused reward
    expect(await count(`SELECT COALESCE(SUM(value), 0) AS n FROM counters WHERE shop = ? AND key = ?`, [SHOP, `referral:advocate:${(await findMemberByCustomer(db.sql, SHOP, excluded.gid))!.id}`])).toBe(0);
    // the merchant reviewed the blocked advocate and approves: the reward follows, once
    expect(await decideReferral(db.sql, SHOP, held.id, "approve", "Anna Admin (staff 42)", Date.now() + 31 * DAY + 60_000)).toBe("pending");
    await flow.drain(Date.now() + 32 * DAY);
    expect(await referralOf(bl.gid)).toMatchObject({ status: "rewarded", reward_points: 500, codes: ["advocate_blocked"] });
    expect(await balanceOf(blocked.gid)).toBe(500);
    // a referred order of an advocate blocked beforehand is held for review from the start
    const later = await friendOrders({ ref: blocked.code });
    expect(await referralOf(later.gid)).toMatchObject({ status: "held", verdict: "hold", codes: ["advocate_blocked"] });
    expect((await checkBalances(db.sql, SHOP)).mismatched).toEqual([]);
  });

  it("keeps two shops apart: a code works only in its own shop", async () => {
    const a = await advocate();
    const b = await advocate({ shop: OTHER });
    expect(b.code).not.toBe(a.code);
    expect((await visit(a.code, { shop: OTHER })).res.status).toBe(404);
    expect((await claim({ code: a.code, email: `cross.${uniq()}@example.com` }, { shop: OTHER })).status).toBe(404);
    const cross = await friendOrders({ shop: OTHER, ref: a.code });
    expect(await referralOf(cross.gid, OTHER)).toBeUndefined();
    const own = await friendOrders({ shop: OTHER, ref: b.code });
    expect(await referralOf(own.gid, OTHER)).toMatchObject({ status: "pending" });
    expect(await referralOf(own.gid, SHOP)).toBeUndefined();
    expect((await referralFunnel(db.sql, OTHER)).advocates.map((x) => x.code)).toEqual([b.code]);
  });

  it("privacy: a data request lists referrals; redaction removes the link, its visits and the friend's identifiers", async () => {
    const a = await advocate();
    const v = await visit(a.code);
    const email = `gdpr.${uniq()}@example.com`;
    const code = (await (await claim({ code: a.code, email, visit: v.visit })).json()).code;
    const { gid, customer } = await friendOrders({ customer: { email }, codes: [code] });
    const asAdvocate = await buildDataReport(db.sql, SHOP, a.gid);
    expect(asAdvocate.referrals).toMatchObject({ code: a.code, asAdvocate: [{ status: "pending" }] });
    const asFriend = await buildDataReport(db.sql, SHOP, `gid://shopify/Customer/${customer.id}`, email);
    expect(asFriend.referrals).toMatchObject({ friendCodes: [{ code, status: "issued" }], asFriend: [{ status: "pending", order: gid }] });

    await db.sql.tx((q) => redactCustomer(q, SHOP, `gid://shopify/Customer/${customer.id}`, email));
    const r = (await referralOf(gid))!;
    expect([r.friend_customer_gid, r.friend_email_hash, r.ip_hash, r.device_hash]).toEqual([null, null, null, null]);
    expect(await count(`SELECT COUNT(*) AS n FROM referral_friends WHERE shop = ? AND discount_code = ? AND email_hash IS NULL AND customer_gid IS NULL`, [SHOP, code])).toBe(1);

    await db.sql.tx((q) => redactCustomer(q, SHOP, a.gid, a.customer.email));
    expect(await count(`SELECT COUNT(*) AS n FROM referral_codes WHERE shop = ? AND code = ?`, [SHOP, a.code])).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM referral_clicks WHERE shop = ? AND code = ?`, [SHOP, a.code])).toBe(0);
    expect((await visit(a.code)).res.status).toBe(404);
  });
});
