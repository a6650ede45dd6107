import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, apiRequest, methodNotAllowed } from "~/lib/api.server";
import { listRewards } from "~/models/redemptions.server";

// GET /api/v1/rewards — the shop's enabled rewards, cheapest first. Scope: read. docs/api.md.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await apiRequest(request, { method: "GET", scope: "read" });
  if ("response" in ctx) return ctx.response;
  const rewards = await listRewards(ctx.db.sql, ctx.shop);
  return apiJson({ rewards: rewards.map(({ id, reward }) => ({ id, ...reward })) }, 200, ctx.headers);
};

export const action = (_: ActionFunctionArgs) => methodNotAllowed("GET");
