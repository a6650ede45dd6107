// What the referral checks need to know about a customer from Shopify: contact details and
// addresses (self-referral), and how many orders they have placed (new customers only).
import { runGraphql, type AdminGraphql } from "./client.server";

export const REFERRAL_CUSTOMER_QUERY = `#graphql
  query StammkundeReferralCustomer($id: ID!) {
    customer(id: $id) {
      id
      firstName
      lastName
      numberOfOrders
      defaultEmailAddress {
        emailAddress
      }
      defaultPhoneNumber {
        phoneNumber
      }
      addressesV2(first: 20) {
        nodes {
          firstName
          lastName
          address1
          address2
          zip
          city
          countryCodeV2
          phone
        }
      }
    }
  }
`;

export interface ReferralCustomer {
  customerGid: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  numberOfOrders: number;
  addresses: Array<{ firstName: string | null; lastName: string | null; address1: string | null; address2: string | null; zip: string | null; city: string | null; countryCode: string | null; phone: string | null }>;
}

interface Answer {
  customer: {
    id: string;
    firstName: string | null;
    lastName: string | null;
    numberOfOrders: string | number;
    defaultEmailAddress: { emailAddress: string } | null;
    defaultPhoneNumber: { phoneNumber: string } | null;
    addressesV2: { nodes: Array<{ firstName: string | null; lastName: string | null; address1: string | null; address2: string | null; zip: string | null; city: string | null; countryCodeV2: string | null; phone: string | null }> } | null;
  } | null;
}

/** The customer, or null when Shopify has no such customer (deleted, or never existed). */
export async function referralCustomer(graphql: AdminGraphql, customerGid: string): Promise<ReferralCustomer | null> {
  const { data } = await runGraphql<Answer>(graphql, REFERRAL_CUSTOMER_QUERY, { id: customerGid });
  const c = data.customer;
  if (!c) return null;
  return {
    customerGid: c.id,
    email: c.defaultEmailAddress?.emailAddress ?? null,
    phone: c.defaultPhoneNumber?.phoneNumber ?? null,
    firstName: c.firstName,
    lastName: c.lastName,
    numberOfOrders: Number(c.numberOfOrders),
    addresses: (c.addressesV2?.nodes ?? []).map((a) => ({
      firstName: a.firstName,
      lastName: a.lastName,
      address1: a.address1,
      address2: a.address2,
      zip: a.zip,
      city: a.city,
      countryCode: a.countryCodeV2,
      phone: a.phone,
    })),
  };
}
