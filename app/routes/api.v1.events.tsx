import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { database } from "~/db.server";
import { apiJson as json, apiRequest, fieldErrors, methodNotAllowed } from "~/lib/api.server";
import { ActionRejected, earnAction } from "~/models/actions.server";

// POST /api/v1/events — the merchant's systems award points for their own events (a review app's
// "review published", an in-store visit …). Authorization: Bearer <API key>. The caller's
// idempotencyKey makes a retried call harmless. Documented in docs/api.md.
const Body = z
  .object({
    customerId: z.union([z.string().regex(/^(gid:\/\/shopify\/Customer\/)?\d+$/, "must be a Shopify customer id or GID"), z.number().int().positive()]),
    event: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters"),
    points: z.number().int("must be a whole number").positive("must be above 0"),
    idempotencyKey: z.string().trim().min(1, "is required").max(200, "must be at most 200 characters"),
    note: z.string().max(500, "must be at most 500 characters").optional(),
  })
  .strict();

export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const req = await apiRequest(request);
  if ("response" in req) return req.response;
  const { shop } = req;
  const parsed = Body.safeParse(req.body);
  if (!parsed.success) return json({ error: "invalid event", fieldErrors: fieldErrors(parsed.error.issues) }, 422);
  const db = await database();
  const b = parsed.data;
  const id = String(b.customerId).replace("gid://shopify/Customer/", "");
  try {
    const r = await earnAction(db.sql, shop, `gid://shopify/Customer/${id}`, { kind: "custom", event: b.event, points: b.points, key: b.idempotencyKey, note: b.note });
    if (r.status === "earned") return json({ status: "earned", points: r.points, entryId: r.entryId }, 201);
    if (r.status === "duplicate") return json({ status: "duplicate", entryId: r.entryId }, 200);
    return json({ status: "skipped", reason: r.reason }, 409);
  } catch (error) {
    if (error instanceof ActionRejected) return json({ error: "invalid event", fieldErrors: { points: error.reason } }, 422);
    throw error;
  }
};
