// Referrals as pure rules: the merchant's settings (a section of the program), the advocate's code,
// how a friend's email, phone, name and address are compared, and the verdict on a referred order —
// approve, hold for review, or reject — with every reason that led to it, in English and German.
import { z } from "zod";
import { fe } from "./errors";

// ---------------------------------------------------------------------------------------------
// Settings (program.referrals)

const wholeNumber = fe("errors.whole");
const text = (max: number) =>
  z
    .string()
    .max(max, fe("errors.maxChars", { max }))
    .refine((s) => s.trim().length > 0, fe("errors.empty"));

const referralTexts = z
  .object({
    title: text(100),
    description: text(500),
    /** the message a member shares (WhatsApp, email…); {link} becomes the member's link */
    shareMessage: text(500).refine((s) => s.includes("{link}"), fe("errors.shareLink")),
  })
  .strict();

/** What a rule that fires does to the referral. */
const outcome = z.enum(["reject", "hold"]);

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const domainPattern = /^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/;

export const referralSettingsSchema = z
  .object({
    enabled: z.boolean(),
    friendReward: z
      .object({
        type: z.enum(["amount", "percentage"]),
        /** minor units of shop currency for "amount", whole percent for "percentage" */
        value: z.number().int(wholeNumber).positive(fe("errors.gt0")),
        /** the friend's order must reach this subtotal for the code to apply */
        minimumOrderMinor: z.number().int(wholeNumber).min(0, fe("errors.negative")),
        expiresInDays: z.number().int(wholeNumber).min(1, fe("errors.min", { min: 1 })).max(365, fe("errors.max", { max: 365 })),
      })
      .strict()
      .superRefine((r, ctx) => {
        if (r.type === "percentage" && r.value > 100) ctx.addIssue({ code: "custom", path: ["value"], message: fe("errors.percentMax") });
      }),
    advocateReward: z.object({ points: z.number().int(wholeNumber).positive(fe("errors.gt0")).max(1_000_000, fe("errors.max", { max: 1_000_000 })) }).strict(),
    /** the advocate is rewarded once the friend's order is this many days old without refund or cancellation */
    returnWindowDays: z.number().int(wholeNumber).min(0, fe("errors.negative")).max(365, fe("errors.max", { max: 365 })),
    friendMustBeNew: z.boolean(),
    /** the friend's order subtotal (after discounts, without shipping and tax) must reach this */
    minimumSubtotalMinor: z.number().int(wholeNumber).min(0, fe("errors.negative")),
    /** at most this many referrals rewarded per advocate and period */
    advocateLimit: z
      .object({ count: z.number().int(wholeNumber).positive(fe("errors.gt0")), period: z.enum(["month", "year"]) })
      .strict()
      .optional(),
    velocity: z
      .object({
        /** referred orders from one IP address, or one device, within 7 days */
        maxPerIpPerWeek: z.number().int(wholeNumber).positive(fe("errors.gt0")),
        /** friend codes one IP address may claim within 7 days */
        maxClaimsPerIpPerWeek: z.number().int(wholeNumber).positive(fe("errors.gt0")),
      })
      .strict(),
    blocklist: z
      .object({
        emails: z.array(z.string().trim().toLowerCase().regex(emailPattern, fe("errors.email"))).max(1000, fe("errors.maxItems", { max: 1000 })),
        domains: z.array(z.string().trim().toLowerCase().regex(domainPattern, fe("errors.domain"))).max(1000, fe("errors.maxItems", { max: 1000 })),
      })
      .strict(),
    /** what each check does when it fires; reviewAll holds every referral for the merchant */
    review: z
      .object({
        selfReferral: outcome,
        sameAddress: outcome,
        velocity: outcome,
        existingCustomer: outcome,
        advocateLimit: outcome,
        blocklist: outcome,
        reviewAll: z.boolean(),
      })
      .strict(),
    texts: z.object({ en: referralTexts, de: referralTexts }).strict(),
  })
  .strict();

export type ReferralSettings = z.infer<typeof referralSettingsSchema>;

export function defaultReferralSettings(): ReferralSettings {
  return {
    enabled: false,
    friendReward: { type: "amount", value: 1000, minimumOrderMinor: 3000, expiresInDays: 30 },
    advocateReward: { points: 500 },
    returnWindowDays: 30,
    friendMustBeNew: true,
    minimumSubtotalMinor: 3000,
    velocity: { maxPerIpPerWeek: 3, maxClaimsPerIpPerWeek: 10 },
    blocklist: { emails: [], domains: [] },
    review: { selfReferral: "reject", sameAddress: "hold", velocity: "hold", existingCustomer: "reject", advocateLimit: "reject", blocklist: "reject", reviewAll: false },
    texts: {
      en: {
        title: "A gift from a friend",
        description: "Your friend invites you to our shop. Get your discount on your first order.",
        shareMessage: "I shop here and like it. With my link you get a discount on your first order: {link}",
      },
      de: {
        title: "Ein Geschenk von Freunden",
        description: "Du wurdest in unseren Shop eingeladen. Hol dir deinen Rabatt auf deine erste Bestellung.",
        shareMessage: "Ich kaufe hier gern ein. Mit meinem Link bekommst du Rabatt auf deine erste Bestellung: {link}",
      },
    },
  };
}

/** The merchant's share message with the member's link put in. */
export function shareMessage(template: string, link: string): string {
  return template.split("{link}").join(link);
}

// ---------------------------------------------------------------------------------------------
// Codes

/** No 0/O, 1/I/L: codes are read aloud and typed from a phone screen. */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/** 9 characters of 31: 44 bits. Short enough to type, too many to guess (a shop with 100 000
 *  members is hit once in ~175 million random tries). */
export const CODE_LENGTH = 9;

/** A new advocate code; `random(n)` gives n random bytes (crypto.randomBytes). Rejection sampling
 *  keeps every character equally likely. */
export function newReferralCode(random: (n: number) => Uint8Array, length = CODE_LENGTH): string {
  let out = "";
  const limit = 256 - (256 % CODE_ALPHABET.length);
  while (out.length < length) {
    for (const b of random(length * 2)) {
      if (b >= limit) continue;
      out += CODE_ALPHABET[b % CODE_ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A code from a link or a form: upper case, no spaces; null when it can't be one of ours. */
export function cleanCode(raw: string | null | undefined): string | null {
  const code = (raw ?? "").trim().toUpperCase();
  if (code.length < 4 || code.length > 32) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** The cart attribute and cookie `stk_ref`: "CODE", "CODE.VISIT" or "CODE.VISIT.DEVICE", where VISIT
 *  names the recorded click and DEVICE is a random id the browser keeps. */
export const REF_ATTRIBUTE = "stk_ref";

export function parseRefValue(raw: string | null | undefined): { code: string; visit: string | null; device: string | null } | null {
  if (!raw) return null;
  const [code, visit, device] = raw.trim().split(".");
  const clean = cleanCode(code);
  if (!clean) return null;
  const token = (s: string | undefined) => (s && /^[A-Za-z0-9_-]{8,64}$/.test(s) ? s : null);
  return { code: clean, visit: token(visit), device: token(device) };
}

// ---------------------------------------------------------------------------------------------
// Normalising what people type

const GMAIL = new Set(["gmail.com", "googlemail.com"]);

/** Lower case; "+tag" dropped; Gmail's dots dropped and googlemail.com read as gmail.com. Null when
 *  it is not an email address. */
export function normaliseEmail(raw: string | null | undefined): string | null {
  const email = (raw ?? "").trim().toLowerCase();
  const at = email.lastIndexOf("@");
  if (at < 1 || at === email.length - 1 || /\s/.test(email)) return null;
  let local = email.slice(0, at);
  let domain = email.slice(at + 1);
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL.has(domain)) {
    domain = "gmail.com";
    local = local.replace(/\./g, "");
  }
  return local ? `${local}@${domain}` : null;
}

export function emailDomain(email: string | null | undefined): string | null {
  const at = (email ?? "").lastIndexOf("@");
  return at > 0 ? email!.slice(at + 1).trim().toLowerCase() : null;
}

/** Digits only, compared by their last 9 so "+49 170 1234567", "0049 170 1234567" and
 *  "0170-1234567" are one number. Null for fewer than 6 digits. */
export function normalisePhone(raw: string | null | undefined): string | null {
  const digits = (raw ?? "").replace(/\D/g, "");
  if (digits.length < 6) return null;
  return digits.slice(-9);
}

function plain(s: string | null | undefined): string {
  return (s ?? "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** First and last name as one comparable text (case, accents, order of the two don't matter). */
export function normaliseName(first: string | null | undefined, last: string | null | undefined): string | null {
  const words = `${plain(first)} ${plain(last)}`.split(" ").filter(Boolean).sort();
  return words.length ? words.join(" ") : null;
}

export interface AddressInput {
  address1?: string | null;
  address2?: string | null;
  zip?: string | null;
  city?: string | null;
  countryCode?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
}

const STREET_WORDS: Array<[RegExp, string]> = [
  [/\bstrasse\b|\bstr\b/g, "str"],
  [/([a-z])strasse\b|([a-z])str\b/g, "$1$2 str"],
  [/\bstreet\b|\bst\b/g, "st"],
  [/\bavenue\b|\bave\b/g, "ave"],
  [/\broad\b|\brd\b/g, "rd"],
  [/\bplatz\b|\bpl\b/g, "pl"],
  [/\bweg\b/g, "weg"],
];

/** Street, house number, postcode and country as one comparable text; null without street or postcode. */
export function normaliseAddress(a: AddressInput | null | undefined): string | null {
  if (!a) return null;
  let street = plain(`${a.address1 ?? ""} ${a.address2 ?? ""}`);
  for (const [re, to] of STREET_WORDS) street = street.replace(re, to);
  street = street.replace(/\s+/g, " ").trim();
  const zip = plain(a.zip).replace(/ /g, "");
  if (!street || !zip) return null;
  return `${(a.countryCode ?? "").toUpperCase()}|${zip}|${street}`;
}

// ---------------------------------------------------------------------------------------------
// The verdict

export interface Person {
  customerGid: string | null;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  addresses: AddressInput[];
}

export interface ReferralFacts {
  advocate: Person;
  /** the friend as the order shows them: the shipping address first */
  friend: Person;
  subtotalMinor: number;
  /** orders the friend placed before this one (null: unknown) */
  friendPriorOrders: number | null;
  /** another referral already counts for this friend */
  friendAlreadyReferred: boolean;
  /** other referred orders within 7 days from the same IP address / device */
  sameIpThisWeek: number;
  sameDeviceThisWeek: number;
  /** referrals of this advocate in the limit's period that are pending or rewarded (not this one) */
  advocateReferralsThisPeriod: number;
  /** the merchant excluded the advocate from the program, or blocked them (app/models/members.server.ts) */
  advocateExcluded?: boolean;
  advocateBlocked?: boolean;
}

export type ReasonCode =
  | "self_customer"
  | "self_email"
  | "self_phone"
  | "self_name_address"
  | "same_address"
  | "velocity_ip"
  | "velocity_device"
  | "existing_customer"
  | "already_referred"
  | "advocate_limit"
  | "advocate_excluded"
  | "advocate_blocked"
  | "blocklist_email"
  | "blocklist_domain"
  | "below_minimum"
  | "review_all";

export interface Reason {
  code: ReasonCode;
  outcome: "reject" | "hold";
  en: string;
  de: string;
}

export type Verdict = "approve" | "hold" | "reject";

export const REASON_TEXTS: Record<ReasonCode, { en: string; de: string }> = {
  self_customer: { en: "The friend is the advocate (same customer account).", de: "Die geworbene Person ist die werbende (dasselbe Kundenkonto)." },
  self_email: { en: "The friend's email is the advocate's (after removing +tags and Gmail dots).", de: "Die E-Mail-Adresse ist die der werbenden Person (ohne +Zusätze und Gmail-Punkte)." },
  self_phone: { en: "The friend's phone number is the advocate's.", de: "Die Telefonnummer ist die der werbenden Person." },
  self_name_address: { en: "Same name and address as the advocate.", de: "Gleicher Name und gleiche Adresse wie die werbende Person." },
  same_address: { en: "The order ships to one of the advocate's addresses.", de: "Die Bestellung geht an eine Adresse der werbenden Person." },
  velocity_ip: { en: "Too many referred orders from one IP address this week.", de: "Zu viele geworbene Bestellungen von einer IP-Adresse in dieser Woche." },
  velocity_device: { en: "Too many referred orders from one device this week.", de: "Zu viele geworbene Bestellungen von einem Gerät in dieser Woche." },
  existing_customer: { en: "The friend has ordered before; only new customers count.", de: "Die geworbene Person hat schon bestellt; es zählen nur Neukunden." },
  already_referred: { en: "This friend was already referred.", de: "Diese Person wurde bereits geworben." },
  advocate_limit: { en: "The advocate has reached the referral limit for this period.", de: "Die werbende Person hat das Empfehlungslimit für diesen Zeitraum erreicht." },
  advocate_excluded: { en: "The advocate is excluded from the program: they earn no referral reward.", de: "Die werbende Person ist vom Programm ausgeschlossen: Sie erhält keine Empfehlungsprämie." },
  advocate_blocked: { en: "The advocate is blocked: their referral reward waits for your review.", de: "Die werbende Person ist gesperrt: Ihre Empfehlungsprämie wartet auf Ihre Prüfung." },
  blocklist_email: { en: "The friend's email is on the blocklist.", de: "Die E-Mail-Adresse steht auf der Sperrliste." },
  blocklist_domain: { en: "The friend's email domain is on the blocklist.", de: "Die E-Mail-Domain steht auf der Sperrliste." },
  below_minimum: { en: "The order is below the minimum subtotal for referrals.", de: "Die Bestellung liegt unter dem Mindestwert für Empfehlungen." },
  review_all: { en: "Every referral is reviewed by the shop.", de: "Jede Empfehlung wird vom Shop geprüft." },
};

function reason(code: ReasonCode, outcome: "reject" | "hold"): Reason {
  return { code, outcome, ...REASON_TEXTS[code] };
}

function anyMatch<T>(a: T[], b: T[]): boolean {
  return a.some((x) => x !== null && b.includes(x));
}

/**
 * Decides a referred order. Every check that fires adds its reason; any rejecting reason rejects,
 * else any holding reason holds, else the referral is approved (and rewarded after the window).
 */
export function verdict(f: ReferralFacts, s: ReferralSettings): { verdict: Verdict; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const r = s.review;
  const adv = f.advocate;
  const fr = f.friend;

  // self-referral
  if (adv.customerGid && fr.customerGid && adv.customerGid === fr.customerGid) reasons.push(reason("self_customer", r.selfReferral));
  const advEmail = normaliseEmail(adv.email);
  const frEmail = normaliseEmail(fr.email);
  if (advEmail && frEmail && advEmail === frEmail) reasons.push(reason("self_email", r.selfReferral));
  const advPhones = [adv.phone, ...adv.addresses.map((a) => a.phone)].map(normalisePhone).filter((p): p is string => p !== null);
  const frPhones = [fr.phone, ...fr.addresses.map((a) => a.phone)].map(normalisePhone).filter((p): p is string => p !== null);
  if (anyMatch(frPhones, advPhones)) reasons.push(reason("self_phone", r.selfReferral));
  const advPlaces = adv.addresses.map(normaliseAddress).filter((a): a is string => a !== null);
  const frPlaces = fr.addresses.map(normaliseAddress).filter((a): a is string => a !== null);
  if (anyMatch(frPlaces, advPlaces)) {
    const advNames = [normaliseName(adv.firstName, adv.lastName), ...adv.addresses.map((a) => normaliseName(a.firstName, a.lastName))].filter(Boolean);
    const frNames = [normaliseName(fr.firstName, fr.lastName), ...fr.addresses.map((a) => normaliseName(a.firstName, a.lastName))].filter(Boolean);
    reasons.push(anyMatch(frNames, advNames) ? reason("self_name_address", r.selfReferral) : reason("same_address", r.sameAddress));
  }

  // velocity
  if (f.sameIpThisWeek + 1 > s.velocity.maxPerIpPerWeek) reasons.push(reason("velocity_ip", r.velocity));
  if (f.sameDeviceThisWeek + 1 > s.velocity.maxPerIpPerWeek) reasons.push(reason("velocity_device", r.velocity));

  // new customers only; one referral per friend
  if (s.friendMustBeNew && f.friendPriorOrders !== null && f.friendPriorOrders > 0) reasons.push(reason("existing_customer", r.existingCustomer));
  if (f.friendAlreadyReferred) reasons.push(reason("already_referred", "reject"));

  // advocate limits
  if (s.advocateLimit && f.advocateReferralsThisPeriod >= s.advocateLimit.count) reasons.push(reason("advocate_limit", r.advocateLimit));
  // the advocate's standing: excluded earns nothing; blocked earns only once the merchant approves
  if (f.advocateExcluded) reasons.push(reason("advocate_excluded", "reject"));
  else if (f.advocateBlocked) reasons.push(reason("advocate_blocked", "hold"));

  // blocklist
  const rawEmail = (fr.email ?? "").trim().toLowerCase();
  if (rawEmail && (s.blocklist.emails.includes(rawEmail) || (frEmail !== null && s.blocklist.emails.some((b) => normaliseEmail(b) === frEmail)))) {
    reasons.push(reason("blocklist_email", r.blocklist));
  }
  const domain = emailDomain(rawEmail);
  if (domain && s.blocklist.domains.some((d) => domain === d || domain.endsWith(`.${d}`))) reasons.push(reason("blocklist_domain", r.blocklist));

  // eligibility
  if (f.subtotalMinor < s.minimumSubtotalMinor) reasons.push(reason("below_minimum", "reject"));
  if (s.review.reviewAll) reasons.push(reason("review_all", "hold"));

  const v: Verdict = reasons.some((x) => x.outcome === "reject") ? "reject" : reasons.length ? "hold" : "approve";
  return { verdict: v, reasons };
}

// ---------------------------------------------------------------------------------------------
// The friend's offer

/** The DiscountCodeBasicInput (API 2026-01) for a friend's code: any buyer, once, one use. */
export function friendDiscountInput(s: ReferralSettings, o: { code: string; currency: string; now: Date; title: string; decimal: (minor: number) => string }) {
  const r = s.friendReward;
  return {
    title: o.title,
    code: o.code,
    startsAt: o.now.toISOString(),
    endsAt: new Date(o.now.getTime() + r.expiresInDays * 86_400_000).toISOString(),
    context: { all: "ALL" },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: true },
    ...(r.minimumOrderMinor > 0 ? { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: o.decimal(r.minimumOrderMinor) } } } : {}),
    customerGets: {
      value: r.type === "amount" ? { discountAmount: { amount: o.decimal(r.value), appliesOnEachItem: false } } : { percentage: r.value / 100 },
      items: { all: true },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What a referred order tells us (Shopify's REST order payload)

interface RawAddress {
  first_name?: string | null;
  last_name?: string | null;
  address1?: string | null;
  address2?: string | null;
  zip?: string | null;
  city?: string | null;
  country_code?: string | null;
  phone?: string | null;
}

interface RawOrder {
  email?: string | null;
  contact_email?: string | null;
  phone?: string | null;
  discount_codes?: Array<{ code?: string | null; amount?: string | number | null }> | null;
  note_attributes?: Array<{ name?: string | null; value?: string | null }> | null;
  shipping_address?: RawAddress | null;
  billing_address?: RawAddress | null;
  customer?: { email?: string | null; phone?: string | null; first_name?: string | null; last_name?: string | null } | null;
}

const addressOf = (a: RawAddress | null | undefined): AddressInput | null =>
  a ? { firstName: a.first_name ?? null, lastName: a.last_name ?? null, address1: a.address1 ?? null, address2: a.address2 ?? null, zip: a.zip ?? null, city: a.city ?? null, countryCode: a.country_code ?? null, phone: a.phone ?? null } : null;

/** The codes and the `stk_ref` cart attribute that may make an order a referral. */
export function referralMarkers(order: unknown): { codes: string[]; ref: ReturnType<typeof parseRefValue> } {
  const o = (order ?? {}) as RawOrder;
  // the raw order: lists that aren't lists and codes that aren't strings are no markers
  const list = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);
  const codes = list(o.discount_codes).map((d) => (typeof d?.code === "string" ? d.code.trim().toUpperCase() : "")).filter(Boolean);
  const attr = list(o.note_attributes).find((a) => a?.name === REF_ATTRIBUTE);
  return { codes, ref: parseRefValue(typeof attr?.value === "string" ? attr.value : null) };
}

/** The friend as the order shows them: customer, contact and the addresses it ships and bills to. */
export function friendFromOrder(order: unknown, customerGid: string | null): Person {
  const o = (order ?? {}) as RawOrder;
  const ship = addressOf(o.shipping_address);
  const bill = addressOf(o.billing_address);
  return {
    customerGid,
    email: o.email || o.contact_email || o.customer?.email || null,
    phone: o.phone || o.customer?.phone || null,
    firstName: o.customer?.first_name ?? ship?.firstName ?? null,
    lastName: o.customer?.last_name ?? ship?.lastName ?? null,
    addresses: [ship, bill].filter((a): a is AddressInput => a !== null),
  };
}

// ---------------------------------------------------------------------------------------------
// Why a friend gets no code (shown on the landing page in the shopper's language)

export const CLAIM_ERRORS = {
  unavailable: { en: "This offer is not available.", de: "Dieses Angebot ist nicht verfügbar." },
  own_link: { en: "This is your own link; share it with friends instead.", de: "Das ist dein eigener Link – teile ihn mit Freunden." },
  email_required: { en: "Enter a valid email address.", de: "Gib eine gültige E-Mail-Adresse ein." },
  existing_customer: { en: "This offer is for new customers.", de: "Dieses Angebot gilt für Neukunden." },
  blocked: { en: "This offer is not available for this email address.", de: "Dieses Angebot ist für diese E-Mail-Adresse nicht verfügbar." },
  too_many: { en: "Too many codes from this connection this week. Please try again later.", de: "Zu viele Codes von dieser Verbindung in dieser Woche. Bitte versuche es später." },
  shopify_failed: { en: "We could not create your code. Please try again.", de: "Dein Code konnte nicht erstellt werden. Bitte versuche es noch einmal." },
} as const;

export type ClaimErrorKey = keyof typeof CLAIM_ERRORS;

/** "€10.00 off orders from €30.00, valid for 30 days" in the shopper's language. */
export function friendOfferText(s: ReferralSettings, currency: string, locale: "en" | "de", exponent: number): string {
  const r = s.friendReward;
  const money = (minor: number) =>
    new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US", { style: "currency", currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(minor / 10 ** exponent);
  const value = r.type === "amount" ? money(r.value) : `${r.value} %`;
  const days = r.expiresInDays;
  if (locale === "de") {
    return `${value} Rabatt${r.minimumOrderMinor > 0 ? ` ab ${money(r.minimumOrderMinor)} Bestellwert` : ""}, ${days} ${days === 1 ? "Tag" : "Tage"} gültig`;
  }
  return `${value} off${r.minimumOrderMinor > 0 ? ` orders from ${money(r.minimumOrderMinor)}` : ""}, valid for ${days} ${days === 1 ? "day" : "days"}`;
}
