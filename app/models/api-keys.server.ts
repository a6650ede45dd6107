// Keys for the merchant's own systems (review apps, CRMs, POS) to call the app's API. Only a
// SHA-256 of each key is stored; the key itself is shown once, when it is made.
import { createHash, randomBytes } from "node:crypto";
import type { Queryable } from "~/lib/sql.server";

const hash = (key: string) => createHash("sha256").update(key).digest("hex");

export async function createApiKey(q: Queryable, shop: string, label: string | null = null): Promise<{ key: string; prefix: string }> {
  const key = `stk_${randomBytes(24).toString("base64url")}`;
  const prefix = key.slice(0, 10);
  await q.run(`INSERT INTO api_keys (shop, prefix, key_hash, label, created_at) VALUES (?, ?, ?, ?, ?)`, [
    shop, prefix, hash(key), label, q.dialect === "sqlite" ? Date.now() : new Date(),
  ]);
  return { key, prefix };
}

/** The shop a key belongs to, or null for an unknown or revoked key. */
export async function shopForApiKey(q: Queryable, key: string): Promise<string | null> {
  if (!/^stk_[\w-]{20,64}$/.test(key)) return null;
  const row = await q.get<{ shop: string }>(`SELECT shop FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`, [hash(key)]);
  return row?.shop ?? null;
}

export async function revokeApiKey(q: Queryable, shop: string, prefix: string): Promise<boolean> {
  const r = await q.run(`UPDATE api_keys SET revoked_at = ? WHERE shop = ? AND prefix = ? AND revoked_at IS NULL`, [q.dialect === "sqlite" ? Date.now() : new Date(), shop, prefix]);
  return r.changes > 0;
}
