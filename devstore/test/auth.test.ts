import "@shopify/shopify-api/adapters/node";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ApiVersion, LogSeverity, RequestedTokenType, shopifyApi } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appProxyMessage, appProxySignature, createDevStore, DEFAULT_SHOP, mintExtensionToken, mintSessionToken, signAdminQuery, type DevStore } from "../index.ts";
import { sharedDir } from "../core/paths.ts";
import { startReceiver } from "./receiver.ts";

const API_KEY = "auth-test-key";
const SECRET = "auth-test-secret";
const vectors = JSON.parse(readFileSync(path.join(sharedDir(), "shopify", "signing", "vectors.json"), "utf8"));

const shopify = shopifyApi({
  apiKey: API_KEY,
  apiSecretKey: SECRET,
  scopes: ["read_customers", "write_discounts"],
  hostName: "localhost:3000",
  apiVersion: ApiVersion.January26,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

let store: DevStore;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver((req) => (req.path.startsWith("/proxy") ? 200 : 404));
  store = await createDevStore({ tomlPath: null, apiKey: API_KEY, apiSecret: SECRET, appUrl: receiver.url, scopes: "read_customers,write_discounts" });
  // Route the library's https://{shop}/admin/... calls to the devstore.
  setAbstractFetchFunc(store.fetch);
});
afterAll(async () => {
  await store?.close();
  await receiver?.close();
});

describe("published signing vectors (secret \"hush\")", () => {
  it("app proxy: message and signature match shopify.dev's example", () => {
    for (const v of vectors.app_proxy) {
      const params = new URLSearchParams(v.query_without_signature);
      expect(appProxyMessage(params)).toBe(v.message_signed);
      expect(appProxySignature(vectors.secret, params)).toBe(v.expected_signature_hex);
    }
  });

  it("OAuth callback hmac matches the documented examples", () => {
    for (const v of vectors.oauth) {
      expect(signAdminQuery(vectors.secret, Object.fromEntries(new URLSearchParams(v.query_without_hmac)))).toBe(v.expected_hmac_hex);
    }
  });

  it("session token: the generated vector reproduces byte for byte", () => {
    const v = vectors.session_token_jwt[0];
    const { token } = mintSessionToken({
      shop: "ignored",
      apiKey: v.payload.aud,
      secret: v.secret,
      nowMs: 0,
      overrides: v.payload,
    });
    expect(token).toBe(v.token);
  });
});

describe("session tokens", () => {
  it("are accepted by the library, with the claims App Bridge sets", async () => {
    const token = store.auth.sessionToken({ userId: 42 });
    const payload = await shopify.session.decodeSessionToken(token);
    expect(payload).toMatchObject({ iss: `https://${DEFAULT_SHOP}/admin`, dest: `https://${DEFAULT_SHOP}`, aud: API_KEY, sub: "42" });
    expect(payload.exp - payload.iat).toBe(60);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof payload.sid).toBe("string");
  });

  it("with a wrong audience or past expiry are refused by the library", async () => {
    await expect(shopify.session.decodeSessionToken(store.auth.sessionToken({ overrides: { aud: "someone-else" } }))).rejects.toThrow();
    const old = Math.floor(Date.now() / 1000) - 600;
    await expect(shopify.session.decodeSessionToken(store.auth.sessionToken({ overrides: { exp: old, nbf: old - 60, iat: old - 60 } }))).rejects.toThrow();
  });
});

describe("UI extension session tokens", () => {
  it("checkout and customer-account tokens carry the logged-in buyer's gid and live 5 minutes; the library accepts them", async () => {
    const customer = store.customers.create({ firstName: "Ada", email: "ada-ext@example.com" });
    for (const surface of ["checkout", "customer-account"] as const) {
      const payload = await shopify.session.decodeSessionToken(store.auth.extensionToken(surface, { customerId: customer.id }), { checkAudience: false });
      expect(payload).toMatchObject({ dest: DEFAULT_SHOP, aud: API_KEY, sub: `gid://shopify/Customer/${customer.id}` });
      expect(payload.exp - payload.iat).toBe(300);
      expect(payload.nbf).toBe(payload.iat);
    }
  });

  it("a guest's checkout token has no sub; a POS token names the staff user and the shop like the admin's", async () => {
    const guest = await shopify.session.decodeSessionToken(store.auth.extensionToken("checkout"), { checkAudience: false });
    expect("sub" in guest).toBe(false);
    const pos = await shopify.session.decodeSessionToken(store.auth.extensionToken("pos", { userId: 9 }));
    expect(pos).toMatchObject({ dest: `https://${DEFAULT_SHOP}`, aud: API_KEY, sub: "9" });
  });

  it("is minted over the control endpoint for scripts and browsers", async () => {
    const customer = store.customers.create({ firstName: "Bea", email: "bea-ext@example.com" });
    const res = await fetch(`${store.url}/devstore/extension-token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ surface: "customer-account", customerId: customer.id }) });
    expect(res.status).toBe(200);
    const payload = await shopify.session.decodeSessionToken((await res.json()).token, { checkAudience: false });
    expect(payload.sub).toBe(`gid://shopify/Customer/${customer.id}`);
    const bad = await fetch(`${store.url}/devstore/extension-token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ surface: "admin" }) });
    expect(bad.status).toBe(422);
    const unknown = await fetch(`${store.url}/devstore/extension-token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ surface: "checkout", customerId: 123456789 }) });
    expect(unknown.status).toBe(422);
  });

  it("is only minted for the shop's own customers, and an expired or foreign-signed one is refused", async () => {
    expect(() => store.auth.extensionToken("checkout", { customerId: 987654321 })).toThrow(/no customer/);
    const old = Math.floor(Date.now() / 1000) - 900;
    await expect(shopify.session.decodeSessionToken(store.auth.extensionToken("checkout", { overrides: { exp: old, nbf: old - 300, iat: old - 300 } }), { checkAudience: false })).rejects.toThrow();
    const foreign = mintExtensionToken({ surface: "checkout", shop: DEFAULT_SHOP, apiKey: "other-app", secret: "other-secret", nowMs: Date.now() }).token;
    await expect(shopify.session.decodeSessionToken(foreign, { checkAudience: false })).rejects.toThrow();
  });
});

describe("token exchange at /admin/oauth/access_token", () => {
  it("gives the library an offline token that works against the Admin API", async () => {
    const sessionToken = store.auth.sessionToken();
    const { session } = await shopify.auth.tokenExchange({ shop: DEFAULT_SHOP, sessionToken, requestedTokenType: RequestedTokenType.OfflineAccessToken });
    expect(session).toMatchObject({ shop: DEFAULT_SHOP, isOnline: false, scope: "read_customers,write_discounts" });
    expect(session.accessToken).toMatch(/^shpat_/);
    const client = new shopify.clients.Graphql({ session });
    const response = await client.request("query ShopName { shop { name myshopifyDomain } }");
    expect(response.data).toEqual({ shop: { name: "stammkunde-dev", myshopifyDomain: DEFAULT_SHOP } });
  });

  it("gives online tokens with the associated user", async () => {
    const { session } = await shopify.auth.tokenExchange({ shop: DEFAULT_SHOP, sessionToken: store.auth.sessionToken({ userId: 7 }), requestedTokenType: RequestedTokenType.OnlineAccessToken });
    expect(session.isOnline).toBe(true);
    expect(session.onlineAccessInfo?.associated_user.id).toBe(7);
    expect(session.expires!.getTime()).toBeGreaterThan(Date.now());
  });

  it("supports expiring offline tokens and the refresh grant", async () => {
    const { session } = await shopify.auth.tokenExchange({ shop: DEFAULT_SHOP, sessionToken: store.auth.sessionToken(), requestedTokenType: RequestedTokenType.OfflineAccessToken, expiring: true });
    expect(session.refreshToken).toMatch(/^shprt_/);
    const refreshed = await shopify.auth.refreshToken({ shop: DEFAULT_SHOP, refreshToken: session.refreshToken! });
    expect(refreshed.session.accessToken).not.toBe(session.accessToken);
    const old = await store.graphql("{ shop { id } }", {}, { token: session.accessToken! });
    expect(old.status).toBe(401);
  });

  it("rejects a forged subject token and wrong client credentials", async () => {
    const forged = mintSessionToken({ shop: DEFAULT_SHOP, apiKey: API_KEY, secret: "not-the-secret", nowMs: Date.now() }).token;
    const response = await fetch(`${store.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-Host": DEFAULT_SHOP },
      body: JSON.stringify({ client_id: API_KEY, client_secret: SECRET, grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: forged, subject_token_type: "urn:ietf:params:oauth:token-type:id_token" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_subject_token" });
    const wrongClient = await fetch(`${store.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: API_KEY, client_secret: "nope", code: "x" }),
    });
    expect(wrongClient.status).toBe(401);
  });

  it("runs the classic install flow: authorize redirect with a signed code, then code exchange", async () => {
    const authorize = await fetch(`${store.url}/admin/oauth/authorize?client_id=${API_KEY}&scope=read_customers&redirect_uri=${encodeURIComponent("https://app.example/auth/callback")}&state=nonce-1`, {
      headers: { "X-Forwarded-Host": DEFAULT_SHOP },
      redirect: "manual",
    });
    expect(authorize.status).toBe(302);
    const callback = new URL(authorize.headers.get("location")!);
    const query = Object.fromEntries(callback.searchParams);
    expect(query).toMatchObject({ shop: DEFAULT_SHOP, state: "nonce-1" });
    expect(await shopify.utils.validateHmac(query)).toBe(true);
    const exchange = await fetch(`${store.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-Host": DEFAULT_SHOP },
      body: JSON.stringify({ client_id: API_KEY, client_secret: SECRET, code: query.code }),
    });
    expect(await exchange.json()).toEqual({ access_token: expect.stringMatching(/^shpat_/), scope: "read_customers" });
    const reused = await fetch(`${store.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: API_KEY, client_secret: SECRET, code: query.code }),
    });
    expect(reused.status).toBe(400);
  });
});

describe("app proxy", () => {
  it("signs queries the library accepts and rejects once tampered", async () => {
    const customer = store.customers.create({ email: "proxy@example.com" });
    const signed = store.appProxy.sign({ extra: "1" }, { customerId: customer.id });
    expect(signed.get("logged_in_customer_id")).toBe(String(customer.id));
    expect(signed.get("path_prefix")).toBe("/apps/loyalty");
    const query = Object.fromEntries(signed);
    expect(await shopify.utils.validateHmac(query, { signator: "appProxy" })).toBe(true);
    expect(await shopify.utils.validateHmac({ ...query, logged_in_customer_id: "1" }, { signator: "appProxy" })).toBe(false);
  });

  it("forwards /apps/loyalty/* to the app's /proxy/* with the signed query and no cookies", async () => {
    const customer = store.customers.create({ email: "visitor@example.com" });
    const start = receiver.received.length;
    const response = await fetch(`${store.url}/apps/loyalty/points?view=compact`, {
      headers: { Cookie: "_shopify_y=1", "X-Devstore-Customer-Id": String(customer.id), "X-Forwarded-Host": DEFAULT_SHOP },
    });
    expect(response.status).toBe(200);
    const hit = receiver.received[start]!;
    const url = new URL(hit.path, "http://x");
    expect(url.pathname).toBe("/proxy/points");
    expect(url.searchParams.get("view")).toBe("compact");
    expect(url.searchParams.get("shop")).toBe(DEFAULT_SHOP);
    expect(url.searchParams.get("logged_in_customer_id")).toBe(String(customer.id));
    expect(hit.headers.cookie).toBeUndefined();
    expect(hit.headers["x-forwarded-host"]).toBe(DEFAULT_SHOP);
    expect(await shopify.utils.validateHmac(Object.fromEntries(url.searchParams), { signator: "appProxy" })).toBe(true);

    const anonymous = await store.appProxy.request("/points", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(anonymous.status).toBe(200);
    const last = new URL(receiver.received.at(-1)!.path, "http://x");
    expect(last.searchParams.get("logged_in_customer_id")).toBe("");
    expect(receiver.received.at(-1)!.method).toBe("POST");
  });
});
