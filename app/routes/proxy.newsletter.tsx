import type { ActionFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { privateJson, proxyContext } from "~/lib/app-proxy.server";
import { programOf } from "~/models/earning.server";
import { ensureShop } from "~/models/shops.server";
import { ShopifyApiError } from "~/services/shopify/client.server";
import { subscribeToEmailMarketing } from "~/services/shopify/customers.server";

// POST /apps/loyalty/newsletter — the logged-in shopper subscribes to the shop's newsletter from the
// panel. The app only asks Shopify to record the consent; the points follow from the
// customers/update webhook that confirms it, like a subscription made anywhere else.
export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await proxyContext(request);
  if (!ctx.customerGid) return privateJson({ error: "log in first" }, { status: 403 });
  const db = await database();
  const program = programOf(await ensureShop(db.sql, ctx.shop));
  if (!program.enabled || !program.actions.newsletter.enabled) return privateJson({ error: "the shop does not reward newsletter sign-ups" }, { status: 409 });
  if (!ctx.admin) return privateJson({ error: "the shop is not connected; try again later" }, { status: 503 });
  try {
    const problem = await subscribeToEmailMarketing(ctx.admin, ctx.customerGid);
    if (problem) return privateJson({ error: problem }, { status: 422 });
  } catch (error) {
    // a Shopify error, a timeout or a 5xx: nothing was changed here, the shopper can try again
    console.error("newsletter subscription failed", { shop: ctx.shop, error: error instanceof ShopifyApiError ? error.message : String(error) });
    return privateJson({ error: "Shopify is not answering; try again later" }, { status: 502 });
  }
  return privateJson({ status: "subscribed" });
};
