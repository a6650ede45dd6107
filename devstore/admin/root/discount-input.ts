import { numericIdOf } from "../../core/ids.ts";
import { parseMinor } from "../../core/money.ts";
import type { AdminContext } from "../context.ts";
import type { DiscountItems, DiscountRecord, DiscountValue } from "../../state/types.ts";
import type { UserError } from "./types.ts";

/** Coerced GraphQL input (DiscountCodeBasicInput / FreeShipping / Bxgy), loosely typed. */
export type Input = Record<string, unknown>;
type Kind = DiscountRecord["kind"];

const has = (input: Input | undefined, key: string) => input !== undefined && input !== null && key in input && input[key] !== undefined;
const obj = (value: unknown): Input | undefined => (value && typeof value === "object" ? (value as Input) : undefined);

export class DiscountInputErrors {
  readonly errors: UserError[] = [];
  constructor(private readonly root: string) {}
  add(path: string[], code: string, message: string): void {
    this.errors.push({ field: [this.root, ...path], message, code, extraInfo: null });
  }
  get ok(): boolean {
    return this.errors.length === 0;
  }
}

function decimalMinor(value: unknown, currency: string): number | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  const normal = /e/i.test(text) ? Number(text).toFixed(6) : text;
  return parseMinor(normal, currency);
}

function ids(values: unknown, type: string, exists: (id: number) => boolean): { ok: number[]; bad: string[] } {
  const ok: number[] = [];
  const bad: string[] = [];
  for (const v of (values as string[] | undefined) ?? []) {
    const id = numericIdOf(v, type);
    if (id !== null && exists(id)) ok.push(id);
    else bad.push(v);
  }
  return { ok, bad };
}

function parseItems(ctx: AdminContext, input: Input | undefined, path: string[], errors: DiscountInputErrors): DiscountItems | null {
  if (!input) {
    errors.add(path, "BLANK", "Items can't be blank");
    return null;
  }
  const keys = ["all", "products", "collections"].filter((k) => has(input, k) && input[k] !== null);
  if (keys.length > 1) {
    errors.add(path, "TOO_MANY_ARGUMENTS", "Only one of all, products or collections can be specified");
    return null;
  }
  if (keys[0] === "all") {
    if (input.all !== true) {
      errors.add([...path, "all"], "APPLIES_ON_NOTHING", "Items must apply to something");
      return null;
    }
    return { type: "all" };
  }
  if (keys[0] === "products") {
    const p = obj(input.products)!;
    const products = ids(p.productsToAdd, "Product", (id) => ctx.shop.products.has(id));
    const variants = ids(p.productVariantsToAdd, "ProductVariant", (id) => ctx.shop.variants.has(id));
    for (const bad of products.bad) errors.add([...path, "products", "productsToAdd"], "INVALID", `Product with id: ${bad} is invalid`);
    for (const bad of variants.bad) errors.add([...path, "products", "productVariantsToAdd"], "INVALID", `Product variant with id: ${bad} is invalid`);
    if (!products.ok.length && !variants.ok.length && !products.bad.length && !variants.bad.length) {
      errors.add([...path, "products"], "APPLIES_ON_NOTHING", "Items must apply to at least one product or variant");
    }
    return { type: "products", productIds: products.ok, variantIds: variants.ok };
  }
  if (keys[0] === "collections") {
    const c = obj(input.collections)!;
    const collections = ids(c.add, "Collection", (id) => ctx.shop.collections.has(id));
    for (const bad of collections.bad) errors.add([...path, "collections", "add"], "INVALID", `Collection with id: ${bad} is invalid`);
    if (!collections.ok.length && !collections.bad.length) errors.add([...path, "collections"], "APPLIES_ON_NOTHING", "Items must apply to at least one collection");
    return { type: "collections", collectionIds: collections.ok };
  }
  errors.add(path, "APPLIES_ON_NOTHING", "Items must apply to something");
  return null;
}

function parsePercentage(value: unknown, path: string[], errors: DiscountInputErrors): number | null {
  const p = Number(value);
  if (!Number.isFinite(p) || p <= 0 || p > 1) {
    errors.add(path, "VALUE_OUTSIDE_RANGE", "Value must be between 0.0 and 1.0");
    return null;
  }
  return p;
}

function parsePositiveAmount(ctx: AdminContext, value: unknown, path: string[], errors: DiscountInputErrors): number | null {
  if (value === null || value === undefined) {
    errors.add(path, "BLANK", "Amount can't be blank");
    return null;
  }
  const minor = decimalMinor(value, ctx.shop.currency)!;
  if (minor <= 0) {
    errors.add(path, "GREATER_THAN", "Value must be greater than 0");
    return null;
  }
  return minor;
}

function parseValue(ctx: AdminContext, kind: Kind, input: Input | undefined, path: string[], errors: DiscountInputErrors): DiscountValue | null {
  if (!input) {
    errors.add(path, "BLANK", "Value can't be blank");
    return null;
  }
  const keys = ["percentage", "discountAmount", "discountOnQuantity"].filter((k) => has(input, k) && input[k] !== null);
  if (keys.length !== 1) {
    errors.add(path, keys.length ? "TOO_MANY_ARGUMENTS" : "BLANK", keys.length ? "Only one of percentage, discountAmount or discountOnQuantity can be specified" : "Value can't be blank");
    return null;
  }
  const key = keys[0]!;
  if (kind === "bxgy" && key !== "discountOnQuantity") {
    errors.add([...path, key], "INVALID", "Buy X get Y discounts need discountOnQuantity");
    return null;
  }
  if (kind === "basic" && key === "discountOnQuantity") {
    errors.add([...path, key], "INVALID", "discountOnQuantity is only valid for buy X get Y discounts");
    return null;
  }
  if (key === "percentage") {
    const p = parsePercentage(input.percentage, [...path, "percentage"], errors);
    return p === null ? null : { type: "percentage", percentage: p };
  }
  if (key === "discountAmount") {
    const a = obj(input.discountAmount)!;
    const amount = parsePositiveAmount(ctx, a.amount, [...path, "discountAmount", "amount"], errors);
    return amount === null ? null : { type: "amount", amount, appliesOnEachItem: a.appliesOnEachItem === true };
  }
  const q = obj(input.discountOnQuantity)!;
  const quantity = Number(q.quantity ?? 0);
  if (!Number.isInteger(quantity) || quantity < 1) errors.add([...path, "discountOnQuantity", "quantity"], "GREATER_THAN", "Quantity must be greater than 0");
  const effect = obj(q.effect);
  if (!effect || (has(effect, "percentage") === has(effect, "amount"))) {
    errors.add([...path, "discountOnQuantity", "effect"], effect ? "TOO_MANY_ARGUMENTS" : "BLANK", "Effect needs exactly one of percentage or amount");
    return null;
  }
  if (has(effect, "percentage")) {
    const p = parsePercentage(effect.percentage, [...path, "discountOnQuantity", "effect", "percentage"], errors);
    return p === null ? null : { type: "onQuantity", quantity, effect: { type: "percentage", percentage: p } };
  }
  const amount = parsePositiveAmount(ctx, effect.amount, [...path, "discountOnQuantity", "effect", "amount"], errors);
  return amount === null ? null : { type: "onQuantity", quantity, effect: { type: "amount", amount } };
}

function parseContext(ctx: AdminContext, input: Input, errors: DiscountInputErrors): DiscountRecord["context"] | null | undefined {
  if (has(input, "context") && has(input, "customerSelection")) {
    errors.add([], "TOO_MANY_ARGUMENTS", "Only one of context or customerSelection can be specified");
    return null;
  }
  const key = has(input, "context") ? "context" : has(input, "customerSelection") ? "customerSelection" : null;
  if (!key) return undefined;
  const sel = obj(input[key]);
  if (!sel) {
    errors.add([key], "BLANK", "Context can't be blank");
    return null;
  }
  if (key === "customerSelection") {
    const set = ["all", "customers", "customerSegments"].filter((k) => has(sel, k) && sel[k] !== null && sel[k] !== false);
    if (set.length !== 1) {
      errors.add([key], "TOO_MANY_ARGUMENTS", "Exactly one of all, customers or customerSegments must be specified");
      return null;
    }
  }
  if (sel.all === "ALL" || sel.all === true) return { type: "all" };
  if (has(sel, "customers") && sel.customers) {
    const c = obj(sel.customers)!;
    const found = ids(c.add, "Customer", (id) => ctx.shop.customers.has(id));
    for (const bad of found.bad) errors.add([key, "customers", "add"], "INVALID", `Customer with id: ${bad} is invalid`);
    if (!found.ok.length && !found.bad.length) errors.add([key, "customers", "add"], "BLANK", "Customers can't be blank");
    return { type: "customers", customerIds: found.ok };
  }
  if (has(sel, "customerSegments") && sel.customerSegments) {
    const s = obj(sel.customerSegments)!;
    for (const bad of (s.add as string[] | undefined) ?? []) {
      errors.add([key, "customerSegments", "add"], "INVALID", `Segment with id: ${bad} is invalid (the devstore models no segments)`);
    }
    return { type: "segments", segmentIds: [] };
  }
  errors.add([key], "BLANK", "Context can't be blank");
  return null;
}

/**
 * Builds or updates a discount record from a DiscountCode{Basic,FreeShipping,Bxgy}Input, with the
 * userErrors Shopify would return. `existing` makes every field optional (update semantics).
 */
export function discountFromInput(ctx: AdminContext, kind: Kind, root: string, input: Input, existing: DiscountRecord | null): { record: DiscountRecord | null; errors: UserError[] } {
  const errors = new DiscountInputErrors(root);
  const now = ctx.core.clock.now();
  const currency = ctx.shop.currency;
  const creating = existing === null;

  const title = has(input, "title") ? String(input.title ?? "").trim() : existing?.title;
  if (!title) errors.add(["title"], "BLANK", "Title can't be blank");
  else if (title.length > 255) errors.add(["title"], "TOO_LONG", "Title is too long (maximum is 255 characters)");

  let code = existing?.codes[0]?.code;
  if (has(input, "code") || creating) {
    code = String(input.code ?? "").trim();
    if (!code) errors.add(["code"], "BLANK", "Code can't be blank");
    else if (code.length > 255) errors.add(["code"], "TOO_LONG", "Code is too long (maximum is 255 characters)");
    else if (/[\r\n]/.test(code)) errors.add(["code"], "INVALID", "Code cannot contain newline characters");
    else {
      const taken = ctx.shop.findDiscountByCode(code);
      if (taken && taken.discount.id !== existing?.id) errors.add(["code"], "TAKEN", "Code must be unique. Please try a different code.");
    }
  }

  const startsAt = has(input, "startsAt") ? (input.startsAt === null ? null : Date.parse(String(input.startsAt))) : (existing?.startsAt ?? null);
  if (startsAt === null) errors.add(["startsAt"], "BLANK", "Starts at can't be blank");
  const endsAt = has(input, "endsAt") ? (input.endsAt === null ? null : Date.parse(String(input.endsAt))) : (existing?.endsAt ?? null);
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
    errors.add(["endsAt"], "END_DATE_BEFORE_START_DATE", "Ends at needs to be after starts_at");
  }

  let usageLimit = existing?.usageLimit ?? null;
  if (has(input, "usageLimit")) {
    usageLimit = input.usageLimit === null ? null : Number(input.usageLimit);
    if (usageLimit !== null && usageLimit <= 0) errors.add(["usageLimit"], "GREATER_THAN", "Usage limit must be greater than 0");
  }

  const combinesWithInput = obj(input.combinesWith);
  const combinesWith = combinesWithInput
    ? {
        productDiscounts: combinesWithInput.productDiscounts === true,
        orderDiscounts: combinesWithInput.orderDiscounts === true,
        shippingDiscounts: combinesWithInput.shippingDiscounts === true,
      }
    : (existing?.combinesWith ?? { productDiscounts: false, orderDiscounts: false, shippingDiscounts: false });
  if (kind === "freeShipping" && combinesWith.shippingDiscounts) {
    errors.add(["combinesWith", "shippingDiscounts"], "INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS", "Shipping discounts can't combine with other shipping discounts");
  }

  const parsedContext = parseContext(ctx, input, errors);
  const context = parsedContext === undefined ? (existing?.context ?? { type: "all" as const }) : parsedContext;

  let minimum = existing?.minimum ?? null;
  if (kind !== "bxgy" && has(input, "minimumRequirement")) {
    const m = obj(input.minimumRequirement);
    const q = obj(m?.quantity);
    const s = obj(m?.subtotal);
    if (q && s) errors.add(["minimumRequirement"], "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT", "Minimum subtotal and quantity range can't both be present");
    else if (s) {
      const amount = decimalMinor(s.greaterThanOrEqualToSubtotal, currency);
      if (amount === null || amount <= 0) errors.add(["minimumRequirement", "subtotal", "greaterThanOrEqualToSubtotal"], "GREATER_THAN", "Minimum subtotal must be greater than 0");
      else minimum = { type: "subtotal", amount };
    } else if (q) {
      const quantity = Number(q.greaterThanOrEqualToQuantity ?? 0);
      if (!Number.isInteger(quantity) || quantity < 1) errors.add(["minimumRequirement", "quantity", "greaterThanOrEqualToQuantity"], "GREATER_THAN", "Minimum quantity must be greater than 0");
      else minimum = { type: "quantity", quantity };
    } else minimum = null;
  }

  let customerGets = existing?.customerGets ?? null;
  if (kind !== "freeShipping" && (has(input, "customerGets") || creating)) {
    const g = obj(input.customerGets);
    if (!g) errors.add(["customerGets"], "BLANK", "Customer gets can't be blank");
    else {
      const value = has(g, "value") || !existing?.customerGets ? parseValue(ctx, kind, obj(g.value), ["customerGets", "value"], errors) : existing.customerGets.value;
      const items = has(g, "items") || !existing?.customerGets ? parseItems(ctx, obj(g.items), ["customerGets", "items"], errors) : existing.customerGets.items;
      if (value && items) {
        customerGets = {
          value,
          items,
          appliesOnOneTimePurchase: g.appliesOnOneTimePurchase !== false,
          appliesOnSubscription: g.appliesOnSubscription === true,
        };
      }
    }
  }

  let customerBuys = existing?.customerBuys ?? null;
  let usesPerOrderLimit = existing?.usesPerOrderLimit ?? null;
  if (kind === "bxgy") {
    if (has(input, "customerBuys") || creating) {
      const b = obj(input.customerBuys);
      if (!b) errors.add(["customerBuys"], "BLANK", "Customer buys can't be blank");
      else {
        const v = obj(b.value);
        const items = parseItems(ctx, obj(b.items), ["customerBuys", "items"], errors);
        let value: NonNullable<DiscountRecord["customerBuys"]>["value"] | null = null;
        if (!v || has(v, "quantity") === has(v, "amount")) errors.add(["customerBuys", "value"], v ? "TOO_MANY_ARGUMENTS" : "BLANK", "Value needs exactly one of quantity or amount");
        else if (has(v, "quantity")) {
          const quantity = Number(v.quantity);
          if (!Number.isInteger(quantity) || quantity < 1) errors.add(["customerBuys", "value", "quantity"], "GREATER_THAN", "Quantity must be greater than 0");
          else value = { type: "quantity", quantity };
        } else {
          const amount = parsePositiveAmount(ctx, v.amount, ["customerBuys", "value", "amount"], errors);
          if (amount !== null) value = { type: "amount", amount };
        }
        if (value && items) customerBuys = { value, items };
      }
    }
    if (has(input, "usesPerOrderLimit")) {
      usesPerOrderLimit = input.usesPerOrderLimit === null ? null : Number(input.usesPerOrderLimit);
      if (usesPerOrderLimit !== null && usesPerOrderLimit < 1) errors.add(["usesPerOrderLimit"], "GREATER_THAN", "Uses per order limit must be greater than 0");
    }
  }

  let maximumShippingPrice = existing?.maximumShippingPrice ?? null;
  let destination: DiscountRecord["destination"] = existing?.destination ?? { type: "all" };
  if (kind === "freeShipping") {
    if (has(input, "maximumShippingPrice")) {
      maximumShippingPrice = decimalMinor(input.maximumShippingPrice, currency);
      if (maximumShippingPrice !== null && maximumShippingPrice < 0) errors.add(["maximumShippingPrice"], "GREATER_THAN_OR_EQUAL_TO", "Maximum shipping price must be greater than or equal to 0");
    }
    const d = obj(input.destination);
    if (d) {
      const countries = obj(d.countries);
      if (d.all === true && countries) errors.add(["destination"], "TOO_MANY_ARGUMENTS", "Only one of all or countries can be specified");
      else if (countries) destination = { type: "countries", countries: (countries.add as string[] | undefined) ?? [], includeRestOfWorld: countries.includeRestOfWorld === true };
      else if (d.all === true) destination = { type: "all" };
      else errors.add(["destination"], "BLANK", "Destination can't be blank");
    }
  }

  let recurringCycleLimit = existing?.recurringCycleLimit ?? null;
  if (has(input, "recurringCycleLimit")) {
    recurringCycleLimit = input.recurringCycleLimit === null ? null : Number(input.recurringCycleLimit);
    if (recurringCycleLimit !== null && recurringCycleLimit < 0) errors.add(["recurringCycleLimit"], "RECURRING_CYCLE_LIMIT_NOT_A_VALID_INTEGER", "Recurring cycle limit must be a valid integer");
  }

  if (!errors.ok || !title || !code || startsAt === null || context === null) return { record: null, errors: errors.errors };
  if (kind !== "freeShipping" && !customerGets) return { record: null, errors: errors.errors };
  if (kind === "bxgy" && !customerBuys) return { record: null, errors: errors.errors };

  const record: DiscountRecord = {
    id: existing?.id ?? ctx.core.ids.take(),
    kind,
    title,
    codes: existing ? existing.codes.map((c, i) => (i === 0 ? { ...c, code } : c)) : [{ id: ctx.core.ids.take(), code, usageCount: 0 }],
    startsAt,
    endsAt,
    appliesOncePerCustomer: has(input, "appliesOncePerCustomer") ? input.appliesOncePerCustomer === true : (existing?.appliesOncePerCustomer ?? false),
    usageLimit,
    combinesWith,
    context,
    minimum: kind === "bxgy" ? null : minimum,
    customerGets: kind === "freeShipping" ? null : customerGets,
    customerBuys: kind === "bxgy" ? customerBuys : null,
    usesPerOrderLimit: kind === "bxgy" ? usesPerOrderLimit : null,
    maximumShippingPrice: kind === "freeShipping" ? maximumShippingPrice : null,
    destination,
    recurringCycleLimit,
    usageByCustomer: existing?.usageByCustomer ?? new Map(),
    totalSales: existing?.totalSales ?? 0,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  return { record, errors: [] };
}
