// The campaigns page's forms: one campaign (window, conditions, effect, budget, cap) and the
// program's budgets (stacking, caps per rule and period, the daily cap per member). Caps keyed
// "campaign:<id>" are accepted by the program's schema but not enforced by earning, so this page
// offers none (a campaign is limited by its budget). Fields are
// named by the program's own paths below the campaign ("window.startDate", "effect.points") so
// an error lands on its field; money is typed in currency units and lists are comma-separated.
import { fe } from "./errors";
import { explainPurchase } from "./explain";
import { formatMinor, MoneyFormatError, toMinorUnits } from "./money";
import type { OrderFacts } from "./order-facts";
import { zonedInstant } from "./periods";
import { parseProgram, PERIODS, ProgramConfigError, RULE_KEYS, type Campaign, type Period, type Program, type ProgramLocale } from "./program";
import { calculatePurchaseEarn } from "./purchase-earn";

export type CampaignForm = Record<string, string>;
export const EFFECT_TYPES = ["multiplier", "fixed", "productBonus", "bigBasket"] as const;

/** schema path (below the campaign) → form field, for money */
const MONEY: Record<string, string> = {
  "conditions.minTotalSpentMinor": "conditions.minTotalSpent",
  "effect.minSubtotalMinor": "effect.minSubtotal",
};

const on = (b: boolean) => (b ? "on" : "");
const list = (s: string | undefined, sep = /[,\n]+/) =>
  (s ?? "")
    .split(sep)
    .map((x) => x.trim())
    .filter(Boolean);
const num = (s: string | undefined) => {
  const t = (s ?? "").trim().replace(",", ".");
  return t === "" ? Number.NaN : Number(t);
};
const optionalNum = (s: string | undefined) => ((s ?? "").trim() === "" ? undefined : num(s));
const optionalText = (s: string | undefined) => ((s ?? "").trim() === "" ? undefined : (s ?? "").trim());

export function blankCampaignForm(): CampaignForm {
  return {
    id: "",
    enabled: "on",
    "name.en": "",
    "name.de": "",
    "window.startDate": "",
    "window.endDate": "",
    "window.weekdays": "",
    "window.startTime": "",
    "window.endTime": "",
    "conditions.customerTagsAny": "",
    "conditions.countries": "",
    "conditions.minTotalSpent": "",
    "conditions.minOrderCount": "",
    "conditions.maxOrderCount": "",
    "effect.type": "multiplier",
    "effect.factor": "2",
    "effect.points": "",
    "effect.productIds": "",
    "effect.collectionIds": "",
    "effect.pointsPerUnit": "",
    "effect.multiplier": "",
    "effect.minSubtotal": "",
    budgetPoints: "",
  };
}

export function campaignToForm(c: Campaign, currency: string): CampaignForm {
  const f = blankCampaignForm();
  const w = c.window;
  const k = c.conditions;
  Object.assign(f, {
    id: c.id,
    enabled: on(c.enabled),
    "name.en": c.name.en,
    "name.de": c.name.de,
    "window.startDate": w.startDate ?? "",
    "window.endDate": w.endDate ?? "",
    "window.weekdays": (w.weekdays ?? []).join(","),
    "window.startTime": w.startTime ?? "",
    "window.endTime": w.endTime ?? "",
    "conditions.customerTagsAny": (k.customerTagsAny ?? []).join(", "),
    "conditions.countries": (k.countries ?? []).join(", "),
    "conditions.minTotalSpent": k.minTotalSpentMinor === undefined ? "" : formatMinor(k.minTotalSpentMinor, currency),
    "conditions.minOrderCount": k.minOrderCount === undefined ? "" : String(k.minOrderCount),
    "conditions.maxOrderCount": k.maxOrderCount === undefined ? "" : String(k.maxOrderCount),
    "effect.type": c.effect.type,
    "effect.factor": "",
    budgetPoints: c.budgetPoints === undefined ? "" : String(c.budgetPoints),
  });
  const e = c.effect;
  if (e.type === "multiplier") f["effect.factor"] = String(e.factor);
  if (e.type === "fixed") f["effect.points"] = String(e.points);
  if (e.type === "bigBasket") Object.assign(f, { "effect.points": String(e.points), "effect.minSubtotal": formatMinor(e.minSubtotalMinor, currency) });
  if (e.type === "productBonus") {
    Object.assign(f, {
      "effect.productIds": e.productIds.join("\n"),
      "effect.collectionIds": e.collectionIds.join("\n"),
      "effect.pointsPerUnit": e.pointsPerUnit === undefined ? "" : String(e.pointsPerUnit),
      "effect.multiplier": e.multiplier === undefined ? "" : String(e.multiplier),
    });
  }
  return f;
}

export interface CampaignFormResult {
  program?: Program;
  campaign?: Campaign;
  fieldErrors: Record<string, string>;
}

/** Program errors for campaign `index` → this form's fields (other paths are kept as they are). */
function campaignFieldErrors(errors: Record<string, string>, index: number): Record<string, string> {
  const out: Record<string, string> = {};
  const prefix = `campaigns.${index}.`;
  for (const [path, message] of Object.entries(errors)) {
    let field = path;
    if (path.startsWith(prefix)) field = path.slice(prefix.length);
    field = MONEY[field] ?? field.replace(/^(window\.weekdays|conditions\.customerTagsAny|conditions\.countries|effect\.productIds|effect\.collectionIds)\.\d+$/, "$1");
    out[field] ??= message === fe("errors.wholeMinor") ? fe("errors.whole") : message;
  }
  return out;
}

/**
 * Builds the program with this campaign added (`originalId` null) or replaced, and validates the
 * whole program (so a duplicate id or a cap for an unknown campaign is caught too).
 */
export function formToCampaign(current: Program, originalId: string | null, f: CampaignForm, currency: string): CampaignFormResult {
  const errors: Record<string, string> = {};
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
  const id = originalId ?? (f.id ?? "").trim();
  const type = f["effect.type"];
  const effect: Record<string, unknown> = { type };
  if (type === "multiplier") effect.factor = num(f["effect.factor"]);
  if (type === "fixed") effect.points = num(f["effect.points"]);
  if (type === "bigBasket") Object.assign(effect, { points: num(f["effect.points"]), minSubtotalMinor: money("effect.minSubtotal", false) });
  if (type === "productBonus") {
    Object.assign(effect, {
      productIds: list(f["effect.productIds"], /[\s,]+/),
      collectionIds: list(f["effect.collectionIds"], /[\s,]+/),
      pointsPerUnit: optionalNum(f["effect.pointsPerUnit"]),
      multiplier: optionalNum(f["effect.multiplier"]),
    });
  }
  const weekdays = list(f["window.weekdays"]).map(Number);
  const tags = list(f["conditions.customerTagsAny"]);
  const countries = list(f["conditions.countries"]).map((c) => c.toUpperCase());
  const campaign = {
    id,
    enabled: f.enabled === "on",
    name: { en: f["name.en"] ?? "", de: f["name.de"] ?? "" },
    window: {
      startDate: optionalText(f["window.startDate"]),
      endDate: optionalText(f["window.endDate"]),
      weekdays: weekdays.length ? weekdays : undefined,
      startTime: optionalText(f["window.startTime"]),
      endTime: optionalText(f["window.endTime"]),
    },
    conditions: {
      customerTagsAny: tags.length ? tags : undefined,
      countries: countries.length ? countries : undefined,
      minTotalSpentMinor: money("conditions.minTotalSpent", true),
      minOrderCount: optionalNum(f["conditions.minOrderCount"]),
      maxOrderCount: optionalNum(f["conditions.maxOrderCount"]),
    },
    effect,
    budgetPoints: optionalNum(f.budgetPoints),
  };
  const clean = withoutUndefined(campaign);
  const p = structuredClone(current) as Program;
  let index = p.campaigns.findIndex((c) => c.id === originalId);
  if (originalId === null || index < 0) {
    index = p.campaigns.length;
    p.campaigns.push(clean as unknown as Campaign);
  } else {
    p.campaigns[index] = clean as unknown as Campaign;
  }
  if (originalId === null && id === "new") errors.id = fe("errors.campaignIdNew");
  try {
    const program = parseProgram(p);
    if (Object.keys(errors).length) return { fieldErrors: errors };
    return { program, campaign: program.campaigns[index], fieldErrors: {} };
  } catch (error) {
    if (!(error instanceof ProgramConfigError)) throw error;
    for (const [field, message] of Object.entries(campaignFieldErrors(error.fieldErrors, index))) errors[field] ??= message;
    return { fieldErrors: errors };
  }
}

/** A copy without the members that are undefined: the strict schema reads them as absent. */
function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[k] = v && typeof v === "object" && !Array.isArray(v) ? withoutUndefined(v as Record<string, unknown>) : v;
  }
  return out;
}

/** Ends a campaign today: off, and its end date no later than today (shop's calendar). */
export function endCampaign(current: Program, id: string, today: string): Program | null {
  const p = structuredClone(current) as Program;
  const c = p.campaigns.find((x) => x.id === id);
  if (!c) return null;
  c.enabled = false;
  if (c.window.endDate === undefined || c.window.endDate > today) c.window.endDate = today;
  if (c.window.startDate !== undefined && c.window.startDate > c.window.endDate) c.window.startDate = c.window.endDate;
  return parseProgram(p);
}

export type CampaignStatus = "running" | "scheduled" | "ended" | "off";

/** Where a campaign stands on `today` (shop's calendar); hours and weekdays are not looked at. */
export function campaignStatus(c: Campaign, today: string): CampaignStatus {
  if (c.window.endDate !== undefined && c.window.endDate < today) return "ended";
  if (!c.enabled) return c.window.endDate === today ? "ended" : "off";
  if (c.window.startDate !== undefined && c.window.startDate > today) return "scheduled";
  return "running";
}

// ---------------------------------------------------------------------------------------------
// Budgets: stacking, caps per rule and period, the daily cap per member

export function budgetsToForm(p: Program): Record<string, string> {
  const f: Record<string, string> = { stacking: p.stacking, "caps.dailyGlobalPoints": p.caps.dailyGlobalPoints === undefined ? "" : String(p.caps.dailyGlobalPoints) };
  for (const r of RULE_KEYS) {
    const cap = p.caps.perRule[r];
    f[`caps.perRule.${r}.max`] = cap ? String(cap.max) : "";
    f[`caps.perRule.${r}.period`] = cap?.period ?? "day";
  }
  return f;
}

/** The program with the form's stacking and caps ("campaign:<id>" caps, not offered here, are kept as they are). */
export function formToBudgets(current: Program, f: Record<string, string>): { program?: Program; fieldErrors: Record<string, string> } {
  const p = structuredClone(current) as Program;
  const perRule: Program["caps"]["perRule"] = Object.fromEntries(Object.entries(p.caps.perRule).filter(([k]) => k.startsWith("campaign:")));
  for (const r of RULE_KEYS) {
    if ((f[`caps.perRule.${r}.max`] ?? "").trim() === "") continue;
    perRule[r] = { max: num(f[`caps.perRule.${r}.max`]), period: (f[`caps.perRule.${r}.period`] ?? "day") as Period };
  }
  const daily = optionalNum(f["caps.dailyGlobalPoints"]);
  p.stacking = f.stacking as Program["stacking"];
  p.caps = { perRule, ...(daily === undefined ? {} : { dailyGlobalPoints: daily }) };
  try {
    return { program: parseProgram(p), fieldErrors: {} };
  } catch (error) {
    if (!(error instanceof ProgramConfigError)) throw error;
    return { fieldErrors: error.fieldErrors };
  }
}

export const CAP_PERIODS: readonly Period[] = PERIODS;

// ---------------------------------------------------------------------------------------------
// Preview: a sample order with and without the campaign

export interface CampaignSample {
  amountMinor: number;
  /** the shop's wall clock: "YYYY-MM-DD" and "HH:MM" */
  date: string;
  time: string;
  countryCode: string | null;
  tags: string[];
  /** orders before this one */
  orderCount: number;
}

export interface CampaignPreview {
  without: number;
  with: number;
  lines: string[];
  /** the campaign adds nothing to this sample (outside its window, conditions not met, …) */
  applies: boolean;
}

/** What the sample order earns with the program's other campaigns, and with this one added (as if on). */
export function previewCampaign(program: Program, campaign: Campaign, currency: string, locale: ProgramLocale, sample: CampaignSample, timeZone: string): CampaignPreview {
  const [y, mo, d] = sample.date.split("-").map(Number);
  const [h, mi] = sample.time.split(":").map(Number);
  const at = new Date(zonedInstant(y!, mo!, d!, h!, mi!, timeZone));
  const e = campaign.effect;
  const productGid = e.type === "productBonus" && e.productIds.length ? e.productIds[0]! : "gid://shopify/Product/1";
  const collections = e.type === "productBonus" && !e.productIds.length ? e.collectionIds.slice(0, 1) : [];
  const facts: OrderFacts = {
    orderGid: "gid://shopify/Order/0",
    currency,
    taxesIncluded: false,
    lines: [{ lineId: "1", lineGid: "gid://shopify/LineItem/1", productGid, variantGid: null, title: "Sample", quantity: 1, grossMinor: sample.amountMinor, discountMinor: 0, includedTaxMinor: 0, netMinor: sample.amountMinor, giftCard: false, tip: false }],
    subtotalMinor: sample.amountMinor,
    shippingMinor: 0,
    tipMinor: 0,
    customerGid: "gid://shopify/Customer/0",
    countryCode: sample.countryCode,
    customerTags: sample.tags,
    createdAt: at,
    processedAt: at,
    discountCodes: [],
    test: false,
    cancelled: false,
  };
  const others = program.campaigns.filter((c) => c.id !== campaign.id);
  const ctx = { timeZone, at, customer: { orderCount: sample.orderCount, totalSpentMinor: 0, tags: sample.tags }, collectionsByProduct: { [productGid]: collections } };
  const base = { ...program, enabled: true, purchase: { ...program.purchase, enabled: true } };
  const without = calculatePurchaseEarn(facts, { ...base, campaigns: others }, ctx);
  const withProgram = { ...base, campaigns: [...others, { ...campaign, enabled: true }] };
  const withIt = calculatePurchaseEarn(facts, withProgram, ctx);
  return {
    without: without.points,
    with: withIt.points,
    lines: explainPurchase(withIt, withProgram, locale, currency),
    applies: withIt.campaigns.some((c) => c.id === campaign.id && c.points > 0),
  };
}
