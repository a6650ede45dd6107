// The onboarding's presets: a merchant picks what kind of program they want ("points", "points +
// VIP tiers", "referrals only"), adjusts a handful of key numbers, and gets a complete, valid
// program plus a first reward. Pure: the route saves what these functions return.
//
// The "points + VIP tiers" preset also switches on three tiers (Bronze, Silver, Gold by points earned
// in 12 months) that the merchant tunes on the Tiers page.
import { formatMinor, MoneyFormatError, toMinorUnits } from "./money";
import { parseProgram, ProgramConfigError, type Program } from "./program";
import { fe } from "./errors";
import { parseReward, RewardConfigError, type Reward } from "./rewards";

export const PRESETS = ["points", "points-vip", "referrals"] as const;
export type PresetId = (typeof PRESETS)[number];

export function isPreset(x: unknown): x is PresetId {
  return typeof x === "string" && (PRESETS as readonly string[]).includes(x);
}

/** The onboarding's second screen: only the numbers that matter on day one, as typed (strings). */
export interface PresetForm {
  /** points per 1 unit of shop currency spent */
  pointsPerUnit: string;
  /** points for creating a customer account ("0": no welcome bonus) */
  signupPoints: string;
  /** the first reward: an amount off for this many points */
  rewardPoints: string;
  rewardAmount: string;
  /** referrals: the friend's discount (an amount off the first order) and the advocate's points */
  friendDiscount: string;
  advocatePoints: string;
}

export const PRESET_FIELDS = ["pointsPerUnit", "signupPoints", "rewardPoints", "rewardAmount", "friendDiscount", "advocatePoints"] as const satisfies ReadonlyArray<keyof PresetForm>;

/** Which fields a preset's second screen shows. */
export function presetFields(preset: PresetId): Array<keyof PresetForm> {
  return preset === "referrals" ? ["friendDiscount", "advocatePoints", "rewardPoints", "rewardAmount"] : ["pointsPerUnit", "signupPoints", "rewardPoints", "rewardAmount"];
}

/**
 * Sensible starting numbers: 1 point per currency unit, 100 points for signing up, €5 off for 500
 * points (1 % back); referrals: €10 off the friend's first order, 500 points (one €5 reward) for
 * the advocate.
 */
export function presetDefaults(preset: PresetId, currency: string): PresetForm {
  const amount = (units: string) => formatMinor(toMinorUnits(units, currency), currency);
  return {
    pointsPerUnit: "1",
    signupPoints: preset === "referrals" ? "0" : "100",
    rewardPoints: "500",
    rewardAmount: amount("5"),
    friendDiscount: amount("10"),
    advocatePoints: "500",
  };
}

export interface PresetResult {
  program?: Program;
  reward?: Reward;
  fieldErrors: Partial<Record<keyof PresetForm, string>>;
}

/** "12" → 12, "1,5" → 1.5 (the schemas then say "Must be a whole number"); "" or "abc" → NaN. */
function num(s: string | undefined): number {
  const t = (s ?? "").trim().replace(",", ".");
  return t === "" ? Number.NaN : Number(t);
}

/**
 * The program and first reward a preset gives, on top of `base` (the shop's current program, so
 * settings the onboarding doesn't show are kept), validated with the same rules as the Program
 * page; each problem comes back on the onboarding field it belongs to.
 */
export function applyPreset(base: Program, preset: PresetId, form: PresetForm, currency: string, opts: { enabled: boolean }): PresetResult {
  const errors: PresetResult["fieldErrors"] = {};
  const shown = new Set(presetFields(preset));
  const money = (field: "rewardAmount" | "friendDiscount"): number => {
    try {
      const minor = toMinorUnits((form[field] ?? "").trim().replace(",", "."), currency);
      if (minor <= 0) errors[field] = fe("errors.gt0");
      return minor;
    } catch (error) {
      if (!(error instanceof MoneyFormatError)) throw error;
      errors[field] = fe("errors.amount", { example: formatMinor(toMinorUnits("5", currency), currency) });
      return 0;
    }
  };

  const p = structuredClone(base);
  p.enabled = opts.enabled;
  if (preset === "referrals") {
    p.purchase.enabled = false;
    p.actions.signup.enabled = false;
    p.referrals.enabled = true;
    p.referrals.friendReward = { ...p.referrals.friendReward, type: "amount", value: money("friendDiscount") };
    p.referrals.advocateReward = { points: num(form.advocatePoints) };
  } else {
    p.purchase.enabled = true;
    const rate = num(form.pointsPerUnit);
    p.purchase.pointsPerUnit = rate;
    if (rate === 0) errors.pointsPerUnit = fe("errors.min", { min: 1 });
    const signup = num(form.signupPoints);
    // 0 means "no welcome bonus": the action is switched off, its points stay as they were
    p.actions.signup.enabled = signup !== 0;
    if (signup !== 0) p.actions.signup.points = signup;
    p.referrals.enabled = false;
    if (preset === "points-vip" && !p.tiers.enabled) {
      // three tiers by points earned in the last 12 months, kept through the next period plus 30 days;
      // the merchant tunes them on the Tiers page
      const level = (id: string, threshold: number, en: string, de: string, multiplier: number) => ({
        id, threshold, name: { en, de }, multiplier, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false,
        perks: multiplier > 1 ? { en: [`${multiplier}× points`], de: [`${String(multiplier).replace(".", ",")}-fache Punkte`] } : { en: [], de: [] },
      });
      p.tiers = {
        enabled: true,
        basis: "points_earned",
        window: "rolling_12_months",
        levels: [level("bronze", 0, "Bronze", "Bronze", 1), level("silver", 500, "Silver", "Silber", 1.25), level("gold", 2000, "Gold", "Gold", 1.5)],
        retention: { keepNextPeriod: true, graceDays: 30 },
        membershipProduct: null,
      };
    }
  }

  const pathToField: Record<string, keyof PresetForm> = {
    "purchase.pointsPerUnit": "pointsPerUnit",
    "actions.signup.points": "signupPoints",
    "referrals.friendReward.value": "friendDiscount",
    "referrals.advocateReward.points": "advocatePoints",
  };
  let program: Program | undefined;
  try {
    program = parseProgram(p);
  } catch (error) {
    if (!(error instanceof ProgramConfigError)) throw error;
    for (const [path, message] of Object.entries(error.fieldErrors)) {
      const field = pathToField[path];
      // a problem in a setting the onboarding doesn't show belongs to the Program page; name it
      if (field && shown.has(field)) errors[field] ??= message;
      else errors[shown.values().next().value as keyof PresetForm] ??= fe("errors.otherSetting", { path, message });
    }
  }

  const amountMinor = money("rewardAmount");
  const rewardInput = {
    type: "amount",
    amountMinor,
    pointsCost: num(form.rewardPoints),
    texts: {
      en: { title: `${formatMinor(amountMinor, currency)} ${currency} off` },
      de: { title: `${formatMinor(amountMinor, currency).replace(".", ",")} ${currency} Rabatt` },
    },
  };
  let reward: Reward | undefined;
  try {
    reward = parseReward(rewardInput);
  } catch (error) {
    if (!(error instanceof RewardConfigError)) throw error;
    if (error.fieldErrors.pointsCost) errors.rewardPoints ??= error.fieldErrors.pointsCost === fe("errors.type.number") ? fe("errors.whole") : error.fieldErrors.pointsCost;
    if (error.fieldErrors.amountMinor) errors.rewardAmount ??= error.fieldErrors.amountMinor;
  }
  if (Object.keys(errors).length > 0 || !program || !reward) return { fieldErrors: errors };
  return { program, reward, fieldErrors: {} };
}
