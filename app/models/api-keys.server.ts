// Keys for the merchant's own systems (review apps, CRMs, POS) to call the app's API. Only a
// SHA-256 of each key is stored; the key itself is shown once, when it is made. Each key has
// scopes (read, write), a last-used time and its own token bucket for the rate limit
// (docs/decisions/0021-api-v1.md).
import { createHash, randomBytes } from "node:crypto";
import type { Queryable } from "~/lib/sql.server";
import { keyset, pageSize, toPage, type Cursor, type Page } from "~/lib/paging.server";
import { toDate } from "~/lib/sql.server";

const hash = (key: string) => createHash("sha256").update(key).digest("hex");

export type ApiScope = "read" | "write";
export const API_SCOPES: ApiScope[] = ["read", "write"];
/** Requests a key may make per minute unless it was made with another rate; also the burst. */
export const DEFAULT_RATE_PER_MINUTE = 120;

const now = (q: Queryable) => (q.dialect === "sqlite" ? Date.now() : new Date());

export function parseScopes(text: string | null | undefined): ApiScope[] {
  return API_SCOPES.filter((s) => String(text ?? "").split(",").map((x) => x.trim()).includes(s));
}

export async function createApiKey(
  q: Queryable,
  shop: string,
  label: string | null = null,
  opts: { scopes?: ApiScope[]; ratePerMinute?: number } = {},
): Promise<{ key: string; prefix: string }> {
  const key = `stk_${randomBytes(24).toString("base64url")}`;
  const prefix = key.slice(0, 10);
  const scopes = API_SCOPES.filter((s) => (opts.scopes ?? API_SCOPES).includes(s));
  if (!scopes.length) throw new RangeError("a key needs at least one scope");
  await q.run(`INSERT INTO api_keys (shop, prefix, key_hash, label, created_at, scopes, rate_per_minute) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
    shop, prefix, hash(key), label, now(q), scopes.join(","), opts.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
  ]);
  return { key, prefix };
}

export interface ApiKeyIdentity {
  id: number;
  shop: string;
  prefix: string;
  scopes: ApiScope[];
}

/** The key's identity, or null for an unknown or revoked key. */
export async function apiKeyFor(q: Queryable, key: string): Promise<ApiKeyIdentity | null> {
  if (!/^stk_[\w-]{20,64}$/.test(key)) return null;
  const row = await q.get<{ id: number; shop: string; prefix: string; scopes: string }>(`SELECT id, shop, prefix, scopes FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`, [hash(key)]);
  return row ? { id: Number(row.id), shop: row.shop, prefix: row.prefix, scopes: parseScopes(row.scopes) } : null;
}

/** The shop a key belongs to, or null for an unknown or revoked key. */
export async function shopForApiKey(q: Queryable, key: string): Promise<string | null> {
  return (await apiKeyFor(q, key))?.shop ?? null;
}

export async function revokeApiKey(q: Queryable, shop: string, prefix: string): Promise<boolean> {
  const r = await q.run(`UPDATE api_keys SET revoked_at = ? WHERE shop = ? AND prefix = ? AND revoked_at IS NULL`, [now(q), shop, prefix]);
  return r.changes > 0;
}

export interface ApiKeyListItem {
  prefix: string;
  label: string | null;
  scopes: ApiScope[];
  ratePerMinute: number;
  createdAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The shop's keys, newest first, a keyset page (lib/paging); never the key or its hash. */
export async function listApiKeys(q: Queryable, shop: string, opts: { cursor?: Cursor; limit?: number } = {}): Promise<Page<ApiKeyListItem>> {
  const limit = pageSize(opts.limit, 50);
  const k = keyset(opts.cursor ?? null, "id");
  const rows = await q.all<{ id: number; prefix: string; label: string | null; scopes: string; rate_per_minute: number; created_at: unknown; last_used_at: unknown; revoked_at: unknown }>(
    `SELECT id, prefix, label, scopes, rate_per_minute, created_at, last_used_at, revoked_at FROM api_keys WHERE shop = ?${k.where} ORDER BY id ${k.order} LIMIT ?`,
    [shop, ...k.params, limit + 1],
  );
  const page = toPage(rows, limit, opts.cursor ?? null, (r) => Number(r.id));
  return { ...page, items: page.items.map((r) => ({
    prefix: r.prefix,
    label: r.label,
    scopes: parseScopes(r.scopes),
    ratePerMinute: Number(r.rate_per_minute),
    createdAt: toDate(r.created_at)?.toISOString() ?? null,
    lastUsedAt: toDate(r.last_used_at)?.toISOString() ?? null,
    revokedAt: toDate(r.revoked_at)?.toISOString() ?? null,
  })) };
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** whole requests left right now */
  remaining: number;
  /** seconds until the bucket is full again */
  resetSeconds: number;
  /** seconds until the next request is allowed (0 when allowed) */
  retryAfterSeconds: number;
}

/**
 * Takes one token from the key's bucket (holds `rate_per_minute`, refills at that rate), and
 * records the use. One conditional UPDATE, so every process of the app shares the bucket and two
 * requests can't both take the last token. `nowMs` is the caller's clock.
 */
export async function takeApiToken(q: Queryable, keyId: number, nowMs: number): Promise<RateDecision> {
  // the tokens now: a new bucket is full; refilled continuously, never above the rate
  const refilled = `(CASE WHEN rate_tokens IS NULL OR rate_at IS NULL THEN rate_per_minute
      WHEN ? <= rate_at THEN rate_tokens
      WHEN rate_tokens + (? - rate_at) * rate_per_minute / 60000.0 >= rate_per_minute THEN rate_per_minute
      ELSE rate_tokens + (? - rate_at) * rate_per_minute / 60000.0 END)`;
  const t = [nowMs, nowMs, nowMs];
  const row = await q.get<{ rate_tokens: number; rate_per_minute: number }>(
    `UPDATE api_keys SET rate_tokens = ${refilled} - 1, rate_at = CASE WHEN rate_at IS NULL OR ? > rate_at THEN ? ELSE rate_at END, last_used_at = ?
      WHERE id = ? AND ${refilled} >= 1 RETURNING rate_tokens, rate_per_minute`,
    [...t, nowMs, nowMs, now(q), keyId, ...t],
  );
  if (row) {
    const limit = Number(row.rate_per_minute);
    const tokens = Number(row.rate_tokens);
    return { allowed: true, limit, remaining: Math.max(0, Math.floor(tokens)), resetSeconds: Math.ceil(((limit - tokens) * 60) / limit), retryAfterSeconds: 0 };
  }
  const cur = await q.get<{ rate_tokens: number | null; rate_at: number | string | null; rate_per_minute: number }>(`SELECT rate_tokens, rate_at, rate_per_minute FROM api_keys WHERE id = ?`, [keyId]);
  const limit = Number(cur?.rate_per_minute ?? DEFAULT_RATE_PER_MINUTE);
  const at = Number(cur?.rate_at ?? nowMs);
  const tokens = Math.min(limit, Number(cur?.rate_tokens ?? limit) + (Math.max(0, nowMs - at) * limit) / 60000);
  return {
    allowed: false,
    limit,
    remaining: 0,
    resetSeconds: Math.ceil(((limit - tokens) * 60) / limit),
    retryAfterSeconds: Math.max(1, Math.ceil(((1 - tokens) * 60) / limit)),
  };
}
