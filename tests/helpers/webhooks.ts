// Builds webhook deliveries the way Shopify signs them (SIGNING.md §1): base64 HMAC-SHA256 of the
// raw body with the app secret, plus the X-Shopify-* headers. This is the sender's side; the app
// under test verifies through Shopify's library.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const TEST_SECRET = "test-app-secret";
export const TEST_API_KEY = "test-api-key";

export interface DeliveryOptions {
  topic: string;
  shop: string;
  body: string | object;
  secret?: string;
  eventId?: string;
  webhookId?: string;
  apiVersion?: string | null;
  hmac?: string | null;
}

export function signedDelivery(o: DeliveryOptions): { headers: Record<string, string>; body: string } {
  const body = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
  const hmac = o.hmac === undefined ? createHmac("sha256", o.secret ?? TEST_SECRET).update(body, "utf8").digest("base64") : o.hmac;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-shopify-topic": o.topic,
    "x-shopify-shop-domain": o.shop,
    "x-shopify-webhook-id": o.webhookId ?? randomUUID(),
    "x-shopify-event-id": o.eventId ?? randomUUID(),
    "x-shopify-triggered-at": new Date().toISOString(),
  };
  if (o.apiVersion !== null) headers["x-shopify-api-version"] = o.apiVersion ?? "2026-01";
  if (hmac !== null) headers["x-shopify-hmac-sha256"] = hmac;
  return { headers, body };
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(process.cwd(), "tests", "fixtures", "webhooks", name), "utf8"));
}

let orderSeq = 5_000_000_000;
/** Shopify's documented orders/paid sample, made into a distinct order for a given customer. */
export function paidOrder(customerId: number | null, subtotal = "398.00", currency = "EUR"): Record<string, unknown> {
  const o = fixture("orders-paid.json");
  const id = ++orderSeq;
  const money = (amount: string) => ({ shop_money: { amount, currency_code: currency }, presentment_money: { amount, currency_code: currency } });
  const line = (o.line_items as Array<Record<string, unknown>>)[0];
  return {
    ...o,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    currency,
    subtotal_price: subtotal,
    subtotal_price_set: money(subtotal),
    current_subtotal_price_set: money(subtotal),
    total_line_items_price_set: money(subtotal),
    total_discounts_set: money("0.00"),
    line_items: [{ ...line, id: id * 10, admin_graphql_api_id: `gid://shopify/LineItem/${id * 10}`, price: subtotal, price_set: money(subtotal), quantity: 1, current_quantity: 1 }],
    customer:
      customerId === null
        ? null
        : { ...(o.customer as object), id: customerId, admin_graphql_api_id: `gid://shopify/Customer/${customerId}`, email: `c${customerId}@example.com` },
  };
}

/** A refunds/create payload for some of an order's lines (Shopify's REST shape). */
export function refundOf(order: Record<string, unknown>, lines: Array<{ index: number; quantity: number }>, id = ++orderSeq): Record<string, unknown> {
  const items = order.line_items as Array<Record<string, unknown>>;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Refund/${id}`,
    order_id: order.id,
    created_at: new Date().toISOString(),
    note: null,
    restock: true,
    refund_line_items: lines.map(({ index, quantity }) => ({
      id: id * 10 + index,
      line_item_id: items[index].id,
      quantity,
      restock_type: "return",
      subtotal: items[index].price,
      subtotal_set: items[index].price_set,
      total_tax: "0.00",
      line_item: items[index],
    })),
    transactions: [],
    order_adjustments: [],
  };
}

/** An order with the given lines (unit price, quantity) for a customer, taxes excluded. */
export function orderWithLines(customerId: number | null, lines: Array<{ price: string; quantity: number; productId?: number }>, currency = "EUR"): Record<string, unknown> & { id: number; admin_graphql_api_id: string } {
  const o = paidOrder(customerId, "0.00", currency) as Record<string, unknown> & { id: number; admin_graphql_api_id: string };
  const money = (amount: string) => ({ shop_money: { amount, currency_code: currency }, presentment_money: { amount, currency_code: currency } });
  const template = (o.line_items as Array<Record<string, unknown>>)[0];
  let subtotal = 0;
  o.line_items = lines.map((l, i) => {
    subtotal += Math.round(Number(l.price) * 100) * l.quantity;
    return {
      ...template,
      id: o.id * 10 + i,
      admin_graphql_api_id: `gid://shopify/LineItem/${o.id * 10 + i}`,
      price: l.price,
      price_set: money(l.price),
      quantity: l.quantity,
      current_quantity: l.quantity,
      product_id: l.productId ?? 632910392 + i,
      variant_id: 808950810 + i,
      tax_lines: [],
      discount_allocations: [],
      gift_card: false,
    };
  });
  const amount = (subtotal / 100).toFixed(2);
  Object.assign(o, { subtotal_price: amount, subtotal_price_set: money(amount), current_subtotal_price_set: money(amount), total_line_items_price_set: money(amount), total_discounts_set: money("0.00"), taxes_included: false });
  return o;
}
