import "@shopify/shopify-api/adapters/node";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDevStore, DEFAULT_SHOP, type DevStore, type LooseJson } from "../index.ts";
import { startReceiver } from "./receiver.ts";

const API_KEY = "storefront-test-key";
const SECRET = "storefront-test-secret";
const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "theme-extension");
const EMBED = "fixture-loyalty/points-embed";
const BLOCK = "fixture-loyalty/product-points";

const shopify = shopifyApi({
  apiKey: API_KEY,
  apiSecretKey: SECRET,
  scopes: ["read_customers"],
  hostName: "localhost:3000",
  apiVersion: ApiVersion.January26,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

/** A browser: keeps the storefront cookie, follows redirects, returns the last response. */
class Browser {
  cookie = "";
  constructor(private readonly base: string) {}

  async request(pathname: string, init: RequestInit = {}, follow = true): Promise<{ status: number; url: string; text: string; headers: Headers; redirects: string[] }> {
    let url = new URL(pathname, this.base).toString();
    const redirects: string[] = [];
    let options: RequestInit = init;
    for (;;) {
      const headers = new Headers(options.headers);
      if (this.cookie) headers.set("cookie", this.cookie);
      const response = await fetch(url, { ...options, headers, redirect: "manual" });
      const setCookie = response.headers.get("set-cookie");
      if (setCookie) this.cookie = setCookie.split(";")[0]!;
      const location = response.headers.get("location");
      if (follow && location && response.status >= 300 && response.status < 400) {
        redirects.push(location);
        url = new URL(location, url).toString();
        options = {};
        await response.arrayBuffer();
        continue;
      }
      return { status: response.status, url, text: await response.text(), headers: response.headers, redirects };
    }
  }

  get(pathname: string, follow = true) {
    return this.request(pathname, {}, follow);
  }

  post(pathname: string, form: Record<string, string>, follow = true) {
    return this.request(pathname, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() }, follow);
  }

  async json(pathname: string, body?: unknown): Promise<{ status: number; body: LooseJson }> {
    const response = await this.request(pathname, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, body: JSON.parse(response.text) };
  }
}

/** Text content of the first element carrying data-testid="…" (enough for these flat fixtures). */
function testId(html: string, id: string): string | null {
  const m = new RegExp(`<([a-z0-9]+)[^>]*data-testid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m ? decode(m[2]!.replace(/<[^>]+>/g, "").trim()) : null;
}

function decode(text: string): string {
  return text.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function attr(html: string, id: string, name: string): string | null {
  const tag = new RegExp(`<[a-z0-9]+[^>]*data-testid="${id}"[^>]*>`).exec(html)?.[0];
  return tag ? (new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1] ?? null) : null;
}

/** The app behind the proxy: records requests, answers per path (JSON, Liquid, Liquid without layout). */
async function startProxyApp() {
  const received: { url: URL; headers: IncomingMessage["headers"] }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://app.local");
    received.push({ url, headers: req.headers });
    const liquid = (body: string) => {
      res.writeHead(200, { "Content-Type": "application/liquid", "Set-Cookie": "app=1" });
      res.end(body);
    };
    if (url.pathname === "/proxy/page") return liquid(`<h1 data-testid="proxy-heading">{{ 'general.cart' | t }} · {{ shop.name }}</h1><p data-testid="proxy-customer">{% if customer %}{{ customer.first_name }}{% else %}guest{% endif %}</p><p data-testid="proxy-path">{{ request.path }}</p>`);
    if (url.pathname === "/proxy/bare") return liquid(`{% layout none %}<p data-testid="proxy-bare">{{ customer.email | default: 'guest' }}</p>`);
    if (url.pathname === "/proxy/broken") return liquid(`{{ 'x' | no_such_filter }}`);
    res.writeHead(200, { "Content-Type": "application/json", "Set-Cookie": "app=1" });
    res.end(JSON.stringify({ ok: true, customer: url.searchParams.get("logged_in_customer_id") }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let store: DevStore;
let webhooks: Awaited<ReturnType<typeof startReceiver>>;
let app: Awaited<ReturnType<typeof startProxyApp>>;
let anna: { id: number };
let ben: { id: number };

const SET_METAFIELDS = `mutation Set($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { namespace key } userErrors { field message } } }`;
const CREATE_CODE = `mutation Create($input: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $input) { codeDiscountNode { id } userErrors { field message code } }
}`;

beforeAll(async () => {
  webhooks = await startReceiver();
  app = await startProxyApp();
  store = await createDevStore({
    tomlPath: null,
    apiKey: API_KEY,
    apiSecret: SECRET,
    appUrl: webhooks.url,
    appProxy: { target: `${app.url}/proxy` },
    webhookSubscriptions: [{ topics: ["orders/create", "orders/paid", "customers/create"], uri: "/webhooks", compliance: false }],
    storefront: { extensionsDir: FIXTURE },
  });
  anna = store.customers.create({ firstName: "Anna", lastName: "Adler", email: "anna@example.com" });
  ben = store.customers.create({ firstName: "Ben", lastName: "Berg", email: "ben@example.com" });
  const shopGid = store.shops.get().gid;
  const set = await store.graphql(SET_METAFIELDS, {
    m: [
      { ownerId: shopGid, namespace: "$app:loyalty", key: "settings", type: "json", value: '{"rate":2}' },
      { ownerId: `gid://shopify/Customer/${anna.id}`, namespace: "loyalty", key: "tier", type: "single_line_text_field", value: "gold" },
    ],
  });
  expect(set.body.data.metafieldsSet.userErrors).toEqual([]);
});

afterAll(async () => {
  await store?.close();
  await webhooks?.close();
  await app?.close();
});

beforeEach(() => {
  store.storefront.theme().reset();
});

const variant = (sku: string) => [...store.shops.get().variants.values()].find((v) => v.sku === sku)!;

describe("theme app extension rendering", () => {
  it("renders the app embed on every theme page with the block's setting defaults, for a guest", async () => {
    const browser = new Browser(store.url);
    const home = await browser.get("/");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toContain("text/html");
    expect(testId(home.text, "shop-name")).toBe(store.shops.get().name);
    expect(testId(home.text, "fixture-heading")).toBe("Your rewards");
    expect(testId(home.text, "fixture-show-balance")).toBe("true");
    expect(home.text).toContain("--accent: #123456");
    expect(JSON.parse(testId(home.text, "fixture-json")!)).toEqual({ heading: "Your rewards", show_balance: true, accent: "#123456", sample_points: 3, note: null });
    expect(testId(home.text, "fixture-guest")).toBe("Join our rewards Sign in");
    expect(testId(home.text, "fixture-customer")).toBeNull();
    expect(testId(home.text, "fixture-badge")).toBe("YOUR REWARDS · member");
    expect(testId(home.text, "fixture-shop")).toBe(`${store.shops.get().name}|${DEFAULT_SHOP}|EUR|€19,90|19,90`);
    expect(testId(home.text, "fixture-app-setting")).toBe("2");
    expect(attr(home.text, "fixture-embed", "data-page-type")).toBe("index");
    // Embed at the end of <body>, wrapped like Shopify; head embed and the schema's assets in <head>.
    const head = home.text.slice(0, home.text.indexOf("</head>"));
    expect(head).toContain(`<meta name="fixture-loyalty" content="${DEFAULT_SHOP}" data-template="index">`);
    expect(head).toMatch(/<link rel="stylesheet" href="\/cdn\/extensions\/fixture-loyalty\/[0-9a-f]+\/assets\/fixture\.css"/);
    expect(head).toMatch(/<script src="\/cdn\/extensions\/fixture-loyalty\/[0-9a-f]+\/assets\/fixture\.js" defer="defer"/);
    const body = home.text.slice(home.text.indexOf("</main>"));
    expect(body).toMatch(/<div id="shopify-block-fixture_loyalty_points_embed_[0-9a-f]{6}" class="shopify-block shopify-app-block" data-block-handle="fixture-loyalty\/points-embed">/);
    expect(body).toContain("window.fixtureInline");
    expect(home.text).not.toContain("{% schema %}");
    expect(home.text).not.toContain('"target"');

    // Every theme page, with request.page_type; the head embed's disabled_on skips the login page.
    const cart = await browser.get("/cart");
    expect(attr(cart.text, "fixture-embed", "data-page-type")).toBe("cart");
    const login = await browser.get("/account/login");
    expect(attr(login.text, "fixture-embed", "data-page-type")).toBe("customers/login");
    expect(login.text).not.toContain('name="fixture-loyalty"');
  });

  it("translates with t in en and de, with plurals, interpolation and the default-locale fallback", async () => {
    const browser = new Browser(store.url);
    const en = await browser.get("/");
    expect(testId(en.text, "fixture-points")).toBe("3 points");
    expect(attr(en.text, "fixture-embed", "data-locale")).toBe("en");

    const de = await browser.get("/localization?language_code=de&return_to=/cart");
    expect(de.redirects).toEqual(["/cart"]);
    expect(attr(de.text, "fixture-embed", "data-locale")).toBe("de");
    expect(testId(de.text, "fixture-points")).toBe("3 Punkte");
    expect(testId(de.text, "fixture-guest")).toBe("Mach mit bei unserem Prämienprogramm Anmelden");
    expect(testId(de.text, "fixture-fallback")).toBe("English fallback");
    expect(testId(de.text, "cart-empty")).toBe("Dein Warenkorb ist leer.");
    expect(de.text).toContain('<html lang="de">');

    store.storefront.theme().setBlockSettings(EMBED, { sample_points: 1 });
    const one = await browser.get("/");
    expect(testId(one.text, "fixture-points")).toBe("1 Punkt");
    await browser.post("/localization", { language_code: "en", return_to: "/" });
    expect(testId((await browser.get("/")).text, "fixture-points")).toBe("1 point");
  });

  it("serves extension assets at their asset_url with the right content type", async () => {
    const page = await new Browser(store.url).get("/");
    const icon = attr(page.text, "fixture-icon", "src")!;
    expect(icon).toMatch(/^\/cdn\/extensions\/fixture-loyalty\/[0-9a-f]+\/assets\/icon\.svg$/);
    const svg = await fetch(store.url + icon);
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(await svg.text()).toContain("<circle");
    const js = await fetch(store.url + icon.replace("icon.svg", "fixture.js"));
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await js.text()).toContain("window.fixtureLoaded");
    const css = await fetch(store.url + icon.replace("icon.svg", "fixture.css"));
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await fetch(store.url + icon.replace("icon.svg", "missing.js"))).status).toBe(404);
  });

  it("compresses text assets for a client that accepts gzip, as Shopify's CDN does", async () => {
    const page = await new Browser(store.url).get("/");
    const js = attr(page.text, "fixture-icon", "src")!.replace("icon.svg", "fixture.js");
    const raw = (acceptEncoding: string | null) =>
      new Promise<{ headers: IncomingMessage["headers"]; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(store.url + js, { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on("error", reject);
        req.end();
      });
    const plain = await raw(null);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toContain("window.fixtureLoaded");
    const zipped = await raw("gzip, deflate, br, zstd");
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toBe("Accept-Encoding");
    expect(Number(zipped.headers["content-length"])).toBe(zipped.body.length);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect((await raw("br")).headers["content-encoding"]).toBeUndefined();
  });

  it("switches an app embed off and on over HTTP (POST /devstore/storefront/embeds)", async () => {
    const browser = new Browser(store.url);
    const toggle = (enabled: unknown) =>
      fetch(`${store.url}/devstore/storefront/embeds`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ block: EMBED, enabled }) });
    expect((await toggle(false)).status).toBe(200);
    const off = await browser.get("/");
    expect(off.text).not.toContain('data-testid="fixture-embed"');
    expect(off.text).not.toContain("fixture.js");
    expect(store.storefront.theme().state.disabledEmbeds.has(EMBED)).toBe(true);
    expect((await toggle(true)).status).toBe(200);
    expect((await browser.get("/")).text).toContain('data-testid="fixture-embed"');
    const unknown = await fetch(`${store.url}/devstore/storefront/embeds`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ block: "fixture-loyalty/nope", enabled: false }) });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/no theme app extension block/);
  });

  it("gives the embed the logged-in customer (nil when logged out) with its metafields", async () => {
    const browser = new Browser(store.url);
    const loginPage = await browser.get("/account/login");
    expect(loginPage.text).toContain(`data-testid="login-as-${anna.id}"`);
    expect(loginPage.text).toContain(`data-testid="login-as-${ben.id}"`);
    const account = await browser.post("/account/login", { customer_id: String(anna.id) });
    expect(account.redirects).toEqual(["/account"]);
    expect(testId(account.text, "account-name")).toBe("Anna Adler · anna@example.com");
    expect(attr(account.text, "account-link", "data-customer-id")).toBe(String(anna.id));
    expect(attr(account.text, "fixture-customer", "data-customer-id")).toBe(String(anna.id));
    expect(testId(account.text, "fixture-customer")).toBe("Welcome back, Anna!");
    expect(testId(account.text, "fixture-customer-tier")).toBe("gold");
    expect(testId(account.text, "fixture-guest")).toBeNull();

    // ?customer_id= switches shopper directly; Ben has no tier metafield.
    const asBen = await browser.get(`/account/login?customer_id=${ben.id}&return_to=/`);
    expect(asBen.redirects).toEqual(["/"]);
    expect(testId(asBen.text, "fixture-customer")).toBe("Welcome back, Ben!");
    expect(testId(asBen.text, "fixture-customer-tier")).toBe("none");

    const out = await browser.get("/account/logout");
    expect(attr(out.text, "account-status", "data-logged-in")).toBe("false");
    expect(testId(out.text, "fixture-guest")).toContain("Join our rewards");
    expect((await browser.get("/account", false)).status).toBe(302);
  });

  it("reads app-data metafields (AppInstallation owner) through app.metafields, and honours available_if", async () => {
    const browser = new Browser(store.url);
    expect((await browser.get("/")).text).not.toContain("fixture-beta");
    const installation = await store.graphql("{ currentAppInstallation { id } }");
    const ownerId = installation.body.data.currentAppInstallation.id as string;
    const set = await store.graphql(SET_METAFIELDS, { m: [{ ownerId, namespace: "flags", key: "beta", type: "boolean", value: "true" }] });
    expect(set.body.data.metafieldsSet.userErrors).toEqual([]);
    expect(testId((await browser.get("/")).text, "fixture-beta")).toBe("true");
    await store.graphql(SET_METAFIELDS, { m: [{ ownerId, namespace: "flags", key: "beta", type: "boolean", value: "false" }] });
    expect((await browser.get("/")).text).not.toContain("fixture-beta");
  });

  it("renders the product page app block with product.price in cents, and the switches change it", async () => {
    const browser = new Browser(store.url);
    const coffee = store.shops.get().products.get(variant("KAF-250").productId)!;
    const page = await browser.get(`/products/${coffee.handle}`);
    expect(page.status).toBe(200);
    expect(testId(page.text, "product-title")).toBe(coffee.title);
    expect(attr(page.text, "fixture-product-price", "data-price")).toBe("990");
    expect(testId(page.text, "fixture-product-price")).toBe(`${coffee.title}: €9,90`);
    expect(testId(page.text, "fixture-product-points")).toBe("Earn 19 points");
    expect(testId(page.text, "fixture-variant")).toBe(String(variant("KAF-250").id));
    expect(attr(page.text, "fixture-embed", "data-page-type")).toBe("product");
    // ?variant= selects; the home page shows the same block without a product.
    const kilo = await browser.get(`/products/${coffee.handle}?variant=${variant("KAF-1000").id}`);
    expect(testId(kilo.text, "fixture-variant")).toBe(String(variant("KAF-1000").id));
    expect(testId((await browser.get("/")).text, "fixture-no-product")).toBe("Earn points on every product");
    expect(testId((await browser.get("/cart")).text, "fixture-product-block")).toBeNull();

    const theme = store.storefront.theme();
    theme.setBlockSettings(BLOCK, { points_per_euro: 10 });
    theme.disableEmbed(EMBED);
    const changed = await browser.get(`/products/${coffee.handle}`);
    expect(testId(changed.text, "fixture-product-points")).toBe("Earn 99 points");
    expect(changed.text).not.toContain('data-testid="fixture-embed"');
    expect(changed.text).not.toContain("fixture.js");
    theme.placeBlocks("product", []);
    expect((await browser.get(`/products/${coffee.handle}`)).text).not.toContain("fixture-product-block");
    expect(() => theme.placeBlocks("cart", [BLOCK])).toThrow(/not allowed on cart/);
    expect(() => theme.disableEmbed("fixture-loyalty/nope")).toThrow(/no theme app extension block/);
    expect(() => theme.setBlockSettings(EMBED, { colour: "red" })).toThrow(/has no setting colour/);
  });
});

describe("strict Liquid and live extension edits", () => {
  it("re-reads an edited extension and fails loudly on an unknown property, filter or tag", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "devstore-ext-"));
    const ext = path.join(dir, "live");
    mkdirSync(path.join(ext, "blocks"), { recursive: true });
    writeFileSync(path.join(ext, "shopify.extension.toml"), 'name = "live"\ntype = "theme"\n');
    const block = (body: string) =>
      writeFileSync(path.join(ext, "blocks", "embed.liquid"), `${body}\n{% schema %}{"name":"Live","target":"body","settings":[]}{% endschema %}`);
    const other = await createDevStore({ tomlPath: null, storefront: { extensionsDir: dir } });
    try {
      block(`<p data-testid="live">{{ shop.name | upcase }}</p>`);
      const first = await fetch(other.url + "/");
      expect(testId(await first.text(), "live")).toBe(other.shops.get().name.toUpperCase());
      for (const [body, message] of [
        ["{{ shop.loyalty_points }}", "undefined variable: shop.loyalty_points"],
        ["{{ shop.name | no_such_filter }}", "undefined filter: no_such_filter"],
        ["{{ 'missing.key' | t }}", "Translation missing: en.missing.key"],
        ["{% form 'product' %}{% endform %}", 'tag "form" not found'],
      ]) {
        block(body!);
        const broken = await fetch(other.url + "/");
        expect(broken.status).toBe(500);
        const text = await broken.text();
        expect(testId(text, "liquid-error")).toContain("live/blocks/embed.liquid");
        expect(testId(text, "liquid-error")).toContain(message);
      }
    } finally {
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cart and checkout", () => {
  const ordersOf = (id: number) => store.shops.get().ordersOf(id);

  it("cart → checkout creates the logged-in customer's order, then orders/create and orders/paid reach the app", async () => {
    const browser = new Browser(store.url);
    await browser.post("/account/login", { customer_id: String(anna.id) });
    const added = await browser.post("/cart/add", { id: String(variant("KAF-250").id), quantity: "2" });
    expect(added.redirects).toEqual(["/cart"]);
    expect(testId(added.text, "cart-count")).toBe("2");
    const js = await browser.json("/cart/add.js", { items: [{ id: variant("TAS-ESP").id, quantity: 1 }] });
    expect(js.status).toBe(200);
    expect(js.body.items[0]).toMatchObject({ variant_id: variant("TAS-ESP").id, quantity: 1, price: 1450 });
    const attrs = await browser.json("/cart/update.js", { attributes: { referral: "REF-ANNA" } });
    expect(attrs.body.attributes).toEqual({ referral: "REF-ANNA" });
    const cart = await browser.json("/cart.js");
    expect(cart.body).toMatchObject({ item_count: 3, total_price: 2 * 990 + 1450, attributes: { referral: "REF-ANNA" }, currency: "EUR" });

    const checkout = await browser.get("/checkout");
    expect(checkout.status).toBe(200);
    expect(attr(checkout.text, "checkout-email", "value")).toBe("anna@example.com");
    expect(checkout.text).toContain('data-testid="checkout-pay"');
    expect(checkout.text).toContain('data-testid="discount-input"');

    const before = ordersOf(anna.id).length;
    const seen = webhooks.received.length;
    const done = await browser.post("/checkout", { intent: "pay" });
    expect(done.status).toBe(200);
    const orders = ordersOf(anna.id);
    expect(orders.length).toBe(before + 1);
    const order = orders.at(-1)!;
    expect(done.redirects).toEqual([`/${store.shops.get().id}/orders/${order.token}`]);
    expect(attr(done.text, "order-confirmation", "data-order-name")).toBe(order.name);
    expect(order.financialStatus).toBe("paid");
    expect(order.noteAttributes).toEqual([{ name: "referral", value: "REF-ANNA" }]);
    expect(order.lineItems.map((l) => [l.sku, l.quantity])).toEqual([
      ["KAF-250", 2],
      ["TAS-ESP", 1],
    ]);

    await store.webhooks.settle();
    const topics = webhooks.received.slice(seen).map((r) => [r.headers["x-shopify-topic"], r.json.id]);
    expect(topics).toEqual([
      ["orders/create", order.id],
      ["orders/paid", order.id],
    ]);
    const paid = webhooks.received.slice(seen).find((r) => r.headers["x-shopify-topic"] === "orders/paid")!;
    expect(paid.json.customer.id).toBe(anna.id);
    expect(paid.json.financial_status).toBe("paid");
    expect(paid.json.note_attributes).toEqual([{ name: "referral", value: "REF-ANNA" }]);
    // The cart is empty after the checkout.
    expect((await browser.json("/cart.js")).body.item_count).toBe(0);
  });

  it("/discount/CODE remembers an Admin API code and the checkout applies it with the right amount", async () => {
    const created = await store.graphql(CREATE_CODE, {
      input: { title: "5 off", code: "WELCOME5", startsAt: "2020-01-01T00:00:00Z", customerGets: { value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } }, items: { all: true } }, context: { all: "ALL" } },
    });
    expect(created.body.data.discountCodeBasicCreate.userErrors).toEqual([]);
    const browser = new Browser(store.url);
    const landing = await browser.get("/discount/WELCOME5?redirect=/cart");
    expect(landing.redirects).toEqual(["/cart"]);
    expect(attr(landing.text, "cart-discount-code", "data-code")).toBe("WELCOME5");
    await browser.post("/account/login", { customer_id: String(ben.id) });
    await browser.post("/cart/add", { id: String(variant("TAS-ESP").id), quantity: "2" });
    const cart = await browser.json("/cart.js");
    expect(cart.body.discount_codes).toEqual([{ code: "WELCOME5", applicable: true }]);
    expect(cart.body.total_price).toBe(2900 - 500);

    const checkout = await browser.get("/checkout");
    expect(attr(checkout.text, "discount-input", "value")).toBe("WELCOME5");
    expect(attr(checkout.text, "checkout-subtotal", "data-amount")).toBe("29.00");
    expect(attr(checkout.text, "checkout-discount", "data-amount")).toBe("5.00");
    expect(attr(checkout.text, "checkout-total", "data-amount")).toBe("28.90"); // 29.00 − 5.00 + 4.90 shipping

    const done = await browser.post("/checkout", { intent: "pay", discount: "WELCOME5" });
    expect(done.status).toBe(200);
    const order = ordersOf(ben.id).at(-1)!;
    expect(order.discountCodes).toEqual([{ code: "WELCOME5", amount: 500, type: "fixed_amount" }]);
    expect(attr(done.text, "order-discount", "data-amount")).toBe("5.00");
    expect(attr(done.text, "order-total", "data-amount")).toBe("28.90");
    expect(store.discounts.byCode("WELCOME5")!.codes[0]!.usageCount).toBe(1);
  });

  it("an ineligible code answers 422 with the reason and creates nothing", async () => {
    const created = await store.graphql(CREATE_CODE, {
      input: { title: "Anna only", code: "ANNA10", startsAt: "2020-01-01T00:00:00Z", customerGets: { value: { percentage: 0.1 }, items: { all: true } }, context: { customers: { add: [`gid://shopify/Customer/${anna.id}`] } } },
    });
    expect(created.body.data.discountCodeBasicCreate.userErrors).toEqual([]);
    const browser = new Browser(store.url);
    await browser.post("/account/login", { customer_id: String(ben.id) });
    await browser.post("/cart/add", { id: String(variant("KAF-1000").id) });
    const ordersBefore = store.shops.get().orders.size;
    const customersBefore = store.shops.get().customers.size;
    const seen = store.webhooks.deliveries.length;

    const rejected = await browser.post("/checkout", { intent: "pay", discount: "ANNA10" });
    expect(rejected.status).toBe(422);
    expect(attr(rejected.text, "checkout-error", "data-reason")).toBe("customer_not_eligible");
    expect(testId(rejected.text, "checkout-error")).toBe("This discount code isn't available to you");
    expect(attr(rejected.text, "discount-input", "value")).toBe("ANNA10");
    const unknown = await browser.post("/checkout", { intent: "apply", discount: "NOPE" });
    expect(unknown.status).toBe(422);
    expect(attr(unknown.text, "checkout-error", "data-reason")).toBe("unknown");
    await store.webhooks.settle();
    expect(store.shops.get().orders.size).toBe(ordersBefore);
    expect(store.shops.get().customers.size).toBe(customersBefore);
    expect(store.webhooks.deliveries.length).toBe(seen);
    expect((await browser.json("/cart.js")).body.item_count).toBe(1);
  });

  it("a guest checkout needs an email and becomes that email's customer", async () => {
    const browser = new Browser(store.url);
    await browser.post("/cart/add", { id: String(variant("SRV-GIFT").id), quantity: "1" });
    const missing = await browser.post("/checkout", { intent: "pay", email: "" });
    expect(missing.status).toBe(422);
    expect(attr(missing.text, "checkout-error", "data-reason")).toBe("email");
    const seen = webhooks.received.length;
    const done = await browser.post("/checkout", { intent: "pay", email: "guest@example.com" });
    expect(done.status).toBe(200);
    const order = [...store.shops.get().orders.values()].at(-1)!;
    expect(order.email).toBe("guest@example.com");
    expect(order.shippingLines).toEqual([]); // nothing to ship
    await store.webhooks.settle();
    expect(webhooks.received.slice(seen).map((r) => r.headers["x-shopify-topic"])).toEqual(["customers/create", "orders/create", "orders/paid"]);
    expect(store.customers.get(order.customerId!)!.email).toBe("guest@example.com");
  });

  it("updates and removes cart lines with Shopify's form and AJAX endpoints", async () => {
    const browser = new Browser(store.url);
    const cup = variant("TAS-ESP").id;
    await browser.json("/cart/add.js", { id: cup, quantity: 1, properties: { Engraving: "A" } });
    const line = (await browser.json("/cart/add.js", { id: cup, quantity: 2, properties: { Engraving: "A" } })).body;
    expect(line.quantity).toBe(3);
    const page = await browser.get("/cart");
    expect(attr(page.text, `cart-quantity-${cup}`, "value")).toBe("3");
    expect(page.text).toContain("Engraving: A");
    const updated = await browser.post("/cart/update", { [`updates[${line.key}]`]: "5" });
    expect(testId(updated.text, "cart-count")).toBe("5");
    const changed = await browser.json("/cart/change.js", { id: line.key, quantity: 0 });
    expect(changed.body.item_count).toBe(0);
    const bad = await browser.json("/cart/add.js", { id: 1, quantity: 1 });
    expect(bad).toEqual({ status: 404, body: { status: 404, message: "Cart Error", description: "Cannot find variant" } });
  });
});

describe("app proxy from the storefront", () => {
  it("forwards the logged-in shopper's id, signed, without cookies; JSON passes through", async () => {
    const browser = new Browser(store.url);
    await browser.post("/account/login", { customer_id: String(anna.id) });
    const start = app.received.length;
    const answer = await browser.request("/apps/loyalty/member?view=full", { headers: { cookie: "_shopify_y=abc" } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("set-cookie")).toBeNull();
    expect(JSON.parse(answer.text)).toEqual({ ok: true, customer: String(anna.id) });
    const hit = app.received[start]!;
    expect(hit.url.pathname).toBe("/proxy/member");
    expect(hit.url.searchParams.get("logged_in_customer_id")).toBe(String(anna.id));
    expect(hit.url.searchParams.get("shop")).toBe(DEFAULT_SHOP);
    expect(hit.url.searchParams.get("view")).toBe("full");
    expect(hit.headers.cookie).toBeUndefined();
    expect(await shopify.utils.validateHmac(Object.fromEntries(hit.url.searchParams), { signator: "appProxy" })).toBe(true);

    // A session made without HTTP (for Playwright or fetch) is the same visitor.
    const { cookie } = store.storefront.session({ customerId: ben.id });
    const asBen = await fetch(`${store.url}/apps/loyalty/member`, { headers: { cookie } });
    expect(await asBen.json()).toEqual({ ok: true, customer: String(ben.id) });

    await browser.get("/account/logout");
    await browser.get("/apps/loyalty/member");
    const guest = app.received.at(-1)!;
    expect(guest.url.searchParams.get("logged_in_customer_id")).toBe("");
    expect(await shopify.utils.validateHmac(Object.fromEntries(guest.url.searchParams), { signator: "appProxy" })).toBe(true);
  });

  it("renders application/liquid answers inside the storefront layout, or bare with {% layout none %}", async () => {
    const browser = new Browser(store.url);
    await browser.post("/account/login", { customer_id: String(anna.id) });
    await browser.get("/localization?language_code=de");
    const page = await browser.get("/apps/loyalty/page");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(testId(page.text, "proxy-heading")).toBe(`Warenkorb · ${store.shops.get().name}`);
    expect(testId(page.text, "proxy-customer")).toBe("Anna");
    expect(testId(page.text, "proxy-path")).toBe("/apps/loyalty/page");
    expect(testId(page.text, "shop-name")).toBe(store.shops.get().name);
    expect(attr(page.text, "fixture-embed", "data-page-type")).toBe("page");
    expect(page.headers.get("set-cookie")).toBeNull();

    const bare = await browser.get("/apps/loyalty/bare");
    expect(bare.text).toBe('<p data-testid="proxy-bare">anna@example.com</p>');

    const broken = await browser.get("/apps/loyalty/broken");
    expect(broken.status).toBe(500);
    expect(testId(broken.text, "liquid-error")).toContain("undefined filter: no_such_filter");
  });
});
