// The rewards editor's form: a flat map of field name → text, named by the reward's own paths so a
// validation error lands on its field. Money is typed in currency units ("5.00") and stored in minor
// units: the form field drops the schema's "Minor" suffix (amountMinor → amount). Lists (products,
// collections, tiers) are typed one per line or separated by commas.
import { fe } from "./errors";
import { currencyExponent, formatMinor, MoneyFormatError, toMinorUnits } from "./money";
import { parseReward, RewardConfigError, type Reward } from "./rewards";

export type RewardForm = Record<string, string>;

export const REWARD_TYPES = ["amount", "percentage", "free_shipping", "free_product", "points_for_money", "store_credit", "donation"] as const;
export type RewardType = (typeof REWARD_TYPES)[number];

/** schema path → form field, for the money fields */
const MONEY: Record<string, string> = {
  amountMinor: "amount",
  maxShippingMinor: "maxShipping",
  minimumSubtotalMinor: "minimumSubtotal",
  budgetMinor: "budget",
};
const COMBINES = ["productDiscounts", "orderDiscounts", "shippingDiscounts"] as const;
const on = (b: boolean) => (b ? "on" : "");
const list = (s: string | undefined) =>
  (s ?? "")
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** A blank form for a new reward of a type, with the schema's defaults. */
export function blankRewardForm(type: RewardType = "amount"): RewardForm {
  return {
    type,
    enabled: "on",
    pointsCost: type === "points_for_money" ? "100" : "500",
    "texts.en.title": "",
    "texts.de.title": "",
    amount: "",
    percent: "",
    maxShipping: "",
    variantId: "",
    minUnits: "1",
    maxUnits: "50",
    "cause.en": "",
    "cause.de": "",
    minimumSubtotal: "",
    codePrefix: "STK-",
    expiryDays: "90",
    refundIfUnused: "on",
    "appliesTo.type": "all",
    "appliesTo.ids": "",
    budget: "",
    perCustomerLimit: "",
    totalLimit: "",
    tiers: "",
    "combinesWith.productDiscounts": "",
    "combinesWith.orderDiscounts": "",
    "combinesWith.shippingDiscounts": "on",
  };
}

export function rewardToForm(r: Reward, enabled: boolean, currency: string): RewardForm {
  const f = blankRewardForm(r.type);
  const money = (m: number | undefined) => (m === undefined ? "" : formatMinor(m, currency));
  Object.assign(f, {
    enabled: on(enabled),
    pointsCost: String(r.pointsCost),
    "texts.en.title": r.texts.en.title,
    "texts.de.title": r.texts.de.title,
    minimumSubtotal: r.minimumSubtotalMinor ? money(r.minimumSubtotalMinor) : "",
    codePrefix: r.codePrefix,
    expiryDays: String(r.expiryDays),
    refundIfUnused: on(r.refundIfUnused),
    "appliesTo.type": r.appliesTo.type,
    "appliesTo.ids": r.appliesTo.type === "products" ? r.appliesTo.productIds.join("\n") : r.appliesTo.type === "collections" ? r.appliesTo.collectionIds.join("\n") : "",
    budget: money(r.budgetMinor),
    perCustomerLimit: r.perCustomerLimit === undefined ? "" : String(r.perCustomerLimit),
    totalLimit: r.totalLimit === undefined ? "" : String(r.totalLimit),
    tiers: (r.tiers ?? []).join(", "),
  });
  for (const c of COMBINES) f[`combinesWith.${c}`] = on(r.combinesWith[c]);
  if (r.type === "amount" || r.type === "store_credit") f.amount = money(r.amountMinor);
  if (r.type === "percentage") f.percent = String(r.percent);
  if (r.type === "free_shipping") f.maxShipping = money(r.maxShippingMinor);
  if (r.type === "free_product") f.variantId = r.variantId;
  if (r.type === "points_for_money") Object.assign(f, { minUnits: String(r.minUnits), maxUnits: String(r.maxUnits) });
  if (r.type === "donation") Object.assign(f, { "cause.en": r.cause.en, "cause.de": r.cause.de });
  return f;
}

/** A number as typed; NaN (reported as "Must be a number") when it isn't one. */
function num(s: string | undefined): number {
  const t = (s ?? "").trim().replace(",", ".");
  return t === "" ? Number.NaN : Number(t);
}
const optionalNum = (s: string | undefined) => ((s ?? "").trim() === "" ? undefined : num(s));

export interface RewardFormResult {
  reward?: Reward;
  enabled: boolean;
  fieldErrors: Record<string, string>;
}

/**
 * Builds and validates a reward from the form. `tierIds` are the program's tiers: a tier-only
 * reward must name existing ones. Errors come back keyed by form field.
 */
export function formToReward(f: RewardForm, currency: string, tierIds: readonly string[]): RewardFormResult {
  const errors: Record<string, string> = {};
  const enabled = f.enabled === "on";
  const money = (field: string, optional: boolean): number | undefined => {
    const raw = (f[field] ?? "").trim().replace(",", ".");
    if (raw === "") return optional ? undefined : Number.NaN;
    try {
      return toMinorUnits(raw, currency);
    } catch (error) {
      if (!(error instanceof MoneyFormatError)) throw error;
      errors[field] = fe("errors.amount", { example: formatMinor(3000, currency) });
      return 0;
    }
  };
  const type = f.type as RewardType;
  const appliesType = f["appliesTo.type"] ?? "all";
  const ids = list(f["appliesTo.ids"]);
  const tiers = list(f.tiers);
  const input: Record<string, unknown> = {
    type,
    pointsCost: num(f.pointsCost),
    texts: { en: { title: f["texts.en.title"] ?? "" }, de: { title: f["texts.de.title"] ?? "" } },
    minimumSubtotalMinor: money("minimumSubtotal", true) ?? 0,
    codePrefix: (f.codePrefix ?? "").trim().toUpperCase(),
    expiryDays: num(f.expiryDays),
    refundIfUnused: f.refundIfUnused === "on",
    appliesTo: appliesType === "products" ? { type: "products", productIds: ids } : appliesType === "collections" ? { type: "collections", collectionIds: ids } : { type: "all" },
    budgetMinor: money("budget", true),
    perCustomerLimit: optionalNum(f.perCustomerLimit),
    totalLimit: optionalNum(f.totalLimit),
    tiers: tiers.length ? tiers : undefined,
    combinesWith: Object.fromEntries(COMBINES.map((c) => [c, f[`combinesWith.${c}`] === "on"])),
  };
  if (type === "amount" || type === "store_credit") input.amountMinor = money("amount", false);
  if (type === "percentage") input.percent = num(f.percent);
  if (type === "free_shipping") input.maxShippingMinor = money("maxShipping", true);
  if (type === "free_product") input.variantId = (f.variantId ?? "").trim();
  if (type === "points_for_money") Object.assign(input, { minUnits: num(f.minUnits), maxUnits: num(f.maxUnits) });
  if (type === "donation") input.cause = { en: f["cause.en"] ?? "", de: f["cause.de"] ?? "" };
  const unknownTier = tiers.find((t) => !tierIds.includes(t));
  if (unknownTier !== undefined) errors.tiers = fe("errors.noTier", { id: unknownTier });
  try {
    const reward = parseReward(input);
    return Object.keys(errors).length ? { enabled, fieldErrors: errors } : { reward, enabled, fieldErrors: {} };
  } catch (error) {
    if (!(error instanceof RewardConfigError)) throw error;
    for (const [path, message] of Object.entries(error.fieldErrors)) {
      const field = fieldOf(path);
      errors[field] ??= message === fe("errors.required") ? fe("errors.type.number") : message;
    }
    return { enabled, fieldErrors: errors };
  }
}

/** The form field a schema path's error belongs on. */
export function fieldOf(path: string): string {
  const [head, ...rest] = path.split(".");
  if (MONEY[head!]) return MONEY[head!]!;
  if (head === "appliesTo") return rest[0] === "type" ? "appliesTo.type" : "appliesTo.ids";
  if (head === "tiers") return "tiers";
  if (head === "combinesWith") return rest.length ? `combinesWith.${rest[0]}` : "combinesWith.productDiscounts";
  return path;
}

const WORDS = {
  en: { points: (n: string) => `${n} points`, off: "off", from: "on orders from", freeShipping: "free shipping", upTo: "up to", freeProduct: "a free product", credit: "store credit", donation: "donated to", per: "per", range: (a: string, b: string) => `${a} to ${b}`, only: "only for" },
  de: { points: (n: string) => `${n} Punkte`, off: "Rabatt", from: "ab", freeShipping: "kostenloser Versand", upTo: "bis", freeProduct: "ein Gratisartikel", credit: "Guthaben", donation: "Spende an", per: "je", range: (a: string, b: string) => `${a} bis ${b}`, only: "nur für" },
} as const;

/**
 * What the shopper sees for a reward, in one line: "500 Punkte → 5 € Rabatt ab 30 €",
 * "500 points → €5 off on orders from €30". `tierNames` names tier-only rewards' tiers.
 */
export function rewardPreview(r: Reward, currency: string, locale: "en" | "de", tierNames: ReadonlyMap<string, string> = new Map()): string {
  const w = WORDS[locale];
  const tag = locale === "de" ? "de-DE" : "en-US";
  const n = (v: number) => new Intl.NumberFormat(tag).format(v);
  const exp = currencyExponent(currency);
  const money = (minor: number) => {
    const whole = minor % 10 ** exp === 0;
    return new Intl.NumberFormat(tag, { style: "currency", currency, minimumFractionDigits: whole ? 0 : exp, maximumFractionDigits: exp }).format(minor / 10 ** exp);
  };
  let cost = w.points(n(r.pointsCost));
  let gets: string;
  switch (r.type) {
    case "amount":
      gets = `${money(r.amountMinor)} ${w.off}`;
      break;
    case "percentage":
      gets = `${n(r.percent)} % ${w.off}`;
      break;
    case "free_shipping":
      gets = r.maxShippingMinor ? `${w.freeShipping} ${w.upTo} ${money(r.maxShippingMinor)}` : w.freeShipping;
      break;
    case "free_product":
      gets = w.freeProduct;
      break;
    case "store_credit":
      gets = `${money(r.amountMinor)} ${w.credit}`;
      break;
    case "points_for_money":
      cost = `${w.points(n(r.pointsCost))} ${w.per} ${money(10 ** exp)}`;
      gets = `${w.range(money(r.minUnits * 10 ** exp), money(r.maxUnits * 10 ** exp))} ${w.off}`;
      break;
    case "donation":
      gets = `${w.donation} ${r.cause[locale]}`;
      break;
  }
  let line = `${cost} → ${gets}`;
  if (r.minimumSubtotalMinor > 0 && r.type !== "donation" && r.type !== "store_credit") line += ` ${w.from} ${money(r.minimumSubtotalMinor)}`;
  if (r.tiers?.length) line += ` (${w.only} ${r.tiers.map((t) => tierNames.get(t) ?? t).join(", ")})`;
  return line;
}
