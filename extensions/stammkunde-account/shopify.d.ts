// The `shopify` global each module sees, typed by its target (as Shopify CLI generates it).
import "@shopify/ui-extensions";
import type { Api as PageApi } from "@shopify/ui-extensions/customer-account.page.render";

declare module "./src/RewardsPage.tsx" {
  const shopify: PageApi;
  const globalThis: { shopify: typeof shopify };
}
