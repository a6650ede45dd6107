// GET /api/pos/customers?q=erika — staff look a shopper up (Shopify's customer search in the
// token's shop), each with their points here.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { extensionJson } from "~/lib/extension-auth.server";
import { posContext } from "~/lib/pos-routes.server";
import { searchCustomers } from "~/services/shopify/pos-customers.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await posContext(request);
  const q = new URL(request.url).searchParams.get("q") ?? "";
  const customers = await searchCustomers(ctx.admin, q, 10);
  const db = await database();
  const rows = customers.length
    ? await db.sql.all<{ customer_gid: string; points_available: number; points_pending: number }>(
        `SELECT customer_gid, points_available, points_pending FROM members WHERE shop = ? AND customer_gid IN (${customers.map(() => "?").join(", ")})`,
        [ctx.shop, ...customers.map((c) => c.id)],
      )
    : [];
  const points = new Map(rows.map((r) => [r.customer_gid, r]));
  return extensionJson(ctx, {
    customers: customers.map((c) => ({ ...c, balance: Number(points.get(c.id)?.points_available ?? 0), pending: Number(points.get(c.id)?.points_pending ?? 0) })),
  });
};
