// Each member's points in app-owned customer metafields ($app:loyalty), for theme blocks, Flow and
// email tools. A balance change marks the member dirty in the ledger's own transaction and books one
// sync job per shop and window; the job writes the dirty members in batches (≤ 25 metafields per
// call), so a webhook burst costs a few calls, not one per order.
import { enqueue } from "~/jobs/queue.server";
import type { Queryable, Sql } from "~/lib/sql.server";
import { CUSTOMER_NAMESPACE, memberMetafields } from "~/domain/storefront";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { MAX_METAFIELDS_PER_CALL, setMetafields, type MetafieldInput } from "~/services/shopify/metafields.server";

/** How long balance changes gather before one sync job writes them. */
export const SYNC_WINDOW_MS = 5_000;

/** Called in the ledger's transaction after a balance changed: one sync job per shop and window. */
export async function scheduleMemberSync(q: Queryable, shop: string, now = Date.now()): Promise<void> {
  const window = Math.floor(now / SYNC_WINDOW_MS);
  await enqueue(q, { shop, kind: "metafields:sync", payload: {}, dedupeKey: `metafields:sync:${window}`, runAt: new Date((window + 1) * SYNC_WINDOW_MS), maxAttempts: 20 });
}

interface DirtyMember {
  id: number;
  customer_gid: string;
  points_available: number;
  points_pending: number;
  lifetime_earned: number;
  referral_code: string | null;
  tier_id: string | null;
}

const PER_MEMBER = memberMetafields({ points: 0, pending: 0, lifetime: 0 }).length;
const BATCH = Math.floor(MAX_METAFIELDS_PER_CALL / PER_MEMBER);

/**
 * Writes dirty members' balances to their customers' app-owned metafields, a batch per call, up to
 * `maxCalls` calls. A member is marked clean only if its balances are still the ones written (a
 * change meanwhile keeps it dirty for the next run). Members Shopify refuses (e.g. a deleted
 * customer) are marked clean and counted as failed, so they don't block the rest.
 */
export async function syncMemberMetafields(sql: Sql, shop: string, graphql: AdminGraphql, maxCalls = 40): Promise<{ synced: number; failed: number; more: boolean }> {
  let synced = 0;
  let failed = 0;
  let after = 0;
  for (let call = 0; call < maxCalls; call++) {
    const rows = await sql.all<DirtyMember>(
      `SELECT m.id, m.customer_gid, m.points_available, m.points_pending, m.lifetime_earned, m.tier_id, rc.code AS referral_code FROM members m
         LEFT JOIN referral_codes rc ON rc.shop = m.shop AND rc.member_id = m.id
        WHERE m.shop = ? AND m.metafields_dirty = ? AND m.redacted_at IS NULL AND m.id > ? ORDER BY m.id LIMIT ?`,
      [shop, sql.bool(true), after, BATCH],
    );
    if (!rows.length) return { synced, failed, more: false };
    after = Number(rows[rows.length - 1]!.id);
    const inputs = (batch: DirtyMember[]): MetafieldInput[] =>
      batch.flatMap((m) =>
        memberMetafields({ points: Number(m.points_available), pending: Number(m.points_pending), lifetime: Number(m.lifetime_earned), referralCode: m.referral_code, tier: m.tier_id }).map((v) => ({ ownerId: m.customer_gid, namespace: CUSTOMER_NAMESPACE, ...v })),
      );
    let good = rows;
    const errors = await setMetafields(graphql, inputs(rows));
    if (errors.length) {
      // metafieldsSet is all or nothing: drop the members Shopify named and write the others again
      const bad = new Set(errors.filter((e) => e.elementIndex !== null).map((e) => Math.floor(e.elementIndex! / PER_MEMBER)));
      if (!bad.size) throw new Error(`Shopify refused the member metafields: ${errors.map((e) => e.message).join("; ")}`);
      const refused = rows.filter((_, i) => bad.has(i));
      good = rows.filter((_, i) => !bad.has(i));
      const again = await setMetafields(graphql, inputs(good));
      if (again.length) throw new Error(`Shopify refused the member metafields: ${again.map((e) => e.message).join("; ")}`);
      for (const m of refused) await sql.run(`UPDATE members SET metafields_dirty = ? WHERE shop = ? AND id = ?`, [sql.bool(false), shop, m.id]);
      failed += refused.length;
    }
    for (const m of good) {
      await sql.run(
        `UPDATE members SET metafields_dirty = ? WHERE shop = ? AND id = ? AND points_available = ? AND points_pending = ? AND lifetime_earned = ? AND COALESCE(tier_id, '') = ?`,
        [sql.bool(false), shop, m.id, m.points_available, m.points_pending, m.lifetime_earned, m.tier_id ?? ""],
      );
    }
    synced += good.length;
  }
  const left = await sql.get(`SELECT 1 AS x FROM members WHERE shop = ? AND metafields_dirty = ? AND redacted_at IS NULL LIMIT 1`, [shop, sql.bool(true)]);
  return { synced, failed, more: Boolean(left) };
}
