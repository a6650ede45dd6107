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
