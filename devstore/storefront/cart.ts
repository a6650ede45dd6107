import { createHash, randomBytes } from "node:crypto";
import { DiscountRejected, priceCart, type PricedCart } from "../commerce/pricing.ts";
import type { ShopState } from "../state/shop.ts";
import type { ProductRecord, VariantRecord } from "../state/types.ts";

/** A storefront cart (Shopify's AJAX cart), kept per browser session and shop. */
export interface Cart {
  readonly token: string;
  lines: CartLine[];
  attributes: Record<string, string>;
  note: string | null;
  /** The code remembered by /discount/CODE, the cart or the checkout; applied at checkout. */
  discountCode: string | null;
  updatedAt: number;
}

export interface CartLine {
  /** "<variant id>:<hash of the properties>", like Shopify's line keys. */
  key: string;
  variantId: number;
  quantity: number;
  properties: Record<string, string>;
}

export class CartError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

export function newCart(now: number): Cart {
  return { token: `devstore-${randomBytes(12).toString("hex")}`, lines: [], attributes: {}, note: null, discountCode: null, updatedAt: now };
}

function lineKey(variantId: number, properties: Record<string, string>): string {
  const entries = Object.entries(properties).sort(([a], [b]) => a.localeCompare(b));
  const hash = createHash("md5").update(JSON.stringify(entries)).digest("hex");
  return `${variantId}:${hash}`;
}

export function variantOf(shop: ShopState, id: unknown): { variant: VariantRecord; product: ProductRecord } {
  const numeric = typeof id === "number" ? id : typeof id === "string" && /^\d+$/.test(id.trim()) ? Number(id.trim()) : typeof id === "string" ? Number(/\/ProductVariant\/(\d+)$/.exec(id)?.[1]) : NaN;
  const variant = Number.isFinite(numeric) ? shop.variants.get(numeric) : undefined;
  const product = variant ? shop.products.get(variant.productId) : undefined;
  if (!variant || !product || product.status !== "ACTIVE") throw new CartError(404, "Cannot find variant");
  return { variant, product };
}

export function parseQuantity(value: unknown, fallback: number | null): number {
  if ((value === undefined || value === null || value === "") && fallback !== null) return fallback;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new CartError(422, `Invalid quantity ${JSON.stringify(value)}`);
  return n;
}

function stringRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined && v !== "") out[k] = String(v);
  return out;
}

/** /cart/add: merges into the line with the same variant and properties. Returns the touched lines. */
export function addToCart(shop: ShopState, cart: Cart, items: { id: unknown; quantity?: unknown; properties?: unknown }[], now: number): CartLine[] {
  const planned = items.map((item) => {
    const { variant } = variantOf(shop, item.id);
    const quantity = parseQuantity(item.quantity, 1);
    if (quantity < 1) throw new CartError(422, "Quantity must be at least 1");
    return { variant, quantity, properties: stringRecord(item.properties) };
  });
  const touched: CartLine[] = [];
  for (const { variant, quantity, properties } of planned) {
    const key = lineKey(variant.id, properties);
    let line = cart.lines.find((l) => l.key === key);
    if (line) line.quantity += quantity;
    else {
      line = { key, variantId: variant.id, quantity, properties };
      cart.lines.push(line);
    }
    touched.push(line);
  }
  cart.updatedAt = now;
  return touched;
}

/** Finds a line by its key, or the first line of a variant id. */
export function findLine(cart: Cart, id: unknown): CartLine | undefined {
  const text = String(id ?? "");
  return cart.lines.find((l) => l.key === text) ?? cart.lines.find((l) => String(l.variantId) === text);
}

export function setLineQuantity(cart: Cart, line: CartLine, quantity: number, now: number): void {
  if (quantity === 0) cart.lines = cart.lines.filter((l) => l !== line);
  else line.quantity = quantity;
  cart.updatedAt = now;
}

/** Cart attributes: a blank value removes the attribute, as Shopify does. */
export function setAttributes(cart: Cart, attributes: unknown, now: number): void {
  if (!attributes || typeof attributes !== "object" || Array.isArray(attributes)) throw new CartError(422, "attributes must be an object");
  for (const [k, v] of Object.entries(attributes)) {
    if (v === null || v === undefined || v === "") delete cart.attributes[k];
    else cart.attributes[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  cart.updatedAt = now;
}

export interface PricedLine {
  line: CartLine;
  variant: VariantRecord;
  product: ProductRecord;
  /** Minor units. */
  price: number;
  linePrice: number;
  discount: number;
  finalLinePrice: number;
}

export interface CartTotals {
  lines: PricedLine[];
  itemCount: number;
  /** Sum of line prices before discounts. */
  original: number;
  lineDiscounts: number;
  subtotal: number;
  shipping: number;
  shippingDiscount: number;
  tax: number;
  taxesIncluded: boolean;
  total: number;
  requiresShipping: boolean;
  weight: number;
  /** The remembered code and whether it applies to this cart right now. */
  discount: { code: string; applicable: true; amount: number } | { code: string; applicable: false; rejection: DiscountRejected } | null;
  priced: PricedCart | null;
}

export interface ShippingRate {
  title: string;
  /** Minor units. */
  price: number;
}

/**
 * Prices the cart exactly as orders.create will (pricing.priceCart), without side effects: the
 * summary the cart and checkout pages show before the order exists.
 */
export function priceStorefrontCart(shop: ShopState, cart: Cart, who: { customerId: number | null; email: string | null }, shippingRate: ShippingRate | null, now: number, code = cart.discountCode): CartTotals {
  const lines: PricedLine[] = [];
  for (const line of cart.lines) {
    const variant = shop.variants.get(line.variantId);
    const product = variant ? shop.products.get(variant.productId) : undefined;
    if (!variant || !product) continue;
    lines.push({ line, variant, product, price: variant.price, linePrice: variant.price * line.quantity, discount: 0, finalLinePrice: variant.price * line.quantity });
  }
  const requiresShipping = lines.some((l) => l.variant.requiresShipping);
  const shipping = requiresShipping && shippingRate ? shippingRate : null;
  const input = (codes: string[]) => ({
    lines: lines.map((l) => ({ productId: l.product.id, variantId: l.variant.id, price: l.price, quantity: l.line.quantity, taxable: l.variant.taxable })),
    shipping: shipping ? { price: shipping.price, countryCode: shop.countryCode } : null,
    customerId: who.customerId,
    email: who.email,
    codes,
  });
  let priced: PricedCart | null = null;
  let discount: CartTotals["discount"] = null;
  if (lines.length) {
    if (code) {
      try {
        priced = priceCart(shop, input([code]), now);
      } catch (error) {
        if (!(error instanceof DiscountRejected)) throw error;
        discount = { code, applicable: false, rejection: error };
      }
    }
    priced ??= priceCart(shop, input([]), now);
  } else if (code) {
    discount = { code, applicable: false, rejection: new DiscountRejected(code, "not_applicable", "the cart is empty") };
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  lines.forEach((l, i) => {
    l.discount = sum((priced?.lineAllocations[i] ?? []).map((a) => a.amount));
    l.finalLinePrice = l.linePrice - l.discount;
  });
  const original = sum(lines.map((l) => l.linePrice));
  const lineDiscounts = sum(lines.map((l) => l.discount));
  const shippingDiscount = sum((priced?.shippingAllocations ?? []).map((a) => a.amount));
  const tax = sum((priced?.lineTaxes ?? []).flat().map((t) => t.amount));
  const shippingPrice = shipping?.price ?? 0;
  const subtotal = original - lineDiscounts;
  const total = subtotal + shippingPrice - shippingDiscount + (shop.taxesIncluded ? 0 : tax);
  if (code && priced && !discount) {
    const amount = sum(priced.discountCodes.map((d) => d.amount));
    discount = { code: priced.discountCodes[0]?.code ?? code, applicable: true, amount };
  }
  return {
    lines,
    itemCount: sum(lines.map((l) => l.line.quantity)),
    original,
    lineDiscounts,
    subtotal,
    shipping: shippingPrice,
    shippingDiscount,
    tax,
    taxesIncluded: shop.taxesIncluded,
    total,
    requiresShipping,
    weight: sum(lines.map((l) => l.variant.grams * l.line.quantity)),
    discount,
    priced,
  };
}
