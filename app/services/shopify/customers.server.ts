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

export const EMAIL_CONSENT_MUTATION = `#graphql
  mutation StammkundeEmailConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
    customerEmailMarketingConsentUpdate(input: $input) {
      customer {
        id
        emailMarketingConsent {
          marketingState
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Subscribes the customer to the shop's email marketing (single opt-in, as given in the panel).
 *  Returns Shopify's user error message, or null when the customer is subscribed. */
export async function subscribeToEmailMarketing(graphql: AdminGraphql, customerGid: string): Promise<string | null> {
  const { data } = await runGraphql<{ customerEmailMarketingConsentUpdate: { userErrors: Array<{ message: string }> } | null }>(graphql, EMAIL_CONSENT_MUTATION, {
    input: { customerId: customerGid, emailMarketingConsent: { marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN" } },
  });
  const payload = data.customerEmailMarketingConsentUpdate;
  if (!payload) return "Shopify did not answer the subscription";
  return payload.userErrors[0]?.message ?? null;
}

export const CUSTOMERS_BY_EMAIL_QUERY = `#graphql
  query StammkundeCustomersByEmail($query: String!, $first: Int!) {
    customers(first: $first, query: $query) {
      nodes {
        id
        email
      }
    }
  }
`;

/** Emails asked per call when finding customers by email (the search query stays short). */
export const EMAILS_PER_LOOKUP = 25;

/** Finds customers by email, EMAILS_PER_LOOKUP per call: email (lower case) → customer GID. Emails
 *  without a customer are absent from the map. */
export async function customerIdsByEmail(graphql: AdminGraphql, emails: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const unique = [...new Set(emails.map((e) => e.toLowerCase()))].filter((e) => !/["\\]/.test(e));
  for (let i = 0; i < unique.length; i += EMAILS_PER_LOOKUP) {
    const part = unique.slice(i, i + EMAILS_PER_LOOKUP);
    const query = part.map((e) => `email:"${e}"`).join(" OR ");
    // a little room above the count: Shopify may hold two customers with one email
    const { data } = await runGraphql<{ customers: { nodes: Array<{ id: string; email: string | null }> } }>(graphql, CUSTOMERS_BY_EMAIL_QUERY, { query, first: Math.min(250, part.length * 2) });
    for (const c of data.customers.nodes) {
      const email = c.email?.toLowerCase();
      if (email && part.includes(email) && !found.has(email)) found.set(email, c.id);
    }
  }
  return found;
}
