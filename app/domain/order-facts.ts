// The facts the earning engine needs from Shopify's REST order payload (orders/paid, orders/create,
// orders/updated) and refund payload (refunds/create), in integer minor units of the shop currency.
//
// Amounts come from the `*_set.shop_money` fields; the legacy plain fields (price, amount) are in
// the shop currency too and are only a fallback. Presentment money is never read. Large ids may
// arrive as strings (app/lib/json.ts quotes 16+ digit integers), so every id is number | string.
import { z } from "zod";
import { OrderPayloadError, customerGid as payloadCustomerGid, orderGid as payloadOrderGid } from "./earning";
import { MoneyFormatError, toMinorUnits } from "./money";

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]);
const amount = z.union([z.string(), z.number()]);
const moneySet = z.object({ shop_money: z.object({ amount, currency_code: z.string().optional() }).optional() }).nullish();
const address = z.object({ country_code: z.string().nullish() }).nullish();

const lineSchema = z.object({
  id: id.optional(),
  admin_graphql_api_id: z.string().optional(),
  product_id: id.nullish(),
  variant_id: id.nullish(),
  title: z.string().nullish(),
  name: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  price: amount.optional(),
  price_set: moneySet,
  gift_card: z.boolean().nullish(),
  requires_shipping: z.boolean().nullish(),
  tax_lines: z.array(z.object({ price: amount.optional(), price_set: moneySet })).nullish(),
  discount_allocations: z.array(z.object({ amount: amount.optional(), amount_set: moneySet })).nullish(),
});

const orderSchema = z.object({
  id: id.optional(),
  admin_graphql_api_id: z.string().optional(),
  currency: z.string().optional(),
  taxes_included: z.boolean().nullish(),
  test: z.boolean().nullish(),
  cancelled_at: z.string().nullish(),
  created_at: z.string().nullish(),
  processed_at: z.string().nullish(),
  total_tip_received: amount.nullish(),
  subtotal_price_set: moneySet,
  total_shipping_price_set: moneySet,
  discount_codes: z.array(z.object({ code: z.string() })).nullish(),
  line_items: z.array(lineSchema),
  shipping_address: address,
  billing_address: address,
  customer: z
    .object({
      id: id.optional(),
      admin_graphql_api_id: z.string().optional(),
      tags: z.string().nullish(),
      default_address: address,
    })
    .nullish(),
});

type RawLine = z.infer<typeof lineSchema>;
type RawMoneySet = z.infer<typeof moneySet>;

/** Why a line earns nothing. */
export type ExclusionReason = "gift-card" | "tip" | "excluded-product" | "excluded-collection";

export interface LineFacts {
  /** the REST line item id as a decimal string (refunds name lines by it) */
  lineId: string;
  lineGid: string;
  productGid: string | null;
  variantGid: string | null;
  title: string;
  quantity: number;
  /** price × quantity */
  grossMinor: number;
  /** the line's discount allocations (line and order discounts) */
  discountMinor: number;
  /** tax taken out because prices include tax; 0 when they don't */
  includedTaxMinor: number;
  /** gross − discounts − included tax, never below 0: the merchandise amount the line earns on */
  netMinor: number;
  giftCard: boolean;
  /** a tip recorded as a line item (no product, titled "Tip", on an order with a tip) */
  tip: boolean;
}

export interface OrderFacts {
  orderGid: string;
  currency: string;
  taxesIncluded: boolean;
  lines: LineFacts[];
  /** Σ netMinor of the merchandise lines (gift cards included, tips excluded): after discounts, without shipping, tax or tips */
  subtotalMinor: number;
  shippingMinor: number;
  tipMinor: number;
  customerGid: string | null;
  /** ISO-2, from the shipping address, else the billing address, else the customer's default address */
  countryCode: string | null;
  customerTags: string[];
  createdAt: Date | null;
  processedAt: Date | null;
  discountCodes: string[];
  test: boolean;
  cancelled: boolean;
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "order"}: ${i.message}`).join("; ");
}

function money(set: RawMoneySet, fallback: string | number | undefined, currency: string, what: string): number | undefined {
  const shop = set?.shop_money;
  if (shop?.currency_code && shop.currency_code.toUpperCase() !== currency.toUpperCase()) {
    throw new OrderPayloadError(`${what} is in ${shop.currency_code}, but the shop currency is ${currency}`);
  }
  const value = shop?.amount ?? fallback;
  return value === undefined ? undefined : minor(value, currency, what);
}

function minor(value: string | number, currency: string, what: string): number {
  try {
    return toMinorUnits(value, currency);
  } catch (e) {
    if (e instanceof MoneyFormatError) throw new OrderPayloadError(`${what}: ${e.message}`);
    throw e;
  }
}

function gidTail(gidValue: string | undefined): string | undefined {
  const m = gidValue ? /\/(\d+)$/.exec(gidValue) : null;
  return m ? m[1] : undefined;
}

/** A number id above 2^53 has already lost digits; refuse it rather than name the wrong record. */
function idText(value: number | string, what: string): string {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new OrderPayloadError(`${what} ${value} is too large to be exact; parse the payload with large integers as strings`);
  }
  return String(value);
}

function date(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function lineFacts(line: RawLine, index: number, currency: string, taxesIncluded: boolean, orderHasTip: boolean): LineFacts {
  const where = `line_items.${index}`;
  const lineId = gidTail(line.admin_graphql_api_id) ?? (line.id !== undefined ? idText(line.id, `${where}.id`) : undefined);
  if (!lineId) throw new OrderPayloadError(`${where} has no id`);
  const unit = money(line.price_set, line.price, currency, `${where}.price`);
  if (unit === undefined) throw new OrderPayloadError(`${where} has no price in shop money`);
  const grossMinor = unit * line.quantity;
  const discountMinor = (line.discount_allocations ?? []).reduce(
    (s, a, i) => s + (money(a.amount_set, a.amount, currency, `${where}.discount_allocations.${i}`) ?? 0),
    0,
  );
  const includedTaxMinor = taxesIncluded
    ? (line.tax_lines ?? []).reduce((s, t, i) => s + (money(t.price_set, t.price, currency, `${where}.tax_lines.${i}`) ?? 0), 0)
    : 0;
  const productGid = line.product_id != null ? `gid://shopify/Product/${idText(line.product_id, `${where}.product_id`)}` : null;
  const title = line.title ?? line.name ?? "";
  return {
    lineId,
    lineGid: line.admin_graphql_api_id ?? `gid://shopify/LineItem/${lineId}`,
    productGid,
    variantGid: line.variant_id != null ? `gid://shopify/ProductVariant/${idText(line.variant_id, `${where}.variant_id`)}` : null,
    title,
    quantity: line.quantity,
    grossMinor,
    discountMinor,
    includedTaxMinor,
    netMinor: Math.max(0, grossMinor - discountMinor - includedTaxMinor),
    giftCard: line.gift_card === true,
    tip: orderHasTip && productGid === null && /^tips?$/i.test(title.trim()),
  };
}

/**
 * Reads an order payload into the facts earning needs. `shop.currency` is the shop's currency;
 * an order whose shop money is in another currency is refused (the configured amounts would not
 * compare). Throws OrderPayloadError for a payload that can never be read.
 */
export function orderFacts(payload: unknown, shop: { currency: string }): OrderFacts {
  const parsed = orderSchema.safeParse(payload);
  if (!parsed.success) throw new OrderPayloadError(`Not an order payload: ${issuesText(parsed.error)}`);
  const o = parsed.data;
  const currency = shop.currency.toUpperCase();
  if (o.currency && o.currency.toUpperCase() !== currency) {
    throw new OrderPayloadError(`The order is in ${o.currency}, but the shop currency is ${currency}`);
  }
  money(o.subtotal_price_set, undefined, currency, "subtotal_price_set");
  const taxesIncluded = o.taxes_included === true;
  const tipMinor = o.total_tip_received != null ? minor(o.total_tip_received, currency, "total_tip_received") : 0;
  const lines = o.line_items.map((line, i) => lineFacts(line, i, currency, taxesIncluded, tipMinor > 0));
  const countryCode =
    o.shipping_address?.country_code || o.billing_address?.country_code || o.customer?.default_address?.country_code || null;
  const asPayload = { id: o.id, admin_graphql_api_id: o.admin_graphql_api_id, customer: o.customer };
  if (o.customer?.id !== undefined && !o.customer.admin_graphql_api_id) idText(o.customer.id, "customer.id");
  if (o.id !== undefined && !o.admin_graphql_api_id) idText(o.id, "id");
  return {
    orderGid: payloadOrderGid(asPayload),
    currency,
    taxesIncluded,
    lines,
    subtotalMinor: lines.filter((l) => !l.tip).reduce((s, l) => s + l.netMinor, 0),
    shippingMinor: money(o.total_shipping_price_set, undefined, currency, "total_shipping_price_set") ?? 0,
    tipMinor,
    customerGid: payloadCustomerGid(asPayload),
    countryCode: countryCode ? countryCode.toUpperCase() : null,
    customerTags: (o.customer?.tags ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    createdAt: date(o.created_at),
    processedAt: date(o.processed_at),
    discountCodes: (o.discount_codes ?? []).map((d) => d.code),
    test: o.test === true,
    cancelled: Boolean(o.cancelled_at),
  };
}
