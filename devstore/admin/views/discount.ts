import { gid } from "../../core/ids.ts";
import { toFixedString } from "../../core/money.ts";
import { discountClass, discountStatus, usageCount } from "../../commerce/discount-status.ts";
import { paginate, type PageArgs } from "../connection.ts";
import type { AdminContext } from "../context.ts";
import type { DiscountItems, DiscountRecord, DiscountValue } from "../../state/types.ts";
import { count, metafieldFields, money } from "./common.ts";
import { customerView } from "./customer.ts";
import { collectionView, productView, variantView } from "./product.ts";

function itemsView(ctx: AdminContext, items: DiscountItems) {
  switch (items.type) {
    case "all":
      return { __typename: "AllDiscountItems", allItems: true };
    case "products":
      return {
        __typename: "DiscountProducts",
        products: (args: PageArgs) => paginate(items.productIds.map((id) => ctx.shop.products.get(id)!).filter(Boolean), args, (p) => productView(ctx, p)),
        productVariants: (args: PageArgs) => paginate(items.variantIds.map((id) => ctx.shop.variants.get(id)!).filter(Boolean), args, (v) => variantView(ctx, v)),
      };
    case "collections":
      return {
        __typename: "DiscountCollections",
        collections: (args: PageArgs) => paginate(items.collectionIds.map((id) => ctx.shop.collections.get(id)!).filter(Boolean), args, (c) => collectionView(ctx, c)),
      };
  }
}

function valueView(value: DiscountValue, currency: string) {
  switch (value.type) {
    case "percentage":
      return { __typename: "DiscountPercentage", percentage: value.percentage };
    case "amount":
      return { __typename: "DiscountAmount", amount: money(value.amount, currency), appliesOnEachItem: value.appliesOnEachItem };
    case "onQuantity":
      return {
        __typename: "DiscountOnQuantity",
        quantity: { quantity: String(value.quantity) },
        effect:
          value.effect.type === "percentage"
            ? { __typename: "DiscountPercentage", percentage: value.effect.percentage }
            : { __typename: "DiscountAmount", amount: money(value.effect.amount, currency), appliesOnEachItem: false },
      };
  }
}

function contextView(ctx: AdminContext, discount: DiscountRecord) {
  const c = discount.context;
  if (c.type === "all") return { __typename: "DiscountBuyerSelectionAll", all: "ALL" };
  if (c.type === "customers") {
    return {
      __typename: "DiscountCustomers",
      customers: c.customerIds.map((id) => ctx.shop.customers.get(id)).filter(Boolean).map((cu) => customerView(ctx, cu!)),
    };
  }
  return { __typename: "DiscountCustomerSegments", segments: [] };
}

function customerSelectionView(ctx: AdminContext, discount: DiscountRecord) {
  const c = contextView(ctx, discount);
  return c.__typename === "DiscountBuyerSelectionAll" ? { __typename: "DiscountCustomerAll", allCustomers: true } : c;
}

function summary(ctx: AdminContext, d: DiscountRecord): string {
  const c = ctx.shop.currency;
  const parts: string[] = [];
  const value = d.customerGets?.value;
  if (d.kind === "freeShipping") parts.push("Free shipping on all products");
  else if (value?.type === "percentage") parts.push(`${Math.round(value.percentage * 10000) / 100}% off ${d.customerGets!.items.type === "all" ? "entire order" : "specific products"}`);
  else if (value?.type === "amount") parts.push(`${toFixedString(value.amount, c)} ${c} off ${d.customerGets!.items.type === "all" ? "entire order" : "specific products"}`);
  else if (value?.type === "onQuantity") parts.push(`Buy ${d.customerBuys?.value.type === "quantity" ? d.customerBuys.value.quantity : "items"}, get ${value.quantity} at a discount`);
  if (d.minimum?.type === "subtotal") parts.push(`Minimum purchase of ${toFixedString(d.minimum.amount, c)} ${c}`);
  if (d.minimum?.type === "quantity") parts.push(`Minimum quantity of ${d.minimum.quantity}`);
  if (d.appliesOncePerCustomer) parts.push("One use per customer");
  if (d.usageLimit !== null) parts.push(`Limit of ${d.usageLimit} uses`);
  return parts.join(" • ");
}

export function codeDiscountView(ctx: AdminContext, d: DiscountRecord): Record<string, unknown> {
  const c = ctx.shop.currency;
  const now = ctx.core.clock.now();
  const cls = discountClass(d);
  const typename = d.kind === "basic" ? "DiscountCodeBasic" : d.kind === "freeShipping" ? "DiscountCodeFreeShipping" : "DiscountCodeBxgy";
  const base: Record<string, unknown> = {
    __typename: typename,
    title: d.title,
    status: discountStatus(d, now),
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    asyncUsageCount: usageCount(d),
    usageLimit: d.usageLimit,
    appliesOncePerCustomer: d.appliesOncePerCustomer,
    combinesWith: { ...d.combinesWith },
    context: () => contextView(ctx, d),
    customerSelection: () => customerSelectionView(ctx, d),
    discountClass: cls,
    discountClasses: [cls],
    hasTimelineComment: false,
    shareableUrls: [],
    summary: summary(ctx, d),
    shortSummary: summary(ctx, d).split(" • ")[0] ?? "",
    totalSales: money(d.totalSales, c),
    codesCount: count(d.codes.length),
    codes: (args: PageArgs & { query?: string | null }) =>
      paginate(
        d.codes.filter((code) => !args.query || code.code.toLowerCase().includes(args.query.replace(/^code:/, "").toLowerCase())),
        args,
        (code) => ({ __typename: "DiscountRedeemCode", id: gid("DiscountRedeemCode", code.id), code: code.code, asyncUsageCount: code.usageCount, createdBy: null }),
      ),
  };
  if (d.kind !== "bxgy") {
    base.minimumRequirement =
      d.minimum === null
        ? null
        : d.minimum.type === "subtotal"
          ? { __typename: "DiscountMinimumSubtotal", greaterThanOrEqualToSubtotal: money(d.minimum.amount, c) }
          : { __typename: "DiscountMinimumQuantity", greaterThanOrEqualToQuantity: String(d.minimum.quantity) };
    base.recurringCycleLimit = d.recurringCycleLimit;
  }
  if (d.customerGets) {
    const gets = d.customerGets;
    base.customerGets = {
      value: valueView(gets.value, c),
      items: itemsView(ctx, gets.items),
      appliesOnOneTimePurchase: gets.appliesOnOneTimePurchase,
      appliesOnSubscription: gets.appliesOnSubscription,
    };
  }
  if (d.kind === "freeShipping") {
    base.destinationSelection =
      d.destination.type === "all"
        ? { __typename: "DiscountCountryAll", allCountries: true }
        : { __typename: "DiscountCountries", countries: d.destination.countries, includeRestOfWorld: d.destination.includeRestOfWorld };
    base.maximumShippingPrice = d.maximumShippingPrice === null ? null : money(d.maximumShippingPrice, c);
    base.appliesOnOneTimePurchase = true;
    base.appliesOnSubscription = false;
  }
  if (d.kind === "bxgy" && d.customerBuys) {
    const buys = d.customerBuys;
    base.customerBuys = {
      isOneTimePurchase: true,
      isSubscription: false,
      items: itemsView(ctx, buys.items),
      value:
        buys.value.type === "quantity"
          ? { __typename: "DiscountQuantity", quantity: String(buys.value.quantity) }
          : { __typename: "DiscountPurchaseAmount", amount: toFixedString(buys.value.amount, c) },
    };
    base.usesPerOrderLimit = d.usesPerOrderLimit;
  }
  return base;
}

export function codeDiscountNodeView(ctx: AdminContext, d: DiscountRecord): Record<string, unknown> {
  const id = gid("DiscountCodeNode", d.id);
  return {
    __typename: "DiscountCodeNode",
    id,
    codeDiscount: () => codeDiscountView(ctx, d),
    ...metafieldFields(ctx, id, () => codeDiscountNodeView(ctx, d)),
  };
}

/** DiscountNode shares the id number with the DiscountCodeNode (gid://shopify/DiscountNode/… also resolves). */
export function discountNodeView(ctx: AdminContext, d: DiscountRecord): Record<string, unknown> {
  const id = `gid://shopify/DiscountNode/${d.id}`;
  return {
    __typename: "DiscountNode",
    id,
    discount: () => codeDiscountView(ctx, d),
    ...metafieldFields(ctx, gid("DiscountCodeNode", d.id), () => discountNodeView(ctx, d)),
  };
}

export function discountSearch(ctx: AdminContext) {
  return {
    dateFields: ["starts_at", "ends_at", "created_at", "updated_at"],
    text: (d: DiscountRecord) => [d.title, ...d.codes.map((c) => c.code)].join(" "),
    field(d: DiscountRecord, name: string) {
      switch (name) {
        case "code":
          return d.codes.map((c) => c.code);
        case "title":
          return d.title;
        case "status":
          return discountStatus(d, ctx.core.clock.now()).toLowerCase();
        case "discount_type":
        case "type":
          return d.kind === "basic" ? (d.customerGets?.value.type === "percentage" ? "percentage" : "fixed_amount") : d.kind === "freeShipping" ? "free_shipping" : "bogo";
        case "starts_at":
          return new Date(d.startsAt).toISOString();
        case "ends_at":
          return d.endsAt === null ? null : new Date(d.endsAt).toISOString();
        case "created_at":
          return new Date(d.createdAt).toISOString();
        case "updated_at":
          return new Date(d.updatedAt).toISOString();
        case "times_used":
          return usageCount(d);
        default:
          return undefined;
      }
    },
  };
}
