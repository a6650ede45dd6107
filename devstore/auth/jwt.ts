import { createHmac, randomUUID } from "node:crypto";
import { safeEqual } from "./hmac.ts";

/** HS256 JWTs with node:crypto (jose is only a transitive dependency here). */
function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

export function signHs256(payload: Record<string, unknown>, secret: string): string {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(payload));
  const signature = createHmac("sha256", secret).update(`${header}.${body}`).digest("base64url");
  return `${header}.${body}.${signature}`;
}

export class JwtError extends Error {}

/** Verifies signature, alg, exp and nbf (with Shopify's library tolerance of 10 s). */
export function verifyHs256(token: string, secret: string, nowSec: number, toleranceSec = 10): Record<string, unknown> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtError("malformed token");
  const [header, body, signature] = parts as [string, string, string];
  let parsedHeader: { alg?: string };
  let payload: Record<string, unknown>;
  try {
    parsedHeader = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    throw new JwtError("malformed token");
  }
  if (parsedHeader.alg !== "HS256") throw new JwtError(`unexpected alg ${String(parsedHeader.alg)}`);
  const expected = createHmac("sha256", secret).update(`${header}.${body}`).digest("base64url");
  if (!safeEqual(expected, signature)) throw new JwtError("signature mismatch");
  if (typeof payload.exp === "number" && nowSec > payload.exp + toleranceSec) throw new JwtError("token expired");
  if (typeof payload.nbf === "number" && nowSec + toleranceSec < payload.nbf) throw new JwtError("token not yet valid");
  return payload;
}

export interface SessionTokenClaims {
  iss: string;
  dest: string;
  aud: string;
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid: string;
}

export interface MintSessionTokenOptions {
  shop: string;
  apiKey: string;
  secret: string;
  nowMs: number;
  /** Staff user id (App Bridge `sub`). Default "1". */
  userId?: string | number;
  /** Lifetime in seconds; App Bridge tokens live 60 s. */
  ttlSec?: number;
  sid?: string;
  /** Override any claim (e.g. a wrong aud) for negative tests. */
  overrides?: Partial<SessionTokenClaims> & Record<string, unknown>;
}

/** An App Bridge session token exactly as SIGNING.md §4 describes. */
export function mintSessionToken(options: MintSessionTokenOptions): { token: string; claims: SessionTokenClaims } {
  const now = Math.floor(options.nowMs / 1000);
  const claims: SessionTokenClaims = {
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    aud: options.apiKey,
    sub: String(options.userId ?? 1),
    exp: now + (options.ttlSec ?? 60),
    nbf: now,
    iat: now,
    jti: randomUUID(),
    sid: options.sid ?? randomUUID().replace(/-/g, ""),
    ...options.overrides,
  };
  return { token: signHs256(claims as unknown as Record<string, unknown>, options.secret), claims };
}

export type ExtensionSurface = "checkout" | "customer-account" | "pos";

export interface MintExtensionTokenOptions {
  surface: ExtensionSurface;
  shop: string;
  apiKey: string;
  secret: string;
  nowMs: number;
  /** checkout / customer accounts: the logged-in buyer (numeric id or gid); absent for a guest. */
  customerId?: number | string | null;
  /** POS: the staff member using the device. Default "1". */
  userId?: number | string;
  /** Lifetime in seconds: checkout and customer-account tokens live 5 minutes, POS tokens 60 s. */
  ttlSec?: number;
  overrides?: Record<string, unknown>;
}

/** A session token as Shopify gives a UI extension (`shopify.sessionToken.get()`): HS256 with the
 *  app secret, `aud` = client id, `dest` = the shop; checkout and customer-account tokens carry
 *  the buyer's customer gid in `sub` only when a buyer is logged in, POS tokens the staff user. */
export function mintExtensionToken(options: MintExtensionTokenOptions): { token: string; claims: Record<string, unknown> } {
  const now = Math.floor(options.nowMs / 1000);
  const pos = options.surface === "pos";
  const customer = options.customerId == null ? null : String(options.customerId).startsWith("gid://") ? String(options.customerId) : `gid://shopify/Customer/${options.customerId}`;
  const claims: Record<string, unknown> = {
    iss: `https://${options.shop}/admin`,
    dest: pos ? `https://${options.shop}` : options.shop,
    aud: options.apiKey,
    exp: now + (options.ttlSec ?? (pos ? 60 : 300)),
    nbf: now,
    iat: now,
    jti: randomUUID(),
    ...(pos ? { sub: String(options.userId ?? 1), sid: randomUUID().replace(/-/g, "") } : customer ? { sub: customer } : {}),
    ...options.overrides,
  };
  return { token: signHs256(claims, options.secret), claims };
}
