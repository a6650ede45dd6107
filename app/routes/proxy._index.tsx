import type { LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { rewardsPageLiquid } from "~/domain/rewards-page";
import { proxyContext } from "~/lib/app-proxy.server";
import { programOf } from "~/models/earning.server";
import { listRewards } from "~/models/redemptions.server";
import { ensureShop } from "~/models/shops.server";

// GET /apps/loyalty — the rewards page, as Liquid that Shopify renders inside the shop's theme. The
// answer is the same for every shopper (Liquid fills in the signed-in shopper's name and points),
// but the page Shopify renders from it is not (language, shopper): no cache may keep it.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await proxyContext(request);
  const db = await database();
  const shop = await ensureShop(db.sql, ctx.shop);
  const rewards = (await listRewards(db.sql, ctx.shop)).map((r) => r.reward);
  const body = rewardsPageLiquid({ currency: shop.currency_code, program: programOf(shop), rewards });
  return new Response(body, { headers: { "Content-Type": "application/liquid; charset=utf-8", "Cache-Control": "no-store" } });
};
