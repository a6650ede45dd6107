import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { affordable, rewardValueText } from "~/domain/rewards";
import { privateJson, proxyContext } from "~/lib/app-proxy.server";
import { findMemberByCustomer, listEntries } from "~/models/ledger.server";
import { toDate } from "~/lib/sql.server";
import { allowRedeemAttempt, listRewards, memberCodes, redeem, RedeemError } from "~/models/redemptions.server";
import { ensureShop } from "~/models/shops.server";
import { programOf } from "~/models/earning.server";
import { SOCIAL_NETWORKS, type Program } from "~/domain/program";
import type { Queryable } from "~/lib/sql.server";

/** The ways to earn the program offers, in the shopper's language, with what this shopper has done. */
async function waysToEarn(q: Queryable, shop: string, program: Program, locale: "en" | "de", currency: string, customerGid: string | null, birthday: string | null) {
  if (!program.enabled) return [];
  const done = new Set<string>();
  if (customerGid) {
    const rows = await q.all<{ idempotency_key: string }>(`SELECT idempotency_key FROM ledger_entries WHERE shop = ? AND idempotency_key IN (?, ?, ?, ?, ?, ?)`, [
      shop,
      `earn:signup:${customerGid}`,
      `earn:newsletter:${customerGid}`,
      ...SOCIAL_NETWORKS.map((n) => `earn:social:${n}:${customerGid}`),
    ]);
    for (const r of rows) done.add(r.idempotency_key);
  }
  const a = program.actions;
  const ways: Array<Record<string, unknown>> = [];
  if (program.purchase.enabled) {
    const unit = new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US", { style: "currency", currency, maximumFractionDigits: 0 }).format(1);
    ways.push({ key: "purchase", points: program.purchase.pointsPerUnit, unit });
  }
  for (const key of ["signup", "newsletter", "birthday", "review"] as const) {
    if (!a[key].enabled) continue;
    ways.push({
      key,
      title: a[key].texts[locale].title,
      description: a[key].texts[locale].description,
      points: a[key].points,
      done: key === "birthday" ? Boolean(birthday) : done.has(`earn:${key}:${customerGid}`),
      ...(key === "birthday" && birthday ? { birthday } : {}),
    });
  }
  if (a.social.enabled) {
    ways.push({
      key: "social",
      title: a.social.texts[locale].title,
      description: a.social.texts[locale].description,
      points: a.social.points,
      networks: SOCIAL_NETWORKS.filter((n) => a.social.networks[n].enabled).map((n) => ({ network: n, url: a.social.networks[n].url, done: done.has(`earn:social:${n}:${customerGid}`) })),
    });
  }
  return ways;
}

// GET /apps/loyalty/rewards — the catalogue, with what the signed-in shopper can afford and their codes.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await proxyContext(request);
  const db = await database();
  const settings = await ensureShop(db.sql, ctx.shop);
  const locale = (ctx.locale ?? "").toLowerCase().startsWith("de") ? "de" : "en";
  const found = ctx.customerGid ? await findMemberByCustomer(db.sql, ctx.shop, ctx.customerGid) : undefined;
  // A member the shop blocked gets the guest's view: nothing personal, nothing to redeem.
  const blocked = Boolean(found?.blocked_at);
  const customerGid = blocked ? null : ctx.customerGid;
  const member = blocked ? undefined : found;
  const balance = member?.points_available ?? 0;
  const rewards = (await listRewards(db.sql, ctx.shop)).map(({ id, reward }) => ({
    id,
    type: reward.type,
    title: reward.texts[locale].title,
    value: rewardValueText(reward, settings.currency_code, locale),
    pointsCost: reward.pointsCost,
    ...(reward.type === "points_for_money" ? { minUnits: reward.minUnits, maxUnits: reward.maxUnits } : {}),
    affordable: Boolean(customerGid) && affordable(balance, reward),
  }));
  const codes = customerGid ? (await memberCodes(db.sql, ctx.shop, customerGid)).map((c) => ({ code: c.code, points: c.points })) : [];
  const history = member
    ? (await listEntries(db.sql, ctx.shop, member.id, 10)).map((e) => ({
        points: e.points,
        bucket: e.bucket,
        kind: e.kind,
        reason: e.reason.split(":")[0],
        at: toDate(e.created_at)?.toISOString() ?? null,
      }))
    : [];
  const earn = await waysToEarn(db.sql, ctx.shop, programOf(settings), locale, settings.currency_code, customerGid, member?.birthday ?? null);
  return privateJson({ loggedIn: Boolean(customerGid), ...(blocked ? { blocked: true } : {}), balance, pending: member?.points_pending ?? 0, rewards, codes, earn, history });
};

// POST /apps/loyalty/rewards {"rewardId": 1, "idempotencyKey": "…"} — redeem. The shopper is the
// signed logged_in_customer_id, never the body.
export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await proxyContext(request);
  if (!ctx.customerGid) return privateJson({ error: "log in first" }, { status: 403 });
  let body: { rewardId?: unknown; idempotencyKey?: unknown; units?: unknown };
  try {
    body = JSON.parse(await request.text());
  } catch {
    return privateJson({ error: "body must be JSON" }, { status: 400 });
  }
  const keyOk = typeof body.idempotencyKey === "string" && body.idempotencyKey.length > 0 && body.idempotencyKey.length <= 100;
  if (!Number.isInteger(body.rewardId) || !keyOk) {
    return privateJson({ error: "invalid", fieldErrors: { ...(!Number.isInteger(body.rewardId) ? { rewardId: "is required" } : {}), ...(!keyOk ? { idempotencyKey: "is required (1 to 100 characters)" } : {}) } }, { status: 422 });
  }
  if (!ctx.admin) return privateJson({ error: "the shop is not connected; try again later" }, { status: 503 });
  const db = await database();
  if (!(await allowRedeemAttempt(db.sql, ctx.shop, ctx.customerGid, body.idempotencyKey as string))) {
    return privateJson({ error: "too many redemptions; try again in a minute" }, { status: 429, headers: { "Retry-After": "60" } });
  }
  try {
    const units = typeof body.units === "number" ? body.units : undefined;
    const pending = redeem(db.sql, ctx.shop, ctx.customerGid, body.rewardId as number, body.idempotencyKey as string, ctx.admin, { choice: { units } });
    // A shopper isn't kept waiting on Shopify's rate limit: after a few seconds the answer is 202
    // and the redemption carries on; the same request again (same key) returns its state.
    const waitMs = Number(process.env.STAMMKUNDE_PROXY_WAIT_MS ?? 5000);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
    const r = await Promise.race([pending, late]).finally(() => clearTimeout(timer));
    if (r === null) {
      pending.catch((error) => console.error("redemption finished with an error", error));
      return privateJson({ status: "held", idempotencyKey: body.idempotencyKey }, { status: 202 });
    }
    const status = r.status === "issued" || r.status === "donated" ? 200 : r.status === "held" ? 202 : 502;
    return privateJson(r, { status });
  } catch (error) {
    if (error instanceof RedeemError) return privateJson({ error: error.reason }, { status: error.status });
    throw error;
  }
};
