import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { defaultProgram, parseProgram, ProgramConfigError } from "~/domain/program";
import {
  CODE_ALPHABET,
  cleanCode,
  defaultReferralSettings,
  friendDiscountInput,
  friendFromOrder,
  friendOfferText,
  newReferralCode,
  normaliseAddress,
  normaliseEmail,
  normaliseName,
  normalisePhone,
  parseRefValue,
  referralMarkers,
  shareMessage,
  verdict,
  type Person,
  type ReferralFacts,
  type ReferralSettings,
} from "~/domain/referrals";
import { localizeFieldErrors } from "~/lib/i18n";

const english = (errors: object): Record<string, string> => localizeFieldErrors("en", errors as Record<string, string>);

describe("referral codes", () => {
  it("are 9 characters without look-alikes, all characters equally likely", () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const code = newReferralCode((n) => randomBytes(n));
      expect(code).toMatch(/^[A-HJKMNP-Z2-9]{9}$/);
      for (const ch of code) seen.set(ch, (seen.get(ch) ?? 0) + 1);
    }
    expect([...seen.keys()].sort().join("")).toBe([...CODE_ALPHABET].sort().join(""));
    for (const n of seen.values()) expect(n).toBeGreaterThan((2000 * 9) / 31 / 2);
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
  });

  it("skip bytes that would bias the alphabet", () => {
    const bytes = [255, 250, 248, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    expect(newReferralCode((n) => Uint8Array.from(bytes.slice(0, n)))).toBe("ABCDEFGHJ");
  });

  it.each([
    [" abcd2345 ", "ABCD2345"],
    ["AB", null],
    ["ABC-1234", null],
    ["O0O0O0", null],
    ["", null],
  ])("cleanCode(%j) = %j", (raw, expected) => expect(cleanCode(raw)).toBe(expected));

  it.each([
    ["ABCD2345", { code: "ABCD2345", visit: null, device: null }],
    ["ABCD2345.visit_token_1.device-abcdef12", { code: "ABCD2345", visit: "visit_token_1", device: "device-abcdef12" }],
    ["ABCD2345.<script>", { code: "ABCD2345", visit: null, device: null }],
    ["nope!", null],
    [null, null],
  ])("the stk_ref value %j", (raw, expected) => expect(parseRefValue(raw)).toEqual(expected));
});

describe("normalising", () => {
  it.each([
    ["Erika.Muster+shop@GMAIL.com", "erikamuster@gmail.com"],
    ["e.r.i.k.a@googlemail.com", "erika@gmail.com"],
    ["erika+a+b@web.de", "erika@web.de"],
    ["er.ika@web.de", "er.ika@web.de"],
    ["  Max@Example.COM ", "max@example.com"],
    ["+tag@example.com", "+tag@example.com"],
    ["no-at-sign", null],
    ["a b@example.com", null],
    [null, null],
  ])("email %j → %j", (raw, expected) => expect(normaliseEmail(raw)).toBe(expected));

  it.each([
    ["+49 170 1234567", "701234567"],
    ["0049 (170) 123-4567", "701234567"],
    ["0170/1234567", "701234567"],
    ["12345", null],
    [null, null],
  ])("phone %j → %j", (raw, expected) => expect(normalisePhone(raw)).toBe(expected));

  it("reads street spellings, case and accents as one address", () => {
    const a = normaliseAddress({ address1: "Hauptstraße 5", zip: "10115", countryCode: "de" });
    expect(a).toBe("DE|10115|haupt str 5");
    expect(normaliseAddress({ address1: "Hauptstr. 5", zip: "10115 ", countryCode: "DE" })).toBe(a);
    expect(normaliseAddress({ address1: "HAUPT STRASSE 5", zip: "10115", countryCode: "DE" })).toBe(a);
    expect(normaliseAddress({ address1: "Hauptstraße 7", zip: "10115", countryCode: "DE" })).not.toBe(a);
    expect(normaliseAddress({ address1: "1 Main Street", address2: "Apt 2", zip: "SW1A 1AA", countryCode: "GB" })).toBe("GB|sw1a1aa|1 main st apt 2");
    expect(normaliseAddress({ address1: "", zip: "10115" })).toBeNull();
  });

  it("compares names without case, accents or order", () => {
    expect(normaliseName("Jürgen", "Groß")).toBe(normaliseName("GROSS", "jurgen"));
    expect(normaliseName(null, null)).toBeNull();
  });
});

const advocate: Person = {
  customerGid: "gid://shopify/Customer/1",
  email: "erika.muster@gmail.com",
  phone: "+49 170 1234567",
  firstName: "Erika",
  lastName: "Muster",
  addresses: [{ firstName: "Erika", lastName: "Muster", address1: "Hauptstraße 5", zip: "10115", countryCode: "DE", phone: null }],
};
const friend: Person = {
  customerGid: "gid://shopify/Customer/2",
  email: "max@example.com",
  phone: "+49 151 7654321",
  firstName: "Max",
  lastName: "Mustermann",
  addresses: [{ firstName: "Max", lastName: "Mustermann", address1: "Gartenweg 1", zip: "80331", countryCode: "DE", phone: null }],
};
const facts = (over: Partial<ReferralFacts> = {}, friendOver: Partial<Person> = {}): ReferralFacts => ({
  advocate,
  friend: { ...friend, ...friendOver },
  subtotalMinor: 5000,
  friendPriorOrders: 0,
  friendAlreadyReferred: false,
  sameIpThisWeek: 0,
  sameDeviceThisWeek: 0,
  advocateReferralsThisPeriod: 0,
  ...over,
});
const settings = (change: (s: ReferralSettings) => void = () => {}) => {
  const s = { ...defaultReferralSettings(), enabled: true, advocateLimit: { count: 5, period: "month" as const } };
  change(s);
  return s;
};

describe("verdict", () => {
  it("approves a new friend's order with no reasons", () => {
    expect(verdict(facts(), settings())).toEqual({ verdict: "approve", reasons: [] });
  });

  it.each<[string, Partial<ReferralFacts>, Partial<Person>, string, "reject" | "hold"]>([
    ["the same customer", {}, { customerGid: advocate.customerGid }, "self_customer", "reject"],
    ["the same email with a +tag and Gmail dots", {}, { email: "ErikaMuster+friend@googlemail.com" }, "self_email", "reject"],
    ["the same phone, written differently", {}, { phone: "0170 123 45 67" }, "self_phone", "reject"],
    ["the same name and address", {}, { firstName: "erika", lastName: "MUSTER", addresses: [{ firstName: "Erika", lastName: "Muster", address1: "Hauptstr. 5", zip: "10115", countryCode: "DE" }] }, "self_name_address", "reject"],
    ["another person at the advocate's address", {}, { addresses: [{ firstName: "Max", lastName: "Mustermann", address1: "Hauptstr. 5", zip: "10115", countryCode: "DE" }] }, "same_address", "hold"],
    ["a fourth order from one IP this week", { sameIpThisWeek: 3 }, {}, "velocity_ip", "hold"],
    ["a fourth order from one device this week", { sameDeviceThisWeek: 3 }, {}, "velocity_device", "hold"],
    ["a friend who ordered before", { friendPriorOrders: 2 }, {}, "existing_customer", "reject"],
    ["a friend referred before", { friendAlreadyReferred: true }, {}, "already_referred", "reject"],
    ["an advocate at the limit", { advocateReferralsThisPeriod: 5 }, {}, "advocate_limit", "reject"],
    ["a blocked email", {}, { email: "fraud@example.org" }, "blocklist_email", "reject"],
    ["a blocked domain (and its subdomains)", {}, { email: "x@mail.trashmail.com" }, "blocklist_domain", "reject"],
    ["an order below the minimum", { subtotalMinor: 2999 }, {}, "below_minimum", "reject"],
  ])("%s", (_, over, friendOver, code, outcome) => {
    const s = settings((x) => (x.blocklist = { emails: ["fraud@example.org"], domains: ["trashmail.com"] }));
    const v = verdict(facts(over, friendOver), s);
    expect(v.reasons.map((r) => r.code)).toEqual([code]);
    expect(v.verdict).toBe(outcome);
    expect(v.reasons[0].outcome).toBe(outcome);
    expect(v.reasons[0].en.length).toBeGreaterThan(10);
    expect(v.reasons[0].de).not.toBe(v.reasons[0].en);
  });

  it("follows the merchant's choice of hold or reject per check", () => {
    const s = settings((x) => (x.review = { ...x.review, selfReferral: "hold", velocity: "reject" }));
    expect(verdict(facts({}, { customerGid: advocate.customerGid }), s).verdict).toBe("hold");
    expect(verdict(facts({ sameIpThisWeek: 5 }), s).verdict).toBe("reject");
  });

  it("lists every reason; any reject wins over holds", () => {
    const v = verdict(facts({ sameIpThisWeek: 9, subtotalMinor: 100 }, { email: "erika.muster@gmail.com" }), settings());
    expect(v.reasons.map((r) => r.code)).toEqual(["self_email", "velocity_ip", "below_minimum"]);
    expect(v.verdict).toBe("reject");
  });

  it("holds everything for review when the merchant asks, and ignores limits and newness when off", () => {
    expect(verdict(facts(), settings((x) => (x.review.reviewAll = true)))).toMatchObject({ verdict: "hold", reasons: [{ code: "review_all" }] });
    const relaxed = settings((x) => {
      x.friendMustBeNew = false;
      x.advocateLimit = undefined;
    });
    expect(verdict(facts({ friendPriorOrders: 3, advocateReferralsThisPeriod: 99 }), relaxed).verdict).toBe("approve");
  });
});

describe("settings in the program", () => {
  it("a stored program without referrals parses, with referrals off", () => {
    const old = defaultProgram() as Record<string, unknown>;
    delete old.referrals;
    expect(parseProgram(old).referrals).toEqual(defaultReferralSettings());
    expect(defaultReferralSettings().enabled).toBe(false);
  });

  it.each<[string, (s: Record<string, any>) => void, string, string]>([ // eslint-disable-line @typescript-eslint/no-explicit-any
    ["a share message without {link}", (s) => (s.texts.de.shareMessage = "Kauf hier ein!"), "referrals.texts.de.shareMessage", "Must contain {link}, where the member's link goes"],
    ["a percentage above 100", (s) => (s.friendReward = { ...s.friendReward, type: "percentage", value: 150 }), "referrals.friendReward.value", "Must be at most 100 (%)"],
    ["an unknown period", (s) => (s.advocateLimit = { count: 3, period: "week" }), "referrals.advocateLimit.period", "Must be one of: month, year"],
    ["a blocked domain that isn't one", (s) => (s.blocklist.domains = ["not a domain"]), "referrals.blocklist.domains.0", "Must be a domain like example.com"],
    ["a negative window", (s) => (s.returnWindowDays = -1), "referrals.returnWindowDays", "Must not be negative"],
    ["an unknown review outcome", (s) => (s.review.velocity = "ignore"), "referrals.review.velocity", "Must be one of: reject, hold"],
    ["an unknown setting", (s) => (s.colour = "red"), "referrals.colour", 'Unknown setting "colour"'],
  ])("refuses %s, naming the field", (_, change, field, message) => {
    const p = structuredClone(defaultProgram()) as unknown as { referrals: Record<string, unknown> };
    change(p.referrals);
    try {
      parseProgram(p);
      throw new Error("expected an error");
    } catch (e) {
      expect(e).toBeInstanceOf(ProgramConfigError);
      expect(english((e as ProgramConfigError).fieldErrors)[field]).toBe(message);
    }
  });

  it("fills the share message and describes the offer in both languages", () => {
    const s = defaultReferralSettings();
    expect(shareMessage("Hol dir Rabatt: {link} – bis bald ({link})", "https://x.test/apps/loyalty/r/ABC")).toBe("Hol dir Rabatt: https://x.test/apps/loyalty/r/ABC – bis bald (https://x.test/apps/loyalty/r/ABC)");
    expect(friendOfferText(s, "EUR", "en", 2)).toBe("€10.00 off orders from €30.00, valid for 30 days");
    expect(friendOfferText(s, "EUR", "de", 2)).toBe("10,00\u00a0€ Rabatt ab 30,00\u00a0€ Bestellwert, 30 Tage gültig");
    expect(friendOfferText({ ...s, friendReward: { type: "percentage", value: 15, minimumOrderMinor: 0, expiresInDays: 1 } }, "EUR", "de", 2)).toBe("15 % Rabatt, 1 Tag gültig");
  });

  it("makes a one-use code for any buyer with the merchant's value, minimum and expiry", () => {
    const input = friendDiscountInput(defaultReferralSettings(), { code: "FRIEND-X", currency: "EUR", now: new Date("2026-03-01T00:00:00Z"), title: "t", decimal: (m) => (m / 100).toFixed(2) });
    expect(input).toMatchObject({
      code: "FRIEND-X",
      context: { all: "ALL" },
      usageLimit: 1,
      appliesOncePerCustomer: true,
      endsAt: "2026-03-31T00:00:00.000Z",
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "30.00" } },
      customerGets: { value: { discountAmount: { amount: "10.00", appliesOnEachItem: false } }, items: { all: true } },
    });
  });
});

describe("reading a referred order", () => {
  const order = {
    email: "max@example.com",
    phone: null,
    discount_codes: [{ code: "friend-abc", amount: "10.00" }],
    note_attributes: [{ name: "other", value: "x" }, { name: "stk_ref", value: "ABCD2345.visit_token_1" }],
    shipping_address: { first_name: "Max", last_name: "M", address1: "Gartenweg 1", zip: "80331", country_code: "DE", phone: "0151 7654321" },
    billing_address: null,
    customer: { email: "max@example.com", phone: null, first_name: "Max", last_name: "Mustermann" },
  };
  it("finds the codes and the stk_ref attribute", () => {
    expect(referralMarkers(order)).toEqual({ codes: ["FRIEND-ABC"], ref: { code: "ABCD2345", visit: "visit_token_1", device: null } });
    expect(referralMarkers({})).toEqual({ codes: [], ref: null });
  });
  it("takes the friend's contact and addresses", () => {
    expect(friendFromOrder(order, "gid://shopify/Customer/2")).toEqual({
      customerGid: "gid://shopify/Customer/2",
      email: "max@example.com",
      phone: null,
      firstName: "Max",
      lastName: "Mustermann",
      addresses: [{ firstName: "Max", lastName: "M", address1: "Gartenweg 1", address2: null, zip: "80331", city: null, countryCode: "DE", phone: "0151 7654321" }],
    });
  });
});
