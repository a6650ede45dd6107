// The offline store's Admin API as the app's code sees it: an AdminGraphql function for a shop.
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { TEST_API_KEY, TEST_SECRET } from "./webhooks";

export function devstoreAdmin(store: DevStore, shop: string): AdminGraphql {
  return (query, options) =>
    fetch(`${store.url}/admin/api/2026-01/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": store.shops.accessToken(shop) },
      body: JSON.stringify({ query, variables: options?.variables }),
    });
}

/**
 * The offline store for admin route tests: `extraShops` installed beside its default shop,
 * Shopify's library pointed at it and the app (imported after, as it reads the environment), and an offline session for each of `shops`, so a
 * loader or action called with a session token for one of them authenticates.
 */
export async function storeWithSessions(databaseUrl: string, appUrl: string, shops: readonly string[], extraShops: readonly string[]): Promise<DevStore> {
  const store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  for (const domain of extraShops) store.shops.create({ domain });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: appUrl, DATABASE_URL: databaseUrl, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  for (const shop of shops) await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: store.shops.accessToken(shop), scope: "read_customers" }));
  return store;
}
