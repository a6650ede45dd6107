// Staff at POS look a shopper up: the shop's customers by name, email or phone, and one customer by id.
import { runGraphql, type AdminGraphql } from "./client.server";

export const POS_CUSTOMER_SEARCH_QUERY = `#graphql
  query StammkundePosCustomerSearch($query: String!, $first: Int!) {
    customers(first: $first, query: $query, sortKey: RELEVANCE) {
      nodes {
        id
        displayName
        email
        phone
      }
    }
  }
`;

export const POS_CUSTOMER_QUERY = `#graphql
  query StammkundePosCustomer($id: ID!) {
    customer(id: $id) {
      id
      displayName
      email
      phone
    }
  }
`;

export interface PosCustomer {
  id: string;
  displayName: string;
  email: string | null;
  phone: string | null;
}

/** Shopify's customer search syntax: the staff's words, with quotes and colons taken out so they
 *  stay free text and can't become field filters. */
export function customerSearchText(input: string): string {
  return input.replace(/["\\:()]/g, " ").replace(/\s+/g, " ").trim().slice(0, 100);
}

export async function searchCustomers(graphql: AdminGraphql, text: string, first = 10): Promise<PosCustomer[]> {
  const query = customerSearchText(text);
  if (!query) return [];
  const { data } = await runGraphql<{ customers: { nodes: PosCustomer[] } }>(graphql, POS_CUSTOMER_SEARCH_QUERY, { query, first });
  return data.customers.nodes;
}

export async function customerById(graphql: AdminGraphql, id: string): Promise<PosCustomer | null> {
  const { data } = await runGraphql<{ customer: PosCustomer | null }>(graphql, POS_CUSTOMER_QUERY, { id });
  return data.customer;
}
