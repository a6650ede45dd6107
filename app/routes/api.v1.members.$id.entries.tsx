import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, apiRequest, encodeCursor, methodNotAllowed, pageParams, validationFailed, withHeaders } from "~/lib/api.server";
import { memberOr } from "~/lib/api-member.server";
import { apiMemberEntries } from "~/models/api.server";

// GET /api/v1/members/{ref}/entries?limit=&cursor= — the member's ledger, newest first, with the
// balances. Scope: read. docs/api.md.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const ctx = await apiRequest(request, { method: "GET", scope: "read" });
  if ("response" in ctx) return ctx.response;
  const { limit, after, errors } = pageParams(new URL(request.url));
  if (Object.keys(errors).length) return withHeaders(validationFailed("query", errors), ctx.headers);
  const found = await memberOr(ctx, params.id);
  if ("response" in found) return found.response;
  const page = await apiMemberEntries(ctx.db.sql, ctx.shop, found.id, after, limit);
  return apiJson({ points: found.member.points, entries: page.entries, nextCursor: page.last ? encodeCursor(page.last) : null }, 200, ctx.headers);
};

export const action = (_: ActionFunctionArgs) => methodNotAllowed("GET");
