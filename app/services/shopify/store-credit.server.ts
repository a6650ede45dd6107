// Store credit for redeemed rewards. The call carries Shopify's @idempotent key (the redemption),
// so asking again after a lost answer never credits twice: it returns the first credit.
import { runGraphql, type AdminGraphql } from "./client.server";
import type { CreateResult } from "./discounts.server";

export const STORE_CREDIT = `#graphql
  mutation StammkundeRewardStoreCredit($id: ID!, $input: StoreCreditAccountCreditInput!, $key: String!) {
    storeCreditAccountCredit(id: $id, creditInput: $input) @idempotent(key: $key) {
      storeCreditAccountTransaction {
        id
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`;

export async function creditStore(graphql: AdminGraphql, customerGid: string, amount: { amount: string; currencyCode: string }, key: string, expiresAt?: string): Promise<CreateResult> {
  const { data } = await runGraphql<{ storeCreditAccountCredit: { storeCreditAccountTransaction: { id: string } | null; userErrors: Array<{ field?: string[] | null; code?: string | null; message: string }> } | null }>(
    graphql,
    STORE_CREDIT,
    { id: customerGid, input: { creditAmount: amount, ...(expiresAt ? { expiresAt } : {}) }, key },
  );
  const p = data.storeCreditAccountCredit;
  if (p?.storeCreditAccountTransaction && !p.userErrors.length) return { ok: true, id: p.storeCreditAccountTransaction.id };
  return { ok: false, userErrors: p?.userErrors?.length ? p.userErrors : [{ message: "Shopify credited nothing" }] };
}
