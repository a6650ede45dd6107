import { parseGid } from "../../core/ids.ts";
import { invalidId, type AdminContext } from "../context.ts";
import { metafieldView } from "./common.ts";
import { customerView } from "./customer.ts";
import { codeDiscountNodeView, discountNodeView } from "./discount.ts";
import { lineItemView, orderView, refundView } from "./order.ts";
import { collectionView, productView, variantView } from "./product.ts";
import { appInstallationView, shopView } from "./shop.ts";
import { storeCreditAccountView } from "./store-credit.ts";

/** Parses an ID argument; a malformed one is an error like Shopify's "Invalid global id". */
export function requireGid(value: string): { type: string; id: number } {
  const parsed = parseGid(value);
  if (!parsed || !/^\d+$/.test(parsed.id)) throw invalidId(value);
  return { type: parsed.type, id: Number(parsed.id) };
}

/** Resolves any GID the devstore models to its view, or null when nothing has that id. */
export function nodeView(ctx: AdminContext, value: string): Record<string, unknown> | null {
  const { type, id } = requireGid(value);
  const shop = ctx.shop;
  switch (type) {
    case "Customer": {
      const c = shop.customers.get(id);
      return c ? customerView(ctx, c) : null;
    }
    case "Order": {
      const o = shop.orders.get(id);
      return o ? orderView(ctx, o) : null;
    }
    case "LineItem": {
      for (const o of shop.orders.values()) {
        const line = o.lineItems.find((l) => l.id === id);
        if (line) return lineItemView(ctx, o, line);
      }
      return null;
    }
    case "Refund": {
      for (const o of shop.orders.values()) {
        const refund = o.refunds.find((r) => r.id === id);
        if (refund) return refundView(ctx, o, refund);
      }
      return null;
    }
    case "Product": {
      const p = shop.products.get(id);
      return p ? productView(ctx, p) : null;
    }
    case "ProductVariant": {
      const v = shop.variants.get(id);
      return v ? variantView(ctx, v) : null;
    }
    case "Collection": {
      const c = shop.collections.get(id);
      return c ? collectionView(ctx, c) : null;
    }
    case "DiscountCodeNode": {
      const d = shop.discounts.get(id);
      return d ? codeDiscountNodeView(ctx, d) : null;
    }
    case "DiscountNode": {
      const d = shop.discounts.get(id);
      return d ? discountNodeView(ctx, d) : null;
    }
    case "StoreCreditAccount": {
      const a = shop.storeCreditAccounts.get(id);
      return a ? storeCreditAccountView(ctx, a) : null;
    }
    case "Shop":
      return id === shop.id ? shopView(ctx) : null;
    case "AppInstallation":
      return id === shop.appInstallationId ? appInstallationView(ctx) : null;
    case "Metafield": {
      for (const [ownerGid, records] of shop.metafields) {
        const record = records.find((m) => m.id === id);
        if (record) return metafieldView(record, () => nodeView(ctx, ownerGid));
      }
      return null;
    }
    default:
      return null;
  }
}

/** The owner GID must name something that exists in this shop. */
export function ownerExists(ctx: AdminContext, ownerGid: string): boolean {
  try {
    return nodeView(ctx, ownerGid) !== null;
  } catch {
    return false;
  }
}
