/**
 * A fetch that sends every request for a *.myshopify.com host to the devstore instead, keeping the
 * path and query and naming the shop in X-Forwarded-Host. Other hosts go to `passthrough`.
 *
 * Point an app built on @shopify/shopify-api at the devstore (dev and tests only):
 *   import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
 *   setAbstractFetchFunc(createDevStoreFetch(process.env.DEVSTORE_URL!));
 * (after the Shopify adapter import, which sets the default fetch).
 */
export function createDevStoreFetch(
  devstoreUrl: string,
  options: { passthrough?: typeof fetch; hostPattern?: RegExp } = {},
): typeof fetch {
  const base = new URL(devstoreUrl);
  const pattern = options.hostPattern ?? /\.myshopify\.com$/i;
  const passthrough = options.passthrough ?? globalThis.fetch.bind(globalThis);
  const devFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (!pattern.test(url.hostname)) return passthrough(request);
    const target = new URL(url.pathname + url.search, base);
    const headers = new Headers(request.headers);
    headers.set("X-Forwarded-Host", url.host);
    const hasBody = !["GET", "HEAD"].includes(request.method);
    return passthrough(target, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: "manual",
      signal: request.signal,
    });
  };
  return devFetch as typeof fetch;
}
