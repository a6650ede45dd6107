import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { database } from "~/db.server";
import { apiCall, apiError, apiJson, idInput, methodNotAllowed, toGid } from "~/lib/api.server";
import { earnAction } from "~/models/actions.server";

// POST /api/v1/reviews — a review app reports a published product review; the shopper earns the
// program's review points once per product. Authorization: Bearer <API key>. docs/api.md.
const Body = z
  .object({
    customerId: idInput("Customer"),
    productId: idInput("Product"),
  })
  .strict();

export const loader = () => methodNotAllowed("POST");

export const action = async ({ request }: ActionFunctionArgs) => {
  const call = await apiCall(request, Body, "review");
  if ("response" in call) return call.response;
  const { shop, data, headers } = call;
  const json = (body: unknown, status = 200) => apiJson(body, status, headers);
  const db = await database();
  const customer = toGid("Customer", data.customerId);
  const product = toGid("Product", data.productId);
  const r = await earnAction(db.sql, shop, customer, { kind: "review", subject: product });
  if (r.status === "earned") return json({ status: "earned", points: r.points, entryId: r.entryId }, 201);
  if (r.status === "duplicate") return json({ status: "duplicate", entryId: r.entryId });
  return apiError(409, "skipped", `no points: ${r.reason}`, { status: "skipped", reason: r.reason }, headers);
};
