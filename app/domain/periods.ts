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
