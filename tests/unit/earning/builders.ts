// Plain-object builders shared by the earning tests.
import { readFileSync } from "node:fs";
import { parseShopifyJson } from "~/lib/json";
import type { CustomerStats } from "~/domain/campaigns";
import type { LineFacts, OrderFacts } from "~/domain/order-facts";
import { defaultProgram, parseProgram, type Campaign, type Program } from "~/domain/program";
import type { EarnContext } from "~/domain/purchase-earn";

/** The documented orders/paid sample, parsed the way the app parses payloads (large ids as strings). */
export function fixtureOrder(): Record<string, unknown> & { line_items: Array<Record<string, unknown>> } {
  const raw = readFileSync(new URL("../../fixtures/webhooks/orders-paid.json", import.meta.url), "utf8");
  return parseShopifyJson(raw) as Record<string, unknown> & { line_items: Array<Record<string, unknown>> };
}

export const shopMoney = (amount: string, currency = "EUR", presentment?: { amount: string; currency: string }) => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: presentment ? { amount: presentment.amount, currency_code: presentment.currency } : { amount, currency_code: currency },
});

/** A valid program: the default with changes applied, then validated. */
export function program(change: (p: Program) => void = () => {}): Program {
  const p = defaultProgram();
  change(p);
  return parseProgram(p);
}

export function campaign(over: Partial<Campaign> = {}): Campaign {
  return {
    id: "double",
    enabled: true,
    name: { en: "Double points", de: "Doppelte Punkte" },
    window: {},
    conditions: {},
    effect: { type: "multiplier", factor: 2 },
    ...over,
  };
}

export function line(lineId: string, netMinor: number, over: Partial<LineFacts> = {}): LineFacts {
  return {
    lineId,
    lineGid: `gid://shopify/LineItem/${lineId}`,
    productGid: `gid://shopify/Product/${lineId}`,
    variantGid: null,
    title: `Item ${lineId}`,
    quantity: 1,
    grossMinor: netMinor,
    discountMinor: 0,
    includedTaxMinor: 0,
    netMinor,
    giftCard: false,
    tip: false,
    ...over,
  };
}

export function order(lines: LineFacts[], over: Partial<OrderFacts> = {}): OrderFacts {
  return {
    orderGid: "gid://shopify/Order/1",
    currency: "EUR",
    taxesIncluded: false,
    lines,
    subtotalMinor: lines.reduce((s, l) => s + l.netMinor, 0),
    shippingMinor: 0,
    tipMinor: 0,
    customerGid: "gid://shopify/Customer/7",
    countryCode: "DE",
    customerTags: [],
    createdAt: null,
    processedAt: null,
    discountCodes: [],
    test: false,
    cancelled: false,
    ...over,
  };
}

export const newCustomer: CustomerStats = { totalSpentMinor: 0, orderCount: 0, tags: [] };

/** Monday 2026-03-30, 12:00 in Berlin. */
export const MONDAY_NOON_BERLIN = new Date("2026-03-30T10:00:00Z");

export function ctx(over: Partial<EarnContext> = {}): EarnContext {
  return { timeZone: "Europe/Berlin", at: MONDAY_NOON_BERLIN, customer: newCustomer, ...over };
}
