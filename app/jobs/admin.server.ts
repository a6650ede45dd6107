// The Admin API client a background job uses: the shop's offline session, through Shopify's library.
import { ADMIN_TIMEOUT_MS, withTimeout, type AdminGraphql } from "~/services/shopify/client.server";
import { throttledAdmin } from "~/services/shopify/throttle.server";

export async function adminFor(shop: string, opts: { background?: boolean } = {}): Promise<AdminGraphql> {
  const { unauthenticated } = await import("~/shopify.server");
  const { admin } = await unauthenticated.admin(shop);
  return throttledAdmin(shop, withTimeout((query, options) => admin.graphql(query, options), ADMIN_TIMEOUT_MS), opts);
}
