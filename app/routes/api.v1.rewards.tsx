import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, apiRequest, methodNotAllowed } from "~/lib/api.server";
import { memberOr } from "~/lib/api-member.server";
import { listRewards, listRewardsFor } from "~/models/redemptions.server";

// GET /api/v1/rewards — the shop's enabled rewards, cheapest first. With ?member={member}: only the
// rewards that member may redeem (another tier's tier-only rewards left out; none for an excluded
// or blocked member). Scope: read. docs/api.md.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await apiRequest(request, { method: "GET", scope: "read" });
  if ("response" in ctx) return ctx.response;
  const ref = new URL(request.url).searchParams.get("member");
  if (ref === null) {
    const rewards = await listRewards(ctx.db.sql, ctx.shop);
    return apiJson({ rewards: rewards.map(({ id, reward }) => ({ id, ...reward })) }, 200, ctx.headers);
  }
  const found = await memberOr(ctx, ref);
  if ("response" in found) return found.response;
  const m = found.member;
  const rewards = m.excluded || m.blocked ? [] : await listRewardsFor(ctx.db.sql, ctx.shop, m.tier?.id ?? null);
  return apiJson({ rewards: rewards.map(({ id, reward }) => ({ id, ...reward })) }, 200, ctx.headers);
};

export const action = (_: ActionFunctionArgs) => methodNotAllowed("GET");
