// The member an API path names ({customer id, GID or email}), in the key's shop only: another
// shop's customer is simply not found (404), never a hint that it exists elsewhere.
import { apiError, validationFailed, withHeaders, type ApiContext } from "./api.server";
import { apiFindMember, parseMemberRef, type ApiMember } from "~/models/api.server";

export async function memberOr(ctx: Pick<ApiContext, "shop" | "db" | "headers">, raw: string | undefined): Promise<{ id: number; member: ApiMember } | { response: Response }> {
  const ref = parseMemberRef(raw);
  if (!ref) return { response: withHeaders(validationFailed("member", { member: "must be a Shopify customer id, its GID or an email address" }), ctx.headers) };
  const found = await apiFindMember(ctx.db.sql, ctx.shop, ref);
  if (found === "ambiguous") return { response: apiError(409, "ambiguous_email", "several members have this email; use the Shopify customer id", {}, ctx.headers) };
  if (!found) return { response: apiError(404, "not_found", "no such member", {}, ctx.headers) };
  return found;
}
