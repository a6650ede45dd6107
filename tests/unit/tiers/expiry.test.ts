// Points expiry as plain inputs and outputs: lots spent oldest first, inactivity deadlines,
// reminders (with catch-up), across DST, year ends and leap days.
import { describe, expect, it } from "vitest";
import { buildLots, monthsFor, nextExpiryDate, planExpiry, reminderDue, type ExpiryInput } from "~/domain/expiry";
import type { LedgerFact } from "~/domain/tiers";

const TZ = "Europe/Berlin";
const at = (s: string) => Date.parse(s);

let nextId = 1;
function e(points: number, when: string, over: Partial<LedgerFact> = {}): LedgerFact {
  return { id: nextId++, bucket: "available", points, kind: points > 0 ? "earn" : "redeem", sourceType: "order", reversesId: null, at: at(when), ...over };
}

describe("buildLots", () => {
  it("equals a plain replay (every entry's time remembered, dates by Intl) on random ledgers with pending earns, releases, refunds and spending", () => {
    // the straightforward form of the rules buildLots implements with caches and without a map of every entry
    const intl = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" });
    const reference = (entries: readonly LedgerFact[]) => {
      const dateOf = new Map<number, number>();
      const lots: { originId: number; date: string; remaining: number }[] = [];
      const byOrigin = new Map<number, (typeof lots)[number]>();
      let debt = 0;
      for (const x of entries) {
        dateOf.set(x.id, x.at);
        if (x.bucket !== "available") continue;
        if (x.points > 0) {
          const paid = Math.min(debt, x.points);
          debt -= paid;
          if (x.points - paid === 0) continue;
          const origin = x.kind === "release" && x.reversesId !== null ? x.reversesId : x.id;
          const lot = { originId: origin, date: intl.format(new Date(dateOf.get(origin) ?? x.at)), remaining: x.points - paid };
          byOrigin.set(origin, lot);
          lots.push(lot);
          lots.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
        } else if (x.points < 0) {
          let need = -x.points;
          const own = x.reversesId !== null ? byOrigin.get(x.reversesId) : undefined;
          if (own && own.remaining > 0) {
            const take = Math.min(own.remaining, need);
            own.remaining -= take;
            need -= take;
          }
          for (const lot of lots) {
            const take = Math.min(lot.remaining, need);
            lot.remaining -= take;
            need -= take;
          }
          debt += need;
        }
      }
      return { lots: lots.filter((l) => l.remaining > 0), debt };
    };
    let seed = 11;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let ledger = 0; ledger < 300; ledger++) {
      const entries: LedgerFact[] = [];
      const pending: LedgerFact[] = [];
      let t = at("2025-01-01T00:00:00Z") + Math.floor(random() * 86_400_000);
      for (let i = 0; i < 40; i++) {
        t += Math.floor(random() * 20 * 86_400_000);
        const r = random();
        const earned = entries.filter((x) => x.kind === "earn" && x.bucket === "available");
        if (r < 0.15) {
          const p = e(10 + Math.floor(random() * 200), new Date(t).toISOString(), { bucket: "pending" });
          entries.push(p);
          pending.push(p);
        } else if (r < 0.3 && pending.length) {
          // the pending points come out of pending and into available, dated by their earn
          const p = pending.splice(Math.floor(random() * pending.length), 1)[0];
          entries.push(e(-p.points, new Date(t).toISOString(), { bucket: "pending", kind: "release", reversesId: p.id }));
          entries.push(e(p.points, new Date(t).toISOString(), { kind: "release", reversesId: p.id }));
        } else if (r < 0.4 && earned.length) {
          const o = earned[Math.floor(random() * earned.length)];
          entries.push(e(-Math.ceil(o.points * random()), new Date(t).toISOString(), { kind: "reverse", reversesId: o.id }));
        } else if (r < 0.6) {
          entries.push(e(-(1 + Math.floor(random() * 250)), new Date(t).toISOString()));
        } else {
          entries.push(e(1 + Math.floor(random() * 300), new Date(t).toISOString()));
        }
      }
      expect(buildLots(entries, TZ), `ledger ${ledger}`).toEqual(reference(entries));
    }
  });

  it("spends the oldest points first", () => {
    const entries = [e(100, "2026-01-10T10:00:00Z"), e(50, "2026-02-10T10:00:00Z"), e(-120, "2026-03-01T10:00:00Z"), e(30, "2026-04-01T10:00:00Z")];
    expect(buildLots(entries, TZ)).toEqual({
      lots: [
        { originId: entries[1].id, date: "2026-02-10", remaining: 30 },
        { originId: entries[3].id, date: "2026-04-01", remaining: 30 },
      ],
      debt: 0,
    });
  });

  it("dates a lot on the shop's day: 23:30 UTC on Dec 31 is New Year's Day in Berlin", () => {
    expect(buildLots([e(10, "2026-12-31T23:30:00Z")], TZ).lots[0].date).toBe("2027-01-01");
    expect(buildLots([e(10, "2026-12-31T23:30:00Z")], "America/New_York").lots[0].date).toBe("2026-12-31");
  });

  it("a clawback takes from the order's own lot first; released pending points keep the date of their earn", () => {
    const old = e(100, "2026-01-10T10:00:00Z");
    const pendingEarn = e(80, "2026-02-01T10:00:00Z", { bucket: "pending" });
    const later = e(60, "2026-02-15T10:00:00Z");
    const releaseOut = e(-80, "2026-03-01T10:00:00Z", { bucket: "pending", kind: "release", reversesId: pendingEarn.id });
    const releaseIn = e(80, "2026-03-01T10:00:00Z", { kind: "release", reversesId: pendingEarn.id });
    const refund = e(-60, "2026-03-05T10:00:00Z", { kind: "reverse", reversesId: later.id });
    const refundOfReleased = e(-20, "2026-03-06T10:00:00Z", { kind: "reverse", reversesId: pendingEarn.id });
    const book = buildLots([old, pendingEarn, later, releaseOut, releaseIn, refund, refundOfReleased], TZ);
    expect(book.lots).toEqual([
      { originId: old.id, date: "2026-01-10", remaining: 100 },
      { originId: pendingEarn.id, date: "2026-02-01", remaining: 60 },
    ]);
  });

  it("points spent beyond every lot are a debt that later points pay first", () => {
    const book = buildLots([e(50, "2026-01-01T10:00:00Z"), e(-80, "2026-01-02T10:00:00Z", { kind: "reverse", allowNegative: true } as Partial<LedgerFact>), e(100, "2026-02-01T10:00:00Z")], TZ);
    expect(book).toEqual({ lots: [{ originId: expect.any(Number), date: "2026-02-01", remaining: 70 }], debt: 0 });
    expect(buildLots([e(-10, "2026-01-02T10:00:00Z", { kind: "adjust" })], TZ)).toEqual({ lots: [], debt: 10 });
  });
});

describe("reminderDue", () => {
  it.each([
    ["2026-05-01", "2026-03-31", null], // 31 days before: nothing yet
    ["2026-05-01", "2026-04-01", 30],
    ["2026-05-01", "2026-04-20", 30], // first seen 11 days before: the 30-day notice (catch-up)
    ["2026-05-01", "2026-04-28", 3],
    ["2026-05-01", "2026-04-30", 3],
    ["2026-05-01", "2026-05-01", null], // expiry day: nothing to remind of
    ["2027-01-01", "2026-12-29", 3], // across the year end
    ["2028-03-01", "2028-02-27", 3], // across a leap day (Feb 29 counts)
    ["2026-03-30", "2026-03-27", 3], // across Berlin's DST weekend: whole days
  ])("points expiring %s: on %s the %s-day reminder", (on, today, expected) => {
    expect(reminderDue(on, today, [30, 3])).toBe(expected);
  });
});

const base = (over: Partial<ExpiryInput>): ExpiryInput => ({ config: { mode: "lots", reminderDays: [30, 3] }, months: 12, today: "2026-01-01", timeZone: TZ, balance: 0, ...over });

describe("planExpiry", () => {
  it("lots: each earn expires N months later at the start of that day; reminders for the next ones", () => {
    const entries = [e(100, "2025-01-15T10:00:00Z"), e(40, "2025-02-20T10:00:00Z"), e(-30, "2025-03-01T10:00:00Z"), e(25, "2025-03-10T10:00:00Z")];
    const plan = planExpiry(base({ entries, balance: 135, today: "2026-02-20" }));
    expect(plan.expire).toEqual([
      { on: "2026-01-15", points: 70 },
      { on: "2026-02-20", points: 40 },
    ]);
    expect(plan.next).toEqual({ on: "2026-03-10", points: 25 });
    expect(plan.remind).toEqual([{ on: "2026-03-10", points: 25, daysBefore: 30 }]);
    // the day before the expiry date nothing expires yet
    expect(planExpiry(base({ entries, balance: 135, today: "2026-01-14" })).expire).toEqual([]);
  });

  it("lots: a leap-day earn expires on Feb 28 a year later", () => {
    const plan = planExpiry(base({ entries: [e(10, "2024-02-29T12:00:00Z")], balance: 10, today: "2025-02-28" }));
    expect(plan.expire).toEqual([{ on: "2025-02-28", points: 10 }]);
  });

  it("lots: never more than the balance", () => {
    const plan = planExpiry(base({ entries: [e(100, "2025-01-15T10:00:00Z")], balance: 60, today: "2026-02-01" }));
    expect(plan.expire).toEqual([{ on: "2026-01-15", points: 60 }]);
  });

  it("inactivity: everything expires N months after the last earn or redemption", () => {
    const config = { mode: "inactivity" as const, reminderDays: [30, 3] };
    const last = at("2025-10-25T21:30:00Z"); // 23:30 CEST, the evening before Berlin falls back (22:30 UTC would be the 26th)
    expect(planExpiry(base({ config, balance: 500, lastActivityAt: last, today: "2026-10-24" })).remind).toEqual([{ on: "2026-10-25", points: 500, daysBefore: 3 }]);
    expect(planExpiry(base({ config, balance: 500, lastActivityAt: last, today: "2026-10-25" })).expire).toEqual([{ on: "2026-10-25", points: 500 }]);
    expect(planExpiry(base({ config, balance: 0, lastActivityAt: last, today: "2027-01-01" })).expire).toEqual([]);
    expect(planExpiry(base({ config, balance: 10, lastActivityAt: null, today: "2027-01-01" })).expire).toEqual([]);
  });

  it("never: nothing", () => {
    expect(planExpiry(base({ config: { mode: "never", reminderDays: [30] }, entries: [e(1, "2000-01-01T00:00:00Z")], balance: 1, today: "2026-01-01" }))).toEqual({ expire: [], remind: [], next: null, upcoming: [] });
  });

  it("a tier may keep points longer", () => {
    const cfg = { months: 12, tierMonths: { gold: 24 } };
    expect(monthsFor(cfg, "gold")).toBe(24);
    expect(monthsFor(cfg, "silver")).toBe(12);
    expect(monthsFor(cfg, null)).toBe(12);
  });
});

describe("nextExpiryDate", () => {
  it.each([
    // the next of: 30 and 3 days before each date, and the date itself
    [[{ on: "2026-05-01", points: 1 }], "2026-03-01", "2026-04-01"],
    [[{ on: "2026-05-01", points: 1 }], "2026-04-01", "2026-04-28"],
    [[{ on: "2026-05-01", points: 1 }], "2026-04-29", "2026-05-01"],
    [[{ on: "2026-05-01", points: 1 }, { on: "2026-04-10", points: 2 }], "2026-03-01", "2026-03-11"],
    [[{ on: "2027-01-02", points: 1 }], "2026-12-29", "2026-12-30"],
    [[], "2026-01-01", null],
  ])("upcoming %j on %s: next %s", (upcoming, today, expected) => {
    expect(nextExpiryDate(upcoming, today, [30, 3])).toBe(expected);
  });
});
