// Who did it, for the audit log: the staff member from the admin's session token (`sub` is their
// user id in the shop), with the online session's email when there is one; else the shop.
import type { Session } from "@shopify/shopify-api";

export function staffOf(auth: { session: Session; sessionToken?: { sub?: string } | null }): string {
  const user = auth.session.onlineAccessInfo?.associated_user;
  if (user) return `user:${user.id}${user.email ? ` ${user.email}` : ""}`;
  const sub = auth.sessionToken?.sub;
  if (sub) return `user:${String(sub).replace(/^gid:\/\/shopify\/StaffMember\//, "")}`;
  return `shop:${auth.session.shop}`;
}
