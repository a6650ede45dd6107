// Points expiry: never; all points after N months without earning or redeeming; or per lot, N months
// after each earn with the oldest points spent first. Pure: storage feeds it the member's entries
// (lots) or last activity, and posts what it says as `expire` entries keyed by member and date.
// Dates are the shop's calendar dates; points expire at the start of their expiry date.
// docs/decisions/0010.
import { addDays, addMonths, daysBetween, localDate } from "./periods";
import type { ExpiryConfig } from "./program";
import type { LedgerFact } from "./tiers";

/** Points from one earn (or adjustment) still unspent. `date` is the shop's date of the earn. */
export interface Lot {
  originId: number;
  date: string;
  remaining: number;
}

export interface LotBook {
  /** oldest first */
  lots: Lot[];
  /** points spent beyond every lot (a clawback after spending); new points pay it first */
  debt: number;
}

/**
 * Replays a member's available-bucket entries in order into lots:
 *  - every positive entry is a lot dated on its day; a release of pending points is dated on the
 *    day of the earn it releases ("N months after each earn");
 *  - a negative entry takes from the lot of the entry it reverses first (a refund claws back that
 *    order's points), then from the oldest lots; what no lot covers is debt, paid by later points.
 * Entries must come in id order.
 */
export function buildLots(entries: readonly LedgerFact[], timeZone: string): LotBook {
  const lots: Lot[] = [];
  const byOrigin = new Map<number, Lot>();
  let first = 0;
  let debt = 0;
  for (let index = 0; index < entries.length; index++) {
    const e = entries[index];
    if (e.bucket !== "available") continue;
    if (e.points > 0) {
      let amount = e.points;
      const paid = Math.min(debt, amount);
      debt -= paid;
      amount -= paid;
      if (amount === 0) continue;
      const origin = e.kind === "release" && e.reversesId !== null ? e.reversesId : e.id;
      const lot: Lot = { originId: origin, date: localDate(origin === e.id ? e.at : (dateBefore(entries, index, origin) ?? e.at), timeZone), remaining: amount };
      byOrigin.set(origin, lot);
      // usually the newest; a released earn may be older than lots after it
      let i = lots.length;
      while (i > first && lots[i - 1].date > lot.date) i--;
      lots.splice(i, 0, lot);
    } else if (e.points < 0) {
      let need = -e.points;
      if (e.reversesId !== null) {
        const own = byOrigin.get(e.reversesId);
        if (own && own.remaining > 0) {
          const take = Math.min(own.remaining, need);
          own.remaining -= take;
          need -= take;
        }
      }
      for (let i = first; need > 0 && i < lots.length; i++) {
        const take = Math.min(lots[i].remaining, need);
        lots[i].remaining -= take;
        need -= take;
      }
      while (first < lots.length && lots[first].remaining === 0) first++;
      debt += need;
    }
  }
  return { lots: lots.slice(first).filter((l) => l.remaining > 0), debt };
}

/** When the latest entry up to `index` with this id was made (a release's earn, usually a few
 *  entries back); looked up only for releases instead of remembering every entry's time. */
function dateBefore(entries: readonly LedgerFact[], index: number, id: number): number | undefined {
  for (let i = index; i >= 0; i--) if (entries[i].id === id) return entries[i].at;
  return undefined;
}

export interface Dated {
  /** the shop's date on which the points expire (at its start) */
  on: string;
  points: number;
}

export interface Reminder extends Dated {
  daysBefore: number;
}

export interface ExpiryPlan {
  /** due now, oldest date first; each becomes one entry `expire:<member>:<on>` */
  expire: Dated[];
  /** reminders due today for points expiring later */
  remind: Reminder[];
  /** the next date points expire on after the ones above, with how many */
  next: Dated | null;
  /** every later expiry date with its points, oldest first */
  upcoming: Dated[];
}

export interface ExpiryInput {
  config: Pick<ExpiryConfig, "mode" | "reminderDays">;
  /** months for this member (the tier's override or the program's) */
  months: number;
  /** the shop's date today */
  today: string;
  timeZone: string;
  /** the member's available balance */
  balance: number;
  /** lots mode: the member's entries in id order */
  entries?: readonly LedgerFact[];
  /** inactivity mode: the last earn or redemption (ms); null: never active */
  lastActivityAt?: number | null;
}

/** The months a member's points last: the tier's override, else the program's. */
export function monthsFor(config: Pick<ExpiryConfig, "months" | "tierMonths">, tierId: string | null): number {
  return (tierId !== null ? config.tierMonths[tierId] : undefined) ?? config.months;
}

/** The reminder due on `today` for points expiring `on`: the smallest configured lead time that has
 *  been reached (so a member first seen 10 days before gets the 30-day notice, not nothing). */
export function reminderDue(on: string, today: string, reminderDays: readonly number[]): number | null {
  const left = daysBetween(today, on);
  if (left <= 0) return null;
  const reached = reminderDays.filter((d) => left <= d);
  return reached.length ? Math.min(...reached) : null;
}

/** What expires for a member today, and which reminders are due. */
export function planExpiry(input: ExpiryInput): ExpiryPlan {
  const { config, months, today } = input;
  const plan: ExpiryPlan = { expire: [], remind: [], next: null, upcoming: [] };
  if (config.mode === "never" || input.balance <= 0) return plan;
  let upcoming: Dated[] = [];
  if (config.mode === "inactivity") {
    if (input.lastActivityAt === null || input.lastActivityAt === undefined) return plan;
    const on = addMonths(localDate(input.lastActivityAt, input.timeZone), months);
    if (on <= today) plan.expire.push({ on, points: input.balance });
    else upcoming = [{ on, points: input.balance }];
  } else {
    const book = buildLots(input.entries ?? [], input.timeZone);
    const byDate = new Map<string, number>();
    for (const lot of book.lots) {
      const on = addMonths(lot.date, months);
      byDate.set(on, (byDate.get(on) ?? 0) + lot.remaining);
    }
    let left = input.balance;
    for (const on of [...byDate.keys()].sort()) {
      // never more than the balance: a ledger out of step must not take points that aren't there
      const points = Math.min(byDate.get(on)!, left);
      if (points <= 0) break;
      left -= points;
      if (on <= today) plan.expire.push({ on, points });
      else upcoming.push({ on, points });
    }
  }
  plan.next = upcoming[0] ?? null;
  plan.upcoming = upcoming;
  for (const u of upcoming) {
    const d = reminderDue(u.on, today, config.reminderDays);
    if (d !== null) plan.remind.push({ ...u, daysBefore: d });
  }
  return plan;
}

/** The first shop date after `today` on which expiry has something to do for these upcoming dates:
 *  a reminder comes due or points expire. Null when nothing is coming. */
export function nextExpiryDate(upcoming: readonly Dated[], today: string, reminderDays: readonly number[]): string | null {
  let next: string | null = null;
  for (const u of upcoming) {
    for (const d of [0, ...reminderDays]) {
      const date = addDays(u.on, -d);
      if (date > today && (next === null || date < next)) next = date;
    }
  }
  return next;
}

export const expiryKeys = {
  entry: (memberId: number, on: string) => `expire:${memberId}:${on}`,
  reminder: (memberId: number, on: string, daysBefore: number) => `expiring:${memberId}:${on}:${daysBefore}`,
};
