/** Numeric ids the way Shopify hands them out: large, increasing, unique across resource types. */
export class IdSequence {
  private next: number;

  constructor(start = 7_100_000_000_001) {
    this.next = start;
  }

  take(): number {
    const id = this.next;
    this.next += 1 + (id % 7); // gaps, so tests cannot rely on consecutive ids
    return id;
  }
}

export type GidType =
  | "Customer"
  | "Order"
  | "LineItem"
  | "Refund"
  | "RefundLineItem"
  | "OrderTransaction"
  | "ShippingLine"
  | "Product"
  | "ProductVariant"
  | "Collection"
  | "DiscountCodeNode"
  | "DiscountRedeemCode"
  | "DiscountAutomaticNode"
  | "Shop"
  | "Metafield"
  | "StoreCreditAccount"
  | "StoreCreditAccountCreditTransaction"
  | "StoreCreditAccountDebitTransaction"
  | "MailingAddress"
  | "Segment"
  | "App";

export function gid(type: GidType, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

export interface ParsedGid {
  type: string;
  id: string;
}

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/([^/?#\s]+)(\?.*)?$/;

/** Parses a Shopify GID; null when the string is not one. */
export function parseGid(value: string): ParsedGid | null {
  const m = GID.exec(value);
  return m ? { type: m[1]!, id: m[2]! } : null;
}

/** The numeric id when `value` is a GID of `type` with a numeric id, else null. */
export function numericIdOf(value: string, type: string): number | null {
  const parsed = parseGid(value);
  if (!parsed || parsed.type !== type || !/^\d+$/.test(parsed.id)) return null;
  return Number(parsed.id);
}
