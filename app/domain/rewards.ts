// The reward catalogue's rules: what a reward is, what it costs, and the discount it becomes.
import { z } from "zod";
import { localizeFieldError } from "~/lib/i18n";
import { fe, fieldErrorMap } from "./errors";
import { currencyExponent, formatMinor } from "./money";

const texts = z
  .object({
    en: z.object({ title: z.string().trim().min(1, fe("errors.rewardTitle")).max(100) }).strict(),
    de: z.object({ title: z.string().trim().min(1, fe("errors.rewardTitleDe")).max(100) }).strict(),
  })
  .strict();

const common = {
  pointsCost: z.number().int(fe("errors.whole")).positive(fe("errors.gt0")).max(10_000_000),
  texts,
  minimumSubtotalMinor: z.number().int().min(0, fe("errors.negative")).default(0),
  codePrefix: z.string().regex(/^[A-Z0-9-]{0,12}$/, fe("errors.codePrefix")).default("STK-"),
  expiryDays: z.number().int().min(1, fe("errors.min", { min: 1 })).max(3650).default(90),
  /** a code that expires unused gives its points back */
  refundIfUnused: z.boolean().default(true),
  /** what the discount applies to: everything, some products, or some collections */
  appliesTo: z
    .discriminatedUnion("type", [
      z.object({ type: z.literal("all") }).strict(),
      z.object({ type: z.literal("products"), productIds: z.array(z.string().regex(/^gid:\/\/shopify\/Product\/\d+$/, fe("errors.gid", { type: "Product" }))).min(1, fe("errors.productsEmpty")) }).strict(),
      z.object({ type: z.literal("collections"), collectionIds: z.array(z.string().regex(/^gid:\/\/shopify\/Collection\/\d+$/, fe("errors.gid", { type: "Collection" }))).min(1, fe("errors.collectionsEmpty")) }).strict(),
    ])
    .default({ type: "all" }),
  /** the most this reward may give away in money, over all members (minor units of shop currency);
   *  counted for rewards with a money value: amount, points for money, store credit */
  budgetMinor: z.number().int().positive(fe("errors.gt0OrEmpty")).optional(),
  /** how often one member may take this reward, and how often all members together */
  perCustomerLimit: z.number().int().positive(fe("errors.min1OrEmpty")).optional(),
  totalLimit: z.number().int().positive(fe("errors.min1OrEmpty")).optional(),
  /** only members of these tiers (ids from the program's tiers) may take it; absent: everyone */
  tiers: z
    .array(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, fe("errors.slug", { example: "gold" })))
    .min(1, fe("errors.rewardTiersEmpty"))
    .optional(),
  combinesWith: z
    .object({ productDiscounts: z.boolean(), orderDiscounts: z.boolean(), shippingDiscounts: z.boolean() })
    .strict()
    .default({ productDiscounts: false, orderDiscounts: false, shippingDiscounts: true }),
};

export const rewardSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("amount"), amountMinor: z.number().int().positive(fe("errors.gt0")), ...common }).strict(),
  z
    .object({
      type: z.literal("percentage"),
      percent: z.number().int().min(1, fe("errors.min", { min: 1 })).max(100, fe("errors.max", { max: 100 })),
      ...common,
    })
    .strict(),
  z.object({ type: z.literal("free_shipping"), maxShippingMinor: z.number().int().positive().optional(), ...common }).strict(),
  // One unit of a chosen variant for free: a code worth that variant's price, on that variant only
  // (so a second unit in the cart is not free too). The price is read from Shopify when redeemed.
  z.object({ type: z.literal("free_product"), variantId: z.string().regex(/^gid:\/\/shopify\/ProductVariant\/\d+$/, fe("errors.gid", { type: "ProductVariant" })), ...common }).strict(),
  // Store credit on the customer's Shopify account (spent at checkout like a gift card).
  z.object({ type: z.literal("store_credit"), amountMinor: z.number().int().positive(fe("errors.gt0")), ...common }).strict(),
  // "100 points = €1": the shopper picks how much, within the merchant's bounds; pointsCost is the
  // price of one unit of shop currency.
  z
    .object({
      type: z.literal("points_for_money"),
      minUnits: z.number().int().positive(fe("errors.min", { min: 1 })),
      maxUnits: z.number().int().positive(fe("errors.min", { min: 1 })),
      ...common,
    })
    .strict(),
  // Points become a donation the shop makes to a cause; recorded and reported, no Shopify call.
  z.object({ type: z.literal("donation"), cause: z.object({ en: z.string().trim().min(1).max(200), de: z.string().trim().min(1).max(200) }).strict(), ...common }).strict(),
]).superRefine((r, ctx) => {
  if (r.type === "points_for_money" && r.maxUnits < r.minUnits) ctx.addIssue({ code: "custom", path: ["maxUnits"], message: fe("errors.belowMin") });
});

export type Reward = z.infer<typeof rewardSchema>;

export class RewardConfigError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(`Invalid reward: ${Object.entries(fieldErrors).map(([k, v]) => `${k}: ${localizeFieldError("en", v)}`).join("; ")}`);
  }
}

export function parseReward(input: unknown): Reward {
  const r = rewardSchema.safeParse(input, { errorMap: fieldErrorMap });
  if (r.success) return r.data;
  throw new RewardConfigError(Object.fromEntries(r.error.issues.map((i) => [i.path.join(".") || "type", i.message])));
}

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: codes are read and typed

/** An unguessable code: the prefix and 10 characters from 32 (50 bits). */
export function newCode(prefix: string, random: (n: number) => Uint8Array): string {
  const bytes = random(10);
  let out = prefix;
  for (const b of bytes) out += ALPHABET[b % 32];
  return out;
}

export class RewardChoiceError extends Error {}

/** What the shopper pays and gets: for points-for-money, the chosen whole units of currency. */
export function priceOf(reward: Reward, currency: string, choice: { units?: number } = {}): { points: number; amountMinor?: number } {
  if (reward.type !== "points_for_money") return { points: reward.pointsCost };
  const units = choice.units;
  if (!Number.isInteger(units) || units! < reward.minUnits || units! > reward.maxUnits) {
    throw new RewardChoiceError(`choose a whole amount from ${reward.minUnits} to ${reward.maxUnits}`);
  }
  return { points: units! * reward.pointsCost, amountMinor: units! * 10 ** currencyExponent(currency) };
}

/** The money a redemption gives away, for budgets (0 where the value depends on the cart). */
export function moneyValue(reward: Reward, price: { amountMinor?: number }): number {
  if (reward.type === "amount" || reward.type === "store_credit") return reward.amountMinor;
  if (reward.type === "points_for_money") return price.amountMinor ?? 0;
  return 0;
}

/** The cheapest way to take the reward (points-for-money: its minimum). */
export function affordable(balance: number, reward: Reward): boolean {
  return balance >= (reward.type === "points_for_money" ? reward.minUnits * reward.pointsCost : reward.pointsCost);
}

/** The DiscountCodeBasicInput / DiscountCodeFreeShippingInput for a member's code (API 2026-01
 *  shapes: `context` limited to that customer). */
export function discountInput(reward: Reward, o: { code: string; customerGid: string; currency: string; now: Date; title: string; amountMinor?: number; variantPriceMinor?: number }) {
  const endsAt = new Date(o.now.getTime() + reward.expiryDays * 86_400_000).toISOString();
  const decimal = (minor: number) => formatMinor(minor, o.currency);
  const base = {
    title: o.title,
    code: o.code,
    startsAt: o.now.toISOString(),
    endsAt,
    context: { customers: { add: [o.customerGid] } },
    appliesOncePerCustomer: true,
    combinesWith: reward.combinesWith,
    ...(reward.minimumSubtotalMinor > 0 ? { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: decimal(reward.minimumSubtotalMinor) } } } : {}),
  };
  if (reward.type === "free_shipping") {
    return {
      kind: "freeShipping" as const,
      input: {
        ...base,
        // Shopify refuses a shipping discount that combines with other shipping discounts.
        combinesWith: { ...reward.combinesWith, shippingDiscounts: false },
        destination: { all: true },
        ...(reward.maxShippingMinor ? { maximumShippingPrice: decimal(reward.maxShippingMinor) } : {}),
      },
    };
  }
  if (reward.type === "donation" || reward.type === "store_credit") throw new RewardChoiceError(`a ${reward.type} reward makes no discount`);
  if (reward.type === "free_product") {
    if (!o.variantPriceMinor) throw new RewardChoiceError("the variant's price is needed for a free product");
    return {
      kind: "basic" as const,
      input: {
        ...base,
        usageLimit: 1,
        customerGets: {
          value: { discountAmount: { amount: decimal(o.variantPriceMinor), appliesOnEachItem: false } },
          items: { products: { productVariantsToAdd: [reward.variantId] } },
        },
      },
    };
  }
  const value =
    reward.type === "amount"
      ? { discountAmount: { amount: decimal(reward.amountMinor), appliesOnEachItem: false } }
      : reward.type === "points_for_money"
        ? { discountAmount: { amount: decimal(o.amountMinor ?? 0), appliesOnEachItem: false } }
        : { percentage: reward.percent / 100 };
  const items =
    reward.appliesTo.type === "products"
      ? { products: { productsToAdd: reward.appliesTo.productIds } }
      : reward.appliesTo.type === "collections"
        ? { collections: { add: reward.appliesTo.collectionIds } }
        : { all: true };
  return { kind: "basic" as const, input: { ...base, usageLimit: 1, customerGets: { value, items } } };
}

export function rewardValueText(reward: Reward, currency: string, locale: "en" | "de"): string {
  const money = (minor: number) =>
    new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US", { style: "currency", currency, minimumFractionDigits: currencyExponent(currency) }).format(Number(formatMinor(minor, currency)));
  if (reward.type === "amount") return money(reward.amountMinor);
  if (reward.type === "store_credit") return `${money(reward.amountMinor)} ${locale === "de" ? "Guthaben" : "store credit"}`;
  if (reward.type === "percentage") return `${reward.percent} %`;
  if (reward.type === "points_for_money") return `${money(10 ** currencyExponent(currency) * reward.minUnits)} – ${money(10 ** currencyExponent(currency) * reward.maxUnits)}`;
  if (reward.type === "donation") return reward.cause[locale];
  if (reward.type === "free_product") return locale === "de" ? "Gratisartikel" : "Free product";
  return locale === "de" ? "Kostenloser Versand" : "Free shipping";
}

/** Why a member may not take a tier-only reward, or null when they may. `tierNames` maps the
 *  program's tier ids to names (tiers switched off: an empty map, and no one qualifies). */
export function tierRefusal(reward: Reward, memberTier: string | null, tierNames: ReadonlyMap<string, string>, tiersEnabled: boolean): string | null {
  if (!reward.tiers) return null;
  if (tiersEnabled && memberTier !== null && reward.tiers.includes(memberTier)) return null;
  const allowed = reward.tiers.map((t) => tierNames.get(t)).filter((n): n is string => Boolean(n));
  return allowed.length ? `this reward is only for members of ${allowed.join(", ")}` : "this reward is only for members of a tier that no longer exists";
}

/** What a shopper sees of a tier-only reward they can't take: `hidden` when no one can (tiers off,
 *  or none of its tiers exists any more), `locked` with the names of the tiers that may (in the
 *  shopper's language), or `open`. Guests (memberTier null) see tier-only rewards locked. */
export type TierAccess = { kind: "open" } | { kind: "hidden" } | { kind: "locked"; tierNames: string[] };

export function tierAccess(reward: Reward, memberTier: string | null, tiers: { enabled: boolean; levels: ReadonlyArray<{ id: string; name: { en: string; de: string } }> }, locale: "en" | "de"): TierAccess {
  if (!reward.tiers) return { kind: "open" };
  const names = new Map(tiers.levels.map((l) => [l.id, l.name.en]));
  if (tierRefusal(reward, memberTier, names, tiers.enabled) === null) return { kind: "open" };
  const tierNames = tiers.enabled ? tiers.levels.filter((l) => reward.tiers!.includes(l.id)).map((l) => l.name[locale]) : [];
  return tierNames.length ? { kind: "locked", tierNames } : { kind: "hidden" };
}

/** "Gold members only" / "Nur für Gold-Mitglieder": the merchant's text for the language when set
 *  (`{tiers}` stands for the names), else the storefront translation `template`. */
export function tierOnlyText(tierNames: readonly string[], template: string, merchantText = ""): string {
  const t = merchantText.trim() || template;
  return t.replace(/\{tiers\}/g, tierNames.join("/"));
}

/** The points a reward costs a member: free-shipping rewards are free in a tier with that perk. */
export function tierPrice(reward: Reward, points: number, tierFreeShipping: boolean): number {
  return reward.type === "free_shipping" && tierFreeShipping ? 0 : points;
}
