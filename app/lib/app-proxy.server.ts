// The storefront's door: requests through Shopify's app proxy, verified by the library
// (authenticate.public.appProxy). The shop and the shopper come only from the signed query.
import { ADMIN_TIMEOUT_MS, withTimeout, type AdminGraphql } from "~/services/shopify/client.server";
import { throttledAdmin } from "~/services/shopify/throttle.server";
import { authenticate } from "~/shopify.server";

export interface ProxyContext {
  shop: string;
  /** gid://shopify/Customer/N of the logged-in shopper, or null for a guest */
  customerGid: string | null;
  locale: string | null;
  /** the shop's Admin API (offline session), or null when the shop has no session */
  admin: AdminGraphql | null;
}

/** Verifies the signature; an unsigned or tampered request gets 401 and nothing else happens. */
export async function proxyContext(request: Request): Promise<ProxyContext> {
  const url = new URL(request.url);
  if (!url.searchParams.get("signature")) throw new Response("unsigned", { status: 401 });
  let admin: AdminGraphql | null = null;
  try {
    const context = await authenticate.public.appProxy(request);
    const shop = new URL(request.url).searchParams.get("shop");
    if (context.admin && shop) {
      const client = context.admin;
      admin = throttledAdmin(shop, withTimeout((query, options) => client.graphql(query, options), ADMIN_TIMEOUT_MS));
    }
  } catch (error) {
    if (error instanceof Response && error.status >= 500) throw error;
    throw new Response("invalid signature", { status: 401 });
  }
  const shop = url.searchParams.get("shop");
  if (!shop) throw new Response("invalid signature", { status: 401 });
  const customerId = url.searchParams.get("logged_in_customer_id");
  return {
    shop,
    customerGid: customerId && /^\d+$/.test(customerId) ? `gid://shopify/Customer/${customerId}` : null,
    // the storefront's language, which the panel sends (Shopify forwards the query and signs it);
    // the browser's Accept-Language otherwise
    locale: url.searchParams.get("locale") || request.headers.get("accept-language"),
    admin,
  };
}

/** Shopper data is personal: never cached by a shared cache. */
export function privateJson(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "private, no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}

/** The shopper's address as Shopify's proxy forwards it (the first X-Forwarded-For entry). Only
 *  ever stored hashed (referral clicks and velocity checks). */
export function clientIp(request: Request): string | null {
  const first = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return first || null;
}
