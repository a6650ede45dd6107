// Outbound webhook signatures (docs/api.md): our own HMAC, computed and compared with node:crypto.
import { createHmac, timingSafeEqual } from "node:crypto";

// Signing: `Stammkunde-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`

export const SIGNATURE_HEADER = "Stammkunde-Signature";
/** How far a receiver should accept the timestamp from its own clock. */
export const SIGNATURE_TOLERANCE_S = 300;

export function signBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`, "utf8").digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver does (docs/api.md has the same in a few lines): parse, recompute, compare in constant time, check the age. */
export function verifySignature(secret: string, body: string, header: string | null | undefined, nowSeconds: number, toleranceS = SIGNATURE_TOLERANCE_S): boolean {
  if (!header) return false;
  const parts = new Map<string, string[]>();
  for (const p of header.split(",")) {
    const i = p.indexOf("=");
    if (i <= 0) continue;
    const k = p.slice(0, i).trim();
    parts.set(k, [...(parts.get(k) ?? []), p.slice(i + 1).trim()]);
  }
  const t = Number(parts.get("t")?.[0]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceS) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`, "utf8").digest("hex"), "utf8");
  return (parts.get("v1") ?? []).some((sig) => {
    const got = Buffer.from(sig, "utf8");
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}
