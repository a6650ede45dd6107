/**
 * The devstore storefront: a stand-in for Shopify's Online Store with a small theme, Shopify's
 * cart endpoints, a checkout that creates real devstore orders (so orders/create and orders/paid
 * reach the app), customer accounts with a demo shopper switch, and the app's theme app
 * extensions rendered with liquidjs. See devstore/README.md, "Storefront".
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { createCustomer } from "../commerce/customers.ts";
import { createOrder, markOrderPaid } from "../commerce/orders.ts";
import { DiscountRejected } from "../commerce/pricing.ts";
import type { StoreCore } from "../core/context.ts";
import { parseMinor } from "../core/money.ts";
import { repoRoot } from "../core/paths.ts";
import { readBody, sendJson } from "../http/io.ts";
import type { ShopState } from "../state/shop.ts";
import type { CustomerRecord, OrderRecord, ProductRecord, VariantRecord } from "../state/types.ts";
import {
  addToCart,
  CartError,
  findLine,
  newCart,
  parseQuantity,
  priceStorefrontCart,
  setAttributes,
  setLineQuantity,
  variantOf,
  type Cart,
  type CartLine,
  type CartTotals,
  type ShippingRate,
} from "./cart.ts";
import { contentTypeOf, ExtensionError } from "./extensions.ts";
import { BodyError, parseBody, stringField } from "./forms.ts";
import * as html from "./html.ts";
import { STOREFRONT_LOCALES, THEME_TRANSLATIONS } from "./i18n.ts";
import { RENDER_ENV, type RenderEnv } from "./liquid.ts";
import { liquidCents, moneyFormats } from "./money.ts";
import { liquidGlobals, type PageView } from "./objects.ts";
import { SESSION_COOKIE, SessionStore, type ShopVisit, type StorefrontSession } from "./session.ts";
import { newShopTheme, SECTION_TEMPLATES, StorefrontRenderError, ThemeRenderer, type RenderedTheme, type ShopTheme } from "./theme.ts";

export { StorefrontRenderError } from "./theme.ts";
export { ExtensionError } from "./extensions.ts";
export type { ThemeBlock, ThemeExtension, BlockSchema } from "./extensions.ts";
export { SESSION_COOKIE } from "./session.ts";

/** Content types the CDN compresses. */
const COMPRESSIBLE = /^(text\/|application\/(json|javascript)|image\/svg\+xml)/;

export const DEFAULT_EXTENSIONS_DIR = path.join(repoRoot, "extensions");

export interface StorefrontOptions {
  /** Folder holding the app's theme app extensions; default <repo>/extensions; null for none. */
  extensionsDir?: string | null;
  /**
   * Strict Liquid (default): unknown filters, variables and properties throw, and a page whose
   * Liquid fails answers 500 with the error. false: lenient like Shopify, errors shown inline.
   */
  strict?: boolean;
  /** Shipping added at checkout when a line requires shipping; null for none. Default Standard 4.90. */
  shipping?: { title?: string; price: string | number } | null;
  /** Languages of the language switch; the first is the shop's primary locale. Default ["en", "de"]. */
  locales?: string[];
  /** Gateway the checkout pays with. Default "bogus" (Shopify's test gateway). */
  gateway?: string;
}

export interface StorefrontDeps {
  core: StoreCore;
  appId: number;
  appName: string;
  log?: (line: string) => void;
}

/** A merchant's theme-editor choices for one shop. */
export interface ThemeControls {
  /** Turns an app embed ("<extension>/<block>") off for this shop. */
  disableEmbed(ref: string): void;
  enableEmbed(ref: string): void;
  /** Replaces schema defaults with these setting values (merged with earlier calls). */
  setBlockSettings(ref: string, values: Record<string, unknown>): void;
  /** Puts these app blocks, in order, on a template (index, collection, product, cart, customers/account). */
  placeBlocks(template: (typeof SECTION_TEMPLATES)[number], refs: string[]): void;
  /** Back to all embeds on, schema defaults and the default placement. */
  reset(): void;
  readonly state: ShopTheme;
}

export interface StorefrontApi {
  readonly extensionsDir: string | null;
  /** The theme app extensions as currently on disk (re-read when a file changes). */
  extensions(): { handle: string; name: string; version: string; blocks: { ref: string; name: string; target: string }[]; assets: string[]; locales: string[] }[];
  theme(shop?: string): ThemeControls;
  /** Logs a session in as a customer (or out with null) without HTTP; the session is created when `sessionId` is omitted. Returns the cookie to send. */
  session(opts?: { shop?: string; customerId?: number | string | null; locale?: string; sessionId?: string }): { cookie: string; sessionId: string };
}

export interface ProxyVisitor {
  shop: ShopState;
  customerId: number | null;
}

const LAYOUT_NONE = /^\s*{%-?\s*layout\s+(none|'none'|"none")\s*-?%}/;

function redirectTarget(raw: string | null | undefined, fallback: string): string {
  if (!raw) return fallback;
  return raw.startsWith("/") && !raw.startsWith("//") && !raw.includes("\\") ? raw : fallback;
}

interface RequestScope {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: StorefrontSession;
  setCookie: string | null;
  shop: ShopState;
  visit: ShopVisit;
  customer: CustomerRecord | null;
  locale: string;
  origin: string;
}

export class Storefront {
  private readonly sessions = new SessionStore();
  private readonly themes = new Map<string, ShopTheme>();
  readonly renderer: ThemeRenderer;
  readonly locales: string[];
  private readonly shipping: { title: string; price: string | number } | null;
  private readonly gateway: string;
  readonly api: StorefrontApi;

  constructor(
    private readonly deps: StorefrontDeps,
    options: StorefrontOptions = {},
  ) {
    const extensionsDir = options.extensionsDir === undefined ? DEFAULT_EXTENSIONS_DIR : options.extensionsDir;
    this.renderer = new ThemeRenderer({
      extensionsDir,
      strict: options.strict ?? true,
      appHandle: deps.appName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "app",
      themeTranslations: THEME_TRANSLATIONS,
    });
    this.locales = options.locales?.length ? options.locales : [...STOREFRONT_LOCALES];
    this.shipping = options.shipping === undefined ? { title: "Standard", price: "4.90" } : options.shipping === null ? null : { title: options.shipping.title ?? "Standard", price: options.shipping.price };
    this.gateway = options.gateway ?? "bogus";
    this.api = {
      extensionsDir,
      extensions: () =>
        this.renderer.extensions().map((e) => ({
          handle: e.handle,
          name: e.name,
          version: e.version,
          blocks: e.blocks.map((b) => ({ ref: b.ref, name: b.schema.name, target: b.schema.target })),
          assets: [...e.assets.keys()],
          locales: [...e.locales.keys()],
        })),
      theme: (shop) => this.controls(this.deps.core.shops.get(shop)),
      session: (opts = {}) => this.programmaticSession(opts),
    };
  }

  private get now(): number {
    return this.deps.core.clock.now();
  }

  themeOf(shop: ShopState): ShopTheme {
    let theme = this.themes.get(shop.domain);
    if (!theme) {
      theme = newShopTheme();
      this.themes.set(shop.domain, theme);
    }
    return theme;
  }

  /** The main theme's files the Admin API serves (`themes { files }`), generated from the theme-editor state. */
  themeFiles(shop: ShopState): Map<string, string> {
    return new Map([["config/settings_data.json", this.renderer.settingsData(shop, this.themeOf(shop))]]);
  }

  private controls(shop: ShopState): ThemeControls {
    const theme = this.themeOf(shop);
    return {
      state: theme,
      disableEmbed: (ref) => {
        this.renderer.requireBlock(ref, "embed");
        theme.disabledEmbeds.add(ref);
      },
      enableEmbed: (ref) => {
        this.renderer.requireBlock(ref, "embed");
        theme.disabledEmbeds.delete(ref);
      },
      setBlockSettings: (ref, values) => {
        this.renderer.validateSettings(ref, values);
        theme.settings.set(ref, { ...theme.settings.get(ref), ...values });
      },
      placeBlocks: (template, refs) => {
        if (!(SECTION_TEMPLATES as readonly string[]).includes(template)) throw new ExtensionError(`the devstore theme has app block spots on ${SECTION_TEMPLATES.join(", ")}, not ${template}`);
        for (const ref of refs) {
          const block = this.renderer.requireBlock(ref, "section");
          const allowed = block.schema.enabled_on ? (block.schema.enabled_on.templates ?? []).some((t) => t === "*" || t === template) : !(block.schema.disabled_on?.templates ?? []).some((t) => t === "*" || t === template);
          if (!allowed) throw new ExtensionError(`${ref} is not allowed on ${template} (enabled_on/disabled_on)`);
        }
        theme.placements.set(template, [...refs]);
      },
      reset: () => {
        theme.disabledEmbeds.clear();
        theme.settings.clear();
        theme.placements.clear();
      },
    };
  }

  private programmaticSession(opts: { shop?: string; customerId?: number | string | null; locale?: string; sessionId?: string }): { cookie: string; sessionId: string } {
    const shop = this.deps.core.shops.get(opts.shop);
    const session = (opts.sessionId ? this.sessions.byId(opts.sessionId) : undefined) ?? this.sessions.create();
    session.shop = shop.domain;
    if (opts.locale !== undefined) session.locale = this.supportedLocale(opts.locale) ?? session.locale;
    if (opts.customerId !== undefined) {
      const customer = opts.customerId === null ? null : this.customerById(shop, opts.customerId);
      if (opts.customerId !== null && !customer) throw new Error(`unknown customer ${opts.customerId} in ${shop.domain}`);
      this.sessions.visit(session, shop.domain, this.now).customerId = customer?.id ?? null;
    }
    return { cookie: `${SESSION_COOKIE}=${session.id}`, sessionId: session.id };
  }

  private supportedLocale(code: string | null | undefined): string | null {
    if (!code) return null;
    const lower = code.toLowerCase();
    return this.locales.find((l) => l.toLowerCase() === lower) ?? this.locales.find((l) => l.toLowerCase() === lower.split("-")[0]) ?? null;
  }

  private customerById(shop: ShopState, id: number | string): CustomerRecord | undefined {
    const numeric = typeof id === "number" ? id : Number(String(id).replace(/^gid:\/\/shopify\/Customer\//, ""));
    return Number.isFinite(numeric) ? shop.customers.get(numeric) : undefined;
  }

  private shippingRate(shop: ShopState): ShippingRate | null {
    return this.shipping ? { title: this.shipping.title, price: parseMinor(this.shipping.price, shop.currency) } : null;
  }

  /** The storefront shop and logged-in customer behind an app proxy request (no session is created). */
  visitor(req: IncomingMessage, hostShop: ShopState | undefined): ProxyVisitor {
    const session = this.sessions.find(req);
    const shop = hostShop ?? this.deps.core.shops.find(session?.shop) ?? this.deps.core.shops.get();
    const visit = session?.visits.get(shop.domain);
    const customerId = visit?.customerId ?? null;
    return { shop, customerId: customerId !== null && shop.customers.has(customerId) ? customerId : null };
  }

  // ---------------------------------------------------------------- request plumbing

  private scope(req: IncomingMessage, res: ServerResponse, url: URL, hostShop: ShopState | undefined): RequestScope | null {
    const { session, setCookie } = this.sessions.resolve(req);
    const requested = url.searchParams.get("shop");
    let shop: ShopState | undefined;
    if (requested) {
      shop = this.deps.core.shops.find(requested);
      if (!shop) {
        const body = html.errorPage("Unknown shop", `The devstore has no shop ${requested}. Shops: ${this.deps.core.shops.all().map((s) => s.domain).join(", ")}`);
        this.send(res, 404, body, setCookie);
        return null;
      }
      session.shop = shop.domain;
    }
    shop ??= hostShop ?? this.deps.core.shops.find(session.shop) ?? this.deps.core.shops.get();
    return this.scopeFor(req, res, url, session, setCookie, shop, this.sessions.visit(session, shop.domain, this.now));
  }

  private scopeFor(req: IncomingMessage, res: ServerResponse, url: URL, session: StorefrontSession, setCookie: string | null, shop: ShopState, visit: ShopVisit): RequestScope {
    const customer = visit.customerId === null ? null : (shop.customers.get(visit.customerId) ?? null);
    if (visit.customerId !== null && !customer) visit.customerId = null;
    const locale = this.supportedLocale(session.locale) ?? this.locales[0]!;
    const host = (req.headers["x-forwarded-host"] as string | undefined) ?? req.headers.host ?? "127.0.0.1";
    const proto = (req.headers["x-forwarded-proto"] as string | undefined) ?? "http";
    return { req, res, url, session, setCookie, shop, visit, customer, locale, origin: `${proto.split(",")[0]}://${host.split(",")[0]!.trim()}` };
  }

  private send(res: ServerResponse, status: number, body: string, setCookie: string | null, contentType = "text/html; charset=utf-8", extra: Record<string, string> = {}): void {
    const headers: Record<string, string | number> = { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store", ...extra };
    if (setCookie) headers["Set-Cookie"] = setCookie;
    res.writeHead(status, headers);
    res.end(body);
  }

  private redirect(s: RequestScope, location: string, status = 302): void {
    const headers: Record<string, string> = { Location: location, "Cache-Control": "no-store" };
    if (s.setCookie) headers["Set-Cookie"] = s.setCookie;
    s.res.writeHead(status, headers);
    s.res.end();
  }

  private json(s: RequestScope, status: number, body: unknown): void {
    sendJson(s.res, status, body, s.setCookie ? { "Set-Cookie": s.setCookie, "Cache-Control": "no-store" } : { "Cache-Control": "no-store" });
  }

  private totals(s: RequestScope, code?: string | null): CartTotals {
    const email = s.customer?.email ?? s.visit.checkoutEmail ?? null;
    return priceStorefrontCart(s.shop, s.visit.cart, { customerId: s.customer?.id ?? null, email }, this.shippingRate(s.shop), this.now, code === undefined ? s.visit.cart.discountCode : code);
  }

  private frame(s: RequestScope, template: string): html.PageFrame {
    return {
      shop: s.shop,
      shops: this.deps.core.shops.all(),
      customer: s.customer,
      locale: s.locale,
      locales: this.locales,
      template,
      path: `${s.url.pathname}${s.url.search}`,
      cartCount: s.visit.cart.lines.reduce((n, l) => n + l.quantity, 0),
    };
  }

  /** Liquid globals for a page, with the render environment the filters read. */
  private globals(s: RequestScope, template: string, pageTitle: string, product: ProductRecord | null = null, selectedVariantId: number | null = null): Record<string | symbol, unknown> {
    const view: PageView = {
      shop: s.shop,
      appId: this.deps.appId,
      customer: s.customer,
      locale: s.locale,
      locales: this.locales,
      primaryLocale: this.locales[0]!,
      template,
      path: s.url.pathname,
      origin: s.origin,
      product,
      selectedVariantId,
      cart: s.visit.cart,
      cartTotals: this.totals(s),
      pageTitle,
    };
    const formats = moneyFormats(s.shop.currency);
    const env: RenderEnv = { locale: s.locale, currency: s.shop.currency, moneyFormat: formats.money_format, moneyWithCurrencyFormat: formats.money_with_currency_format };
    return { ...liquidGlobals(view), [RENDER_ENV]: env };
  }

  private async themePage(s: RequestScope, template: string, title: string, main: (theme: RenderedTheme) => string, status = 200, product: ProductRecord | null = null, selectedVariantId: number | null = null): Promise<void> {
    const globals = this.globals(s, template, title, product, selectedVariantId);
    const theme = await this.renderer.render(s.shop, this.themeOf(s.shop), template, globals, this.deps.appId);
    this.send(s.res, status, html.layout(this.frame(s, template), title, main(theme), theme), s.setCookie);
  }

  // ---------------------------------------------------------------- entry point

  /** Answers a storefront request (every path the devstore does not serve itself). */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, hostShop: ShopState | undefined): Promise<void> {
    const p = url.pathname;
    if (p.startsWith("/cdn/")) return this.cdn(req, res, p);
    if (p === "/favicon.ico") {
      res.writeHead(204);
      res.end();
      return;
    }
    if (p.startsWith("/devstore/storefront/")) return this.control(req, res, p, url);
    const s = this.scope(req, res, url, hostShop);
    if (!s) return;
    try {
      await this.route(s);
    } catch (error) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (error instanceof StorefrontRenderError || error instanceof ExtensionError) {
        this.deps.log?.(`storefront: ${error.message}`);
        this.send(res, 500, html.errorPage("Liquid error", error.message), s.setCookie);
        return;
      }
      throw error;
    }
  }

  private async route(s: RequestScope): Promise<void> {
    const p = s.url.pathname.replace(/\/+$/, "") || "/";
    const method = s.req.method ?? "GET";
    const isGet = method === "GET" || method === "HEAD";
    const isPost = method === "POST";
    let m: RegExpExecArray | null;

    if (p === "/" && isGet) return this.home(s, "index");
    if ((p === "/collections/all" || p === "/collections") && isGet) return this.home(s, "collection");
    if ((m = /^\/products\/([^/]+?)(\.js|\.json)?$/.exec(p)) && isGet) return this.product(s, decodeURIComponent(m[1]!), m[2] ?? null);
    if (p === "/cart" && isGet) return this.cartPage(s);
    if ((p === "/cart.js" || p === "/cart.json") && isGet) return this.json(s, 200, this.cartJson(s));
    if ((m = /^\/cart\/(add|update|change|clear)(\.js|\.json)?$/.exec(p)) && (isPost || (m[1] === "change" && isGet))) return this.cartAction(s, m[1] as "add" | "update" | "change" | "clear", m[2] !== undefined);
    if ((m = /^\/discount\/(.+)$/.exec(p)) && isGet) return this.discountLink(s, decodeURIComponent(m[1]!));
    if (p === "/checkout" && isGet) return this.checkoutPage(s, null, 200);
    if (p === "/checkout" && isPost) return this.checkoutSubmit(s);
    if ((m = /^\/(\d+)\/orders\/([0-9a-f]+)(?:\/authenticate)?$/.exec(p)) && isGet) return this.orderStatus(s, Number(m[1]), m[2]!);
    if (p === "/account/login" && (isGet || isPost)) return this.login(s);
    if (p === "/account/register" && isGet) return this.redirect(s, "/account/login");
    if (p === "/account/logout" && (isGet || isPost)) {
      s.visit.customerId = null;
      return this.redirect(s, "/");
    }
    if (p === "/account" && isGet) return this.account(s);
    if (p === "/localization" && (isGet || isPost)) return this.localization(s);
    return this.themePage(s, "404", html.translator(s.locale)("general.not_found"), () => html.notFoundPage(this.frame(s, "404")), 404);
  }

  // ---------------------------------------------------------------- pages

  private activeProducts(shop: ShopState): ProductRecord[] {
    return [...shop.products.values()].filter((p) => p.status === "ACTIVE");
  }

  private home(s: RequestScope, template: "index" | "collection"): Promise<void> {
    const t = html.translator(s.locale);
    const title = template === "index" ? s.shop.name : t("products.all");
    return this.themePage(s, template, title, (theme) => html.productGrid(this.frame(s, template), this.activeProducts(s.shop), title, theme));
  }

  private variantsOf(shop: ShopState, product: ProductRecord): VariantRecord[] {
    return product.variantIds.map((id) => shop.variants.get(id)).filter((v): v is VariantRecord => v !== undefined);
  }

  private async product(s: RequestScope, handle: string, suffix: string | null): Promise<void> {
    const product = this.activeProducts(s.shop).find((p) => p.handle === handle);
    if (!product) {
      if (suffix) return this.json(s, 404, { status: 404, message: "Not Found", description: "Not Found" });
      return this.themePage(s, "404", html.translator(s.locale)("general.not_found"), () => html.notFoundPage(this.frame(s, "404")), 404);
    }
    const variants = this.variantsOf(s.shop, product);
    const requested = Number(s.url.searchParams.get("variant"));
    const selected = variants.find((v) => v.id === requested) ?? variants.find((v) => v.inventoryQuantity > 0) ?? variants[0]!;
    if (suffix) {
      const globals = this.globals(s, "product", product.title, product, selected.id);
      return this.json(s, 200, JSON.parse(JSON.stringify(globals.product)));
    }
    return this.themePage(s, "product", product.title, (theme) => html.productPage(this.frame(s, "product"), product, variants, selected, theme), 200, product, variants.some((v) => v.id === requested) ? requested : null);
  }

  private cartPage(s: RequestScope): Promise<void> {
    const totals = this.totals(s);
    return this.themePage(s, "cart", html.translator(s.locale)("cart.title"), (theme) => html.cartPage(this.frame(s, "cart"), totals, s.visit.cart.attributes, theme));
  }

  private async account(s: RequestScope): Promise<void> {
    const customer = s.customer;
    if (!customer) return this.redirect(s, "/account/login");
    const orders = s.shop.ordersOf(customer.id).sort((a, b) => b.createdAt - a.createdAt);
    return this.themePage(s, "customers/account", html.translator(s.locale)("account.title"), (theme) => html.accountPage(this.frame(s, "customers/account"), customer, orders, theme));
  }

  private async login(s: RequestScope): Promise<void> {
    const t = html.translator(s.locale);
    const body = s.req.method === "POST" ? await this.body(s) : Object.fromEntries(s.url.searchParams);
    if (!body) return;
    const returnTo = stringField(body, "return_to") ?? s.url.searchParams.get("return_to");
    const id = stringField(body, "customer_id");
    const email = stringField(body, "email")?.trim().toLowerCase();
    if (id || email) {
      const customer = id ? this.customerById(s.shop, id) : [...s.shop.customers.values()].find((c) => c.email?.toLowerCase() === email);
      if (customer) {
        s.visit.customerId = customer.id;
        return this.redirect(s, redirectTarget(returnTo, "/account"), s.req.method === "POST" ? 303 : 302);
      }
      return this.loginPage(s, t("account.unknown_customer"), returnTo ?? null, 404);
    }
    return this.loginPage(s, null, returnTo ?? null, 200);
  }

  private loginPage(s: RequestScope, error: string | null, returnTo: string | null, status: number): Promise<void> {
    // Every customer, with or without an activated account: a demo shopper switch, not a password form.
    const customers = [...s.shop.customers.values()].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
    return this.themePage(s, "customers/login", html.translator(s.locale)("account.login_title"), () => html.loginPage(this.frame(s, "customers/login"), customers, error, returnTo), status);
  }

  private async localization(s: RequestScope): Promise<void> {
    const body = s.req.method === "POST" ? await this.body(s) : Object.fromEntries(s.url.searchParams);
    if (!body) return;
    const code = this.supportedLocale(stringField(body, "language_code") ?? stringField(body, "locale"));
    if (code) s.session.locale = code;
    return this.redirect(s, redirectTarget(stringField(body, "return_to"), "/"), s.req.method === "POST" ? 303 : 302);
  }

  private discountLink(s: RequestScope, code: string): void {
    const trimmed = code.trim();
    if (trimmed) s.visit.cart.discountCode = trimmed;
    return this.redirect(s, redirectTarget(s.url.searchParams.get("redirect"), "/"));
  }

  private async orderStatus(s: RequestScope, shopId: number, token: string): Promise<void> {
    const order = shopId === s.shop.id ? [...s.shop.orders.values()].find((o) => o.token === token) : undefined;
    if (!order) return this.themePage(s, "404", html.translator(s.locale)("general.not_found"), () => html.notFoundPage(this.frame(s, "404")), 404);
    this.send(s.res, 200, html.checkoutLayout(this.frame(s, "customers/order"), order.name, html.orderStatusPage(this.frame(s, "customers/order"), order)), s.setCookie);
  }

  // ---------------------------------------------------------------- checkout

  private checkoutPage(s: RequestScope, error: html.CheckoutView["error"], status: number, typed?: { email?: string; code?: string }): void {
    if (!s.visit.cart.lines.length) return this.redirect(s, "/cart");
    const code = typed?.code ?? s.visit.cart.discountCode ?? "";
    const totals = this.totals(s, code || null);
    const view: html.CheckoutView = {
      totals,
      email: s.customer?.email ?? typed?.email ?? s.visit.checkoutEmail ?? "",
      emailLocked: !!s.customer?.email,
      code,
      error,
    };
    const t = html.translator(s.locale);
    this.send(s.res, status, html.checkoutLayout(this.frame(s, "checkout"), t("checkout.title"), html.checkoutPage(this.frame(s, "checkout"), view)), s.setCookie);
  }

  private async checkoutSubmit(s: RequestScope): Promise<void> {
    const body = await this.body(s);
    if (!body) return;
    const cart = s.visit.cart;
    if (!cart.lines.length) return this.redirect(s, "/cart", 303);
    const intent = stringField(body, "intent") ?? "pay";
    const typedEmail = stringField(body, "email")?.trim();
    const code = (stringField(body, "discount") ?? cart.discountCode ?? "").trim();
    if (typedEmail !== undefined && !s.customer) s.visit.checkoutEmail = typedEmail || null;
    const email = s.customer?.email ?? s.visit.checkoutEmail ?? null;
    if (intent === "apply") {
      if (!code) {
        cart.discountCode = null;
        return this.redirect(s, "/checkout", 303);
      }
      const totals = this.totals(s, code);
      if (totals.discount && !totals.discount.applicable) return this.checkoutPage(s, { kind: "discount", reason: totals.discount.rejection.reason }, 422, { email: typedEmail, code });
      cart.discountCode = code;
      return this.redirect(s, "/checkout", 303);
    }

    if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return this.checkoutPage(s, { kind: "email" }, 422, { email: typedEmail, code });
    // Shopify attaches a guest checkout to the customer with that email, or creates one.
    const existing = s.customer ?? [...s.shop.customers.values()].find((c) => c.email?.toLowerCase() === email.toLowerCase()) ?? null;
    const rate = this.shippingRate(s.shop);
    // The code is checked for this buyer before anything is created (a new guest customer included).
    const check = priceStorefrontCart(s.shop, cart, { customerId: existing?.id ?? null, email }, rate, this.now, code || null);
    if (check.discount && !check.discount.applicable) return this.checkoutPage(s, { kind: "discount", reason: check.discount.rejection.reason }, 422, { email: typedEmail, code });
    let order: OrderRecord;
    try {
      const customer = existing ?? createCustomer(this.deps.core, { shop: s.shop.domain, email, locale: s.locale });
      order = createOrder(this.deps.core, {
        shop: s.shop.domain,
        customerId: customer.id,
        email,
        lineItems: cart.lines.map((l: CartLine) => ({ variantId: l.variantId, quantity: l.quantity, properties: Object.entries(l.properties).map(([name, value]) => ({ name, value })) })),
        discountCodes: code ? [code] : [],
        shipping: rate && check.requiresShipping ? { title: rate.title, price: this.shipping!.price, code: rate.title } : null,
        noteAttributes: Object.entries(cart.attributes).map(([name, value]) => ({ name, value })),
        note: cart.note ?? undefined,
        financialStatus: "pending",
        gateway: this.gateway,
        sourceName: "web",
      });
    } catch (error) {
      if (error instanceof DiscountRejected) return this.checkoutPage(s, { kind: "discount", reason: error.reason }, 422, { email: typedEmail, code });
      throw error;
    }
    markOrderPaid(this.deps.core, s.shop, order.id, this.gateway);
    s.visit.cart = newCart(this.now);
    s.visit.checkoutEmail = null;
    return this.redirect(s, `/${s.shop.id}/orders/${order.token}`, 303);
  }

  // ---------------------------------------------------------------- cart endpoints

  private async body(s: RequestScope): Promise<Record<string, unknown> | null> {
    try {
      return await parseBody(await readBody(s.req), s.req.headers["content-type"], s.url.searchParams);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      this.json(s, 400, { status: 400, message: "Bad Request", description: error.message });
      return null;
    }
  }

  private wantsJson(s: RequestScope, suffix: boolean): boolean {
    return suffix || (s.req.headers.accept ?? "").includes("application/json");
  }

  private lineJson(s: RequestScope, line: CartLine, totals: CartTotals): Record<string, unknown> {
    const priced = totals.lines.find((l) => l.line === line);
    const { variant, product } = variantOf(s.shop, line.variantId);
    const cents = (minor: number) => liquidCents(minor, s.shop.currency);
    const linePrice = variant.price * line.quantity;
    const finalLine = priced?.finalLinePrice ?? linePrice;
    return {
      id: variant.id,
      properties: line.properties,
      quantity: line.quantity,
      variant_id: variant.id,
      key: line.key,
      title: variant.title === "Default Title" ? product.title : `${product.title} - ${variant.title}`,
      price: cents(variant.price),
      original_price: cents(variant.price),
      discounted_price: cents(Math.round(finalLine / line.quantity)),
      line_price: cents(finalLine),
      original_line_price: cents(linePrice),
      total_discount: cents(linePrice - finalLine),
      discounts: [],
      sku: variant.sku,
      grams: variant.grams,
      vendor: product.vendor,
      taxable: variant.taxable,
      product_id: product.id,
      product_has_only_default_variant: product.variantIds.length === 1 && variant.title === "Default Title",
      gift_card: false,
      final_price: cents(Math.round(finalLine / line.quantity)),
      final_line_price: cents(finalLine),
      url: `/products/${product.handle}?variant=${variant.id}`,
      featured_image: null,
      image: null,
      handle: product.handle,
      requires_shipping: variant.requiresShipping,
      product_type: product.productType,
      product_title: product.title,
      product_description: "",
      variant_title: variant.title === "Default Title" ? null : variant.title,
      variant_options: [variant.title],
      options_with_values: [{ name: "Title", value: variant.title }],
      line_level_discount_allocations: [],
      line_level_total_discount: cents(linePrice - finalLine),
    };
  }

  /** Shopify's /cart.js shape (money in cents). */
  private cartJson(s: RequestScope): Record<string, unknown> {
    const cart = s.visit.cart;
    const totals = this.totals(s);
    const cents = (minor: number) => liquidCents(minor, s.shop.currency);
    return {
      token: cart.token,
      note: cart.note,
      attributes: cart.attributes,
      original_total_price: cents(totals.original),
      total_price: cents(totals.subtotal),
      total_discount: cents(totals.lineDiscounts),
      total_weight: totals.weight,
      item_count: totals.itemCount,
      items: cart.lines.map((l) => this.lineJson(s, l, totals)),
      requires_shipping: totals.requiresShipping,
      currency: s.shop.currency,
      items_subtotal_price: cents(totals.subtotal),
      cart_level_discount_applications: [],
      discount_codes: totals.discount ? [{ code: totals.discount.code, applicable: totals.discount.applicable }] : [],
    };
  }

  private cartError(s: RequestScope, json: boolean, error: CartError): void {
    if (json) return this.json(s, error.status, { status: error.status, message: "Cart Error", description: error.description });
    this.send(s.res, error.status, html.layout(this.frame(s, "cart"), "Cart Error", `<p class="error" data-testid="cart-error">${html.esc(error.description)}</p><p><a href="/cart">Cart</a></p>`, null), s.setCookie);
  }

  private async cartAction(s: RequestScope, action: "add" | "update" | "change" | "clear", suffix: boolean): Promise<void> {
    const json = this.wantsJson(s, suffix);
    const body = s.req.method === "GET" ? Object.fromEntries(s.url.searchParams) : await this.body(s);
    if (!body) return;
    const cart = s.visit.cart;
    try {
      switch (action) {
        case "add": {
          const single = !Array.isArray(body.items);
          const items = single ? [{ id: body.id, quantity: body.quantity, properties: body.properties }] : (body.items as { id: unknown; quantity?: unknown; properties?: unknown }[]);
          const touched = addToCart(s.shop, cart, items, this.now);
          if (!json) return this.redirect(s, "/cart", 303);
          const totals = this.totals(s);
          return this.json(s, 200, single ? this.lineJson(s, touched[0]!, totals) : { items: touched.map((l) => this.lineJson(s, l, totals)) });
        }
        case "update":
          this.applyUpdate(s, cart, body);
          break;
        case "change": {
          const lineIndex = body.line !== undefined ? parseQuantity(body.line, null) : null;
          const line = lineIndex !== null ? cart.lines[lineIndex - 1] : findLine(cart, body.id);
          if (!line) throw new CartError(400, "no valid id or line parameter");
          setLineQuantity(cart, line, parseQuantity(body.quantity, line.quantity), this.now);
          if (body.properties && typeof body.properties === "object") line.properties = Object.fromEntries(Object.entries(body.properties as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
          break;
        }
        case "clear":
          cart.lines = [];
          cart.updatedAt = this.now;
          break;
      }
    } catch (error) {
      if (error instanceof CartError) return this.cartError(s, json, error);
      throw error;
    }
    if (json) return this.json(s, 200, this.cartJson(s));
    if (action === "update" && stringField(body, "checkout") !== undefined) return this.redirect(s, "/checkout", 303);
    return this.redirect(s, "/cart", s.req.method === "GET" ? 302 : 303);
  }

  private applyUpdate(s: RequestScope, cart: Cart, body: Record<string, unknown>): void {
    const updates = body.updates;
    if (Array.isArray(updates)) {
      const quantities = updates.map((q) => parseQuantity(q, null));
      const lines = [...cart.lines];
      quantities.forEach((q, i) => {
        if (lines[i]) setLineQuantity(cart, lines[i], q, this.now);
      });
    } else if (updates && typeof updates === "object") {
      const planned = Object.entries(updates as Record<string, unknown>).map(([id, q]) => ({ id, q: parseQuantity(q, null) }));
      for (const { id, q } of planned) {
        const line = findLine(cart, id);
        if (line) setLineQuantity(cart, line, q, this.now);
        else if (q > 0) addToCart(s.shop, cart, [{ id, quantity: q }], this.now);
      }
    }
    if (body.attributes !== undefined) setAttributes(cart, body.attributes, this.now);
    if (body.note !== undefined) cart.note = body.note === null || body.note === "" ? null : String(body.note);
    if (body.discount !== undefined) {
      const code = String(body.discount ?? "")
        .split(",")[0]!
        .trim();
      cart.discountCode = code || null;
    }
  }

  // ---------------------------------------------------------------- assets and control

  private cdn(req: IncomingMessage, res: ServerResponse, p: string): void {
    if (p.startsWith("/cdn/shop/files/")) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600"><rect width="600" height="600" fill="#e5e5e5"/><path d="M180 400l90-120 70 90 50-60 70 90z" fill="#c4c4c4"/></svg>`;
      return this.send(res, 200, svg, null, "image/svg+xml", { "Cache-Control": "public, max-age=3600" });
    }
    const m = /^\/cdn\/extensions\/([^/]+)\/([^/]+)\/assets\/(.+)$/.exec(p);
    const extension = m ? this.renderer.extensions().find((e) => e.handle === decodeURIComponent(m[1]!)) : undefined;
    const file = m ? decodeURIComponent(m[3]!) : "";
    const found = extension?.assets.get(file);
    if (!found) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Not Found");
      return;
    }
    // Like Shopify's CDN, text assets go out compressed to a client that accepts it (gzip here;
    // the CDN prefers brotli, which is smaller), so a browser's transfer size is a real one.
    const type = contentTypeOf(found);
    const raw = readFileSync(found);
    const gzip = COMPRESSIBLE.test(type) && /\bgzip\b/i.test(String(req.headers["accept-encoding"] ?? ""));
    const content = gzip ? gzipSync(raw, { level: 9 }) : raw;
    res.writeHead(200, {
      "Content-Type": type,
      "Content-Length": content.length,
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
      Vary: "Accept-Encoding",
      "Cache-Control": "public, max-age=31536000, immutable",
      "Access-Control-Allow-Origin": "*",
    });
    res.end(req.method === "HEAD" ? undefined : content);
  }

  /**
   * JSON switches for a devstore run from the CLI:
   *   GET  /devstore/storefront/extensions
   *   POST /devstore/storefront/embeds   {shop?, block, enabled}
   *   POST /devstore/storefront/settings {shop?, block, settings}
   *   POST /devstore/storefront/placements {shop?, template, blocks}
   *   POST /devstore/storefront/reset    {shop?}
   */
  private async control(req: IncomingMessage, res: ServerResponse, p: string, url: URL): Promise<void> {
    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = await parseBody(raw, req.headers["content-type"] ?? "application/json", url.searchParams);
    } catch (error) {
      return sendJson(res, 400, { error: (error as Error).message });
    }
    try {
      const controls = () => this.api.theme(stringField(body, "shop"));
      const route = `${req.method} ${p}`;
      if (route === "GET /devstore/storefront/extensions") return sendJson(res, 200, { extensionsDir: this.api.extensionsDir, extensions: this.api.extensions() });
      if (route === "POST /devstore/storefront/embeds") {
        const ref = String(body.block);
        if (body.enabled === false || body.enabled === "false") controls().disableEmbed(ref);
        else controls().enableEmbed(ref);
        return sendJson(res, 200, { ok: true });
      }
      if (route === "POST /devstore/storefront/settings") {
        controls().setBlockSettings(String(body.block), (body.settings ?? {}) as Record<string, unknown>);
        return sendJson(res, 200, { ok: true });
      }
      if (route === "POST /devstore/storefront/placements") {
        controls().placeBlocks(String(body.template) as (typeof SECTION_TEMPLATES)[number], (body.blocks ?? []) as string[]);
        return sendJson(res, 200, { ok: true });
      }
      if (route === "POST /devstore/storefront/reset") {
        controls().reset();
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 404, { error: `no storefront control ${route}` });
    } catch (error) {
      return sendJson(res, 400, { error: (error as Error).message });
    }
  }

  // ---------------------------------------------------------------- app proxy Liquid

  /**
   * Renders an app proxy answer of type application/liquid with the storefront's Liquid objects:
   * inside the theme layout (with app embeds), or bare when it starts with {% layout none %}.
   */
  async renderProxyLiquid(req: IncomingMessage, res: ServerResponse, shop: ShopState, source: string, url: URL): Promise<{ body: string; contentType: string; status?: number }> {
    try {
      return await this.proxyPage(req, res, shop, source, url);
    } catch (error) {
      if (!(error instanceof StorefrontRenderError || error instanceof ExtensionError)) throw error;
      this.deps.log?.(`storefront: ${error.message}`);
      return { status: 500, body: html.errorPage("Liquid error", error.message), contentType: "text/html; charset=utf-8" };
    }
  }

  private async proxyPage(req: IncomingMessage, res: ServerResponse, shop: ShopState, source: string, url: URL): Promise<{ body: string; contentType: string }> {
    // The proxied request's own session (never created here); a visitor without one is a guest.
    const session = this.sessions.find(req) ?? { id: "", shop: shop.domain, locale: null, visits: new Map<string, ShopVisit>() };
    const visit = session.visits.get(shop.domain) ?? { customerId: null, cart: newCart(this.now), checkoutEmail: null };
    const s = this.scopeFor(req, res, url, session, null, shop, visit);
    const bare = LAYOUT_NONE.test(source);
    const template = "page";
    const globals = this.globals(s, template, shop.name);
    let content: string;
    try {
      content = await this.renderer.proxyEngine().parseAndRender(source.replace(LAYOUT_NONE, ""), {}, { globals });
    } catch (error) {
      throw new StorefrontRenderError(`app proxy answer ${url.pathname}`, error as Error);
    }
    if (bare) return { body: content, contentType: "text/html; charset=utf-8" };
    const theme = await this.renderer.render(shop, this.themeOf(shop), template, globals, this.deps.appId);
    return { body: html.layout(this.frame(s, template), shop.name, `<div data-testid="app-proxy-content">${content}</div>`, theme), contentType: "text/html; charset=utf-8" };
  }
}

export function createStorefront(deps: StorefrontDeps, options: StorefrontOptions = {}): Storefront {
  return new Storefront(deps, options);
}
