// What the theme app extension reads without asking the app: the merchant's storefront texts and
// the purchase earning rate (app-data metafields on the app's installation), and each member's
// points (app-owned customer metafields). Liquid renders them on first paint, with no request.
import { brandingMetafield } from "./branding";
import type { Program } from "./program";

export const APP_DATA_NAMESPACE = "stammkunde";
export const CUSTOMER_NAMESPACE = "$app:loyalty";

export interface MetafieldValue {
  key: string;
  type: "json" | "number_integer";
  value: string;
}

const numericId = (gid: string) => Number(gid.slice(gid.lastIndexOf("/") + 1));

/** The app-data metafields for a program: `stammkunde.texts`, `stammkunde.earn`,
 *  `stammkunde.referrals` and `stammkunde.branding`. Every key is always present, so Liquid never meets a missing one. */
export function storefrontMetafields(program: Program): MetafieldValue[] {
  const texts = Object.fromEntries(
    (["en", "de"] as const).map((lang) => {
      const t = program.storefront.texts[lang];
      return [lang, { launcher_label: t.launcherLabel.trim(), panel_title: t.panelTitle.trim(), guest_intro: t.guestIntro.trim() }];
    }),
  );
  const p = program.purchase;
  const earn = {
    enabled: program.enabled && p.enabled && p.pointsPerUnit > 0,
    points_per_unit: p.pointsPerUnit,
    rounding: p.rounding,
    excluded_products: p.excludedProductIds.map(numericId),
    excluded_collections: p.excludedCollectionIds.map(numericId),
  };
  const r = program.referrals;
  const referrals = { enabled: program.enabled && r.enabled, share_message: { en: r.texts.en.shareMessage, de: r.texts.de.shareMessage } };
  return [
    { key: "texts", type: "json", value: JSON.stringify(texts) },
    { key: "earn", type: "json", value: JSON.stringify(earn) },
    { key: "referrals", type: "json", value: JSON.stringify(referrals) },
    { key: "branding", type: "json", value: JSON.stringify(brandingMetafield(program.storefront.branding)) },
  ];
}

/** Points a product earns at the base rate, as the earn-points block computes it in Liquid:
 *  price in minor units × rate / 100, rounded the program's way. */
export function productPoints(priceMinor: number, pointsPerUnit: number, rounding: Program["purchase"]["rounding"]): number {
  const add = rounding === "up" ? 99 : rounding === "nearest" ? 50 : 0;
  return Math.floor((priceMinor * pointsPerUnit + add) / 100);
}

export interface MemberStatus {
  points: number;
  pending: number;
  lifetime: number;
  /** the member's referral code (the link is the shop's URL + /apps/loyalty/r/CODE), once made */
  referralCode?: string | null;
  /** the member's VIP tier id, when tiers are on and the member holds one */
  tier?: string | null;
}

/** The app-owned metafields on a member's customer: `points` (for themes, Flow and email tools)
 *  and `status` (everything the storefront blocks show). */
export function memberMetafields(m: MemberStatus): MetafieldValue[] {
  return [
    { key: "points", type: "number_integer", value: String(m.points) },
    { key: "status", type: "json", value: JSON.stringify({ points: m.points, pending: m.pending, lifetime: m.lifetime, referral_code: m.referralCode ?? null, tier: m.tier ?? null }) },
  ];
}
