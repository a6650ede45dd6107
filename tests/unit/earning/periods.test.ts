import { describe, expect, it } from "vitest";
import { applyCap, isoWeek, periodKey } from "~/domain/periods";
import type { Period } from "~/domain/program";

describe("isoWeek", () => {
  it.each([
    ["2026-01-01", 2026, 1], // Thursday: week 1 of its own year
    ["2025-12-29", 2026, 1], // the Monday before belongs to 2026-W01
    ["2025-12-28", 2025, 52],
    ["2026-03-29", 2026, 13],
    ["2026-03-30", 2026, 14],
    ["2026-12-31", 2026, 53], // 2026 starts on a Thursday: 53 weeks
    ["2027-01-03", 2026, 53],
    ["2027-01-04", 2027, 1],
    ["2021-01-03", 2020, 53], // leap year starting on a Wednesday
    ["2024-12-30", 2025, 1],
  ])("%s is in %i-W%i", (date, year, week) => {
    const [y, m, d] = date.split("-").map(Number);
    expect(isoWeek(y, m, d)).toEqual({ year, week });
  });
});

describe("periodKey", () => {
  it.each<[Period, string, string, string]>([
    ["day", "2026-03-28T23:30:00Z", "Europe/Berlin", "day:2026-03-29"],
    ["day", "2026-03-28T23:30:00Z", "America/New_York", "day:2026-03-28"],
    ["week", "2026-03-29T12:00:00Z", "Europe/Berlin", "week:2026-W13"],
    ["week", "2026-03-29T22:30:00Z", "Europe/Berlin", "week:2026-W14"], // Monday 00:30 in Berlin
    ["week", "2026-03-29T22:30:00Z", "America/New_York", "week:2026-W13"], // still Sunday
    ["month", "2026-03-31T22:30:00Z", "Europe/Berlin", "month:2026-04"],
    ["month", "2026-03-31T22:30:00Z", "America/New_York", "month:2026-03"],
    // New Year: Berlin is already in 2027, New York still in 2026; both in ISO week 2026-W53
    ["year", "2026-12-31T23:30:00Z", "Europe/Berlin", "year:2027"],
    ["year", "2026-12-31T23:30:00Z", "America/New_York", "year:2026"],
    ["month", "2026-12-31T23:30:00Z", "Europe/Berlin", "month:2027-01"],
    ["day", "2026-12-31T23:30:00Z", "Europe/Berlin", "day:2027-01-01"],
    ["week", "2026-12-31T23:30:00Z", "Europe/Berlin", "week:2026-W53"],
    ["week", "2026-12-31T23:30:00Z", "America/New_York", "week:2026-W53"],
    // the week-year turns on a Monday, in local time
    ["week", "2027-01-03T23:30:00Z", "Europe/Berlin", "week:2027-W01"],
    ["week", "2027-01-03T23:30:00Z", "America/New_York", "week:2026-W53"],
    ["week", "2025-12-28T23:30:00Z", "Europe/Berlin", "week:2026-W01"], // year 2025, week-year 2026
    ["year", "2025-12-28T23:30:00Z", "Europe/Berlin", "year:2025"],
    ["week", "2025-12-28T23:30:00Z", "America/New_York", "week:2025-W52"],
    // DST days are ordinary days
    ["day", "2026-10-25T22:59:59Z", "Europe/Berlin", "day:2026-10-25"],
    ["day", "2026-10-25T23:00:00Z", "Europe/Berlin", "day:2026-10-26"],
    ["lifetime", "2026-03-29T12:00:00Z", "Europe/Berlin", "lifetime"],
  ])("%s at %s in %s → %s", (period, iso, zone, key) => {
    expect(periodKey(period, new Date(iso), zone)).toBe(key);
  });
});

describe("applyCap", () => {
  it.each([
    [50, 0, 100, 50, false],
    [50, 50, 100, 50, false],
    [50, 80, 100, 20, true],
    [50, 100, 100, 0, true],
    [50, 120, 100, 0, true],
    [0, 100, 100, 0, false],
  ])("request %i with %i used of %i → %i (capped: %s)", (requested, used, max, points, capped) => {
    expect(applyCap(requested, used, max)).toEqual({ points, capped });
  });

  it("refuses negative or fractional inputs", () => {
    expect(() => applyCap(-1, 0, 10)).toThrow(RangeError);
    expect(() => applyCap(1, 0.5, 10)).toThrow(RangeError);
  });
});
