import type { ActionFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { apiJson, methodNotAllowed } from "~/lib/api.server";
import { flowActionRequest } from "~/lib/flow-action.server";
import { PointsProperties } from "~/domain/flow-actions";
import { runPointsAction } from "~/models/flow-actions.server";

// POST /flow/deduct-points — the "Deduct loyalty points" Shopify Flow action
// (extensions/flow-deduct-points). Never below zero: 422 insufficient_points, nothing written.
export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const r = await flowActionRequest(request, "deduct-points", PointsProperties);
  if ("response" in r) return r.response;
  const db = await database();
  const result = await runPointsAction(db.sql, r.shop, "deduct-points", r.actionRunId, { customerId: r.properties.customer_id, points: r.properties.points, reason: r.properties.reason });
  return apiJson(result.body, result.status);
};
