import { describe, expect, it } from "vitest";
import { defaultProgram, parseProgram, ProgramConfigError, type Program } from "~/domain/program";
import { campaign } from "./builders";
import { localizeFieldErrors } from "~/lib/i18n";

const english = (errors: object): Record<string, string> => localizeFieldErrors("en", errors as Record<string, string>);

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function errorsOf(input: unknown): Record<string, string> {
  try {
    parseProgram(input);
  } catch (e) {
    if (e instanceof ProgramConfigError) return english(e.fieldErrors);
    throw e;
  }
  throw new Error("expected a ProgramConfigError");
}

/** The default program with one campaign, changed by `change` on a loose copy. */
function configWith(change: (p: Loose) => void): unknown {
  const p = { ...defaultProgram(), campaigns: [campaign()] } as Loose;
  const copy = structuredClone(p);
  change(copy);
  return copy;
}

describe("parseProgram", () => {
  it("accepts the default program and returns it unchanged", () => {
    expect(parseProgram(defaultProgram())).toEqual(defaultProgram());
  });

  it("accepts a program using every feature", () => {
    const p: Program = {
      ...defaultProgram(),
      stacking: "multiply",
      campaigns: [
        campaign({
          id: "friday-night",
          window: { startDate: "2026-03-01", endDate: "2026-03-31", weekdays: [5], startTime: "22:00", endTime: "02:00" },
          conditions: { customerTagsAny: ["VIP"], countries: ["DE", "AT"], minTotalSpentMinor: 10000, minOrderCount: 2, maxOrderCount: 10 },
          effect: { type: "multiplier", factor: 1.5 },
          budgetPoints: 50000,
        }),
        campaign({ id: "welcome", effect: { type: "fixed", points: 50 } }),
        campaign({ id: "shoes", effect: { type: "productBonus", productIds: ["gid://shopify/Product/1"], collectionIds: ["gid://shopify/Collection/2"], multiplier: 3 } }),
        campaign({ id: "socks", effect: { type: "productBonus", productIds: [], collectionIds: ["gid://shopify/Collection/3"], pointsPerUnit: 2 } }),
        campaign({ id: "big", effect: { type: "bigBasket", minSubtotalMinor: 20000, points: 100 } }),
      ],
      caps: { perRule: { purchase: { max: 5000, period: "month" }, "campaign:big": { max: 1, period: "lifetime" } }, dailyGlobalPoints: 2000 },
    };
    p.actions.birthday = { ...p.actions.birthday, enabled: true, source: "metafield", metafield: { namespace: "facts", key: "birth_date" } };
    p.actions.social = { ...p.actions.social, enabled: true, networks: { ...p.actions.social.networks, instagram: { enabled: true, url: "https://instagram.com/shop" } } };
    p.purchase = { ...p.purchase, excludedProductIds: ["gid://shopify/Product/9"], excludedCollectionIds: ["gid://shopify/Collection/8"], pending: { mode: "days", days: 14 } };
    expect(parseProgram(p)).toEqual(p);
  });

  it.each<[string, (p: Loose) => void, string, string]>([
    // program level
    ["a missing kill switch", (p) => delete p.enabled, "enabled", "Required"],
    ["a kill switch that is not a boolean", (p) => (p.enabled = "yes"), "enabled", "Must be true or false"],
    ["an unknown top-level key", (p) => (p.colour = "red"), "colour", 'Unknown setting "colour"'],
    ["an unknown negative-balance policy", (p) => (p.negativeBalance = "sometimes"), "negativeBalance", "Must be one of: allow, floor"],
    ["an unknown key under guests", (p) => (p.guests.retro = true), "guests.retro", 'Unknown setting "retro"'],
    ["an unknown stacking rule", (p) => (p.stacking = "max"), "stacking", "Must be one of: highest, add, multiply"],
    // purchase
    ["a negative rate", (p) => (p.purchase.pointsPerUnit = -1), "purchase.pointsPerUnit", "Must not be negative"],
    ["a fractional rate", (p) => (p.purchase.pointsPerUnit = 1.5), "purchase.pointsPerUnit", "Must be a whole number"],
    ["a rate given as text", (p) => (p.purchase.pointsPerUnit = "1"), "purchase.pointsPerUnit", "Must be a number"],
    ["a huge rate", (p) => (p.purchase.pointsPerUnit = 10_001), "purchase.pointsPerUnit", "Must be at most 10000"],
    ["an unknown rounding mode", (p) => (p.purchase.rounding = "half"), "purchase.rounding", "Must be one of: down, nearest, up"],
    ["a negative minimum order", (p) => (p.purchase.minimumOrderMinor = -100), "purchase.minimumOrderMinor", "Must not be negative"],
    ["a minimum order in decimals", (p) => (p.purchase.minimumOrderMinor = 10.5), "purchase.minimumOrderMinor", "Must be a whole number of minor units (cents)"],
    ["an excluded product that is not a GID", (p) => (p.purchase.excludedProductIds = ["123"]), "purchase.excludedProductIds.0", "Must be a Product ID like gid://shopify/Product/123"],
    [
      "an excluded collection given as a product",
      (p) => (p.purchase.excludedCollectionIds = ["gid://shopify/Collection/1", "gid://shopify/Product/1"]),
      "purchase.excludedCollectionIds.1",
      "Must be a Collection ID like gid://shopify/Collection/123",
    ],
    ["an unknown trigger", (p) => (p.purchase.trigger = "shipped"), "purchase.trigger", "Must be one of: paid, fulfilled"],
    ["a pending period of 0 days", (p) => (p.purchase.pending = { mode: "days", days: 0 }), "purchase.pending.days", "Hold points for at least 1 day, or choose no pending period"],
    ["a pending period over a year", (p) => (p.purchase.pending = { mode: "days", days: 400 }), "purchase.pending.days", "Must be at most 365"],
    ["an unknown pending mode", (p) => (p.purchase.pending.mode = "week"), "purchase.pending.mode", "Must be one of: none, days, fulfilment"],
    ["an unknown purchase key", (p) => (p.purchase.foo = 1), "purchase.foo", 'Unknown setting "foo"'],
    // actions
    ["action points of 0", (p) => (p.actions.signup.points = 0), "actions.signup.points", "Must be greater than 0"],
    ["negative action points", (p) => (p.actions.newsletter.points = -5), "actions.newsletter.points", "Must be greater than 0"],
    ["fractional action points", (p) => (p.actions.review.points = 2.5), "actions.review.points", "Must be a whole number"],
    ["a blank title", (p) => (p.actions.review.texts.de.title = "   "), "actions.review.texts.de.title", "Must not be empty"],
    ["an empty description", (p) => (p.actions.newsletter.texts.en.description = ""), "actions.newsletter.texts.en.description", "Must not be empty"],
    ["a missing German text", (p) => delete p.actions.signup.texts.de, "actions.signup.texts.de", "Required"],
    ["an extra locale", (p) => (p.actions.signup.texts.fr = { title: "x", description: "y" }), "actions.signup.texts.fr", 'Unknown setting "fr"'],
    ["a title over 100 characters", (p) => (p.actions.signup.texts.en.title = "x".repeat(101)), "actions.signup.texts.en.title", "Must be at most 100 characters"],
    ["a birthday from a metafield without its name", (p) => (p.actions.birthday.source = "metafield"), "actions.birthday.metafield", "Name the metafield (namespace and key) that holds the birthday"],
    [
      "a birthday metafield with a bad key",
      (p) => Object.assign(p.actions.birthday, { source: "metafield", metafield: { namespace: "facts", key: "a" } }),
      "actions.birthday.metafield.key",
      "Use 2–64 letters, digits, - or _",
    ],
    ["an unknown birthday source", (p) => (p.actions.birthday.source = "crm"), "actions.birthday.source", "Must be one of: widget, metafield"],
    [
      "an enabled network without a web address",
      (p) => Object.assign(p.actions.social, { enabled: true, networks: { ...p.actions.social.networks, instagram: { enabled: true, url: "instagram" } } }),
      "actions.social.networks.instagram.url",
      "Must be a web address like https://instagram.com/yourshop",
    ],
    ["social follows with no network", (p) => (p.actions.social.enabled = true), "actions.social.networks", "Turn on at least one network, or turn off social follows"],
    ["an unknown network", (p) => (p.actions.social.networks.myspace = { enabled: false, url: "" }), "actions.social.networks.myspace", 'Unknown setting "myspace"'],
    ["a custom-event cap of 0", (p) => (p.actions.custom.maxPointsPerEvent = 0), "actions.custom.maxPointsPerEvent", "Must be greater than 0"],
    ["an unknown action", (p) => (p.actions.quiz = {}), "actions.quiz", 'Unknown setting "quiz"'],
    // campaigns
    ["a campaign id that is not a slug", (p) => (p.campaigns[0].id = "Double Points"), "campaigns.0.id", "Use lowercase letters, digits and single hyphens, e.g. double-points-monday"],
    ["a duplicate campaign id", (p) => p.campaigns.push(campaign()), "campaigns.1.id", 'Another campaign already uses the id "double"'],
    ["an empty campaign name", (p) => (p.campaigns[0].name.de = ""), "campaigns.0.name.de", "Must not be empty"],
    ["an impossible start date", (p) => (p.campaigns[0].window.startDate = "2026-02-30"), "campaigns.0.window.startDate", "Must be a date in the form YYYY-MM-DD"],
    ["a German-style date", (p) => (p.campaigns[0].window.startDate = "29.03.2026"), "campaigns.0.window.startDate", "Must be a date in the form YYYY-MM-DD"],
    [
      "an end date before the start date",
      (p) => (p.campaigns[0].window = { startDate: "2026-04-02", endDate: "2026-04-01" }),
      "campaigns.0.window.endDate",
      "Must not be before the start date",
    ],
    ["a start time of 24:00", (p) => (p.campaigns[0].window = { startTime: "24:00", endTime: "02:00" }), "campaigns.0.window.startTime", "Must be a time in the form HH:MM, from 00:00 to 23:59"],
    ["an end time without a leading zero", (p) => (p.campaigns[0].window = { startTime: "06:00", endTime: "7:30" }), "campaigns.0.window.endTime", "Must be a time in the form HH:MM, from 00:00 to 23:59"],
    ["a start time without an end time", (p) => (p.campaigns[0].window = { startTime: "18:00" }), "campaigns.0.window.endTime", "Set both a start and an end time, or neither"],
    ["an end time without a start time", (p) => (p.campaigns[0].window = { endTime: "18:00" }), "campaigns.0.window.startTime", "Set both a start and an end time, or neither"],
    ["an empty time range", (p) => (p.campaigns[0].window = { startTime: "18:00", endTime: "18:00" }), "campaigns.0.window.endTime", "Must differ from the start time"],
    ["weekday 0", (p) => (p.campaigns[0].window = { weekdays: [0] }), "campaigns.0.window.weekdays.0", "Must be a weekday from 1 (Monday) to 7 (Sunday)"],
    ["weekday 8", (p) => (p.campaigns[0].window = { weekdays: [1, 8] }), "campaigns.0.window.weekdays.1", "Must be a weekday from 1 (Monday) to 7 (Sunday)"],
    ["a weekday listed twice", (p) => (p.campaigns[0].window = { weekdays: [1, 1] }), "campaigns.0.window.weekdays", "Lists a weekday twice"],
    ["an empty weekday list", (p) => (p.campaigns[0].window = { weekdays: [] }), "campaigns.0.window.weekdays", "Choose at least one weekday, or leave weekdays out"],
    ["an unknown window key", (p) => (p.campaigns[0].window = { timezone: "UTC" }), "campaigns.0.window.timezone", 'Unknown setting "timezone"'],
    ["a lower-case country", (p) => (p.campaigns[0].conditions = { countries: ["de"] }), "campaigns.0.conditions.countries.0", "Must be a two-letter country code in capitals, e.g. DE"],
    ["a three-letter country", (p) => (p.campaigns[0].conditions = { countries: ["DE", "DEU"] }), "campaigns.0.conditions.countries.1", "Must be a two-letter country code in capitals, e.g. DE"],
    ["an empty tag", (p) => (p.campaigns[0].conditions = { customerTagsAny: [" "] }), "campaigns.0.conditions.customerTagsAny.0", "Must not be empty"],
    ["a negative spend threshold", (p) => (p.campaigns[0].conditions = { minTotalSpentMinor: -1 }), "campaigns.0.conditions.minTotalSpentMinor", "Must not be negative"],
    ["an order count of 0", (p) => (p.campaigns[0].conditions = { minOrderCount: 0 }), "campaigns.0.conditions.minOrderCount", "Must be at least 1 (the first order)"],
    [
      "a maximum order count below the minimum",
      (p) => (p.campaigns[0].conditions = { minOrderCount: 3, maxOrderCount: 2 }),
      "campaigns.0.conditions.maxOrderCount",
      "Must not be less than the minimum order count",
    ],
    ["a factor of 0", (p) => (p.campaigns[0].effect = { type: "multiplier", factor: 0 }), "campaigns.0.effect.factor", "Must be greater than 0"],
    ["a negative factor", (p) => (p.campaigns[0].effect = { type: "multiplier", factor: -2 }), "campaigns.0.effect.factor", "Must be greater than 0"],
    ["a factor with 5 decimals", (p) => (p.campaigns[0].effect = { type: "multiplier", factor: 1.23456 }), "campaigns.0.effect.factor", "Use at most 4 decimal places"],
    ["a factor above 100", (p) => (p.campaigns[0].effect = { type: "multiplier", factor: 101 }), "campaigns.0.effect.factor", "Must be at most 100"],
    ["an unknown effect type", (p) => (p.campaigns[0].effect = { type: "percent", value: 10 }), "campaigns.0.effect.type", "Must be one of: multiplier, fixed, productBonus, bigBasket"],
    ["an unknown effect key", (p) => (p.campaigns[0].effect = { type: "multiplier", factor: 2, cap: 5 }), "campaigns.0.effect.cap", 'Unknown setting "cap"'],
    ["fixed points of 0", (p) => (p.campaigns[0].effect = { type: "fixed", points: 0 }), "campaigns.0.effect.points", "Must be greater than 0"],
    [
      "a product bonus for no products",
      (p) => (p.campaigns[0].effect = { type: "productBonus", productIds: [], collectionIds: [], multiplier: 2 }),
      "campaigns.0.effect.productIds",
      "Choose at least one product or collection",
    ],
    [
      "a product bonus with both a rate and a multiplier",
      (p) => (p.campaigns[0].effect = { type: "productBonus", productIds: ["gid://shopify/Product/1"], collectionIds: [], pointsPerUnit: 2, multiplier: 2 }),
      "campaigns.0.effect.multiplier",
      "Set either extra points per currency unit or a multiplier, not both",
    ],
    [
      "a product bonus with neither",
      (p) => (p.campaigns[0].effect = { type: "productBonus", productIds: ["gid://shopify/Product/1"], collectionIds: [] }),
      "campaigns.0.effect.pointsPerUnit",
      "Set either extra points per currency unit or a multiplier, not both",
    ],
    [
      "a product bonus with a negative rate",
      (p) => (p.campaigns[0].effect = { type: "productBonus", productIds: ["gid://shopify/Product/1"], collectionIds: [], pointsPerUnit: -1 }),
      "campaigns.0.effect.pointsPerUnit",
      "Must be greater than 0",
    ],
    [
      "a product bonus for a malformed collection",
      (p) => (p.campaigns[0].effect = { type: "productBonus", productIds: [], collectionIds: ["summer"], multiplier: 2 }),
      "campaigns.0.effect.collectionIds.0",
      "Must be a Collection ID like gid://shopify/Collection/123",
    ],
    ["a big basket from 0", (p) => (p.campaigns[0].effect = { type: "bigBasket", minSubtotalMinor: 0, points: 10 }), "campaigns.0.effect.minSubtotalMinor", "Must be greater than 0"],
    ["a budget of 0", (p) => (p.campaigns[0].budgetPoints = 0), "campaigns.0.budgetPoints", "Must be greater than 0"],
    ["a fractional budget", (p) => (p.campaigns[0].budgetPoints = 10.5), "campaigns.0.budgetPoints", "Must be a whole number"],
    ["a campaign without conditions", (p) => delete p.campaigns[0].conditions, "campaigns.0.conditions", "Required"],
    // caps
    ["a cap of 0", (p) => (p.caps.perRule = { purchase: { max: 0, period: "day" } }), "caps.perRule.purchase.max", "Must be greater than 0 (turn the rule off instead)"],
    ["an unknown cap period", (p) => (p.caps.perRule = { signup: { max: 1, period: "hour" } }), "caps.perRule.signup.period", "Must be one of: day, week, month, year, lifetime"],
    ["a cap on an unknown rule", (p) => (p.caps.perRule = { bogus: { max: 1, period: "day" } }), "caps.perRule.bogus", 'Unknown rule "bogus"; use one of purchase, signup, birthday, newsletter, review, social, custom or campaign:<id>'],
    ["a cap on a missing campaign", (p) => (p.caps.perRule = { "campaign:nope": { max: 1, period: "day" } }), "caps.perRule.campaign:nope", 'No campaign has the id "nope"'],
    ["a negative daily global cap", (p) => (p.caps.dailyGlobalPoints = -1), "caps.dailyGlobalPoints", "Must be greater than 0"],
  ])("reports %s", (_what, change, path, message) => {
    expect(errorsOf(configWith(change))).toEqual({ [path]: message });
  });

  it("reports every error at once, each under its own path", () => {
    const errors = errorsOf(
      configWith((p) => {
        p.purchase.pointsPerUnit = -1;
        p.campaigns[0].window.startDate = "2026-13-01";
        p.campaigns.push({ ...campaign(), effect: { type: "multiplier", factor: 0 } });
      }),
    );
    expect(errors).toEqual({
      "purchase.pointsPerUnit": "Must not be negative",
      "campaigns.0.window.startDate": "Must be a date in the form YYYY-MM-DD",
      "campaigns.1.effect.factor": "Must be greater than 0",
      "campaigns.1.id": 'Another campaign already uses the id "double"',
    });
  });

  it.each([null, 42, "program", []])("rejects %j as a whole", (input) => {
    expect(errorsOf(input)).toEqual({ program: "Must be an object" });
  });

  it("names the errors in its message", () => {
    expect(() => parseProgram(configWith((p) => (p.stacking = "max")))).toThrow(/1 error: stacking: Must be one of/);
  });
});

describe("defaultProgram", () => {
  it("earns 1 point per unit, keeps the highest campaign, and returns a fresh object each time", () => {
    const p = defaultProgram();
    expect(p).toMatchObject({ enabled: true, stacking: "highest", purchase: { enabled: true, pointsPerUnit: 1, rounding: "down", trigger: "paid" } });
    p.purchase.pointsPerUnit = 5;
    expect(defaultProgram().purchase.pointsPerUnit).toBe(1);
  });
});
