import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { adminFor } from "~/jobs/admin.server";
import { apiCallWithKey, apiError, apiJson, methodNotAllowed } from "~/lib/api.server";
import { memberOr } from "~/lib/api-member.server";
import { redeem, RedeemError } from "~/models/redemptions.server";
import type { AdminGraphql } from "~/services/shopify/client.server";

// POST /api/v1/members/{ref}/redemptions + Idempotency-Key — redeems a reward for the member by
// the same two-phase redemption as the storefront: the points are held, the code is made in
// Shopify, then the points are taken — or given back when Shopify refuses. The same key returns
// the same redemption (and its code). Scope: write. docs/api.md.
const Body = z
  .object({
    rewardId: z.number({ message: "must be a reward id" }).int("must be a reward id").positive("must be a reward id"),
    units: z.number().int("must be a whole number").positive("must be above 0").optional(),
  })
  .strict();

/** How long the caller waits for Shopify before the answer is 202 (the redemption goes on). */
const WAIT_MS = () => Number(process.env.STAMMKUNDE_API_REDEEM_WAIT_MS ?? 10_000);

export const loader = () => methodNotAllowed("POST");

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const call = await apiCallWithKey(request, Body, "redemption");
  if ("response" in call) return call.response;
  const found = await memberOr(call, params.id);
  if ("response" in found) return found.response;
  let admin: AdminGraphql;
  try {
    admin = await adminFor(call.shop);
  } catch {
    return apiError(503, "shop_not_connected", "the shop is not connected to the app; try again later", {}, call.headers);
  }
  try {
    const pending = redeem(call.db.sql, call.shop, found.member.customerId, call.data.rewardId, `api:${call.idemKey}`, admin, { choice: { units: call.data.units } });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), WAIT_MS())));
    const r = await Promise.race([pending, late]).finally(() => clearTimeout(timer));
    if (r === null) {
      pending.catch((error) => console.error("API redemption finished with an error", error));
      return apiJson({ redemption: { status: "held", code: null } }, 202, call.headers);
    }
    if (r.status === "issued" || r.status === "donated" || r.status === "used") return apiJson({ redemption: r }, 201, call.headers);
    if (r.status === "held") return apiJson({ redemption: r }, 202, call.headers);
    return apiError(502, "redemption_failed", `Shopify did not make the code; the points were given back${r.error ? `: ${r.error}` : ""}`, { redemption: r }, call.headers);
  } catch (error) {
    if (!(error instanceof RedeemError)) throw error;
    const code = error.status === 404 ? "not_found" : error.status === 422 ? "validation_failed" : error.status === 403 ? "member_cannot_redeem" : /point/i.test(error.reason) ? "insufficient_points" : "conflict";
    const extra = error.status === 422 ? { fieldErrors: { units: error.reason } } : {};
    return apiError(error.status, code, error.reason, extra, call.headers);
  }
};
