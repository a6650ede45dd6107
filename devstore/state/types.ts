/** In-memory records. Money is integer minor units in the shop currency; times are epoch ms. */

export type PlanName = "basic" | "standard" | "advanced" | "plus" | "enterprise";

export interface AddressRecord {
  id: number;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  provinceCode: string | null;
  country: string | null;
  countryCode: string | null;
  zip: string | null;
  phone: string | null;
}

export type EmailMarketingState = "NOT_SUBSCRIBED" | "PENDING" | "SUBSCRIBED" | "UNSUBSCRIBED" | "REDACTED" | "INVALID";

export interface CustomerRecord {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  tags: string[];
  state: "ENABLED" | "DISABLED" | "INVITED" | "DECLINED";
  note: string | null;
  locale: string;
  verifiedEmail: boolean;
  taxExempt: boolean;
  emailMarketing: { state: EmailMarketingState; optInLevel: "SINGLE_OPT_IN" | "CONFIRMED_OPT_IN" | "UNKNOWN" | null; updatedAt: number | null };
  addresses: AddressRecord[];
  defaultAddressId: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ProductRecord {
  id: number;
  title: string;
  handle: string;
  vendor: string;
  productType: string;
  tags: string[];
  status: "ACTIVE" | "ARCHIVED" | "DRAFT";
  variantIds: number[];
  createdAt: number;
  updatedAt: number;
}

export interface VariantRecord {
  id: number;
  productId: number;
  title: string;
  sku: string;
  price: number;
  compareAtPrice: number | null;
  taxable: boolean;
  requiresShipping: boolean;
  grams: number;
  inventoryQuantity: number;
  createdAt: number;
  updatedAt: number;
}

export interface CollectionRecord {
  id: number;
  title: string;
  handle: string;
  productIds: number[];
  updatedAt: number;
}

export type DiscountItems =
  | { type: "all" }
  | { type: "products"; productIds: number[]; variantIds: number[] }
  | { type: "collections"; collectionIds: number[] };

export type DiscountValue =
  | { type: "percentage"; percentage: number }
  | { type: "amount"; amount: number; appliesOnEachItem: boolean }
  | { type: "onQuantity"; quantity: number; effect: { type: "percentage"; percentage: number } | { type: "amount"; amount: number } };

export type DiscountContext =
  | { type: "all" }
  | { type: "customers"; customerIds: number[] }
  | { type: "segments"; segmentIds: number[] };

export interface DiscountCodeRecord {
  id: number;
  code: string;
  usageCount: number;
}

export interface DiscountRecord {
  /** The DiscountCodeNode id. */
  id: number;
  kind: "basic" | "freeShipping" | "bxgy";
  title: string;
  codes: DiscountCodeRecord[];
  startsAt: number;
  endsAt: number | null;
  appliesOncePerCustomer: boolean;
  usageLimit: number | null;
  combinesWith: { productDiscounts: boolean; orderDiscounts: boolean; shippingDiscounts: boolean };
  context: DiscountContext;
  minimum: { type: "subtotal"; amount: number } | { type: "quantity"; quantity: number } | null;
  customerGets: { value: DiscountValue; items: DiscountItems; appliesOnOneTimePurchase: boolean; appliesOnSubscription: boolean } | null;
  customerBuys: { value: { type: "quantity"; quantity: number } | { type: "amount"; amount: number }; items: DiscountItems } | null;
  usesPerOrderLimit: number | null;
  maximumShippingPrice: number | null;
  destination: { type: "all" } | { type: "countries"; countries: string[]; includeRestOfWorld: boolean };
  recurringCycleLimit: number | null;
  /** Customer ids (or "email:<address>" for guests) that have used the discount, with counts. */
  usageByCustomer: Map<string, number>;
  totalSales: number;
  createdAt: number;
  updatedAt: number;
}

export interface TaxLineRecord {
  title: string;
  rate: number;
  amount: number;
}

export interface DiscountApplicationRecord {
  kind: "discount_code" | "manual" | "automatic";
  code: string | null;
  discountId: number | null;
  title: string;
  description: string | null;
  valueType: "percentage" | "fixed_amount";
  /** Percentage as 0..100 or amount in minor units. */
  value: number;
  allocationMethod: "across" | "each" | "one";
  targetSelection: "all" | "entitled" | "explicit";
  targetType: "line_item" | "shipping_line";
}

export interface AllocationRecord {
  applicationIndex: number;
  amount: number;
}

export interface LineItemRecord {
  id: number;
  productId: number | null;
  variantId: number | null;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  vendor: string | null;
  price: number;
  quantity: number;
  taxable: boolean;
  requiresShipping: boolean;
  grams: number;
  giftCard: boolean;
  properties: { name: string; value: string }[];
  discountAllocations: AllocationRecord[];
  taxLines: TaxLineRecord[];
}

export interface ShippingLineRecord {
  id: number;
  title: string;
  code: string;
  price: number;
  discountAllocations: AllocationRecord[];
  taxLines: TaxLineRecord[];
}

export interface TransactionRecord {
  id: number;
  kind: "sale" | "capture" | "authorization" | "refund" | "void";
  status: "success" | "pending" | "failure";
  amount: number;
  gateway: string;
  parentId: number | null;
  createdAt: number;
}

export interface RefundLineRecord {
  id: number;
  lineItemId: number;
  quantity: number;
  restockType: "no_restock" | "cancel" | "return" | "legacy_restock";
  subtotal: number;
  totalTax: number;
}

export interface RefundRecord {
  id: number;
  orderId: number;
  note: string | null;
  lines: RefundLineRecord[];
  shipping: number;
  transactions: TransactionRecord[];
  createdAt: number;
}

export type FinancialStatus = "pending" | "authorized" | "paid" | "partially_paid" | "partially_refunded" | "refunded" | "voided";

export interface OrderRecord {
  id: number;
  number: number;
  name: string;
  token: string;
  customerId: number | null;
  email: string | null;
  phone: string | null;
  currency: string;
  taxesIncluded: boolean;
  lineItems: LineItemRecord[];
  shippingLines: ShippingLineRecord[];
  discountApplications: DiscountApplicationRecord[];
  discountCodes: { code: string; amount: number; type: "percentage" | "fixed_amount" | "shipping" }[];
  noteAttributes: { name: string; value: string }[];
  note: string | null;
  tags: string[];
  sourceName: string;
  financialStatus: FinancialStatus;
  transactions: TransactionRecord[];
  refunds: RefundRecord[];
  cancelledAt: number | null;
  cancelReason: "customer" | "fraud" | "inventory" | "declined" | "staff" | "other" | null;
  closedAt: number | null;
  billingAddress: AddressRecord | null;
  shippingAddress: AddressRecord | null;
  test: boolean;
  createdAt: number;
  processedAt: number;
  updatedAt: number;
}

export type MetafieldOwnerType = "CUSTOMER" | "SHOP" | "PRODUCT" | "PRODUCTVARIANT" | "ORDER" | "COLLECTION" | "DISCOUNT";

export interface MetafieldRecord {
  id: number;
  ownerGid: string;
  ownerType: MetafieldOwnerType;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: number;
  updatedAt: number;
}

export interface StoreCreditTransactionRecord {
  id: number;
  amount: number;
  balanceAfter: number;
  expiresAt: number | null;
  createdAt: number;
}

export interface StoreCreditAccountRecord {
  id: number;
  customerId: number;
  currency: string;
  balance: number;
  transactions: StoreCreditTransactionRecord[];
}

export interface FlowTriggerRecord {
  handle: string | null;
  payload: unknown;
  body: string | null;
  receivedAt: number;
  /** how many of the shop's enabled workflows it started (0: accepted, but no workflow uses the trigger) */
  workflowsStarted: number;
}

export interface AccessTokenRecord {
  token: string;
  scope: string;
  /** Absent for non-expiring offline tokens. */
  expiresAt?: number;
  online: boolean;
  userId?: number;
}
