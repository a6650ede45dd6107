// The `shopify` global each module sees, typed by its target (as Shopify CLI generates it).
import "@shopify/ui-extensions";
import type { Api as TileApi } from "@shopify/ui-extensions/pos.home.tile.render";
import type { Api as ModalApi } from "@shopify/ui-extensions/pos.home.modal.render";

declare module "./src/Tile.tsx" {
  const shopify: TileApi;
  const globalThis: { shopify: typeof shopify };
}

declare module "./src/Modal.tsx" {
  const shopify: ModalApi;
  const globalThis: { shopify: typeof shopify };
}
