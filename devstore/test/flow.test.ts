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

beforeAll(async () => {
  app = await startReceiver(() => 200);
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
