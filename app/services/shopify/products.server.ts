// Which collections an order's products are in, for programs that exclude or reward collections.
// Batched so each call stays well under Shopify's 1,000-point query cost limit.
import { runGraphql, type AdminGraphql } from "./client.server";

export const PRODUCT_COLLECTIONS_QUERY = `#graphql
  query StammkundeProductCollections($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Product {
        id
        collections(first: 25) {
          nodes {
            id
          }
        }
      }
    }
  }
`;

// nodes: 1 per id, collections(first: 25): 2 + 25 → 28 per product; 30 products ≈ 840 points.
const BATCH = 30;

export async function collectionsByProduct(graphql: AdminGraphql, productGids: string[]): Promise<Record<string, string[]>> {
  const ids = [...new Set(productGids)];
  const out: Record<string, string[]> = {};
  for (let i = 0; i < ids.length; i += BATCH) {
    const { data } = await runGraphql<{ nodes: Array<{ id?: string; collections?: { nodes: Array<{ id: string }> } } | null> }>(graphql, PRODUCT_COLLECTIONS_QUERY, {
      ids: ids.slice(i, i + BATCH),
    });
    for (const node of data.nodes) if (node?.id) out[node.id] = node.collections?.nodes.map((c) => c.id) ?? [];
  }
  for (const id of ids) out[id] ??= [];
  return out;
}

export const VARIANT_PRICE_QUERY = `#graphql
  query StammkundeVariantPrice($id: ID!) {
    productVariant(id: $id) {
      id
      price
    }
  }
`;

/** A variant's current price (shop currency, decimal string), or null when it doesn't exist. */
export async function variantPrice(graphql: AdminGraphql, variantGid: string): Promise<string | null> {
  const { data } = await runGraphql<{ productVariant: { price: string } | null }>(graphql, VARIANT_PRICE_QUERY, { id: variantGid });
  return data.productVariant?.price ?? null;
}
