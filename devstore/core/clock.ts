/** Time source for everything time-dependent in the devstore (buckets, discounts, tokens, payloads). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(epochMs: number): void;
}

/** A clock that only moves when told to; use it in tests instead of sleeping. */
export function createManualClock(start: number | Date = Date.now()): ManualClock {
  let current = typeof start === "number" ? start : start.getTime();
  return {
    now: () => current,
    advance(ms) {
      if (ms < 0) throw new Error("a clock cannot go backwards");
      current += ms;
    },
    set(epochMs) {
      current = epochMs;
    },
  };
}

/** ISO 8601 in UTC without milliseconds, as Shopify's GraphQL DateTime looks: 2026-01-15T10:30:00Z. */
export function isoUtc(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** ISO 8601 with the shop's UTC offset, as REST webhook payloads carry it: 2026-01-15T11:30:00+01:00. */
export function isoInZone(epochMs: number, timeZone: string): string {
  const date = new Date(epochMs);
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  const local = Date.UTC(
    Number(get("year")),
    Number(get("month")) - 1,
    Number(get("day")),
    Number(get("hour")),
    Number(get("minute")),
    Number(get("second")),
  );
  const offsetMin = Math.round((local - Math.floor(epochMs / 1000) * 1000) / 60000);
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}:${get("second")}${offset}`;
}
