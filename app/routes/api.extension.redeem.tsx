// POST /api/extension/redeem?surface=checkout|customer-account {"rewardId", "idempotencyKey", "units"?}
// The buyer is the session token's `sub`, never the body. Two-phase redemption: no points are
// taken unless Shopify created the code; checkout then applies the code (applyDiscountCodeChange).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { extensionAdmin, extensionJson } from "~/lib/extension-auth.server";
import { buyerContext } from "~/lib/extension-routes.server";
import { redeemRequest } from "~/lib/redeem-request.server";

// the CORS preflight (OPTIONS reaches the loader); a GET here is not a thing
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await buyerContext(request);
  return extensionJson(ctx, { error: "use POST" }, { status: 405, headers: { Allow: "POST" } });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await buyerContext(request);
  if (request.method !== "POST") return extensionJson(ctx, { error: "use POST" }, { status: 405, headers: { Allow: "POST" } });
  if (!ctx.customerGid) return extensionJson(ctx, { error: "log in first" }, { status: 403 });
  const r = await redeemRequest({ shop: ctx.shop, customerGid: ctx.customerGid, admin: await extensionAdmin(ctx.shop), rawBody: await request.text() });
  return extensionJson(ctx, r.body, { status: r.status, headers: r.headers });
};
