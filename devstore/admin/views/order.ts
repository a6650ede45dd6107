import { gid } from "../../core/ids.ts";
import { lineDiscount, lineGross, orderTotals, refundedQuantity } from "../../commerce/order-math.ts";
import { paginate, type PageArgs } from "../connection.ts";
import type { AdminContext } from "../context.ts";
import type {
  AllocationRecord,
  DiscountApplicationRecord,
  LineItemRecord,
  OrderRecord,
  RefundRecord,
  TaxLineRecord,
  TransactionRecord,
} from "../../state/types.ts";
import { count, metafieldFields, money, moneyBag } from "./common.ts";
import { customerView, mailingAddressView } from "./customer.ts";
import { productView, variantView } from "./product.ts";

function taxLineView(t: TaxLineRecord, currency: string) {
  return { title: t.title, rate: t.rate, ratePercentage: Math.round(t.rate * 10000) / 100, priceSet: moneyBag(t.amount, currency), channelLiable: false, source: "Shopify" };
}

function applicationView(a: DiscountApplicationRecord, index: number, currency: string) {
  const value =
    a.valueType === "percentage" ? { __typename: "PricingPercentageValue", percentage: a.value } : money(a.value, currency);
  const base = {
    index,
    allocationMethod: a.allocationMethod.toUpperCase(),
    targetSelection: a.targetSelection.toUpperCase(),
    targetType: a.targetType.toUpperCase(),
    value,
  };
  return a.kind === "discount_code"
    ? { __typename: "DiscountCodeApplication", code: a.code, ...base }
    : { __typename: a.kind === "automatic" ? "AutomaticDiscountApplication" : "ManualDiscountApplication", title: a.title, description: a.description, ...base };
}

function allocationViews(order: OrderRecord, allocations: AllocationRecord[]) {
  return allocations.map((a) => ({
    allocatedAmountSet: moneyBag(a.amount, order.currency),
    discountApplication: applicationView(order.discountApplications[a.applicationIndex]!, a.applicationIndex, order.currency),
  }));
}

export function lineItemView(ctx: AdminContext, order: OrderRecord, line: LineItemRecord) {
  const c = order.currency;
  const net = lineGross(line) - lineDiscount(line);
  const current = order.cancelledAt !== null ? 0 : line.quantity - refundedQuantity(order, line.id);
  const variant = line.variantId === null ? undefined : ctx.shop.variants.get(line.variantId);
  const product = line.productId === null ? undefined : ctx.shop.products.get(line.productId);
  return {
    __typename: "LineItem",
    id: gid("LineItem", line.id),
    title: line.title,
    name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
    variantTitle: line.variantTitle,
    sku: line.sku,
    vendor: line.vendor,
    quantity: line.quantity,
    currentQuantity: current,
    refundableQuantity: current,
    unfulfilledQuantity: current,
    nonFulfillableQuantity: 0,
    taxable: line.taxable,
    requiresShipping: line.requiresShipping,
    isGiftCard: line.giftCard,
    merchantEditable: false,
    restockable: true,
    customAttributes: line.properties.map((p) => ({ key: p.name, value: p.value })),
    originalUnitPriceSet: moneyBag(line.price, c),
    originalTotalSet: moneyBag(lineGross(line), c),
    discountedUnitPriceSet: moneyBag(line.price, c),
    discountedTotalSet: (args: { withCodeDiscounts?: boolean }) => moneyBag(args.withCodeDiscounts ? net : lineGross(line), c),
    discountedUnitPriceAfterAllDiscountsSet: moneyBag(Math.round(net / line.quantity), c),
    totalDiscountSet: moneyBag(lineDiscount(line), c),
    unfulfilledDiscountedTotalSet: moneyBag(net, c),
    unfulfilledOriginalTotalSet: moneyBag(lineGross(line), c),
    discountAllocations: allocationViews(order, line.discountAllocations),
    taxLines: (args: { first?: number | null }) => line.taxLines.slice(0, args.first ?? undefined).map((t) => taxLineView(t, c)),
    duties: [],
    product: product ? productView(ctx, product) : null,
    variant: variant ? variantView(ctx, variant) : null,
    sellingPlan: null,
    contract: null,
    staffMember: null,
    lineItemGroup: null,
  };
}

function transactionView(ctx: AdminContext, order: OrderRecord, tx: TransactionRecord): Record<string, unknown> {
  return {
    __typename: "OrderTransaction",
    id: gid("OrderTransaction", tx.id),
    kind: tx.kind.toUpperCase(),
    status: tx.status.toUpperCase(),
    gateway: tx.gateway,
    formattedGateway: tx.gateway,
    amountSet: moneyBag(tx.amount, order.currency),
    createdAt: tx.createdAt,
    processedAt: tx.createdAt,
    test: order.test,
    manualPaymentGateway: tx.gateway === "manual",
    manuallyCapturable: false,
    multiCapturable: false,
    errorCode: null,
    paymentId: `${order.token.slice(0, 8)}.${tx.id % 1000}`,
    fees: [],
    order: () => orderView(ctx, order),
    parentTransaction: () => {
      const parent = order.transactions.find((t) => t.id === tx.parentId);
      return parent ? transactionView(ctx, order, parent) : null;
    },
  };
}

export function refundView(ctx: AdminContext, order: OrderRecord, refund: RefundRecord) {
  const c = order.currency;
  const total = refund.transactions.reduce((s, t) => s + t.amount, 0);
  return {
    __typename: "Refund",
    id: gid("Refund", refund.id),
    legacyResourceId: String(refund.id),
    note: refund.note,
    createdAt: refund.createdAt,
    processedAt: refund.createdAt,
    updatedAt: refund.createdAt,
    totalRefundedSet: moneyBag(total, c),
    order: () => orderView(ctx, order),
    duties: [],
    return: null,
    staffMember: null,
    refundLineItems: (args: PageArgs) =>
      paginate(refund.lines, args, (rl) => {
        const line = order.lineItems.find((l) => l.id === rl.lineItemId)!;
        return {
          __typename: "RefundLineItem",
          id: gid("RefundLineItem", rl.id),
          quantity: rl.quantity,
          restockType: rl.restockType.toUpperCase(),
          restocked: rl.restockType !== "no_restock",
          priceSet: moneyBag(line.price, c),
          subtotalSet: moneyBag(rl.subtotal, c),
          totalTaxSet: moneyBag(rl.totalTax, c),
          lineItem: lineItemView(ctx, order, line),
          location: null,
        };
      }),
    transactions: (args: PageArgs) => paginate(refund.transactions, args, (t) => transactionView(ctx, order, t)),
    orderAdjustments: (args: PageArgs) => paginate([], args, (x: { id: number }) => x),
    refundShippingLines: (args: PageArgs) => paginate([], args, (x: { id: number }) => x),
  };
}

const FINANCIAL: Record<OrderRecord["financialStatus"], string> = {
  pending: "PENDING",
  authorized: "AUTHORIZED",
  paid: "PAID",
  partially_paid: "PARTIALLY_PAID",
  partially_refunded: "PARTIALLY_REFUNDED",
  refunded: "REFUNDED",
  voided: "VOIDED",
};

export function orderView(ctx: AdminContext, order: OrderRecord): Record<string, unknown> {
  const id = gid("Order", order.id);
  const c = order.currency;
  const t = () => orderTotals(order);
  const customer = order.customerId === null ? undefined : ctx.shop.customers.get(order.customerId);
  const self = (): Record<string, unknown> => orderView(ctx, order);
  const shipping = order.shippingLines[0];
  const shippingLineView = (s: OrderRecord["shippingLines"][number]) => {
    const discounted = s.price - s.discountAllocations.reduce((a, b) => a + b.amount, 0);
    return {
      __typename: "ShippingLine",
      id: gid("ShippingLine", s.id),
      title: s.title,
      code: s.code,
      source: "shopify",
      custom: false,
      isRemoved: false,
      carrierIdentifier: null,
      deliveryCategory: null,
      phone: null,
      shippingRateHandle: null,
      originalPriceSet: moneyBag(s.price, c),
      discountedPriceSet: moneyBag(discounted, c),
      currentDiscountedPriceSet: moneyBag(discounted, c),
      discountAllocations: allocationViews(order, s.discountAllocations),
      taxLines: s.taxLines.map((tl) => taxLineView(tl, c)),
    };
  };
  return {
    __typename: "Order",
    id,
    legacyResourceId: String(order.id),
    name: order.name,
    number: order.number - 1000,
    confirmationNumber: order.token.slice(0, 9).toUpperCase(),
    email: order.email,
    phone: order.phone,
    note: order.note,
    tags: order.tags,
    test: order.test,
    confirmed: true,
    closed: order.closedAt !== null,
    closedAt: order.closedAt,
    cancelledAt: order.cancelledAt,
    cancelReason: order.cancelReason?.toUpperCase() ?? null,
    createdAt: order.createdAt,
    processedAt: order.processedAt,
    updatedAt: order.updatedAt,
    currencyCode: c,
    presentmentCurrencyCode: c,
    taxesIncluded: order.taxesIncluded,
    dutiesIncluded: false,
    estimatedTaxes: false,
    taxExempt: customer?.taxExempt ?? false,
    sourceName: order.sourceName,
    sourceIdentifier: null,
    customerLocale: customer?.locale ?? null,
    customerAcceptsMarketing: customer?.emailMarketing.state === "SUBSCRIBED",
    displayFinancialStatus: FINANCIAL[order.financialStatus],
    displayFulfillmentStatus: "UNFULFILLED",
    fullyPaid: () => t().outstanding === 0 && t().received > 0,
    unpaid: () => t().received === 0,
    canMarkAsPaid: ["pending", "authorized", "partially_paid"].includes(order.financialStatus) && order.cancelledAt === null,
    capturable: order.financialStatus === "authorized",
    refundable: () => t().received - t().refunded > 0,
    requiresShipping: order.lineItems.some((l) => l.requiresShipping),
    edited: false,
    paymentGatewayNames: [...new Set(order.transactions.map((tx) => tx.gateway))],
    customAttributes: order.noteAttributes.map((a) => ({ key: a.name, value: a.value })),
    discountCode: order.discountCodes[0]?.code ?? null,
    discountCodes: order.discountCodes.map((d) => d.code),
    customer: customer ? customerView(ctx, customer) : null,
    billingAddress: order.billingAddress ? mailingAddressView(order.billingAddress) : null,
    shippingAddress: order.shippingAddress ? mailingAddressView(order.shippingAddress) : null,
    displayAddress: order.shippingAddress ? mailingAddressView(order.shippingAddress) : null,
    subtotalLineItemsQuantity: () => t().quantity,
    currentSubtotalLineItemsQuantity: () => t().currentQuantity,
    subtotalPriceSet: () => moneyBag(t().subtotal, c),
    currentSubtotalPriceSet: () => moneyBag(t().currentSubtotal, c),
    totalPriceSet: () => moneyBag(t().total, c),
    originalTotalPriceSet: () => moneyBag(t().total, c),
    currentTotalPriceSet: () => moneyBag(t().currentTotal, c),
    totalDiscountsSet: () => moneyBag(t().totalDiscounts, c),
    currentTotalDiscountsSet: () => moneyBag(t().currentTotalDiscounts, c),
    cartDiscountAmountSet: () => moneyBag(t().lineDiscounts, c),
    currentCartDiscountAmountSet: () => moneyBag(t().currentLineDiscounts, c),
    totalTaxSet: () => moneyBag(t().totalTax, c),
    currentTotalTaxSet: () => moneyBag(t().currentTax, c),
    totalShippingPriceSet: () => moneyBag(t().shipping, c),
    currentShippingPriceSet: () => moneyBag(t().currentShipping, c),
    totalRefundedSet: () => moneyBag(t().refunded, c),
    totalRefundedShippingSet: () => moneyBag(t().refundedShipping, c),
    totalReceivedSet: () => moneyBag(t().received, c),
    netPaymentSet: () => moneyBag(t().received - t().refunded, c),
    totalOutstandingSet: () => moneyBag(t().outstanding, c),
    totalCapturableSet: () => moneyBag(order.financialStatus === "authorized" ? t().total : 0, c),
    totalTipReceivedSet: moneyBag(0, c),
    refundDiscrepancySet: moneyBag(0, c),
    totalWeight: () => String(t().weight),
    currentTotalWeight: () => String(t().weight),
    taxLines: order.lineItems.flatMap((l) => l.taxLines).map((tl) => taxLineView(tl, c)),
    currentTaxLines: order.lineItems.flatMap((l) => l.taxLines).map((tl) => taxLineView(tl, c)),
    lineItems: (args: PageArgs) => paginate(order.lineItems, args, (l) => lineItemView(ctx, order, l)),
    shippingLine: shipping ? shippingLineView(shipping) : null,
    shippingLines: (args: PageArgs) => paginate(order.shippingLines, args, shippingLineView),
    discountApplications: (args: PageArgs) =>
      paginate(order.discountApplications.map((a, i) => ({ id: i, a })), args, ({ a, id: i }) => applicationView(a, i, c)),
    refunds: (args: { first?: number | null }) => order.refunds.slice(0, args.first ?? undefined).map((r) => refundView(ctx, order, r)),
    transactions: (args: { first?: number | null }) => order.transactions.slice(0, args.first ?? undefined).map((tx) => transactionView(ctx, order, tx)),
    transactionsCount: count(order.transactions.length),
    fulfillments: () => [],
    fulfillmentsCount: count(0),
    statusPageUrl: `https://${ctx.shop.domain}/${ctx.shop.id}/orders/${order.token}/authenticate?key=${order.token.slice(0, 16)}`,
    ...metafieldFields(ctx, id, self),
  };
}

export const orderSearch = {
  dateFields: ["created_at", "processed_at", "updated_at"],
  text: (o: OrderRecord) => [o.name, o.email, ...o.tags].filter(Boolean).join(" "),
  field(o: OrderRecord, name: string) {
    switch (name) {
      case "id":
        return o.id;
      case "name":
        return [o.name, o.name.replace(/^#/, "")];
      case "email":
        return o.email;
      case "customer_id":
        return o.customerId;
      case "financial_status":
        return o.financialStatus;
      case "status":
        return o.cancelledAt !== null ? "cancelled" : o.closedAt !== null ? "closed" : "open";
      case "tag":
        return o.tags;
      case "discount_code":
        return o.discountCodes.map((d) => d.code);
      case "test":
        return String(o.test);
      case "created_at":
        return new Date(o.createdAt).toISOString();
      case "processed_at":
        return new Date(o.processedAt).toISOString();
      case "updated_at":
        return new Date(o.updatedAt).toISOString();
      case "source_name":
        return o.sourceName;
      default:
        return undefined;
    }
  },
};
