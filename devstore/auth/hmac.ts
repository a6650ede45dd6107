import { createHmac, timingSafeEqual } from "node:crypto";

/** base64 HMAC-SHA256 of the exact bytes, keyed with the app secret (webhooks, flow actions). */
export function hmacBase64(secret: string, body: string | Buffer): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

/** lowercase hex HMAC-SHA256 (app proxy signature, OAuth/admin query hmac). */
export function hmacHex(secret: string, message: string): string {
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The admin-signed query string (SIGNING.md §3): drop hmac and signature, sort keys, re-encode as
 * a normal query with percent-encoding (spaces as %20), hex HMAC.
 */
export function adminQueryMessage(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== "hmac" && k !== "signature")
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k]!)}`)
    .join("&");
}

export function signAdminQuery(secret: string, params: Record<string, string>): string {
  return hmacHex(secret, adminQueryMessage(params));
}
