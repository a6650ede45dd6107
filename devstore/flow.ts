// Shopify Flow as the app meets it: the triggers it received (flowTriggerReceive, checked in
// admin/root/flow.ts) and Flow actions sent to the app like Shopify does — a JSON body with the
// shop, the action run id, the action's handle and its properties, POSTed to the action's
// runtime_url (its path on the app URL) and signed with X-Shopify-Hmac-SHA256 = base64 HMAC-SHA256
// of the raw body with the app secret (SIGNING.md §1: Flow actions use the webhook HMAC).
import { randomUUID } from "node:crypto";
import { hmacBase64 } from "./auth/hmac.ts";
import { fieldValueError, type FlowExtensions } from "./config/flow-extensions.ts";
import type { ShopState } from "./state/shop.ts";
import type { FlowTriggerRecord } from "./state/types.ts";

export interface FlowActionRun {
  /** the action run id Flow sends (a repeated run of the same step carries the same one) */
  actionRunId?: string;
  /** sign with another secret (negative tests) or not at all (null) */
  secret?: string | null;
  /** send these bytes instead of the JSON body (a malformed request) */
  rawBody?: string;
}

export interface FlowApi {
  readonly extensions: FlowExtensions;
  /** flowTriggerReceive calls accepted for the shop, oldest first. */
  triggers(shop?: string): FlowTriggerRecord[];
  /**
   * Runs a Flow action step: checks the properties against the action's declared fields (as
   * Flow's editor does before a workflow can be turned on), then POSTs the signed request to the
   * app. Returns the app's status and body text.
   */
  runAction(handle: string, properties: Record<string, unknown>, opts?: FlowActionRun & { shop?: string }): Promise<{ status: number; body: string; actionRunId: string; requestBody: string }>;
}

export class FlowActionInvalid extends Error {}

export function createFlowApi(deps: { extensions: FlowExtensions; appUrl: string; apiSecret: string; shop: (domain?: string) => ShopState }): FlowApi {
  return {
    extensions: deps.extensions,
    triggers: (domain) => deps.shop(domain).flowTriggers,
    async runAction(handle, properties, opts = {}) {
      const action = deps.extensions.actions.get(handle);
      if (!action) throw new FlowActionInvalid(`no flow_action extension has the handle ${handle}`);
      const problems: string[] = [];
      for (const f of action.fields) {
        const v = properties[f.key];
        if (v === undefined || v === null || v === "") {
          if (f.required) problems.push(`${f.key} is required`);
          continue;
        }
        const error = fieldValueError(f, v);
        if (error) problems.push(`${f.key} ${error}`);
      }
      if (problems.length) throw new FlowActionInvalid(problems.join("; "));
      const shop = deps.shop(opts.shop);
      const actionRunId = opts.actionRunId ?? randomUUID();
      const requestBody =
        opts.rawBody ??
        JSON.stringify({
          shop_id: shop.id,
          shopify_domain: shop.domain,
          action_run_id: actionRunId,
          action_definition_id: handle,
          handle,
          properties,
        });
      const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "Shopify-Flow-Devstore" };
      const secret = opts.secret === undefined ? deps.apiSecret : opts.secret;
      if (secret !== null) headers["X-Shopify-Hmac-SHA256"] = hmacBase64(secret, requestBody);
      const target = `${deps.appUrl}${new URL(action.runtimeUrl).pathname}`;
      const res = await fetch(target, { method: "POST", headers, body: requestBody });
      return { status: res.status, body: await res.text(), actionRunId, requestBody };
    },
  };
}
