// The campaigns and budgets page's storage: saving the program with an audit entry in the same
// transaction, and how much of each budget and cap the counters (app/models/counters.server.ts)
// say is used. Campaigns live in the program (app/domain/program.ts), so a campaign id is only
// ever looked up in this shop's program: another shop's campaign is simply not there.
import { periodKey } from "~/domain/periods";
import { RULE_KEYS, type Program } from "~/domain/program";
import type { Queryable, Sql } from "~/lib/sql.server";
import { recordAudit, type AuditAction } from "./audit.server";
import { counterValue } from "./counters.server";
import { programOf, saveProgram } from "./earning.server";
import { ensureShop, type ShopRow } from "./shops.server";

export interface BudgetUsage {
  /** campaign id → points given under its budget (lifetime) */
  campaigns: Record<string, number>;
  /** rule → members who reached its cap in the current period, and the period */
  rules: Record<string, { period: string; membersAtCap: number; points: number }>;
  /** the daily cap per member: today (shop's calendar) */
  daily: { period: string; membersAtCap: number; points: number } | null;
}

async function capUsage(q: Queryable, shop: string, prefix: string, period: string, max: number) {
  // counters keyed "<prefix><member id>": the LIKE pattern is a prefix of the key, so the
  // (shop, key, period) unique index serves it
  const row = await q.get<{ at_cap: number | null; points: number | null }>(
    `SELECT SUM(CASE WHEN value >= ? THEN 1 ELSE 0 END) AS at_cap, SUM(value) AS points FROM counters WHERE shop = ? AND key LIKE ? AND period = ?`,
    [max, shop, `${prefix}%`, period],
  );
  return { period, membersAtCap: Number(row?.at_cap ?? 0), points: Number(row?.points ?? 0) };
}

/** Used vs. limit for every campaign budget and cap of the program, now. */
export async function budgetUsage(q: Queryable, shop: string, program: Program, timeZone: string, now = new Date()): Promise<BudgetUsage> {
  const campaigns: BudgetUsage["campaigns"] = {};
  for (const c of program.campaigns) if (c.budgetPoints !== undefined) campaigns[c.id] = await counterValue(q, shop, `campaign:${c.id}`, "lifetime");
  const rules: BudgetUsage["rules"] = {};
  for (const r of RULE_KEYS) {
    const cap = program.caps.perRule[r];
    if (cap) rules[r] = await capUsage(q, shop, `rule:${r}:member:`, periodKey(cap.period, now, timeZone), cap.max);
  }
  const daily = program.caps.dailyGlobalPoints === undefined ? null : await capUsage(q, shop, "global:daily:member:", periodKey("day", now, timeZone), program.caps.dailyGlobalPoints);
  return { campaigns, rules, daily };
}

export type ProgramChange = { next: Program; before: unknown; after: unknown } | { fieldErrors: Record<string, string> } | null;

/**
 * Saves a program built from the current one (read in the same transaction) by `change`, which
 * returns the new program, field errors, or null when the thing it changes is not there; and
 * records the change in the audit log.
 */
export async function changeProgram(
  sql: Sql,
  shop: string,
  actor: string,
  audit: { action: AuditAction; subjectType: "campaign" | "program"; subjectId: string },
  change: (current: Program, shop: ShopRow) => ProgramChange,
): Promise<"saved" | "missing" | { fieldErrors: Record<string, string> }> {
  return sql.tx(async (q) => {
    const row = await ensureShop(q, shop);
    const r = change(programOf(row), row);
    if (!r) return "missing";
    if ("fieldErrors" in r) return { fieldErrors: r.fieldErrors };
    await saveProgram(q, shop, r.next);
    if (JSON.stringify(r.before) !== JSON.stringify(r.after)) await recordAudit(q, shop, { actor, ...audit, before: r.before, after: r.after });
    return "saved";
  });
}
