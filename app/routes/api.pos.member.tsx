// GET /api/pos/member?customerId=123&locale=de — the member view (as in the storefront panel) of
// the shop's customer at the counter.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { extensionJson } from "~/lib/extension-auth.server";
import { posContext, shopCustomer } from "~/lib/pos-routes.server";
import { memberView } from "~/models/member-view.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await posContext(request);
  const customer = await shopCustomer(ctx, new URL(request.url).searchParams.get("customerId"));
  const db = await database();
  const view = await memberView(db.sql, ctx.shop, customer.id, ctx.locale);
  return extensionJson(ctx, { customer, ...view });
};
