import type { StoreCore } from "../core/context.ts";
import type { ShopState } from "../state/shop.ts";
import type { AddressRecord, CustomerRecord, EmailMarketingState } from "../state/types.ts";
import { customerDeletePayload, customerPayload } from "../webhooks/payloads.ts";
import { idFrom } from "./ids-input.ts";

export interface AddressInput {
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  provinceCode?: string | null;
  country?: string | null;
  countryCode?: string | null;
  zip?: string | null;
  phone?: string | null;
}

export interface CustomerInput {
  shop?: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  tags?: string[];
  note?: string | null;
  locale?: string;
  state?: CustomerRecord["state"];
  emailMarketing?: EmailMarketingState;
  taxExempt?: boolean;
  address?: AddressInput;
  /** Backdate creation (tests of "member since"). */
  createdAt?: Date | number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseTags(tags: string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of tags.flatMap((t) => t.split(","))) {
    const tag = raw.trim();
    if (tag && !seen.has(tag.toLowerCase())) seen.set(tag.toLowerCase(), tag);
  }
  return [...seen.values()].sort((a, b) => a.localeCompare(b));
}

export function makeAddress(core: StoreCore, input: AddressInput): AddressRecord {
  return {
    id: core.ids.take(),
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    company: input.company ?? null,
    address1: input.address1 ?? null,
    address2: input.address2 ?? null,
    city: input.city ?? null,
    province: input.province ?? null,
    provinceCode: input.provinceCode ?? null,
    country: input.country ?? null,
    countryCode: input.countryCode ?? null,
    zip: input.zip ?? null,
    phone: input.phone ?? null,
  };
}

/** Shopify refuses a second customer with the same email in one shop. */
export function assertEmailFree(shop: ShopState, email: string | null | undefined, exceptId?: number): void {
  if (!email) return;
  if (!EMAIL.test(email)) throw new Error(`invalid email ${email}`);
  const taken = [...shop.customers.values()].some((c) => c.id !== exceptId && c.email?.toLowerCase() === email.toLowerCase());
  if (taken) throw new Error(`Email has already been taken: ${email}`);
}

export function createCustomer(core: StoreCore, input: CustomerInput): CustomerRecord {
  const shop = core.shops.get(input.shop);
  if (!input.email && !input.phone && !input.firstName && !input.lastName) {
    throw new Error("a customer needs an email, phone or name");
  }
  assertEmailFree(shop, input.email);
  const now = core.clock.now();
  const created = input.createdAt === undefined ? now : new Date(input.createdAt).getTime();
  const address = input.address ? makeAddress(core, { firstName: input.firstName, lastName: input.lastName, ...input.address }) : null;
  const customer: CustomerRecord = {
    id: core.ids.take(),
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    email: input.email ?? null,
    phone: input.phone ?? null,
    tags: normaliseTags(input.tags ?? []),
    state: input.state ?? "DISABLED",
    note: input.note ?? null,
    locale: input.locale ?? "de",
    verifiedEmail: Boolean(input.email),
    taxExempt: input.taxExempt ?? false,
    emailMarketing: {
      state: input.emailMarketing ?? "NOT_SUBSCRIBED",
      optInLevel: input.emailMarketing === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
      updatedAt: input.emailMarketing ? created : null,
    },
    addresses: address ? [address] : [],
    defaultAddressId: address?.id ?? null,
    createdAt: created,
    updatedAt: created,
  };
  shop.customers.set(customer.id, customer);
  core.emit(shop, "customers/create", customerPayload(shop, customer));
  return customer;
}

export type CustomerPatch = Omit<CustomerInput, "shop" | "createdAt">;

/** Applies a patch and emits customers/update (also used by the Admin API's customerUpdate). */
export function updateCustomer(core: StoreCore, shop: ShopState, id: number | string, patch: CustomerPatch): CustomerRecord {
  const customer = shop.customers.get(idFrom(id, "Customer"));
  if (!customer) throw new Error(`unknown customer ${id} in ${shop.domain}`);
  if (patch.email !== undefined) assertEmailFree(shop, patch.email, customer.id);
  if (patch.firstName !== undefined) customer.firstName = patch.firstName;
  if (patch.lastName !== undefined) customer.lastName = patch.lastName;
  if (patch.email !== undefined) customer.email = patch.email;
  if (patch.phone !== undefined) customer.phone = patch.phone;
  if (patch.tags !== undefined) customer.tags = normaliseTags(patch.tags);
  if (patch.note !== undefined) customer.note = patch.note;
  if (patch.locale !== undefined) customer.locale = patch.locale;
  if (patch.state !== undefined) customer.state = patch.state;
  if (patch.taxExempt !== undefined) customer.taxExempt = patch.taxExempt;
  if (patch.emailMarketing !== undefined) {
    customer.emailMarketing = {
      state: patch.emailMarketing,
      optInLevel: patch.emailMarketing === "SUBSCRIBED" ? "SINGLE_OPT_IN" : customer.emailMarketing.optInLevel,
      updatedAt: core.clock.now(),
    };
  }
  if (patch.address) {
    const address = makeAddress(core, patch.address);
    customer.addresses.push(address);
    customer.defaultAddressId = address.id;
  }
  customer.updatedAt = core.clock.now();
  core.emit(shop, "customers/update", customerPayload(shop, customer));
  return customer;
}

export function deleteCustomer(core: StoreCore, shop: ShopState, id: number | string): CustomerRecord {
  const customer = shop.customers.get(idFrom(id, "Customer"));
  if (!customer) throw new Error(`unknown customer ${id} in ${shop.domain}`);
  if (shop.ordersOf(customer.id).length) {
    throw new Error("Customer can’t be deleted because they have orders (Shopify keeps them; use a redact request)");
  }
  shop.customers.delete(customer.id);
  shop.metafields.delete(`gid://shopify/Customer/${customer.id}`);
  core.emit(shop, "customers/delete", customerDeletePayload(customer));
  return customer;
}
