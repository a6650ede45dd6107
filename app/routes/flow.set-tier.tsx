import type { ActionFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { apiJson, methodNotAllowed } from "~/lib/api.server";
import { flowActionRequest } from "~/lib/flow-action.server";
import { TierProperties } from "~/domain/flow-actions";
import { runTierAction } from "~/models/flow-actions.server";

// POST /flow/set-tier — the "Set loyalty tier" Shopify Flow action (extensions/flow-set-tier):
// the manual tier assignment, held for the given days. Signed by Shopify; a run counts once.
export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const r = await flowActionRequest(request, "set-tier", TierProperties);
  if ("response" in r) return r.response;
  const db = await database();
  const result = await runTierAction(db.sql, r.shop, r.actionRunId, { customerId: r.properties.customer_id, tier: r.properties.tier, days: r.properties.days });
  return apiJson(result.body, result.status);
};
