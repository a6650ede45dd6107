import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { privateJson, proxyContext } from "~/lib/app-proxy.server";
import { redeemRequest } from "~/lib/redeem-request.server";
import { memberView, viewLocale } from "~/models/member-view.server";

// GET /apps/loyalty/rewards — the catalogue, with what the signed-in shopper can afford and their codes.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await proxyContext(request);
  const db = await database();
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { currency, ...view } = await memberView(db.sql, ctx.shop, ctx.customerGid, viewLocale(ctx.locale));
  return privateJson(view);
};

// POST /apps/loyalty/rewards {"rewardId": 1, "idempotencyKey": "…"} — redeem. The shopper is the
// signed logged_in_customer_id, never the body.
export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await proxyContext(request);
  if (!ctx.customerGid) return privateJson({ error: "log in first" }, { status: 403 });
  const r = await redeemRequest({ shop: ctx.shop, customerGid: ctx.customerGid, admin: ctx.admin, rawBody: await request.text() });
  return privateJson(r.body, { status: r.status, headers: r.headers });
};
