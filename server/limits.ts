// Request body limits for everything that isn't a webhook (the webhook path has its own). A body
// must declare its length (browsers, Shopify's app proxy and Shopify's extensions all do), so a
// request that is too large is turned away before a byte of it is read.
import type { IncomingMessage } from "node:http";

/** Most bodies are small JSON or form posts. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Paths that take file uploads (the member import's CSV). */
export const UPLOAD_BODY_LIMIT = 200 * 1024 * 1024;
const UPLOAD_PATHS = [/^\/app\/import(?:[/?]|$)/];
/** The merchant API (docs/api.md) takes small JSON bodies only. */
export const API_BODY_LIMIT = 64 * 1024;
const API_PATHS = [/^\/api\/v1(?:[/?]|$)/];

export function bodyLimitFor(url: string | undefined): number {
  if (API_PATHS.some((p) => p.test(url ?? ""))) return API_BODY_LIMIT;
  return UPLOAD_PATHS.some((p) => p.test(url ?? "")) ? UPLOAD_BODY_LIMIT : DEFAULT_BODY_LIMIT;
}

/** null when the request may go on; else the status and reason to answer with. */
export function checkBody(req: Pick<IncomingMessage, "headers" | "url" | "method">): { status: 411 | 413; reason: string } | null {
  const length = req.headers["content-length"];
  const chunked = /chunked/i.test(String(req.headers["transfer-encoding"] ?? ""));
  if (length === undefined) return chunked ? { status: 411, reason: "a request body must declare its Content-Length" } : null;
  const n = Number(length);
  if (!Number.isFinite(n) || n < 0) return { status: 411, reason: "Content-Length is not a number" };
  if (n > bodyLimitFor(req.url)) return { status: 413, reason: `the body is larger than ${bodyLimitFor(req.url)} bytes` };
  return null;
}
