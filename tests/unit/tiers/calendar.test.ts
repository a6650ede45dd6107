// The shop's calendar for tiers and expiry: local midnights across DST, month arithmetic at month
// ends and in leap years, year windows at Dec 31 / Jan 1.
import { describe, expect, it } from "vitest";
import { addDays, addLocalMonths, addMonths, daysBetween, localDate, startOfLocalDay, zonedInstant } from "~/domain/periods";
import { retentionEnd, tierWindows } from "~/domain/tiers";

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

describe("startOfLocalDay", () => {
  it.each([
    // Berlin springs forward on the last Sunday of March at 02:00, falls back on the last Sunday of October
    ["2026-03-29", "Europe/Berlin", "2026-03-28T23:00:00.000Z"],
    ["2026-03-30", "Europe/Berlin", "2026-03-29T22:00:00.000Z"],
    ["2026-10-25", "Europe/Berlin", "2026-10-24T22:00:00.000Z"],
    ["2026-10-26", "Europe/Berlin", "2026-10-25T23:00:00.000Z"],
    ["2027-01-01", "Europe/Berlin", "2026-12-31T23:00:00.000Z"],
    // New York: second Sunday of March, first Sunday of November
    ["2026-03-08", "America/New_York", "2026-03-08T05:00:00.000Z"],
    ["2026-03-09", "America/New_York", "2026-03-09T04:00:00.000Z"],
    ["2026-11-01", "America/New_York", "2026-11-01T04:00:00.000Z"],
    ["2026-11-02", "America/New_York", "2026-11-02T05:00:00.000Z"],
    ["2024-02-29", "UTC", "2024-02-29T00:00:00.000Z"],
    ["2027-01-01", "Pacific/Kiritimati", "2026-12-31T10:00:00.000Z"],
  ])("%s in %s begins at %s", (date, zone, expected) => {
    expect(iso(startOfLocalDay(date, zone))).toBe(expected);
  });

  it("a day on which the clock skips midnight begins at the first instant it shows (Santiago, Sept 2026)", () => {
    // Chile moves from 00:00 to 01:00 on the first Sunday of September
    const start = startOfLocalDay("2026-09-06", "America/Santiago");
    expect(localDate(start, "America/Santiago")).toBe("2026-09-06");
    expect(localDate(start - 1, "America/Santiago")).toBe("2026-09-05");
  });
});

describe("zonedInstant", () => {
  it.each([
    // a wall time in the spring-forward gap is read with the offset before the jump
    [2026, 3, 29, 2, 30, "Europe/Berlin", "2026-03-29T01:30:00.000Z"],
    // an hour that happens twice in autumn: the second time (standard time)
    [2026, 10, 25, 2, 30, "Europe/Berlin", "2026-10-25T01:30:00.000Z"],
    [2026, 3, 8, 2, 30, "America/New_York", "2026-03-08T07:30:00.000Z"],
    [2026, 7, 1, 0, 15, "America/New_York", "2026-07-01T04:15:00.000Z"],
  ])("%i-%i-%i %i:%i in %s is %s", (y, m, d, h, mi, zone, expected) => {
    expect(iso(zonedInstant(y, m, d, h, mi, zone))).toBe(expected);
  });
});

describe("date arithmetic", () => {
  it.each([
    ["2024-02-29", 12, "2025-02-28"],
    ["2024-02-29", 48, "2028-02-29"],
    ["2026-01-31", 1, "2026-02-28"],
    ["2028-01-31", 1, "2028-02-29"],
    ["2026-12-15", 1, "2027-01-15"],
    ["2026-01-15", -1, "2025-12-15"],
    ["2025-03-31", -1, "2025-02-28"],
    ["2026-12-31", 12, "2027-12-31"],
  ])("%s + %i months = %s", (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it.each([
    ["2026-12-31", 1, "2027-01-01"],
    ["2028-02-28", 1, "2028-02-29"],
    ["2027-02-28", 1, "2027-03-01"],
    ["2026-03-29", -30, "2026-02-27"],
  ])("%s + %i days = %s", (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
    expect(daysBetween(date, expected)).toBe(days);
  });

  it.each([
    ["2026-12-31T23:30:00Z", "Europe/Berlin", "2027-01-01"],
    ["2026-12-31T23:30:00Z", "America/New_York", "2026-12-31"],
    ["2026-03-29T00:59:59Z", "Europe/Berlin", "2026-03-29"],
  ])("%s is %s's date %s", (instant, zone, expected) => {
    expect(localDate(at(instant), zone)).toBe(expected);
  });

  it("a rolling month keeps the wall-clock time across DST", () => {
    // noon in January (CET) to noon in July (CEST): one hour less in UTC
    expect(iso(addLocalMonths(at("2026-01-15T11:00:00Z"), 6, "Europe/Berlin"))).toBe("2026-07-15T10:00:00.000Z");
    expect(iso(addLocalMonths(at("2026-03-15T16:00:00Z"), -12, "America/New_York"))).toBe("2025-03-15T16:00:00.000Z");
    expect(iso(addLocalMonths(at("2024-02-29T12:00:00Z"), 12, "UTC"))).toBe("2025-02-28T12:00:00.000Z");
  });
});

describe("tier windows", () => {
  it("a calendar year is the shop's year: New Year's Eve in New York is still the old year when Berlin is in the new one", () => {
    const instant = at("2026-12-31T23:30:00Z");
    const berlin = tierWindows("calendar_year", instant, "Europe/Berlin");
    expect(iso(berlin.current.from)).toBe("2026-12-31T23:00:00.000Z");
    expect(iso(berlin.previous!.from)).toBe("2025-12-31T23:00:00.000Z");
    const ny = tierWindows("calendar_year", instant, "America/New_York");
    expect(iso(ny.current.from)).toBe("2026-01-01T05:00:00.000Z");
    expect(iso(ny.current.to)).toBe("2027-01-01T05:00:00.000Z");
  });

  it("a rolling window reaches back 12 months on the shop's clock; lifetime has no start", () => {
    const w = tierWindows("rolling_12_months", at("2024-02-29T12:00:00Z"), "UTC");
    expect(iso(w.current.from)).toBe("2023-02-28T12:00:00.000Z");
    expect(tierWindows("lifetime", 0, "UTC").current.from).toBe(-Infinity);
  });

  it.each([
    ["calendar_year", true, "2026-06-01T10:00:00Z", "2027-12-31T23:00:00.000Z"],
    ["calendar_year", false, "2026-06-01T10:00:00Z", "2026-12-31T23:00:00.000Z"],
    ["rolling_12_months", true, "2026-06-01T10:00:00Z", "2027-06-01T10:00:00.000Z"],
    ["rolling_12_months", false, "2026-06-01T10:00:00Z", null],
    ["lifetime", true, "2026-06-01T10:00:00Z", null],
  ] as const)("retention for %s (keep next period: %s) from %s ends %s", (window, keep, now, expected) => {
    const end = retentionEnd({ window, retention: { keepNextPeriod: keep, graceDays: 0 } }, at(now), "Europe/Berlin");
    expect(end === null ? null : iso(end)).toBe(expected);
  });
});

describe("the cached calendar equals Intl", () => {
  // localDate, addDays and addMonths are memoised (a day's offset once, a day's name once, a shift
  // once per step); these compare them with straight Intl and Date arithmetic on instants chosen at
  // random, dense around each zone's transitions, in zones with half-hour and 45-minute offsets
  const zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "Pacific/Apia", "UTC"];
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const formats = new Map<string, Intl.DateTimeFormat>();
  const format = (timeZone: string) => {
    let f = formats.get(timeZone);
    if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })));
    return f;
  };
  const intlParts = (ms: number, timeZone: string) => Object.fromEntries(format(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const intlDate = (ms: number, timeZone: string) => {
    const p = intlParts(ms, timeZone);
    return `${p.year}-${p.month}-${p.day}`;
  };
  const offsetAt = (ms: number, timeZone: string) => {
    const p = intlParts(ms, timeZone);
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - Math.floor(ms / 60_000) * 60_000;
  };

  it.each(zones)("localDate in %s, minute by minute around transitions and at random instants over 8 years", (zone) => {
    const from = at("2018-01-01T00:00:00Z");
    const span = 8 * 366 * 86_400_000;
    const instants: number[] = [];
    for (let i = 0; i < 2000; i++) instants.push(from + Math.floor(random() * span));
    // the half days in which the zone's offset changes, walked in steps of 7 minutes 13 seconds
    const step = 12 * 3_600_000;
    for (let t = from; t < from + span; t += step) {
      if (offsetAt(t, zone) !== offsetAt(t + step, zone)) for (let m = t; m <= t + step; m += 7 * 60_000 + 13_000) instants.push(m);
    }
    for (const ms of instants) expect(localDate(ms, zone), `${zone} ${iso(ms)}`).toBe(intlDate(ms, zone));
  });

  it("addDays and addMonths give the same dates asked once or many times", () => {
    const plainDays = (date: string, n: number) => {
      const d = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + n));
      return d.toISOString().slice(0, 10);
    };
    for (let i = 0; i < 2000; i++) {
      const date = new Date(at("2020-01-01T00:00:00Z") + Math.floor(random() * 3000) * 86_400_000).toISOString().slice(0, 10);
      const n = Math.floor(random() * 80) - 40;
      expect(addDays(date, n)).toBe(plainDays(date, n));
      expect(addDays(date, n)).toBe(plainDays(date, n));
      const months = Math.floor(random() * 50) - 25;
      const once = addMonths(date, months);
      expect(addMonths(date, months)).toBe(once);
      // the month's day, or the month's last day
      const [y, m, d] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
      const target = new Date(Date.UTC(y, m - 1 + months, 1));
      const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
      expect(once).toBe(`${target.toISOString().slice(0, 8)}${String(Math.min(d, last)).padStart(2, "0")}`);
    }
  });
});
