// The `shopify` global each module sees, typed by its target (as Shopify CLI generates it).
import "@shopify/ui-extensions";
import type { Api as ProfileApi } from "@shopify/ui-extensions/customer-account.profile.block.render";

declare module "./src/ProfileBlock.tsx" {
  const shopify: ProfileApi;
  const globalThis: { shopify: typeof shopify };
}
