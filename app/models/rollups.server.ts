// Daily rollups for the analytics dashboard (docs/decisions/0018): one row per shop and shop-local
// day in daily_rollups, computed from the raw tables (ledger, members, orders, redemptions,
// referrals, awards). The analytics:rollup job recomputes the last two complete days every night
// and, on a shop's first run, backfills its history in chunks of days, each chunk committed on its
// own; every write is an upsert per (shop, day), so a rerun gives the same rows. The dashboard reads
// rollups only, plus today's partial day computed live.
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
import type { Queryable, Sql } from "~/lib/sql.server";
import { enqueue } from "~/jobs/queue.server";
import { ROLLUPS } from "~/jobs/schedules.server";

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
  // completed: the advocate's reward was posted that day (the entry's time, which never changes)
  const completed = await one(
    `SELECT COUNT(*) AS n, COALESCE(SUM(r.subtotal_minor), 0) AS rev FROM referrals r JOIN ledger_entries l ON l.id = r.reward_entry_id AND l.shop = r.shop
      WHERE r.shop = ? AND l.created_at >= ? AND l.created_at < ?`,
  );
  f.referralsCompleted = num(completed?.n);
  f.referralRevenueMinor = num(completed?.rev);

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
  const out: DayRollup[] = [];
  for (const day of dayList(from, to)) {
    const start = startOfLocalDay(day, facts.timeZone);
    const end = startOfLocalDay(addDays(day, 1), facts.timeZone);
    const { figures, net } = await dayFlows(q, shop, start, end, facts);
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
 * One run of the analytics:rollup job. Normally it recomputes the last two complete days (the
 * day before the last stored one too, so late facts are picked up); on a shop's first run it
 * starts at the day of its first member or entry and works forward `chunkDays` at a time, each chunk in its own
 * transaction, until `budgetMs` is spent — a later run continues after the last stored day.
 */
export async function runRollups(sql: Sql, shop: string, now: number, options: { chunkDays?: number; budgetMs?: number } = {}): Promise<RollupRun> {
  const chunkDays = options.chunkDays ?? 31;
  const budgetMs = options.budgetMs ?? 20_000;
  const facts = await shopFacts(sql, shop);
  const yesterday = addDays(localDate(now, facts.timeZone), -1);
  const last = (await sql.get<{ day: string | null }>(`SELECT MAX(day) AS day FROM daily_rollups WHERE shop = ?`, [shop]))?.day ?? null;
  let from: string;
  if (last) {
    from = addDays(last, -1) < addDays(yesterday, -1) ? addDays(last, -1) : addDays(yesterday, -1);
  } else {
    // the shop's history begins with its first member or its first entry (imports are backdated)
    const firsts: number[] = [];
    for (const table of ["members", "ledger_entries"]) {
      const row = await sql.get<{ t: unknown }>(`SELECT MIN(created_at) AS t FROM ${table} WHERE shop = ?`, [shop]);
      if (row?.t !== null && row?.t !== undefined) firsts.push(row.t instanceof Date ? row.t.getTime() : Number(row.t));
    }
    if (!firsts.length) return { from: null, to: yesterday, days: 0, more: false };
    from = localDate(Math.min(...firsts), facts.timeZone);
  }
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

export interface Dashboard {
  range: DateRange;
  currency: string;
  today: string;
  valuePerPointMinor: number | null;
  series: DayRollup[];
  totals: DayFigures;
  kpis: ReturnType<typeof kpis>;
  forecast: ReturnType<typeof forecast>;
  /** the last stored day, or null before the first rollup run */
  computedThrough: string | null;
}

/**
 * What the dashboard shows for a range: stored rollups, and today (when in the range) computed
 * live from the raw tables on top of yesterday's stocks. Reads nothing but rollups otherwise.
 */
export async function dashboard(q: Queryable, shop: string, range: DateRange, now = Date.now()): Promise<Dashboard> {
  const facts = await shopFacts(q, shop);
  const today = localDate(now, facts.timeZone);
  const storedTo = range.to < today ? range.to : addDays(today, -1);
  const stored = range.from <= storedTo ? await readRollups(q, shop, range.from, storedTo) : [];
  const prev = await q.get<Record<string, unknown>>(`${SELECT_ROLLUP} WHERE shop = ? AND day < ? ORDER BY day DESC LIMIT 1`, [shop, range.from]);
  const lastStored = await q.get<Record<string, unknown>>(`${SELECT_ROLLUP} WHERE shop = ? ORDER BY day DESC LIMIT 1`, [shop]);
  const rows = [...stored];
  if (range.to >= today) {
    // today's partial day, on top of yesterday's stocks when stored (else from the balances)
    const y = lastStored && String(lastStored.day) === addDays(today, -1) ? rollupRow(lastStored) : undefined;
    rows.push(...(await computeDays(q, shop, today, today, { facts, before: y ? { outstandingPoints: y.outstandingPoints, totalMembers: y.totalMembers } : undefined })));
  }
  const series = fillDays(dayList(range.from, range.to), rows, prev ? rollupRow(prev) : undefined);
  const t = totals(series);
  const value = valuePerPointMinor([...facts.rewards.values()], facts.currency);
  // the forecast reads the last 30 days up to today, whatever range is shown
  const trendFrom = addDays(today, -30);
  const trend =
    range.from <= trendFrom && range.to >= today
      ? series.filter((r) => r.day >= trendFrom)
      : fillDays(dayList(trendFrom, today), [...(await readRollups(q, shop, trendFrom, addDays(today, -1))), ...rows.filter((r) => r.day === today)]);
  return {
    range,
    currency: facts.currency,
    today,
    valuePerPointMinor: value,
    series,
    totals: t,
    kpis: kpis(t, value),
    forecast: forecast(trend, value),
    computedThrough: lastStored ? String(lastStored.day) : null,
  };
}

/**
 * The analytics page's data for a query string: the range (validated on the shop's clock) and the
 * dashboard. A shop without any rollup yet gets its first run enqueued — under the scheduler's own
 * dedupe key for the day, so the nightly run and this one are the same job.
 */
export async function analyticsPage(sql: Sql, shop: string, params: Record<string, string | undefined>, now = Date.now()) {
  const facts = await sql.get<{ iana_timezone: string }>(`SELECT iana_timezone FROM shops WHERE domain = ?`, [shop]);
  const today = localDate(now, facts?.iana_timezone ?? "UTC");
  const parsed = parseRange(params, today);
  const view = await dashboard(sql, shop, parsed.range, now);
  if (view.computedThrough === null) {
    await enqueue(sql, { shop, kind: ROLLUPS.kind, payload: { period: today }, dedupeKey: `${ROLLUPS.name}:${today}`, maxAttempts: ROLLUPS.maxAttempts });
  }
  return { view, errors: parsed.ok ? null : parsed.errors, input: { range: params.range ?? parsed.range.preset, from: params.from ?? parsed.range.from, to: params.to ?? parsed.range.to } };
}
