// Purchase earning in storage: one order earns once, whatever the deliveries do.
import { customerGid, orderGid, pointsForOrder, type OrderPayload } from "~/domain/earning";
import { keys } from "~/domain/ledger";
import type { Sql } from "~/lib/sql.server";
import { ensureMember, postEntryIn } from "./ledger.server";
import { ensureShop } from "./shops.server";

export type EarnOutcome =
  | { status: "earned"; points: number; memberId: number; entryId: number }
  | { status: "duplicate"; entryId: number }
  | { status: "skipped"; reason: "guest" | "earning off" | "no points" | "cancelled" };

export async function earnForPaidOrder(sql: Sql, shop: string, order: OrderPayload): Promise<EarnOutcome> {
  const gid = orderGid(order);
  const customer = customerGid(order);
  if (!customer) return { status: "skipped", reason: "guest" };
  if (order.cancelled_at) return { status: "skipped", reason: "cancelled" };
  return sql.tx(async (q) => {
    const settings = await ensureShop(q, shop);
    if (!settings.earning_enabled) return { status: "skipped", reason: "earning off" } as const;
    const earn = pointsForOrder(order, { pointsPerCurrencyUnit: settings.points_per_currency_unit });
    if (earn.points <= 0) return { status: "skipped", reason: "no points" } as const;
    const memberId = await ensureMember(q, shop, customer, {
      email: order.customer?.email,
      firstName: order.customer?.first_name,
      lastName: order.customer?.last_name,
    });
    const posted = await postEntryIn(q, shop, {
      memberId,
      bucket: "available",
      points: earn.points,
      kind: "earn",
      reason: "purchase",
      sourceType: "order",
      sourceId: gid,
      idempotencyKey: keys.orderEarn(gid),
      note: earn.explanation,
    });
    return posted.duplicate
      ? ({ status: "duplicate", entryId: posted.entryId } as const)
      : ({ status: "earned", points: earn.points, memberId, entryId: posted.entryId } as const);
  });
}
