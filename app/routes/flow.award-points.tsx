import type { ActionFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { apiJson, methodNotAllowed } from "~/lib/api.server";
import { flowActionRequest } from "~/lib/flow-action.server";
import { PointsProperties } from "~/domain/flow-actions";
import { runPointsAction } from "~/models/flow-actions.server";

// POST /flow/award-points — the "Award loyalty points" Shopify Flow action
// (extensions/flow-award-points). Signed by Shopify; the action run id posts once.
export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const r = await flowActionRequest(request, "award-points", PointsProperties);
  if ("response" in r) return r.response;
  const db = await database();
  const result = await runPointsAction(db.sql, r.shop, "award-points", r.actionRunId, { customerId: r.properties.customer_id, points: r.properties.points, reason: r.properties.reason });
  return apiJson(result.body, result.status);
};
