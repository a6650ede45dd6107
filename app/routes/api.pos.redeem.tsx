// POST /api/pos/redeem {"customerId", "rewardId", "idempotencyKey", "units"?} — staff redeem a
// reward for the shop's customer at the counter; the code goes onto the POS cart. The same
// two-phase redemption and per-customer attempt limit as everywhere else.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { extensionJson } from "~/lib/extension-auth.server";
import { posContext, shopCustomer } from "~/lib/pos-routes.server";
import { redeemRequest } from "~/lib/redeem-request.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await posContext(request);
  return extensionJson(ctx, { error: "use POST" }, { status: 405, headers: { Allow: "POST" } });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await posContext(request);
  const raw = await request.text();
  let body: { customerId?: unknown };
  try {
    body = JSON.parse(raw);
    if (typeof body !== "object" || body === null) throw new Error("not an object");
  } catch {
    return extensionJson(ctx, { error: "body must be JSON" }, { status: 400 });
  }
  const customer = await shopCustomer(ctx, body.customerId);
  const r = await redeemRequest({ shop: ctx.shop, customerGid: customer.id, admin: ctx.admin, rawBody: raw });
  return extensionJson(ctx, r.body, { status: r.status, headers: r.headers });
};
