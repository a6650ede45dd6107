// Purchase earning: how many points an order earns. Pure; the order is Shopify's REST webhook
// payload (orders/paid), read from its shop-money fields so presentment currencies don't matter.
import { toMinorUnits, currencyExponent } from "./money";

interface MoneySet {
  shop_money?: { amount?: string; currency_code?: string };
}

export interface OrderPayload {
  id?: number | string;
  admin_graphql_api_id?: string;
  currency?: string;
  taxes_included?: boolean;
  subtotal_price_set?: MoneySet;
  subtotal_price?: string;
  customer?: { id?: number | string; admin_graphql_api_id?: string; email?: string | null; first_name?: string | null; last_name?: string | null } | null;
  line_items?: Array<{ tax_lines?: Array<{ price_set?: MoneySet; price?: string }> }>;
  cancelled_at?: string | null;
  test?: boolean;
}

export interface PurchaseRule {
  /** points per one unit of shop currency (e.g. 1 point per €1) */
  pointsPerCurrencyUnit: number;
}

export interface EarnResult {
  points: number;
  /** the base the rate was applied to, in minor units of the shop currency */
  baseMinor: number;
  currency: string;
  explanation: string;
}

export class OrderPayloadError extends Error {}

export function orderGid(order: OrderPayload): string {
  if (order.admin_graphql_api_id) return order.admin_graphql_api_id;
  if (order.id !== undefined) return `gid://shopify/Order/${order.id}`;
  throw new OrderPayloadError("Order has neither admin_graphql_api_id nor id");
}

export function customerGid(order: OrderPayload): string | null {
  const c = order.customer;
  if (!c) return null;
  if (c.admin_graphql_api_id) return c.admin_graphql_api_id;
  if (c.id !== undefined) return `gid://shopify/Customer/${c.id}`;
  return null;
}

/**
 * The merchandise subtotal after discounts, without shipping and tax, in shop currency.
 * Shopify's subtotal_price already excludes shipping and includes discounts; when the shop's
 * prices include tax, the line items' taxes are taken out.
 */
export function merchandiseBase(order: OrderPayload): { minor: number; currency: string } {
  const money = order.subtotal_price_set?.shop_money;
  const currency = money?.currency_code ?? order.currency;
  const amount = money?.amount ?? order.subtotal_price;
  if (!currency || amount === undefined) throw new OrderPayloadError("Order has no subtotal in shop money");
  let minor = toMinorUnits(amount, currency);
  if (order.taxes_included) {
    for (const line of order.line_items ?? []) {
      for (const tax of line.tax_lines ?? []) {
        const t = tax.price_set?.shop_money?.amount ?? tax.price;
        if (t !== undefined) minor -= toMinorUnits(t, currency);
      }
    }
  }
  return { minor: Math.max(0, minor), currency };
}

export function pointsForOrder(order: OrderPayload, rule: PurchaseRule): EarnResult {
  if (!Number.isInteger(rule.pointsPerCurrencyUnit) || rule.pointsPerCurrencyUnit < 0) {
    throw new RangeError("pointsPerCurrencyUnit must be a non-negative integer");
  }
  const { minor, currency } = merchandiseBase(order);
  const unit = 10 ** currencyExponent(currency);
  // Integer arithmetic: floor(minor × rate / unit). Partial currency units earn nothing.
  const points = Math.floor((minor * rule.pointsPerCurrencyUnit) / unit);
  return {
    points,
    baseMinor: minor,
    currency,
    explanation: `${points} pts: ${rule.pointsPerCurrencyUnit} pt per 1 ${currency} on ${(minor / unit).toFixed(currencyExponent(currency))} ${currency}`,
  };
}
