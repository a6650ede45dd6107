// Engagement earning: account creation, newsletter, birthday, social follows, reviews and the
// merchant's custom events. Each is once per its business fact (an idempotency key), within the
// rule's cap and the program's daily cap, and stops at once when the rule or the program is off.
import { periodKey } from "~/domain/periods";
import type { Program, SocialNetwork } from "~/domain/program";
import type { Queryable, Sql } from "~/lib/sql.server";
import { consume } from "./counters.server";
import { isExcluded, programOf } from "./earning.server";
import { ensureMember, postEntry, postEntryIn, type MemberProfile } from "./ledger.server";
import { levelOf } from "~/domain/tiers";
import { ensureShop } from "./shops.server";

export type Action =
  | { kind: "signup" }
  | { kind: "newsletter" }
  | { kind: "birthday"; year: number }
  | { kind: "review"; subject: string }
  | { kind: "social"; network: SocialNetwork }
  | { kind: "custom"; event: string; points: number; key: string; note?: string };

export type ActionOutcome =
  | { status: "earned"; points: number; entryId: number; memberId: number }
  | { status: "duplicate"; entryId: number }
  | { status: "skipped"; reason: string };

export class ActionRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function ruleOf(action: Action): keyof Program["actions"] {
  return action.kind;
}

function keyOf(customerGid: string, a: Action): string {
  switch (a.kind) {
    case "signup":
    case "newsletter":
      return `earn:${a.kind}:${customerGid}`;
    case "birthday":
      return `earn:birthday:${customerGid}:${a.year}`;
    case "review":
      return `earn:review:${customerGid}:${a.subject}`;
    case "social":
      return `earn:social:${a.network}:${customerGid}`;
    case "custom":
      return `earn:custom:${a.key}`;
  }
}

function pointsOf(program: Program, a: Action): number {
  if (a.kind === "custom") {
    if (!Number.isInteger(a.points) || a.points <= 0) throw new ActionRejected("points must be a whole number above 0");
    if (a.points > program.actions.custom.maxPointsPerEvent) throw new ActionRejected(`points above the program's limit of ${program.actions.custom.maxPointsPerEvent} per event`);
    return a.points;
  }
  return program.actions[a.kind].points;
}

/** Awards an engagement action inside the caller's transaction. */
export async function earnActionIn(q: Queryable, shop: string, customerGid: string, action: Action, opts: { now?: number; profile?: MemberProfile } = {}): Promise<ActionOutcome> {
  const now = opts.now ?? Date.now();
  const settings = await ensureShop(q, shop);
  const program = programOf(settings);
  const rule = ruleOf(action);
  if (!program.enabled) return { status: "skipped", reason: "program off" };
  if (!program.actions[rule].enabled) return { status: "skipped", reason: `${rule} off` };
  if (action.kind === "social" && !program.actions.social.networks[action.network].enabled) return { status: "skipped", reason: `${action.network} off` };
  const wanted = pointsOf(program, action);
  const memberId = await ensureMember(q, shop, customerGid, opts.profile);
  if (await isExcluded(q, shop, memberId)) return { status: "skipped", reason: "member excluded" };
  const key = keyOf(customerGid, action);
  const existing = await q.get<{ id: number }>(`SELECT id FROM ledger_entries WHERE shop = ? AND idempotency_key = ?`, [shop, key]);
  if (existing) return { status: "duplicate", entryId: Number(existing.id) };

  let points = wanted;
  const at = new Date(now);
  const cap = program.caps.perRule[rule];
  if (cap) points = await consume(q, shop, `rule:${rule}:member:${memberId}`, periodKey(cap.period, at, settings.iana_timezone), points, cap.max);
  if (program.caps.dailyGlobalPoints !== undefined && points > 0) {
    points = await consume(q, shop, `global:daily:member:${memberId}`, periodKey("day", at, settings.iana_timezone), points, program.caps.dailyGlobalPoints);
  }
  if (points <= 0) return { status: "skipped", reason: "cap reached" };
  const posted = await postEntryIn(q, shop, {
    memberId,
    bucket: "available",
    points,
    kind: "earn",
    reason: action.kind === "social" ? `social:${action.network}` : action.kind === "custom" ? `custom:${action.event}`.slice(0, 100) : action.kind,
    sourceType: action.kind,
    sourceId: action.kind === "review" ? action.subject : action.kind === "custom" ? action.key : customerGid,
    idempotencyKey: key,
    note: action.kind === "custom" ? (action.note ?? null) : points < wanted ? `capped to ${points} of ${wanted} pts` : null,
    at: now,
  });
  if (posted.duplicate) return { status: "duplicate", entryId: posted.entryId };
  return { status: "earned", points, entryId: posted.entryId, memberId };
}

export function earnAction(sql: Sql, shop: string, customerGid: string, action: Action, opts: { now?: number; profile?: MemberProfile } = {}) {
  return sql.tx((q) => earnActionIn(q, shop, customerGid, action, opts));
}

/** A birthday as merchants keep it in a metafield: a date (1990-07-04), 07-04, or 04.07.(1990). */
export function monthDayFrom(value: string): string | null {
  const v = value.trim();
  let m = /^(?:\d{4}-)?(\d{2})-(\d{2})$/.exec(v);
  if (m) return `${m[1]}-${m[2]}`;
  m = /^(\d{1,2})\.(\d{1,2})\.(?:\d{2,4})?$/.exec(v);
  if (m) return `${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}`;
  return null;
}

/** The shopper gives a birthday once (MM-DD); later changes go through the merchant. With
 *  `fromShop` (the merchant's metafield), the shop's value replaces what was there. */
export async function setBirthday(sql: Sql, shop: string, customerGid: string, monthDay: string, opts: { fromShop?: boolean } = {}): Promise<"set" | "unchanged" | "locked"> {
  const m = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.exec(monthDay);
  if (!m) throw new ActionRejected("birthday must be MM-DD");
  const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Number(m[1]) - 1];
  if (Number(m[2]) > days) throw new ActionRejected("no such day");
  return sql.tx(async (q) => {
    const memberId = await ensureMember(q, shop, customerGid);
    const row = await q.get<{ birthday: string | null }>(`SELECT birthday FROM members WHERE id = ? AND shop = ?`, [memberId, shop]);
    if (row?.birthday === monthDay) return "unchanged";
    if (row?.birthday && !opts.fromShop) return "locked";
    await q.run(`UPDATE members SET birthday = ? WHERE id = ? AND shop = ?`, [monthDay, memberId, shop]);
    return "set";
  });
}

/** Today's month-day in the shop's timezone. */
export function monthDayIn(timeZone: string, at: Date): { monthDay: string; year: number } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at).map((p) => [p.type, p.value]));
  return { monthDay: `${parts.month}-${parts.day}`, year: Number(parts.year) };
}

/** The daily birthday run for one shop: members whose birthday is today (29 Feb: 28 Feb in other years). */
export async function awardBirthdays(sql: Sql, shop: string, now = Date.now()): Promise<number> {
  const settings = await ensureShop(sql, shop);
  const { monthDay, year } = monthDayIn(settings.iana_timezone, new Date(now));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = monthDay === "02-28" && !leap ? ["02-28", "02-29"] : [monthDay];
  // an excluded member earns nothing (decision 0011): neither the birthday action nor the tier's bonus
  const members = await sql.all<{ id: number; customer_gid: string; tier_id: string | null }>(
    `SELECT id, customer_gid, tier_id FROM members WHERE shop = ? AND redacted_at IS NULL AND excluded_at IS NULL AND birthday IN (${days.map(() => "?").join(",")})`,
    [shop, ...days],
  );
  const program = programOf(settings);
  let earned = 0;
  for (const m of members) {
    const r = await earnAction(sql, shop, m.customer_gid, { kind: "birthday", year }, { now });
    if (r.status === "earned") earned++;
    // the tier's birthday bonus, a perk of its own (it doesn't need the birthday action on)
    const bonus = program.enabled && program.tiers.enabled ? (levelOf(program.tiers, m.tier_id)?.birthdayBonusPoints ?? 0) : 0;
    if (bonus > 0) {
      await postEntry(sql, shop, {
        memberId: Number(m.id),
        bucket: "available",
        points: bonus,
        kind: "earn",
        reason: "tier birthday bonus",
        sourceType: "tier",
        sourceId: m.tier_id,
        idempotencyKey: `earn:birthday-tier:${m.customer_gid}:${year}`,
        at: now,
      });
    }
  }
  return earned;
}
