// How much of an order's award refunds and cancellations take back — computed from the total
// refunded so far, never from the last refund alone, so the result is the same whatever order the
// refunds arrive in and however often they are delivered.

export interface AwardLine {
  lineId: string;
  quantity: number;
  netMinor: number;
  points: number;
}

export interface RefundedSoFar {
  /** refunded quantity per line id */
  quantities: Record<string, number>;
  /** refunded amounts not tied to lines (e.g. a partial refund of the order), minor units */
  orderLevelMinor: number;
  cancelled: boolean;
}

/**
 * The points an award should have given back once these refunds happened: per line, its points ×
 * refunded quantity / quantity (rounded down, so a shopper is never charged more than the rate of
 * the day); amounts without lines at the award's overall rate; everything once every line is fully
 * refunded or the order is cancelled. Never more than the award.
 */
export function clawbackTarget(awardPoints: number, baseMinor: number, lines: AwardLine[], refunded: RefundedSoFar): number {
  if (refunded.cancelled) return awardPoints;
  let target = 0;
  let allRefunded = lines.length > 0;
  for (const line of lines) {
    const qty = Math.min(line.quantity, Math.max(0, refunded.quantities[line.lineId] ?? 0));
    if (qty < line.quantity) allRefunded = false;
    if (line.quantity > 0) target += Math.floor((line.points * qty) / line.quantity);
  }
  if (allRefunded) return awardPoints;
  if (refunded.orderLevelMinor > 0 && baseMinor > 0) target += Math.floor((awardPoints * Math.min(refunded.orderLevelMinor, baseMinor)) / baseMinor);
  return Math.min(awardPoints, target);
}

/** Adds one refund's lines and amount to what was refunded before. */
export function addRefund(so: RefundedSoFar, refund: { lines: Array<{ lineId: string; quantity: number }>; orderLevelMinor: number }): RefundedSoFar {
  const quantities = { ...so.quantities };
  for (const l of refund.lines) quantities[l.lineId] = (quantities[l.lineId] ?? 0) + l.quantity;
  return { quantities, orderLevelMinor: so.orderLevelMinor + refund.orderLevelMinor, cancelled: so.cancelled };
}

export interface RefundFacts {
  refundGid: string;
  orderGid: string;
  lines: Array<{ lineId: string; quantity: number }>;
  /** merchandise refunded without lines (Shopify's refund_discrepancy adjustments), minor units */
  orderLevelMinor: number;
}

export class RefundPayloadError extends Error {}

type Id = number | string;
interface RefundPayload {
  id?: Id;
  admin_graphql_api_id?: string;
  order_id?: Id;
  refund_line_items?: Array<{ line_item_id?: Id; quantity?: number }>;
  order_adjustments?: Array<{ kind?: string; amount?: string | number; amount_set?: { shop_money?: { amount?: string } } }>;
}

/** Reads Shopify's refunds/create payload. Shipping refunds don't touch points. */
export function refundFacts(payload: unknown, toMinor: (amount: string) => number): RefundFacts {
  const p = payload as RefundPayload;
  if (p.id === undefined && !p.admin_graphql_api_id) throw new RefundPayloadError("refund id missing");
  if (p.order_id === undefined) throw new RefundPayloadError("order_id missing");
  const lines = (p.refund_line_items ?? [])
    .filter((l) => l.line_item_id !== undefined && Number.isInteger(l.quantity) && (l.quantity ?? 0) > 0)
    .map((l) => ({ lineId: String(l.line_item_id), quantity: l.quantity as number }));
  let orderLevelMinor = 0;
  for (const adj of p.order_adjustments ?? []) {
    if (adj.kind !== "refund_discrepancy") continue;
    const amount = adj.amount_set?.shop_money?.amount ?? adj.amount;
    if (amount !== undefined) orderLevelMinor += Math.abs(toMinor(String(amount)));
  }
  return {
    refundGid: p.admin_graphql_api_id ?? `gid://shopify/Refund/${p.id}`,
    orderGid: `gid://shopify/Order/${p.order_id}`,
    lines,
    orderLevelMinor,
  };
}
