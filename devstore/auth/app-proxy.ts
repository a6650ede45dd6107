import { hmacHex } from "./hmac.ts";

/**
 * App proxy signature (SIGNING.md §2): decode params, drop `signature` (and `hmac`), join repeated
 * keys with ",", sort by key, concatenate key=value with no separator, lowercase hex HMAC-SHA256.
 */
export function appProxyMessage(params: URLSearchParams | [string, string][]): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params instanceof URLSearchParams ? [...params.entries()] : params) {
    if (key === "signature" || key === "hmac") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  return [...grouped.entries()]
    .map(([key, values]) => `${key}=${values.join(",")}`)
    // The library that verifies (shopify-api validateHmac) orders keys with localeCompare.
    .sort((a, b) => a.slice(0, a.indexOf("=")).localeCompare(b.slice(0, b.indexOf("="))))
    .join("");
}

export function appProxySignature(secret: string, params: URLSearchParams | [string, string][]): string {
  return hmacHex(secret, appProxyMessage(params));
}

export interface AppProxyParams {
  shop: string;
  /** Numeric id of the logged-in customer; empty when nobody is logged in. */
  loggedInCustomerId?: string | number | null;
  pathPrefix: string;
  timestampSec: number;
}

/**
 * The query Shopify sends to the proxy URL: the storefront request's own query plus
 * logged_in_customer_id, path_prefix, shop, timestamp and signature.
 */
export function signAppProxyQuery(secret: string, original: URLSearchParams, params: AppProxyParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of original) {
    if (!["signature", "hmac", "shop", "timestamp", "path_prefix", "logged_in_customer_id"].includes(key)) out.append(key, value);
  }
  out.append("shop", params.shop);
  out.append("logged_in_customer_id", params.loggedInCustomerId == null ? "" : String(params.loggedInCustomerId));
  out.append("path_prefix", params.pathPrefix);
  out.append("timestamp", String(params.timestampSec));
  out.append("signature", appProxySignature(secret, out));
  return out;
}
