// The onboarding's storage: whether a shop has finished it (shops.onboarded_at), and going live —
// the program switched on, the first reward created and the shop marked onboarded, together and once.
import { toDate, type Queryable } from "~/lib/sql.server";
import type { Program } from "~/domain/program";
import type { Reward } from "~/domain/rewards";
import { saveProgram } from "./earning.server";
import { createReward } from "./redemptions.server";
import { ensureShop } from "./shops.server";

function now(q: Queryable, at: number): unknown {
  return q.dialect === "sqlite" ? at : new Date(at);
}

/** When the shop finished the onboarding; null: not yet (a new install), so /app leads there. */
export async function onboardedAt(q: Queryable, shop: string): Promise<Date | null> {
  await ensureShop(q, shop);
  const row = await q.get<{ onboarded_at: unknown }>(`SELECT onboarded_at FROM shops WHERE domain = ?`, [shop]);
  return toDate(row?.onboarded_at ?? null);
}

/** Marks the shop onboarded without the onboarding (the demo's pre-configured shop). Idempotent. */
export async function markOnboarded(q: Queryable, shop: string, at = Date.now()): Promise<boolean> {
  await ensureShop(q, shop);
  const r = await q.run(`UPDATE shops SET onboarded_at = ? WHERE domain = ? AND onboarded_at IS NULL`, [now(q, at), shop]);
  return r.changes === 1;
}

export type GoLiveOutcome = { status: "live"; rewardId: number } | { status: "already-live" };

/**
 * The onboarding's last step, in the caller's transaction: claims the shop's onboarding by a
 * conditional update (onboarded_at IS NULL), then saves the program switched on and creates the
 * first reward. A second submit (double click, another tab) finds the shop onboarded and changes
 * nothing, so it never creates a second reward or overwrites what the merchant changed since.
 */
export async function goLive(q: Queryable, shop: string, program: Program, reward: Reward, at = Date.now()): Promise<GoLiveOutcome> {
  if (!program.enabled) throw new Error("goLive needs the program switched on");
  if (!(await markOnboarded(q, shop, at))) return { status: "already-live" };
  await saveProgram(q, shop, program);
  const rewardId = await createReward(q, shop, reward);
  return { status: "live", rewardId };
}
