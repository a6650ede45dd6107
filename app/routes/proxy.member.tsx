import type { LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { privateJson, proxyContext } from "~/lib/app-proxy.server";
import { findMemberByCustomer } from "~/models/ledger.server";

// GET /apps/loyalty/member (storefront) → the logged-in shopper's points. The panel asks once
// when it opens.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await proxyContext(request);
  if (!ctx.customerGid) return privateJson({ loggedIn: false });
  const db = await database();
  const member = await findMemberByCustomer(db.sql, ctx.shop, ctx.customerGid);
  // a member the shop blocked sees nothing personal (app/models/members.server.ts)
  if (member?.blocked_at) return privateJson({ loggedIn: true, blocked: true, member: null });
  return privateJson({
    loggedIn: true,
    member: member
      ? { pointsAvailable: member.points_available, pointsPending: member.points_pending, lifetimeEarned: member.lifetime_earned }
      : { pointsAvailable: 0, pointsPending: 0, lifetimeEarned: 0 },
  });
};
