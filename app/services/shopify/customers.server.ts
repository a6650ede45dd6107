// Reading a customer's metafield (e.g. the birthday a merchant keeps there).
import { runGraphql, type AdminGraphql } from "./client.server";

export const CUSTOMER_METAFIELD_QUERY = `#graphql
  query StammkundeCustomerMetafield($id: ID!, $namespace: String!, $key: String!) {
    customer(id: $id) {
      id
      metafield(namespace: $namespace, key: $key) {
        value
        type
      }
    }
  }
`;

export async function customerMetafield(graphql: AdminGraphql, customerGid: string, namespace: string, key: string): Promise<string | null> {
  const { data } = await runGraphql<{ customer: { metafield: { value: string } | null } | null }>(graphql, CUSTOMER_METAFIELD_QUERY, { id: customerGid, namespace, key });
  return data.customer?.metafield?.value ?? null;
}
