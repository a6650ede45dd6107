// The offline store's Admin API as the app's code sees it: an AdminGraphql function for a shop.
import type { DevStore } from "../../devstore/index.ts";
import type { AdminGraphql } from "~/services/shopify/client.server";

export function devstoreAdmin(store: DevStore, shop: string): AdminGraphql {
  return (query, options) =>
    fetch(`${store.url}/admin/api/2026-01/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": store.shops.accessToken(shop) },
      body: JSON.stringify({ query, variables: options?.variables }),
    });
}
