import { compileSearch } from "../search-query.ts";
import { paginate, type PageArgs } from "../connection.ts";
import { requireScope, type AdminContext } from "../context.ts";
import { count } from "../views/common.ts";
import { customerSearch, customerView } from "../views/customer.ts";
import { codeDiscountNodeView, discountNodeView, discountSearch } from "../views/discount.ts";
import { nodeView, requireGid } from "../views/node.ts";
import { orderSearch, orderView } from "../views/order.ts";
import { collectionView, productSearch, productView, variantView } from "../views/product.ts";
import { appInstallationView, shopView } from "../views/shop.ts";
import { storeCreditAccountView } from "../views/store-credit.ts";
import { mainThemeId, themesView, themeView } from "../views/theme.ts";
import type { RootResolvers } from "./types.ts";

type ListArgs = PageArgs & { query?: string | null; sortKey?: string | null };

function byType(ctx: AdminContext, id: string, type: string) {
  const parsed = requireGid(id);
  return parsed.type === type ? nodeView(ctx, id) : null;
}

function sortBy<T extends { id: number; createdAt?: number; updatedAt?: number }>(sortKey: string | null | undefined): (r: T) => number {
  switch (sortKey) {
    case "CREATED_AT":
    case "PROCESSED_AT":
      return (r) => r.createdAt ?? r.id;
    case "UPDATED_AT":
      return (r) => r.updatedAt ?? r.id;
    default:
      return (r) => r.id;
  }
}

export const queryRoot: RootResolvers = {
  shop: (_args, ctx) => shopView(ctx),
  currentAppInstallation: (_args, ctx) => appInstallationView(ctx),

  customer: (args, ctx) => {
    requireScope(ctx, "customer", "read_customers");
    return byType(ctx, args.id as string, "Customer");
  },
  customers: (args, ctx) => {
    requireScope(ctx, "customers", "read_customers");
    const a = args as ListArgs;
    const filter = compileSearch(a.query, customerSearch(ctx));
    const sortKey = a.sortKey === "NAME" ? undefined : a.sortKey;
    return paginate([...ctx.shop.customers.values()].filter(filter), a, (c) => customerView(ctx, c), sortBy(sortKey));
  },
  customersCount: (args, ctx) => {
    requireScope(ctx, "customersCount", "read_customers");
    const filter = compileSearch(args.query as string | null, customerSearch(ctx));
    return count([...ctx.shop.customers.values()].filter(filter).length);
  },

  order: (args, ctx) => {
    requireScope(ctx, "order", "read_orders");
    return byType(ctx, args.id as string, "Order");
  },
  orders: (args, ctx) => {
    requireScope(ctx, "orders", "read_orders");
    const a = args as ListArgs;
    const filter = compileSearch(a.query, orderSearch);
    return paginate([...ctx.shop.orders.values()].filter(filter), a, (o) => orderView(ctx, o), sortBy(a.sortKey));
  },
  ordersCount: (args, ctx) => {
    requireScope(ctx, "ordersCount", "read_orders");
    const filter = compileSearch(args.query as string | null, orderSearch);
    return count([...ctx.shop.orders.values()].filter(filter).length);
  },

  product: (args, ctx) => {
    requireScope(ctx, "product", "read_products");
    return byType(ctx, args.id as string, "Product");
  },
  products: (args, ctx) => {
    requireScope(ctx, "products", "read_products");
    const a = args as ListArgs;
    const sortKey = a.sortKey === "TITLE" ? undefined : a.sortKey;
    const records = [...ctx.shop.products.values()].filter(compileSearch(a.query, productSearch));
    return a.sortKey === "TITLE"
      ? paginate(records, a, (p) => productView(ctx, p), (p) => p.title)
      : paginate(records, a, (p) => productView(ctx, p), sortBy(sortKey));
  },
  productVariant: (args, ctx) => {
    requireScope(ctx, "productVariant", "read_products");
    return byType(ctx, args.id as string, "ProductVariant");
  },
  productVariants: (args, ctx) => {
    requireScope(ctx, "productVariants", "read_products");
    return paginate([...ctx.shop.variants.values()], args as PageArgs, (v) => variantView(ctx, v));
  },
  collection: (args, ctx) => {
    requireScope(ctx, "collection", "read_products");
    return byType(ctx, args.id as string, "Collection");
  },
  collections: (args, ctx) => {
    requireScope(ctx, "collections", "read_products");
    return paginate([...ctx.shop.collections.values()], args as PageArgs, (c) => collectionView(ctx, c));
  },

  codeDiscountNodeByCode: (args, ctx) => {
    requireScope(ctx, "codeDiscountNodeByCode", "read_discounts");
    const hit = ctx.shop.findDiscountByCode(args.code as string);
    return hit ? codeDiscountNodeView(ctx, hit.discount) : null;
  },
  codeDiscountNode: (args, ctx) => {
    requireScope(ctx, "codeDiscountNode", "read_discounts");
    return byType(ctx, args.id as string, "DiscountCodeNode");
  },
  codeDiscountNodes: (args, ctx) => {
    requireScope(ctx, "codeDiscountNodes", "read_discounts");
    const a = args as ListArgs;
    return paginate([...ctx.shop.discounts.values()].filter(compileSearch(a.query, discountSearch(ctx))), a, (d) => codeDiscountNodeView(ctx, d), sortBy(a.sortKey));
  },
  discountNode: (args, ctx) => {
    requireScope(ctx, "discountNode", "read_discounts");
    const { type, id } = requireGid(args.id as string);
    if (type !== "DiscountNode" && type !== "DiscountCodeNode") return null;
    const d = ctx.shop.discounts.get(id);
    return d ? discountNodeView(ctx, d) : null;
  },
  discountNodes: (args, ctx) => {
    requireScope(ctx, "discountNodes", "read_discounts");
    const a = args as ListArgs;
    return paginate([...ctx.shop.discounts.values()].filter(compileSearch(a.query, discountSearch(ctx))), a, (d) => discountNodeView(ctx, d), sortBy(a.sortKey));
  },
  discountCodesCount: (_args, ctx) => {
    requireScope(ctx, "discountCodesCount", "read_discounts");
    return count([...ctx.shop.discounts.values()].reduce((s, d) => s + d.codes.length, 0));
  },

  storeCreditAccount: (args, ctx) => {
    requireScope(ctx, "storeCreditAccount", "read_store_credit_accounts");
    const { type, id } = requireGid(args.id as string);
    const account = type === "StoreCreditAccount" ? ctx.shop.storeCreditAccounts.get(id) : undefined;
    return account ? storeCreditAccountView(ctx, account) : null;
  },

  themes: (args, ctx) => {
    requireScope(ctx, "themes", "read_themes");
    return themesView(ctx, args as Parameters<typeof themesView>[1]);
  },
  theme: (args, ctx) => {
    requireScope(ctx, "theme", "read_themes");
    requireGid(args.id as string);
    return ctx.themeFiles && args.id === mainThemeId(ctx) ? themeView(ctx) : null;
  },

  node: (args, ctx) => nodeView(ctx, args.id as string),
  nodes: (args, ctx) => (args.ids as string[]).map((id) => nodeView(ctx, id)),
};
