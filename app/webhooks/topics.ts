// The webhook topics the app subscribes to (shopify.app.toml), in the Shopify library's storage
// form. A test keeps this list, the toml and the route files in step.
export const TOPICS = {
  ORDERS_PAID: "orders/paid",
  ORDERS_CANCELLED: "orders/cancelled",
  ORDERS_FULFILLED: "orders/fulfilled",
  REFUNDS_CREATE: "refunds/create",
  CUSTOMERS_CREATE: "customers/create",
  CUSTOMERS_UPDATE: "customers/update",
  CUSTOMERS_DELETE: "customers/delete",
  APP_UNINSTALLED: "app/uninstalled",
  APP_SCOPES_UPDATE: "app/scopes_update",
  CUSTOMERS_DATA_REQUEST: "customers/data_request",
  CUSTOMERS_REDACT: "customers/redact",
  SHOP_REDACT: "shop/redact",
} as const;

export type Topic = keyof typeof TOPICS;

export const COMPLIANCE_TOPICS: ReadonlySet<Topic> = new Set(["CUSTOMERS_DATA_REQUEST", "CUSTOMERS_REDACT", "SHOP_REDACT"]);

export function isTopic(t: string): t is Topic {
  return Object.prototype.hasOwnProperty.call(TOPICS, t);
}

/** /webhooks/orders/paid → ORDERS_PAID */
export function topicFromPath(pathname: string): Topic | null {
  const m = /^\/webhooks\/(.+?)\/?$/.exec(pathname);
  if (!m) return null;
  const t = m[1].toUpperCase().replace(/[/.]/g, "_");
  return isTopic(t) ? t : null;
}
