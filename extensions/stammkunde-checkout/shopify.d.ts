// The `shopify` global each module sees, typed by its target (as Shopify CLI generates it).
import "@shopify/ui-extensions";
import type { Api as CheckoutApi } from "@shopify/ui-extensions/purchase.checkout.block.render";

declare module "./src/Checkout.tsx" {
  const shopify: CheckoutApi;
  const globalThis: { shopify: typeof shopify };
}
