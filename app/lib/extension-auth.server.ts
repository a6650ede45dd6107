// The door for the app's UI extensions (customer accounts, checkout and thank-you, POS): every
// request carries the extension's session token, which Shopify's library verifies
// (authenticate.public.checkout / customerAccount / pos: HS256 with the app secret, exp and nbf).
// The shop is the token's `dest`; the shopper is the token's `sub` and nothing else — a customer id
// in the body or query is never read for checkout and customer accounts. POS staff act for the
// customer at the counter, so there the customer comes from the request, within the token's shop.
import { ADMIN_TIMEOUT_MS, withTimeout, type AdminGraphql } from "~/services/shopify/client.server";
import { throttledAdmin } from "~/services/shopify/throttle.server";
import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { env } from "~/lib/env.server";
import { authenticate, unauthenticated } from "~/shopify.server";

export type ExtensionSurface = "checkout" | "customer-account" | "pos";

export interface ExtensionContext {
  surface: ExtensionSurface;
  shop: string;
  /** checkout / customer accounts: the logged-in buyer (gid://shopify/Customer/N); null for a guest or POS */
  customerGid: string | null;
  /** POS: the staff member signed in on the device (the token's sub) */
  staffUserId: string | null;
  /** Adds the CORS headers Shopify's extension origins need (the library's helper). */
  cors: (response: Response) => Response;
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;
const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/\d+$/;

/** A response the extension can read across origins (errors too, or the browser hides the status). */
export function withCors(request: Request, response: Response): Response {
  if (request.headers.get("Origin") && !response.headers.has("Access-Control-Allow-Origin")) {
    const headers = new Headers(response.headers);
    headers.set("Access-Control-Allow-Origin", "*");
    headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
  return response;
}

/** The shop a token is for: `dest` is `shop.myshopify.com` (checkout, customer accounts) or
 *  `https://shop.myshopify.com` (POS, admin); null when it is neither. */
export function shopOfDest(dest: unknown): string | null {
  if (typeof dest !== "string") return null;
  const host = dest.replace(/^https:\/\//, "").replace(/\/$/, "");
  return SHOP_DOMAIN.test(host) ? host.toLowerCase() : null;
}

/**
 * Verifies the request's session token; throws a Response otherwise: OPTIONS → 204 preflight with
 * CORS; no, bad or expired token → 401; a token for another app → 401. The library checks the
 * signature (our secret) but not the audience for extension tokens, so `aud` is checked here too.
 */
export async function extensionContext(request: Request, surface: ExtensionSurface): Promise<ExtensionContext> {
  const verify = surface === "checkout" ? authenticate.public.checkout : surface === "customer-account" ? authenticate.public.customerAccount : authenticate.public.pos;
  let result: Awaited<ReturnType<typeof verify>>;
  try {
    result = await verify(request);
  } catch (error) {
    if (error instanceof Response) throw withCors(request, error);
    throw error;
  }
  const { sessionToken, cors } = result;
  const unauthorized = () => withCors(request, new Response("Unauthorized", { status: 401 }));
  if (sessionToken.aud !== env().SHOPIFY_API_KEY) throw unauthorized();
  const shop = shopOfDest(sessionToken.dest);
  if (!shop) throw unauthorized();
  const sub = typeof sessionToken.sub === "string" ? sessionToken.sub : null;
  return {
    surface,
    shop,
    customerGid: surface !== "pos" && sub && CUSTOMER_GID.test(sub) ? sub : null,
    staffUserId: surface === "pos" ? sub : null,
    cors,
  };
}

/** The shop's Admin API (its offline session), or null when the shop has none (not installed). */
export async function extensionAdmin(shop: string): Promise<AdminGraphql | null> {
  try {
    const { admin } = await unauthenticated.admin(shop);
    return throttledAdmin(shop, withTimeout((query, options) => admin.graphql(query, options), ADMIN_TIMEOUT_MS));
  } catch (error) {
    if (error instanceof SessionNotFoundError) return null;
    throw error;
  }
}

/** JSON for an extension: personal, never cached, readable across origins. */
export function extensionJson(ctx: Pick<ExtensionContext, "cors">, data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "private, no-store");
  return ctx.cors(new Response(JSON.stringify(data), { ...init, headers }));
}
