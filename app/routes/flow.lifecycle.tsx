import type { ActionFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { apiJson, fieldErrors, methodNotAllowed } from "~/lib/api.server";
import { flowRequest } from "~/lib/flow-action.server";
import { FLOW_TRIGGER_HANDLES } from "~/domain/app-events";
import { FlowLifecycleNotice } from "~/domain/flow-actions";
import { applyFlowLifecycle } from "~/models/flow-usage.server";

// POST /flow/lifecycle — Shopify Flow's trigger lifecycle callback
// (extensions/flow-trigger-lifecycle, docs/decisions/0024): a shop switched on its first workflow
// using one of our triggers, or off its last. Signed by Shopify (authenticate.flow); unsigned or
// forged → 401, malformed → 400, nothing written. Flow won't let the merchant switch a workflow on
// without our 2xx, so a valid notice is always answered 200 (an older one than stored changes nothing).
export const loader = methodNotAllowed;

const HANDLES = new Set<string>(Object.values(FLOW_TRIGGER_HANDLES));

export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await flowRequest(request);
  if ("response" in auth) return auth.response;
  const notice = FlowLifecycleNotice.safeParse(auth.payload);
  if (!notice.success) return apiJson({ error: "invalid lifecycle notice", fieldErrors: fieldErrors(notice.error.issues) }, 400);
  const n = notice.data;
  if (n.shopify_domain !== auth.shop) return apiJson({ error: "invalid lifecycle notice", fieldErrors: { shopify_domain: "is not the signed shop" } }, 400);
  if (!HANDLES.has(n.flow_trigger_definition_id)) return apiJson({ error: "invalid lifecycle notice", fieldErrors: { flow_trigger_definition_id: "is not a trigger of this app" } }, 400);
  const db = await database();
  const result = await applyFlowLifecycle(db.sql, auth.shop, n.flow_trigger_definition_id, n.has_enabled_flow, Date.parse(n.timestamp));
  return apiJson({ ok: true, result }, 200);
};
