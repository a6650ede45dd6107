// Meta's webhook signature: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256 of the raw request
// body with the app secret. Compared in constant time; anything malformed is simply "not signed".
import { createHmac, timingSafeEqual } from "node:crypto";

export function metaSignature(rawBody: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}`;
}

export function verifyMetaSignature(rawBody: string | Buffer, header: string | null, appSecret: string): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header.trim())) return false;
  const given = Buffer.from(header.trim().slice(7).toLowerCase(), "hex");
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
