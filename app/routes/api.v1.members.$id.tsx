import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, apiRequest, methodNotAllowed } from "~/lib/api.server";
import { memberOr } from "~/lib/api-member.server";

// GET /api/v1/members/{customer id, GID or email} — one member: balances, tier, referral link.
// Scope: read. docs/api.md.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const ctx = await apiRequest(request, { method: "GET", scope: "read" });
  if ("response" in ctx) return ctx.response;
  const found = await memberOr(ctx, params.id);
  if ("response" in found) return found.response;
  return apiJson({ member: found.member }, 200, ctx.headers);
};

export const action = (_: ActionFunctionArgs) => methodNotAllowed("GET");
