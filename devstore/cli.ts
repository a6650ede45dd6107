/**
 * Starts a devstore on a port:
 *   node --import tsx devstore/cli.ts [--port 4010] [--app-url http://localhost:3000]
 *        [--api-key KEY] [--api-secret SECRET] [--toml ./shopify.app.toml] [--shop a.myshopify.com ...]
 *        [--extensions ./extensions] [--lenient-liquid]
 * Environment fallbacks: DEVSTORE_PORT, SHOPIFY_APP_URL, SHOPIFY_API_KEY, SHOPIFY_API_SECRET.
 */
import { parseArgs } from "node:util";
import { createDevStore, DEFAULT_ACCESS_TOKEN } from "./index.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "app-url": { type: "string" },
    "api-key": { type: "string" },
    "api-secret": { type: "string" },
    toml: { type: "string" },
    shop: { type: "string", multiple: true },
    "time-compression": { type: "string" },
    quiet: { type: "boolean" },
    extensions: { type: "string" },
    "lenient-liquid": { type: "boolean" },
  },
});

const shops = values.shop?.map((domain, i) => ({ domain, accessTokens: i === 0 ? [DEFAULT_ACCESS_TOKEN] : [] }));
const store = await createDevStore({
  port: Number(values.port ?? process.env.DEVSTORE_PORT ?? 4010),
  host: values.host ?? "127.0.0.1",
  appUrl: values["app-url"] ?? process.env.SHOPIFY_APP_URL,
  apiKey: values["api-key"] ?? process.env.SHOPIFY_API_KEY,
  apiSecret: values["api-secret"] ?? process.env.SHOPIFY_API_SECRET,
  ...(values.toml ? { tomlPath: values.toml } : {}),
  ...(shops ? { shops } : {}),
  webhooks: values["time-compression"] ? { timeCompression: Number(values["time-compression"]) } : {},
  log: values.quiet ? undefined : (line) => console.log(line),
  storefront: { ...(values.extensions ? { extensionsDir: values.extensions } : {}), strict: !values["lenient-liquid"] },
});

console.log(`devstore listening on ${store.url}`);
console.log(`  Admin API      POST ${store.url}/admin/api/${store.apiVersions[0]}/graphql.json`);
console.log(`  token exchange POST ${store.url}/admin/oauth/access_token`);
console.log(`  app proxy      ${store.url}${store.appProxy.pathPrefix}/* → ${store.appProxy.target}/*`);
console.log(`  storefront     ${store.url}/ (theme app extensions from ${store.storefront.extensionsDir ?? "nowhere"})`);
console.log(`  webhooks       → ${store.appUrl} (${store.webhooks.subscriptions.length} subscriptions)`);
for (const shop of store.shops.all()) console.log(`  shop ${shop.domain}  token ${store.shops.accessToken(shop.domain)}`);

const stop = () => {
  void store.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
