// Daily rollups for the analytics dashboard (docs/decisions/0018): one row per shop and shop-local
// day in daily_rollups, computed from the raw tables (ledger, members, orders, redemptions,
// referrals, awards). The analytics:rollup job recomputes the last two complete days every night
// and, on a shop's first run, backfills its history in chunks of days, each chunk committed on its
// own; the analytics:today job keeps today's partial row (and yesterday's, until it is closed)
// fresh every few minutes. Every write is an upsert per (shop, day), so a rerun gives the same
// rows. The dashboard reads rollups only: no page view touches members or the ledger.
import {
  campaignPointsOf,
  dayList,
  emptyFigures,
  fillDays,
  forecast,
  kpis,
  ledgerFigures,
  parseRange,
  redemptionValueMinor,
  ROLLUP_FIELDS,
  snakeCase,
  totals,
  valuePerPointMinor,
  type DateRange,
  type DayFigures,
  type DayRollup,
  type LedgerGroup,
} from "~/domain/analytics";
import { addDays, localDate, startOfLocalDay } from "~/domain/periods";
import { parseReward, type Reward } from "~/domain/rewards";
import { toDate, type Queryable, type Sql } from "~/lib/sql.server";
import { enqueue } from "~/jobs/queue.server";
import { ROLLUPS, TODAY_REFRESH_MS } from "~/jobs/schedules.server";

const at = (q: Queryable, ms: number): unknown => (q.dialect === "sqlite" ? ms : new Date(ms));
const num = (v: unknown) => Number(v ?? 0);

interface ShopFacts {
  timeZone: string;
  currency: string;
  rewards: Map<number, { reward: Reward; enabled: boolean }>;
}

async function shopFacts(q: Queryable, shop: string): Promise<ShopFacts> {
  const row = await q.get<{ iana_timezone: string; currency_code: string }>(`SELECT iana_timezone, currency_code FROM shops WHERE domain = ?`, [shop]);
  const rewards = new Map<number, { reward: Reward; enabled: boolean }>();
  for (const r of await q.all<{ id: number; config: string; enabled: unknown }>(`SELECT id, config, enabled FROM rewards WHERE shop = ?`, [shop])) {
    try {
      rewards.set(Number(r.id), { reward: parseReward(JSON.parse(r.config)), enabled: Boolean(r.enabled) });
    } catch {
      // a reward whose config no longer parses is left out of the value figures
    }
  }
  return { timeZone: row?.iana_timezone ?? "UTC", currency: row?.currency_code ?? "EUR", rewards };
}

/** The outstanding points and members just before `startMs`: the balances now minus what came after
 *  (balance = Σ entries is the ledger's invariant, checked nightly), members created before. */
async function stocksBefore(q: Queryable, shop: string, startMs: number): Promise<{ outstandingPoints: number; totalMembers: number }> {
  const balances = await q.get<{ p: number }>(`SELECT COALESCE(SUM(points_available + points_pending), 0) AS p FROM members WHERE shop = ?`, [shop]);
  const after = await q.get<{ p: number }>(`SELECT COALESCE(SUM(points), 0) AS p FROM ledger_entries WHERE shop = ? AND created_at >= ?`, [shop, at(q, startMs)]);
  const members = await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND created_at < ?`, [shop, at(q, startMs)]);
  return { outstandingPoints: num(balances?.p) - num(after?.p), totalMembers: num(members?.n) };
}

/** The flows of one day [start, end) from the raw tables (stocks are added by the caller). */
async function dayFlows(q: Queryable, shop: string, start: number, end: number, facts: ShopFacts): Promise<{ figures: DayFigures; net: number }> {
  const s = at(q, start);
  const e = at(q, end);
  const f = emptyFigures();
  const one = async (sql: string) => q.get<Record<string, unknown>>(sql, [shop, s, e]);

  f.newMembers = num((await one(`SELECT COUNT(*) AS n FROM members WHERE shop = ? AND created_at >= ? AND created_at < ?`))?.n);

  const groups = await q.all<LedgerGroup>(
    `SELECT kind, reason, SUM(points) AS points FROM ledger_entries WHERE shop = ? AND created_at >= ? AND created_at < ?
      GROUP BY kind, reason, CASE WHEN points > 0 THEN 1 ELSE 0 END`,
    [shop, s, e],
  );
  const ledger = ledgerFigures(groups.map((g) => ({ kind: String(g.kind), reason: String(g.reason), points: num(g.points) })));
  f.pointsIssued = ledger.issued;
  f.pointsReversed = ledger.reversed;
  f.pointsRedeemed = ledger.redeemed;
  f.pointsExpired = ledger.expired;
  f.pointsAdjusted = ledger.adjusted;

  // redemptions whose code was created (a hold Shopify never turned into a code is not one)
  const redeemed = await q.all<{ reward_id: number; points: number; n: number }>(
    `SELECT reward_id, points, COUNT(*) AS n FROM redemptions WHERE shop = ? AND created_at >= ? AND created_at < ?
        AND status IN ('issued', 'used', 'expired', 'cancelled') GROUP BY reward_id, points`,
    [shop, s, e],
  );
  for (const r of redeemed) {
    f.redemptions += num(r.n);
    f.rewardValueMinor += num(r.n) * redemptionValueMinor(facts.rewards.get(Number(r.reward_id))?.reward, num(r.points), facts.currency);
  }
  const used = await one(`SELECT COUNT(*) AS n, COALESCE(SUM(revenue_minor), 0) AS rev FROM redemptions WHERE shop = ? AND used_at >= ? AND used_at < ?`);
  f.rewardOrders = num(used?.n);
  f.rewardRevenueMinor = num(used?.rev);

  // orders: with a customer account (every such customer is a member) or as a guest; a repeat
  // order is one whose buyer (customer, or a guest's email) had an earlier order recorded
  const orders = await q.all<{ guest: number; n: number; rev: number; repeats: number }>(
    `SELECT CASE WHEN o.customer_gid IS NULL THEN 1 ELSE 0 END AS guest, COUNT(*) AS n, COALESCE(SUM(o.revenue_minor), 0) AS rev,
            SUM(CASE WHEN o.customer_gid IS NOT NULL AND EXISTS (SELECT 1 FROM order_states p WHERE p.shop = o.shop AND p.customer_gid = o.customer_gid AND p.id < o.id) THEN 1
                     WHEN o.customer_gid IS NULL AND EXISTS (SELECT 1 FROM guest_orders g JOIN guest_orders p ON p.shop = g.shop AND p.email = g.email AND p.id < g.id
                                                              WHERE g.shop = o.shop AND g.order_gid = o.order_gid) THEN 1
                     ELSE 0 END) AS repeats
       FROM order_states o WHERE o.shop = ? AND o.created_at >= ? AND o.created_at < ? AND o.cancelled_at IS NULL
      GROUP BY CASE WHEN o.customer_gid IS NULL THEN 1 ELSE 0 END`,
    [shop, s, e],
  );
  for (const o of orders) {
    if (num(o.guest)) {
      f.guestOrders = num(o.n);
      f.guestRevenueMinor = num(o.rev);
      f.guestRepeatOrders = num(o.repeats);
    } else {
      f.memberOrders = num(o.n);
      f.memberRevenueMinor = num(o.rev);
      f.memberRepeatOrders = num(o.repeats);
    }
  }

  f.referralClicks = num((await one(`SELECT COUNT(*) AS n FROM referral_clicks WHERE shop = ? AND created_at >= ? AND created_at < ?`))?.n);
  f.referralFriends = num((await one(`SELECT COUNT(*) AS n FROM referral_friends WHERE shop = ? AND created_at >= ? AND created_at < ? AND status = 'issued'`))?.n);
  f.referralOrders = num((await one(`SELECT COUNT(*) AS n FROM referrals WHERE shop = ? AND ordered_at >= ? AND ordered_at < ?`))?.n);
  // completed referrals are counted for all days at once by the caller (completedByDay)

  // campaign bonus points, from the awards' detail (only awards that name a campaign are read)
  const awards = await q.rows(
    `SELECT detail, base_minor FROM earn_awards WHERE shop = ? AND created_at >= ? AND created_at < ? AND detail LIKE '%"campaigns":[{%'`,
    [shop, s, e],
  );
  for (const [detail, base] of awards) {
    const points = campaignPointsOf(detail as string);
    if (points <= 0) continue;
    f.campaignPoints += points;
    f.campaignOrders += 1;
    f.campaignRevenueMinor += num(base);
  }
  return { figures: f, net: ledger.net };
}

/**
 * Completed referrals per day of [starts[0], end): the advocate's reward was posted that day (the
 * entry's time, which never changes). One query for all the days: without an index on the reward
 * entry it reads the shop's referrals once, not once per day.
 */
async function completedByDay(q: Queryable, shop: string, starts: number[], end: number): Promise<Array<{ n: number; rev: number }>> {
  const out = starts.map(() => ({ n: 0, rev: 0 }));
  const rows = await q.rows(
    `SELECT l.created_at, r.subtotal_minor FROM referrals r JOIN ledger_entries l ON l.id = r.reward_entry_id AND l.shop = r.shop
      WHERE r.shop = ? AND l.created_at >= ? AND l.created_at < ?`,
    [shop, at(q, starts[0]), at(q, end)],
  );
  for (const [createdAt, subtotal] of rows) {
    const t = toDate(createdAt)!.getTime();
    // the last day that starts at or before t
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    const i = lo;
    out[i].n += 1;
    out[i].rev += num(subtotal);
  }
  return out;
}

/**
 * The rollups of the days `from`..`to` (shop-local dates), computed from the raw tables. `before`
 * carries the stocks at the start of `from` (else they are read from the balances).
 */
export async function computeDays(
  q: Queryable,
  shop: string,
  from: string,
  to: string,
  options: { facts?: ShopFacts; before?: { outstandingPoints: number; totalMembers: number } } = {},
): Promise<DayRollup[]> {
  const facts = options.facts ?? (await shopFacts(q, shop));
  let stocks = options.before ?? (await stocksBefore(q, shop, startOfLocalDay(from, facts.timeZone)));
  const days = dayList(from, to);
  const starts = days.map((day) => startOfLocalDay(day, facts.timeZone));
  const completed = await completedByDay(q, shop, starts, startOfLocalDay(addDays(to, 1), facts.timeZone));
  const out: DayRollup[] = [];
  for (const [i, day] of days.entries()) {
    const start = starts[i];
    const end = startOfLocalDay(addDays(day, 1), facts.timeZone);
    const { figures, net } = await dayFlows(q, shop, start, end, facts);
    figures.referralsCompleted = completed[i].n;
    figures.referralRevenueMinor = completed[i].rev;
    stocks = { outstandingPoints: stocks.outstandingPoints + net, totalMembers: stocks.totalMembers + figures.newMembers };
    out.push({ day, ...figures, ...stocks });
  }
  return out;
}

const COLUMNS = ROLLUP_FIELDS.map(snakeCase);
const UPSERT = `INSERT INTO daily_rollups (shop, day, ${COLUMNS.join(", ")}, computed_at) VALUES (?, ?, ${COLUMNS.map(() => "?").join(", ")}, ?)
  ON CONFLICT (shop, day) DO UPDATE SET ${COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ")}, computed_at = excluded.computed_at`;

export async function storeRollups(q: Queryable, shop: string, rows: DayRollup[], now = Date.now()): Promise<void> {
  for (const r of rows) await q.run(UPSERT, [shop, r.day, ...ROLLUP_FIELDS.map((f) => r[f]), at(q, now)]);
}

const SELECT_ROLLUP = `SELECT day, ${COLUMNS.map((c, i) => `${c} AS "${ROLLUP_FIELDS[i]}"`).join(", ")} FROM daily_rollups`;

function rollupRow(r: Record<string, unknown>): DayRollup {
  const row = { day: String(r.day) } as DayRollup;
  for (const f of ROLLUP_FIELDS) row[f] = num(r[f]);
  return row;
}

/** The stored rollups of `from`..`to` for the shop, by day. */
export async function readRollups(q: Queryable, shop: string, from: string, to: string): Promise<DayRollup[]> {
  return (await q.all<Record<string, unknown>>(`${SELECT_ROLLUP} WHERE shop = ? AND day >= ? AND day <= ? ORDER BY day`, [shop, from, to])).map(rollupRow);
}

export interface RollupRun {
  from: string | null;
  to: string;
  days: number;
  /** true when the history is not caught up yet (the job enqueues the next chunk) */
  more: boolean;
}

/**
 * One run of the analytics:rollup job: the complete days from the first one missing since the
 * shop's history began (its first member's or entry's day; imports are backdated) — with the two
 * days before it again, so late facts are picked up — else the last two complete days. On a first run
 * that is the whole history, worked forward `chunkDays` at a time, each chunk in its own
 * transaction, until `budgetMs` is spent: a later run continues at the next missing day. Today's
 * partial row (refreshToday) is not history and is left alone.
 */
export async function runRollups(sql: Sql, shop: string, now: number, options: { chunkDays?: number; budgetMs?: number } = {}): Promise<RollupRun> {
  const chunkDays = options.chunkDays ?? 31;
  const budgetMs = options.budgetMs ?? 20_000;
  const facts = await shopFacts(sql, shop);
  const yesterday = addDays(localDate(now, facts.timeZone), -1);
  const firsts: number[] = [];
  for (const table of ["members", "ledger_entries"]) {
    const row = await sql.get<{ t: unknown }>(`SELECT MIN(created_at) AS t FROM ${table} WHERE shop = ?`, [shop]);
    const t = toDate(row?.t)?.getTime();
    if (t !== undefined) firsts.push(t);
  }
  if (!firsts.length) return { from: null, to: yesterday, days: 0, more: false };
  const first = localDate(Math.min(...firsts), facts.timeZone);
  if (first > yesterday) return { from: null, to: yesterday, days: 0, more: false };
  // the first day of the history without a row (index-only read of the shop's days)
  const stored = await sql.all<{ day: string }>(`SELECT day FROM daily_rollups WHERE shop = ? AND day >= ? AND day <= ? ORDER BY day`, [shop, first, yesterday]);
  let missing: string | null = first;
  for (const { day } of stored) {
    if (String(day) !== missing) break;
    missing = missing === yesterday ? null : addDays(missing, 1);
  }
  // the day before the last stored one again too (late facts); at least the last two complete days
  const recent = addDays(yesterday, -1);
  let from = missing === null ? recent : addDays(missing, -2) < first ? first : addDays(missing, -2);
  if (recent < from) from = recent;
  if (from > yesterday) return { from: null, to: yesterday, days: 0, more: false };
  const started = Date.now();
  let day = from;
  let days = 0;
  let before: { outstandingPoints: number; totalMembers: number } | undefined;
  while (day <= yesterday) {
    const end = addDays(day, chunkDays - 1) < yesterday ? addDays(day, chunkDays - 1) : yesterday;
    const rows = await sql.tx(async (q) => {
      const computed = await computeDays(q, shop, day, end, { facts, before });
      await storeRollups(q, shop, computed, now);
      return computed;
    });
    const tail = rows[rows.length - 1];
    before = { outstandingPoints: tail.outstandingPoints, totalMembers: tail.totalMembers };
    days += rows.length;
    day = addDays(end, 1);
    if (day <= yesterday && Date.now() - started >= budgetMs) return { from, to: end, days, more: true };
  }
  return { from, to: yesterday, days, more: false };
}

export interface TodayRefresh {
  /** the days written: today, and yesterday too while its stored row predates the day's end */
  days: string[];
}

/**
 * One run of the analytics:today job: today's partial row, computed from the raw tables on top of
 * the stocks of the day before, and yesterday's row again while it was stored before the day ended
 * (the day's last refresh runs a few minutes before midnight). The stocks come from the previous
 * day's row when that row is complete (computed after its day ended), else from the balances
 * (balances now − entries since: a scan of the shop's members, only while the history is not
 * stored yet). Upserts: a rerun or two workers at once give the same rows.
 */
export async function refreshToday(sql: Sql, shop: string, now: number): Promise<TodayRefresh> {
  const facts = await shopFacts(sql, shop);
  const today = localDate(now, facts.timeZone);
  const yesterday = addDays(today, -1);
  const computedAt = (v: unknown) => toDate(v)?.getTime() ?? 0;
  const y = await sql.get<{ computed_at: unknown }>(`SELECT computed_at FROM daily_rollups WHERE shop = ? AND day = ?`, [shop, yesterday]);
  const from = y && computedAt(y.computed_at) < startOfLocalDay(today, facts.timeZone) ? yesterday : today;
  const prev = await sql.get<Record<string, unknown>>(`SELECT outstanding_points, total_members, computed_at FROM daily_rollups WHERE shop = ? AND day = ?`, [shop, addDays(from, -1)]);
  const before =
    prev && computedAt(prev.computed_at) >= startOfLocalDay(from, facts.timeZone) ? { outstandingPoints: num(prev.outstanding_points), totalMembers: num(prev.total_members) } : undefined;
  // read outside a transaction (no write lock held while counting), written in one
  const rows = await computeDays(sql, shop, from, today, { facts, before });
  await sql.tx((q) => storeRollups(q, shop, rows, now));
  return { days: rows.map((r) => r.day) };
}

export interface Dashboard {
  range: DateRange;
  currency: string;
  /** the shop's IANA time zone */
  timeZone: string;
  today: string;
  /** the time the page was computed (ms), for "updated N minutes ago" */
  now: number;
  valuePerPointMinor: number | null;
  series: DayRollup[];
  totals: DayFigures;
  kpis: ReturnType<typeof kpis>;
  forecast: ReturnType<typeof forecast>;
  /** the last stored day (today's partial one included), or null before the first rollup run */
  computedThrough: string | null;
  /** the time the stored figures are as of (ms): the newest row's computation, or its day's end if later */
  asOf: number | null;
}

/**
 * What the dashboard shows for a range, from stored rollups only (today's partial row included, as
 * of its last refresh): a few indexed reads on (shop, day), whatever the shop's size. A day
 * without a row (today before its first refresh) shows no flows and the previous day's stocks.
 */
export async function dashboard(q: Queryable, shop: string, range: DateRange, now = Date.now()): Promise<Dashboard> {
  const facts = await shopFacts(q, shop);
  const today = localDate(now, facts.timeZone);
  const stored = await readRollups(q, shop, range.from, range.to);
  const prev = await q.get<Record<string, unknown>>(`${SELECT_ROLLUP} WHERE shop = ? AND day < ? ORDER BY day DESC LIMIT 1`, [shop, range.from]);
  const last = await q.get<{ day: string; computed_at: unknown }>(`SELECT day, computed_at FROM daily_rollups WHERE shop = ? ORDER BY day DESC LIMIT 1`, [shop]);
  const series = fillDays(dayList(range.from, range.to), stored, prev ? rollupRow(prev) : undefined);
  const t = totals(series);
  const value = valuePerPointMinor([...facts.rewards.values()], facts.currency);
  // the forecast reads the last 30 days up to today, whatever range is shown
  const trendFrom = addDays(today, -30);
  const trend =
    range.from <= trendFrom && range.to >= today
      ? series.filter((r) => r.day >= trendFrom)
      : fillDays(dayList(trendFrom, today), await readRollups(q, shop, trendFrom, today), (await rowBefore(q, shop, trendFrom)) ?? undefined);
  const asOf = last ? Math.min(toDate(last.computed_at)?.getTime() ?? 0, startOfLocalDay(addDays(String(last.day), 1), facts.timeZone)) : null;
  return {
    range,
    currency: facts.currency,
    timeZone: facts.timeZone,
    today,
    now,
    valuePerPointMinor: value,
    series,
    totals: t,
    kpis: kpis(t, value),
    forecast: forecast(trend, value),
    computedThrough: last ? String(last.day) : null,
    asOf,
  };
}

async function rowBefore(q: Queryable, shop: string, day: string): Promise<DayRollup | null> {
  const row = await q.get<Record<string, unknown>>(`${SELECT_ROLLUP} WHERE shop = ? AND day < ? ORDER BY day DESC LIMIT 1`, [shop, day]);
  return row ? rollupRow(row) : null;
}

/** Whether an entry or an order came after `asOf`: the newest one on the (shop, created_at) index. */
async function factsSince(q: Queryable, shop: string, asOf: number): Promise<boolean> {
  for (const table of ["ledger_entries", "order_states"]) {
    if (await q.get(`SELECT 1 AS x FROM ${table} WHERE shop = ? AND created_at > ? LIMIT 1`, [shop, at(q, asOf)])) return true;
  }
  return false;
}

/**
 * The analytics page's data for a query string: the range (validated on the shop's clock) and the
 * dashboard. A shop without any rollup yet gets its first run enqueued — under the scheduler's own
 * dedupe key for the day, so the nightly run and this one are the same job. One whose today's row
 * is missing, or older than the newest entry or order (one index seek each, never a scan), gets
 * today's refresh enqueued on demand, at most once a minute; `refreshing` tells the page to load
 * again shortly.
 */
export async function analyticsPage(sql: Sql, shop: string, params: Record<string, string | undefined>, now = Date.now()) {
  const facts = await sql.get<{ iana_timezone: string }>(`SELECT iana_timezone FROM shops WHERE domain = ?`, [shop]);
  const today = localDate(now, facts?.iana_timezone ?? "UTC");
  const parsed = parseRange(params, today);
  const view = await dashboard(sql, shop, parsed.range, now);
  let refreshing = false;
  if (view.computedThrough === null) {
    await enqueue(sql, { shop, kind: ROLLUPS.kind, payload: { period: today }, dedupeKey: `${ROLLUPS.name}:${today}`, maxAttempts: ROLLUPS.maxAttempts });
    refreshing = true;
  } else if (view.computedThrough < today || view.asOf === null || (await factsSince(sql, shop, view.asOf))) {
    const slot = new Date(Math.floor(now / 60_000) * 60_000).toISOString();
    await enqueue(sql, { shop, kind: "analytics:today", payload: {}, dedupeKey: `analytics:today:view:${slot}`, maxAttempts: 3 });
    refreshing = true;
  }
  return {
    view,
    refreshing,
    refreshEveryMinutes: TODAY_REFRESH_MS / 60_000,
    errors: parsed.ok ? null : parsed.errors,
    input: { range: params.range ?? parsed.range.preset, from: params.from ?? parsed.range.from, to: params.to ?? parsed.range.to },
  };
}
