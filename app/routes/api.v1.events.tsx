import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { database } from "~/db.server";
import { ActionRejected, earnAction } from "~/models/actions.server";
import { shopForApiKey } from "~/models/api-keys.server";

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

const json = (data: unknown, status = 200) => new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });

export const loader = () => json({ error: "use POST" }, 405);

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return json({ error: "use POST" }, 405);
  const key = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const db = await database();
  const shop = key ? await shopForApiKey(db.sql, key) : null;
  if (!shop) return json({ error: "missing or unknown API key" }, 401);
  let raw: unknown;
  try {
    raw = JSON.parse(await request.text());
  } catch {
    return json({ error: "body must be JSON" }, 400);
  }
  const parsed = Body.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || "body", i.message]));
    return json({ error: "invalid event", fieldErrors }, 422);
  }
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
