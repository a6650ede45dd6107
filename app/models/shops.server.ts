// Installed shops and their program settings.
import type { Queryable } from "~/lib/sql.server";

export interface ShopRow {
  domain: string;
  name: string | null;
  currency_code: string;
  iana_timezone: string;
  /** the merchant's program as JSON (app/domain/program.ts); null: the default program */
  program: string | null;
}

function now(q: Queryable): unknown {
  return q.dialect === "sqlite" ? Date.now() : new Date();
}

export async function ensureShop(q: Queryable, shop: string): Promise<ShopRow> {
  const existing = await q.get<ShopRow>(`SELECT * FROM shops WHERE domain = ?`, [shop]);
  if (existing) return normalise(existing);
  await q.run(
    `INSERT INTO shops (domain, currency_code, iana_timezone, installed_at) VALUES (?, 'EUR', 'UTC', ?) ON CONFLICT (domain) DO NOTHING`,
    [shop, now(q)],
  );
  const row = await q.get<ShopRow>(`SELECT * FROM shops WHERE domain = ?`, [shop]);
  if (!row) throw new Error(`shop ${shop} vanished`);
  return normalise(row);
}

function normalise(row: ShopRow): ShopRow {
  return { domain: row.domain, name: row.name, currency_code: row.currency_code, iana_timezone: row.iana_timezone, program: row.program ?? null };
}

export async function updateShopSettings(
  q: Queryable,
  shop: string,
  s: Partial<{ name: string; currencyCode: string; ianaTimezone: string; primaryDomain: string | null }>,
): Promise<void> {
  await ensureShop(q, shop);
  const sets: string[] = [];
  const params: unknown[] = [];
  const add = (col: string, v: unknown) => {
    sets.push(`${col} = ?`);
    params.push(v);
  };
  if (s.name !== undefined) add("name", s.name);
  if (s.currencyCode !== undefined) add("currency_code", s.currencyCode);
  if (s.ianaTimezone !== undefined) add("iana_timezone", s.ianaTimezone);
  if (s.primaryDomain !== undefined) add("primary_domain", s.primaryDomain);
  if (!sets.length) return;
  await q.run(`UPDATE shops SET ${sets.join(", ")} WHERE domain = ?`, [...params, shop]);
  // dates of expiry and tier windows are the shop's: a new timezone moves them
  if (s.ianaTimezone !== undefined) await q.run(`UPDATE members SET next_check_at = NULL WHERE shop = ? AND next_check_at IS NOT NULL`, [shop]);
}

/** app/uninstalled: the shop's access tokens are dead; its program data stays until shop/redact. */
export async function markUninstalled(q: Queryable, shop: string): Promise<void> {
  await q.run(`DELETE FROM sessions WHERE shop = ?`, [shop]);
  await q.run(`UPDATE shops SET uninstalled_at = ? WHERE domain = ?`, [now(q), shop]);
}

/** shop/redact: everything the app holds for the shop goes. */
export async function deleteShopData(q: Queryable, shop: string): Promise<void> {
  for (const table of [
    "ledger_entries", "earn_awards", "order_states", "order_refunds", "counters", "guest_orders", "api_keys",
    "redemptions", "rewards", "tier_changes", "memberships", "notification_deliveries", "notifications", "smtp_settings", "whatsapp_settings", "whatsapp_contacts", "whatsapp_inbound", "schedules", "referrals", "referral_friends", "referral_clicks", "referral_codes", "members", "webhook_deliveries", "reconciliation_runs", "data_requests", "sessions",
    "audit_log", "member_import_errors", "member_import_chunks", "member_imports",
    "webhook_endpoint_deliveries", "webhook_endpoints", "app_events", "flow_action_runs", "flow_trigger_usage", "api_idempotency",
  ]) {
    await q.run(`DELETE FROM ${table} WHERE shop = ?`, [shop]);
  }
  await q.run(`DELETE FROM jobs WHERE shop = ? AND status <> 'running'`, [shop]);
  await q.run(`DELETE FROM shops WHERE domain = ?`, [shop]);
}
