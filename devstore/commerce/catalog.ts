import type { StoreCore } from "../core/context.ts";
import { parseMinor } from "../core/money.ts";
import type { CollectionRecord, ProductRecord, VariantRecord } from "../state/types.ts";
import type { ShopState } from "../state/shop.ts";

export interface ProductInput {
  shop?: string;
  title: string;
  handle?: string;
  vendor?: string;
  productType?: string;
  tags?: string[];
  variants?: { title?: string; price: string | number; sku?: string; taxable?: boolean; requiresShipping?: boolean; grams?: number; inventoryQuantity?: number }[];
  /** Collection handles or titles to add the product to (created when missing). */
  collections?: string[];
}

function handleize(title: string): string {
  return title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export function createProduct(core: StoreCore, input: ProductInput): { product: ProductRecord; variants: VariantRecord[] } {
  const shop = core.shops.get(input.shop);
  const now = core.clock.now();
  const product: ProductRecord = {
    id: core.ids.take(),
    title: input.title,
    handle: input.handle ?? handleize(input.title),
    vendor: input.vendor ?? shop.name,
    productType: input.productType ?? "",
    tags: input.tags ?? [],
    status: "ACTIVE",
    variantIds: [],
    createdAt: now,
    updatedAt: now,
  };
  const specs = input.variants?.length ? input.variants : [{ price: "10.00" }];
  const variants = specs.map((spec) => {
    const variant: VariantRecord = {
      id: core.ids.take(),
      productId: product.id,
      title: spec.title ?? "Default Title",
      sku: spec.sku ?? "",
      price: parseMinor(spec.price, shop.currency),
      compareAtPrice: null,
      taxable: spec.taxable ?? true,
      requiresShipping: spec.requiresShipping ?? true,
      grams: spec.grams ?? 0,
      inventoryQuantity: spec.inventoryQuantity ?? 100,
      createdAt: now,
      updatedAt: now,
    };
    shop.variants.set(variant.id, variant);
    product.variantIds.push(variant.id);
    return variant;
  });
  shop.products.set(product.id, product);
  for (const name of input.collections ?? []) addToCollection(core, shop, name, product.id);
  return { product, variants };
}

export function addToCollection(core: StoreCore, shop: ShopState, name: string, productId: number): CollectionRecord {
  let collection = [...shop.collections.values()].find((c) => c.handle === name || c.title === name);
  if (!collection) {
    collection = { id: core.ids.take(), title: name, handle: handleize(name), productIds: [], updatedAt: core.clock.now() };
    shop.collections.set(collection.id, collection);
  }
  if (!collection.productIds.includes(productId)) collection.productIds.push(productId);
  return collection;
}

/** A small catalogue every new shop starts with, so orders can be placed right away. */
export function seedCatalog(core: StoreCore, shop: ShopState): void {
  createProduct(core, {
    shop: shop.domain,
    title: "Kaffeebohnen Hausmischung",
    vendor: "Rösterei Süd",
    productType: "Kaffee",
    tags: ["kaffee"],
    variants: [
      { title: "250 g", price: "9.90", sku: "KAF-250", grams: 250 },
      { title: "1 kg", price: "32.00", sku: "KAF-1000", grams: 1000 },
    ],
    collections: ["Kaffee"],
  });
  createProduct(core, {
    shop: shop.domain,
    title: "Espressotasse",
    vendor: "Porzellan Nord",
    productType: "Zubehör",
    variants: [{ price: "14.50", sku: "TAS-ESP", grams: 180 }],
    collections: ["Zubehör"],
  });
  createProduct(core, {
    shop: shop.domain,
    title: "Geschenkgutschein Verpackung",
    productType: "Service",
    variants: [{ price: "2.00", sku: "SRV-GIFT", requiresShipping: false }],
  });
}
