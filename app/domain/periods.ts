// Cap periods on the shop's wall clock: which day, ISO week, month or year an instant belongs to,
// as a key storage can count under ("day:2026-03-29", "week:2026-W13"), and how much of a
// request a cap still lets through.
import { localParts } from "./campaigns";
import type { Period } from "./program";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** ISO 8601 week of a calendar date: the week (Monday–Sunday) containing its Thursday, and that Thursday's year. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // that week's Thursday
  const weekYear = date.getUTCFullYear();
  const jan1 = Date.UTC(weekYear, 0, 1);
  const week = Math.floor((date.getTime() - jan1) / 86_400_000 / 7) + 1;
  return { year: weekYear, week };
}

/** The key of the period an instant falls in, in the shop's timezone. */
export function periodKey(period: Period, instant: Date, timeZone: string): string {
  if (period === "lifetime") return "lifetime";
  const p = localParts(instant, timeZone);
  switch (period) {
    case "day":
      return `day:${p.date}`;
    case "week": {
      const w = isoWeek(p.year, p.month, p.day);
      return `week:${pad(w.year, 4)}-W${pad(w.week)}`;
    }
    case "month":
      return `month:${pad(p.year, 4)}-${pad(p.month)}`;
    case "year":
      return `year:${pad(p.year, 4)}`;
  }
}

/**
 * How many of `requested` points a cap lets through when `used` were already earned in the
 * period. Storage must apply the result with a conditional update (used + points ≤ max), not a
 * read-then-write.
 */
export function applyCap(requested: number, used: number, max: number): { points: number; capped: boolean } {
  for (const [v, what] of [
    [requested, "requested"],
    [used, "used"],
    [max, "max"],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a non-negative integer, got ${v}`);
  }
  const points = Math.min(requested, Math.max(0, max - used));
  return { points, capped: points < requested };
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on the shop's wall clock (tiers and expiry). Dates are "YYYY-MM-DD" strings
// in the shop's timezone; an instant is turned into one with localParts and back with
// startOfLocalDay, which knows the zone's offset on that day (DST included).

/** Offset of the zone from UTC at an instant, in ms (Berlin in summer: +7_200_000). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const p = localParts(new Date(instant), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant a wall-clock time happens in the zone. A time skipped by a DST jump is read with
 *  the offset from before the jump (02:30 on Berlin's spring-forward day is 03:30 CEST). */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  const first = naive - zoneOffsetMs(naive, timeZone);
  const second = naive - zoneOffsetMs(first, timeZone);
  if (first === second) return first;
  // the offset changes between the two guesses: take the one that reads back as the asked time,
  // or (in a gap) the earlier offset
  const reads = (t: number) => {
    const p = localParts(new Date(t), timeZone);
    return p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute;
  };
  if (reads(second)) return second;
  if (reads(first)) return first;
  return Math.max(first, second);
}

function splitDate(date: string): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

const fmtDate = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

// Intl formatting costs microseconds per call, and the nightly run asks for millions of dates. Every
// zone's offsets and transitions fall on quarter hours, so an offset read once holds for its whole
// quarter hour. Most UTC days have no transition at all: a day whose first and last quarter hour
// have the same offset is stored once for the whole day (two Intl calls instead of 96); only a
// day with a transition is kept per quarter hour. Both caches are bounded.
const QUARTER_HOUR = 900_000;
const QUARTERS_PER_DAY = 96;
/** per zone: UTC day → its offset, or NaN when the offset changes that day */
const dayOffsetCache = new Map<string, Map<number, number>>();
const offsetCache = new Map<string, Map<number, number>>();
const dayStartCache = new Map<string, number>();

function quarterOffset(ms: number, timeZone: string): number {
  let days = dayOffsetCache.get(timeZone);
  if (!days) dayOffsetCache.set(timeZone, (days = new Map()));
  const slot = Math.floor(ms / QUARTER_HOUR);
  const day = Math.floor(slot / QUARTERS_PER_DAY);
  let offset = days.get(day);
  if (offset === undefined) {
    const first = slotOffset(day * QUARTERS_PER_DAY, timeZone);
    const last = slotOffset(day * QUARTERS_PER_DAY + QUARTERS_PER_DAY - 1, timeZone);
    offset = first === last ? first : NaN;
    if (days.size >= 50_000) days.clear();
    days.set(day, offset);
  }
  return Number.isNaN(offset) ? slotOffset(slot, timeZone) : offset;
}

function slotOffset(slot: number, timeZone: string): number {
  let zone = offsetCache.get(timeZone);
  if (!zone) offsetCache.set(timeZone, (zone = new Map()));
  let offset = zone.get(slot);
  if (offset === undefined) {
    offset = zoneOffsetMs(slot * QUARTER_HOUR, timeZone);
    if (zone.size >= 400_000) zone.clear();
    zone.set(slot, offset);
  }
  return offset;
}

const DAY_MS = 86_400_000;
// A local day's name by its number (days since 1970-01-01 on the wall clock): the same for every
// zone, so one bounded map serves all; a run over years of entries formats each day once.
const dayNames = new Map<number, string>();

function dayName(day: number): string {
  let name = dayNames.get(day);
  if (name === undefined) {
    const d = new Date(day * DAY_MS);
    name = fmtDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    if (dayNames.size >= 100_000) dayNames.clear();
    dayNames.set(day, name);
  }
  return name;
}

/** The shop's calendar date of an instant. */
export function localDate(instant: Date | number, timeZone: string): string {
  const ms = instant instanceof Date ? instant.getTime() : instant;
  if (!Number.isFinite(ms)) throw new RangeError("invalid date");
  return dayName(Math.floor((ms + quarterOffset(ms, timeZone)) / DAY_MS));
}

/** When a calendar date begins in the zone (local midnight; in a zone that skips midnight, the first instant of the day). */
export function startOfLocalDay(date: string, timeZone: string): number {
  const key = `${timeZone}|${date}`;
  let start = dayStartCache.get(key);
  if (start === undefined) {
    const [y, m, d] = splitDate(date);
    start = zonedInstant(y, m, d, 0, 0, timeZone);
    if (dayStartCache.size >= 100_000) dayStartCache.clear();
    dayStartCache.set(key, start);
  }
  return start;
}

/** The shop's calendar year of an instant. */
export function localYear(instant: number, timeZone: string): number {
  return new Date(instant + quarterOffset(instant, timeZone)).getUTCFullYear();
}

// Date arithmetic on "YYYY-MM-DD" strings, memoised per step: the nightly run shifts the same few
// hundred dates by the same few steps (months of expiry, days of reminders) millions of times.
const shiftedDays = new Map<number, Map<string, string>>();
const shiftedMonths = new Map<number, Map<string, string>>();

function shiftTable(tables: Map<number, Map<string, string>>, step: number): Map<string, string> {
  let table = tables.get(step);
  if (!table) {
    if (tables.size >= 64) tables.clear();
    tables.set(step, (table = new Map()));
  } else if (table.size >= 50_000) table.clear();
  return table;
}

export function addDays(date: string, days: number): string {
  const table = shiftTable(shiftedDays, days);
  let out = table.get(date);
  if (out === undefined) {
    const [y, m, d] = splitDate(date);
    const t = new Date(Date.UTC(y, m - 1, d + days));
    out = fmtDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
    table.set(date, out);
  }
  return out;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A date N months later (or earlier), on the same day or the month's last day: 31 Jan + 1 month
 *  = 28 (29) Feb; 29 Feb 2024 + 12 months = 28 Feb 2025. */
export function addMonths(date: string, months: number): string {
  const table = shiftTable(shiftedMonths, months);
  let out = table.get(date);
  if (out === undefined) {
    const [y, m, d] = splitDate(date);
    const index = y * 12 + (m - 1) + months;
    const ny = Math.floor(index / 12);
    const nm = index - ny * 12 + 1;
    out = fmtDate(ny, nm, Math.min(d, daysInMonth(ny, nm)));
    table.set(date, out);
  }
  return out;
}

/** Whole days from a to b (b − a), both calendar dates. */
export function daysBetween(a: string, b: string): number {
  const [ay, am, ad] = splitDate(a);
  const [by, bm, bd] = splitDate(b);
  return Math.round((Date.UTC(by, bm - 1, bd) - Date.UTC(ay, am - 1, ad)) / 86_400_000);
}

/** The same wall-clock time N months later in the zone (a rolling year ends at the same local time). */
export function addLocalMonths(instant: number, months: number, timeZone: string): number {
  const key = `${timeZone}|${instant}|${months}`;
  let out = monthsCache.get(key);
  if (out === undefined) {
    const p = localParts(new Date(instant), timeZone);
    const [y, m, d] = splitDate(addMonths(p.date, months));
    out = zonedInstant(y, m, d, p.hour, p.minute, timeZone) + p.second * 1000 + (instant % 1000 + 1000) % 1000;
    if (monthsCache.size >= 10_000) monthsCache.clear();
    monthsCache.set(key, out);
  }
  return out;
}
const monthsCache = new Map<string, number>();
