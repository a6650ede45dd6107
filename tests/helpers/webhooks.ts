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
  return {
    ...o,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    currency,
    subtotal_price: subtotal,
    subtotal_price_set: money(subtotal),
    current_subtotal_price_set: money(subtotal),
    customer:
      customerId === null
        ? null
        : { ...(o.customer as object), id: customerId, admin_graphql_api_id: `gid://shopify/Customer/${customerId}`, email: `c${customerId}@example.com` },
  };
}
