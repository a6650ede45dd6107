import { randomBytes } from "node:crypto";
import type { StoreCore } from "../core/context.ts";
import { parseMinor } from "../core/money.ts";
import type { ShopState } from "../state/shop.ts";
import type { FinancialStatus, LineItemRecord, OrderRecord, RefundLineRecord, RefundRecord, TransactionRecord } from "../state/types.ts";
import { orderPayload, refundPayload } from "../webhooks/payloads.ts";
import { makeAddress, type AddressInput } from "./customers.ts";
import { idFrom } from "./ids-input.ts";
import { lineDiscount, lineGross, lineTax, orderTotals, refundedQuantity, refundedSubtotalOf, refundedTaxOf } from "./order-math.ts";
import { customerUsageKey, priceCart } from "./pricing.ts";

export interface OrderLineInput {
  /** Variant (numeric id or GID); title, price and product come from it unless overridden. */
  variantId?: number | string;
  title?: string;
  /** Unit price as a decimal string or number in the shop currency (required without a variant). */
  price?: string | number;
  quantity: number;
  taxable?: boolean;
  requiresShipping?: boolean;
  sku?: string;
  properties?: { name: string; value: string }[];
}

export interface CreateOrderInput {
  shop?: string;
  /** Customer (numeric id or GID); omit or null for a guest checkout. */
  customerId?: number | string | null;
  email?: string | null;
  phone?: string | null;
  lineItems: OrderLineInput[];
  /** Codes are validated and applied as a checkout would; an invalid code throws DiscountRejected. */
  discountCodes?: string[];
  shipping?: { title?: string; price: string | number; code?: string } | null;
  shippingAddress?: AddressInput;
  noteAttributes?: { name: string; value: string }[] | Record<string, string>;
  note?: string;
  tags?: string[];
  /** "paid" (default) sends orders/create then orders/paid; "pending" only orders/create. */
  financialStatus?: "paid" | "pending" | "authorized";
  gateway?: string;
  test?: boolean;
  sourceName?: string;
  processedAt?: Date | number;
}

export interface RefundLineInput {
  lineItemId: number | string;
  quantity: number;
  restockType?: RefundLineRecord["restockType"];
}

export interface RefundOptions {
  /** Shipping to refund, as a decimal amount, or "full" for what is left of it. */
  shipping?: string | number | "full";
  note?: string;
}

function customerRecord(shop: ShopState, order: OrderRecord) {
  return order.customerId === null ? null : (shop.customers.get(order.customerId) ?? null);
}

function emitOrder(core: StoreCore, shop: ShopState, topic: string, order: OrderRecord): void {
  core.emit(shop, topic, orderPayload(shop, order, customerRecord(shop, order)));
}

function orderOf(shop: ShopState, id: number | string): OrderRecord {
  const order = shop.orders.get(idFrom(id, "Order"));
  if (!order) throw new Error(`unknown order ${id} in ${shop.domain}`);
  return order;
}

function transaction(core: StoreCore, kind: TransactionRecord["kind"], amount: number, gateway: string, parentId: number | null): TransactionRecord {
  return { id: core.ids.take(), kind, status: "success", amount, gateway, parentId, createdAt: core.clock.now() };
}

/** Creates an order as a checkout would (discounts, taxes), then emits orders/create (and orders/paid). */
export function createOrder(core: StoreCore, input: CreateOrderInput): OrderRecord {
  const shop = core.shops.get(input.shop);
  if (!input.lineItems.length) throw new Error("an order needs at least one line item");
  const now = core.clock.now();
  const customerId = input.customerId === undefined || input.customerId === null ? null : idFrom(input.customerId, "Customer");
  const customer = customerId === null ? null : shop.customers.get(customerId);
  if (customerId !== null && !customer) throw new Error(`unknown customer ${input.customerId} in ${shop.domain}`);
  const email = input.email ?? customer?.email ?? null;

  const lines: LineItemRecord[] = input.lineItems.map((li) => {
    if (!Number.isInteger(li.quantity) || li.quantity < 1) throw new Error(`line quantity must be a positive integer, got ${li.quantity}`);
    const variant = li.variantId === undefined ? undefined : shop.variants.get(idFrom(li.variantId, "ProductVariant"));
    if (li.variantId !== undefined && !variant) throw new Error(`unknown variant ${li.variantId} in ${shop.domain}`);
    const product = variant ? shop.products.get(variant.productId) : undefined;
    if (!variant && li.price === undefined) throw new Error("a custom line item needs a price");
    if (!variant && !li.title) throw new Error("a custom line item needs a title");
    const price = li.price !== undefined ? parseMinor(li.price, shop.currency) : variant!.price;
    if (price < 0) throw new Error("a line item price cannot be negative");
    return {
      id: core.ids.take(),
      productId: product?.id ?? null,
      variantId: variant?.id ?? null,
      title: li.title ?? product?.title ?? "",
      variantTitle: variant && variant.title !== "Default Title" ? variant.title : null,
      sku: li.sku ?? variant?.sku ?? null,
      vendor: product?.vendor ?? null,
      price,
      quantity: li.quantity,
      taxable: li.taxable ?? variant?.taxable ?? true,
      requiresShipping: li.requiresShipping ?? variant?.requiresShipping ?? true,
      grams: variant?.grams ?? 0,
      giftCard: false,
      properties: li.properties ?? [],
      discountAllocations: [],
      taxLines: [],
    };
  });
  const shippingPrice = input.shipping ? parseMinor(input.shipping.price, shop.currency) : null;
  const shippingAddress = input.shippingAddress ? makeAddress(core, input.shippingAddress) : null;

  const priced = priceCart(
    shop,
    {
      lines: lines.map((l) => ({ productId: l.productId, variantId: l.variantId, price: l.price, quantity: l.quantity, taxable: l.taxable })),
      shipping: shippingPrice === null ? null : { price: shippingPrice, countryCode: shippingAddress?.countryCode ?? shop.countryCode },
      customerId,
      email,
      codes: input.discountCodes ?? [],
    },
    now,
  );
  lines.forEach((line, i) => {
    line.discountAllocations = priced.lineAllocations[i]!;
    line.taxLines = priced.lineTaxes[i]!;
  });

  const status: FinancialStatus = input.financialStatus ?? "paid";
  const processedAt = input.processedAt === undefined ? now : new Date(input.processedAt).getTime();
  const number = shop.nextOrderNumber++;
  const order: OrderRecord = {
    id: core.ids.take(),
    number,
    name: `#${number}`,
    token: randomBytes(16).toString("hex"),
    customerId,
    email,
    phone: input.phone ?? customer?.phone ?? null,
    currency: shop.currency,
    taxesIncluded: shop.taxesIncluded,
    lineItems: lines,
    shippingLines:
      shippingPrice === null
        ? []
        : [
            {
              id: core.ids.take(),
              title: input.shipping?.title ?? "Standard",
              code: input.shipping?.code ?? "Standard",
              price: shippingPrice,
              discountAllocations: priced.shippingAllocations,
              taxLines: [],
            },
          ],
    discountApplications: priced.applications,
    discountCodes: priced.discountCodes,
    noteAttributes: Array.isArray(input.noteAttributes)
      ? input.noteAttributes
      : Object.entries(input.noteAttributes ?? {}).map(([name, value]) => ({ name, value })),
    note: input.note ?? null,
    tags: input.tags ?? [],
    sourceName: input.sourceName ?? "web",
    financialStatus: status,
    transactions: [],
    refunds: [],
    cancelledAt: null,
    cancelReason: null,
    closedAt: null,
    billingAddress: shippingAddress,
    shippingAddress,
    test: input.test ?? false,
    createdAt: processedAt,
    processedAt,
    updatedAt: now,
  };
  const gateway = input.gateway ?? "bogus";
  const total = orderTotals(order).total;
  if (status === "paid") order.transactions.push(transaction(core, "sale", total, gateway, null));
  if (status === "authorized") order.transactions.push(transaction(core, "authorization", total, gateway, null));

  for (const [i, discount] of priced.used.entries()) {
    const applied = discount.codes.find((c) => c.code === priced.discountCodes[i]!.code);
    if (applied) applied.usageCount += 1;
    const key = customerUsageKey(customerId, email);
    if (key) discount.usageByCustomer.set(key, (discount.usageByCustomer.get(key) ?? 0) + 1);
    discount.totalSales += total;
  }
  shop.orders.set(order.id, order);
  if (customer) customer.updatedAt = now;
  emitOrder(core, shop, "orders/create", order);
  if (status === "paid") emitOrder(core, shop, "orders/paid", order);
  return order;
}

/** Marks a pending/authorized order paid: a sale (or capture) transaction, then orders/paid and orders/updated. */
export function markOrderPaid(core: StoreCore, shop: ShopState, id: number | string, gateway = "manual"): OrderRecord {
  const order = orderOf(shop, id);
  if (order.cancelledAt !== null) throw new Error(`order ${order.name} is cancelled`);
  if (order.financialStatus !== "pending" && order.financialStatus !== "authorized" && order.financialStatus !== "partially_paid") {
    throw new Error(`order ${order.name} cannot be marked as paid (financial status ${order.financialStatus})`);
  }
  const t = orderTotals(order);
  const auth = order.transactions.find((tx) => tx.kind === "authorization");
  order.transactions.push(transaction(core, auth ? "capture" : "sale", t.total - t.received, auth?.gateway ?? gateway, auth?.id ?? null));
  order.financialStatus = "paid";
  order.updatedAt = core.clock.now();
  emitOrder(core, shop, "orders/paid", order);
  emitOrder(core, shop, "orders/updated", order);
  return order;
}

/**
 * Refunds line quantities (and optionally shipping), with exact subtotals and taxes that add up
 * to the line's net over all refunds. Emits refunds/create then orders/updated.
 */
export function refundOrder(core: StoreCore, shop: ShopState, id: number | string, lines: RefundLineInput[], options: RefundOptions = {}): RefundRecord {
  const order = orderOf(shop, id);
  if (!["paid", "partially_refunded", "partially_paid"].includes(order.financialStatus)) {
    throw new Error(`order ${order.name} has nothing to refund (financial status ${order.financialStatus})`);
  }
  const refundLines: RefundLineRecord[] = lines.map((input) => {
    const lineId = idFrom(input.lineItemId, "LineItem");
    const line = order.lineItems.find((l) => l.id === lineId);
    if (!line) throw new Error(`line item ${input.lineItemId} is not on order ${order.name}`);
    const done = refundedQuantity(order, line.id);
    if (!Number.isInteger(input.quantity) || input.quantity < 1 || done + input.quantity > line.quantity) {
      throw new Error(`cannot refund ${input.quantity} of line ${line.id}: ${line.quantity - done} refundable`);
    }
    const net = lineGross(line) - lineDiscount(line);
    const cumulative = done + input.quantity;
    const subtotal = (cumulative === line.quantity ? net : Math.round((net * cumulative) / line.quantity)) - refundedSubtotalOf(order, line.id);
    const tax = lineTax(line);
    const totalTax = (cumulative === line.quantity ? tax : Math.round((tax * cumulative) / line.quantity)) - refundedTaxOf(order, line.id);
    return { id: core.ids.take(), lineItemId: line.id, quantity: input.quantity, restockType: input.restockType ?? "no_restock", subtotal, totalTax };
  });
  const before = orderTotals(order);
  const shippingLeft = before.shipping - before.shippingDiscounts - before.refundedShipping;
  const shipping =
    options.shipping === undefined ? 0 : options.shipping === "full" ? shippingLeft : parseMinor(options.shipping, order.currency);
  if (shipping < 0 || shipping > shippingLeft) throw new Error(`cannot refund ${shipping} of shipping: ${shippingLeft} refundable`);
  if (!refundLines.length && shipping === 0) throw new Error("a refund needs line items or shipping");

  const amount =
    refundLines.reduce((s, l) => s + l.subtotal + (order.taxesIncluded ? 0 : l.totalTax), 0) + shipping;
  const available = before.received - before.refunded;
  const refundAmount = Math.min(amount, available);
  const parent = order.transactions.find((tx) => tx.kind === "sale" || tx.kind === "capture");
  const refund: RefundRecord = {
    id: core.ids.take(),
    orderId: order.id,
    note: options.note ?? null,
    lines: refundLines,
    shipping,
    transactions: refundAmount > 0 ? [transaction(core, "refund", refundAmount, parent?.gateway ?? "manual", parent?.id ?? null)] : [],
    createdAt: core.clock.now(),
  };
  order.refunds.push(refund);
  const after = orderTotals(order);
  order.financialStatus = after.refunded >= after.received ? "refunded" : "partially_refunded";
  order.updatedAt = core.clock.now();
  core.emit(shop, "refunds/create", refundPayload(shop, order, refund));
  emitOrder(core, shop, "orders/updated", order);
  return refund;
}

export interface CancelOptions {
  reason?: NonNullable<OrderRecord["cancelReason"]>;
  /** Refund everything that is still refundable before cancelling (paid orders). */
  refund?: boolean;
  restock?: boolean;
}

/** Cancels an order (optionally refunding it first); emits orders/cancelled and orders/updated. */
export function cancelOrder(core: StoreCore, shop: ShopState, id: number | string, options: CancelOptions = {}): OrderRecord {
  const order = orderOf(shop, id);
  if (order.cancelledAt !== null) throw new Error(`order ${order.name} is already cancelled`);
  if (options.refund && ["paid", "partially_refunded"].includes(order.financialStatus)) {
    const lines = order.lineItems
      .map((l) => ({ lineItemId: l.id, quantity: l.quantity - refundedQuantity(order, l.id), restockType: options.restock ? ("cancel" as const) : ("no_restock" as const) }))
      .filter((l) => l.quantity > 0);
    const t = orderTotals(order);
    const shippingLeft = t.shipping - t.shippingDiscounts - t.refundedShipping;
    if (lines.length || shippingLeft > 0) refundOrder(core, shop, order.id, lines, { shipping: shippingLeft > 0 ? "full" : undefined });
  }
  const now = core.clock.now();
  order.cancelledAt = now;
  order.closedAt = now;
  order.cancelReason = options.reason ?? "other";
  if (order.financialStatus === "pending" || order.financialStatus === "authorized") order.financialStatus = "voided";
  order.updatedAt = now;
  emitOrder(core, shop, "orders/cancelled", order);
  emitOrder(core, shop, "orders/updated", order);
  return order;
}
