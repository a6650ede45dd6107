// The `shopify` global each module sees, typed by its target (as Shopify CLI generates it).
import "@shopify/ui-extensions";
import type { Api as ThankYouApi } from "@shopify/ui-extensions/purchase.thank-you.block.render";
import type { Api as OrderStatusApi } from "@shopify/ui-extensions/customer-account.order-status.block.render";

declare module "./src/ThankYou.tsx" {
  const shopify: ThankYouApi;
  const globalThis: { shopify: typeof shopify };
}

declare module "./src/OrderStatus.tsx" {
  const shopify: OrderStatusApi;
  const globalThis: { shopify: typeof shopify };
}
