// The program page's form: a flat map of field name → text, named by the program's own dotted
// paths so a validation error lands on its field. Money is entered in currency units ("30.00") and
// stored in minor units; everything the form doesn't show is kept from the current program.
import { fe } from "./errors";
import { formatMinor, MoneyFormatError, toMinorUnits } from "./money";
import { explainPurchase } from "./explain";
import { parseProgram, ProgramConfigError, SOCIAL_NETWORKS, type Program, type ProgramLocale } from "./program";
import { calculatePurchaseEarn } from "./purchase-earn";
import type { OrderFacts } from "./order-facts";

export type ProgramForm = Record<string, string>;

const ACTIONS = ["signup", "newsletter", "birthday", "review", "social"] as const;
/** form fields that hold money in currency units → the program's minor-unit path */
const MONEY: Record<string, string> = {
  "purchase.minimumOrder": "purchase.minimumOrderMinor",
  "referrals.friendReward.minimumOrder": "referrals.friendReward.minimumOrderMinor",
  "referrals.minimumSubtotal": "referrals.minimumSubtotalMinor",
};

const on = (b: boolean) => (b ? "on" : "");

export function programToForm(p: Program, currency: string): ProgramForm {
  const f: ProgramForm = {
    enabled: on(p.enabled),
    "purchase.enabled": on(p.purchase.enabled),
    "purchase.pointsPerUnit": String(p.purchase.pointsPerUnit),
    "purchase.rounding": p.purchase.rounding,
    "purchase.minimumOrder": formatMinor(p.purchase.minimumOrderMinor, currency),
    "purchase.trigger": p.purchase.trigger,
    "purchase.pending.mode": p.purchase.pending.mode,
    "purchase.pending.days": String(p.purchase.pending.days),
    "referrals.enabled": on(p.referrals.enabled),
    "referrals.friendReward.type": p.referrals.friendReward.type,
    "referrals.friendReward.value":
      p.referrals.friendReward.type === "amount" ? formatMinor(p.referrals.friendReward.value, currency) : String(p.referrals.friendReward.value),
    "referrals.friendReward.minimumOrder": formatMinor(p.referrals.friendReward.minimumOrderMinor, currency),
    "referrals.friendReward.expiresInDays": String(p.referrals.friendReward.expiresInDays),
    "referrals.advocateReward.points": String(p.referrals.advocateReward.points),
    "referrals.returnWindowDays": String(p.referrals.returnWindowDays),
    "referrals.friendMustBeNew": on(p.referrals.friendMustBeNew),
    "referrals.minimumSubtotal": formatMinor(p.referrals.minimumSubtotalMinor, currency),
  };
  for (const a of ACTIONS) {
    f[`actions.${a}.enabled`] = on(p.actions[a].enabled);
    f[`actions.${a}.points`] = String(p.actions[a].points);
  }
  for (const n of SOCIAL_NETWORKS) f[`actions.social.networks.${n}.url`] = p.actions.social.networks[n].url;
  return f;
}

/** A number as the user typed it; NaN (rejected by the schema as "Must be a number") when it isn't. */
function num(s: string | undefined): number {
  const t = (s ?? "").trim().replace(",", ".");
  return t === "" ? Number.NaN : Number(t);
}

export interface FormResult {
  program?: Program;
  fieldErrors: Record<string, string>;
}

/** Builds and validates the program from the form on top of the current one. */
export function formToProgram(current: Program, f: ProgramForm, currency: string): FormResult {
  const errors: Record<string, string> = {};
  const money = (field: string): number => {
    try {
      const minor = toMinorUnits((f[field] ?? "").trim().replace(",", ".") || "0", currency);
      if (minor < 0) errors[field] = fe("errors.negative");
      return minor;
    } catch (error) {
      if (!(error instanceof MoneyFormatError)) throw error;
      errors[field] = fe("errors.amount", { example: formatMinor(3000, currency) });
      return 0;
    }
  };
  const p = structuredClone(current);
  p.enabled = f.enabled === "on";
  p.purchase.enabled = f["purchase.enabled"] === "on";
  p.purchase.pointsPerUnit = num(f["purchase.pointsPerUnit"]);
  p.purchase.rounding = f["purchase.rounding"] as Program["purchase"]["rounding"];
  p.purchase.minimumOrderMinor = money("purchase.minimumOrder");
  p.purchase.trigger = f["purchase.trigger"] as Program["purchase"]["trigger"];
  p.purchase.pending = { mode: f["purchase.pending.mode"] as Program["purchase"]["pending"]["mode"], days: num(f["purchase.pending.days"]) };
  for (const a of ACTIONS) {
    p.actions[a].enabled = f[`actions.${a}.enabled`] === "on";
    p.actions[a].points = num(f[`actions.${a}.points`]);
  }
  for (const n of SOCIAL_NETWORKS) {
    const url = (f[`actions.social.networks.${n}.url`] ?? "").trim();
    p.actions.social.networks[n] = { enabled: url !== "", url };
  }
  const r = p.referrals;
  r.enabled = f["referrals.enabled"] === "on";
  const type = f["referrals.friendReward.type"] as typeof r.friendReward.type;
  r.friendReward = {
    type,
    value: type === "amount" ? money("referrals.friendReward.value") : num(f["referrals.friendReward.value"]),
    minimumOrderMinor: money("referrals.friendReward.minimumOrder"),
    expiresInDays: num(f["referrals.friendReward.expiresInDays"]),
  };
  r.advocateReward = { points: num(f["referrals.advocateReward.points"]) };
  r.returnWindowDays = num(f["referrals.returnWindowDays"]);
  r.friendMustBeNew = f["referrals.friendMustBeNew"] === "on";
  r.minimumSubtotalMinor = money("referrals.minimumSubtotal");
  try {
    const program = parseProgram(p);
    return Object.keys(errors).length ? { fieldErrors: errors } : { program, fieldErrors: {} };
  } catch (error) {
    if (!(error instanceof ProgramConfigError)) throw error;
    const toField = Object.fromEntries(Object.entries(MONEY).map(([form, path]) => [path, form]));
    for (const [path, message] of Object.entries(error.fieldErrors)) {
      const field = toField[path] ?? path;
      errors[field] ??= MONEY[field] && message === fe("errors.wholeMinor") ? fe("errors.whole") : message;
    }
    return { fieldErrors: errors };
  }
}

/** What a sample order of `amountMinor` (merchandise after discounts, without tax) would earn, explained. */
export function previewPurchase(program: Program, currency: string, locale: ProgramLocale, amountMinor: number, now = new Date()): { points: number; lines: string[] } {
  const facts: OrderFacts = {
    orderGid: "gid://shopify/Order/0",
    currency,
    taxesIncluded: false,
    lines: [{ lineId: "1", lineGid: "gid://shopify/LineItem/1", productGid: null, variantGid: null, title: "Sample", quantity: 1, grossMinor: amountMinor, discountMinor: 0, includedTaxMinor: 0, netMinor: amountMinor, giftCard: false, tip: false }],
    subtotalMinor: amountMinor,
    shippingMinor: 0,
    tipMinor: 0,
    customerGid: "gid://shopify/Customer/0",
    countryCode: null,
    customerTags: [],
    createdAt: now,
    processedAt: now,
    discountCodes: [],
    test: false,
    cancelled: false,
  };
  const program0 = { ...program, campaigns: [] };
  const earn = calculatePurchaseEarn(facts, program0, { timeZone: "UTC", at: now, customer: { orderCount: 0, totalSpentMinor: 0, tags: [] } });
  return { points: earn.points, lines: explainPurchase(earn, program0, locale, currency) };
}

