import type { CollectionRecord, DiscountItems, DiscountRecord, VariantRecord } from "../state/types.ts";

export type DiscountStatus = "ACTIVE" | "EXPIRED" | "SCHEDULED";
export type DiscountClass = "ORDER" | "PRODUCT" | "SHIPPING";

export function discountStatus(discount: DiscountRecord, now: number): DiscountStatus {
  if (discount.startsAt > now) return "SCHEDULED";
  if (discount.endsAt !== null && discount.endsAt <= now) return "EXPIRED";
  return "ACTIVE";
}

/** Shopify's class: free shipping → SHIPPING; BXGY or item-restricted basic → PRODUCT; basic on all items → ORDER. */
export function discountClass(discount: DiscountRecord): DiscountClass {
  if (discount.kind === "freeShipping") return "SHIPPING";
  if (discount.kind === "bxgy") return "PRODUCT";
  return discount.customerGets?.items.type === "all" ? "ORDER" : "PRODUCT";
}

export function usageCount(discount: DiscountRecord): number {
  return discount.codes.reduce((sum, c) => sum + c.usageCount, 0);
}

export function combines(a: DiscountRecord, b: DiscountRecord): boolean {
  const allows = (d: DiscountRecord, other: DiscountClass) =>
    other === "ORDER" ? d.combinesWith.orderDiscounts : other === "PRODUCT" ? d.combinesWith.productDiscounts : d.combinesWith.shippingDiscounts;
  return allows(a, discountClass(b)) && allows(b, discountClass(a));
}

/** Whether a line (by product/variant) is in a discount's item selection. */
export function itemsInclude(
  items: DiscountItems,
  line: { productId: number | null; variantId: number | null },
  collections: Map<number, CollectionRecord>,
): boolean {
  switch (items.type) {
    case "all":
      return true;
    case "products":
      return (
        (line.productId !== null && items.productIds.includes(line.productId)) ||
        (line.variantId !== null && items.variantIds.includes(line.variantId))
      );
    case "collections":
      return (
        line.productId !== null &&
        items.collectionIds.some((id) => collections.get(id)?.productIds.includes(line.productId!) ?? false)
      );
  }
}

export function variantProduct(variants: Map<number, VariantRecord>, variantId: number | null): number | null {
  return variantId === null ? null : (variants.get(variantId)?.productId ?? null);
}
