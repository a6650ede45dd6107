// One redemption request, wherever the shopper taps "redeem" (storefront panel, customer account,
// checkout, POS): parse the body, count the attempt, redeem in two phases, answer. The caller has
// verified who the shopper is; the body never names them.
import { database } from "~/db.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { allowRedeemAttempt, redeem, RedeemError } from "~/models/redemptions.server";

export interface RedeemAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** `{"rewardId": 1, "idempotencyKey": "…", "units"?: n}` → 200 issued/donated, 202 held (Shopify
 *  slow: ask again with the same key), 400/422 bad body, 404/409 no such reward / not enough points,
 *  429 too many attempts, 502 Shopify refused (points back), 503 shop not connected. */
export async function redeemRequest(input: { shop: string; customerGid: string; admin: AdminGraphql | null; rawBody: string }): Promise<RedeemAnswer> {
  let body: { rewardId?: unknown; idempotencyKey?: unknown; units?: unknown };
  try {
    body = JSON.parse(input.rawBody);
    if (typeof body !== "object" || body === null) throw new Error("not an object");
  } catch {
    return { status: 400, body: { error: "body must be JSON" } };
  }
  const key = typeof body.idempotencyKey === "string" ? body.idempotencyKey : "";
  const keyOk = key.length > 0 && key.length <= 100;
  if (!Number.isInteger(body.rewardId) || !keyOk) {
    return { status: 422, body: { error: "invalid", fieldErrors: { ...(!Number.isInteger(body.rewardId) ? { rewardId: "is required" } : {}), ...(!keyOk ? { idempotencyKey: "is required (1 to 100 characters)" } : {}) } } };
  }
  if (!input.admin) return { status: 503, body: { error: "the shop is not connected; try again later" } };
  const db = await database();
  if (!(await allowRedeemAttempt(db.sql, input.shop, input.customerGid, key))) {
    return { status: 429, body: { error: "too many redemptions; try again in a minute" }, headers: { "Retry-After": "60" } };
  }
  try {
    const units = typeof body.units === "number" ? body.units : undefined;
    const pending = redeem(db.sql, input.shop, input.customerGid, body.rewardId as number, key, input.admin, { choice: { units } });
    // A shopper isn't kept waiting on Shopify's rate limit: after a few seconds the answer is 202
    // and the redemption carries on; the same request again (same key) returns its state.
    const waitMs = Number(process.env.STAMMKUNDE_PROXY_WAIT_MS ?? 5000);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
    const r = await Promise.race([pending, late]).finally(() => clearTimeout(timer));
    if (r === null) {
      pending.catch((error) => console.error("redemption finished with an error", error));
      return { status: 202, body: { status: "held", idempotencyKey: key } };
    }
    const status = r.status === "issued" || r.status === "donated" ? 200 : r.status === "held" ? 202 : 502;
    return { status, body: { ...r } };
  } catch (error) {
    if (error instanceof RedeemError) return { status: error.status, body: { error: error.reason } };
    throw error;
  }
}
