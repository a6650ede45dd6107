// The merchant API's door (docs/api.md): a Bearer API key names the shop and its scopes; each key
// has its own rate limit; bodies are small JSON. Every answer is JSON; errors carry a stable
// `code` beside the human `error` text.
import { z } from "zod";
import { database, type Database } from "~/db.server";
import { apiKeyFor, takeApiToken, type ApiKeyIdentity, type ApiScope, type RateDecision } from "~/models/api-keys.server";
import { API_BODY_LIMIT } from "../../server/limits";

export type ApiErrorCode =
  | "unauthorized"
  | "insufficient_scope"
  | "rate_limited"
  | "method_not_allowed"
  | "invalid_json"
  | "payload_too_large"
  | "validation_failed"
  | "not_found"
  | "ambiguous_email"
  | "insufficient_points"
  | "idempotency_key_reused"
  | "skipped"
  | "redemption_failed"
  | "member_cannot_redeem"
  | "conflict"
  | "shop_not_connected";

export const apiJson = (data: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers } });

/** `{"error": "…", "code": "…", …extra}` */
export const apiError = (status: number, code: ApiErrorCode, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  apiJson({ error: message, code, ...extra }, status, headers);

export const methodNotAllowed = (allow = "POST") => apiError(405, "method_not_allowed", `use ${allow}`, {}, { Allow: allow });

export function fieldErrors(issues: Array<{ path: Array<string | number | symbol>; message: string }>): Record<string, string> {
  return Object.fromEntries(issues.map((i) => [i.path.map(String).join(".") || "body", i.message]));
}

export const validationFailed = (what: string, errors: Record<string, string>) => apiError(422, "validation_failed", `invalid ${what}`, { fieldErrors: errors });

/** A Shopify id as the API accepts it: the number, or its GID. */
export function idInput(kind: "Customer" | "Product") {
  return z.union([z.string().regex(new RegExp(`^(gid://shopify/${kind}/)?\\d+$`), `must be a Shopify ${kind.toLowerCase()} id or GID`), z.number().int().positive()]);
}

export function toGid(kind: "Customer" | "Product", id: string | number): string {
  return `gid://shopify/${kind}/${String(id).replace(`gid://shopify/${kind}/`, "")}`;
}

export interface ApiContext {
  shop: string;
  key: ApiKeyIdentity;
  db: Database;
  /** the parsed JSON body (POST only) */
  body: unknown;
  /** rate-limit headers every answer carries */
  headers: Record<string, string>;
}

function rateHeaders(r: RateDecision): Record<string, string> {
  return { "X-RateLimit-Limit": String(r.limit), "X-RateLimit-Remaining": String(r.remaining), "X-RateLimit-Reset": String(r.resetSeconds) };
}

/** The API's clock (a function so tests can move it). */
export const apiClock = { now: () => Date.now() };

/**
 * Authenticates (401 missing, unknown or revoked key), rate-limits (429 with Retry-After),
 * checks the scope (403) and, for POST, reads the body (413 too large, 400 not JSON). Returns the
 * context or the answer to give.
 */
export async function apiRequest(request: Request, opts: { method: "GET" | "POST"; scope: ApiScope }): Promise<ApiContext | { response: Response }> {
  if (request.method !== opts.method) return { response: methodNotAllowed(opts.method) };
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const db = await database();
  const key = token ? await apiKeyFor(db.sql, token) : null;
  if (!key) return { response: apiError(401, "unauthorized", "missing, unknown or revoked API key", {}, { "WWW-Authenticate": 'Bearer realm="stammkunde"' }) };
  const rate = await takeApiToken(db.sql, key.id, apiClock.now());
  const headers = rateHeaders(rate);
  if (!rate.allowed) return { response: apiError(429, "rate_limited", `too many requests; try again in ${rate.retryAfterSeconds} s`, {}, { ...headers, "Retry-After": String(rate.retryAfterSeconds) }) };
  if (!key.scopes.includes(opts.scope)) return { response: apiError(403, "insufficient_scope", `this key lacks the "${opts.scope}" scope`, {}, headers) };
  let body: unknown = undefined;
  if (opts.method === "POST") {
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > API_BODY_LIMIT) return { response: apiError(413, "payload_too_large", `the body is larger than ${API_BODY_LIMIT} bytes`, {}, headers) };
    const text = await request.text();
    if (Buffer.byteLength(text) > API_BODY_LIMIT) return { response: apiError(413, "payload_too_large", `the body is larger than ${API_BODY_LIMIT} bytes`, {}, headers) };
    try {
      body = JSON.parse(text);
    } catch {
      return { response: apiError(400, "invalid_json", "body must be JSON", {}, headers) };
    }
  }
  return { shop: key.shop, key, db, body, headers };
}

/** Authenticates and validates a POST: the context and the parsed body, or the answer to give. */
export async function apiCall<T>(request: Request, schema: z.ZodType<T>, what: string, scope: ApiScope = "write"): Promise<(ApiContext & { data: T }) | { response: Response }> {
  const ctx = await apiRequest(request, { method: "POST", scope });
  if ("response" in ctx) return ctx;
  const parsed = schema.safeParse(ctx.body);
  if (!parsed.success) return { response: withHeaders(validationFailed(what, fieldErrors(parsed.error.issues)), ctx.headers) };
  return { ...ctx, data: parsed.data };
}

/** A POST that needs an Idempotency-Key: the body's and the header's errors in one 422. */
export async function apiCallWithKey<T>(request: Request, schema: z.ZodType<T>, what: string): Promise<(ApiContext & { data: T; idemKey: string }) | { response: Response }> {
  const ctx = await apiRequest(request, { method: "POST", scope: "write" });
  if ("response" in ctx) return ctx;
  const parsed = schema.safeParse(ctx.body);
  const key = idempotencyKey(request);
  const errors = { ...(parsed.success ? {} : fieldErrors(parsed.error.issues)), ...("error" in key ? { "Idempotency-Key": key.error } : {}) };
  if (!parsed.success || "error" in key) return { response: withHeaders(validationFailed(what, errors), ctx.headers) };
  return { ...ctx, data: parsed.data, idemKey: key.key };
}

export function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
  return response;
}

/** Opaque cursors: base64url of a small JSON object; anything else is a 422 on `cursor`. */
export function encodeCursor(after: number): string {
  return Buffer.from(JSON.stringify({ v: 1, after })).toString("base64url");
}

export function decodeCursor(cursor: string): number | null {
  try {
    const c = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { v?: unknown; after?: unknown };
    return c && c.v === 1 && Number.isSafeInteger(c.after) && (c.after as number) > 0 ? (c.after as number) : null;
  } catch {
    return null;
  }
}

/** `limit` and `cursor` from a query string, or field errors. */
export function pageParams(url: URL, max = 250, fallback = 50): { limit: number; after: number | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const rawLimit = url.searchParams.get("limit");
  let limit = fallback;
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > max) errors.limit = `must be a whole number from 1 to ${max}`;
    else limit = Number(rawLimit);
  }
  const rawCursor = url.searchParams.get("cursor");
  let after: number | null = null;
  if (rawCursor) {
    after = decodeCursor(rawCursor);
    if (after === null) errors.cursor = "is not a cursor this API gave out";
  }
  return { limit, after, errors };
}

/** The Idempotency-Key header: 1 to 150 visible ASCII characters. */
export function idempotencyKey(request: Request): { key: string } | { error: string } {
  const key = request.headers.get("idempotency-key");
  if (!key) return { error: "is required" };
  if (!/^[\x21-\x7e]{1,150}$/.test(key)) return { error: "must be 1 to 150 visible ASCII characters" };
  return { key };
}
