import { gid } from "../../core/ids.ts";
import { isoInZone } from "../../core/clock.ts";
import type { AdminContext } from "../context.ts";
import { metafieldFields } from "./common.ts";

export function shopView(ctx: AdminContext): Record<string, unknown> {
  const shop = ctx.shop;
  const offset = isoInZone(ctx.core.clock.now(), shop.timezone).slice(-6);
  const offsetMinutes = (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const self = (): Record<string, unknown> => shopView(ctx);
  return {
    __typename: "Shop",
    id: shop.gid,
    name: shop.name,
    email: shop.email,
    contactEmail: shop.email,
    shopOwnerName: shop.name,
    description: null,
    myshopifyDomain: shop.domain,
    url: `https://${shop.domain}`,
    primaryDomain: { __typename: "Domain", id: `gid://shopify/Domain/${shop.id}`, host: shop.domain, url: `https://${shop.domain}`, sslEnabled: true, localization: null, marketWebPresence: null },
    currencyCode: shop.currency,
    enabledPresentmentCurrencies: [shop.currency],
    ianaTimezone: shop.timezone,
    timezoneOffset: offset.replace(":", ""),
    timezoneOffsetMinutes: offsetMinutes,
    timezoneAbbreviation: new Intl.DateTimeFormat("en-US", { timeZone: shop.timezone, timeZoneName: "short" }).formatToParts(new Date(ctx.core.clock.now())).find((p) => p.type === "timeZoneName")?.value ?? "UTC",
    taxesIncluded: shop.taxesIncluded,
    taxShipping: false,
    weightUnit: "KILOGRAMS",
    unitSystem: "METRIC_SYSTEM",
    setupRequired: false,
    checkoutApiSupported: true,
    transactionalSmsDisabled: false,
    marketingSmsConsentEnabledAtCheckout: false,
    orderNumberFormatPrefix: "#",
    orderNumberFormatSuffix: "",
    createdAt: shop.createdAt,
    updatedAt: shop.updatedAt,
    plan: {
      displayName: shop.planDisplayName,
      publicDisplayName: shop.planDisplayName,
      partnerDevelopment: false,
      shopifyPlus: shop.plan === "plus" || shop.plan === "enterprise",
    },
    shipsToCountries: [shop.countryCode],
    shopAddress: {
      __typename: "ShopAddress",
      id: `gid://shopify/ShopAddress/${shop.id}`,
      countryCodeV2: shop.countryCode,
      country: shop.countryCode,
      address1: null,
      address2: null,
      city: null,
      company: null,
      zip: null,
      province: null,
      provinceCode: null,
      phone: null,
      coordinatesValidated: false,
      latitude: null,
      longitude: null,
      formatted: () => [shop.countryCode],
      formattedArea: shop.countryCode,
    },
    ...metafieldFields(ctx, shop.gid, self),
  };
}

export function appInstallationView(ctx: AdminContext): Record<string, unknown> {
  const id = `gid://shopify/AppInstallation/${ctx.shop.appInstallationId}`;
  return {
    __typename: "AppInstallation",
    id,
    accessScopes: ctx.token.scope
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((handle) => ({ handle, description: handle })),
    activeSubscriptions: [],
    launchUrl: `https://${ctx.shop.domain}/admin/apps/${ctx.apiKey}`,
    uninstallUrl: null,
    app: {
      __typename: "App",
      id: gid("App", ctx.appId),
      title: ctx.appName,
      handle: ctx.appName.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
      apiKey: ctx.apiKey,
      embedded: true,
      installation: null,
    },
    ...metafieldFields(ctx, id, () => appInstallationView(ctx)),
  };
}
