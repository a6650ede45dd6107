// Numbers for the merchant's overview page.
import type { Queryable } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { programOf } from "./earning.server";
import { ensureShop } from "./shops.server";

export async function programOverview(q: Queryable, shop: string, now = Date.now()) {
  const settings = await ensureShop(q, shop);
  const program = programOf(settings);
  const totals = await q.get<{ members: number; available: number; pending: number }>(
    `SELECT COUNT(*) AS members, COALESCE(SUM(points_available), 0) AS available, COALESCE(SUM(points_pending), 0) AS pending FROM members WHERE shop = ?`,
    [shop],
  );
  const lastCheck = await q.get<{ members: number; mismatches: number; ran_at: unknown }>(
    `SELECT members, mismatches, ran_at FROM reconciliation_runs WHERE shop = ? ORDER BY id DESC LIMIT 1`,
    [shop],
  );
  const jobs = await q.all<{ status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM jobs WHERE shop = ? AND status IN ('queued', 'running', 'dead') GROUP BY status`, [shop]);
  const since = q.dialect === "sqlite" ? now - 86_400_000 : new Date(now - 86_400_000);
  const deliveries = await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM webhook_deliveries WHERE shop = ? AND received_at >= ? AND topic LIKE 'ORDERS_%'`, [shop, since]);
  const jobCount = (s: string) => Number(jobs.find((j) => j.status === s)?.n ?? 0);
  return {
    currency: settings.currency_code,
    pointsPerCurrencyUnit: program.purchase.pointsPerUnit,
    earningEnabled: program.enabled && program.purchase.enabled,
    members: Number(totals?.members ?? 0),
    pointsAvailable: Number(totals?.available ?? 0),
    pointsPending: Number(totals?.pending ?? 0),
    lastCheck: lastCheck ? { members: Number(lastCheck.members), mismatches: Number(lastCheck.mismatches), ranAt: toDate(lastCheck.ran_at)?.toISOString() ?? null } : null,
    jobs: { queued: jobCount("queued") + jobCount("running"), dead: jobCount("dead") },
    orderEvents24h: Number(deliveries?.n ?? 0),
  };
}
