// The shop's own settings that the program depends on: currency (points per unit of it) and
// timezone (campaign windows, expiry dates).
import { runGraphql, type AdminGraphql } from "./client.server";

export const SHOP_SETTINGS_QUERY = `#graphql
  query StammkundeShopSettings {
    shop {
      name
      currencyCode
      ianaTimezone
      myshopifyDomain
      primaryDomain {
        host
      }
    }
  }
`;

export interface ShopSettings {
  name: string;
  currencyCode: string;
  ianaTimezone: string;
  myshopifyDomain: string;
  /** the storefront's own domain (share links); absent in older answers */
  primaryDomain?: { host: string } | null;
}

export async function fetchShopSettings(graphql: AdminGraphql): Promise<ShopSettings> {
  const { data } = await runGraphql<{ shop: ShopSettings | null }>(graphql, SHOP_SETTINGS_QUERY);
  if (!data.shop) throw new Error("Shopify returned no shop");
  return data.shop;
}
