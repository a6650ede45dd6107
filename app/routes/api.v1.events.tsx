import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { database } from "~/db.server";
import { apiCall, apiError, apiJson, idInput, methodNotAllowed, toGid, validationFailed, withHeaders } from "~/lib/api.server";
import { ActionRejected, earnAction } from "~/models/actions.server";

// POST /api/v1/events — the merchant's systems award points for their own events (a review app's
// "review published", an in-store visit …). Authorization: Bearer <API key>. The caller's
// idempotencyKey makes a retried call harmless. Documented in docs/api.md.
const Body = z
  .object({
    customerId: idInput("Customer"),
    event: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters"),
    points: z.number().int("must be a whole number").positive("must be above 0"),
    idempotencyKey: z.string().trim().min(1, "is required").max(200, "must be at most 200 characters"),
    note: z.string().max(500, "must be at most 500 characters").optional(),
  })
  .strict();

export const loader = () => methodNotAllowed("POST");

export const action = async ({ request }: ActionFunctionArgs) => {
  const call = await apiCall(request, Body, "event");
  if ("response" in call) return call.response;
  const { shop, data: b, headers } = call;
  const json = (data: unknown, status = 200) => apiJson(data, status, headers);
  const db = await database();
  try {
    const r = await earnAction(db.sql, shop, toGid("Customer", b.customerId), { kind: "custom", event: b.event, points: b.points, key: b.idempotencyKey, note: b.note });
    if (r.status === "earned") return json({ status: "earned", points: r.points, entryId: r.entryId }, 201);
    if (r.status === "duplicate") return json({ status: "duplicate", entryId: r.entryId }, 200);
    return apiError(409, "skipped", `no points: ${r.reason}`, { status: "skipped", reason: r.reason }, headers);
  } catch (error) {
    if (error instanceof ActionRejected) return withHeaders(validationFailed("event", { points: error.reason }), headers);
    throw error;
  }
};
