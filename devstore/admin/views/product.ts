import { gid } from "../../core/ids.ts";
import { toDecimalString } from "../../core/money.ts";
import { paginate, type PageArgs } from "../connection.ts";
import type { AdminContext } from "../context.ts";
import type { CollectionRecord, ProductRecord, VariantRecord } from "../../state/types.ts";
import { count, metafieldFields, money } from "./common.ts";

export function variantView(ctx: AdminContext, variant: VariantRecord): Record<string, unknown> {
  const id = gid("ProductVariant", variant.id);
  const product = ctx.shop.products.get(variant.productId)!;
  const c = ctx.shop.currency;
  return {
    __typename: "ProductVariant",
    id,
    legacyResourceId: String(variant.id),
    title: variant.title,
    displayName: `${product.title} - ${variant.title}`,
    sku: variant.sku || null,
    barcode: null,
    price: toDecimalString(variant.price, c),
    compareAtPrice: variant.compareAtPrice === null ? null : toDecimalString(variant.compareAtPrice, c),
    taxable: variant.taxable,
    inventoryQuantity: variant.inventoryQuantity,
    sellableOnlineQuantity: variant.inventoryQuantity,
    availableForSale: variant.inventoryQuantity > 0,
    inventoryPolicy: "DENY",
    position: product.variantIds.indexOf(variant.id) + 1,
    requiresComponents: false,
    showUnitPrice: false,
    unitPrice: null,
    selectedOptions: [{ name: "Title", value: variant.title }],
    createdAt: variant.createdAt,
    updatedAt: variant.updatedAt,
    defaultCursor: Buffer.from(JSON.stringify({ last_id: variant.id, last_value: String(variant.id) })).toString("base64"),
    product: () => productView(ctx, product),
    ...metafieldFields(ctx, id, () => variantView(ctx, variant)),
  };
}

export function productView(ctx: AdminContext, product: ProductRecord): Record<string, unknown> {
  const id = gid("Product", product.id);
  const variants = () => product.variantIds.map((v) => ctx.shop.variants.get(v)!).filter(Boolean);
  const prices = () => variants().map((v) => v.price);
  const c = ctx.shop.currency;
  return {
    __typename: "Product",
    id,
    legacyResourceId: String(product.id),
    title: product.title,
    handle: product.handle,
    vendor: product.vendor,
    productType: product.productType,
    tags: product.tags,
    status: product.status,
    description: "",
    descriptionHtml: "",
    isGiftCard: false,
    hasOnlyDefaultVariant: variants().length === 1 && variants()[0]!.title === "Default Title",
    hasOutOfStockVariants: variants().some((v) => v.inventoryQuantity <= 0),
    tracksInventory: true,
    totalInventory: variants().reduce((s, v) => s + v.inventoryQuantity, 0),
    requiresSellingPlan: false,
    onlineStoreUrl: `https://${ctx.shop.domain}/products/${product.handle}`,
    onlineStorePreviewUrl: `https://${ctx.shop.domain}/products/${product.handle}`,
    publishedAt: product.createdAt,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    templateSuffix: null,
    featuredMedia: null,
    category: null,
    defaultCursor: Buffer.from(JSON.stringify({ last_id: product.id, last_value: String(product.id) })).toString("base64"),
    seo: { title: null, description: null },
    priceRangeV2: () => ({ minVariantPrice: money(Math.min(...prices()), c), maxVariantPrice: money(Math.max(...prices()), c) }),
    variantsCount: () => count(variants().length),
    variants: (args: PageArgs) => paginate(variants(), args, (v) => variantView(ctx, v)),
    collections: (args: PageArgs) =>
      paginate(
        [...ctx.shop.collections.values()].filter((col) => col.productIds.includes(product.id)),
        args,
        (col) => collectionView(ctx, col),
      ),
    inCollection: (args: { id: string }) =>
      [...ctx.shop.collections.values()].some((col) => gid("Collection", col.id) === args.id && col.productIds.includes(product.id)),
    ...metafieldFields(ctx, id, () => productView(ctx, product)),
  };
}

export function collectionView(ctx: AdminContext, collection: CollectionRecord): Record<string, unknown> {
  const id = gid("Collection", collection.id);
  const products = () => collection.productIds.map((p) => ctx.shop.products.get(p)).filter((p): p is ProductRecord => Boolean(p));
  return {
    __typename: "Collection",
    id,
    legacyResourceId: String(collection.id),
    title: collection.title,
    handle: collection.handle,
    description: "",
    descriptionHtml: "",
    updatedAt: collection.updatedAt,
    sortOrder: "MANUAL",
    templateSuffix: null,
    ruleSet: null,
    seo: { title: null, description: null },
    productsCount: () => count(products().length),
    products: (args: PageArgs) => paginate(products(), args, (p) => productView(ctx, p)),
    hasProduct: (args: { id: string }) => products().some((p) => gid("Product", p.id) === args.id),
    ...metafieldFields(ctx, id, () => collectionView(ctx, collection)),
  };
}

export const productSearch = {
  dateFields: ["created_at", "updated_at"],
  text: (p: ProductRecord) => [p.title, p.vendor, p.productType, ...p.tags].join(" "),
  field(p: ProductRecord, name: string) {
    switch (name) {
      case "id":
        return p.id;
      case "title":
        return p.title;
      case "handle":
        return p.handle;
      case "vendor":
        return p.vendor;
      case "product_type":
        return p.productType;
      case "tag":
        return p.tags;
      case "status":
        return p.status.toLowerCase();
      case "created_at":
        return new Date(p.createdAt).toISOString();
      case "updated_at":
        return new Date(p.updatedAt).toISOString();
      default:
        return undefined;
    }
  },
};
