// Engagement actions (signup, birthday, newsletter, review, social follow, custom API events):
// how many points one occurrence earns under the program. Caps per period and "once per
// customer" are storage's business (idempotency keys); this is only the rule.
import type { EngagementAction, Program, SocialNetwork } from "./program";

export type EngagementSkip = "program-disabled" | "action-disabled" | "network-disabled";

export interface EngagementEarn {
  points: number;
  skipped?: EngagementSkip;
  /** a custom event asked for more than maxPointsPerEvent */
  capped?: boolean;
}

export class EngagementInputError extends Error {}

export function engagementPoints(
  program: Program,
  action: EngagementAction,
  options: { network?: SocialNetwork; requestedPoints?: number } = {},
): EngagementEarn {
  if (!program.enabled) return { points: 0, skipped: "program-disabled" };
  if (action === "custom") {
    const rule = program.actions.custom;
    const requested = options.requestedPoints;
    if (requested === undefined || !Number.isSafeInteger(requested) || requested <= 0) {
      throw new EngagementInputError(`a custom event needs a whole number of points greater than 0, got ${requested}`);
    }
    if (!rule.enabled) return { points: 0, skipped: "action-disabled" };
    const points = Math.min(requested, rule.maxPointsPerEvent);
    return { points, capped: points < requested };
  }
  const rule = program.actions[action];
  if (!rule.enabled) return { points: 0, skipped: "action-disabled" };
  if (action === "social") {
    const network = options.network;
    if (!network) throw new EngagementInputError("a social follow names its network");
    if (!program.actions.social.networks[network].enabled) return { points: 0, skipped: "network-disabled" };
  }
  return { points: rule.points };
}
