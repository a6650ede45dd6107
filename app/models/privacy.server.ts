// GDPR duties: produce what we hold about a customer, and erase it on request while keeping the
// ledger's anonymous totals (points outstanding are the merchant's liability).
import { createHash } from "node:crypto";
import type { Queryable } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { findMemberByCustomer, listEntries } from "./ledger.server";
import { redactReferrals, referralReport } from "./referrals.server";

export async function buildDataReport(q: Queryable, shop: string, customerGid: string, email?: string | null) {
  const member = await findMemberByCustomer(q, shop, customerGid);
  const referrals = await referralReport(q, shop, customerGid, email);
  // business events name the customer (decision 0024: kept 30 days, and only if Flow or a webhook wanted them)
  const eventRows = await q.all<{ kind: string; payload: string; created_at: unknown }>(`SELECT kind, payload, created_at FROM app_events WHERE shop = ? AND customer_gid = ? ORDER BY id`, [shop, customerGid]);
  const events = eventRows.map((e) => ({ kind: e.kind, createdAt: toDate(e.created_at)?.toISOString() ?? null, data: JSON.parse(e.payload) as unknown }));
  if (!member) return { shop, customer: customerGid, member: null, entries: [], referrals, events };
  const entries = await listEntries(q, shop, member.id, 100_000);
  return {
    shop,
    customer: customerGid,
    member: {
      email: member.email,
      firstName: member.first_name,
      lastName: member.last_name,
      pointsAvailable: member.points_available,
      pointsPending: member.points_pending,
      lifetimeEarned: member.lifetime_earned,
    },
    entries: entries.map((e) => ({ points: e.points, bucket: e.bucket, kind: e.kind, reason: e.reason, source: e.source_id, note: e.note })),
    referrals,
    events,
  };
}

export async function recordDataRequest(q: Queryable, shop: string, customerGid: string, requestId: string, email?: string | null): Promise<void> {
  const report = await buildDataReport(q, shop, customerGid, email);
  await q.run(
    `INSERT INTO data_requests (shop, customer_gid, request_id, report, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (shop, request_id) DO NOTHING`,
    [shop, customerGid, requestId, JSON.stringify(report), q.dialect === "sqlite" ? Date.now() : new Date()],
  );
}

/** Erases a customer's personal data. The member row stays under an opaque id with its totals.
 *  Entries keep their points; where their source or idempotency key names the customer (signup,
 *  birthday and action keys) the customer's id is replaced by the same opaque id — a one-to-one
 *  swap, so keys stay unique — and so are rate-limit counter keys (docs/decisions/0023). */
export async function redactCustomer(q: Queryable, shop: string, customerGid: string, email?: string | null): Promise<boolean> {
  const opaque = `redacted:${createHash("sha256").update(`${shop}\u0000${customerGid}`).digest("hex").slice(0, 24)}`;
  const member = await findMemberByCustomer(q, shop, customerGid);
  await redactReferrals(q, shop, customerGid, email ?? member?.email, member ? member.id : null);
  if (member) {
    // the WhatsApp number, its consent and what the member wrote (decision 0019)
    const contact = await q.get<{ phone: string }>(`SELECT phone FROM whatsapp_contacts WHERE shop = ? AND member_id = ?`, [shop, member.id]);
    if (contact) await q.run(`DELETE FROM whatsapp_inbound WHERE shop = ? AND phone = ?`, [shop, contact.phone]);
    await q.run(`DELETE FROM whatsapp_contacts WHERE shop = ? AND member_id = ?`, [shop, member.id]);
  }
  const r = await q.run(
    `UPDATE members SET customer_gid = ?, email = NULL, first_name = NULL, last_name = NULL, search_email = NULL, search_first = NULL, search_last = NULL, birthday = NULL, imported_referral_code = NULL, redacted_at = ? WHERE shop = ? AND customer_gid = ?`,
    [opaque, q.dialect === "sqlite" ? Date.now() : new Date(), shop, customerGid],
  );
  await q.run(`UPDATE data_requests SET report = '{"redacted":true}' WHERE shop = ? AND customer_gid = ?`, [shop, customerGid]);
  // business events name the customer: they and their outbound deliveries go (jobs still queued for them find nothing)
  await q.run(`DELETE FROM webhook_endpoint_deliveries WHERE shop = ? AND event_id IN (SELECT id FROM app_events WHERE shop = ? AND customer_gid = ?)`, [shop, shop, customerGid]);
  await q.run(`DELETE FROM app_events WHERE shop = ? AND customer_gid = ?`, [shop, customerGid]);
  // API answers kept for an Idempotency-Key name the member's customer (they expire after 24 h anyway)
  await q.run(`DELETE FROM api_idempotency WHERE shop = ? AND response LIKE ?`, [shop, `%${JSON.stringify(customerGid)}%`]);
  await q.run(`UPDATE order_states SET customer_gid = ? WHERE shop = ? AND customer_gid = ?`, [opaque, shop, customerGid]);
  const like = `%${customerGid}%`;
  await q.run(
    `UPDATE ledger_entries SET source_id = REPLACE(source_id, ?, ?), idempotency_key = REPLACE(idempotency_key, ?, ?) WHERE shop = ? AND (source_id LIKE ? OR idempotency_key LIKE ?)`,
    [customerGid, opaque, customerGid, opaque, shop, like, like],
  );
  await q.run(`UPDATE counters SET key = REPLACE(key, ?, ?) WHERE shop = ? AND key LIKE ?`, [customerGid, opaque, shop, like]);
  if (email) await q.run(`UPDATE guest_orders SET email = NULL WHERE shop = ? AND email = ?`, [shop, email.toLowerCase()]);
  await q.run(`UPDATE data_requests SET customer_gid = ? WHERE shop = ? AND customer_gid = ?`, [opaque, shop, customerGid]);
  return r.changes > 0;
}
