import { gid } from "../../core/ids.ts";
import { currencyDigits } from "../../core/money.ts";
import { orderTotals } from "../../commerce/order-math.ts";
import { compileSearch } from "../search-query.ts";
import { paginate, type PageArgs } from "../connection.ts";
import type { AdminContext } from "../context.ts";
import type { AddressRecord, CustomerRecord } from "../../state/types.ts";
import { count, metafieldFields, money } from "./common.ts";
import { orderView, orderSearch } from "./order.ts";
import { storeCreditAccountView } from "./store-credit.ts";

export function mailingAddressView(address: AddressRecord) {
  const name = [address.firstName, address.lastName].filter(Boolean).join(" ") || null;
  return {
    __typename: "MailingAddress",
    id: `gid://shopify/MailingAddress/${address.id}?model_name=CustomerAddress`,
    address1: address.address1,
    address2: address.address2,
    city: address.city,
    company: address.company,
    country: address.country,
    countryCodeV2: address.countryCode,
    firstName: address.firstName,
    lastName: address.lastName,
    name,
    phone: address.phone,
    province: address.province,
    provinceCode: address.provinceCode,
    zip: address.zip,
    coordinatesValidated: false,
    latitude: null,
    longitude: null,
    formattedArea: [address.city, address.province, address.country].filter(Boolean).join(", ") || null,
    formatted: (args: { withName?: boolean; withCompany?: boolean }) =>
      [
        args.withName ? name : null,
        args.withCompany !== false ? address.company : null,
        address.address1,
        address.address2,
        [address.zip, address.city].filter(Boolean).join(" "),
        address.country,
      ].filter((l): l is string => Boolean(l)),
  };
}

/** Paid money from non-cancelled orders, net of refunds (Shopify's amountSpent). */
export function customerStats(ctx: AdminContext, customer: CustomerRecord) {
  const orders = ctx.shop.ordersOf(customer.id);
  const spent = orders.reduce((sum, o) => {
    const t = orderTotals(o);
    return sum + t.received - t.refunded;
  }, 0);
  return { orders, numberOfOrders: orders.length, amountSpent: spent };
}

export function customerView(ctx: AdminContext, customer: CustomerRecord): Record<string, unknown> {
  const id = gid("Customer", customer.id);
  const currency = ctx.shop.currency;
  const stats = () => customerStats(ctx, customer);
  const defaultAddress = customer.addresses.find((a) => a.id === customer.defaultAddressId) ?? null;
  const self = (): Record<string, unknown> => customerView(ctx, customer);
  const emailConsent = customer.email
    ? {
        marketingState: customer.emailMarketing.state,
        marketingOptInLevel: customer.emailMarketing.optInLevel,
        consentUpdatedAt: customer.emailMarketing.updatedAt,
        sourceLocation: null,
      }
    : null;
  return {
    __typename: "Customer",
    id,
    legacyResourceId: String(customer.id),
    firstName: customer.firstName,
    lastName: customer.lastName,
    displayName: [customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.email || customer.phone || "",
    email: customer.email,
    phone: customer.phone,
    note: customer.note,
    tags: customer.tags,
    state: customer.state,
    locale: customer.locale,
    verifiedEmail: customer.verifiedEmail,
    validEmailAddress: Boolean(customer.email),
    taxExempt: customer.taxExempt,
    taxExemptions: [],
    dataSaleOptOut: false,
    multipassIdentifier: null,
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
    numberOfOrders: () => String(stats().numberOfOrders),
    amountSpent: () => money(stats().amountSpent, currency),
    canDelete: () => stats().numberOfOrders === 0,
    lifetimeDuration: () => lifetime(ctx.core.clock.now() - customer.createdAt),
    emailMarketingConsent: emailConsent,
    smsMarketingConsent: null,
    defaultEmailAddress: customer.email
      ? {
          emailAddress: customer.email,
          marketingState: customer.emailMarketing.state === "REDACTED" ? "UNSUBSCRIBED" : customer.emailMarketing.state,
          marketingOptInLevel: customer.emailMarketing.optInLevel,
          marketingUpdatedAt: customer.emailMarketing.updatedAt,
          validFormat: true,
          sourceLocation: null,
          marketingUnsubscribeUrl: `https://${ctx.shop.domain}/unsubscribe?c=${customer.id}`,
          openTrackingLevel: "UNKNOWN",
          openTrackingUrl: `https://${ctx.shop.domain}/email/open?c=${customer.id}`,
        }
      : null,
    defaultPhoneNumber: customer.phone
      ? { phoneNumber: customer.phone, marketingState: "NOT_SUBSCRIBED", marketingOptInLevel: null, marketingUpdatedAt: null, marketingCollectedFrom: null, sourceLocation: null }
      : null,
    defaultAddress: defaultAddress ? mailingAddressView(defaultAddress) : null,
    addresses: (args: { first?: number | null }) => customer.addresses.slice(0, args.first ?? undefined).map(mailingAddressView),
    addressesV2: (args: PageArgs) => paginate(customer.addresses, args, mailingAddressView),
    orders: (args: PageArgs & { query?: string | null; sortKey?: string | null }) =>
      paginate(
        stats().orders.filter(compileSearch(args.query, orderSearch)),
        args,
        (o) => orderView(ctx, o),
        (o) => (args.sortKey === "CREATED_AT" || args.sortKey === "PROCESSED_AT" ? o.processedAt : o.id),
      ),
    lastOrder: () => {
      const orders = stats().orders;
      const last = orders.sort((a, b) => b.processedAt - a.processedAt)[0];
      return last ? orderView(ctx, last) : null;
    },
    storeCreditAccounts: (args: PageArgs) =>
      paginate(
        [...ctx.shop.storeCreditAccounts.values()].filter((a) => a.customerId === customer.id),
        args,
        (a) => storeCreditAccountView(ctx, a),
      ),
    ordersCount: () => count(stats().numberOfOrders),
    ...metafieldFields(ctx, id, self),
  };
}

function lifetime(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  if (days < 1) return "less than a day";
  if (days < 30) return `${days} ${days === 1 ? "day" : "days"}`;
  const months = Math.floor(days / 30);
  if (months < 12) return `about ${months} ${months === 1 ? "month" : "months"}`;
  const years = Math.floor(days / 365);
  return `about ${years} ${years === 1 ? "year" : "years"}`;
}

export function customerSearch(ctx: AdminContext) {
  return {
    dateFields: ["created_at", "updated_at"],
    text: (c: CustomerRecord) => [c.firstName, c.lastName, c.email, c.phone, ...c.tags].filter(Boolean).join(" "),
    field(c: CustomerRecord, name: string) {
      switch (name) {
        case "id":
          return c.id;
        case "email":
          return c.email;
        case "phone":
          return c.phone;
        case "first_name":
          return c.firstName;
        case "last_name":
          return c.lastName;
        case "tag":
        case "tags":
          return c.tags;
        case "tag_not":
          return c.tags;
        case "state":
        case "customer_state":
          return c.state.toLowerCase();
        case "accepts_marketing":
          return String(c.emailMarketing.state === "SUBSCRIBED");
        case "email_marketing_state":
          return c.emailMarketing.state.toLowerCase();
        case "created_at":
          return new Date(c.createdAt).toISOString();
        case "updated_at":
          return new Date(c.updatedAt).toISOString();
        case "orders_count":
        case "number_of_orders":
          return customerStats(ctx, c).numberOfOrders;
        case "total_spent":
        case "amount_spent":
          return customerStats(ctx, c).amountSpent / 10 ** currencyDigits(ctx.shop.currency);
        case "country":
          return c.addresses.find((a) => a.id === c.defaultAddressId)?.country ?? null;
        default:
          return undefined;
      }
    },
  };
}
