import type { LineItemRecord, OrderRecord } from "../state/types.ts";

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function lineGross(line: LineItemRecord): number {
  return line.price * line.quantity;
}

export function lineDiscount(line: LineItemRecord): number {
  return sum(line.discountAllocations.map((a) => a.amount));
}

export function lineTax(line: LineItemRecord): number {
  return sum(line.taxLines.map((t) => t.amount));
}

export function refundedQuantity(order: OrderRecord, lineId: number): number {
  return sum(order.refunds.flatMap((r) => r.lines.filter((l) => l.lineItemId === lineId).map((l) => l.quantity)));
}

export function refundedSubtotalOf(order: OrderRecord, lineId: number): number {
  return sum(order.refunds.flatMap((r) => r.lines.filter((l) => l.lineItemId === lineId).map((l) => l.subtotal)));
}

export function refundedTaxOf(order: OrderRecord, lineId: number): number {
  return sum(order.refunds.flatMap((r) => r.lines.filter((l) => l.lineItemId === lineId).map((l) => l.totalTax)));
}

export interface OrderTotals {
  lineItemsTotal: number;
  lineDiscounts: number;
  subtotal: number;
  shipping: number;
  shippingDiscounts: number;
  totalDiscounts: number;
  totalTax: number;
  total: number;
  currentSubtotal: number;
  currentLineDiscounts: number;
  currentTotalDiscounts: number;
  currentShipping: number;
  currentTax: number;
  currentTotal: number;
  currentQuantity: number;
  quantity: number;
  /** Money that came in (successful sales and captures). */
  received: number;
  /** Money that went back (successful refund transactions). */
  refunded: number;
  refundedShipping: number;
  outstanding: number;
  weight: number;
}

/** Every order-level amount Shopify reports, derived from the records (never stored twice). */
export function orderTotals(order: OrderRecord): OrderTotals {
  const lines = order.lineItems;
  const lineItemsTotal = sum(lines.map(lineGross));
  const lineDiscounts = sum(lines.map(lineDiscount));
  const subtotal = lineItemsTotal - lineDiscounts;
  const shipping = sum(order.shippingLines.map((s) => s.price));
  const shippingDiscounts = sum(order.shippingLines.flatMap((s) => s.discountAllocations.map((a) => a.amount)));
  const totalTax = sum(lines.map(lineTax)) + sum(order.shippingLines.flatMap((s) => s.taxLines.map((t) => t.amount)));
  const total = subtotal + shipping - shippingDiscounts + (order.taxesIncluded ? 0 : totalTax);

  const refundedShipping = sum(order.refunds.map((r) => r.shipping));
  const currentSubtotal = sum(lines.map((l) => lineGross(l) - lineDiscount(l) - refundedSubtotalOf(order, l.id)));
  const currentGross = sum(lines.map((l) => l.price * (l.quantity - refundedQuantity(order, l.id))));
  const currentLineDiscounts = currentGross - currentSubtotal;
  const currentTax = totalTax - sum(lines.map((l) => refundedTaxOf(order, l.id)));
  const currentShipping = Math.max(0, shipping - shippingDiscounts - refundedShipping);
  const currentTotal = currentSubtotal + currentShipping + (order.taxesIncluded ? 0 : currentTax);

  const success = order.transactions.filter((t) => t.status === "success");
  const refundTx = order.refunds.flatMap((r) => r.transactions).filter((t) => t.status === "success");
  const received = sum(success.filter((t) => t.kind === "sale" || t.kind === "capture").map((t) => t.amount));
  const refunded = sum(refundTx.map((t) => t.amount));
  const quantity = sum(lines.map((l) => l.quantity));
  return {
    lineItemsTotal,
    lineDiscounts,
    subtotal,
    shipping,
    shippingDiscounts,
    totalDiscounts: lineDiscounts + shippingDiscounts,
    totalTax,
    total,
    currentSubtotal,
    currentLineDiscounts,
    currentTotalDiscounts: currentLineDiscounts + shippingDiscounts,
    currentShipping,
    currentTax,
    currentTotal,
    currentQuantity: quantity - sum(lines.map((l) => refundedQuantity(order, l.id))),
    quantity,
    received,
    refunded,
    refundedShipping,
    outstanding: order.cancelledAt !== null ? 0 : Math.max(0, total - received),
    weight: sum(lines.map((l) => l.grams * l.quantity)),
  };
}
