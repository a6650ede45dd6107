// Caps and budgets: a counter per (shop, key, period), consumed in the same transaction as the
// entry it limits. The row is locked while it is read and moved (FOR UPDATE on PostgreSQL; a
// SQLite write transaction already holds the database), so two postings can't both take the last
// of a budget.
import type { Queryable } from "~/lib/sql.server";

function now(q: Queryable): unknown {
  return q.dialect === "sqlite" ? Date.now() : new Date();
}

/** Creates the counter if needed, locks it for this transaction and returns what is used. */
export async function lockCounter(q: Queryable, shop: string, key: string, period: string): Promise<number> {
  await q.run(`INSERT INTO counters (shop, key, period, value, updated_at) VALUES (?, ?, ?, 0, ?) ON CONFLICT (shop, key, period) DO NOTHING`, [shop, key, period, now(q)]);
  const lock = q.dialect === "postgres" ? " FOR UPDATE" : "";
  const row = await q.get<{ value: number }>(`SELECT value FROM counters WHERE shop = ? AND key = ? AND period = ?${lock}`, [shop, key, period]);
  return Number(row?.value ?? 0);
}

/** Takes up to `requested` from a counter limited to `limit`; returns what was granted. */
export async function consume(q: Queryable, shop: string, key: string, period: string, requested: number, limit: number | undefined): Promise<number> {
  if (requested <= 0) return 0;
  const used = await lockCounter(q, shop, key, period);
  const granted = limit === undefined ? requested : Math.max(0, Math.min(requested, limit - used));
  if (granted > 0) {
    await q.run(`UPDATE counters SET value = value + ?, updated_at = ? WHERE shop = ? AND key = ? AND period = ?`, [granted, now(q), shop, key, period]);
  }
  return granted;
}

/** Gives back what a reversal undid (a cancelled order frees its share of a budget). */
export async function release(q: Queryable, shop: string, key: string, period: string, amount: number): Promise<void> {
  if (amount <= 0) return;
  await q.run(`UPDATE counters SET value = CASE WHEN value > ? THEN value - ? ELSE 0 END, updated_at = ? WHERE shop = ? AND key = ? AND period = ?`, [amount, amount, now(q), shop, key, period]);
}

export async function counterValue(q: Queryable, shop: string, key: string, period: string): Promise<number> {
  const row = await q.get<{ value: number }>(`SELECT value FROM counters WHERE shop = ? AND key = ? AND period = ?`, [shop, key, period]);
  return Number(row?.value ?? 0);
}
