import { createHash } from "node:crypto";
import { toDecimalString } from "../../core/money.ts";
import { gid } from "../../core/ids.ts";
import { paginate, type PageArgs } from "../connection.ts";
import { resolveNamespace, type AdminContext } from "../context.ts";
import type { MetafieldRecord } from "../../state/types.ts";

export interface MoneyV2View {
  __typename: "MoneyV2";
  amount: string;
  currencyCode: string;
}

export function money(minor: number, currency: string): MoneyV2View {
  return { __typename: "MoneyV2", amount: toDecimalString(minor, currency), currencyCode: currency };
}

export function moneyBag(minor: number, currency: string) {
  const m = money(minor, currency);
  return { shopMoney: m, presentmentMoney: m };
}

export function count(n: number) {
  return { count: n, precision: "EXACT" };
}

/** The digest Shopify uses for compare-and-set on metafields (opaque to clients). */
export function compareDigest(record: MetafieldRecord): string {
  return createHash("sha256").update(`${record.id}:${record.updatedAt}:${record.value}`).digest("hex");
}

export function metafieldView(record: MetafieldRecord, owner: () => unknown) {
  return {
    __typename: "Metafield",
    id: gid("Metafield", record.id),
    legacyResourceId: String(record.id),
    namespace: record.namespace,
    key: record.key,
    value: record.value,
    type: record.type,
    jsonValue: () => jsonValueOf(record),
    compareDigest: compareDigest(record),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ownerType: record.ownerType,
    owner,
    description: null,
    definition: null,
    reference: null,
    references: null,
  };
}

function jsonValueOf(record: MetafieldRecord): unknown {
  const { type, value } = record;
  if (type === "json" || type.startsWith("list.") || type === "money" || type === "rating" || type === "dimension" || type === "volume" || type === "weight") {
    return JSON.parse(value);
  }
  if (type === "number_integer") return Number(value);
  if (type === "number_decimal") return value;
  if (type === "boolean") return value === "true";
  return value;
}

/** metafield(namespace, key) and metafields(namespace, keys, first…) for an owner. */
export function metafieldFields(ctx: AdminContext, ownerGid: string, self: () => unknown) {
  const all = () => ctx.shop.metafieldsOf(ownerGid);
  return {
    metafield(args: { namespace?: string | null; key: string }) {
      let namespace = args.namespace;
      let key = args.key;
      if (namespace == null && key.includes(".")) [namespace, key] = [key.slice(0, key.lastIndexOf(".")), key.slice(key.lastIndexOf(".") + 1)];
      const ns = resolveNamespace(ctx, namespace);
      const record = all().find((m) => m.namespace === ns && m.key === key);
      return record ? metafieldView(record, self) : null;
    },
    metafields(args: PageArgs & { namespace?: string | null; keys?: string[] | null }) {
      const ns = args.namespace == null ? null : resolveNamespace(ctx, args.namespace);
      const keys = args.keys?.map((k) => {
        const dot = k.lastIndexOf(".");
        return dot > 0 ? { ns: resolveNamespace(ctx, k.slice(0, dot)), key: k.slice(dot + 1) } : { ns, key: k };
      });
      const records = all().filter((m) => (ns === null || m.namespace === ns) && (!keys || keys.some((k) => (k.ns === null || k.ns === m.namespace) && k.key === m.key)));
      return paginate(records, args, (r) => metafieldView(r, self));
    },
  };
}
