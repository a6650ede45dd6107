// Tiers and expiry in storage: the nightly run per shop (tier re-evaluation, expiry, reminders) in
// batches of members by id, one transaction per batch; a single member's evaluation after an order;
// manual assignments and paid memberships. Every function takes the shop and an injected `now`.
import { expiryKeys, monthsFor, nextExpiryDate, planExpiry, type Dated } from "~/domain/expiry";
import { addDays, localDate, startOfLocalDay } from "~/domain/periods";
import type { Program, TierLevel } from "~/domain/program";
import {
  decideTier,
  levelOf,
  nextTierCheck,
  NO_TIER,
  previewTiers,
  tierValue,
  tierWindows,
  type AwardFact,
  type LedgerFact,
  type PreviewMember,
  type TierDecision,
  type TierInput,
  type TierPreview,
  type TierState,
} from "~/domain/tiers";
import { addLocalMonths } from "~/domain/periods";
import type { Queryable, Sql } from "~/lib/sql.server";
import { dbBool, toDate } from "~/lib/sql.server";
import { fe } from "~/domain/errors";
import { parseProgram, ProgramConfigError } from "~/domain/program";
import { localizeFieldError } from "~/lib/i18n";
import { programOf, saveProgram } from "./earning.server";
import { byIdOnly, ensureMember, postEntriesIn, typed } from "./ledger.server";
import { ensureShop, type ShopRow } from "./shops.server";
import { recordAppEvents, type AppEventInput } from "./app-events.server";
import { scheduleMemberSync } from "./member-sync.server";
import { recordNotices, type NoticeInput } from "./messaging.server";
import type { EntryInput } from "~/domain/ledger";

const forUpdate = (q: Queryable) => (q.dialect === "postgres" ? " FOR UPDATE" : "");
const tsOf = (q: Queryable, ms: number | null): unknown => (ms === null ? null : q.dialect === "sqlite" ? ms : new Date(ms));
const msOf = (v: unknown): number | null => toDate(v)?.getTime() ?? null;

interface TierMemberRow {
  id: number;
  points_available: number;
  tier_id: string | null;
  tier_since: unknown;
  tier_until: unknown;
  grace_until: unknown;
  hold_tier_id: string | null;
  hold_until: unknown;
  hold_source: string | null;
  last_activity_at: unknown;
  next_check_at: unknown;
  excluded_at: unknown;
  /** false: tiers were switched on since this member was last placed (decision 0025) */
  tier_placed: unknown;
}

const MEMBER_COLUMNS = "id, points_available, tier_id, tier_since, tier_until, grace_until, hold_tier_id, hold_until, hold_source, last_activity_at, next_check_at, excluded_at, tier_placed";

export function stateOf(row: TierMemberRow): TierState {
  const holdUntil = msOf(row.hold_until);
  return {
    tierId: row.tier_id,
    since: msOf(row.tier_since),
    until: msOf(row.tier_until),
    graceUntil: msOf(row.grace_until),
    hold: row.hold_tier_id && holdUntil !== null ? { tierId: row.hold_tier_id, until: holdUntil, source: row.hold_source === "membership" ? "membership" : "manual" } : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading what members did

export interface MemberFacts {
  entries: LedgerFact[];
  awards: AwardFact[];
}

interface Needs {
  entries: boolean;
  awards: boolean;
  /** entries from this instant on are enough (tier windows without lots); null: all */
  since: number | null;
}

function needsOf(program: Program, now: number, timeZone: string): Needs {
  const tiers = program.tiers.enabled && program.tiers.levels.length > 0 ? program.tiers : null;
  const lots = program.expiry.mode === "lots";
  let since: number | null = null;
  if (tiers && !lots) {
    const w = tierWindows(tiers.window, now, timeZone);
    const from = w.previous ? w.previous.from : w.current.from;
    since = Number.isFinite(from) ? from : null;
  }
  return {
    entries: lots || (tiers !== null && tiers.basis === "points_earned"),
    awards: tiers !== null && tiers.basis !== "points_earned",
    since,
  };
}

async function factsFor(q: Queryable, shop: string, fromId: number, toId: number, needs: Needs, ids?: number[]): Promise<Map<number, MemberFacts>> {
  // a contiguous batch is one range; a sparse one (only the members due) is a list
  const sparse = ids !== undefined && ids.length !== toId - fromId + 1;
  const members = sparse ? `member_id IN (${ids.map(() => "?").join(",")})` : "member_id >= ? AND member_id <= ?";
  const memberParams: unknown[] = sparse ? ids : [fromId, toId];
  const out = new Map<number, MemberFacts>();
  const get = (id: number) => {
    let f = out.get(id);
    if (!f) out.set(id, (f = { entries: [], awards: [] }));
    return f;
  };
  if (needs.entries) {
    // one scan of the members' entries in id order, as arrays with the strings folded into flags
    const since = needs.since === null ? "" : " AND created_at >= ?";
    const params: unknown[] = [shop, ...memberParams];
    if (needs.since !== null) params.push(tsOf(q, needs.since));
    const rows = await q.rows(
      `SELECT member_id, id, points, reverses_id, created_at,
              CASE WHEN bucket = 'pending' THEN 1 ELSE 0 END
              + CASE kind WHEN 'earn' THEN 2 WHEN 'release' THEN 4 WHEN 'reverse' THEN 8 ELSE 0 END
              + CASE WHEN source_type = 'tier' THEN 16 ELSE 0 END AS flags
         FROM ledger_entries WHERE shop = ? AND ${members}${since} ORDER BY member_id, id`,
      params,
    );
    let current = -1;
    let list: LedgerFact[] = [];
    for (const r of rows) {
      const memberId = Number(r[0]);
      if (memberId !== current) {
        current = memberId;
        list = get(memberId).entries;
      }
      const flags = Number(r[5]);
      list.push({
        id: Number(r[1]),
        bucket: flags & 1 ? "pending" : "available",
        points: Number(r[2]),
        kind: flags & 2 ? "earn" : flags & 4 ? "release" : flags & 8 ? "reverse" : "other",
        sourceType: flags & 16 ? "tier" : null,
        reversesId: r[3] === null ? null : Number(r[3]),
        at: typeof r[4] === "number" ? r[4] : msOf(r[4])!,
      });
    }
  }
  if (needs.awards) {
    const rows = await q.all<{ member_id: number; created_at: unknown; base_minor: number; points: number; reversed_points: number }>(
      `SELECT member_id, created_at, base_minor, points, reversed_points FROM earn_awards WHERE shop = ? AND ${members} ORDER BY member_id, id`,
      [shop, ...memberParams],
    );
    for (const r of rows) {
      get(Number(r.member_id)).awards.push({ at: msOf(r.created_at)!, baseMinor: Number(r.base_minor), points: Number(r.points), reversedPoints: Number(r.reversed_points) });
    }
  }
  return out;
}

/** The tier value now and (calendar year) last year, from a member's facts. */
export function valuesOf(program: Program, facts: MemberFacts | undefined, now: number, timeZone: string): { value: number; previousValue?: number } {
  const t = program.tiers;
  const w = tierWindows(t.window, now, timeZone);
  const entries = facts?.entries ?? [];
  const awards = facts?.awards ?? [];
  return {
    value: tierValue(t.basis, w.current, entries, awards),
    ...(w.previous ? { previousValue: tierValue(t.basis, w.previous, entries, awards) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing a decision

export interface RunSummary {
  members: number;
  up: number;
  down: number;
  expiredPoints: number;
  expiredEntries: number;
  reminders: number;
}

/** "Nothing due until something is posted": a date no run reaches, so the filter skips the member. */
const FAR_FUTURE = Date.UTC(9999, 0, 1);

const emptySummary = (): RunSummary => ({ members: 0, up: 0, down: 0, expiredPoints: 0, expiredEntries: 0, reminders: 0 });

function names(level: TierLevel | undefined) {
  return level ? level.name : null;
}

const sameMs = (a: number | null, b: number | null) => a === b;

function tierInput(program: Program, timeZone: string, now: number, state: TierState, values: { value: number; previousValue?: number }): TierInput {
  return { config: program.tiers, timeZone, now, state, ...values };
}

/** Rows per multi-row statement (parameters stay far below both databases' limits). */
const ROWS_PER_STATEMENT = 400;

function chunked<T>(list: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** One member's way through a batch. */
interface Work {
  row: TierMemberRow;
  id: number;
  /** the first placement after tiers were switched on: recorded, but no entry reward, notice or event (0025) */
  placing: boolean;
  before: TierState;
  decision: TierDecision | null;
  values: { value: number; previousValue?: number } | null;
  /** the state the tier update wrote (its conditional update found the tier read) */
  stored: boolean;
  change: { key: string; direction: "up" | "down" } | null;
  /** the tier change row is new (not a re-run's) */
  changeNew: boolean;
  balance: number;
  tierId: string | null;
  notices: NoticeInput[];
  expired: { points: number; on: string } | null;
  reminders: NoticeInput[];
  upcoming: Dated[];
}

/**
 * Decides and stores tiers, expiry and reminders for a batch of members inside the caller's
 * transaction, with the same steps for each member as one at a time — the new tier state by a
 * conditional update (the tier read must still be there), the change with its reason, the entry
 * reward of a tier reached, expiry through the ledger, notices — but every step as a few multi-row
 * statements for the whole batch (docs/decisions/0016). Returns when each member needs looking at
 * again (null: not until something is posted for them).
 */
async function processBatch(q: Queryable, shop: string, program: Program, rows: readonly TierMemberRow[], facts: Map<number, MemberFacts>, now: number, timeZone: string, summary: RunSummary, extra: Partial<TierInput> = {}, staff?: string): Promise<Map<number, number | null>> {
  const tiersOn = program.tiers.enabled && program.tiers.levels.length > 0;
  const today = localDate(now, timeZone);
  const int = typed(q, "int");
  const text = typed(q, "text");
  const tsT = typed(q, "ts");
  const yes = q.dialect === "sqlite" ? "1" : "true";
  const work: Work[] = rows.map((row) => {
    const before = stateOf(row);
    const w: Work = { row, id: Number(row.id), placing: tiersOn && !dbBool(row.tier_placed), before, decision: null, values: null, stored: false, change: null, changeNew: false, balance: Number(row.points_available), tierId: row.tier_id, notices: [], expired: null, reminders: [], upcoming: [] };
    if (tiersOn) {
      w.values = valuesOf(program, facts.get(w.id), now, timeZone);
      w.decision = decideTier({ ...tierInput(program, timeZone, now, before, w.values), ...extra });
    }
    return w;
  });

  // 1. the new tier states, conditional on the tier read
  const changed = work.filter((w) => {
    const s = w.decision?.state;
    if (!s) return false;
    return s.tierId !== w.before.tierId || !sameMs(s.since, w.before.since) || !sameMs(s.until, w.before.until) || !sameMs(s.graceUntil, w.before.graceUntil);
  });
  for (const part of chunked(changed)) {
    const params: unknown[] = [];
    for (const w of part) {
      const s = w.decision!.state;
      // a hold that has ended is cleared once the member has moved past it
      const clearHold = w.before.hold !== null && w.before.hold.until <= now && s.tierId !== w.before.tierId;
      // a new tier is in the customer's metafields (member-sync.server.ts): the move marks them stale;
      // and the member counts as placed (0025) — both in this one update
      params.push(w.id, s.tierId, tsOf(q, s.since), tsOf(q, s.until), tsOf(q, s.graceUntil), clearHold ? 1 : 0, w.before.tierId ?? "", s.tierId !== w.before.tierId ? 1 : 0, w.placing ? 1 : 0);
    }
    params.push(shop);
    const updated = await q.all<{ id: number }>(
      `UPDATE members${byIdOnly(q)} SET tier_id = v.column2, tier_since = v.column3, tier_until = v.column4, grace_until = v.column5,
              hold_tier_id = CASE WHEN v.column6 = 1 THEN NULL ELSE hold_tier_id END,
              hold_until = CASE WHEN v.column6 = 1 THEN NULL ELSE hold_until END,
              hold_source = CASE WHEN v.column6 = 1 THEN NULL ELSE hold_source END,
              metafields_dirty = CASE WHEN v.column8 = 1 THEN ${yes} ELSE metafields_dirty END,
              tier_placed = CASE WHEN v.column9 = 1 THEN ${yes} ELSE tier_placed END
         FROM (VALUES ${part.map(() => `(${int}, ${text}, ${tsT}, ${tsT}, ${tsT}, ${int}, ${text}, ${int}, ${int})`).join(", ")}) AS v
        WHERE members.id = v.column1 AND members.shop = ? AND COALESCE(members.tier_id, '') = v.column7 || ''
        RETURNING id`,
      params,
    );
    const ok = new Set(updated.map((r) => Number(r.id)));
    for (const w of part) w.stored = ok.has(w.id);
  }

  // the others placed now (the changed ones were in the update above; a stale read is placed by the
  // next run): from here on a move is the member's own doing
  const changedSet = new Set(changed);
  const placed = work.filter((w) => w.placing && !changedSet.has(w)).map((w) => w.id);
  for (const part of chunked(placed)) {
    await q.run(`UPDATE members${byIdOnly(q)} SET tier_placed = ? WHERE shop = ? AND id IN (${part.map(() => "?").join(", ")})`, [q.dialect === "sqlite" ? 1 : true, shop, ...part]);
  }

  // 2. the changes with their reasons, once per member, move and day
  const moves: Work[] = [];
  for (const w of changed) {
    if (!w.stored) continue;
    const d = w.decision!;
    const s = d.state;
    if (d.graceStarted && s.graceUntil !== null && !w.placing) {
      w.notices.push({ memberId: w.id, kind: "tier_grace", payload: { tier: w.before.tierId, name: names(levelOf(program.tiers, w.before.tierId)), until: new Date(s.graceUntil).toISOString() }, dueAt: now, dedupeKey: `tier-grace:${w.id}:${w.before.tierId}:${localDate(s.graceUntil, timeZone)}` });
    }
    const c = d.change;
    if (!c) continue;
    w.change = { key: `tier:${w.id}:${c.from ?? "none"}>${c.to ?? "none"}:${today}`, direction: c.direction };
    summary[c.direction]++;
    w.tierId = s.tierId;
    moves.push(w);
  }
  for (const part of chunked(moves)) {
    const params: unknown[] = [];
    for (const w of part) {
      const c = w.decision!.change!;
      params.push(shop, w.id, c.from, c.to, c.reason, JSON.stringify({ ...w.values, basis: program.tiers.basis, window: program.tiers.window, ...(staff ? { staff } : {}), ...(w.placing ? { placement: true } : {}) }), w.change!.key, tsOf(q, now));
    }
    const inserted = await q.all<{ idempotency_key: string }>(
      `INSERT INTO tier_changes (shop, member_id, from_tier, to_tier, reason, detail, idempotency_key, created_at)
       VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
       ON CONFLICT (shop, idempotency_key) DO NOTHING RETURNING idempotency_key`,
      params,
    );
    const fresh = new Set(inserted.map((r) => r.idempotency_key));
    for (const w of part) w.changeNew = fresh.has(w.change!.key);
  }

  // the moved members' metafields were marked stale with their tier: the sync writes them
  if (changed.some((w) => w.stored && w.decision!.state.tierId !== w.before.tierId)) await scheduleMemberSync(q, shop);

  // 3. entry rewards of tiers reached (once per member and tier, however often they move in and out);
  //    an excluded member earns nothing (decision 0011) but still holds the tier its activity reaches
  //    and the first placement after tiers were switched on earns none either (decision 0025)
  const rewardOf = (w: Work) => (w.row.excluded_at || w.placing ? 0 : (levelOf(program.tiers, w.decision!.change!.to)?.entryRewardPoints ?? 0));
  const rewarded = moves.filter((w) => w.changeNew && w.change!.direction === "up" && rewardOf(w) > 0);
  const rewards = await postEntriesIn(
    q,
    shop,
    rewarded.map((w) => {
      const level = levelOf(program.tiers, w.decision!.change!.to)!;
      return {
        memberId: w.id,
        bucket: "available" as const,
        points: level.entryRewardPoints,
        kind: "earn" as const,
        reason: "tier entry",
        sourceType: "tier",
        sourceId: level.id,
        idempotencyKey: `earn:tier-entry:${w.id}:${level.id}`,
        note: `entered ${level.name.en}`,
        at: now,
      };
    }),
    now,
  );
  rewarded.forEach((w, i) => {
    const r = rewards[i];
    if (r.status === "posted") w.balance = r.available;
  });
  for (const w of moves) {
    if (!w.changeNew || w.placing) continue;
    const c = w.decision!.change!;
    const level = levelOf(program.tiers, c.to);
    w.notices.push({
      memberId: w.id,
      kind: c.direction === "up" ? "tier_up" : "tier_down",
      payload: { from: c.from, to: c.to, reason: c.reason, fromName: names(levelOf(program.tiers, c.from)), toName: names(level), entryRewardPoints: c.direction === "up" ? rewardOf(w) : 0 },
      dueAt: now,
      dedupeKey: w.change!.key,
    });
  }

  // 4. expiry: one entry per member for everything due, keyed by the latest date it covers (a re-run
  //    finds it; what it expired is gone from the lots, so the next key is later), and reminders
  const e = program.expiry;
  const expiring: Work[] = [];
  const expiryEntries: EntryInput[] = [];
  if (e.mode !== "never") {
    for (const w of work) {
      if (w.balance <= 0) continue;
      const months = monthsFor(e, tiersOn ? w.tierId : null);
      const plan = planExpiry({ config: e, months, today, timeZone, balance: w.balance, entries: facts.get(w.id)?.entries, lastActivityAt: msOf(w.row.last_activity_at) });
      w.upcoming = plan.upcoming;
      for (const r of plan.remind) {
        w.reminders.push({ memberId: w.id, kind: "points_expiring", payload: { points: r.points, on: r.on, daysBefore: r.daysBefore }, dueAt: now, dedupeKey: expiryKeys.reminder(w.id, r.on, r.daysBefore) });
      }
      if (plan.expire.length === 0) continue;
      const last = plan.expire[plan.expire.length - 1].on;
      const points = plan.expire.reduce((s, x) => s + x.points, 0);
      w.expired = { points, on: last };
      expiring.push(w);
      expiryEntries.push({
        memberId: w.id,
        bucket: "available",
        points: -points,
        kind: "expire",
        reason: e.mode === "inactivity" ? "expired: inactivity" : "expired",
        sourceType: "expiry",
        sourceId: last,
        idempotencyKey: expiryKeys.entry(w.id, last),
        note: e.mode === "inactivity" ? `no earning or redemption for ${months} months` : `earned ${months} months before ${plan.expire.map((x) => `${x.on} (${x.points})`).join(", ")}`.slice(0, 1000),
        at: now,
      });
    }
  }
  const expiries = await postEntriesIn(q, shop, expiryEntries, now);
  expiring.forEach((w, i) => {
    // duplicate: a re-run; insufficient: spent meanwhile, nothing to expire this time
    if (expiries[i].status !== "posted") return;
    summary.expiredPoints += w.expired!.points;
    summary.expiredEntries++;
    w.notices.push({ memberId: w.id, kind: "points_expired", payload: { points: w.expired!.points, on: w.expired!.on }, dueAt: now, dedupeKey: `expired:${w.id}:${w.expired!.on}` });
  });

  // 5. the notices, in each member's order
  const notices: NoticeInput[] = [];
  const isReminder: boolean[] = [];
  for (const w of work) {
    for (const n of w.notices) {
      notices.push(n);
      isReminder.push(false);
    }
    for (const n of w.reminders) {
      notices.push(n);
      isReminder.push(true);
    }
  }
  const recorded = await recordNotices(q, shop, notices, program.messaging);
  recorded.forEach((ok, i) => {
    if (ok && isReminder[i]) summary.reminders++;
  });
  // ... and the same facts as business events for Flow and outbound webhooks (decision 0020)
  const events: AppEventInput[] = [];
  for (const w of work) {
    if (w.changeNew && !w.placing) {
      const c = w.decision!.change!;
      events.push({ kind: "tier_changed", memberId: w.id, data: { fromTier: c.from, toTier: c.to, direction: c.direction }, dedupeKey: w.change!.key });
    }
    for (const r of w.reminders) {
      const p = r.payload as { points: number; on: string };
      events.push({ kind: "points_expiring", memberId: w.id, data: { points: p.points, expiresOn: p.on }, dedupeKey: r.dedupeKey });
    }
  }
  await recordAppEvents(q, shop, events, now);

  // 6. when each member needs looking at again, unless something is posted for them before
  const next = new Map<number, number | null>();
  for (const w of work) {
    const state = w.decision?.state ?? w.before;
    const expiryDate = nextExpiryDate(w.upcoming, today, program.expiry.reminderDays);
    const f = facts.get(w.id);
    const candidates = [
      tiersOn ? nextTierCheck(program.tiers, state, now, timeZone, f?.entries ?? [], f?.awards ?? []) : null,
      expiryDate === null ? null : startOfLocalDay(expiryDate, timeZone),
    ].filter((t): t is number => t !== null);
    next.set(w.id, candidates.length ? Math.min(...candidates) : null);
  }
  return next;
}

/** Stores when each member of a batch needs looking at again. */
async function storeNextChecks(q: Queryable, shop: string, next: Map<number, number | null>): Promise<void> {
  const int = typed(q, "int");
  const tsT = typed(q, "ts");
  for (const part of chunked([...next])) {
    await q.run(
      `UPDATE members${byIdOnly(q)} SET next_check_at = v.column2 FROM (VALUES ${part.map(() => `(${int}, ${tsT})`).join(", ")}) AS v WHERE members.id = v.column1 AND members.shop = ?`,
      [...part.flatMap(([id, at]) => [id, tsOf(q, at ?? FAR_FUTURE)]), shop],
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The nightly run

export interface NightlyOptions {
  batch?: number;
  /** called after each committed batch (progress, tests) */
  onBatch?: (lastId: number, summary: RunSummary) => void;
}

/** Tier re-evaluation, expiry and reminders for every member of the shop, in batches by member id;
 *  each batch commits on its own, and a re-run (same day or after a crash) changes nothing twice. */
export async function runNightly(sql: Sql, shop: string, now: number, options: NightlyOptions = {}): Promise<RunSummary> {
  const settings = await ensureShop(sql, shop);
  const program = programOf(settings);
  const summary = emptySummary();
  const tiersOn = program.tiers.enabled && program.tiers.levels.length > 0;
  if (!tiersOn && program.expiry.mode === "never") return summary;
  const timeZone = settings.iana_timezone;
  const needs = needsOf(program, now, timeZone);
  const batch = options.batch ?? 2000;
  let after = 0;
  // SQLite: checkpoint the WAL into the database once at the end rather than every ~4 MB — a page
  // changed by several batches is copied once (the launch night of a big shop: ~5 % less time)
  const sqlite = sql.dialect === "sqlite";
  if (sqlite) await sql.exec("PRAGMA wal_autocheckpoint = 20000");
  try {
    await nightlyBatches();
  } finally {
    if (sqlite) {
      await sql.exec("PRAGMA wal_autocheckpoint = 1000");
      await sql.exec("PRAGMA wal_checkpoint(PASSIVE)");
    }
  }
  return summary;

  async function nightlyBatches() {
    for (;;) {
      const done = await sql.tx(async (q) => {
        // members due: never looked at, something posted since (next_check_at cleared), or a date reached
        const filter = (tiersOn ? "" : " AND points_available > 0") + " AND (next_check_at IS NULL OR next_check_at <= ?)";
        // no NOT INDEXED here: for a small shop in a big database the planner's (shop, …) index is the
        // right walk; the primary key from `after` would read every other shop's members too
        const rows = await q.all<TierMemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE shop = ? AND id > ?${filter} ORDER BY id LIMIT ?${forUpdate(q)}`, [shop, after, tsOf(q, now), batch]);
        if (rows.length === 0) return true;
        const first = Number(rows[0].id);
        const last = Number(rows[rows.length - 1].id);
        const ids = rows.map((r) => Number(r.id));
        const facts = needs.entries || needs.awards ? await factsFor(q, shop, first, last, needs, ids) : new Map<number, MemberFacts>();
        const next = await processBatch(q, shop, program, rows, facts, now, timeZone, summary);
        await storeNextChecks(q, shop, next);
        summary.members += rows.length;
        after = last;
        return rows.length < batch;
      });
      options.onBatch?.(after, summary);
      if (done) break;
    }
  }
}

/** Re-evaluates one member now (after an order, an assignment or a refund). */
export async function evaluateMemberIn(q: Queryable, shop: string, memberId: number, now: number, extra: Partial<TierInput> = {}, staff?: string): Promise<RunSummary> {
  const settings = await ensureShop(q, shop);
  const program = programOf(settings);
  const summary = emptySummary();
  if (!program.tiers.enabled || program.tiers.levels.length === 0) return summary;
  const row = await q.get<TierMemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE shop = ? AND id = ?${forUpdate(q)}`, [shop, memberId]);
  if (!row) return summary;
  const needs = { ...needsOf(program, now, settings.iana_timezone), entries: program.tiers.basis === "points_earned" };
  const facts = await factsFor(q, shop, memberId, memberId, needs);
  // tiers only: expiry belongs to the nightly run
  const noExpiry = { ...program, expiry: { ...program.expiry, mode: "never" as const } };
  await processBatch(q, shop, noExpiry, [row], facts, now, settings.iana_timezone, summary, extra, staff);
  // the nightly run looks at the member again (its dates may have moved)
  await q.run(`UPDATE members SET next_check_at = NULL WHERE id = ? AND shop = ?`, [memberId, shop]);
  summary.members = 1;
  return summary;
}

export function evaluateMember(sql: Sql, shop: string, memberId: number, now: number): Promise<RunSummary> {
  return sql.tx((q) => evaluateMemberIn(q, shop, memberId, now));
}

// ---------------------------------------------------------------------------------------------
// Manual assignment and paid membership

export class TierAssignError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(Object.values(fieldErrors).map((m) => localizeFieldError("en", m)).join("; "));
  }
}

/** The merchant gives a member a tier until an end date; the member moves up at once if it is
 *  higher, and back (after grace) when it ends. */
export function assignTier(sql: Sql, shop: string, memberId: number, tierId: string, until: number, staff: string, now: number): Promise<RunSummary> {
  return sql.tx((q) => assignTierIn(q, shop, memberId, tierId, until, staff, now));
}

/** assignTier inside the caller's transaction (a Flow action records its run in the same one). */
export async function assignTierIn(q: Queryable, shop: string, memberId: number, tierId: string, until: number, staff: string, now: number): Promise<RunSummary> {
  const program = programOf(await ensureShop(q, shop));
  if (!program.tiers.enabled) throw new TierAssignError({ tierId: fe("errors.tiersOff") });
  if (!levelOf(program.tiers, tierId)) throw new TierAssignError({ tierId: fe("errors.noTier", { id: tierId }) });
  if (!(until > now)) throw new TierAssignError({ until: fe("errors.future") });
  const r = await q.run(`UPDATE members SET hold_tier_id = ?, hold_until = ?, hold_source = 'manual' WHERE shop = ? AND id = ?`, [tierId, tsOf(q, until), shop, memberId]);
  if (r.changes !== 1) throw new TierAssignError({ memberId: fe("errors.unknownMember") });
  return evaluateMemberIn(q, shop, memberId, now, {}, staff);
}

/** Ends a manual assignment now; the member drops to what they reach without grace. */
export async function removeManualTier(sql: Sql, shop: string, memberId: number, staff: string, now: number): Promise<RunSummary> {
  return sql.tx(async (q) => {
    await q.run(`UPDATE members SET hold_tier_id = NULL, hold_until = NULL, hold_source = NULL WHERE shop = ? AND id = ? AND hold_source = 'manual'`, [shop, memberId]);
    return evaluateMemberIn(q, shop, memberId, now, { revoked: "manual_removed" }, staff);
  });
}

interface OrderLike {
  admin_graphql_api_id?: string;
  id?: number | string;
  customer?: { id?: number | string; admin_graphql_api_id?: string } | null;
  line_items?: Array<{ product_id?: number | string | null }>;
}

const productGid = (id: number | string | null | undefined) => (id === null || id === undefined ? null : `gid://shopify/Product/${id}`);

function orderGidOf(o: OrderLike): string | null {
  return o.admin_graphql_api_id ?? (o.id !== undefined ? `gid://shopify/Order/${o.id}` : null);
}

/** Re-reads a member's active memberships into the hold (the latest end wins). */
async function syncMembershipHold(q: Queryable, shop: string, memberId: number, now: number): Promise<boolean> {
  const active = await q.get<{ tier_id: string; ends_at: unknown }>(
    `SELECT tier_id, ends_at FROM memberships WHERE shop = ? AND member_id = ? AND revoked_at IS NULL AND ends_at > ? ORDER BY ends_at DESC LIMIT 1`,
    [shop, memberId, tsOf(q, now)],
  );
  if (active) {
    // a manual assignment the merchant made stays
    await q.run(`UPDATE members SET hold_tier_id = ?, hold_until = ?, hold_source = 'membership' WHERE shop = ? AND id = ? AND COALESCE(hold_source, 'membership') = 'membership'`, [active.tier_id, tsOf(q, msOf(active.ends_at)), shop, memberId]);
    return true;
  }
  await q.run(`UPDATE members SET hold_tier_id = NULL, hold_until = NULL, hold_source = NULL WHERE shop = ? AND id = ? AND hold_source = 'membership'`, [shop, memberId]);
  return false;
}

/** orders/paid: an order with the membership product grants its tier for N months (once per order;
 *  a second purchase extends from the end of the first). */
export async function grantMembershipForOrder(sql: Sql, shop: string, order: OrderLike, now: number): Promise<"granted" | "duplicate" | "none"> {
  return sql.tx(async (q) => {
    const settings = await ensureShop(q, shop);
    const program = programOf(settings);
    const m = program.tiers.membershipProduct;
    if (!program.tiers.enabled || !m) return "none";
    if (!(order.line_items ?? []).some((l) => productGid(l.product_id) === m.productId)) return "none";
    const gid = orderGidOf(order);
    const customer = order.customer?.admin_graphql_api_id ?? (order.customer?.id !== undefined ? `gid://shopify/Customer/${order.customer.id}` : null);
    if (!gid || !customer) return "none";
    // the buyer becomes a member even when purchases earn no points
    const memberId = await ensureMember(q, shop, customer);
    await q.get(`SELECT id FROM members WHERE id = ? AND shop = ?${forUpdate(q)}`, [memberId, shop]);
    const cancelled = await q.get<{ cancelled_at: unknown }>(`SELECT cancelled_at FROM order_states WHERE shop = ? AND order_gid = ?`, [shop, gid]);
    if (cancelled?.cancelled_at) return "none";
    const latest = await q.get<{ ends_at: unknown }>(`SELECT MAX(ends_at) AS ends_at FROM memberships WHERE shop = ? AND member_id = ? AND revoked_at IS NULL`, [shop, memberId]);
    const start = Math.max(now, msOf(latest?.ends_at) ?? now);
    const ends = addLocalMonths(start, m.months, settings.iana_timezone);
    const inserted = await q.get<{ id: number }>(
      `INSERT INTO memberships (shop, member_id, order_gid, tier_id, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop, order_gid) DO NOTHING RETURNING id`,
      [shop, memberId, gid, m.tierId, tsOf(q, start), tsOf(q, ends), tsOf(q, now)],
    );
    if (!inserted) return "duplicate";
    await syncMembershipHold(q, shop, memberId, now);
    await evaluateMemberIn(q, shop, memberId, now);
    return "granted";
  });
}

/** refunds/create of the membership product, or orders/cancelled: the membership ends now, and the
 *  member moves down at once (no grace for a refunded purchase). Returns whether one ended. */
export async function revokeMembershipForOrder(sql: Sql, shop: string, orderGid: string, now: number): Promise<boolean> {
  return sql.tx(async (q) => {
    const row = await q.get<{ id: number; member_id: number }>(`SELECT id, member_id FROM memberships WHERE shop = ? AND order_gid = ? AND revoked_at IS NULL${forUpdate(q)}`, [shop, orderGid]);
    if (!row) return false;
    await q.run(`UPDATE memberships SET revoked_at = ? WHERE id = ?`, [tsOf(q, now), row.id]);
    const memberId = Number(row.member_id);
    const still = await syncMembershipHold(q, shop, memberId, now);
    await evaluateMemberIn(q, shop, memberId, now, still ? {} : { revoked: "membership_refunded" });
    return true;
  });
}

/** Whether a refund's lines include the shop's membership product. */
export function refundsMembership(program: Program, refund: { refund_line_items?: Array<{ line_item?: { product_id?: number | string | null } | null }> }): boolean {
  const m = program.tiers.membershipProduct;
  if (!m) return false;
  return (refund.refund_line_items ?? []).some((l) => productGid(l.line_item?.product_id) === m.productId);
}

// ---------------------------------------------------------------------------------------------
// Preview of a tier edit, and what the admin and storefront show

/** What saving `next` would do to the shop's members now: "N move up, M down". Reads every member
 *  in batches; changes nothing. */
export async function previewTierEdit(sql: Sql, shop: string, next: Program, now: number, batch = 2000): Promise<TierPreview> {
  const settings = await ensureShop(sql, shop);
  const current = programOf(settings);
  const timeZone = settings.iana_timezone;
  const total: TierPreview = { up: 0, down: 0, unchanged: 0, protected: 0, byTier: {} };
  if (!next.tiers.enabled || next.tiers.levels.length === 0) {
    const held = await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND tier_id IS NOT NULL`, [shop]);
    const all = await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM members WHERE shop = ?`, [shop]);
    return { ...total, down: Number(held?.n ?? 0), unchanged: Number(all?.n ?? 0) - Number(held?.n ?? 0), byTier: { "": Number(all?.n ?? 0) } };
  }
  const needs = { ...needsOf({ ...next, expiry: { ...next.expiry, mode: "never" } }, now, timeZone) };
  let after = 0;
  for (;;) {
    const rows = await sql.all<TierMemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE shop = ? AND id > ? ORDER BY id LIMIT ?`, [shop, after, batch]);
    if (rows.length === 0) break;
    const facts = await factsFor(sql, shop, Number(rows[0].id), Number(rows[rows.length - 1].id), needs);
    const members: PreviewMember[] = rows.map((r) => ({ state: current.tiers.enabled ? stateOf(r) : NO_TIER, ...valuesOf(next, facts.get(Number(r.id)), now, timeZone) }));
    const p = previewTiers(current.tiers.enabled ? current.tiers : { levels: [] }, next.tiers, members, now, timeZone);
    total.up += p.up;
    total.down += p.down;
    total.unchanged += p.unchanged;
    total.protected += p.protected;
    for (const [k, v] of Object.entries(p.byTier)) total.byTier[k] = (total.byTier[k] ?? 0) + v;
    after = Number(rows[rows.length - 1].id);
    if (rows.length < batch) break;
  }
  return total;
}

export interface NoticeView {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  dueAt: string | null;
  status: string;
}

/** A member's latest notices; `kinds`: only these (the storefront panel shows tier and expiry ones). */
export async function memberNotices(q: Queryable, shop: string, memberId: number, limit = 20, kinds?: readonly string[]): Promise<NoticeView[]> {
  const only = kinds?.length ? ` AND kind IN (${kinds.map(() => "?").join(",")})` : "";
  const rows = await q.all<{ id: number; kind: string; payload: string; due_at: unknown; status: string }>(
    `SELECT id, kind, payload, due_at, status FROM notifications WHERE shop = ? AND member_id = ?${only} ORDER BY id DESC LIMIT ?`,
    [shop, memberId, ...(kinds ?? []), limit],
  );
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, payload: JSON.parse(r.payload) as Record<string, unknown>, dueAt: toDate(r.due_at)?.toISOString() ?? null, status: r.status }));
}

export async function tierChanges(q: Queryable, shop: string, memberId: number, limit = 50) {
  const rows = await q.all<{ from_tier: string | null; to_tier: string | null; reason: string; detail: string | null; created_at: unknown }>(
    `SELECT from_tier, to_tier, reason, detail, created_at FROM tier_changes WHERE shop = ? AND member_id = ? ORDER BY id DESC LIMIT ?`,
    [shop, memberId, limit],
  );
  return rows.map((r) => ({ from: r.from_tier, to: r.to_tier, reason: r.reason, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null, at: toDate(r.created_at)?.toISOString() ?? null }));
}

/** Members per tier and pending notices, for the admin overview. */
export async function tierOverview(q: Queryable, shop: string, settings?: ShopRow) {
  const program = programOf(settings ?? (await ensureShop(q, shop)));
  const rows = await q.all<{ tier_id: string | null; n: number }>(`SELECT tier_id, COUNT(*) AS n FROM members WHERE shop = ? GROUP BY tier_id`, [shop]);
  const notices = await q.all<{ kind: string; n: number }>(`SELECT kind, COUNT(*) AS n FROM notifications WHERE shop = ? AND status = 'pending' GROUP BY kind`, [shop]);
  const count = (id: string | null) => Number(rows.find((r) => r.tier_id === id)?.n ?? 0);
  return {
    enabled: program.tiers.enabled,
    expiry: { mode: program.expiry.mode, months: program.expiry.months },
    tiers: program.tiers.levels.map((l) => ({ id: l.id, name: l.name, members: count(l.id) })),
    noTier: count(null),
    pendingNotices: Object.fromEntries(notices.map((n) => [n.kind, Number(n.n)])),
  };
}

/** What the storefront shows of a member's tier: its name and perks in the shopper's language,
 *  until when it is kept, and the grace end if the member is in grace. */
export function memberTierView(program: Program, row: { tier_id: string | null; tier_until: unknown; grace_until: unknown }, locale: "en" | "de") {
  if (!program.tiers.enabled) return null;
  const level = levelOf(program.tiers, row.tier_id);
  if (!level) return { id: null };
  return {
    id: level.id,
    name: level.name[locale],
    perks: level.perks[locale],
    multiplier: level.multiplier,
    freeShipping: level.freeShipping,
    until: toDate(row.tier_until)?.toISOString() ?? null,
    graceUntil: toDate(row.grace_until)?.toISOString() ?? null,
  };
}

export type TierSettingsResult =
  | { ok: true; preview: TierPreview; saved: boolean; program: Pick<Program, "tiers" | "expiry"> }
  | { ok: false; fieldErrors: Record<string, string> };

/**
 * The admin's tier and expiry form: validates the new `tiers` and `expiry` sections with the rest of
 * the program as it is, computes what they would do to members now, and saves only when asked.
 * Saving changes settings only: members move at the next evaluation, and no points change.
 */
export async function applyTierSettings(sql: Sql, shop: string, input: unknown, options: { save: boolean; now: number }): Promise<TierSettingsResult> {
  const current = programOf(await ensureShop(sql, shop));
  const body = typeof input === "object" && input !== null ? (input as Record<string, unknown>) : {};
  let next: Program;
  try {
    next = parseProgram({ ...structuredClone(current), tiers: body.tiers ?? current.tiers, expiry: body.expiry ?? current.expiry });
  } catch (error) {
    if (error instanceof ProgramConfigError) return { ok: false, fieldErrors: error.fieldErrors };
    throw error;
  }
  const preview = await previewTierEdit(sql, shop, next, options.now);
  if (options.save) await sql.tx((q) => saveProgram(q, shop, next));
  return { ok: true, preview, saved: options.save, program: { tiers: next.tiers, expiry: next.expiry } };
}

/** The admin's manual assignment form: a member by email or customer GID, a tier, an end date
 *  (the shop's date; the tier lasts through it). Field errors come back as a map. */
export async function assignTierFromForm(sql: Sql, shop: string, input: { customer?: unknown; tierId?: unknown; until?: unknown; remove?: unknown }, staff: string, now: number): Promise<{ ok: true; memberId: number } | { ok: false; fieldErrors: Record<string, string> }> {
  const customer = typeof input.customer === "string" ? input.customer.trim() : "";
  if (!customer) return { ok: false, fieldErrors: { customer: fe("errors.memberRequired") } };
  const gidOf = /^\d+$/.test(customer) ? `gid://shopify/Customer/${customer}` : customer;
  const row = await sql.get<{ id: number }>(
    `SELECT id FROM members WHERE shop = ? AND (customer_gid = ? OR email = ? OR email = ?) ORDER BY id LIMIT 1`,
    [shop, gidOf, customer, customer.toLowerCase()],
  );
  if (!row) return { ok: false, fieldErrors: { customer: fe("errors.noMember") } };
  const memberId = Number(row.id);
  if (input.remove === true || input.remove === "true") {
    await removeManualTier(sql, shop, memberId, staff, now);
    return { ok: true, memberId };
  }
  const settings = await ensureShop(sql, shop);
  const until = typeof input.until === "string" && /^\d{4}-\d{2}-\d{2}$/.test(input.until) ? input.until : null;
  if (!until) return { ok: false, fieldErrors: { until: fe("errors.date") } };
  try {
    // through the end of that day in the shop's timezone
    const end = startOfLocalDay(addDays(until, 1), settings.iana_timezone);
    await assignTier(sql, shop, memberId, String(input.tierId ?? ""), end, staff, now);
    return { ok: true, memberId };
  } catch (error) {
    if (error instanceof TierAssignError) return { ok: false, fieldErrors: error.fieldErrors };
    throw error;
  }
}
