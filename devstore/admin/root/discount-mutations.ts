import { numericIdOf, gid } from "../../core/ids.ts";
import { requireScope, type AdminContext } from "../context.ts";
import { codeDiscountNodeView } from "../views/discount.ts";
import { requireGid } from "../views/node.ts";
import type { DiscountRecord } from "../../state/types.ts";
import { discountFromInput, type Input } from "./discount-input.ts";
import type { RootResolvers } from "./types.ts";

function create(kind: DiscountRecord["kind"], argName: string) {
  return (args: Record<string, unknown>, ctx: AdminContext) => {
    requireScope(ctx, `discountCode${kind === "basic" ? "Basic" : kind === "bxgy" ? "Bxgy" : "FreeShipping"}Create`, "write_discounts");
    const { record, errors } = discountFromInput(ctx, kind, argName, args[argName] as Input, null);
    if (!record) return { codeDiscountNode: null, userErrors: errors };
    ctx.shop.discounts.set(record.id, record);
    return { codeDiscountNode: codeDiscountNodeView(ctx, record), userErrors: [] };
  };
}

function update(kind: DiscountRecord["kind"], argName: string) {
  return (args: Record<string, unknown>, ctx: AdminContext) => {
    requireScope(ctx, "discountCodeUpdate", "write_discounts");
    const existing = findDiscount(ctx, args.id as string);
    if (!existing || existing.kind !== kind) return notFound();
    const { record, errors } = discountFromInput(ctx, kind, argName, args[argName] as Input, existing);
    if (!record) return { codeDiscountNode: null, userErrors: errors };
    ctx.shop.discounts.set(record.id, record);
    return { codeDiscountNode: codeDiscountNodeView(ctx, record), userErrors: [] };
  };
}

function findDiscount(ctx: AdminContext, id: string): DiscountRecord | undefined {
  requireGid(id);
  const n = numericIdOf(id, "DiscountCodeNode");
  return n === null ? undefined : ctx.shop.discounts.get(n);
}

function notFound() {
  return { codeDiscountNode: null, userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID", extraInfo: null }] };
}

export const discountMutations: RootResolvers = {
  discountCodeBasicCreate: create("basic", "basicCodeDiscount"),
  discountCodeFreeShippingCreate: create("freeShipping", "freeShippingCodeDiscount"),
  discountCodeBxgyCreate: create("bxgy", "bxgyCodeDiscount"),
  discountCodeBasicUpdate: update("basic", "basicCodeDiscount"),
  discountCodeFreeShippingUpdate: update("freeShipping", "freeShippingCodeDiscount"),
  discountCodeBxgyUpdate: update("bxgy", "bxgyCodeDiscount"),

  /** Shopify deactivates by ending the discount now. */
  discountCodeDeactivate: (args, ctx) => {
    requireScope(ctx, "discountCodeDeactivate", "write_discounts");
    const d = findDiscount(ctx, args.id as string);
    if (!d) return notFound();
    const now = ctx.core.clock.now();
    if (d.endsAt === null || d.endsAt > now) d.endsAt = Math.max(now, d.startsAt + 1);
    d.updatedAt = now;
    return { codeDiscountNode: codeDiscountNodeView(ctx, d), userErrors: [] };
  },
  discountCodeActivate: (args, ctx) => {
    requireScope(ctx, "discountCodeActivate", "write_discounts");
    const d = findDiscount(ctx, args.id as string);
    if (!d) return notFound();
    const now = ctx.core.clock.now();
    if (d.endsAt !== null && d.endsAt <= now) d.endsAt = null;
    if (d.startsAt > now) d.startsAt = now;
    d.updatedAt = now;
    return { codeDiscountNode: codeDiscountNodeView(ctx, d), userErrors: [] };
  },
  discountCodeDelete: (args, ctx) => {
    requireScope(ctx, "discountCodeDelete", "write_discounts");
    const d = findDiscount(ctx, args.id as string);
    if (!d) return { deletedCodeDiscountId: null, userErrors: notFound().userErrors };
    ctx.shop.discounts.delete(d.id);
    ctx.shop.metafields.delete(gid("DiscountCodeNode", d.id));
    return { deletedCodeDiscountId: gid("DiscountCodeNode", d.id), userErrors: [] };
  },
};
