// Discount codes for redeemed rewards, through the Admin GraphQL API (2026-01).
import { runGraphql, type AdminGraphql } from "./client.server";

export const BASIC_CODE_CREATE = `#graphql
  mutation StammkundeRewardCodeCreate($input: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $input) {
      codeDiscountNode {
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

export const FREE_SHIPPING_CODE_CREATE = `#graphql
  mutation StammkundeRewardFreeShippingCreate($input: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
      codeDiscountNode {
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

export const CODE_LOOKUP = `#graphql
  query StammkundeRewardCodeLookup($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
    }
  }
`;

export type CreateResult = { ok: true; id: string } | { ok: false; userErrors: Array<{ field?: string[] | null; code?: string | null; message: string }> };

interface Payload {
  codeDiscountNode: { id: string } | null;
  userErrors: Array<{ field?: string[] | null; code?: string | null; message: string }>;
}

export async function createRewardCode(graphql: AdminGraphql, kind: "basic" | "freeShipping", input: Record<string, unknown>): Promise<CreateResult> {
  const doc = kind === "basic" ? BASIC_CODE_CREATE : FREE_SHIPPING_CODE_CREATE;
  const { data } = await runGraphql<Record<string, Payload>>(graphql, doc, { input });
  const payload = kind === "basic" ? data.discountCodeBasicCreate : data.discountCodeFreeShippingCreate;
  if (payload?.codeDiscountNode && !payload.userErrors.length) return { ok: true, id: payload.codeDiscountNode.id };
  return { ok: false, userErrors: payload?.userErrors?.length ? payload.userErrors : [{ message: "Shopify created no discount" }] };
}

/** The discount behind a code, or null when Shopify has none. */
export async function findCode(graphql: AdminGraphql, code: string): Promise<string | null> {
  const { data } = await runGraphql<{ codeDiscountNodeByCode: { id: string } | null }>(graphql, CODE_LOOKUP, { code });
  return data.codeDiscountNodeByCode?.id ?? null;
}

export const CODE_DEACTIVATE = `#graphql
  mutation StammkundeRewardCodeDeactivate($id: ID!) {
    discountCodeDeactivate(id: $id) {
      codeDiscountNode {
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

export const CODE_DELETE = `#graphql
  mutation StammkundeRewardCodeDelete($id: ID!) {
    discountCodeDelete(id: $id) {
      deletedCodeDiscountId
      userErrors {
        field
        code
        message
      }
    }
  }
`;

/** Ends a code in Shopify: deactivated (kept for the record) or deleted. Throws when Shopify refuses. */
export async function endCode(graphql: AdminGraphql, id: string, how: "deactivate" | "delete"): Promise<void> {
  const { data } = await runGraphql<Record<string, { userErrors: Array<{ message: string }> }>>(graphql, how === "deactivate" ? CODE_DEACTIVATE : CODE_DELETE, { id });
  const payload = how === "deactivate" ? data.discountCodeDeactivate : data.discountCodeDelete;
  if (payload?.userErrors?.length) throw new Error(`Shopify refused to ${how} ${id}: ${payload.userErrors.map((e) => e.message).join("; ")}`);
}
