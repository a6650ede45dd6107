/**
 * REST-shaped webhook bodies (API 2026-01): numeric ids plus admin_graphql_api_id, money as
 * fixed-decimal strings with *_set { shop_money, presentment_money }, times with the shop's offset.
 */
import { isoInZone } from "../core/clock.ts";
import { gid } from "../core/ids.ts";
import { toDecimalString, toFixedString } from "../core/money.ts";
import { orderTotals, refundedQuantity } from "../commerce/order-math.ts";
import type { ShopState } from "../state/shop.ts";
import type {
  AddressRecord,
  AllocationRecord,
  CustomerRecord,
  LineItemRecord,
  OrderRecord,
  RefundRecord,
  TaxLineRecord,
  TransactionRecord,
} from "../state/types.ts";

type Json = Record<string, unknown>;

export function moneySet(minor: number, currency: string): Json {
  const amount = toFixedString(minor, currency);
  return {
    shop_money: { amount, currency_code: currency },
    presentment_money: { amount, currency_code: currency },
  };
}

function time(shop: ShopState, epochMs: number | null): string | null {
  return epochMs === null ? null : isoInZone(epochMs, shop.timezone);
}

function countryName(code: string | null): string | null {
  if (!code) return null;
  try {
    return new Intl.DisplayNames(["en"], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function addressPayload(address: AddressRecord, customerId?: number, isDefault?: boolean): Json {
  const name = [address.firstName, address.lastName].filter(Boolean).join(" ");
  return {
    ...(address.id && customerId !== undefined ? { id: address.id, customer_id: customerId } : {}),
    first_name: address.firstName,
    last_name: address.lastName,
    company: address.company,
    address1: address.address1,
    address2: address.address2,
    city: address.city,
    province: address.province,
    country: address.country ?? countryName(address.countryCode),
    zip: address.zip,
    phone: address.phone,
    name,
    province_code: address.provinceCode,
    country_code: address.countryCode,
    country_name: countryName(address.countryCode),
    ...(isDefault !== undefined ? { default: isDefault } : {}),
  };
}

function marketingConsent(customer: CustomerRecord, shop: ShopState): Json | null {
  if (!customer.email) return null;
  return {
    state: customer.emailMarketing.state.toLowerCase(),
    opt_in_level: customer.emailMarketing.optInLevel?.toLowerCase() ?? null,
    consent_updated_at: time(shop, customer.emailMarketing.updatedAt),
  };
}

/** customers/create, customers/update (and the customer embedded in orders). */
export function customerPayload(shop: ShopState, customer: CustomerRecord): Json {
  const defaultAddress = customer.addresses.find((a) => a.id === customer.defaultAddressId) ?? null;
  return {
    id: customer.id,
    created_at: time(shop, customer.createdAt),
    updated_at: time(shop, customer.updatedAt),
    first_name: customer.firstName,
    last_name: customer.lastName,
    state: customer.state.toLowerCase(),
    note: customer.note,
    verified_email: customer.verifiedEmail,
    multipass_identifier: null,
    tax_exempt: customer.taxExempt,
    email: customer.email,
    phone: customer.phone,
    currency: shop.currency,
    addresses: customer.addresses.map((a) => addressPayload(a, customer.id, a.id === customer.defaultAddressId)),
    tax_exemptions: [],
    email_marketing_consent: marketingConsent(customer, shop),
    sms_marketing_consent: null,
    tags: customer.tags.join(", "),
    admin_graphql_api_id: gid("Customer", customer.id),
    default_address: defaultAddress ? addressPayload(defaultAddress, customer.id, true) : null,
  };
}

/** customers/delete carries little more than the id. */
export function customerDeletePayload(customer: CustomerRecord): Json {
  return {
    id: customer.id,
    phone: null,
    addresses: [],
    tax_exemptions: [],
    email_marketing_consent: null,
    sms_marketing_consent: null,
    admin_graphql_api_id: gid("Customer", customer.id),
  };
}

function taxLinesPayload(lines: TaxLineRecord[], currency: string): Json[] {
  return lines.map((t) => ({
    channel_liable: false,
    price: toFixedString(t.amount, currency),
    price_set: moneySet(t.amount, currency),
    rate: t.rate,
    title: t.title,
  }));
}

function allocationsPayload(allocations: AllocationRecord[], currency: string): Json[] {
  return allocations.map((a) => ({
    amount: toFixedString(a.amount, currency),
    amount_set: moneySet(a.amount, currency),
    discount_application_index: a.applicationIndex,
  }));
}

export function lineItemPayload(order: OrderRecord, line: LineItemRecord): Json {
  const c = order.currency;
  const current = line.quantity - refundedQuantity(order, line.id);
  return {
    id: line.id,
    admin_graphql_api_id: gid("LineItem", line.id),
    attributed_staffs: [],
    current_quantity: order.cancelledAt !== null ? 0 : current,
    fulfillable_quantity: order.cancelledAt !== null ? 0 : current,
    fulfillment_service: "manual",
    fulfillment_status: null,
    gift_card: line.giftCard,
    grams: line.grams,
    name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
    price: toFixedString(line.price, c),
    price_set: moneySet(line.price, c),
    product_exists: line.productId !== null,
    product_id: line.productId,
    properties: line.properties,
    quantity: line.quantity,
    requires_shipping: line.requiresShipping,
    sales_line_item_group_id: null,
    sku: line.sku,
    taxable: line.taxable,
    title: line.title,
    // Legacy line-level discount field; code discounts show up in discount_allocations.
    total_discount: toFixedString(0, c),
    total_discount_set: moneySet(0, c),
    variant_id: line.variantId,
    variant_inventory_management: line.variantId !== null ? "shopify" : null,
    variant_title: line.variantTitle,
    vendor: line.vendor,
    tax_lines: taxLinesPayload(line.taxLines, c),
    duties: [],
    discount_allocations: allocationsPayload(line.discountAllocations, c),
  };
}

function transactionPayload(shop: ShopState, order: OrderRecord, tx: TransactionRecord): Json {
  return {
    id: tx.id,
    admin_graphql_api_id: gid("OrderTransaction", tx.id),
    amount: toFixedString(tx.amount, order.currency),
    authorization: null,
    created_at: time(shop, tx.createdAt),
    currency: order.currency,
    device_id: null,
    error_code: null,
    gateway: tx.gateway,
    kind: tx.kind,
    location_id: null,
    message: null,
    order_id: order.id,
    parent_id: tx.parentId,
    payment_id: `${order.token.slice(0, 8)}.${tx.id % 1000}`,
    processed_at: time(shop, tx.createdAt),
    receipt: {},
    source_name: "web",
    status: tx.status,
    test: order.test,
    user_id: null,
    manual_payment_gateway: tx.gateway === "manual",
  };
}

/** refunds/create, and each entry of an order's `refunds`. */
export function refundPayload(shop: ShopState, order: OrderRecord, refund: RefundRecord): Json {
  const c = order.currency;
  return {
    id: refund.id,
    admin_graphql_api_id: gid("Refund", refund.id),
    created_at: time(shop, refund.createdAt),
    note: refund.note,
    order_id: order.id,
    processed_at: time(shop, refund.createdAt),
    restock: refund.lines.some((l) => l.restockType !== "no_restock"),
    total_duties_set: moneySet(0, c),
    user_id: null,
    order_adjustments:
      refund.shipping > 0
        ? [
            {
              id: refund.id + 1,
              amount: toFixedString(-refund.shipping, c),
              amount_set: moneySet(-refund.shipping, c),
              kind: "shipping_refund",
              order_id: order.id,
              reason: "Shipping refund",
              refund_id: refund.id,
              tax_amount: toFixedString(0, c),
              tax_amount_set: moneySet(0, c),
            },
          ]
        : [],
    transactions: refund.transactions.map((tx) => transactionPayload(shop, order, tx)),
    refund_line_items: refund.lines.map((rl) => {
      const line = order.lineItems.find((l) => l.id === rl.lineItemId)!;
      return {
        id: rl.id,
        line_item_id: rl.lineItemId,
        location_id: null,
        quantity: rl.quantity,
        restock_type: rl.restockType,
        subtotal: Number(toFixedString(rl.subtotal, c)),
        subtotal_set: moneySet(rl.subtotal, c),
        total_tax: Number(toFixedString(rl.totalTax, c)),
        total_tax_set: moneySet(rl.totalTax, c),
        line_item: lineItemPayload(order, line),
      };
    }),
    duties: [],
    refund_shipping_lines: [],
    return: null,
  };
}

function aggregateTaxLines(order: OrderRecord): TaxLineRecord[] {
  const byKey = new Map<string, TaxLineRecord>();
  for (const t of [...order.lineItems.flatMap((l) => l.taxLines), ...order.shippingLines.flatMap((s) => s.taxLines)]) {
    const key = `${t.title}|${t.rate}`;
    const hit = byKey.get(key);
    if (hit) hit.amount += t.amount;
    else byKey.set(key, { ...t });
  }
  return [...byKey.values()];
}

/** orders/create, orders/paid, orders/updated, orders/cancelled. */
export function orderPayload(shop: ShopState, order: OrderRecord, customer: CustomerRecord | null): Json {
  const c = order.currency;
  const t = orderTotals(order);
  const fixed = (minor: number) => toFixedString(minor, c);
  return {
    id: order.id,
    admin_graphql_api_id: gid("Order", order.id),
    app_id: 580111,
    browser_ip: null,
    buyer_accepts_marketing: customer?.emailMarketing.state === "SUBSCRIBED",
    cancel_reason: order.cancelReason,
    cancelled_at: time(shop, order.cancelledAt),
    cart_token: null,
    checkout_id: order.id + 3,
    checkout_token: order.token.split("").reverse().join(""),
    client_details: null,
    closed_at: time(shop, order.closedAt),
    company: null,
    confirmation_number: order.token.slice(0, 9).toUpperCase(),
    confirmed: true,
    contact_email: order.email,
    created_at: time(shop, order.createdAt),
    currency: c,
    current_shipping_price_set: moneySet(t.currentShipping, c),
    current_subtotal_price: fixed(t.currentSubtotal),
    current_subtotal_price_set: moneySet(t.currentSubtotal, c),
    current_total_additional_fees_set: null,
    current_total_discounts: fixed(t.currentTotalDiscounts),
    current_total_discounts_set: moneySet(t.currentTotalDiscounts, c),
    current_total_duties_set: null,
    current_total_price: fixed(t.currentTotal),
    current_total_price_set: moneySet(t.currentTotal, c),
    current_total_tax: fixed(t.currentTax),
    current_total_tax_set: moneySet(t.currentTax, c),
    customer_locale: customer?.locale ?? "de",
    device_id: null,
    discount_codes: order.discountCodes.map((d) => ({ code: d.code, amount: fixed(d.amount), type: d.type })),
    duties_included: false,
    email: order.email ?? "",
    estimated_taxes: false,
    financial_status: order.financialStatus,
    fulfillment_status: null,
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    merchant_business_entity_id: Buffer.from(String(shop.id)).toString("base64"),
    merchant_of_record_app_id: null,
    name: order.name,
    note: order.note,
    note_attributes: order.noteAttributes,
    number: order.number - 1000,
    order_number: order.number,
    order_status_url: `https://${shop.domain}/${shop.id}/orders/${order.token}/authenticate?key=${order.token.slice(0, 16)}`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: [...new Set(order.transactions.map((tx) => tx.gateway))],
    phone: order.phone,
    po_number: null,
    presentment_currency: c,
    processed_at: time(shop, order.processedAt),
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: order.sourceName,
    source_url: null,
    subtotal_price: fixed(t.subtotal),
    subtotal_price_set: moneySet(t.subtotal, c),
    tags: order.tags.join(", "),
    tax_exempt: customer?.taxExempt ?? false,
    tax_lines: taxLinesPayload(aggregateTaxLines(order), c),
    taxes_included: order.taxesIncluded,
    test: order.test,
    token: order.token,
    total_cash_rounding_payment_adjustment_set: moneySet(0, c),
    total_cash_rounding_refund_adjustment_set: moneySet(0, c),
    total_discounts: fixed(t.totalDiscounts),
    total_discounts_set: moneySet(t.totalDiscounts, c),
    total_line_items_price: fixed(t.lineItemsTotal),
    total_line_items_price_set: moneySet(t.lineItemsTotal, c),
    total_outstanding: fixed(t.outstanding),
    total_price: fixed(t.total),
    total_price_set: moneySet(t.total, c),
    total_shipping_price_set: moneySet(t.shipping, c),
    total_tax: fixed(t.totalTax),
    total_tax_set: moneySet(t.totalTax, c),
    total_tip_received: fixed(0),
    total_weight: t.weight,
    updated_at: time(shop, order.updatedAt),
    user_id: null,
    billing_address: order.billingAddress ? addressPayload(order.billingAddress) : null,
    customer: customer ? embeddedCustomer(shop, customer) : null,
    discount_applications: order.discountApplications.map((a) => ({
      target_type: a.targetType,
      type: a.kind,
      value: a.valueType === "percentage" ? trimPercent(a.value) : toDecimalString(a.value, c),
      value_type: a.valueType,
      allocation_method: a.allocationMethod,
      target_selection: a.targetSelection,
      ...(a.kind === "discount_code" ? { code: a.code } : { title: a.title, description: a.description }),
    })),
    fulfillments: [],
    line_items: order.lineItems.map((l) => lineItemPayload(order, l)),
    payment_terms: null,
    refunds: order.refunds.map((r) => refundPayload(shop, order, r)),
    shipping_address: order.shippingAddress ? addressPayload(order.shippingAddress) : null,
    shipping_lines: order.shippingLines.map((s) => {
      const discounted = s.price - s.discountAllocations.reduce((a, b) => a + b.amount, 0);
      return {
        id: s.id,
        carrier_identifier: null,
        code: s.code,
        current_discounted_price_set: moneySet(discounted, c),
        discounted_price: fixed(discounted),
        discounted_price_set: moneySet(discounted, c),
        is_removed: false,
        phone: null,
        price: fixed(s.price),
        price_set: moneySet(s.price, c),
        requested_fulfillment_service_id: null,
        source: "shopify",
        title: s.title,
        tax_lines: taxLinesPayload(s.taxLines, c),
        discount_allocations: allocationsPayload(s.discountAllocations, c),
      };
    }),
    returns: [],
  };
}

function embeddedCustomer(shop: ShopState, customer: CustomerRecord): Json {
  const { addresses: _addresses, ...rest } = customerPayload(shop, customer);
  return rest;
}

function trimPercent(value: number): string {
  const text = String(Math.round(value * 10000) / 10000);
  return text.includes(".") ? text : `${text}.0`;
}

/** app/uninstalled: the REST Shop resource. */
export function shopPayload(shop: ShopState): Json {
  return {
    id: shop.id,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    province: null,
    country: shop.countryCode,
    address1: null,
    zip: null,
    city: null,
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: "de",
    address2: null,
    created_at: time(shop, shop.createdAt),
    updated_at: time(shop, shop.updatedAt),
    country_code: shop.countryCode,
    country_name: countryName(shop.countryCode),
    currency: shop.currency,
    customer_email: shop.email,
    timezone: `(GMT${isoInZone(shop.clock.now(), shop.timezone).slice(-6)}) ${shop.timezone}`,
    iana_timezone: shop.timezone,
    shop_owner: shop.name,
    money_format: "{{amount_with_comma_separator}} €",
    money_with_currency_format: `{{amount_with_comma_separator}} ${shop.currency}`,
    weight_unit: "kg",
    province_code: null,
    taxes_included: shop.taxesIncluded,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: shop.planDisplayName,
    plan_name: shop.plan,
    has_discounts: shop.discounts.size > 0,
    has_gift_cards: false,
    myshopify_domain: shop.domain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: "{{amount_with_comma_separator}} €",
    money_with_currency_in_emails_format: `{{amount_with_comma_separator}} ${shop.currency}`,
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: false,
    has_storefront: true,
    finances: true,
    primary_location_id: shop.id + 11,
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [shop.currency],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}

/** customers/data_request. */
export function dataRequestPayload(shop: ShopState, customer: Pick<CustomerRecord, "id" | "email" | "phone">, ordersRequested: number[], requestId: number): Json {
  return {
    shop_id: shop.id,
    shop_domain: shop.domain,
    orders_requested: ordersRequested,
    customer: { id: customer.id, email: customer.email, phone: customer.phone },
    data_request: { id: requestId },
  };
}

/** customers/redact. */
export function customersRedactPayload(shop: ShopState, customer: Pick<CustomerRecord, "id" | "email" | "phone">, ordersToRedact: number[]): Json {
  return {
    shop_id: shop.id,
    shop_domain: shop.domain,
    customer: { id: customer.id, email: customer.email, phone: customer.phone },
    orders_to_redact: ordersToRedact,
  };
}

/** shop/redact. */
export function shopRedactPayload(shop: ShopState): Json {
  return { shop_id: shop.id, shop_domain: shop.domain };
}
