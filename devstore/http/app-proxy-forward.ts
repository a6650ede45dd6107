import type { IncomingMessage, ServerResponse } from "node:http";
import { signAppProxyQuery } from "../auth/app-proxy.ts";
import type { ShopState } from "../state/shop.ts";

export interface ProxyRoute {
  /** "/apps/loyalty": the storefront path prefix. */
  pathPrefix: string;
  /** Absolute URL requests are forwarded to, e.g. http://localhost:3000/proxy. */
  target: string;
}

export interface ProxyRequest {
  shop: ShopState;
  /** Path below the prefix, e.g. "/points" (may be empty). */
  subPath: string;
  query: URLSearchParams;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  customerId?: number | null;
  clientIp?: string;
}

/** Forwards a storefront app-proxy request the way Shopify does: signed query, no cookies, forwarded host. */
export async function forwardAppProxy(route: ProxyRoute, secret: string, nowMs: number, request: ProxyRequest): Promise<Response> {
  const signed = signAppProxyQuery(secret, request.query, {
    shop: request.shop.domain,
    loggedInCustomerId: request.customerId ?? null,
    pathPrefix: route.pathPrefix,
    timestampSec: Math.floor(nowMs / 1000),
  });
  const url = `${route.target.replace(/\/+$/, "")}${request.subPath}?${signed.toString()}`;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    const k = key.toLowerCase();
    if (["cookie", "host", "connection", "content-length", "x-devstore-customer-id", "transfer-encoding"].includes(k)) continue;
    headers[k] = value;
  }
  headers["x-forwarded-host"] = request.shop.domain;
  headers["x-forwarded-for"] = request.clientIp ?? "127.0.0.1";
  const hasBody = request.body !== undefined && !["GET", "HEAD"].includes(request.method.toUpperCase());
  const body = hasBody && request.body !== undefined ? (typeof request.body === "string" ? request.body : new Uint8Array(request.body)) : undefined;
  return fetch(url, { method: request.method, headers, body, redirect: "manual" });
}

/** Response headers Shopify does not pass from the app back to the storefront. */
const DROPPED_RESPONSE_HEADERS = ["content-encoding", "content-length", "transfer-encoding", "connection", "set-cookie", "keep-alive"];

/** Renders an application/liquid answer (the storefront does, with its Liquid objects). */
export type ProxyLiquidRenderer = (source: string) => Promise<{ body: string; contentType: string; status?: number }>;

/**
 * Sends the app's answer back to the storefront visitor. A `Content-Type: application/liquid`
 * answer is rendered by the storefront (inside the theme layout unless it starts with
 * {% layout none %}); anything else (JSON, HTML, redirects) passes through without cookies.
 */
export async function relayAppProxyResponse(res: ServerResponse, upstream: Response, renderLiquid?: ProxyLiquidRenderer): Promise<void> {
  const headers: Record<string, string> = {};
  upstream.headers.forEach((value, key) => {
    if (!DROPPED_RESPONSE_HEADERS.includes(key)) headers[key] = value;
  });
  const type = (upstream.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/liquid" && renderLiquid) {
    const rendered = await renderLiquid(await upstream.text());
    const body = Buffer.from(rendered.body, "utf8");
    res.writeHead(rendered.status ?? upstream.status, { ...headers, "content-type": rendered.contentType, "Content-Length": body.length });
    res.end(body);
    return;
  }
  const payload = Buffer.from(await upstream.arrayBuffer());
  res.writeHead(upstream.status, { ...headers, "Content-Length": payload.length });
  res.end(payload);
}

export function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) out[key] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}
