import { describe, expect, it } from "vitest";
import { campaignEffect, campaignRuns, conditionsMatch, EarnContextError, localParts, windowMatches, type CustomerStats } from "~/domain/campaigns";
import { ratio } from "~/domain/exact";
import type { CampaignConditions, CampaignEffect, CampaignWindow } from "~/domain/program";
import { campaign, newCustomer } from "./builders";

const BERLIN = "Europe/Berlin";
const NEW_YORK = "America/New_York";

describe("localParts", () => {
  it.each([
    ["2026-03-29T00:59:59Z", BERLIN, "2026-03-29", "01:59", 7],
    ["2026-03-29T01:00:00Z", BERLIN, "2026-03-29", "03:00", 7], // clocks spring forward: 02:00 never happens
    ["2026-10-25T00:30:00Z", BERLIN, "2026-10-25", "02:30", 7], // 02:30 summer time …
    ["2026-10-25T01:30:00Z", BERLIN, "2026-10-25", "02:30", 7], // … and 02:30 winter time
    ["2026-03-30T21:30:00Z", BERLIN, "2026-03-30", "23:30", 1],
    ["2026-03-30T22:30:00Z", BERLIN, "2026-03-31", "00:30", 2],
    ["2026-01-01T04:59:00Z", NEW_YORK, "2025-12-31", "23:59", 3],
    ["2026-01-01T00:00:00Z", "UTC", "2026-01-01", "00:00", 4],
  ])("%s in %s is %s %s, weekday %i", (iso, zone, date, time, weekday) => {
    expect(localParts(new Date(iso), zone)).toMatchObject({ date, time, weekday });
  });

  it("refuses an unknown timezone and an invalid date", () => {
    expect(() => localParts(new Date(), "Mars/Olympus")).toThrow(RangeError);
    expect(() => localParts(new Date("nope"), BERLIN)).toThrow(RangeError);
  });
});

describe("windowMatches", () => {
  it.each<[string, CampaignWindow, string, string, boolean]>([
    ["an empty window always runs", {}, "2026-07-01T12:00:00Z", BERLIN, true],
    // dates are local, the end date inclusive
    ["23:30 local on the end date, already the next day in UTC (New York)", { endDate: "2026-03-30" }, "2026-03-31T03:30:00Z", NEW_YORK, true],
    ["23:30 local on the end date (Berlin, summer time)", { endDate: "2026-03-30" }, "2026-03-30T21:30:00Z", BERLIN, true],
    ["00:30 local the day after the end date, still the end date in UTC (Berlin)", { endDate: "2026-03-30" }, "2026-03-30T22:30:00Z", BERLIN, false],
    ["23:30 local on the end date (Berlin, winter time)", { endDate: "2026-01-31" }, "2026-01-31T22:30:00Z", BERLIN, true],
    ["00:30 local after the end date (Berlin, winter time)", { endDate: "2026-01-31" }, "2026-01-31T23:30:00Z", BERLIN, false],
    ["the last second of an inclusive end date", { startDate: "2026-03-01", endDate: "2026-03-31" }, "2026-03-31T21:59:59Z", BERLIN, true],
    ["the first second after the end date", { startDate: "2026-03-01", endDate: "2026-03-31" }, "2026-03-31T22:00:00Z", BERLIN, false],
    ["local midnight on the start date", { startDate: "2026-04-01" }, "2026-03-31T22:00:00Z", BERLIN, true],
    ["a second before local midnight on the start date", { startDate: "2026-04-01" }, "2026-03-31T21:59:59Z", BERLIN, false],
    ["a one-day window on the start date in New York, the day before in UTC", { startDate: "2026-11-02", endDate: "2026-11-02" }, "2026-11-03T04:59:59Z", NEW_YORK, true],
    // weekdays are local
    ["Monday 00:30 in Berlin is Sunday in UTC", { weekdays: [1] }, "2026-03-29T22:30:00Z", BERLIN, true],
    ["the same instant is Sunday 18:30 in New York", { weekdays: [1] }, "2026-03-29T22:30:00Z", NEW_YORK, false],
    ["Monday 23:30 in New York is Tuesday in UTC", { weekdays: [1] }, "2026-03-31T03:30:00Z", NEW_YORK, true],
    ["the same instant is Tuesday in Berlin", { weekdays: [1] }, "2026-03-31T03:30:00Z", BERLIN, false],
    ["weekend days", { weekdays: [6, 7] }, "2026-03-29T10:00:00Z", BERLIN, true],
    // spring forward in Berlin, 2026-03-29: 02:00–03:00 does not exist
    ["02:00–03:00 on the spring-forward day, just before the jump (01:59:59)", { startTime: "02:00", endTime: "03:00" }, "2026-03-29T00:59:59Z", BERLIN, false],
    ["02:00–03:00 on the spring-forward day, just after the jump (03:00)", { startTime: "02:00", endTime: "03:00" }, "2026-03-29T01:00:00Z", BERLIN, false],
    ["01:00–03:00 at 01:30 on the spring-forward day", { startTime: "01:00", endTime: "03:00" }, "2026-03-29T00:30:00Z", BERLIN, true],
    ["09:00–17:00 starts at 07:00 UTC after spring forward", { startTime: "09:00", endTime: "17:00" }, "2026-03-29T07:00:00Z", BERLIN, true],
    ["09:00–17:00 at 08:59 summer time", { startTime: "09:00", endTime: "17:00" }, "2026-03-29T06:59:00Z", BERLIN, false],
    ["the spring-forward day starts at 23:00 UTC", { startDate: "2026-03-29", endDate: "2026-03-29" }, "2026-03-28T23:00:00Z", BERLIN, true],
    ["the spring-forward day is 23 hours long", { startDate: "2026-03-29", endDate: "2026-03-29" }, "2026-03-29T22:00:00Z", BERLIN, false],
    // fall back in Berlin, 2026-10-25: 02:00–03:00 happens twice
    ["02:00–03:00 at the first 02:30 (summer time)", { startTime: "02:00", endTime: "03:00" }, "2026-10-25T00:30:00Z", BERLIN, true],
    ["02:00–03:00 at the second 02:30 (winter time)", { startTime: "02:00", endTime: "03:00" }, "2026-10-25T01:30:00Z", BERLIN, true],
    ["02:00–03:00 at 03:00 winter time", { startTime: "02:00", endTime: "03:00" }, "2026-10-25T02:00:00Z", BERLIN, false],
    ["the fall-back day is 25 hours long: its last second", { endDate: "2026-10-25" }, "2026-10-25T22:59:59Z", BERLIN, true],
    ["the fall-back day is 25 hours long: the next midnight", { endDate: "2026-10-25" }, "2026-10-25T23:00:00Z", BERLIN, false],
    ["02:00–03:00 on New York's spring-forward day (2026-03-08)", { startTime: "02:00", endTime: "03:00" }, "2026-03-08T07:00:00Z", NEW_YORK, false],
    // time ranges: start inclusive, end exclusive
    ["18:00–20:00 at 18:00:00", { startTime: "18:00", endTime: "20:00" }, "2026-06-01T16:00:00Z", BERLIN, true],
    ["18:00–20:00 at 19:59:59", { startTime: "18:00", endTime: "20:00" }, "2026-06-01T17:59:59Z", BERLIN, true],
    ["18:00–20:00 at 20:00", { startTime: "18:00", endTime: "20:00" }, "2026-06-01T18:00:00Z", BERLIN, false],
    // a range wrapping midnight belongs to the day it starts
    ["Friday 22:00–02:00 at Friday 22:00", { weekdays: [5], startTime: "22:00", endTime: "02:00" }, "2026-04-03T20:00:00Z", BERLIN, true],
    ["Friday 22:00–02:00 at Saturday 01:30", { weekdays: [5], startTime: "22:00", endTime: "02:00" }, "2026-04-03T23:30:00Z", BERLIN, true],
    ["Friday 22:00–02:00 at Saturday 02:00", { weekdays: [5], startTime: "22:00", endTime: "02:00" }, "2026-04-04T00:00:00Z", BERLIN, false],
    ["Friday 22:00–02:00 at Friday 21:59", { weekdays: [5], startTime: "22:00", endTime: "02:00" }, "2026-04-03T19:59:00Z", BERLIN, false],
    ["Friday 22:00–02:00 at Friday 01:30 (Thursday's night)", { weekdays: [5], startTime: "22:00", endTime: "02:00" }, "2026-04-02T23:30:00Z", BERLIN, false],
    ["Friday 22:00–02:00 at Saturday 22:30", { weekdays: [5], startTime: "22:00", endTime: "02:00" }, "2026-04-04T20:30:00Z", BERLIN, false],
    ["22:00–02:00 ending 2026-03-31 still covers 01:00 on April 1", { endDate: "2026-03-31", startTime: "22:00", endTime: "02:00" }, "2026-03-31T23:00:00Z", BERLIN, true],
    ["22:00–02:00 ending 2026-03-31 does not cover 22:30 on April 1", { endDate: "2026-03-31", startTime: "22:00", endTime: "02:00" }, "2026-04-01T20:30:00Z", BERLIN, false],
    ["22:00–02:00 starting 2026-04-01 does not cover 01:00 on April 1", { startDate: "2026-04-01", startTime: "22:00", endTime: "02:00" }, "2026-03-31T23:00:00Z", BERLIN, false],
    ["a wrapping range in the small hours of New Year (New York)", { startDate: "2025-12-31", endDate: "2025-12-31", startTime: "20:00", endTime: "03:00" }, "2026-01-01T06:30:00Z", NEW_YORK, true],
  ])("%s", (_what, window, iso, zone, expected) => {
    expect(windowMatches(window, new Date(iso), zone)).toBe(expected);
  });
});

describe("conditionsMatch", () => {
  const facts = { countryCode: "DE", customerTags: ["Newsletter"] };
  const stats = (over: Partial<CustomerStats> = {}): CustomerStats => ({ ...newCustomer, ...over });

  it.each<[string, CampaignConditions, { countryCode: string | null; customerTags: string[] }, CustomerStats, boolean]>([
    ["no conditions", {}, facts, stats(), true],
    ["a tag on the order's customer", { customerTagsAny: ["VIP", "newsletter"] }, facts, stats(), true],
    ["a tag from the shop's customer record, any case", { customerTagsAny: ["vip"] }, facts, stats({ tags: [" VIP "] }), true],
    ["no matching tag", { customerTagsAny: ["VIP"] }, facts, stats({ tags: ["wholesale"] }), false],
    ["a listed country", { countries: ["AT", "DE"] }, facts, stats(), true],
    ["an unlisted country", { countries: ["AT", "CH"] }, facts, stats(), false],
    ["a country condition with no country known", { countries: ["DE"] }, { countryCode: null, customerTags: [] }, stats(), false],
    ["spent exactly the minimum before", { minTotalSpentMinor: 50000 }, facts, stats({ totalSpentMinor: 50000 }), true],
    ["spent a cent less", { minTotalSpentMinor: 50000 }, facts, stats({ totalSpentMinor: 49999 }), false],
    ["first order only, on the first order", { maxOrderCount: 1 }, facts, stats({ orderCount: 0 }), true],
    ["first order only, on the second", { maxOrderCount: 1 }, facts, stats({ orderCount: 1 }), false],
    ["from the 5th order, on the 5th", { minOrderCount: 5 }, facts, stats({ orderCount: 4 }), true],
    ["from the 5th order, on the 4th", { minOrderCount: 5 }, facts, stats({ orderCount: 3 }), false],
    ["orders 2 to 3, on the 3rd", { minOrderCount: 2, maxOrderCount: 3 }, facts, stats({ orderCount: 2 }), true],
    ["every condition must hold", { countries: ["DE"], customerTagsAny: ["VIP"] }, facts, stats(), false],
  ])("%s → %s", (_what, conditions, orderFacts, customer, expected) => {
    expect(conditionsMatch(conditions, orderFacts, customer)).toBe(expected);
  });
});

describe("campaignRuns", () => {
  const at = new Date("2026-03-30T10:00:00Z"); // Monday
  const facts = { countryCode: "DE", customerTags: [] };
  it.each([
    ["enabled, window and conditions met", campaign({ window: { weekdays: [1] }, conditions: { countries: ["DE"] } }), true],
    ["switched off", campaign({ enabled: false }), false],
    ["outside its window", campaign({ window: { weekdays: [2] } }), false],
    ["conditions not met", campaign({ conditions: { countries: ["FR"] } }), false],
  ])("%s → %s", (_what, c, expected) => {
    expect(campaignRuns(c, facts, { at, timeZone: BERLIN, customer: newCustomer })).toBe(expected);
  });
});

describe("campaignEffect", () => {
  // base: 100 points on €100.00; line 1 (product 1, €60), line 2 (product 2, €40)
  const input = {
    basePoints: 100,
    baseMinor: 10000,
    exponent: 2,
    lines: [
      { lineId: "1", productGid: "gid://shopify/Product/1", netMinor: 6000 },
      { lineId: "2", productGid: "gid://shopify/Product/2", netMinor: 4000 },
    ],
    collectionsByProduct: { "gid://shopify/Product/2": ["gid://shopify/Collection/20"] },
  };
  const P1 = "gid://shopify/Product/1";

  it.each<[string, CampaignEffect, { bonus: [number, number]; lineIds: string[]; factor?: [number, number] } | null]>([
    ["×2 adds the base once more", { type: "multiplier", factor: 2 }, { bonus: [100, 1], lineIds: ["1", "2"], factor: [2, 1] }],
    ["×1.5 adds half", { type: "multiplier", factor: 1.5 }, { bonus: [50, 1], lineIds: ["1", "2"], factor: [3, 2] }],
    ["×1.1 is exactly 11/10, not a float", { type: "multiplier", factor: 1.1 }, { bonus: [10, 1], lineIds: ["1", "2"], factor: [11, 10] }],
    ["×0.5 takes half away", { type: "multiplier", factor: 0.5 }, { bonus: [-50, 1], lineIds: ["1", "2"], factor: [1, 2] }],
    ["fixed points", { type: "fixed", points: 50 }, { bonus: [50, 1], lineIds: ["1", "2"] }],
    ["a big basket at exactly its threshold", { type: "bigBasket", minSubtotalMinor: 10000, points: 25 }, { bonus: [25, 1], lineIds: ["1", "2"] }],
    ["a big basket a cent short", { type: "bigBasket", minSubtotalMinor: 10001, points: 25 }, null],
    [
      "×3 on a product: its share of the base, twice more",
      { type: "productBonus", productIds: [P1], collectionIds: [], multiplier: 3 },
      { bonus: [120, 1], lineIds: ["1"], factor: [3, 1] },
    ],
    [
      "2 extra points per €1 on a collection",
      { type: "productBonus", productIds: [], collectionIds: ["gid://shopify/Collection/20"], pointsPerUnit: 2 },
      { bonus: [80, 1], lineIds: ["2"] },
    ],
    [
      "a product or a collection",
      { type: "productBonus", productIds: [P1], collectionIds: ["gid://shopify/Collection/20"], multiplier: 1.25 },
      { bonus: [25, 1], lineIds: ["1", "2"], factor: [5, 4] },
    ],
    ["no product in the order", { type: "productBonus", productIds: ["gid://shopify/Product/3"], collectionIds: [], pointsPerUnit: 2 }, null],
  ])("%s", (_what, effect, expected) => {
    const r = campaignEffect(effect, input);
    if (expected === null) return expect(r).toBeNull();
    expect(r).toEqual({
      bonus: ratio(...expected.bonus),
      lineIds: expected.lineIds,
      ...(expected.factor ? { factor: ratio(...expected.factor) } : {}),
    });
  });

  it("keeps fractional bonuses exact for the stacking rule to round", () => {
    const r = campaignEffect({ type: "productBonus", productIds: [P1], collectionIds: [], pointsPerUnit: 1 }, { ...input, lines: [{ ...input.lines[0], netMinor: 1999 }] });
    expect(r?.bonus).toEqual(ratio(1999, 100));
  });

  it("needs the products' collections when a campaign names collections", () => {
    const effect: CampaignEffect = { type: "productBonus", productIds: [], collectionIds: ["gid://shopify/Collection/20"], multiplier: 2 };
    expect(() => campaignEffect(effect, { ...input, collectionsByProduct: undefined }, "summer")).toThrow(EarnContextError);
    expect(() => campaignEffect(effect, { ...input, collectionsByProduct: undefined }, "summer")).toThrow(/campaign summer names collections/);
  });
});
