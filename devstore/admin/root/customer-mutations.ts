import { numericIdOf } from "../../core/ids.ts";
import { normaliseTags, updateCustomer, type CustomerPatch } from "../../commerce/customers.ts";
import { requireScope, type AdminContext } from "../context.ts";
import { customerView } from "../views/customer.ts";
import { nodeView, requireGid } from "../views/node.ts";
import type { RootResolvers, UserError } from "./types.ts";
import { metafieldMutations } from "./metafields.ts";

function taggable(ctx: AdminContext, id: string) {
  const { type, id: n } = requireGid(id);
  if (type === "Customer") return { tags: ctx.shop.customers.get(n)?.tags, apply: (tags: string[]) => updateCustomer(ctx.core, ctx.shop, n, { tags }), scope: "write_customers" };
  if (type === "Order") {
    const order = ctx.shop.orders.get(n);
    return { tags: order?.tags, apply: (tags: string[]) => order && (order.tags = normaliseTags(tags)), scope: "write_orders" };
  }
  if (type === "Product") {
    const product = ctx.shop.products.get(n);
    return { tags: product?.tags, apply: (tags: string[]) => product && (product.tags = normaliseTags(tags)), scope: "write_products" };
  }
  return { tags: undefined, apply: () => undefined, scope: "write_customers" };
}

function tagMutation(add: boolean) {
  return (args: Record<string, unknown>, ctx: AdminContext) => {
    const target = taggable(ctx, args.id as string);
    requireScope(ctx, add ? "tagsAdd" : "tagsRemove", target.scope);
    if (!target.tags) return { node: null, userErrors: [{ field: ["id"], message: "Resource does not exist" }] };
    const change = normaliseTags(args.tags as string[]);
    const next = add ? [...target.tags, ...change] : target.tags.filter((t) => !change.some((c) => c.toLowerCase() === t.toLowerCase()));
    target.apply(next);
    return { node: nodeView(ctx, args.id as string), userErrors: [] };
  };
}

interface CustomerInputArgs {
  id?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  note?: string | null;
  tags?: string[] | null;
  locale?: string | null;
  taxExempt?: boolean | null;
  emailMarketingConsent?: { marketingState: string } | null;
  metafields?: { namespace?: string | null; key?: string | null; value?: string | null; type?: string | null }[] | null;
}

export const customerMutations: RootResolvers = {
  tagsAdd: tagMutation(true),
  tagsRemove: tagMutation(false),

  /** customerUpdate also emits customers/update, as Shopify does. */
  customerUpdate: (args, ctx, info) => {
    requireScope(ctx, "customerUpdate", "write_customers");
    const input = args.input as CustomerInputArgs;
    if (!input.id) return { customer: null, userErrors: [{ field: ["id"], message: "Customer id is required" }] };
    const id = numericIdOf(requireGid(input.id).type === "Customer" ? input.id : "", "Customer");
    const customer = id === null ? undefined : ctx.shop.customers.get(id);
    if (!customer) return { customer: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] };
    const errors: UserError[] = [];
    if (input.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) errors.push({ field: ["email"], message: "Email is invalid" });
    if (input.email && [...ctx.shop.customers.values()].some((c) => c.id !== customer.id && c.email?.toLowerCase() === input.email!.toLowerCase())) {
      errors.push({ field: ["email"], message: "Email has already been taken" });
    }
    if (errors.length) return { customer: null, userErrors: errors };
    if (input.metafields?.length) {
      const result = metafieldMutations.metafieldsSet!(
        { metafields: input.metafields.map((m) => ({ ownerId: input.id, namespace: m.namespace, key: m.key ?? "", value: m.value ?? "", type: m.type })) },
        ctx,
        info,
      ) as { userErrors: UserError[] };
      if (result.userErrors.length) return { customer: null, userErrors: result.userErrors.map((e) => ({ field: ["metafields", ...(e.field ?? []).slice(1)], message: e.message })) };
    }
    const patch: CustomerPatch = {};
    if (input.email !== undefined) patch.email = input.email;
    if (input.firstName !== undefined) patch.firstName = input.firstName;
    if (input.lastName !== undefined) patch.lastName = input.lastName;
    if (input.phone !== undefined) patch.phone = input.phone;
    if (input.note !== undefined) patch.note = input.note;
    if (input.tags !== undefined && input.tags !== null) patch.tags = input.tags;
    if (input.locale) patch.locale = input.locale;
    if (input.taxExempt !== undefined && input.taxExempt !== null) patch.taxExempt = input.taxExempt;
    if (input.emailMarketingConsent) patch.emailMarketing = input.emailMarketingConsent.marketingState as CustomerPatch["emailMarketing"];
    const updated = updateCustomer(ctx.core, ctx.shop, customer.id, patch);
    return { customer: customerView(ctx, updated), userErrors: [] };
  },

  /** customerEmailMarketingConsentUpdate: the customer needs an email; SUBSCRIBED, UNSUBSCRIBED and
   *  PENDING are accepted (the other states are rejected as input, as Shopify does); customers/update follows. */
  customerEmailMarketingConsentUpdate: (args, ctx) => {
    requireScope(ctx, "customerEmailMarketingConsentUpdate", "write_customers");
    const input = args.input as { customerId: string; emailMarketingConsent: { marketingState: string; marketingOptInLevel?: string | null } };
    const id = numericIdOf(requireGid(input.customerId).type === "Customer" ? input.customerId : "", "Customer");
    const customer = id === null ? undefined : ctx.shop.customers.get(id);
    if (!customer) return { customer: null, userErrors: [{ field: ["input", "customerId"], message: "Customer not found", code: "INVALID" }] };
    if (!customer.email) return { customer: null, userErrors: [{ field: ["input", "customerId"], message: "Customer must have an email address", code: "INVALID" }] };
    const state = input.emailMarketingConsent.marketingState;
    if (!["SUBSCRIBED", "UNSUBSCRIBED", "PENDING"].includes(state)) {
      return { customer: null, userErrors: [{ field: ["input", "emailMarketingConsent", "marketingState"], message: "Marketing state is not included in the list", code: "INCLUSION" }] };
    }
    const updated = updateCustomer(ctx.core, ctx.shop, customer.id, { emailMarketing: state as CustomerPatch["emailMarketing"] });
    return { customer: customerView(ctx, updated), userErrors: [] };
  },
};
