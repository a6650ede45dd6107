// The pure parts of the rewards editor, the campaigns and budgets page and the branding page:
// form ↔ config, field errors named by form field, the shopper's preview line, campaign status
// and preview, the branding's contrast warnings and its metafield.
import { describe, expect, it } from "vitest";
import { brandingMetafield, brandingSchema, brandingWarnings, contrastRatio, defaultBranding } from "~/domain/branding";
import { blankCampaignForm, budgetsToForm, campaignStatus, campaignToForm, endCampaign, formToBudgets, formToCampaign, previewCampaign } from "~/domain/campaign-form";
import { defaultProgram, parseProgram, type Campaign } from "~/domain/program";
import { blankRewardForm, fieldOf, formToReward, REWARD_TYPES, rewardPreview, rewardToForm } from "~/domain/reward-form";
import { parseReward, type Reward } from "~/domain/rewards";
import { storefrontMetafields } from "~/domain/storefront";
import { localizeFieldErrors } from "~/lib/i18n";

const english = (errors: object): Record<string, string> => localizeFieldErrors("en", errors as Record<string, string>);

const form = (over: Record<string, string>, type: (typeof REWARD_TYPES)[number] = "amount") => ({ ...blankRewardForm(type), "texts.en.title": "€5 off", "texts.de.title": "5 € Rabatt", ...over });

describe("reward form", () => {
  const samples: Reward[] = [
    parseReward({ type: "amount", amountMinor: 500, pointsCost: 500, minimumSubtotalMinor: 3000, texts: { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } }, budgetMinor: 100000, perCustomerLimit: 2, totalLimit: 100 }),
    parseReward({ type: "percentage", percent: 10, pointsCost: 800, texts: { en: { title: "10 %" }, de: { title: "10 %" } }, appliesTo: { type: "collections", collectionIds: ["gid://shopify/Collection/7", "gid://shopify/Collection/8"] }, tiers: ["gold"], combinesWith: { productDiscounts: true, orderDiscounts: false, shippingDiscounts: true } }),
    parseReward({ type: "free_shipping", maxShippingMinor: 990, pointsCost: 300, texts: { en: { title: "Free shipping" }, de: { title: "Gratisversand" } }, refundIfUnused: false, expiryDays: 30, codePrefix: "SHIP-" }),
    parseReward({ type: "free_product", variantId: "gid://shopify/ProductVariant/42", pointsCost: 1500, texts: { en: { title: "Tote" }, de: { title: "Tasche" } }, appliesTo: { type: "products", productIds: ["gid://shopify/Product/1"] } }),
    parseReward({ type: "points_for_money", minUnits: 1, maxUnits: 20, pointsCost: 100, texts: { en: { title: "Pay with points" }, de: { title: "Mit Punkten zahlen" } } }),
    parseReward({ type: "store_credit", amountMinor: 1000, pointsCost: 1000, texts: { en: { title: "Credit" }, de: { title: "Guthaben" } } }),
    parseReward({ type: "donation", cause: { en: "Trees", de: "Bäume" }, pointsCost: 200, texts: { en: { title: "Plant a tree" }, de: { title: "Pflanze einen Baum" } } }),
  ];

  it.each(samples.map((s) => [s.type, s] as const))("round-trips a %s reward through the form unchanged", (_type, reward) => {
    const r = formToReward(rewardToForm(reward, false, "EUR"), "EUR", ["silver", "gold"]);
    expect(english(r.fieldErrors)).toEqual({});
    expect(r.reward).toEqual(reward);
    expect(r.enabled).toBe(false);
  });

  it("covers every reward type the domain knows", () => {
    expect(new Set(samples.map((s) => s.type))).toEqual(new Set(REWARD_TYPES));
  });

  it("reads money in currency units with a comma, and codes' prefixes in capitals", () => {
    const r = formToReward(form({ amount: "5,50", minimumSubtotal: "30", codePrefix: "vip-", budget: "" }), "EUR", []);
    expect(r.reward).toMatchObject({ amountMinor: 550, minimumSubtotalMinor: 3000, codePrefix: "VIP-" });
    expect(r.reward?.budgetMinor).toBeUndefined();
    expect(formToReward(form({ amount: "500" }), "JPY", []).reward).toMatchObject({ amountMinor: 500 });
  });

  it.each([
    ["pointsCost", "abc", "Must be a number"],
    ["pointsCost", "0", "Must be greater than 0"],
    ["pointsCost", "1.5", "Must be a whole number"],
    ["amount", "", "Must be a number"],
    ["amount", "5.5x", "Must be an amount like 30.00"],
    ["amount", "0", "Must be greater than 0"],
    ["texts.de.title", " ", "Give the reward a German title"],
    ["codePrefix", "TOO-LONG-PREFIX", "Use up to 12 capital letters, digits or -"],
    ["expiryDays", "0", "Must be at least 1"],
    ["perCustomerLimit", "0", "Must be at least 1, or leave it empty"],
    ["budget", "-5", "Must be greater than 0, or leave it empty"],
  ])("names the field: %s = %j", (field, value, message) => {
    const r = formToReward(form({ amount: "5", [field]: value }), "EUR", []);
    expect(r.reward).toBeUndefined();
    expect(english(r.fieldErrors)[field]).toBe(message);
  });

  it("puts errors inside lists and type-specific settings on their fields", () => {
    expect(english(formToReward(form({ percent: "120" }, "percentage"), "EUR", []).fieldErrors)).toEqual({ percent: "Must be at most 100" });
    expect(english(formToReward(form({ minUnits: "10", maxUnits: "5" }, "points_for_money"), "EUR", []).fieldErrors)).toEqual({ maxUnits: "Must not be below the minimum" });
    expect(english(formToReward(form({ amount: "5", "appliesTo.type": "products", "appliesTo.ids": "gid://shopify/Product/1\nnope" }), "EUR", []).fieldErrors)).toEqual({ "appliesTo.ids": "Must be a Product ID like gid://shopify/Product/123" });
    expect(english(formToReward(form({ amount: "5", "appliesTo.type": "collections", "appliesTo.ids": "" }), "EUR", []).fieldErrors)).toEqual({ "appliesTo.ids": "Choose at least one collection" });
    expect(english(formToReward(form({ variantId: "42" }, "free_product"), "EUR", []).fieldErrors)).toEqual({ variantId: "Must be a ProductVariant ID like gid://shopify/ProductVariant/123" });
    expect(english(formToReward(form({ amount: "5", tiers: "gold, platinum" }), "EUR", ["gold"]).fieldErrors)).toEqual({ tiers: 'No tier has the id "platinum"' });
    expect(english(formToReward(form({ amount: "5", tiers: "Gold!" }), "EUR", ["gold"]).fieldErrors).tiers).toBeDefined();
  });

  it.each([
    ["amountMinor", "amount"],
    ["budgetMinor", "budget"],
    ["appliesTo.productIds.3", "appliesTo.ids"],
    ["tiers.0", "tiers"],
    ["texts.en.title", "texts.en.title"],
    ["cause.de", "cause.de"],
  ])("field of %s is %s", (path, field) => expect(fieldOf(path)).toBe(field));

  it.each([
    [0, "en", "500 points → €5 off on orders from €30"],
    [0, "de", "500 Punkte → 5 € Rabatt ab 30 €"],
    [1, "en", "800 points → 10 % off (only for Gold)"],
    [1, "de", "800 Punkte → 10 % Rabatt (nur für Gold)"],
    [2, "en", "300 points → free shipping up to €9.90"],
    [2, "de", "300 Punkte → kostenloser Versand bis 9,90 €"],
    [3, "de", "1.500 Punkte → ein Gratisartikel"],
    [4, "en", "100 points per €1 → €1 to €20 off"],
    [4, "de", "100 Punkte je 1 € → 1 € bis 20 € Rabatt"],
    [5, "en", "1,000 points → €10 store credit"],
    [6, "de", "200 Punkte → Spende an Bäume"],
  ] as const)("previews sample %i in %s as the shopper reads it", (i, locale, line) => {
    expect(rewardPreview(samples[i]!, "EUR", locale, new Map([["gold", "Gold"]])).replace(/\u00a0/g, " ")).toBe(line);
  });
});

const campaign = (over: Partial<Campaign> = {}): Campaign => ({
  id: "double-weekend",
  enabled: true,
  name: { en: "Double points weekend", de: "Doppelte Punkte am Wochenende" },
  window: { startDate: "2026-11-01", endDate: "2026-11-30", weekdays: [6, 7] },
  conditions: {},
  effect: { type: "multiplier", factor: 2 },
  budgetPoints: 5000,
  ...over,
});

describe("campaign form", () => {
  it("round-trips campaigns of every effect through the form", () => {
    const all: Campaign[] = [
      campaign(),
      campaign({ id: "vip", window: { startTime: "22:00", endTime: "02:00" }, conditions: { customerTagsAny: ["VIP", "staff"], countries: ["DE", "AT"], minTotalSpentMinor: 10000, minOrderCount: 2, maxOrderCount: 5 }, effect: { type: "fixed", points: 50 }, budgetPoints: undefined }),
      campaign({ id: "shoes", effect: { type: "productBonus", productIds: ["gid://shopify/Product/1"], collectionIds: ["gid://shopify/Collection/2"], pointsPerUnit: 3 } }),
      campaign({ id: "big", effect: { type: "bigBasket", minSubtotalMinor: 15000, points: 100 } }),
    ];
    for (const c of all) {
      if (c.budgetPoints === undefined) delete c.budgetPoints;
      const program = parseProgram({ ...defaultProgram(), campaigns: [c] });
      const r = formToCampaign(program, c.id, campaignToForm(program.campaigns[0]!, "EUR"), "EUR");
      expect(english(r.fieldErrors)).toEqual({});
      expect(r.campaign).toEqual(program.campaigns[0]);
      expect(r.program).toEqual(program);
    }
  });

  it("adds a new campaign, and refuses a second one with the same id or the id 'new' on its field", () => {
    const program = parseProgram({ ...defaultProgram(), campaigns: [campaign()] });
    const f = { ...blankCampaignForm(), id: "black-friday", "name.en": "Black Friday", "name.de": "Black Friday", "window.startDate": "2026-11-27", "window.endDate": "2026-11-27", "effect.factor": "3" };
    const r = formToCampaign(program, null, f, "EUR");
    expect(r.program?.campaigns.map((c) => c.id)).toEqual(["double-weekend", "black-friday"]);
    expect(english(formToCampaign(program, null, { ...f, id: "double-weekend" }, "EUR").fieldErrors)).toEqual({ id: 'Another campaign already uses the id "double-weekend"' });
    expect(english(formToCampaign(program, null, { ...f, id: "new" }, "EUR").fieldErrors).id).toMatch(/new/);
  });

  it.each([
    ["window.endDate", "2026-10-01", "Must not be before the start date"],
    ["window.startDate", "2026-02-30", "Must be a date in the form YYYY-MM-DD"],
    ["window.startTime", "25:00", "Must be a time in the form HH:MM, from 00:00 to 23:59"],
    ["window.weekdays", "1,8", "Must be a weekday from 1 (Monday) to 7 (Sunday)"],
    ["conditions.countries", "DE, germany", "Must be a two-letter country code in capitals, e.g. DE"],
    ["conditions.minTotalSpent", "1x", "Must be an amount like 30.00"],
    ["effect.factor", "0", "Must be greater than 0"],
    ["effect.factor", "", "Must be a number"],
    ["budgetPoints", "-1", "Must be greater than 0"],
    ["name.de", "", "Must not be empty"],
  ])("names the field: %s = %j", (field, value, message) => {
    const program = parseProgram({ ...defaultProgram(), campaigns: [campaign()] });
    const r = formToCampaign(program, "double-weekend", { ...campaignToForm(program.campaigns[0]!, "EUR"), [field]: value }, "EUR");
    expect(r.program).toBeUndefined();
    expect(english(r.fieldErrors)[field]).toBe(message);
  });

  it("ends a campaign today: off, end date today, start date not after it", () => {
    const program = parseProgram({ ...defaultProgram(), campaigns: [campaign({ window: { startDate: "2026-12-01", endDate: "2026-12-31" } })] });
    const ended = endCampaign(program, "double-weekend", "2026-11-26")!;
    expect(ended.campaigns[0]).toMatchObject({ enabled: false, window: { startDate: "2026-11-26", endDate: "2026-11-26" } });
    expect(campaignStatus(ended.campaigns[0]!, "2026-11-26")).toBe("ended");
    expect(endCampaign(program, "nope", "2026-11-26")).toBeNull();
  });

  it.each([
    [campaign(), "2026-11-15", "running"],
    [campaign(), "2026-10-31", "scheduled"],
    [campaign(), "2026-12-01", "ended"],
    [campaign({ enabled: false }), "2026-11-15", "off"],
  ] as const)("status on a day: %#", (c, today, status) => expect(campaignStatus(c, today)).toBe(status));

  it("previews a sample order with and without the campaign, in the shop's time zone", () => {
    const program = parseProgram({ ...defaultProgram(), campaigns: [campaign()] });
    const sample = { amountMinor: 8000, date: "2026-11-28", time: "12:00", countryCode: "DE", tags: [], orderCount: 0 };
    const sat = previewCampaign(program, program.campaigns[0]!, "EUR", "de", sample, "Europe/Berlin");
    expect(sat).toMatchObject({ without: 80, with: 160, applies: true });
    expect(sat.lines.join("\n")).toContain("Doppelte Punkte am Wochenende");
    // Friday 23:30 in Berlin is Friday: no double points, though it's Saturday in some zones
    const fri = previewCampaign(program, program.campaigns[0]!, "EUR", "en", { ...sample, date: "2026-11-27", time: "23:30" }, "Europe/Berlin");
    expect(fri).toMatchObject({ without: 80, with: 80, applies: false });
    // a campaign that is off is previewed as if on
    const off = previewCampaign(program, { ...program.campaigns[0]!, enabled: false }, "EUR", "en", sample, "Europe/Berlin");
    expect(off.with).toBe(160);
  });

  it("previews a product bonus on a product the campaign names, also by collection", () => {
    const c = campaign({ window: {}, effect: { type: "productBonus", productIds: [], collectionIds: ["gid://shopify/Collection/9"], pointsPerUnit: 2 } });
    const program = parseProgram({ ...defaultProgram(), campaigns: [c] });
    const p = previewCampaign(program, program.campaigns[0]!, "EUR", "en", { amountMinor: 5000, date: "2026-11-26", time: "10:00", countryCode: null, tags: [], orderCount: 0 }, "UTC");
    expect(p).toMatchObject({ without: 50, with: 150, applies: true });
  });
});

describe("budgets form", () => {
  it("round-trips stacking and caps, and keeps caps the form doesn't show", () => {
    const program = parseProgram({ ...defaultProgram(), campaigns: [campaign()], stacking: "add", caps: { perRule: { purchase: { max: 500, period: "month" }, "campaign:double-weekend": { max: 10, period: "day" } }, dailyGlobalPoints: 1000 } });
    const r = formToBudgets(program, budgetsToForm(program));
    expect(english(r.fieldErrors)).toEqual({});
    expect(r.program).toEqual(program);
    const cleared = formToBudgets(program, { ...budgetsToForm(program), "caps.dailyGlobalPoints": "", "caps.perRule.purchase.max": "" });
    expect(cleared.program?.caps).toEqual({ perRule: { "campaign:double-weekend": { max: 10, period: "day" } } });
  });

  it.each([
    ["caps.dailyGlobalPoints", "0", "caps.dailyGlobalPoints", "Must be greater than 0"],
    ["caps.perRule.signup.max", "x", "caps.perRule.signup.max", "Must be a number"],
    ["caps.perRule.review.period", "fortnight", "caps.perRule.review.period", "Must be one of: day, week, month, year, lifetime"],
    ["stacking", "most", "stacking", "Must be one of: highest, add, multiply"],
  ])("names the field: %s = %j", (field, value, errorField, message) => {
    const program = defaultProgram();
    const f = { ...budgetsToForm(program), "caps.perRule.review.max": "100", [field]: value };
    const r = formToBudgets(program, f);
    expect(r.program).toBeUndefined();
    expect(english(r.fieldErrors)[errorField]).toBe(message);
  });
});

describe("branding", () => {
  it.each([
    ["#ffffff", "#000000", 21],
    ["#1f5130", "#ffffff", 9.2],
    ["#777777", "#ffffff", 4.48],
  ])("contrast of %s on %s is %d:1", (a, b, ratio) => expect(contrastRatio(a, b)).toBeCloseTo(ratio, 1));

  it("warns about unreadable text and a pale accent, not about the built-in look", () => {
    expect(brandingWarnings(defaultBranding())).toEqual([]);
    expect(brandingWarnings({ accentColor: "#ffcc00", textColor: "#ffffff" })).toEqual(["textOnAccent", "accentOnWhite"]);
    expect(brandingWarnings({ accentColor: "#ffcc00", textColor: "#000000" })).toEqual(["accentOnWhite"]);
    expect(brandingWarnings({ accentColor: "#0055aa", textColor: "#3366cc" })).toEqual(["textOnAccent"]);
  });

  it.each([
    [{ accentColor: "red" }, "accentColor"],
    [{ textColor: "#fff" }, "textColor"],
    [{ position: "top" }, "position"],
    [{ launcherStyle: "bubble" }, "launcherStyle"],
    [{ cornerRadius: 25 }, "cornerRadius"],
    [{ cornerRadius: 2.5 }, "cornerRadius"],
  ])("refuses %j", (over, field) => {
    const r = brandingSchema.safeParse({ ...defaultBranding(), ...over });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual([field]);
  });

  it("publishes branding as the `stammkunde.branding` metafield; none set: an empty object (the theme editor's settings apply)", () => {
    const program = defaultProgram();
    const read = (p: typeof program) => JSON.parse(storefrontMetafields(p).find((m) => m.key === "branding")!.value) as unknown;
    expect(read(program)).toEqual({});
    const branded = parseProgram({ ...program, storefront: { ...program.storefront, branding: { accentColor: "#AA0000", textColor: "#FFFFFF", position: "left", launcherStyle: "icon", cornerRadius: 4 } } });
    expect(read(branded)).toEqual({ accent: "#aa0000", text: "#ffffff", position: "left", style: "icon", radius: 4 });
    expect(brandingMetafield(undefined)).toEqual({});
  });

  it("reads programs stored before branding existed", () => {
    const stored = JSON.parse(JSON.stringify(defaultProgram())) as { storefront: Record<string, unknown> };
    delete stored.storefront.branding;
    expect(parseProgram(stored).storefront.branding).toBeUndefined();
  });
});
