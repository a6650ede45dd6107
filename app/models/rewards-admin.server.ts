// The rewards editor's storage: the catalogue with what each reward has been used for, creating and
// editing rewards, switching them on and off. Every change is written to the audit log in the same
// transaction. Rewards are never deleted: redemptions refer to them, so a merchant retires one by
// switching it off. The storefront reads the catalogue live through the app proxy (the panel asks
// when it opens), so a saved change shows on the next open; nothing is cached in metafields.
import { parseReward, type Reward } from "~/domain/rewards";
import type { Queryable, Sql } from "~/lib/sql.server";
import { recordAudit } from "./audit.server";
import { counterValue } from "./counters.server";
import { ensureShop } from "./shops.server";

export interface RewardAdminRow {
  id: number;
  reward: Reward;
  enabled: boolean;
  /** redemptions that took the reward and weren't given back (issued, used, donated) */
  redeemed: number;
  /** codes used in orders */
  used: number;
}

const TAKEN = `'issued', 'used', 'donated'`;
const bool = (q: Queryable, b: boolean) => (q.dialect === "sqlite" ? Number(b) : b);

/** Every reward of the shop, on or off, cheapest first, with its redemption counts. */
export async function listRewardsAdmin(q: Queryable, shop: string): Promise<RewardAdminRow[]> {
  const rows = await q.all<{ id: number; config: string; enabled: unknown; redeemed: number | null; used: number | null }>(
    `SELECT w.id, w.config, w.enabled,
            (SELECT COUNT(*) FROM redemptions r WHERE r.shop = w.shop AND r.reward_id = w.id AND r.status IN (${TAKEN})) AS redeemed,
            (SELECT COUNT(*) FROM redemptions r WHERE r.shop = w.shop AND r.reward_id = w.id AND r.status = 'used') AS used
       FROM rewards w WHERE w.shop = ? ORDER BY w.enabled DESC, w.points_cost, w.id`,
    [shop],
  );
  return rows.map((r) => ({ id: Number(r.id), reward: parseReward(JSON.parse(r.config)), enabled: Boolean(r.enabled), redeemed: Number(r.redeemed ?? 0), used: Number(r.used ?? 0) }));
}

export interface RewardUsage {
  redeemed: number;
  /** counted against totalLimit (lifetime) */
  taken: number;
  /** money given away, counted against budgetMinor (minor units) */
  moneyMinor: number;
}

/** One reward of the shop, or null (another shop's id is just as unknown). */
export async function getRewardAdmin(q: Queryable, shop: string, id: number): Promise<(RewardAdminRow & { usage: RewardUsage }) | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const row = await q.get<{ id: number; config: string; enabled: unknown }>(`SELECT id, config, enabled FROM rewards WHERE shop = ? AND id = ?`, [shop, id]);
  if (!row) return null;
  const counts = await q.get<{ redeemed: number; used: number }>(
    `SELECT SUM(CASE WHEN status IN (${TAKEN}) THEN 1 ELSE 0 END) AS redeemed, SUM(CASE WHEN status = 'used' THEN 1 ELSE 0 END) AS used FROM redemptions WHERE shop = ? AND reward_id = ?`,
    [shop, id],
  );
  const usage = {
    redeemed: Number(counts?.redeemed ?? 0),
    taken: await counterValue(q, shop, `reward:${id}`, "lifetime"),
    moneyMinor: await counterValue(q, shop, `reward:${id}:money`, "lifetime"),
  };
  return { id: Number(row.id), reward: parseReward(JSON.parse(row.config)), enabled: Boolean(row.enabled), redeemed: usage.redeemed, used: Number(counts?.used ?? 0), usage };
}

/** Creates a reward (already validated) and records who did it. */
export async function createRewardAdmin(sql: Sql, shop: string, reward: Reward, enabled: boolean, actor: string): Promise<number> {
  return sql.tx(async (q) => {
    await ensureShop(q, shop);
    const row = await q.get<{ id: number }>(`INSERT INTO rewards (shop, type, points_cost, config, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, [
      shop, reward.type, reward.pointsCost, JSON.stringify(reward), bool(q, enabled), q.dialect === "sqlite" ? Date.now() : new Date(),
    ]);
    const id = Number(row!.id);
    await recordAudit(q, shop, { actor, action: "reward_create", subjectType: "reward", subjectId: id, after: { ...reward, enabled } });
    return id;
  });
}

export class RewardTypeChangeError extends Error {}

/**
 * Saves an edited reward. Its type stays what it was (redemptions and reports are read by it);
 * codes already issued keep the terms they were made with. Returns false for an unknown id.
 */
export async function updateRewardAdmin(sql: Sql, shop: string, id: number, reward: Reward, enabled: boolean, actor: string): Promise<boolean> {
  return sql.tx(async (q) => {
    const before = await q.get<{ config: string; enabled: unknown; type: string }>(`SELECT config, enabled, type FROM rewards WHERE shop = ? AND id = ?${q.dialect === "postgres" ? " FOR UPDATE" : ""}`, [shop, id]);
    if (!before) return false;
    if (before.type !== reward.type) throw new RewardTypeChangeError("a reward's type can't change; make a new reward and switch this one off");
    const previous = { ...(JSON.parse(before.config) as object), enabled: Boolean(before.enabled) };
    const next = { ...reward, enabled };
    if (JSON.stringify(previous) === JSON.stringify(next)) return true;
    await q.run(`UPDATE rewards SET points_cost = ?, config = ?, enabled = ? WHERE shop = ? AND id = ?`, [reward.pointsCost, JSON.stringify(reward), bool(q, enabled), shop, id]);
    await recordAudit(q, shop, { actor, action: "reward_update", subjectType: "reward", subjectId: id, before: previous, after: next });
    return true;
  });
}

/** Switches a reward on or off (off: neither shown nor redeemable; issued codes stay valid). */
export async function setRewardEnabledAdmin(sql: Sql, shop: string, id: number, enabled: boolean, actor: string): Promise<boolean> {
  return sql.tx(async (q) => {
    const before = await q.get<{ enabled: unknown }>(`SELECT enabled FROM rewards WHERE shop = ? AND id = ?`, [shop, id]);
    if (!before) return false;
    if (Boolean(before.enabled) === enabled) return true;
    await q.run(`UPDATE rewards SET enabled = ? WHERE shop = ? AND id = ?`, [bool(q, enabled), shop, id]);
    await recordAudit(q, shop, { actor, action: enabled ? "reward_enable" : "reward_disable", subjectType: "reward", subjectId: id, before: { enabled: !enabled }, after: { enabled } });
    return true;
  });
}
