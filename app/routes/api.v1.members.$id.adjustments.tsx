import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { MAX_ADJUST_POINTS } from "~/domain/members";
import { apiCallWithKey, apiJson, methodNotAllowed } from "~/lib/api.server";
import { memberOr } from "~/lib/api-member.server";
import { apiAdjust } from "~/models/api.server";

// POST /api/v1/members/{ref}/adjustments + Idempotency-Key — award or deduct points with a reason.
// A deduction never takes the balance below 0 (409). The same key gives the same answer and
// writes nothing more. Scope: write. docs/api.md.
const Body = z
  .object({
    type: z.enum(["award", "deduct"], { message: 'must be "award" or "deduct"' }),
    points: z.number({ message: "must be a number" }).int("must be a whole number").positive("must be above 0").max(MAX_ADJUST_POINTS, `must be at most ${MAX_ADJUST_POINTS}`),
    reason: z.string({ message: "is required" }).trim().min(1, "is required").max(100, "must be at most 100 characters"),
    note: z.string().max(500, "must be at most 500 characters").nullish(),
  })
  .strict();

export const loader = () => methodNotAllowed("POST");

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const call = await apiCallWithKey(request, Body, "adjustment");
  if ("response" in call) return call.response;
  const found = await memberOr(call, params.id);
  if ("response" in found) return found.response;
  const answer = await apiAdjust(call.db.sql, call.shop, found.id, call.data, call.idemKey, `api:${call.key.prefix}`);
  return apiJson(answer.body, answer.status, { ...call.headers, ...(answer.replayed ? { "Idempotent-Replayed": "true" } : {}) });
};
