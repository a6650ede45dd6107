import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { database } from "~/db.server";
import { apiJson as json, apiRequest, fieldErrors, methodNotAllowed } from "~/lib/api.server";
import { earnAction } from "~/models/actions.server";

// POST /api/v1/reviews — a review app reports a published product review; the shopper earns the
// program's review points once per product. Authorization: Bearer <API key>. docs/api.md.
const Body = z
  .object({
    customerId: z.union([z.string().regex(/^(gid:\/\/shopify\/Customer\/)?\d+$/, "must be a Shopify customer id or GID"), z.number().int().positive()]),
    productId: z.union([z.string().regex(/^(gid:\/\/shopify\/Product\/)?\d+$/, "must be a Shopify product id or GID"), z.number().int().positive()]),
  })
  .strict();

export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const req = await apiRequest(request);
  if ("response" in req) return req.response;
  const { shop } = req;
  const parsed = Body.safeParse(req.body);
  if (!parsed.success) return json({ error: "invalid review", fieldErrors: fieldErrors(parsed.error.issues) }, 422);
  const db = await database();
  const customer = `gid://shopify/Customer/${String(parsed.data.customerId).replace("gid://shopify/Customer/", "")}`;
  const product = `gid://shopify/Product/${String(parsed.data.productId).replace("gid://shopify/Product/", "")}`;
  const r = await earnAction(db.sql, shop, customer, { kind: "review", subject: product });
  if (r.status === "earned") return json({ status: "earned", points: r.points, entryId: r.entryId }, 201);
  if (r.status === "duplicate") return json({ status: "duplicate", entryId: r.entryId });
  return json({ status: "skipped", reason: r.reason }, 409);
};
