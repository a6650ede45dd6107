// Shopify Flow as the app meets it: the triggers it received (flowTriggerReceive, checked in
// admin/root/flow.ts) and Flow actions sent to the app like Shopify does — a JSON body with the
// shop, the action run id, the action's handle and its properties, POSTed to the action's
// runtime_url (its path on the app URL) and signed with X-Shopify-Hmac-SHA256 = base64 HMAC-SHA256
// of the raw body with the app secret (SIGNING.md §1: Flow actions use the webhook HMAC). And the
// merchant's workflows: switching on the first workflow that uses a trigger, or off the last one,
// sends the app's flow_trigger_lifecycle_callback a signed notice (has_enabled_flow), as Flow does;
// a workflow can't be switched on while the app doesn't answer that notice with a 2xx.
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
  /**
   * The merchant switches a workflow that starts with the trigger `handle` on or off. When that
   * changes whether the shop has an enabled workflow using the trigger, the app's lifecycle
   * callback gets the signed notice; switching on fails (stays off) unless it answers 2xx.
   */
  switchWorkflow(handle: string, enabled: boolean, opts?: FlowWorkflowSwitch): Promise<FlowWorkflowResult>;
}

export interface FlowWorkflowSwitch {
  shop?: string;
  /** the workflow's id (default `wf-<handle>`): several workflows may use one trigger */
  workflowId?: string;
  /** sign with another secret (negative tests) or not at all (null) */
  secret?: string | null;
  /** the notice's timestamp (default: the store clock) */
  timestamp?: string;
}

export interface FlowWorkflowResult {
  /** whether the workflow is on after the switch */
  enabled: boolean;
  /** whether the shop has an enabled workflow using the trigger afterwards */
  hasEnabledFlow: boolean;
  /** the lifecycle notice sent to the app, if the switch changed has_enabled_flow */
  callback: { status: number; body: string; requestBody: string } | null;
}

export class FlowActionInvalid extends Error {}

export function createFlowApi(deps: { extensions: FlowExtensions; appUrl: string; apiSecret: string; shop: (domain?: string) => ShopState; now: () => number }): FlowApi {
  /** POSTs the lifecycle notice to every lifecycle callback the app declares; the last answer counts. */
  async function notify(shop: ShopState, handle: string, hasEnabledFlow: boolean, opts: FlowWorkflowSwitch) {
    let last: FlowWorkflowResult["callback"] = null;
    for (const cb of deps.extensions.lifecycleCallbacks) {
      const requestBody = JSON.stringify({
        flow_trigger_definition_id: handle,
        has_enabled_flow: hasEnabledFlow,
        shop_id: shop.id,
        shopify_domain: shop.domain,
        timestamp: opts.timestamp ?? new Date(deps.now()).toISOString(),
      });
      const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "Shopify-Flow-Devstore" };
      const secret = opts.secret === undefined ? deps.apiSecret : opts.secret;
      if (secret !== null) headers["X-Shopify-Hmac-SHA256"] = hmacBase64(secret, requestBody);
      // a relative url is resolved against the app URL, as `shopify app dev` / `deploy` do
      const target = cb.url.startsWith("/") ? `${deps.appUrl}${cb.url}` : `${deps.appUrl}${new URL(cb.url).pathname}`;
      const res = await fetch(target, { method: "POST", headers, body: requestBody });
      last = { status: res.status, body: await res.text(), requestBody };
      if (res.status < 200 || res.status > 299) break;
    }
    return last;
  }

  return {
    extensions: deps.extensions,
    triggers: (domain) => deps.shop(domain).flowTriggers,
    async switchWorkflow(handle, enabled, opts = {}) {
      if (!deps.extensions.triggers.has(handle)) throw new FlowActionInvalid(`no flow_trigger extension has the handle ${handle}`);
      const shop = deps.shop(opts.shop);
      const id = opts.workflowId ?? `wf-${handle}`;
      const on = shop.flowWorkflows.get(handle) ?? new Set<string>();
      const before = on.size > 0;
      if (enabled === on.has(id)) return { enabled, hasEnabledFlow: before, callback: null };
      const after = enabled ? true : on.size > 1;
      const callback = before === after ? null : await notify(shop, handle, after, opts);
      // Flow: without a 2xx to the notice the merchant can't switch the workflow on
      if (enabled && callback && (callback.status < 200 || callback.status > 299)) return { enabled: false, hasEnabledFlow: before, callback };
      if (enabled) on.add(id);
      else on.delete(id);
      shop.flowWorkflows.set(handle, on);
      return { enabled, hasEnabledFlow: on.size > 0, callback };
    },
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
