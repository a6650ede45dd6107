import { allocate, roundMinor } from "../core/money.ts";
import type { ShopState } from "../state/shop.ts";
import type {
  AllocationRecord,
  DiscountApplicationRecord,
  DiscountRecord,
  OrderRecord,
  TaxLineRecord,
} from "../state/types.ts";
import { combines, discountClass, discountStatus, itemsInclude, usageCount } from "./discount-status.ts";

/** A checkout refused a code, for the reason a buyer would see. */
export class DiscountRejected extends Error {
  constructor(
    readonly code: string,
    readonly reason:
      | "unknown"
      | "scheduled"
      | "expired"
      | "usage_limit_reached"
      | "already_used"
      | "customer_required"
      | "customer_not_eligible"
      | "minimum_not_met"
      | "not_applicable"
      | "cannot_combine"
      | "shipping_not_eligible",
    message: string,
  ) {
    super(`discount code ${code}: ${message}`);
  }
}

export interface CartLine {
  productId: number | null;
  variantId: number | null;
  price: number;
  quantity: number;
  taxable: boolean;
}

export interface CartInput {
  lines: CartLine[];
  shipping: { price: number; countryCode: string | null } | null;
  customerId: number | null;
  email: string | null;
  codes: string[];
}

export interface PricedCart {
  lineAllocations: AllocationRecord[][];
  lineTaxes: TaxLineRecord[][];
  shippingAllocations: AllocationRecord[];
  applications: DiscountApplicationRecord[];
  discountCodes: OrderRecord["discountCodes"];
  /** The discounts used, in application order (for usage counting). */
  used: DiscountRecord[];
}

/** Key under which once-per-customer usage is counted. */
export function customerUsageKey(customerId: number | null, email: string | null): string | null {
  if (customerId !== null) return `customer:${customerId}`;
  if (email) return `email:${email.trim().toLowerCase()}`;
  return null;
}

/**
 * Applies discount codes to a cart exactly as the stored discount definitions say, or throws
 * DiscountRejected. Order of application: product discounts, then order discounts on what is
 * left, then shipping discounts.
 */
export function priceCart(shop: ShopState, cart: CartInput, now: number): PricedCart {
  const discounts = resolveCodes(shop, cart, now);
  const remaining = cart.lines.map((l) => l.price * l.quantity);
  const lineAllocations: AllocationRecord[][] = cart.lines.map(() => []);
  const shippingAllocations: AllocationRecord[] = [];
  const applications: DiscountApplicationRecord[] = [];
  const discountCodes: OrderRecord["discountCodes"] = [];
  const ordered = [...discounts].sort((a, b) => rank(a.discount) - rank(b.discount));

  for (const { discount, code } of ordered) {
    const index = applications.length;
    const entitled = cart.lines.map((line) =>
      discount.customerGets ? itemsInclude(discount.customerGets.items, line, shop.collections) : false,
    );
    let amounts: number[] = cart.lines.map(() => 0);
    let shippingAmount = 0;
    let application: DiscountApplicationRecord;

    if (discount.kind === "freeShipping") {
      if (!cart.shipping) throw new DiscountRejected(code, "shipping_not_eligible", "the order has no shipping line");
      if (discount.maximumShippingPrice !== null && cart.shipping.price > discount.maximumShippingPrice) {
        throw new DiscountRejected(code, "shipping_not_eligible", "shipping rate is above the discount's maximum");
      }
      if (discount.destination.type === "countries") {
        const country = cart.shipping.countryCode;
        if (!country || !discount.destination.countries.includes(country)) {
          throw new DiscountRejected(code, "shipping_not_eligible", "shipping destination is not eligible");
        }
      }
      shippingAmount = cart.shipping.price;
      application = baseApplication(discount, code, { valueType: "percentage", value: 100, allocationMethod: "each", targetSelection: "all", targetType: "shipping_line" });
    } else if (discount.kind === "bxgy") {
      amounts = bxgyAmounts(shop, discount, cart, remaining, code);
      const effect = discount.customerGets!.value;
      const value = effect.type === "onQuantity" ? effect.effect : effect;
      application = baseApplication(discount, code, {
        valueType: value.type === "percentage" ? "percentage" : "fixed_amount",
        value: value.type === "percentage" ? value.percentage * 100 : value.type === "amount" ? value.amount : 0,
        allocationMethod: "each",
        targetSelection: "entitled",
        targetType: "line_item",
      });
    } else {
      const gets = discount.customerGets!;
      const targets = cart.lines.map((_, i) => entitled[i]!);
      if (!targets.some(Boolean)) throw new DiscountRejected(code, "not_applicable", "no item in the cart is eligible");
      const base = remaining.map((r, i) => (targets[i] ? r : 0));
      const baseTotal = base.reduce((a, b) => a + b, 0);
      const isOrder = discountClass(discount) === "ORDER";
      const value = gets.value;
      if (value.type === "percentage") {
        amounts = isOrder
          ? allocate(roundMinor(baseTotal * value.percentage), base)
          : base.map((b) => roundMinor(b * value.percentage));
        application = baseApplication(discount, code, {
          valueType: "percentage",
          value: value.percentage * 100,
          allocationMethod: "across",
          targetSelection: isOrder ? "all" : "entitled",
          targetType: "line_item",
        });
      } else if (value.type === "amount" && value.appliesOnEachItem) {
        amounts = cart.lines.map((line, i) => (targets[i] ? Math.min(value.amount * line.quantity, base[i]!) : 0));
        application = baseApplication(discount, code, { valueType: "fixed_amount", value: value.amount, allocationMethod: "each", targetSelection: isOrder ? "all" : "entitled", targetType: "line_item" });
      } else if (value.type === "amount") {
        amounts = allocate(Math.min(value.amount, baseTotal), base);
        application = baseApplication(discount, code, { valueType: "fixed_amount", value: value.amount, allocationMethod: "across", targetSelection: isOrder ? "all" : "entitled", targetType: "line_item" });
      } else {
        throw new DiscountRejected(code, "not_applicable", "quantity discounts belong to buy X get Y");
      }
    }

    const total = amounts.reduce((a, b) => a + b, 0) + shippingAmount;
    if (total <= 0) throw new DiscountRejected(code, "not_applicable", "the discount takes nothing off this cart");
    amounts.forEach((amount, i) => {
      if (amount > 0) {
        lineAllocations[i]!.push({ applicationIndex: index, amount });
        remaining[i]! -= amount;
      }
    });
    if (shippingAmount > 0) shippingAllocations.push({ applicationIndex: index, amount: shippingAmount });
    applications.push(application);
    discountCodes.push({
      code,
      amount: total,
      type: discount.kind === "freeShipping" ? "shipping" : application.valueType,
    });
  }

  const lineTaxes = cart.lines.map((line, i) => taxFor(shop, line.taxable, remaining[i]!));
  return { lineAllocations, lineTaxes, shippingAllocations, applications, discountCodes, used: ordered.map((d) => d.discount) };
}

function rank(discount: DiscountRecord): number {
  return { PRODUCT: 0, ORDER: 1, SHIPPING: 2 }[discountClass(discount)];
}

export function taxFor(shop: ShopState, taxable: boolean, net: number): TaxLineRecord[] {
  if (!taxable || shop.taxRate <= 0) return [];
  const amount = shop.taxesIncluded ? roundMinor((net * shop.taxRate) / (1 + shop.taxRate)) : roundMinor(net * shop.taxRate);
  return [{ title: shop.taxTitle, rate: shop.taxRate, amount }];
}

function baseApplication(
  discount: DiscountRecord,
  code: string,
  shape: Pick<DiscountApplicationRecord, "valueType" | "value" | "allocationMethod" | "targetSelection" | "targetType">,
): DiscountApplicationRecord {
  return { kind: "discount_code", code, discountId: discount.id, title: code, description: null, ...shape };
}

function resolveCodes(shop: ShopState, cart: CartInput, now: number): { discount: DiscountRecord; code: string }[] {
  const out: { discount: DiscountRecord; code: string }[] = [];
  for (const raw of cart.codes) {
    const hit = shop.findDiscountByCode(raw);
    if (!hit) throw new DiscountRejected(raw, "unknown", "Enter a valid discount code");
    const { discount, code } = hit;
    if (out.some((o) => o.discount.id === discount.id)) continue;
    const status = discountStatus(discount, now);
    if (status === "SCHEDULED") throw new DiscountRejected(code.code, "scheduled", "the discount has not started yet");
    if (status === "EXPIRED") throw new DiscountRejected(code.code, "expired", "the discount has ended");
    if (discount.usageLimit !== null && usageCount(discount) >= discount.usageLimit) {
      throw new DiscountRejected(code.code, "usage_limit_reached", "the usage limit has been reached");
    }
    if (discount.context.type === "customers") {
      if (cart.customerId === null || !discount.context.customerIds.includes(cart.customerId)) {
        throw new DiscountRejected(code.code, "customer_not_eligible", "the customer is not eligible for this code");
      }
    } else if (discount.context.type === "segments") {
      throw new DiscountRejected(code.code, "customer_not_eligible", "customer segments are not modelled by the devstore");
    }
    const key = customerUsageKey(cart.customerId, cart.email);
    if (discount.appliesOncePerCustomer) {
      if (!key) throw new DiscountRejected(code.code, "customer_required", "a once-per-customer code needs a customer or email");
      if ((discount.usageByCustomer.get(key) ?? 0) > 0) throw new DiscountRejected(code.code, "already_used", "the customer has used this code");
    }
    checkMinimum(shop, discount, cart, code.code);
    for (const other of out) {
      if (!combines(discount, other.discount)) {
        throw new DiscountRejected(code.code, "cannot_combine", `cannot be combined with ${other.code}`);
      }
    }
    out.push({ discount, code: code.code });
  }
  return out;
}

function checkMinimum(shop: ShopState, discount: DiscountRecord, cart: CartInput, code: string): void {
  if (!discount.minimum) return;
  const items = discount.customerGets?.items ?? { type: "all" as const };
  const lines = discount.kind === "freeShipping" ? cart.lines : cart.lines.filter((l) => itemsInclude(items, l, shop.collections));
  if (discount.minimum.type === "subtotal") {
    const subtotal = lines.reduce((sum, l) => sum + l.price * l.quantity, 0);
    if (subtotal < discount.minimum.amount) throw new DiscountRejected(code, "minimum_not_met", "the minimum purchase amount is not met");
  } else {
    const quantity = lines.reduce((sum, l) => sum + l.quantity, 0);
    if (quantity < discount.minimum.quantity) throw new DiscountRejected(code, "minimum_not_met", "the minimum quantity is not met");
  }
}

/** Buy X get Y: cheapest eligible "get" units are discounted, per use, up to usesPerOrderLimit. */
function bxgyAmounts(shop: ShopState, discount: DiscountRecord, cart: CartInput, remaining: number[], code: string): number[] {
  const buys = discount.customerBuys!;
  const gets = discount.customerGets!;
  if (gets.value.type !== "onQuantity") throw new DiscountRejected(code, "not_applicable", "buy X get Y needs discountOnQuantity");
  const getQty = gets.value.quantity;
  const effect = gets.value.effect;
  type Unit = { line: number; price: number; used: boolean };
  const units: Unit[] = [];
  cart.lines.forEach((line, i) => {
    const unitPrice = line.quantity > 0 ? remaining[i]! / line.quantity : 0;
    for (let q = 0; q < line.quantity; q++) units.push({ line: i, price: unitPrice, used: false });
  });
  const inBuys = (u: Unit) => itemsInclude(buys.items, cart.lines[u.line]!, shop.collections);
  const inGets = (u: Unit) => itemsInclude(gets.items, cart.lines[u.line]!, shop.collections);
  const limit = discount.usesPerOrderLimit ?? Number.POSITIVE_INFINITY;
  const amounts = cart.lines.map(() => 0);
  let uses = 0;

  if (buys.value.type === "amount") {
    const spend = cart.lines.reduce((s, l, i) => s + (itemsInclude(buys.items, l, shop.collections) ? remaining[i]! : 0), 0);
    if (spend < buys.value.amount) throw new DiscountRejected(code, "minimum_not_met", "the buy amount is not met");
  }
  for (;;) {
    if (uses >= limit) break;
    if (buys.value.type === "quantity") {
      const buyUnits = units.filter((u) => !u.used && inBuys(u)).sort((a, b) => b.price - a.price).slice(0, buys.value.quantity);
      if (buyUnits.length < buys.value.quantity) break;
      const candidateGets = units.filter((u) => !u.used && !buyUnits.includes(u) && inGets(u)).sort((a, b) => a.price - b.price);
      if (candidateGets.length < getQty) break;
      buyUnits.forEach((u) => (u.used = true));
      applyEffect(candidateGets.slice(0, getQty));
    } else {
      const candidateGets = units.filter((u) => !u.used && inGets(u)).sort((a, b) => a.price - b.price);
      if (candidateGets.length < getQty || uses >= 1) break;
      applyEffect(candidateGets.slice(0, getQty));
    }
    uses++;
  }
  if (uses === 0) throw new DiscountRejected(code, "not_applicable", "the cart does not qualify for buy X get Y");
  return amounts.map((a, i) => Math.min(roundMinor(a), remaining[i]!));

  function applyEffect(selected: Unit[]): void {
    for (const unit of selected) {
      unit.used = true;
      const off = effect.type === "percentage" ? unit.price * effect.percentage : Math.min(effect.amount, unit.price);
      amounts[unit.line]! += off;
    }
  }
}
