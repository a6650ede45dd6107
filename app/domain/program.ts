// The loyalty program a merchant configures: what earns points, how many, when. Validated with zod
// into field errors keyed by dotted path ("purchase.pointsPerUnit", "campaigns.0.window.startDate")
// so the admin can show each message next to its field (422 with a per-field map).
//
// Every object is strict: a misspelt setting is an error, not silently ignored. Amounts are
// integer minor units of the shop currency; rates are integers; factors are decimals with at most
// 4 places so the engine can compute with them exactly (app/domain/exact.ts).
import { z } from "zod";
import { localizeFieldError } from "~/lib/i18n";
import { fe, fieldErrorMap } from "./errors";
import { hasAtMostDecimals } from "./exact";
import { brandingSchema } from "./branding";
import { defaultReferralSettings, referralSettingsSchema } from "./referrals";

// ---------------------------------------------------------------------------------------------
// Building blocks

const MAX_POINTS = 1_000_000;
const MAX_RATE = 10_000;
const MAX_FACTOR = 100;

const wholeNumber = fe("errors.whole");

const gid = (type: "Product" | "Collection") =>
  z.string().regex(new RegExp(`^gid://shopify/${type}/[1-9]\\d*$`), fe("errors.gid", { type }));

const nonEmptyText = (max: number) =>
  z
    .string()
    .max(max, fe("errors.maxChars", { max }))
    .refine((s) => s.trim().length > 0, fe("errors.empty"));

const points = z.number().int(wholeNumber).positive(fe("errors.gt0")).max(MAX_POINTS, fe("errors.max", { max: MAX_POINTS }));
const minorAmount = z.number().int(fe("errors.wholeMinor")).min(0, fe("errors.negative"));

const factor = z
  .number()
  .finite()
  .gt(0, fe("errors.gt0"))
  .max(MAX_FACTOR, fe("errors.max", { max: MAX_FACTOR }))
  .refine((x) => hasAtMostDecimals(x, 4), fe("errors.decimals", { max: 4 }));

const localizedText = z.object({ title: nonEmptyText(100), description: nonEmptyText(500) }).strict();
const texts = z.object({ en: localizedText, de: localizedText }).strict();

export const LOCALES = ["en", "de"] as const;
export type ProgramLocale = (typeof LOCALES)[number];

// ---------------------------------------------------------------------------------------------
// Purchase

const pendingSchema = z
  .object({
    mode: z.enum(["none", "days", "fulfilment"]),
    days: z.number().int(wholeNumber).min(0, fe("errors.negative")).max(365, fe("errors.max", { max: 365 })),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.mode === "days" && p.days < 1) {
      ctx.addIssue({ code: "custom", path: ["days"], message: fe("errors.pendingDays") });
    }
  });

const purchaseSchema = z
  .object({
    enabled: z.boolean(),
    /** points per 1 unit of shop currency (1 → 1 point per €1) */
    pointsPerUnit: z.number().int(wholeNumber).min(0, fe("errors.negative")).max(MAX_RATE, fe("errors.max", { max: MAX_RATE })),
    rounding: z.enum(["down", "nearest", "up"]),
    /** compared with the eligible subtotal (after discounts and exclusions, without tax) */
    minimumOrderMinor: minorAmount,
    excludedProductIds: z.array(gid("Product")),
    excludedCollectionIds: z.array(gid("Collection")),
    trigger: z.enum(["paid", "fulfilled"]),
    pending: pendingSchema,
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Engagement actions

const actionFields = { enabled: z.boolean(), points, texts };
const simpleAction = z.object(actionFields).strict();

const metafieldRef = z
  .object({
    namespace: z.string().regex(/^[$\w:-]{2,255}$/, fe("errors.metafieldNamespace")),
    key: z.string().regex(/^[\w-]{2,64}$/, fe("errors.metafieldKey")),
  })
  .strict();

const birthdaySchema = z
  .object({ ...actionFields, source: z.enum(["widget", "metafield"]), metafield: metafieldRef.optional() })
  .strict()
  .superRefine((b, ctx) => {
    if (b.source === "metafield" && !b.metafield) {
      ctx.addIssue({ code: "custom", path: ["metafield"], message: fe("errors.birthdayMetafield") });
    }
  });

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

const networkSchema = z
  .object({ enabled: z.boolean(), url: z.string().max(2048, fe("errors.maxChars", { max: 2048 })) })
  .strict()
  .superRefine((n, ctx) => {
    if (n.enabled && !isHttpUrl(n.url)) {
      ctx.addIssue({ code: "custom", path: ["url"], message: fe("errors.socialUrl") });
    }
  });

export const SOCIAL_NETWORKS = ["instagram", "facebook", "tiktok", "x"] as const;
export type SocialNetwork = (typeof SOCIAL_NETWORKS)[number];

const socialSchema = z
  .object({
    ...actionFields,
    networks: z.object({ instagram: networkSchema, facebook: networkSchema, tiktok: networkSchema, x: networkSchema }).strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.enabled && !SOCIAL_NETWORKS.some((n) => s.networks[n].enabled)) {
      ctx.addIssue({ code: "custom", path: ["networks"], message: fe("errors.socialNetworks") });
    }
  });

const customSchema = z
  .object({
    enabled: z.boolean(),
    /** points of one custom event are set by the API call and capped here */
    maxPointsPerEvent: points,
  })
  .strict();

const actionsSchema = z
  .object({
    signup: simpleAction,
    birthday: birthdaySchema,
    newsletter: simpleAction,
    review: simpleAction,
    social: socialSchema,
    custom: customSchema,
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Campaigns

/** A real calendar date "YYYY-MM-DD" (2026-02-30 is not one). */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

const dateSchema = z.string().refine(isIsoDate, fe("errors.date"));
const timeSchema = z.string().regex(TIME_RE, fe("errors.time"));

const windowSchema = z
  .object({
    startDate: dateSchema.optional(),
    /** inclusive */
    endDate: dateSchema.optional(),
    /** ISO weekdays, Monday = 1 … Sunday = 7 */
    weekdays: z
      .array(z.number().int(wholeNumber).min(1, fe("errors.weekday")).max(7, fe("errors.weekday")))
      .min(1, fe("errors.weekdaysEmpty"))
      .optional(),
    /** inclusive; with endTime, a daily time range that may wrap midnight (22:00–02:00) */
    startTime: timeSchema.optional(),
    /** exclusive */
    endTime: timeSchema.optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.startDate && w.endDate && isIsoDate(w.startDate) && isIsoDate(w.endDate) && w.endDate < w.startDate) {
      ctx.addIssue({ code: "custom", path: ["endDate"], message: fe("errors.endBeforeStart") });
    }
    if (w.weekdays && new Set(w.weekdays).size !== w.weekdays.length) {
      ctx.addIssue({ code: "custom", path: ["weekdays"], message: fe("errors.weekdayTwice") });
    }
    if ((w.startTime === undefined) !== (w.endTime === undefined)) {
      const missing = w.startTime === undefined ? "startTime" : "endTime";
      ctx.addIssue({ code: "custom", path: [missing], message: fe("errors.bothTimes") });
    } else if (w.startTime !== undefined && w.startTime === w.endTime) {
      ctx.addIssue({ code: "custom", path: ["endTime"], message: fe("errors.sameTime") });
    }
  });

const countrySchema = z.string().regex(/^[A-Z]{2}$/, fe("errors.country"));

const conditionsSchema = z
  .object({
    /** the customer has at least one of these tags (case-insensitive) */
    customerTagsAny: z.array(nonEmptyText(255)).min(1, fe("errors.tagsEmpty")).optional(),
    /** ISO 3166-1 alpha-2; shipping address, else billing, else the customer's default address */
    countries: z.array(countrySchema).min(1, fe("errors.countriesEmpty")).optional(),
    /** spent before this order, in minor units of the shop currency */
    minTotalSpentMinor: minorAmount.optional(),
    /** bounds on the number of this order in the customer's history: 1 = first order */
    minOrderCount: z.number().int(wholeNumber).min(1, fe("errors.firstOrder")).optional(),
    maxOrderCount: z.number().int(wholeNumber).min(1, fe("errors.firstOrder")).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.minOrderCount !== undefined && c.maxOrderCount !== undefined && c.maxOrderCount < c.minOrderCount) {
      ctx.addIssue({ code: "custom", path: ["maxOrderCount"], message: fe("errors.maxBelowMin") });
    }
  });

const effectSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("multiplier"), factor }).strict(),
  z.object({ type: z.literal("fixed"), points }).strict(),
  z
    .object({
      type: z.literal("productBonus"),
      productIds: z.array(gid("Product")),
      collectionIds: z.array(gid("Collection")),
      /** extra points per 1 unit of currency spent on the matching products */
      pointsPerUnit: z.number().int(wholeNumber).positive(fe("errors.gt0")).max(MAX_RATE, fe("errors.max", { max: MAX_RATE })).optional(),
      /** the matching products' purchase points are multiplied by this */
      multiplier: factor.optional(),
    })
    .strict(),
  z.object({ type: z.literal("bigBasket"), minSubtotalMinor: minorAmount.refine((x) => x > 0, fe("errors.gt0")), points }).strict(),
]);

const campaignSchema = z
  .object({
    id: z
      .string()
      .max(64, fe("errors.maxChars", { max: 64 }))
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, fe("errors.slug", { example: "double-points-monday" })),
    enabled: z.boolean(),
    name: z.object({ en: nonEmptyText(100), de: nonEmptyText(100) }).strict(),
    window: windowSchema,
    conditions: conditionsSchema,
    effect: effectSchema,
    /** total points this campaign may give; enforced in storage, the engine reports contributions */
    budgetPoints: z.number().int(wholeNumber).positive(fe("errors.gt0")).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const e = c.effect;
    if (e.type !== "productBonus") return;
    if (e.productIds.length === 0 && e.collectionIds.length === 0) {
      ctx.addIssue({ code: "custom", path: ["effect", "productIds"], message: fe("errors.productOrCollection") });
    }
    if ((e.pointsPerUnit === undefined) === (e.multiplier === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["effect", e.pointsPerUnit === undefined ? "pointsPerUnit" : "multiplier"],
        message: fe("errors.rateOrMultiplier"),
      });
    }
  });

// ---------------------------------------------------------------------------------------------
// Tiers and expiry (docs/decisions/0009)

const slug = z
  .string()
  .max(64, fe("errors.maxChars", { max: 64 }))
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, fe("errors.slug", { example: "gold" }));

const perkTexts = z.array(nonEmptyText(200)).max(10, fe("errors.maxItems", { max: 10 }));

const tierLevelSchema = z
  .object({
    /** stable: members, rewards and the change log refer to it */
    id: slug,
    name: z.object({ en: nonEmptyText(60), de: nonEmptyText(60) }).strict(),
    /** points earned, minor units spent or orders in the window, from which the tier is reached */
    threshold: z.number().int(wholeNumber).min(0, fe("errors.negative")),
    /** purchase points are multiplied by this while the member is in the tier */
    multiplier: factor.default(1),
    /** points given once when a member first reaches the tier */
    entryRewardPoints: z.number().int(wholeNumber).min(0, fe("errors.negative")).max(MAX_POINTS, fe("errors.max", { max: MAX_POINTS })).default(0),
    /** extra points on the member's birthday */
    birthdayBonusPoints: z.number().int(wholeNumber).min(0, fe("errors.negative")).max(MAX_POINTS, fe("errors.max", { max: MAX_POINTS })).default(0),
    /** free-shipping rewards cost members of this tier no points */
    freeShipping: z.boolean().default(false),
    perks: z.object({ en: perkTexts, de: perkTexts }).strict().default({ en: [], de: [] }),
  })
  .strict();

const tiersSchema = z
  .object({
    enabled: z.boolean(),
    basis: z.enum(["points_earned", "amount_spent", "orders"]),
    window: z.enum(["lifetime", "calendar_year", "rolling_12_months"]),
    /** ordered from the lowest to the highest tier */
    levels: z.array(tierLevelSchema).max(20, fe("errors.maxItems", { max: 20 })),
    retention: z
      .object({
        /** a tier reached in one period is kept through the next one */
        keepNextPeriod: z.boolean(),
        /** days after the tier would end before the member moves down */
        graceDays: z.number().int(wholeNumber).min(0, fe("errors.negative")).max(365, fe("errors.max", { max: 365 })),
      })
      .strict(),
    /** buying this product grants the tier for N months */
    membershipProduct: z
      .object({
        productId: gid("Product"),
        tierId: slug,
        months: z.number().int(wholeNumber).min(1, fe("errors.min", { min: 1 })).max(60, fe("errors.max", { max: 60 })),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.levels.forEach((l, i) => {
      if (seen.has(l.id)) ctx.addIssue({ code: "custom", path: ["levels", i, "id"], message: fe("errors.tierIdTaken", { id: l.id }) });
      seen.add(l.id);
      if (i > 0 && l.threshold <= t.levels[i - 1].threshold) {
        ctx.addIssue({ code: "custom", path: ["levels", i, "threshold"], message: fe("errors.tierThreshold") });
      }
    });
    if (t.enabled && t.levels.length === 0) ctx.addIssue({ code: "custom", path: ["levels"], message: fe("errors.tiersEmpty") });
    if (t.membershipProduct && !seen.has(t.membershipProduct.tierId)) {
      ctx.addIssue({ code: "custom", path: ["membershipProduct", "tierId"], message: fe("errors.noTier", { id: t.membershipProduct.tierId }) });
    }
  });

/** Tiers off: what a program stored before tiers existed reads as. */
export function defaultTiers(): z.infer<typeof tiersSchema> {
  return { enabled: false, basis: "points_earned", window: "calendar_year", levels: [], retention: { keepNextPeriod: true, graceDays: 30 }, membershipProduct: null };
}

const expiryMonths = z.number().int(wholeNumber).min(1, fe("errors.min", { min: 1 })).max(120, fe("errors.max", { max: 120 }));

const expirySchema = z
  .object({
    mode: z.enum(["never", "inactivity", "lots"]),
    /** inactivity: months without earning or redeeming; lots: months after each earn */
    months: expiryMonths,
    /** tier id → months, for tiers whose points last longer (or shorter) */
    tierMonths: z.record(z.string(), expiryMonths).default({}),
    /** reminders this many days before points expire */
    reminderDays: z
      .array(z.number().int(wholeNumber).min(1, fe("errors.min", { min: 1 })).max(365, fe("errors.max", { max: 365 })))
      .max(5, fe("errors.maxItems", { max: 5 }))
      .default([30, 3]),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (new Set(e.reminderDays).size !== e.reminderDays.length) ctx.addIssue({ code: "custom", path: ["reminderDays"], message: fe("errors.dayTwice") });
  });

/** Points never expire: what a program stored before expiry existed reads as. */
export function defaultExpiry(): z.infer<typeof expirySchema> {
  return { mode: "never", months: 12, tierMonths: {}, reminderDays: [30, 3] };
}

// ---------------------------------------------------------------------------------------------
// Caps and the whole program

export const PERIODS = ["day", "week", "month", "year", "lifetime"] as const;
export type Period = (typeof PERIODS)[number];

/** Rules that can be capped; a campaign is capped as "campaign:<id>". */
export const RULE_KEYS = ["purchase", "signup", "birthday", "newsletter", "review", "social", "custom"] as const;
export type BaseRuleKey = (typeof RULE_KEYS)[number];
export type RuleKey = BaseRuleKey | `campaign:${string}`;

const capSchema = z
  .object({
    max: z.number().int(wholeNumber).positive(fe("errors.capOff")),
    period: z.enum(PERIODS),
  })
  .strict();

const capsSchema = z
  .object({
    perRule: z.record(z.string(), capSchema),
    /** points a member may earn per day over all rules */
    dailyGlobalPoints: z.number().int(wholeNumber).positive(fe("errors.gt0")).optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Storefront texts the merchant overrides per language (empty: the theme extension's translation)

const optionalText = (max: number) => z.string().max(max, fe("errors.maxChars", { max }));
const storefrontTexts = z
  .object({
    launcherLabel: optionalText(40),
    panelTitle: optionalText(80),
    guestIntro: optionalText(300),
    /** the label of a tier-only reward shown to a shopper outside its tiers; `{tiers}` stands for the tier names */
    tierOnly: optionalText(80).default(""),
  })
  .strict();
const storefrontSchema = z
  .object({
    texts: z.object({ en: storefrontTexts, de: storefrontTexts }).strict(),
    /** the widget's look (app/domain/branding.ts); absent until the merchant sets it: the theme editor's settings apply */
    branding: brandingSchema.optional(),
  })
  .strict();
export type StorefrontTexts = z.infer<typeof storefrontTexts>;

export function defaultStorefront(): z.infer<typeof storefrontSchema> {
  const none = { launcherLabel: "", panelTitle: "", guestIntro: "", tierOnly: "" };
  return { texts: { en: { ...none }, de: { ...none } } };
}

// ---------------------------------------------------------------------------------------------
// Messaging (notices to members by email; app/domain/templates.ts renders them)

export const NOTICE_KINDS = [
  "welcome",
  "points_earned",
  "reward_redeemed",
  "code_expiring",
  "points_expiring",
  "points_expired",
  "tier_up",
  "tier_down",
  "tier_grace",
  "referral_completed",
  "friend_reward_ready",
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

const templateSchema = z
  .object({
    subject: z.string().max(200, fe("errors.maxChars", { max: 200 })),
    body: z.string().max(10_000, fe("errors.maxChars", { max: 10000 })),
  })
  .strict();

const emailAddress = z.string().max(254, fe("errors.maxChars", { max: 254 })).regex(/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/, fe("errors.email"));

export function defaultWhatsappChannel(): { enabled: boolean; templates: Partial<Record<NoticeKind, { name: string; en: string; de: string }>> } {
  return { enabled: false, templates: {} };
}

const messagingSchema = z
  .object({
    channels: z
      .object({
        email: z
          .object({
            enabled: z.boolean(),
            fromName: z.string().max(100, fe("errors.maxChars", { max: 100 })).refine((s) => !/[\r\n<>"]/.test(s), fe("errors.noLineBreaks")),
            fromEmail: z.union([z.literal(""), emailAddress]),
            replyTo: z.union([z.literal(""), emailAddress]).default(""),
          })
          .strict(),
        /** WhatsApp Business (Cloud API): approved template per kind, its language code per language
         *  (decision 0019); a kind without a template name is not sent on WhatsApp */
        whatsapp: z
          .object({
            enabled: z.boolean(),
            templates: z
              .record(
                z.enum(NOTICE_KINDS),
                z
                  .object({
                    name: z.string().max(512, fe("errors.maxChars", { max: 512 })).regex(/^[a-z0-9_]*$/, fe("errors.templateName")),
                    en: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, fe("errors.languageCode", { example: "en_US" })).default("en"),
                    de: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, fe("errors.languageCode", { example: "de_DE" })).default("de"),
                  })
                  .strict(),
              )
              .default({}),
          })
          .strict()
          .default(defaultWhatsappChannel),
      })
      .strict(),
    /** no mail between start and end, in the shop's timezone (start > end: over midnight); equal: none */
    quietHours: z.object({ enabled: z.boolean(), start: timeSchema, end: timeSchema }).strict(),
    /** the language of members whose language isn't known */
    defaultLanguage: z.enum(LOCALES).default("en"),
    /** per kind on/off; a kind not listed is on */
    kinds: z.record(z.enum(NOTICE_KINDS), z.boolean()).default({}),
    /** the merchant's texts per kind and language; a kind or language not set uses the built-in text */
    templates: z.record(z.enum(NOTICE_KINDS), z.object({ en: templateSchema.optional(), de: templateSchema.optional() }).strict()).default({}),
  })
  .strict();

export type MessagingConfig = z.infer<typeof messagingSchema>;

export function defaultMessaging(): MessagingConfig {
  return {
    channels: { email: { enabled: false, fromName: "", fromEmail: "", replyTo: "" }, whatsapp: defaultWhatsappChannel() },
    quietHours: { enabled: true, start: "22:00", end: "08:00" },
    defaultLanguage: "en",
    kinds: {},
    templates: {},
  };
}

export const programSchema = z
  .object({
    /** the kill switch for the whole program */
    enabled: z.boolean(),
    /** clawbacks: "allow" a negative balance, or "floor" it at 0 and record the shortfall */
    negativeBalance: z.enum(["allow", "floor"]),
    /** retroactive: a guest's orders earn once they sign up with the same email */
    guests: z.object({ retroactive: z.boolean() }).strict(),
    purchase: purchaseSchema,
    actions: actionsSchema,
    campaigns: z.array(campaignSchema).max(100, fe("errors.maxItems", { max: 100 })),
    stacking: z.enum(["highest", "add", "multiply"]),
    caps: capsSchema,
    /** programs saved before storefront texts existed parse with none set */
    storefront: storefrontSchema.default(defaultStorefront),
    /** referrals (app/domain/referrals.ts); programs stored before referrals existed get the defaults (off) */
    referrals: referralSettingsSchema.default(defaultReferralSettings),
    tiers: tiersSchema.default(defaultTiers),
    expiry: expirySchema.default(defaultExpiry),
    /** messaging (issue #10); programs stored before it existed get the defaults (email off) */
    messaging: messagingSchema.default(defaultMessaging),
  })
  .strict();

export type Program = z.infer<typeof programSchema>;
export type PurchaseRules = Program["purchase"];
export type Campaign = Program["campaigns"][number];
export type CampaignWindow = Campaign["window"];
export type CampaignConditions = Campaign["conditions"];
export type CampaignEffect = Campaign["effect"];
export type Stacking = Program["stacking"];
export type NegativeBalancePolicy = Program["negativeBalance"];
export type EngagementAction = keyof Program["actions"];
export type RoundingMode = PurchaseRules["rounding"];
export type TierConfig = Program["tiers"];
export type TierLevel = TierConfig["levels"][number];
export type ExpiryConfig = Program["expiry"];
export type MessagingSettings = Program["messaging"];

// ---------------------------------------------------------------------------------------------
// Parsing into field errors

export class ProgramConfigError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    const n = Object.keys(fieldErrors).length;
    super(`The program configuration has ${n} error${n === 1 ? "" : "s"}: ${Object.entries(fieldErrors).map(([k, v]) => `${k}: ${localizeFieldError("en", v)}`).join("; ")}`);
    this.name = "ProgramConfigError";
  }
}

function pathKey(path: ReadonlyArray<string | number>): string {
  return path.length ? path.join(".") : "program";
}

/** Checks that span the whole configuration; run on the raw input so they report alongside field errors. */
function crossFieldErrors(input: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!isRecord(input)) return out;
  const ids = new Set<string>();
  if (Array.isArray(input.campaigns)) {
    input.campaigns.forEach((c: unknown, i: number) => {
      if (!isRecord(c) || typeof c.id !== "string") return;
      if (ids.has(c.id)) out.push([`campaigns.${i}.id`, fe("errors.campaignIdTaken", { id: c.id })]);
      ids.add(c.id);
    });
  }
  const perRule = isRecord(input.caps) && isRecord(input.caps.perRule) ? input.caps.perRule : undefined;
  for (const key of Object.keys(perRule ?? {})) {
    if ((RULE_KEYS as readonly string[]).includes(key)) continue;
    if (key.startsWith("campaign:")) {
      if (!ids.has(key.slice("campaign:".length))) out.push([`caps.perRule.${key}`, fe("errors.noCampaign", { id: key.slice("campaign:".length) })]);
      continue;
    }
    out.push([`caps.perRule.${key}`, fe("errors.unknownRule", { key, rules: RULE_KEYS.join(", ") })]);
  }
  const levels = isRecord(input.tiers) && Array.isArray(input.tiers.levels) ? input.tiers.levels : [];
  const tierIds = new Set(levels.filter(isRecord).map((l) => l.id));
  const tierMonths = isRecord(input.expiry) && isRecord(input.expiry.tierMonths) ? input.expiry.tierMonths : {};
  for (const key of Object.keys(tierMonths)) {
    if (!tierIds.has(key)) out.push([`expiry.tierMonths.${key}`, fe("errors.noTier", { id: key })]);
  }
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Validates a configuration; throws ProgramConfigError with one message per field. */
export function parseProgram(input: unknown): Program {
  const result = programSchema.safeParse(input, { errorMap: fieldErrorMap });
  const errors: Record<string, string> = {};
  const put = (key: string, message: string) => {
    if (!(key in errors)) errors[key] = message;
  };
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === z.ZodIssueCode.unrecognized_keys) {
        for (const key of issue.keys) put(pathKey([...issue.path, key]), fe("errors.unknownSetting", { key }));
      } else {
        put(pathKey(issue.path), issue.message);
      }
    }
  }
  for (const [key, message] of crossFieldErrors(input)) put(key, message);
  if (Object.keys(errors).length > 0 || !result.success) throw new ProgramConfigError(errors);
  return result.data;
}

/** A program with every switch set to a sensible starting point: 1 point per unit, no campaigns. */
export function defaultProgram(): Program {
  const network = () => ({ enabled: false, url: "" });
  return {
    enabled: true,
    negativeBalance: "allow",
    guests: { retroactive: false },
    purchase: {
      enabled: true,
      pointsPerUnit: 1,
      rounding: "down",
      minimumOrderMinor: 0,
      excludedProductIds: [],
      excludedCollectionIds: [],
      trigger: "paid",
      pending: { mode: "none", days: 0 },
    },
    actions: {
      signup: {
        enabled: true,
        points: 100,
        texts: {
          en: { title: "Create an account", description: "Earn points when you create a customer account." },
          de: { title: "Konto erstellen", description: "Sammle Punkte, wenn du ein Kundenkonto erstellst." },
        },
      },
      birthday: {
        enabled: false,
        points: 200,
        source: "widget",
        texts: {
          en: { title: "Birthday", description: "Earn points on your birthday." },
          de: { title: "Geburtstag", description: "Sammle Punkte an deinem Geburtstag." },
        },
      },
      newsletter: {
        enabled: false,
        points: 50,
        texts: {
          en: { title: "Newsletter", description: "Earn points when you subscribe to our newsletter." },
          de: { title: "Newsletter", description: "Sammle Punkte, wenn du unseren Newsletter abonnierst." },
        },
      },
      review: {
        enabled: false,
        points: 50,
        texts: {
          en: { title: "Product review", description: "Earn points when you review a product you bought." },
          de: { title: "Produktbewertung", description: "Sammle Punkte, wenn du ein gekauftes Produkt bewertest." },
        },
      },
      social: {
        enabled: false,
        points: 25,
        networks: { instagram: network(), facebook: network(), tiktok: network(), x: network() },
        texts: {
          en: { title: "Follow us", description: "Earn points when you follow us." },
          de: { title: "Folge uns", description: "Sammle Punkte, wenn du uns folgst." },
        },
      },
      custom: { enabled: false, maxPointsPerEvent: 1000 },
    },
    campaigns: [],
    stacking: "highest",
    caps: { perRule: {} },
    storefront: defaultStorefront(),
    referrals: defaultReferralSettings(),
    tiers: defaultTiers(),
    expiry: defaultExpiry(),
    messaging: defaultMessaging(),
  };
}
