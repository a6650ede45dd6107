import type { IncomingMessage, ServerResponse } from "node:http";
import type { DevStore } from "../index.ts";
import type { Fault, FaultTarget } from "./faults.ts";
import { parseBodyObject, sendJson } from "./io.ts";
import { FlowActionInvalid } from "../flow.ts";

/**
 * JSON control endpoints for a devstore started from the CLI (demo, benchmarks, other processes):
 *   GET  /devstore/health                      → { ok, shops }
 *   GET  /devstore/shops                       → shops with their access tokens
 *   POST /devstore/shops          {domain, name?, currency?, timezone?, countryCode?, taxesIncluded?, taxRate?}
 *                                 → 201: another shop that installed the app (it signs in by token exchange)
 *   POST /devstore/session-token  {shop?, userId?}
 *   POST /devstore/customers      CustomerInput
 *   POST /devstore/orders         CreateOrderInput
 *   POST /devstore/orders/:id/paid | /refund {lines, shipping?, note?} | /cancel {reason?, refund?}
 *   POST /devstore/compliance/data_request | customers_redact | shop_redact  {shop?, customerId?}
 *   POST /devstore/faults         {target?, count, fault}
 *   POST /devstore/webhooks/settle {retries?}
 *   GET  /devstore/webhooks/deliveries
 *   POST /devstore/webhooks/switches  Partial<WebhookSwitches>
 *   GET  /devstore/flow/triggers?shop=   → flowTriggerReceive calls the shop accepted
 *   POST /devstore/flow/actions   {handle, properties, shop?, actionRunId?} → the app's answer to a signed Flow action
 *   POST /devstore/flow/workflows {handle, enabled, shop?, workflowId?} → a workflow using the trigger
 *                                 switched on/off; the app's lifecycle callback answer, if one was sent
 */
export function controlHandler(store: () => DevStore) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, raw: Buffer): Promise<void> => {
    const s = store();
    const body = parseBodyObject(raw, req.headers["content-type"]) ?? {};
    const as = <T>() => body as unknown as T;
    const shop = (body as { shop?: string }).shop;
    const route = `${req.method} ${path}`;
    try {
      let m: RegExpExecArray | null;
      if (route === "GET /devstore/health") return sendJson(res, 200, { ok: true, shops: s.shops.all().map((x) => x.domain) });
      if (route === "GET /devstore/shops") {
        return sendJson(res, 200, s.shops.all().map((x) => ({ domain: x.domain, name: x.name, plan: x.plan, currency: x.currency, accessTokens: [...x.accessTokens.keys()] })));
      }
      if (route === "POST /devstore/shops") {
        const allowed = new Set(["domain", "name", "currency", "timezone", "countryCode", "taxesIncluded", "taxRate"]);
        const unknown = Object.keys(body).filter((k) => !allowed.has(k));
        if (unknown.length) return sendJson(res, 422, { errors: `unknown shop setting ${unknown.join(", ")}; use ${[...allowed].join(", ")}` });
        const seed = as<Parameters<DevStore["shops"]["create"]>[0]>();
        if (typeof seed.domain !== "string" || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(seed.domain)) return sendJson(res, 422, { errors: "domain must be a <name>.myshopify.com domain" });
        if (s.shops.all().some((x) => x.domain === seed.domain)) return sendJson(res, 422, { errors: `shop ${seed.domain} exists` });
        const created = s.shops.create(seed);
        return sendJson(res, 201, { domain: created.domain, name: created.name, currency: created.currency });
      }
      if (route === "POST /devstore/session-token") {
        const { userId } = as<{ userId?: number }>();
        return sendJson(res, 200, { token: s.auth.sessionToken({ shop, userId }) });
      }
      if (route === "POST /devstore/extension-token") {
        const { surface, customerId, userId } = as<{ surface?: string; customerId?: number | string | null; userId?: number | string }>();
        if (surface !== "checkout" && surface !== "customer-account" && surface !== "pos") return sendJson(res, 422, { errors: "surface must be checkout, customer-account or pos" });
        return sendJson(res, 200, { token: s.auth.extensionToken(surface, { shop, customerId, userId }) });
      }
      if (req.method === "GET" && path === "/devstore/flow/triggers") {
        const q = new URL(req.url ?? "/", "http://devstore").searchParams.get("shop") ?? undefined;
        return sendJson(res, 200, s.flow.triggers(q));
      }
      if (route === "POST /devstore/flow/actions") {
        const { handle, properties, actionRunId } = as<{ handle?: string; properties?: Record<string, unknown>; actionRunId?: string }>();
        if (typeof handle !== "string" || !properties || typeof properties !== "object") return sendJson(res, 422, { errors: "handle and properties are required" });
        try {
          const r = await s.flow.runAction(handle, properties, { shop, actionRunId });
          return sendJson(res, 200, { status: r.status, body: r.body, actionRunId: r.actionRunId });
        } catch (error) {
          if (error instanceof FlowActionInvalid) return sendJson(res, 422, { errors: error.message });
          throw error;
        }
      }
      if (route === "POST /devstore/flow/workflows") {
        const { handle, enabled, workflowId } = as<{ handle?: string; enabled?: boolean; workflowId?: string }>();
        if (typeof handle !== "string" || typeof enabled !== "boolean") return sendJson(res, 422, { errors: "handle and enabled (a boolean) are required" });
        try {
          return sendJson(res, 200, await s.flow.switchWorkflow(handle, enabled, { shop, workflowId }));
        } catch (error) {
          if (error instanceof FlowActionInvalid) return sendJson(res, 422, { errors: error.message });
          throw error;
        }
      }
      if (route === "POST /devstore/customers") return sendJson(res, 201, s.customers.create(as<Parameters<DevStore["customers"]["create"]>[0]>()));
      if (route === "POST /devstore/orders") return sendJson(res, 201, s.orders.create(as<Parameters<DevStore["orders"]["create"]>[0]>()));
      if ((m = /^POST \/devstore\/orders\/(\d+)\/(paid|refund|cancel)$/.exec(route))) {
        const id = Number(m[1]);
        if (m[2] === "paid") return sendJson(res, 200, s.orders.markPaid(id, { shop }));
        if (m[2] === "refund") {
          const { lines = [], shipping, note } = as<{ lines?: Parameters<DevStore["orders"]["refund"]>[1]; shipping?: string; note?: string }>();
          return sendJson(res, 200, s.orders.refund(id, lines, { shop, shipping, note }));
        }
        return sendJson(res, 200, s.orders.cancel(id, { shop, ...as<Parameters<DevStore["orders"]["cancel"]>[1]>() }));
      }
      if ((m = /^POST \/devstore\/compliance\/(data_request|customers_redact|shop_redact)$/.exec(route))) {
        const { customerId } = as<{ customerId?: number }>();
        if (m[1] === "data_request") s.compliance.dataRequest({ shop, customerId: customerId! });
        else if (m[1] === "customers_redact") s.compliance.customersRedact({ shop, customerId: customerId! });
        else s.compliance.shopRedact({ shop });
        return sendJson(res, 202, { ok: true });
      }
      if (route === "POST /devstore/faults") {
        const { target = "admin", count = 1, fault } = as<{ target?: FaultTarget; count?: number; fault: Fault }>();
        s.faults.next(count, fault, target);
        return sendJson(res, 200, { pending: s.faults.pending(target) });
      }
      if (route === "POST /devstore/webhooks/settle") {
        await s.webhooks.settle({ retries: as<{ retries?: boolean }>().retries ?? false });
        return sendJson(res, 200, { ok: true });
      }
      if (route === "GET /devstore/webhooks/deliveries") {
        return sendJson(res, 200, s.webhooks.deliveries.map(({ body: _b, headers: _h, ...rest }) => rest));
      }
      if (route === "POST /devstore/webhooks/switches") {
        Object.assign(s.webhooks.switches, body);
        return sendJson(res, 200, s.webhooks.switches);
      }
      sendJson(res, 404, { errors: "Not Found" });
    } catch (error) {
      sendJson(res, 422, { errors: (error as Error).message });
    }
  };
}
