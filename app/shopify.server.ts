// The one shopifyApp() call. Everything that talks to Shopify on behalf of a merchant goes
// through what this exports.
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { schedulePublish } from "~/models/storefront.server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { database } from "./db.server";
import { routeShopsTo } from "./lib/admin-origin.server";
import { env } from "./lib/env.server";
import { log } from "./lib/logger.server";
import { updateShopSettings } from "./models/shops.server";
import { fetchShopSettings } from "./services/shopify/shop.server";

const config = env();
const LOG_LEVELS = { error: LogSeverity.Error, warning: LogSeverity.Warning, info: LogSeverity.Info, debug: LogSeverity.Debug } as const;
const db = await database();
routeShopsTo(config.SHOPIFY_ADMIN_ORIGIN);

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: ApiVersion.January26,
  scopes: config.SCOPES.split(",").map((s) => s.trim()).filter(Boolean),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(db.prisma),
  distribution: AppDistribution.AppStore,
  ...(config.SHOPIFY_LOG_LEVEL ? { logger: { level: LOG_LEVELS[config.SHOPIFY_LOG_LEVEL] } } : {}),
  hooks: {
    // On install and on every new offline session: take the shop's currency and timezone, so
    // points are counted in the right money from the first order.
    afterAuth: async ({ session, admin }) => {
      try {
        const s = await fetchShopSettings(admin.graphql);
        await db.sql.tx((q) =>
          updateShopSettings(q, session.shop, { name: s.name, currencyCode: s.currencyCode, ianaTimezone: s.ianaTimezone, primaryDomain: s.primaryDomain?.host ?? null }),
        );
        await db.sql.run(`UPDATE shops SET uninstalled_at = NULL WHERE domain = ?`, [session.shop]);
        // the theme extension's texts and earning rate, once a day at most from here
        await schedulePublish(db.sql, session.shop, `storefront:auth:${new Date().toISOString().slice(0, 10)}`);
      } catch (error) {
        log("shop settings sync failed", { shop: session.shop, error: String(error) });
      }
    },
  },
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const apiVersion = ApiVersion.January26;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
