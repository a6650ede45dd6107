// The chaos run's independent model: what every customer's balance must be, computed from what the
// run did in the store (orders, payments, refunds, cancellations, codes Shopify holds) and the
// program's rules — never from the app's database. The program is kept simple enough to model
// exactly (docs/decisions/0022-chaos-run.md): whole points per whole unit of currency on the
// merchandise after discounts, one line per order, signup points, fixed reward prices and a fixed
// advocate reward with a return window of 0 days.

export interface ModelRules {
  signupPoints: number;
  /** points per whole unit of currency (rounded down), on the line after discounts */
  pointsPerUnit: number;
  /** minor units per whole unit (EUR: 100) */
  minorPerUnit: number;
  advocatePoints: number;
}

export interface ModelOrder {
  customerId: number;
  quantity: number;
  /** the line after discounts, minor units */
  netMinor: number;
  paid: boolean;
  cancelled: boolean;
  refundedQuantity: number;
  /** the advocate whose friend code the order used (the friend's first and only order) */
  advocateId?: number;
}

/** What a single order leaves on its customer's balance: the award less what refunds and a
 *  cancellation take back (per unit, rounded down; everything once all units are refunded). */
export function orderNet(o: ModelOrder, rules: ModelRules): number {
  if (!o.paid || o.cancelled) return 0;
  const award = Math.floor((o.netMinor * rules.pointsPerUnit) / rules.minorPerUnit);
  const refunded = Math.min(o.refundedQuantity, o.quantity);
  const clawback = refunded >= o.quantity ? award : Math.floor((award * refunded) / o.quantity);
  return award - clawback;
}

/**
 * Expected balance per customer id: signup points for every customer the store created, the net
 * of each order, minus the price of every reward code Shopify holds for the customer, plus the
 * advocate reward for every paid friend order (a return window of 0 days: a later refund or
 * cancellation does not take it back).
 */
export function expectedBalances(input: {
  customers: number[];
  orders: ModelOrder[];
  /** codes in the store made for a redemption: the customer they are for and the points they cost */
  redemptionCodes: Array<{ customerId: number; points: number }>;
  rules: ModelRules;
}): Map<number, number> {
  const out = new Map<number, number>();
  const add = (id: number, points: number) => out.set(id, (out.get(id) ?? 0) + points);
  for (const c of input.customers) add(c, input.rules.signupPoints);
  for (const o of input.orders) {
    add(o.customerId, orderNet(o, input.rules));
    if (o.advocateId !== undefined && o.paid) add(o.advocateId, input.rules.advocatePoints);
  }
  for (const r of input.redemptionCodes) add(r.customerId, -r.points);
  return out;
}

/** Rows where two maps disagree (a missing key counts as 0 on that side). */
export function diffBalances(expected: Map<number, number>, actual: Map<number, number>): Array<{ customerId: number; expected: number; actual: number }> {
  const ids = new Set([...expected.keys(), ...actual.keys()]);
  const rows: Array<{ customerId: number; expected: number; actual: number }> = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const e = expected.get(id) ?? 0;
    const a = actual.get(id) ?? 0;
    if (e !== a) rows.push({ customerId: id, expected: e, actual: a });
  }
  return rows;
}
