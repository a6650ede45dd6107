// GET /api/extension/order?orderId=gid://shopify/Order/N&surface=checkout|customer-account&locale=de
// The thank-you and order-status block: the points this order earned the token's buyer (pending
// until when), or "processing" while the payment is on its way to the app; the earning rules for
// an estimate meanwhile; and the referral link.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { extensionJson } from "~/lib/extension-auth.server";
import { buyerContext } from "~/lib/extension-routes.server";
import { memberReferral } from "~/models/referrals.server";
import { earningRules, orderEarnView } from "~/models/member-view.server";

const ORDER_GID = /^gid:\/\/shopify\/(Order|OrderIdentity)\/(\d+)$/;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await buyerContext(request);
  if (!ctx.customerGid) return extensionJson(ctx, { loggedIn: false });
  const match = ORDER_GID.exec(new URL(request.url).searchParams.get("orderId") ?? "");
  if (!match) return extensionJson(ctx, { error: "invalid", fieldErrors: { orderId: "must be an order gid" } }, { status: 422 });
  const db = await database();
  const order = await orderEarnView(db.sql, ctx.shop, ctx.customerGid, `gid://shopify/Order/${match[2]}`);
  const referral = await memberReferral(db.sql, ctx.shop, ctx.customerGid, ctx.locale);
  return extensionJson(ctx, {
    loggedIn: true,
    order,
    referral: referral ? { url: referral.referral.url, shareMessage: referral.referral.shareMessage } : null,
    // to estimate while the order is still on its way to the app
    earning: await earningRules(db.sql, ctx.shop),
  });
};
