// Configuration for development and tests only: SHOPIFY_ADMIN_ORIGIN sends the calls Shopify's
// library makes to https://{shop}.myshopify.com/… (Admin API, token exchange) to another origin —
// the offline store — naming the shop in X-Forwarded-Host. Every other line of the app is the
// production code path; unset, nothing changes.
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

export function shopFetchTo(origin: string, base: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
  const target = new URL(origin);
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (!url.hostname.endsWith(".myshopify.com")) return base(request);
    const headers = new Headers(request.headers);
    headers.set("X-Forwarded-Host", url.host);
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    return base(new URL(url.pathname + url.search, target), { method: request.method, headers, body, redirect: "manual", signal: request.signal });
  }) as typeof fetch;
}

export function routeShopsTo(origin: string | undefined): void {
  if (origin) setAbstractFetchFunc(shopFetchTo(origin));
}

/**
 * Shopify's library lets only the shop's and Shopify's admin origins frame the app
 * (Content-Security-Policy frame-ancestors). With SHOPIFY_ADMIN_ORIGIN set, the offline store's
 * admin is allowed as well; unset, the header is left exactly as the library wrote it.
 */
export function allowAdminFrame(headers: Headers, origin: string | undefined): void {
  if (!origin) return;
  const csp = headers.get("Content-Security-Policy");
  if (!csp || !/frame-ancestors/.test(csp)) return;
  headers.set("Content-Security-Policy", csp.replace(/frame-ancestors([^;]*)/, (_, list: string) => `frame-ancestors${list} ${new URL(origin).origin}`));
}
