// The loyalty program a merchant configures: what earns points, how many, when. Validated with zod
// into field errors keyed by dotted path ("purchase.pointsPerUnit", "campaigns.0.window.startDate")
// so the admin can show each message next to its field (422 with a per-field map).
//
// Every object is strict: a misspelt setting is an error, not silently ignored. Amounts are
// integer minor units of the shop currency; rates are integers; factors are decimals with at most
// 4 places so the engine can compute with them exactly (app/domain/exact.ts).
import { z } from "zod";
import { hasAtMostDecimals } from "./exact";
import { brandingSchema } from "./branding";
import { defaultReferralSettings, referralSettingsSchema } from "./referrals";

// ---------------------------------------------------------------------------------------------
// Building blocks

const MAX_POINTS = 1_000_000;
const MAX_RATE = 10_000;
const MAX_FACTOR = 100;

const wholeNumber = "Must be a whole number";

const gid = (type: "Product" | "Collection") =>
  z.string().regex(new RegExp(`^gid://shopify/${type}/[1-9]\\d*$`), `Must be a ${type} ID like gid://shopify/${type}/123`);

const nonEmptyText = (max: number) =>
  z
    .string()
    .max(max, `Must be at most ${max} characters`)
    .refine((s) => s.trim().length > 0, "Must not be empty");

const points = z.number().int(wholeNumber).positive("Must be greater than 0").max(MAX_POINTS, `Must be at most ${MAX_POINTS}`);
const minorAmount = z.number().int(`${wholeNumber} of minor units (cents)`).min(0, "Must not be negative");

const factor = z
  .number()
  .finite()
  .gt(0, "Must be greater than 0")
  .max(MAX_FACTOR, `Must be at most ${MAX_FACTOR}`)
  .refine((x) => hasAtMostDecimals(x, 4), "Use at most 4 decimal places");

const localizedText = z.object({ title: nonEmptyText(100), description: nonEmptyText(500) }).strict();
const texts = z.object({ en: localizedText, de: localizedText }).strict();

export const LOCALES = ["en", "de"] as const;
export type ProgramLocale = (typeof LOCALES)[number];

// ---------------------------------------------------------------------------------------------
// Purchase

const pendingSchema = z
  .object({
    mode: z.enum(["none", "days", "fulfilment"]),
    days: z.number().int(wholeNumber).min(0, "Must not be negative").max(365, "Must be at most 365"),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.mode === "days" && p.days < 1) {
      ctx.addIssue({ code: "custom", path: ["days"], message: "Hold points for at least 1 day, or choose no pending period" });
    }
  });

const purchaseSchema = z
  .object({
    enabled: z.boolean(),
    /** points per 1 unit of shop currency (1 → 1 point per €1) */
    pointsPerUnit: z.number().int(wholeNumber).min(0, "Must not be negative").max(MAX_RATE, `Must be at most ${MAX_RATE}`),
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
    namespace: z.string().regex(/^[$\w:-]{2,255}$/, "Use 2–255 letters, digits, -, _ or :"),
    key: z.string().regex(/^[\w-]{2,64}$/, "Use 2–64 letters, digits, - or _"),
  })
  .strict();

const birthdaySchema = z
  .object({ ...actionFields, source: z.enum(["widget", "metafield"]), metafield: metafieldRef.optional() })
  .strict()
  .superRefine((b, ctx) => {
    if (b.source === "metafield" && !b.metafield) {
      ctx.addIssue({ code: "custom", path: ["metafield"], message: "Name the metafield (namespace and key) that holds the birthday" });
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
  .object({ enabled: z.boolean(), url: z.string().max(2048, "Must be at most 2048 characters") })
  .strict()
  .superRefine((n, ctx) => {
    if (n.enabled && !isHttpUrl(n.url)) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "Must be a web address like https://instagram.com/yourshop" });
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
      ctx.addIssue({ code: "custom", path: ["networks"], message: "Turn on at least one network, or turn off social follows" });
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

const dateSchema = z.string().refine(isIsoDate, "Must be a date in the form YYYY-MM-DD");
const timeSchema = z.string().regex(TIME_RE, "Must be a time in the form HH:MM, from 00:00 to 23:59");

const windowSchema = z
  .object({
    startDate: dateSchema.optional(),
    /** inclusive */
    endDate: dateSchema.optional(),
    /** ISO weekdays, Monday = 1 … Sunday = 7 */
    weekdays: z
      .array(z.number().int(wholeNumber).min(1, "Must be a weekday from 1 (Monday) to 7 (Sunday)").max(7, "Must be a weekday from 1 (Monday) to 7 (Sunday)"))
      .min(1, "Choose at least one weekday, or leave weekdays out")
      .optional(),
    /** inclusive; with endTime, a daily time range that may wrap midnight (22:00–02:00) */
    startTime: timeSchema.optional(),
    /** exclusive */
    endTime: timeSchema.optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.startDate && w.endDate && isIsoDate(w.startDate) && isIsoDate(w.endDate) && w.endDate < w.startDate) {
      ctx.addIssue({ code: "custom", path: ["endDate"], message: "Must not be before the start date" });
    }
    if (w.weekdays && new Set(w.weekdays).size !== w.weekdays.length) {
      ctx.addIssue({ code: "custom", path: ["weekdays"], message: "Lists a weekday twice" });
    }
    if ((w.startTime === undefined) !== (w.endTime === undefined)) {
      const missing = w.startTime === undefined ? "startTime" : "endTime";
      ctx.addIssue({ code: "custom", path: [missing], message: "Set both a start and an end time, or neither" });
    } else if (w.startTime !== undefined && w.startTime === w.endTime) {
      ctx.addIssue({ code: "custom", path: ["endTime"], message: "Must differ from the start time" });
    }
  });

const countrySchema = z.string().regex(/^[A-Z]{2}$/, "Must be a two-letter country code in capitals, e.g. DE");

const conditionsSchema = z
  .object({
    /** the customer has at least one of these tags (case-insensitive) */
    customerTagsAny: z.array(nonEmptyText(255)).min(1, "List at least one tag, or leave the condition out").optional(),
    /** ISO 3166-1 alpha-2; shipping address, else billing, else the customer's default address */
    countries: z.array(countrySchema).min(1, "List at least one country, or leave the condition out").optional(),
    /** spent before this order, in minor units of the shop currency */
    minTotalSpentMinor: minorAmount.optional(),
    /** bounds on the number of this order in the customer's history: 1 = first order */
    minOrderCount: z.number().int(wholeNumber).min(1, "Must be at least 1 (the first order)").optional(),
    maxOrderCount: z.number().int(wholeNumber).min(1, "Must be at least 1 (the first order)").optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.minOrderCount !== undefined && c.maxOrderCount !== undefined && c.maxOrderCount < c.minOrderCount) {
      ctx.addIssue({ code: "custom", path: ["maxOrderCount"], message: "Must not be less than the minimum order count" });
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
      pointsPerUnit: z.number().int(wholeNumber).positive("Must be greater than 0").max(MAX_RATE, `Must be at most ${MAX_RATE}`).optional(),
      /** the matching products' purchase points are multiplied by this */
      multiplier: factor.optional(),
    })
    .strict(),
  z.object({ type: z.literal("bigBasket"), minSubtotalMinor: minorAmount.refine((x) => x > 0, "Must be greater than 0"), points }).strict(),
]);

const campaignSchema = z
  .object({
    id: z
      .string()
      .max(64, "Must be at most 64 characters")
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lowercase letters, digits and single hyphens, e.g. double-points-monday"),
    enabled: z.boolean(),
    name: z.object({ en: nonEmptyText(100), de: nonEmptyText(100) }).strict(),
    window: windowSchema,
    conditions: conditionsSchema,
    effect: effectSchema,
    /** total points this campaign may give; enforced in storage, the engine reports contributions */
    budgetPoints: z.number().int(wholeNumber).positive("Must be greater than 0").optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const e = c.effect;
    if (e.type !== "productBonus") return;
    if (e.productIds.length === 0 && e.collectionIds.length === 0) {
      ctx.addIssue({ code: "custom", path: ["effect", "productIds"], message: "Choose at least one product or collection" });
    }
    if ((e.pointsPerUnit === undefined) === (e.multiplier === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["effect", e.pointsPerUnit === undefined ? "pointsPerUnit" : "multiplier"],
        message: "Set either extra points per currency unit or a multiplier, not both",
      });
    }
  });

// ---------------------------------------------------------------------------------------------
// Tiers and expiry (docs/decisions/0009)

const slug = z
  .string()
  .max(64, "Must be at most 64 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lowercase letters, digits and single hyphens, e.g. gold");

const perkTexts = z.array(nonEmptyText(200)).max(10, "At most 10 perks");

const tierLevelSchema = z
  .object({
    /** stable: members, rewards and the change log refer to it */
    id: slug,
    name: z.object({ en: nonEmptyText(60), de: nonEmptyText(60) }).strict(),
    /** points earned, minor units spent or orders in the window, from which the tier is reached */
    threshold: z.number().int(wholeNumber).min(0, "Must not be negative"),
    /** purchase points are multiplied by this while the member is in the tier */
    multiplier: factor.default(1),
    /** points given once when a member first reaches the tier */
    entryRewardPoints: z.number().int(wholeNumber).min(0, "Must not be negative").max(MAX_POINTS, `Must be at most ${MAX_POINTS}`).default(0),
    /** extra points on the member's birthday */
    birthdayBonusPoints: z.number().int(wholeNumber).min(0, "Must not be negative").max(MAX_POINTS, `Must be at most ${MAX_POINTS}`).default(0),
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
    levels: z.array(tierLevelSchema).max(20, "At most 20 tiers"),
    retention: z
      .object({
        /** a tier reached in one period is kept through the next one */
        keepNextPeriod: z.boolean(),
        /** days after the tier would end before the member moves down */
        graceDays: z.number().int(wholeNumber).min(0, "Must not be negative").max(365, "Must be at most 365"),
      })
      .strict(),
    /** buying this product grants the tier for N months */
    membershipProduct: z
      .object({
        productId: gid("Product"),
        tierId: slug,
        months: z.number().int(wholeNumber).min(1, "Must be at least 1").max(60, "Must be at most 60"),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.levels.forEach((l, i) => {
      if (seen.has(l.id)) ctx.addIssue({ code: "custom", path: ["levels", i, "id"], message: `Another tier already uses the id "${l.id}"` });
      seen.add(l.id);
      if (i > 0 && l.threshold <= t.levels[i - 1].threshold) {
        ctx.addIssue({ code: "custom", path: ["levels", i, "threshold"], message: "Must be higher than the tier before it" });
      }
    });
    if (t.enabled && t.levels.length === 0) ctx.addIssue({ code: "custom", path: ["levels"], message: "Add at least one tier, or turn tiers off" });
    if (t.membershipProduct && !seen.has(t.membershipProduct.tierId)) {
      ctx.addIssue({ code: "custom", path: ["membershipProduct", "tierId"], message: `No tier has the id "${t.membershipProduct.tierId}"` });
    }
  });

/** Tiers off: what a program stored before tiers existed reads as. */
export function defaultTiers(): z.infer<typeof tiersSchema> {
  return { enabled: false, basis: "points_earned", window: "calendar_year", levels: [], retention: { keepNextPeriod: true, graceDays: 30 }, membershipProduct: null };
}

const expiryMonths = z.number().int(wholeNumber).min(1, "Must be at least 1").max(120, "Must be at most 120");

const expirySchema = z
  .object({
    mode: z.enum(["never", "inactivity", "lots"]),
    /** inactivity: months without earning or redeeming; lots: months after each earn */
    months: expiryMonths,
    /** tier id → months, for tiers whose points last longer (or shorter) */
    tierMonths: z.record(z.string(), expiryMonths).default({}),
    /** reminders this many days before points expire */
    reminderDays: z
      .array(z.number().int(wholeNumber).min(1, "Must be at least 1").max(365, "Must be at most 365"))
      .max(5, "At most 5 reminders")
      .default([30, 3]),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (new Set(e.reminderDays).size !== e.reminderDays.length) ctx.addIssue({ code: "custom", path: ["reminderDays"], message: "Lists a day twice" });
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
    max: z.number().int(wholeNumber).positive("Must be greater than 0 (turn the rule off instead)"),
    period: z.enum(PERIODS),
  })
  .strict();

const capsSchema = z
  .object({
    perRule: z.record(z.string(), capSchema),
    /** points a member may earn per day over all rules */
    dailyGlobalPoints: z.number().int(wholeNumber).positive("Must be greater than 0").optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Storefront texts the merchant overrides per language (empty: the theme extension's translation)

const optionalText = (max: number) => z.string().max(max, `Must be at most ${max} characters`);
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
    subject: z.string().max(200, "Must be at most 200 characters"),
    body: z.string().max(10_000, "Must be at most 10000 characters"),
  })
  .strict();

const emailAddress = z.string().max(254, "Must be at most 254 characters").regex(/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/, "Must be an email address");

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
            fromName: z.string().max(100, "Must be at most 100 characters").refine((s) => !/[\r\n<>"]/.test(s), "Must not contain line breaks, quotes or angle brackets"),
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
                    name: z.string().max(512, "Must be at most 512 characters").regex(/^[a-z0-9_]*$/, "Lower-case letters, digits and underscores only"),
                    en: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "A language code such as en or en_US").default("en"),
                    de: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "A language code such as de or de_DE").default("de"),
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
    campaigns: z.array(campaignSchema).max(100, "At most 100 campaigns"),
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
    super(`The program configuration has ${n} error${n === 1 ? "" : "s"}: ${Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v}`).join("; ")}`);
    this.name = "ProgramConfigError";
  }
}

const TYPE_NAMES: Record<string, string> = {
  number: "a number",
  integer: "a whole number",
  string: "text",
  boolean: "true or false",
  array: "a list",
  object: "an object",
};

const errorMap: z.ZodErrorMap = (issue, ctx) => {
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      if (issue.received === "undefined") return { message: "Required" };
      if (issue.expected === "integer") return { message: wholeNumber };
      return { message: `Must be ${TYPE_NAMES[issue.expected] ?? issue.expected}` };
    case z.ZodIssueCode.invalid_literal:
      return { message: `Must be ${JSON.stringify(issue.expected)}` };
    case z.ZodIssueCode.invalid_enum_value:
      return { message: `Must be one of: ${issue.options.join(", ")}` };
    case z.ZodIssueCode.invalid_union_discriminator:
      return { message: `Must be one of: ${issue.options.map(String).join(", ")}` };
    case z.ZodIssueCode.too_small:
      if (issue.type === "array") return { message: `Must list at least ${issue.minimum}` };
      if (issue.type === "number") return { message: issue.inclusive ? `Must be at least ${issue.minimum}` : `Must be greater than ${issue.minimum}` };
      return { message: ctx.defaultError };
    case z.ZodIssueCode.too_big:
      if (issue.type === "number") return { message: issue.inclusive ? `Must be at most ${issue.maximum}` : `Must be less than ${issue.maximum}` };
      return { message: ctx.defaultError };
    case z.ZodIssueCode.not_finite:
      return { message: "Must be a finite number" };
    default:
      return { message: ctx.defaultError };
  }
};

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
      if (ids.has(c.id)) out.push([`campaigns.${i}.id`, `Another campaign already uses the id "${c.id}"`]);
      ids.add(c.id);
    });
  }
  const perRule = isRecord(input.caps) && isRecord(input.caps.perRule) ? input.caps.perRule : undefined;
  for (const key of Object.keys(perRule ?? {})) {
    if ((RULE_KEYS as readonly string[]).includes(key)) continue;
    if (key.startsWith("campaign:")) {
      if (!ids.has(key.slice("campaign:".length))) out.push([`caps.perRule.${key}`, `No campaign has the id "${key.slice("campaign:".length)}"`]);
      continue;
    }
    out.push([`caps.perRule.${key}`, `Unknown rule "${key}"; use one of ${RULE_KEYS.join(", ")} or campaign:<id>`]);
  }
  const levels = isRecord(input.tiers) && Array.isArray(input.tiers.levels) ? input.tiers.levels : [];
  const tierIds = new Set(levels.filter(isRecord).map((l) => l.id));
  const tierMonths = isRecord(input.expiry) && isRecord(input.expiry.tierMonths) ? input.expiry.tierMonths : {};
  for (const key of Object.keys(tierMonths)) {
    if (!tierIds.has(key)) out.push([`expiry.tierMonths.${key}`, `No tier has the id "${key}"`]);
  }
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Validates a configuration; throws ProgramConfigError with one message per field. */
export function parseProgram(input: unknown): Program {
  const result = programSchema.safeParse(input, { errorMap });
  const errors: Record<string, string> = {};
  const put = (key: string, message: string) => {
    if (!(key in errors)) errors[key] = message;
  };
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === z.ZodIssueCode.unrecognized_keys) {
        for (const key of issue.keys) put(pathKey([...issue.path, key]), `Unknown setting "${key}"`);
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
