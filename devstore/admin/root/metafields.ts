import { parseGid } from "../../core/ids.ts";
import { hasScope, resolveNamespace } from "../context.ts";
import { compareDigest, metafieldView } from "../views/common.ts";
import { nodeView, ownerExists } from "../views/node.ts";
import type { MetafieldOwnerType, MetafieldRecord } from "../../state/types.ts";
import { isKnownType, validateMetafieldValue } from "./metafield-values.ts";
import type { RootResolvers, UserError } from "./types.ts";

const OWNER_TYPES: Record<string, { owner: MetafieldOwnerType; scope: string | null }> = {
  Customer: { owner: "CUSTOMER", scope: "write_customers" },
  Order: { owner: "ORDER", scope: "write_orders" },
  Product: { owner: "PRODUCT", scope: "write_products" },
  ProductVariant: { owner: "PRODUCTVARIANT", scope: "write_products" },
  Collection: { owner: "COLLECTION", scope: "write_products" },
  DiscountCodeNode: { owner: "DISCOUNT", scope: "write_discounts" },
  Shop: { owner: "SHOP", scope: null },
  AppInstallation: { owner: "SHOP", scope: null },
};

const MAX_INPUTS = 25;

interface SetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  value: string;
  type?: string | null;
  compareDigest?: string | null;
}

/** metafieldsSet is atomic: one error and nothing is written. */
export const metafieldMutations: RootResolvers = {
  metafieldsSet: (args, ctx) => {
    const inputs = args.metafields as SetInput[];
    const errors: UserError[] = [];
    const err = (i: number | null, path: string[], code: string, message: string) =>
      errors.push({ field: i === null ? ["metafields"] : ["metafields", String(i), ...path], message, code, elementIndex: i });
    if (inputs.length > MAX_INPUTS) {
      err(null, [], "LESS_THAN_OR_EQUAL_TO", `Exceeded the maximum metafields input limit of ${MAX_INPUTS}.`);
      return { metafields: [], userErrors: errors };
    }
    const now = ctx.core.clock.now();
    const planned: { input: SetInput; namespace: string; existing: MetafieldRecord | undefined; type: string; owner: MetafieldOwnerType }[] = [];
    inputs.forEach((input, i) => {
      const parsed = parseGid(input.ownerId);
      const ownerType = parsed ? OWNER_TYPES[parsed.type] : undefined;
      if (!parsed || !ownerType || !ownerExists(ctx, input.ownerId)) {
        err(i, ["ownerId"], "INVALID", "Owner does not exist.");
        return;
      }
      if (ownerType.scope && !hasScope(ctx.token, ownerType.scope)) {
        err(i, ["ownerId"], "APP_NOT_AUTHORIZED", `Access denied: ${ownerType.scope} scope is required to write metafields on ${parsed.type}.`);
        return;
      }
      const namespace = resolveNamespace(ctx, input.namespace);
      if (namespace.length < 2) err(i, ["namespace"], "TOO_SHORT", "Namespace is too short (minimum is 2 characters)");
      if (namespace.length > 255) err(i, ["namespace"], "TOO_LONG", "Namespace is too long (maximum is 255 characters)");
      if (!/^[A-Za-z0-9_-]+$/.test(input.key)) err(i, ["key"], "INVALID", "Key contains one or more invalid characters.");
      if (input.key.length < 2) err(i, ["key"], "TOO_SHORT", "Key is too short (minimum is 2 characters)");
      if (input.key.length > 64) err(i, ["key"], "TOO_LONG", "Key is too long (maximum is 64 characters)");
      const existing = ctx.shop.metafieldsOf(input.ownerId).find((m) => m.namespace === namespace && m.key === input.key);
      const type = input.type ?? existing?.type;
      if (!type) {
        err(i, ["type"], "BLANK", "Type can't be blank");
        return;
      }
      if (!isKnownType(type)) {
        err(i, ["type"], "INVALID_TYPE", `Type '${type}' is not a valid metafield type.`);
        return;
      }
      if (existing && existing.type !== type) {
        err(i, ["type"], "INVALID_TYPE", `Type '${type}' does not match the existing metafield's type '${existing.type}'.`);
        return;
      }
      const problem = validateMetafieldValue(type, input.value);
      if (problem) err(i, ["value"], "INVALID_VALUE", problem);
      if ("compareDigest" in input && input.compareDigest !== undefined) {
        const current = existing ? compareDigest(existing) : null;
        if (input.compareDigest !== current) {
          err(i, ["compareDigest"], "STALE_OBJECT", "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.");
        }
      }
      planned.push({ input, namespace, existing, type, owner: ownerType.owner });
    });
    if (errors.length) return { metafields: [], userErrors: errors };
    const written = planned.map(({ input, namespace, existing, type, owner }) => {
      if (existing) {
        existing.value = input.value;
        existing.updatedAt = now;
        return existing;
      }
      const record: MetafieldRecord = { id: ctx.core.ids.take(), ownerGid: input.ownerId, ownerType: owner, namespace, key: input.key, type, value: input.value, createdAt: now, updatedAt: now };
      ctx.shop.metafields.set(input.ownerId, [...ctx.shop.metafieldsOf(input.ownerId), record]);
      return record;
    });
    return { metafields: written.map((r) => metafieldView(r, () => nodeView(ctx, r.ownerGid))), userErrors: [] };
  },

  metafieldsDelete: (args, ctx) => {
    const inputs = args.metafields as { ownerId: string; namespace: string; key: string }[];
    const deleted = inputs.map((input) => {
      const namespace = resolveNamespace(ctx, input.namespace);
      const list = ctx.shop.metafieldsOf(input.ownerId);
      const index = list.findIndex((m) => m.namespace === namespace && m.key === input.key);
      if (index < 0) return null;
      list.splice(index, 1);
      return { ownerId: input.ownerId, namespace, key: input.key };
    });
    return { deletedMetafields: deleted, userErrors: [] };
  },
};
