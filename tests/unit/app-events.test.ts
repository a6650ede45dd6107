// The pure rules of business events (app/domain/app-events.ts): Flow trigger payloads match the
// fields the flow_trigger extensions declare (read the way the devstore and Shopify CLI read
// them), the outbound signature verifies and refuses tampering, endpoint URLs, and the retry
// schedule — as tables.
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fieldValueError, readFlowExtensions } from "../../devstore/config/flow-extensions.ts";
import {
  APP_EVENT_KINDS,
  endpointUrlError,
  FLOW_TRIGGER_HANDLES,
  flowTriggerPayload,
  retryDelayMs,
  webhookBody,
  type AppEvent,
  type AppEventKind,
} from "~/domain/app-events";
import { FLOW_ACTION_HANDLES } from "~/domain/flow-actions";
import { signBody, verifySignature } from "~/lib/webhook-signature.server";

const sample: Record<AppEventKind, AppEvent["data"]> = {
  points_earned: { points: 120, balance: 340, bucket: "pending", order: "gid://shopify/Order/77" },
  reward_redeemed: { points: 500, balance: 20, reward: "€5 off", code: "STK-ABC" },
  tier_changed: { fromTier: "silver", toTier: null, direction: "down" },
  referral_completed: { points: 200, balance: 900, order: "gid://shopify/Order/78" },
  points_expiring: { points: 40, balance: 40, expiresOn: "2026-12-31" },
};

describe("Flow trigger payloads against the extensions", () => {
  const flow = readFlowExtensions();

  it("has one flow_trigger extension per event kind and the three actions", () => {
    expect([...flow.triggers.keys()].sort()).toEqual(Object.values(FLOW_TRIGGER_HANDLES).sort());
    expect([...flow.actions.keys()].sort()).toEqual([...FLOW_ACTION_HANDLES].sort());
    for (const a of flow.actions.values()) expect(new URL(a.runtimeUrl).pathname).toBe(`/flow/${a.handle}`);
  });

  it("declares one trigger lifecycle callback, at the route that stores the notices (decision 0024)", () => {
    expect(flow.lifecycleCallbacks).toEqual([{ handle: "trigger-lifecycle", url: "/flow/lifecycle" }]);
    expect(existsSync("app/routes/flow.lifecycle.tsx")).toBe(true);
  });

  for (const kind of APP_EVENT_KINDS) {
    it(`${kind}: exactly the declared fields, each of its type`, () => {
      const { handle, payload } = flowTriggerPayload({ id: 1, kind, customerGid: "gid://shopify/Customer/4711", data: sample[kind], createdAt: 0 });
      const def = flow.triggers.get(handle)!;
      expect(def, handle).toBeDefined();
      expect(Object.keys(payload).sort()).toEqual(def.fields.map((f) => f.key).sort());
      for (const f of def.fields) expect(fieldValueError(f, payload[f.key]), `${handle}.${f.key}`).toBeNull();
      expect(payload.customer_id).toBe(4711);
    });
  }

  it("fills missing values with the field's empty value rather than leaving a key out", () => {
    const { payload } = flowTriggerPayload({ id: 1, kind: "points_earned", customerGid: "gid://shopify/Customer/1", data: {}, createdAt: 0 });
    expect(payload).toEqual({ customer_id: 1, Points: 0, Balance: 0, Pending: false, Order: "" });
  });
});

describe("outbound signature", () => {
  const secret = "whsec_test";
  const body = webhookBody({ id: 9, kind: "points_earned", customerGid: "gid://shopify/Customer/5", data: sample.points_earned, createdAt: Date.UTC(2026, 10, 26) }, "laden.myshopify.com");
  const t = 1_800_000_000;

  it("is t=<seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'> (what docs/api.md tells receivers)", () => {
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(signBody(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it.each([
    ["the signed body", body, signBody(secret, body, t), t, true],
    ["within the tolerance", body, signBody(secret, body, t), t + 299, true],
    ["a changed body", body.replace("120", "121"), signBody(secret, body, t), t, false],
    ["another secret", body, signBody("whsec_other", body, t), t, false],
    ["too old", body, signBody(secret, body, t), t + 301, false],
    ["a changed timestamp", body, signBody(secret, body, t).replace(`t=${t}`, `t=${t + 1}`), t, false],
    ["no header", body, null, t, false],
    ["garbage", body, "v1=abc", t, false],
  ])("%s → %s", (_name, b, header, now, ok) => {
    expect(verifySignature(secret, b as string, header as string | null, now as number)).toBe(ok);
  });

  it("carries stable field names", () => {
    expect(JSON.parse(body)).toEqual({ id: "evt_9", type: "points_earned", shop: "laden.myshopify.com", createdAt: "2026-11-26T00:00:00.000Z", customerId: "gid://shopify/Customer/5", data: sample.points_earned });
  });
});

describe("endpoint URLs", () => {
  it.each([
    ["https://hooks.example.com/x", false, null],
    ["https://hooks.zapier.com/hooks/catch/1/abc/", false, null],
    ["", false, "required"],
    ["not a url", false, "invalid"],
    ["http://hooks.example.com/x", false, "https"],
    ["ftp://hooks.example.com/x", false, "https"],
    ["http://localhost:5351/hook", false, "https"],
    ["http://localhost:5351/hook", true, null],
    ["http://127.0.0.1:5351/hook", true, null],
    ["http://hooks.example.com/x", true, "https"],
    ["https://127.0.0.1/x", false, "private"],
    ["https://10.1.2.3/x", false, "private"],
    ["https://192.168.0.5/x", false, "private"],
    ["https://172.20.0.1/x", false, "private"],
    ["https://169.254.169.254/latest", false, "private"],
    ["https://[::1]/x", false, "private"],
    ["https://metadata.internal/x", false, "private"],
    ["https://user:pw@hooks.example.com/x", false, "credentials"],
  ])("%s (local http allowed: %s) → %s", (url, local, error) => {
    expect(endpointUrlError(url as string, local as boolean)).toBe(error);
  });
});

describe("retry schedule", () => {
  it.each([
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [7, 3_840_000],
    [9, 15_360_000],
    [10, 6 * 3_600_000],
    [30, 6 * 3_600_000],
  ])("after %i failed attempt(s) wait %i ms", (n, ms) => {
    expect(retryDelayMs(n)).toBe(ms);
  });
});
