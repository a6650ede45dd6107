// GET /api/extension/member?surface=checkout|customer-account&locale=de — the member view (the same
// as the storefront panel's) for the buyer the session token names; a guest at checkout sees the
// catalogue only. Customer accounts always have a buyer: a token without one is refused.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { extensionJson } from "~/lib/extension-auth.server";
import { buyerContext } from "~/lib/extension-routes.server";
import { earningRules, memberView } from "~/models/member-view.server";

// Also answers the CORS preflight (OPTIONS reaches the loader), inside buyerContext.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await buyerContext(request);
  if (ctx.surface === "customer-account" && !ctx.customerGid) return extensionJson(ctx, { error: "no customer in the session" }, { status: 403 });
  const db = await database();
  const view = await memberView(db.sql, ctx.shop, ctx.customerGid, ctx.locale);
  return extensionJson(ctx, { ...view, earning: await earningRules(db.sql, ctx.shop) });
};
