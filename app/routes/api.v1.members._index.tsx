import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, apiRequest, encodeCursor, methodNotAllowed, pageParams, validationFailed, withHeaders } from "~/lib/api.server";
import { apiListMembers } from "~/models/api.server";

// GET /api/v1/members?limit=&cursor=&email=&updated_since= — the shop's members, oldest first,
// a page at a time (opaque keyset cursor). Scope: read. docs/api.md.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await apiRequest(request, { method: "GET", scope: "read" });
  if ("response" in ctx) return ctx.response;
  const url = new URL(request.url);
  const { limit, after, errors } = pageParams(url);
  const email = url.searchParams.get("email");
  if (email !== null && (email.trim() === "" || email.length > 320)) errors.email = "must be an email address";
  const since = url.searchParams.get("updated_since");
  let updatedSince: Date | null = null;
  if (since !== null) {
    updatedSince = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(since) ? new Date(since) : null;
    if (!updatedSince || Number.isNaN(updatedSince.getTime())) errors.updated_since = "must be an ISO 8601 date or time";
  }
  if (Object.keys(errors).length) return withHeaders(validationFailed("query", errors), ctx.headers);
  const page = await apiListMembers(ctx.db.sql, ctx.shop, { email: email?.trim(), updatedSince }, after, limit);
  return apiJson({ members: page.members, nextCursor: page.last ? encodeCursor(page.last) : null }, 200, ctx.headers);
};

export const action = (_: ActionFunctionArgs) => methodNotAllowed("GET");
