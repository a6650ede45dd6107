// Flow actions as the devstore sends them: the envelope, the runtime_url's path on the app URL,
// X-Shopify-Hmac-SHA256 over the raw body with the app secret (checked here with node:crypto),
// properties checked against the action's declared fields; the control endpoints over HTTP.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../index.ts";
import { FlowActionInvalid } from "../flow.ts";
import { startReceiver } from "./receiver.ts";

let store: DevStore;
let app: Awaited<ReturnType<typeof startReceiver>>;

/** the status the stand-in app answers to a lifecycle notice (actions always get 200) */
let lifecycleAnswer = 200;

beforeAll(async () => {
  app = await startReceiver((req) => (req.path === "/flow/lifecycle" ? lifecycleAnswer : 200));
  store = await createDevStore({ tomlPath: null, apiKey: "k", apiSecret: "flow-secret", appUrl: app.url });
});
afterAll(async () => {
  await store?.close();
  await app?.close();
});

describe("Flow actions from the devstore", () => {
  it("POSTs a signed run to the action's runtime_url path", async () => {
    const r = await store.flow.runAction("award-points", { customer_id: 5, points: 3, reason: "hi" }, { actionRunId: "run-9" });
    expect(r.status).toBe(200);
    const got = app.received.at(-1)!;
    expect(got.path).toBe("/flow/award-points");
    expect(got.json).toEqual({ shop_id: store.shops.get().id, shopify_domain: "stammkunde-dev.myshopify.com", action_run_id: "run-9", action_definition_id: "award-points", handle: "award-points", properties: { customer_id: 5, points: 3, reason: "hi" } });
    expect(got.headers["x-shopify-hmac-sha256"]).toBe(createHmac("sha256", "flow-secret").update(got.rawBody).digest("base64"));
  });

  it("checks properties against the declared fields, as Flow's editor does", async () => {
    await expect(store.flow.runAction("award-points", { customer_id: 5, points: 1.5, reason: "x" })).rejects.toBeInstanceOf(FlowActionInvalid);
    await expect(store.flow.runAction("award-points", { customer_id: 5, points: 1 })).rejects.toThrow(/reason is required/);
    await expect(store.flow.runAction("no-such-action", {})).rejects.toThrow(/no flow_action/);
  });

  it("is reachable through the control endpoints", async () => {
    const res = await fetch(`${store.url}/devstore/flow/actions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ handle: "set-tier", properties: { customer_id: 5, tier: "gold", days: 3 }, actionRunId: "ctl-1" }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 200, actionRunId: "ctl-1" });
    expect(app.received.at(-1)!.path).toBe("/flow/set-tier");
    const bad = await fetch(`${store.url}/devstore/flow/actions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ handle: "set-tier", properties: { customer_id: 5 } }) });
    expect(bad.status).toBe(422);
    const triggers = await fetch(`${store.url}/devstore/flow/triggers`);
    expect(await triggers.json()).toEqual([]);
  });
});

describe("Flow workflows and the trigger lifecycle callback", () => {
  it("notifies the app, signed, when the first workflow on a trigger goes on and the last goes off", async () => {
    const before = app.received.length;
    const on = await store.flow.switchWorkflow("tier-changed", true, { timestamp: "2026-11-26T10:00:00.000Z" });
    expect(on).toMatchObject({ enabled: true, hasEnabledFlow: true, callback: { status: 200 } });
    const got = app.received.at(-1)!;
    expect(got.path).toBe("/flow/lifecycle");
    expect(got.json).toEqual({ flow_trigger_definition_id: "tier-changed", has_enabled_flow: true, shop_id: store.shops.get().id, shopify_domain: "stammkunde-dev.myshopify.com", timestamp: "2026-11-26T10:00:00.000Z" });
    expect(got.headers["x-shopify-hmac-sha256"]).toBe(createHmac("sha256", "flow-secret").update(got.rawBody).digest("base64"));
    // a second workflow on the same trigger, and switching the first off again: nothing changes for the app
    expect((await store.flow.switchWorkflow("tier-changed", true, { workflowId: "second" })).callback).toBeNull();
    expect((await store.flow.switchWorkflow("tier-changed", false)).callback).toBeNull();
    expect(app.received.length).toBe(before + 1);
    const off = await store.flow.switchWorkflow("tier-changed", false, { workflowId: "second" });
    expect(off).toMatchObject({ enabled: false, hasEnabledFlow: false, callback: { status: 200 } });
    expect(app.received.at(-1)!.json).toMatchObject({ has_enabled_flow: false });
  });

  it("can't switch a workflow on while the app doesn't answer 2xx, and knows only the app's triggers", async () => {
    lifecycleAnswer = 500;
    try {
      const r = await store.flow.switchWorkflow("points-earned", true);
      expect(r).toMatchObject({ enabled: false, hasEnabledFlow: false, callback: { status: 500 } });
      expect(store.shops.get().flowWorkflows.get("points-earned")?.size ?? 0).toBe(0);
    } finally {
      lifecycleAnswer = 200;
    }
    await expect(store.flow.switchWorkflow("no-such-trigger", true)).rejects.toBeInstanceOf(FlowActionInvalid);
    const res = await fetch(`${store.url}/devstore/flow/workflows`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ handle: "points-earned", enabled: true }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ enabled: true, hasEnabledFlow: true, callback: { status: 200 } });
    const bad = await fetch(`${store.url}/devstore/flow/workflows`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ handle: "points-earned" }) });
    expect(bad.status).toBe(422);
  });
});
