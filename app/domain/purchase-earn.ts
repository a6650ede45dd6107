// Purchase earning: the points an order earns under the merchant's program, exactly.
//
//   1. Lines that never earn are set aside: gift cards, tips, excluded products and collections.
//   2. base points = round(eligible minor units × pointsPerUnit / 10^exponent) with the program's
//      rounding mode, in integers.
//   3. Running campaigns add bonuses, combined by the stacking rule:
//        highest  — only the single largest bonus;
//        add      — every bonus adds (×2 and ×3 on 10 points: 10 + 10 + 20);
//        multiply — multipliers compound (×2 then ×3: 60), fixed and per-unit bonuses add.
//      Each bonus is rounded with the same mode; each campaign's contribution is reported (budgets
//      are enforced in storage; ctx.campaignBudgetLeft trims a contribution to what is left).
//   4. A tier multiplier applies to the sum, rounded once more.
//   5. The points are split over the earning lines (largest remainder, summing exactly) so a
//      refund of some lines can be reversed at the rate recorded now.
import {
  add,
  allocate,
  fromDecimal,
  mul,
  ratio,
  roundToNumber,
  sum,
  ZERO,
  type Ratio,
} from "./exact";
import { campaignEffect, campaignRuns, productMatches, type CustomerStats, type EarningLine, type EffectResult } from "./campaigns";
import { currencyExponent } from "./money";
import type { ExclusionReason, LineFacts, OrderFacts } from "./order-facts";
import type { CampaignEffect, Program, PurchaseRules } from "./program";

export { EarnContextError } from "./campaigns";

export interface EarnContext {
  /** the shop's IANA timezone, for campaign windows */
  timeZone: string;
  /** when the order counts as placed (processed_at), for campaign windows */
  at: Date;
  /** the customer before this order */
  customer: CustomerStats;
  /** product GID → collection GIDs; required when the program or a running campaign names collections */
  collectionsByProduct?: Record<string, string[]>;
  /** the member's tier multiplier (1 = none), at most 4 decimal places */
  tierMultiplier?: number;
  /** campaign id → points its budget still allows; a campaign's contribution is trimmed to it */
  campaignBudgetLeft?: Record<string, number>;
}

export type SkipReason = "program-disabled" | "purchase-disabled" | "guest" | "nothing-eligible" | "below-minimum";

/** Locale-free facts behind the points; app/domain/explain.ts renders them. */
export type ExplanationLine =
  | { kind: "excluded"; reason: ExclusionReason; minor: number; lineIds: string[] }
  | { kind: "base"; points: number; pointsPerUnit: number; baseMinor: number }
  | { kind: "campaign"; id: string; effect: CampaignEffect; points: number; budgetReached: boolean }
  | { kind: "tier"; multiplier: number; points: number }
  | { kind: "skipped"; reason: SkipReason; baseMinor: number; minimumMinor: number }
  | { kind: "total"; points: number };

export interface PurchaseEarn {
  /** the points to award: a non-negative integer */
  points: number;
  basePoints: number;
  /** the eligible merchandise amount after exclusions, minor units */
  baseMinor: number;
  currency: string;
  /** each applied campaign's contribution (before the tier multiplier) */
  campaigns: Array<{ id: string; points: number }>;
  tierPoints: number;
  lines: ExplanationLine[];
  excluded: Array<{ lineId: string; reason: ExclusionReason; minor: number }>;
  /** points per earning line; sums exactly to `points` */
  pointsByLine: Record<string, number>;
  skipped?: SkipReason;
}

function exclusionOf(line: LineFacts, rules: PurchaseRules, collectionsByProduct: Record<string, string[]> | undefined): ExclusionReason | null {
  if (line.tip) return "tip";
  if (line.giftCard) return "gift-card";
  if (line.productGid && rules.excludedProductIds.includes(line.productGid)) return "excluded-product";
  if (productMatches(line.productGid, [], rules.excludedCollectionIds, collectionsByProduct, "purchase.excludedCollectionIds")) {
    return "excluded-collection";
  }
  return null;
}

function excludedLines(excluded: PurchaseEarn["excluded"]): ExplanationLine[] {
  const byReason = new Map<ExclusionReason, { minor: number; lineIds: string[] }>();
  for (const e of excluded) {
    const hit = byReason.get(e.reason) ?? { minor: 0, lineIds: [] };
    hit.minor += e.minor;
    hit.lineIds.push(e.lineId);
    byReason.set(e.reason, hit);
  }
  return [...byReason].map(([reason, v]) => ({ kind: "excluded", reason, ...v }));
}

interface Contribution {
  id: string;
  effect: CampaignEffect;
  points: number;
  budgetReached: boolean;
  lineIds: string[];
}

export function calculatePurchaseEarn(facts: OrderFacts, program: Program, ctx: EarnContext): PurchaseEarn {
  const rules = program.purchase;
  const mode = rules.rounding;
  const result = (over: Partial<PurchaseEarn>): PurchaseEarn => ({
    points: 0,
    basePoints: 0,
    baseMinor: 0,
    currency: facts.currency,
    campaigns: [],
    tierPoints: 0,
    lines: [],
    excluded: [],
    pointsByLine: {},
    ...over,
  });
  const skip = (reason: SkipReason, over: Partial<PurchaseEarn> = {}): PurchaseEarn => {
    const base = result(over);
    const line: ExplanationLine = { kind: "skipped", reason, baseMinor: base.baseMinor, minimumMinor: rules.minimumOrderMinor };
    return { ...base, skipped: reason, lines: [...base.lines, line] };
  };

  if (!program.enabled) return skip("program-disabled");
  if (!rules.enabled) return skip("purchase-disabled");
  if (!facts.customerGid && !program.guests.retroactive) return skip("guest");

  // 1. exclusions
  const excluded: PurchaseEarn["excluded"] = [];
  const earning: EarningLine[] = [];
  for (const line of facts.lines) {
    const reason = exclusionOf(line, rules, ctx.collectionsByProduct);
    if (reason) excluded.push({ lineId: line.lineId, reason, minor: line.netMinor });
    else earning.push({ lineId: line.lineId, productGid: line.productGid, netMinor: line.netMinor });
  }
  const baseMinor = earning.reduce((s, l) => s + l.netMinor, 0);
  const lines: ExplanationLine[] = excludedLines(excluded);
  if (baseMinor === 0) return skip("nothing-eligible", { excluded, lines });
  if (baseMinor < rules.minimumOrderMinor) return skip("below-minimum", { excluded, lines, baseMinor });

  // 2. base points
  const exponent = currencyExponent(facts.currency);
  const basePoints = roundToNumber(ratio(BigInt(baseMinor) * BigInt(rules.pointsPerUnit), 10n ** BigInt(exponent)), mode);
  lines.push({ kind: "base", points: basePoints, pointsPerUnit: rules.pointsPerUnit, baseMinor });

  // 3. campaigns
  const input = { basePoints, baseMinor, lines: earning, exponent, collectionsByProduct: ctx.collectionsByProduct };
  const running: Array<{ id: string; effect: CampaignEffect; result: EffectResult }> = [];
  for (const c of program.campaigns) {
    if (!campaignRuns(c, facts, ctx)) continue;
    const r = campaignEffect(c.effect, input, c.id);
    if (r) running.push({ id: c.id, effect: c.effect, result: r });
  }
  const trim = (id: string, points: number) => {
    const left = ctx.campaignBudgetLeft?.[id];
    if (left === undefined || points <= left) return { points, budgetReached: false };
    return { points: Math.max(0, left), budgetReached: true };
  };
  const contribution = (c: (typeof running)[number], raw: number): Contribution => ({
    id: c.id,
    effect: c.effect,
    lineIds: c.result.lineIds,
    ...trim(c.id, raw),
  });

  let applied: Contribution[];
  if (program.stacking === "multiply") {
    // compound the multipliers line by line, attributing each step's increase to its campaign
    const exact = new Map<string, Ratio>(earning.map((l) => [l.lineId, ratio(BigInt(basePoints) * BigInt(l.netMinor), BigInt(baseMinor))]));
    let before = basePoints;
    applied = running.map((c) => {
      const factor = c.result.factor;
      if (!factor) return contribution(c, roundToNumber(c.result.bonus, mode));
      for (const id of c.result.lineIds) exact.set(id, mul(exact.get(id) ?? ZERO, factor));
      const after = roundToNumber(sum([...exact.values()]), mode);
      const raw = after - before;
      before = after;
      return contribution(c, raw);
    });
  } else {
    const all = running.map((c) => contribution(c, roundToNumber(c.result.bonus, mode)));
    if (program.stacking === "add") applied = all;
    else applied = all.length ? [all.reduce((best, c) => (c.points > best.points ? c : best))] : [];
  }
  for (const c of applied) lines.push({ kind: "campaign", id: c.id, effect: c.effect, points: c.points, budgetReached: c.budgetReached });

  // 4. tier
  const beforeTier = Math.max(0, basePoints + applied.reduce((s, c) => s + c.points, 0));
  let points = beforeTier;
  const tier = ctx.tierMultiplier;
  if (tier !== undefined) {
    if (!(tier > 0)) throw new RangeError(`tierMultiplier must be greater than 0, got ${tier}`);
    points = Math.max(0, roundToNumber(mul(ratio(beforeTier), fromDecimal(tier)), mode));
    if (tier !== 1) lines.push({ kind: "tier", multiplier: tier, points: points - beforeTier });
  }
  lines.push({ kind: "total", points });

  // 5. split over the lines: base by net amount, each bonus over the lines it concerns
  const netOf = new Map(earning.map((l) => [l.lineId, l.netMinor]));
  const weights = new Map<string, Ratio>(earning.map((l) => [l.lineId, ratio(BigInt(basePoints) * BigInt(l.netMinor), BigInt(baseMinor))]));
  for (const c of applied) {
    const scope = c.lineIds.reduce((s, id) => s + (netOf.get(id) ?? 0), 0);
    if (scope === 0) continue;
    for (const id of c.lineIds) {
      weights.set(id, add(weights.get(id) ?? ZERO, ratio(BigInt(c.points) * BigInt(netOf.get(id) ?? 0), BigInt(scope))));
    }
  }
  const pointsByLine = allocate(points, [...weights]);

  return result({
    points,
    basePoints,
    baseMinor,
    campaigns: applied.map((c) => ({ id: c.id, points: c.points })),
    tierPoints: points - beforeTier,
    lines,
    excluded,
    pointsByLine,
  });
}

export type PendingPlan = { bucket: "available" } | { bucket: "pending"; releaseAt: Date } | { bucket: "pending"; until: "fulfilment" };

/** Where awarded purchase points go first: straight to the balance, or pending for N days or until fulfilment. */
export function pendingPlan(rules: PurchaseRules, awardedAt: Date): PendingPlan {
  switch (rules.pending.mode) {
    case "none":
      return { bucket: "available" };
    case "fulfilment":
      return { bucket: "pending", until: "fulfilment" };
    case "days":
      return { bucket: "pending", releaseAt: new Date(awardedAt.getTime() + rules.pending.days * 86_400_000) };
  }
}
