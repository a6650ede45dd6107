/**
 * The devstore: a strict offline stand-in for Shopify (Admin GraphQL with cost and throttling,
 * webhooks, OAuth/token exchange, session tokens, app proxy). See devstore/README.md.
 */
import { AdminExecutor } from "./admin/execute.ts";
import { DEFAULT_PLAN_LIMITS, type BucketLimits } from "./admin/bucket.ts";
import { createFieldResolver } from "./admin/resolve.ts";
import { loadAdminSchema } from "./admin/schema.ts";
import { queryRoot } from "./admin/root/query.ts";
import { discountMutations } from "./admin/root/discount-mutations.ts";
import { metafieldMutations } from "./admin/root/metafields.ts";
import { storeCreditMutations } from "./admin/root/store-credit.ts";
import { customerMutations } from "./admin/root/customer-mutations.ts";
import { flowMutations } from "./admin/root/flow.ts";
import { DEFAULT_EXTENSIONS_DIR, readFlowExtensions } from "./config/flow-extensions.ts";
import { createFlowApi, type FlowApi } from "./flow.ts";
import { appProxySignature, signAppProxyQuery } from "./auth/app-proxy.ts";
import { signAdminQuery } from "./auth/hmac.ts";
import { mintExtensionToken, mintSessionToken, type ExtensionSurface, type SessionTokenClaims } from "./auth/jwt.ts";
import { AuthorizationCodes } from "./auth/oauth.ts";
import { DEFAULT_TOML_PATH, readAppConfig, type WebhookSubscription } from "./config/app-config.ts";
import { createProduct, seedCatalog, type ProductInput } from "./commerce/catalog.ts";
import { createCustomer, deleteCustomer, updateCustomer, type CustomerInput, type CustomerPatch } from "./commerce/customers.ts";
import { idFrom } from "./commerce/ids-input.ts";
import { cancelOrder, createOrder, markOrderPaid, refundOrder, type CancelOptions, type CreateOrderInput, type RefundLineInput, type RefundOptions } from "./commerce/orders.ts";
import { systemClock, type Clock } from "./core/clock.ts";
import type { StoreCore } from "./core/context.ts";
import { IdSequence } from "./core/ids.ts";
import { adminSchemaPath, sharedDir as defaultSharedDir } from "./core/paths.ts";
import { createDevStoreFetch } from "./fetch.ts";
import { forwardAppProxy } from "./http/app-proxy-forward.ts";
import { controlHandler } from "./http/control.ts";
import { FaultController } from "./http/faults.ts";
import { DevStoreServer } from "./http/server.ts";
import { ShopRegistry } from "./state/registry.ts";
import { adminUiHandler } from "./admin-ui/index.ts";
import { createStorefront, type StorefrontApi, type StorefrontOptions } from "./storefront/index.ts";
import type { ShopSeed, ShopState } from "./state/shop.ts";
import type { CustomerRecord, DiscountRecord, OrderRecord, PlanName, RefundRecord } from "./state/types.ts";
import { COMPLIANCE_TOPICS, WebhookDispatcher, type WebhookDelivery, type WebhookSwitches } from "./webhooks/dispatcher.ts";
import { customersRedactPayload, dataRequestPayload, shopPayload, shopRedactPayload } from "./webhooks/payloads.ts";

export { createManualClock, systemClock, type Clock, type ManualClock } from "./core/clock.ts";
export { createDevStoreFetch } from "./fetch.ts";
export { DiscountRejected } from "./commerce/pricing.ts";
export { appProxyMessage, appProxySignature, signAppProxyQuery } from "./auth/app-proxy.ts";
export { hmacBase64, hmacHex, signAdminQuery } from "./auth/hmac.ts";
export { mintExtensionToken, mintSessionToken, verifyHs256 } from "./auth/jwt.ts";
export { loadAdminSchema, ONE_OF_INPUTS } from "./admin/schema.ts";
export { parseToml } from "./config/toml.ts";
export { readAppConfig, type AppConfig, type WebhookSubscription } from "./config/app-config.ts";
export type { Fault, FaultTarget } from "./http/faults.ts";
export type { WebhookDelivery, WebhookSwitches } from "./webhooks/dispatcher.ts";
export type { ShopSeed, ShopState } from "./state/shop.ts";
export type * from "./state/types.ts";
export { DEFAULT_EXTENSIONS_DIR, SESSION_COOKIE as STOREFRONT_SESSION_COOKIE, type StorefrontApi, type StorefrontOptions, type ThemeControls } from "./storefront/index.ts";

export const DEFAULT_SHOP = "stammkunde-dev.myshopify.com";
export const DEFAULT_ACCESS_TOKEN = "shpat_devstore_default_token";
export const DEFAULT_SCOPES =
  "read_customers,write_customers,read_orders,write_orders,read_products,read_discounts,write_discounts,read_store_credit_accounts,write_store_credit_account_transactions,read_metaobjects,write_metaobjects,read_themes";

export interface DevStoreOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Client id; default the TOML's client_id, else "devstore-api-key". */
  apiKey?: string;
  /** Client secret used for every signature. Default "devstore-api-secret". */
  apiSecret?: string;
  /** Where webhooks and app-proxy requests go; default the TOML's application_url, else http://127.0.0.1:3000. */
  appUrl?: string;
  appName?: string;
  appId?: number;
  /** Granted scopes; default the TOML's [access_scopes] scopes, else DEFAULT_SCOPES. */
  scopes?: string;
  /** shopify.app.toml to read subscriptions and the app proxy from; null for none. */
  tomlPath?: string | null;
  /** Replaces the TOML's subscriptions. */
  webhookSubscriptions?: WebhookSubscription[];
  webhookApiVersion?: string;
  /** Admin API versions served (each needs admin-<version>.graphql in the shared folder, or an entry in adminSchemas). */
  apiVersions?: string[];
  /** SDL file per version, overriding <sharedDir>/shopify/admin-<version>.graphql. */
  adminSchemas?: Record<string, string>;
  sharedDir?: string;
  shops?: ShopSeed[];
  /** Give each new shop a small product catalogue. Default true. */
  seedCatalog?: boolean;
  clock?: Clock;
  planLimits?: Partial<Record<PlanName, Partial<BucketLimits>>>;
  maxQueryCost?: number;
  webhooks?: Partial<WebhookSwitches> & { retryDelaysMs?: number[]; seed?: number; concurrency?: number };
  /** App proxy: storefront prefix ("/apps/loyalty") and forward target (default appUrl + "/proxy"). */
  appProxy?: { pathPrefix?: string; target?: string };
  /** The app's handle in admin URLs (/admin/apps/{handle}); default the TOML's handle. */
  appHandle?: string;
  /** Fields the devstore does not model: "error" (default, strict) or "null". */
  unmodelled?: "error" | "null";
  /** The Online Store at the devstore's root: theme app extensions folder, strict Liquid, shipping, locales. */
  storefront?: StorefrontOptions;
  /** Shopify Flow: the folder whose extensions' flow_trigger / flow_action TOMLs are read (default <repo>/extensions; null: none). */
  flow?: { extensionsDir?: string | null };
  log?: (line: string) => void;
}

type ShopOpt = { shop?: string };

/** Parsed JSON a test asserts on rather than trusts (Admin API responses, webhook bodies). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately loose for assertions
export type LooseJson = any;

export interface DevStore {
  /** Base origin, e.g. http://127.0.0.1:41234: Admin API at /admin/api/2026-01/graphql.json, tokens at /admin/oauth/access_token. */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly appUrl: string;
  readonly apiVersions: string[];
  readonly state: { shops: ShopRegistry; clock: Clock; ids: IdSequence };
  readonly faults: FaultController;
  /** A fetch routing https://*.myshopify.com/… to this devstore (for setAbstractFetchFunc). */
  readonly fetch: typeof fetch;
  readonly shops: {
    get(domain?: string): ShopState;
    all(): ShopState[];
    create(seed: ShopSeed): ShopState;
    /** A valid offline access token for the shop (created when it has none). */
    accessToken(domain?: string): string;
    /** Sends app/uninstalled, then revokes the shop's tokens. */
    uninstall(domain?: string): void;
    /** The merchant granted or removed scopes: updates the shop's tokens and sends app/scopes_update. */
    updateScopes(scope: string, domain?: string): void;
  };
  readonly customers: {
    create(input: CustomerInput): CustomerRecord;
    update(id: number | string, patch: CustomerPatch, opts?: ShopOpt): CustomerRecord;
    delete(id: number | string, opts?: ShopOpt): CustomerRecord;
    get(id: number | string, opts?: ShopOpt): CustomerRecord | undefined;
  };
  readonly orders: {
    create(input: CreateOrderInput): OrderRecord;
    markPaid(id: number | string, opts?: ShopOpt & { gateway?: string }): OrderRecord;
    refund(id: number | string, lines: RefundLineInput[], opts?: ShopOpt & RefundOptions): RefundRecord;
    cancel(id: number | string, opts?: ShopOpt & CancelOptions): OrderRecord;
    get(id: number | string, opts?: ShopOpt): OrderRecord | undefined;
  };
  readonly products: { create(input: ProductInput): ReturnType<typeof createProduct> };
  readonly discounts: { byCode(code: string, opts?: ShopOpt): DiscountRecord | undefined };
  readonly compliance: {
    dataRequest(input: ShopOpt & { customerId: number | string; ordersRequested?: number[] }): WebhookDelivery[];
    customersRedact(input: ShopOpt & { customerId: number | string; ordersToRedact?: number[] }): WebhookDelivery[];
    shopRedact(input?: ShopOpt): WebhookDelivery[];
  };
  readonly webhooks: {
    readonly deliveries: WebhookDelivery[];
    readonly switches: WebhookSwitches;
    readonly subscriptions: WebhookSubscription[];
    settle(opts?: { retries?: boolean }): Promise<void>;
    /** Queue deliveries instead of sending them, until release(). */
    hold(): void;
    release(order?: "fifo" | "reverse" | "shuffle"): WebhookDelivery[];
  };
  readonly auth: {
    /** An App Bridge session token (HS256, 60 s) for the shop. */
    sessionToken(opts?: ShopOpt & { userId?: number | string; ttlSec?: number; overrides?: Partial<SessionTokenClaims> & Record<string, unknown> }): string;
    /** Signs an admin query (OAuth callback, embedded app load) with `hmac`. */
    signAdminQuery(params: Record<string, string>): string;
    /** A UI extension's session token (checkout, customer accounts, POS). The customer must exist in the shop. */
    extensionToken(surface: ExtensionSurface, opts?: ShopOpt & { customerId?: number | string | null; userId?: number | string; ttlSec?: number; overrides?: Record<string, unknown> }): string;
  };
  readonly appProxy: {
    readonly pathPrefix: string;
    readonly target: string;
    /** The signed query Shopify would send for `query`. */
    sign(query: URLSearchParams | Record<string, string>, opts?: ShopOpt & { customerId?: number | string | null; timestampSec?: number }): URLSearchParams;
    signature(params: URLSearchParams): string;
    /** Sends a storefront request through the proxy as Shopify does; returns the app's response. */
    request(subPath: string, opts?: ShopOpt & { customerId?: number | string | null; method?: string; query?: Record<string, string>; body?: string; headers?: Record<string, string> }): Promise<Response>;
  };
  /** The storefront at `url` (pages, cart, checkout, theme app extensions): switches and sessions. */
  readonly storefront: StorefrontApi;
  /** Shopify Flow: triggers received, and signed action requests to the app. */
  readonly flow: FlowApi;
  /** POSTs a document to this devstore's Admin API as the shop's app. */
  graphql(query: string, variables?: Record<string, unknown>, opts?: ShopOpt & { token?: string; version?: string }): Promise<{ status: number; body: LooseJson }>;
  close(): Promise<void>;
}

function mergeLimits(overrides: DevStoreOptions["planLimits"]): Record<PlanName, BucketLimits> {
  const out = { ...DEFAULT_PLAN_LIMITS };
  for (const [plan, limits] of Object.entries(overrides ?? {}) as [PlanName, Partial<BucketLimits>][]) out[plan] = { ...out[plan], ...limits };
  return out;
}

export async function createDevStore(options: DevStoreOptions = {}): Promise<DevStore> {
  const toml = options.tomlPath === null ? { subscriptions: [] } : readAppConfig(options.tomlPath ?? DEFAULT_TOML_PATH);
  const apiKey = options.apiKey ?? toml.clientId ?? "devstore-api-key";
  const apiSecret = options.apiSecret ?? "devstore-api-secret";
  const appUrl = (options.appUrl ?? toml.applicationUrl ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
  const scopes = options.scopes ?? toml.scopes ?? DEFAULT_SCOPES;
  const apiVersions = options.apiVersions ?? ["2026-01"];
  const clock = options.clock ?? systemClock;
  const ids = new IdSequence();
  const shops = new ShopRegistry(ids, clock, mergeLimits(options.planLimits), scopes);
  const shared = options.sharedDir ?? defaultSharedDir();

  const dispatcher = new WebhookDispatcher({
    appUrl,
    secret: apiSecret,
    apiVersion: options.webhookApiVersion ?? toml.webhookApiVersion ?? "2026-01",
    subscriptions: options.webhookSubscriptions ?? toml.subscriptions,
    retryDelaysMs: options.webhooks?.retryDelaysMs,
    seed: options.webhooks?.seed,
    concurrency: options.webhooks?.concurrency,
    now: () => clock.now(),
    switches: options.webhooks,
    log: options.log,
  });

  const core: StoreCore = {
    ids,
    clock,
    shops,
    emit(shop, topic, payload) {
      if (!shop.installed && !COMPLIANCE_TOPICS.has(topic)) return;
      dispatcher.trigger({ shop: shop.domain, topic, payload, triggeredAt: clock.now() });
    },
  };

  const executors = new Map<string, AdminExecutor>();
  for (const version of apiVersions) {
    const { schema } = loadAdminSchema(version, options.adminSchemas?.[version] ?? adminSchemaPath(version, shared));
    const fieldResolver = createFieldResolver(schema, {
      query: queryRoot,
      mutation: { ...discountMutations, ...metafieldMutations, ...storeCreditMutations, ...customerMutations, ...flowMutations },
    });
    executors.set(version, new AdminExecutor({ schema, fieldResolver, maxQueryCost: options.maxQueryCost ?? 1000 }));
  }

  const createShop = (seed: ShopSeed) => {
    const shop = shops.create(seed);
    if (options.seedCatalog !== false) seedCatalog(core, shop);
    return shop;
  };
  for (const seed of options.shops ?? [{ domain: DEFAULT_SHOP, accessTokens: [DEFAULT_ACCESS_TOKEN] }]) createShop(seed);

  const proxyConfig = toml.appProxy;
  const pathPrefix = options.appProxy?.pathPrefix ?? (proxyConfig ? `/${proxyConfig.prefix}/${proxyConfig.subpath}` : "/apps/loyalty");
  const target = options.appProxy?.target ?? (proxyConfig ? `${appUrl}${new URL(proxyConfig.url).pathname.replace(/\/+$/, "")}` : `${appUrl}/proxy`);
  const proxy = { pathPrefix, target };
  const faults = new FaultController();
  const flowExtensions = readFlowExtensions(options.flow?.extensionsDir === undefined ? DEFAULT_EXTENSIONS_DIR : options.flow.extensionsDir);
  const codes = new AuthorizationCodes();
  // --- storefront (devstore/storefront): the Online Store at the root, theme app extensions, checkout.
  const storefront = createStorefront({ core, appId: options.appId ?? 7_000_001, appName: options.appName ?? toml.name ?? "Stammkunde", log: options.log }, options.storefront);
  // --- end storefront

  const server = new DevStoreServer({
    core,
    app: { apiKey, apiSecret, appId: options.appId ?? 7_000_001, appName: options.appName ?? toml.name ?? "Stammkunde" },
    executors,
    faults,
    codes,
    proxy,
    unmodelled: options.unmodelled ?? "error",
    flow: flowExtensions,
    control: controlHandler(() => store),
    storefront,
    adminUi: adminUiHandler({
      apiKey,
      appUrl,
      appHandle: options.appHandle ?? toml.handle ?? "stammkunde",
      appName: options.appName ?? toml.name ?? "Stammkunde",
      shops,
      sessionToken: (shop) => {
        const minted = mintSessionToken({ shop, apiKey, secret: apiSecret, nowMs: clock.now() });
        return { token: minted.token, exp: minted.claims.exp };
      },
      signAdminQuery: (params) => signAdminQuery(apiSecret, params),
      now: () => clock.now(),
    }),
    log: options.log,
  });
  const host = options.host ?? "127.0.0.1";
  const port = await server.listen(options.port ?? 0, host);
  const url = `http://${host}:${port}`;
  const shopOf = (opts?: ShopOpt) => shops.get(opts?.shop);

  const compliance = (shop: ShopState, topic: string, payload: unknown) => dispatcher.trigger({ shop: shop.domain, topic, payload, triggeredAt: clock.now() });
  const customerIdentity = (shop: ShopState, id: number | string) => {
    const customerId = idFrom(id, "Customer");
    const record = shop.customers.get(customerId);
    return { id: customerId, email: record?.email ?? null, phone: record?.phone ?? null };
  };

  const store: DevStore = {
    url,
    port,
    apiKey,
    apiSecret,
    appUrl,
    apiVersions,
    state: { shops, clock, ids },
    faults,
    fetch: createDevStoreFetch(url),
    shops: {
      get: (domain) => shops.get(domain),
      all: () => shops.all(),
      create: createShop,
      accessToken(domain) {
        const shop = shops.get(domain);
        const existing = [...shop.accessTokens.values()].find((t) => !t.online && t.expiresAt === undefined);
        return existing?.token ?? shop.issueAccessToken().token;
      },
      uninstall(domain) {
        const shop = shops.get(domain);
        core.emit(shop, "app/uninstalled", shopPayload(shop));
        shop.installed = false;
        shop.revokeAllTokens();
      },
      updateScopes(scope, domain) {
        const shop = shops.get(domain);
        const split = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);
        const previous = split(shop.scope);
        shop.scope = split(scope).join(",");
        for (const token of shop.accessTokens.values()) token.scope = shop.scope;
        core.emit(shop, "app/scopes_update", { id: shop.appInstallationId, previous, current: split(scope), updated_at: new Date(clock.now()).toISOString() });
      },
    },
    customers: {
      create: (input) => createCustomer(core, input),
      update: (id, patch, opts) => updateCustomer(core, shopOf(opts), id, patch),
      delete: (id, opts) => deleteCustomer(core, shopOf(opts), id),
      get: (id, opts) => shopOf(opts).customers.get(idFrom(id, "Customer")),
    },
    orders: {
      create: (input) => createOrder(core, input),
      markPaid: (id, opts) => markOrderPaid(core, shopOf(opts), id, opts?.gateway),
      refund: (id, lines, opts) => refundOrder(core, shopOf(opts), id, lines, opts),
      cancel: (id, opts) => cancelOrder(core, shopOf(opts), id, opts),
      get: (id, opts) => shopOf(opts).orders.get(idFrom(id, "Order")),
    },
    products: { create: (input) => createProduct(core, input) },
    discounts: { byCode: (code, opts) => shopOf(opts).findDiscountByCode(code)?.discount },
    compliance: {
      dataRequest(input) {
        const shop = shopOf(input);
        const customer = customerIdentity(shop, input.customerId);
        const orders = input.ordersRequested ?? shop.ordersOf(customer.id).map((o) => o.id);
        return compliance(shop, "customers/data_request", dataRequestPayload(shop, customer, orders, ids.take()));
      },
      customersRedact(input) {
        const shop = shopOf(input);
        const customer = customerIdentity(shop, input.customerId);
        const orders = input.ordersToRedact ?? shop.ordersOf(customer.id).map((o) => o.id);
        return compliance(shop, "customers/redact", customersRedactPayload(shop, customer, orders));
      },
      shopRedact(input) {
        const shop = shopOf(input);
        return compliance(shop, "shop/redact", shopRedactPayload(shop));
      },
    },
    webhooks: {
      get deliveries() {
        return dispatcher.deliveries;
      },
      get switches() {
        return dispatcher.switches;
      },
      get subscriptions() {
        return dispatcher.subscriptions;
      },
      settle: (opts) => dispatcher.settle(opts),
      hold() {
        dispatcher.switches.hold = true;
      },
      release: (order) => dispatcher.release(order),
    },
    auth: {
      sessionToken(opts = {}) {
        const shop = shopOf(opts);
        return mintSessionToken({ shop: shop.domain, apiKey, secret: apiSecret, nowMs: clock.now(), userId: opts.userId, ttlSec: opts.ttlSec, overrides: opts.overrides }).token;
      },
      signAdminQuery: (params) => signAdminQuery(apiSecret, params),
      extensionToken(surface, opts = {}) {
        const shop = shopOf(opts);
        if (opts.customerId != null) {
          const id = String(opts.customerId).replace(/^gid:\/\/shopify\/Customer\//, "");
          if (!store.customers.get(id, { shop: shop.domain })) throw new Error(`no customer ${id} in ${shop.domain}: Shopify signs tokens only for its own buyers`);
        }
        return mintExtensionToken({ surface, shop: shop.domain, apiKey, secret: apiSecret, nowMs: clock.now(), customerId: opts.customerId, userId: opts.userId, ttlSec: opts.ttlSec, overrides: opts.overrides }).token;
      },
    },
    appProxy: {
      pathPrefix,
      target,
      sign(query, opts = {}) {
        const shop = shopOf(opts);
        const params = query instanceof URLSearchParams ? query : new URLSearchParams(query);
        return signAppProxyQuery(apiSecret, params, {
          shop: shop.domain,
          loggedInCustomerId: opts.customerId == null ? null : idFrom(opts.customerId, "Customer"),
          pathPrefix,
          timestampSec: opts.timestampSec ?? Math.floor(clock.now() / 1000),
        });
      },
      signature: (params) => appProxySignature(apiSecret, params),
      request(subPath, opts = {}) {
        const shop = shopOf(opts);
        return forwardAppProxy(proxy, apiSecret, clock.now(), {
          shop,
          subPath: subPath.startsWith("/") || subPath === "" ? subPath : `/${subPath}`,
          query: new URLSearchParams(opts.query ?? {}),
          method: opts.method ?? "GET",
          headers: opts.headers ?? {},
          body: opts.body,
          customerId: opts.customerId == null ? null : idFrom(opts.customerId, "Customer"),
        });
      },
    },
    storefront: storefront.api,
    flow: createFlowApi({ extensions: flowExtensions, appUrl, apiSecret, shop: (domain) => shops.get(domain), now: () => clock.now() }),
    async graphql(query, variables, opts = {}) {
      const shop = shopOf(opts);
      const token = opts.token ?? store.shops.accessToken(shop.domain);
      const response = await fetch(`${url}/admin/api/${opts.version ?? apiVersions[0]}/graphql.json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token, "X-Forwarded-Host": shop.domain },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: await response.json() };
    },
    async close() {
      await dispatcher.close();
      await server.close();
    },
  };
  return store;
}
