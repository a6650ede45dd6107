import { Drop } from "liquidjs";
import { orderTotals } from "../commerce/order-math.ts";
import { gid } from "../core/ids.ts";
import type { ShopState } from "../state/shop.ts";
import type { CustomerRecord, MetafieldRecord, OrderRecord, ProductRecord, VariantRecord } from "../state/types.ts";
import type { Cart, CartTotals } from "./cart.ts";
import { liquidCents, moneyFormats } from "./money.ts";

/**
 * Shopify's global Liquid objects built from devstore records. Objects are plain data, so with
 * strictVariables a property the devstore does not provide fails loudly; metafields are drops,
 * because a metafield that is not set is nil in Shopify, not an error.
 */

export interface LanguageInfo {
  iso_code: string;
  name: string;
  endonym_name: string;
  primary: boolean;
  root_url: string;
}

const LANGUAGES: Record<string, { name: string; endonym: string }> = {
  en: { name: "English", endonym: "English" },
  de: { name: "German", endonym: "Deutsch" },
  fr: { name: "French", endonym: "Français" },
  nl: { name: "Dutch", endonym: "Nederlands" },
  es: { name: "Spanish", endonym: "Español" },
  it: { name: "Italian", endonym: "Italiano" },
};

export function languageInfo(code: string, primary: boolean): LanguageInfo {
  const base = LANGUAGES[code.split("-")[0]!.toLowerCase()];
  return { iso_code: code, name: base?.name ?? code, endonym_name: base?.endonym ?? code, primary, root_url: "/" };
}

const COUNTRIES: Record<string, string> = { DE: "Germany", AT: "Austria", CH: "Switzerland", US: "United States", GB: "United Kingdom", FR: "France", NL: "Netherlands", CA: "Canada", JP: "Japan" };
const CURRENCY_NAMES: Record<string, { name: string; symbol: string }> = {
  EUR: { name: "Euro", symbol: "€" },
  USD: { name: "United States Dollar", symbol: "$" },
  GBP: { name: "British Pound", symbol: "£" },
  CHF: { name: "Swiss Franc", symbol: "CHF" },
  JPY: { name: "Japanese Yen", symbol: "¥" },
  CAD: { name: "Canadian Dollar", symbol: "$" },
};

function currencyObject(code: string) {
  return { iso_code: code, name: CURRENCY_NAMES[code]?.name ?? code, symbol: CURRENCY_NAMES[code]?.symbol ?? code };
}

/** Parses a metafield value by its type, as `metafield.value` returns it. */
export function metafieldValue(record: MetafieldRecord): unknown {
  const t = record.type;
  if (t === "boolean") return record.value === "true";
  if (t === "number_integer" || t === "number_decimal") return Number(record.value);
  if (t === "json" || t.startsWith("list.") || ["money", "rating", "dimension", "volume", "weight", "link"].includes(t)) {
    try {
      return JSON.parse(record.value);
    } catch {
      return record.value;
    }
  }
  return record.value;
}

/** A metafield: `.value` parsed by type, `.type`; printed, it shows its value. */
export class MetafieldDrop extends Drop {
  constructor(private readonly record: MetafieldRecord) {
    super();
  }
  get value(): unknown {
    return metafieldValue(this.record);
  }
  get type(): string {
    return this.record.type;
  }
  get namespace(): string {
    return this.record.namespace;
  }
  get key(): string {
    return this.record.key;
  }
  get id(): number {
    return this.record.id;
  }
  valueOf(): unknown {
    const v = this.value;
    return v !== null && typeof v === "object" ? this.record.value : v;
  }
  toJSON(): unknown {
    return this.value;
  }
}

/** One namespace: `.<key>` is the metafield or nil. */
export class MetafieldNamespaceDrop extends Drop {
  constructor(private readonly records: MetafieldRecord[]) {
    super();
  }
  liquidMethodMissing(key: string): MetafieldDrop | null {
    const hit = this.records.find((r) => r.key === key);
    return hit ? new MetafieldDrop(hit) : null;
  }
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.records.map((r) => [r.key, metafieldValue(r)]));
  }
}

/** `<owner>.metafields`: `.<namespace>.<key>`; `$app` and `$app:x` are the app's reserved namespaces. */
export class MetafieldsDrop extends Drop {
  constructor(private readonly lookup: (namespace: string) => MetafieldRecord[]) {
    super();
  }
  liquidMethodMissing(namespace: string): MetafieldNamespaceDrop {
    return new MetafieldNamespaceDrop(this.lookup(namespace));
  }
  toJSON(): Record<string, never> {
    return {};
  }
}

/** "$app" → "app--<id>", "$app:x" → "app--<id>--x" (Shopify's reserved prefix in theme app extensions). */
export function reservedNamespace(namespace: string, appId: number): string {
  if (namespace === "$app") return `app--${appId}`;
  if (namespace.startsWith("$app:")) return `app--${appId}--${namespace.slice(5)}`;
  return namespace;
}

export function ownerMetafields(shop: ShopState, ownerGid: string, appId: number): MetafieldsDrop {
  return new MetafieldsDrop((ns) => {
    const wanted = reservedNamespace(ns, appId);
    return shop.metafieldsOf(ownerGid).filter((m) => m.namespace === wanted);
  });
}

/**
 * `app.metafields.<namespace>.<key>`: the app's own metafields. App-data metafields (owner
 * AppInstallation) by their namespace, then the app-reserved namespace `$app:<namespace>` on the
 * installation or the shop (what metafieldsSet stores for namespace "$app:<namespace>");
 * `app.metafields["$app"]` is the bare reserved namespace.
 */
export function appMetafields(shop: ShopState, appId: number): MetafieldsDrop {
  const installation = `gid://shopify/AppInstallation/${shop.appInstallationId}`;
  return new MetafieldsDrop((ns) => {
    const exact = reservedNamespace(ns, appId);
    const reserved = ns.startsWith("$app") || ns.startsWith("app--") ? exact : `app--${appId}--${ns}`;
    const own = shop.metafieldsOf(installation);
    const hit = own.filter((m) => m.namespace === exact);
    if (hit.length) return hit;
    const reservedOwn = own.filter((m) => m.namespace === reserved);
    if (reservedOwn.length) return reservedOwn;
    return shop.metafieldsOf(shop.gid).filter((m) => m.namespace === reserved && m.namespace.startsWith(`app--${appId}`));
  });
}

/** `template`: prints its name ("product"). */
export class TemplateDrop extends Drop {
  constructor(readonly name: string) {
    super();
  }
  get suffix(): null {
    return null;
  }
  get directory(): string | null {
    return this.name.includes("/") ? this.name.split("/")[0]! : null;
  }
  valueOf(): string {
    return this.name;
  }
  toJSON(): string {
    return this.name;
  }
}

export interface PageView {
  shop: ShopState;
  appId: number;
  customer: CustomerRecord | null;
  locale: string;
  locales: string[];
  primaryLocale: string;
  /** Shopify template name: index, product, collection, cart, page, customers/login, customers/account. */
  template: string;
  path: string;
  origin: string;
  product: ProductRecord | null;
  selectedVariantId: number | null;
  cart: Cart;
  cartTotals: CartTotals;
  pageTitle: string;
}

function money(shop: ShopState, minor: number): number {
  return liquidCents(minor, shop.currency);
}

export function variantObject(shop: ShopState, product: ProductRecord, variant: VariantRecord, appId: number) {
  return {
    id: variant.id,
    title: variant.title,
    name: variant.title === "Default Title" ? product.title : `${product.title} - ${variant.title}`,
    price: money(shop, variant.price),
    compare_at_price: variant.compareAtPrice === null ? null : money(shop, variant.compareAtPrice),
    sku: variant.sku,
    barcode: null,
    available: variant.inventoryQuantity > 0,
    inventory_quantity: variant.inventoryQuantity,
    inventory_management: "shopify",
    inventory_policy: "deny",
    requires_shipping: variant.requiresShipping,
    taxable: variant.taxable,
    weight: variant.grams,
    weight_unit: "g",
    option1: variant.title,
    option2: null,
    option3: null,
    options: [variant.title],
    image: null,
    featured_image: null,
    featured_media: null,
    url: `/products/${product.handle}?variant=${variant.id}`,
    product_id: product.id,
    metafields: ownerMetafields(shop, gid("ProductVariant", variant.id), appId),
  };
}

export function productObject(shop: ShopState, product: ProductRecord, selectedVariantId: number | null, appId: number) {
  const variants = product.variantIds.map((id) => shop.variants.get(id)).filter((v): v is VariantRecord => v !== undefined);
  const views = variants.map((v) => variantObject(shop, product, v, appId));
  const prices = variants.map((v) => v.price);
  const firstAvailable = views.find((v) => v.available) ?? null;
  const selected = selectedVariantId === null ? null : (views.find((v) => v.id === selectedVariantId) ?? null);
  const onlyDefault = variants.length === 1 && variants[0]!.title === "Default Title";
  return {
    id: product.id,
    title: product.title,
    handle: product.handle,
    url: `/products/${product.handle}`,
    description: "",
    content: "",
    vendor: product.vendor,
    type: product.productType,
    tags: product.tags,
    available: views.some((v) => v.available),
    price: money(shop, Math.min(...prices)),
    price_min: money(shop, Math.min(...prices)),
    price_max: money(shop, Math.max(...prices)),
    price_varies: new Set(prices).size > 1,
    compare_at_price: null,
    compare_at_price_min: null,
    compare_at_price_max: null,
    variants: views,
    has_only_default_variant: onlyDefault,
    options: ["Title"],
    options_with_values: [{ name: "Title", position: 1, values: views.map((v) => v.title) }],
    first_available_variant: firstAvailable,
    selected_variant: selected,
    selected_or_first_available_variant: selected ?? firstAvailable,
    featured_image: null,
    featured_media: null,
    images: [],
    media: [],
    collections: [...shop.collections.values()].filter((c) => c.productIds.includes(product.id)).map((c) => ({ id: c.id, title: c.title, handle: c.handle, url: `/collections/${c.handle}` })),
    created_at: new Date(product.createdAt).toISOString(),
    published_at: new Date(product.createdAt).toISOString(),
    metafields: ownerMetafields(shop, gid("Product", product.id), appId),
  };
}

function orderObject(shop: ShopState, order: OrderRecord) {
  const t = orderTotals(order);
  return {
    id: order.id,
    name: order.name,
    order_number: order.number,
    created_at: new Date(order.createdAt).toISOString(),
    financial_status: order.financialStatus,
    cancelled: order.cancelledAt !== null,
    total_price: money(shop, t.currentTotal),
    subtotal_price: money(shop, t.currentSubtotal),
    total_discounts: money(shop, t.currentTotalDiscounts),
    item_count: t.quantity,
    discount_codes: order.discountCodes.map((d) => ({ code: d.code, amount: money(shop, d.amount), type: d.type })),
    customer_url: `/${shop.id}/orders/${order.token}`,
    order_status_url: `/${shop.id}/orders/${order.token}`,
  };
}

export function customerObject(shop: ShopState, customer: CustomerRecord, appId: number) {
  const orders = shop.ordersOf(customer.id).sort((a, b) => b.createdAt - a.createdAt);
  const spent = orders.reduce((s, o) => s + orderTotals(o).received - orderTotals(o).refunded, 0);
  const name = [customer.firstName, customer.lastName].filter(Boolean).join(" ");
  return {
    id: customer.id,
    email: customer.email,
    first_name: customer.firstName,
    last_name: customer.lastName,
    name: name || customer.email || "",
    phone: customer.phone,
    tags: customer.tags,
    orders_count: orders.length,
    total_spent: money(shop, spent),
    orders: orders.map((o) => orderObject(shop, o)),
    last_order: orders[0] ? orderObject(shop, orders[0]) : null,
    has_account: customer.state === "ENABLED",
    accepts_marketing: customer.emailMarketing.state === "SUBSCRIBED",
    tax_exempt: customer.taxExempt,
    addresses_count: customer.addresses.length,
    b2b: false,
    metafields: ownerMetafields(shop, gid("Customer", customer.id), appId),
  };
}

export function cartObject(view: PageView) {
  const { shop, cart, cartTotals: t } = view;
  return {
    token: cart.token,
    item_count: t.itemCount,
    items: t.lines.map((l) => ({
      id: l.variant.id,
      key: l.line.key,
      quantity: l.line.quantity,
      title: l.variant.title === "Default Title" ? l.product.title : `${l.product.title} - ${l.variant.title}`,
      product_id: l.product.id,
      variant_id: l.variant.id,
      product_title: l.product.title,
      variant_title: l.variant.title === "Default Title" ? null : l.variant.title,
      sku: l.variant.sku,
      vendor: l.product.vendor,
      url: `/products/${l.product.handle}?variant=${l.variant.id}`,
      price: money(shop, l.price),
      original_price: money(shop, l.price),
      final_price: money(shop, Math.round(l.finalLinePrice / l.line.quantity)),
      line_price: money(shop, l.linePrice),
      original_line_price: money(shop, l.linePrice),
      final_line_price: money(shop, l.finalLinePrice),
      total_discount: money(shop, l.discount),
      properties: l.line.properties,
      requires_shipping: l.variant.requiresShipping,
      taxable: l.variant.taxable,
      gift_card: false,
      image: null,
      discount_allocations: [],
      line_level_discount_allocations: [],
    })),
    total_price: money(shop, t.subtotal),
    original_total_price: money(shop, t.original),
    items_subtotal_price: money(shop, t.subtotal),
    total_discount: money(shop, t.lineDiscounts),
    total_weight: t.weight,
    attributes: cart.attributes,
    note: cart.note,
    currency: currencyObject(shop.currency),
    requires_shipping: t.requiresShipping,
    discount_applications: [],
    cart_level_discount_applications: [],
    checkout_charge_amount: money(shop, t.subtotal),
  };
}

/** Every global object a theme app extension (or an app proxy Liquid answer) can read. */
export function liquidGlobals(view: PageView): Record<string, unknown> {
  const { shop, appId } = view;
  const formats = moneyFormats(shop.currency);
  const language = languageInfo(view.locale, view.locale === view.primaryLocale);
  const country = { iso_code: shop.countryCode, name: COUNTRIES[shop.countryCode] ?? shop.countryCode, currency: currencyObject(shop.currency), unit_system: "metric" };
  const products = [...shop.products.values()].filter((p) => p.status === "ACTIVE");
  return {
    shop: {
      id: shop.id,
      name: shop.name,
      email: shop.email,
      domain: shop.domain,
      permanent_domain: shop.domain,
      url: view.origin,
      secure_url: view.origin,
      currency: shop.currency,
      locale: view.locale,
      money_format: formats.money_format,
      money_with_currency_format: formats.money_with_currency_format,
      enabled_currencies: [currencyObject(shop.currency)],
      customer_accounts_enabled: true,
      customer_accounts_optional: true,
      taxes_included: shop.taxesIncluded,
      description: "",
      phone: "",
      products_count: products.length,
      collections_count: shop.collections.size,
      types: [...new Set(products.map((p) => p.productType).filter(Boolean))],
      vendors: [...new Set(products.map((p) => p.vendor).filter(Boolean))],
      metafields: ownerMetafields(shop, shop.gid, appId),
    },
    customer: view.customer ? customerObject(shop, view.customer, appId) : null,
    request: {
      locale: language,
      page_type: view.template,
      path: view.path,
      host: shop.domain,
      origin: view.origin,
      design_mode: false,
      visual_preview_mode: false,
    },
    routes: {
      root_url: "/",
      account_url: "/account",
      account_login_url: "/account/login",
      account_logout_url: "/account/logout",
      account_register_url: "/account/register",
      account_addresses_url: "/account/addresses",
      account_recover_url: "/account/login#recover",
      cart_url: "/cart",
      cart_add_url: "/cart/add",
      cart_change_url: "/cart/change",
      cart_update_url: "/cart/update",
      cart_clear_url: "/cart/clear",
      collections_url: "/collections",
      all_products_collection_url: "/collections/all",
      search_url: "/search",
      predictive_search_url: "/search/suggest",
      product_recommendations_url: "/recommendations/products",
    },
    localization: {
      language,
      available_languages: view.locales.map((l) => languageInfo(l, l === view.primaryLocale)),
      country,
      available_countries: [country],
      market: { id: shop.id, handle: shop.countryCode.toLowerCase() },
    },
    app: { metafields: appMetafields(shop, appId) },
    cart: cartObject(view),
    product: view.product ? productObject(shop, view.product, view.selectedVariantId, appId) : null,
    collection: null,
    page: null,
    blog: null,
    article: null,
    template: new TemplateDrop(view.template),
    page_title: view.pageTitle,
    canonical_url: `${view.origin}${view.path}`,
  };
}
