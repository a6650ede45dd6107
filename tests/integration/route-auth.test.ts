// Every route's door, tested: each route file in app/routes is listed in tests/helpers/routes.ts with how it
// authenticates (the same table as docs/security.md), and every listed door turns away a request
// without valid credentials — and writes nothing. A new route that isn't listed fails this test.
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { ROUTES, type Door } from "../helpers/routes";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";


const SHOP = "stammkunde-dev.myshopify.com";
let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url });
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await db?.drop();
});

/** "proxy.r.$code.tsx" → "/proxy/r/ABC", "app._index.tsx" → "/app" */
function pathOf(file: string): string {
  const parts = file.replace(/\.tsx$/, "").split(".").filter((p) => p !== "_index");
  return "/" + parts.map((p) => (p.startsWith("$") ? "ABCDEFGH2" : p)).join("/");
}

/** Requests a visitor without credentials could send: nothing signed, no token, a forged one. */
function hostile(file: string, door: Door, method: "GET" | "POST"): Request[] {
  const url = `https://app.example.com${pathOf(file)}`;
  const body = method === "POST" ? JSON.stringify({ rewardId: 1, idempotencyKey: "k", customerId: 1, points: 5, event: "x", birthday: "01-01", network: "instagram", code: "ABCDEFGH2", email: "a@b.de" }) : undefined;
  const json = { "Content-Type": "application/json" };
  switch (door) {
    case "admin":
      return [
        new Request(`${url}?shop=${SHOP}`, { method, body, headers: json }),
        new Request(`${url}?shop=${SHOP}&embedded=1&id_token=forged.jwt.token`, { method, body, headers: json }),
        new Request(url, { method, body, headers: { ...json, Authorization: "Bearer forged.jwt.token" } }),
      ];
    case "proxy":
      return [
        new Request(`${url}?shop=${SHOP}&logged_in_customer_id=1`, { method, body, headers: json }),
        new Request(`${url}?shop=${SHOP}&logged_in_customer_id=1&path_prefix=%2Fapps%2Floyalty&timestamp=${Math.floor(Date.now() / 1000)}&signature=${"0".repeat(64)}`, { method, body, headers: json }),
      ];
    case "extension":
    case "pos":
      return [
        new Request(`${url}?surface=checkout`, { method, body, headers: { ...json, Origin: "https://extensions.shopifycdn.com" } }),
        new Request(`${url}?surface=checkout`, { method, body, headers: { ...json, Origin: "https://extensions.shopifycdn.com", Authorization: "Bearer forged.jwt.token" } }),
      ];
    case "flow": {
      const flowBody = JSON.stringify({ shop_id: 1, shopify_domain: SHOP, action_run_id: "run-1", handle: "award-points", properties: { customer_id: 1, points: 5, reason: "x", tier: "gold", days: 3 } });
      return [
        new Request(url, { method, body: flowBody, headers: json }),
        new Request(url, { method, body: flowBody, headers: { ...json, "X-Shopify-Hmac-Sha256": "Zm9yZ2Vk" } }),
      ];
    }
    case "api-key":
      return [
        new Request(url, { method, body, headers: json }),
        new Request(url, { method, body, headers: { ...json, Authorization: "Bearer stk_live_forged" } }),
        new Request(url, { method, body, headers: { ...json, Authorization: `Bearer stk_${"A".repeat(32)}`, "Idempotency-Key": "k" } }),
      ];
    case "webhook":
      return [
        new Request(url, { method, body, headers: { ...json, "X-Shopify-Topic": "orders/paid", "X-Shopify-Shop-Domain": SHOP, "X-Shopify-Webhook-Id": "w1", "X-Shopify-API-Version": "2026-01" } }),
        new Request(url, { method, body, headers: { ...json, "X-Shopify-Topic": "orders/paid", "X-Shopify-Shop-Domain": SHOP, "X-Shopify-Webhook-Id": "w1", "X-Shopify-API-Version": "2026-01", "X-Shopify-Hmac-Sha256": "Zm9yZ2Vk" } }),
      ];
    case "meta-signature": {
      if (method === "GET") return [new Request(`${url}?hub.mode=subscribe&hub.verify_token=forged-verify-token&hub.challenge=123`), new Request(`${url}?hub.challenge=123`)];
      const meta = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: "106540352242922" }, messages: [{ from: "4915112345678", id: "wamid.x", timestamp: "1", type: "text", text: { body: "Punkte" } }] } }] }] });
      return [
        new Request(url, { method, body: meta, headers: json }),
        new Request(url, { method, body: meta, headers: { ...json, "X-Hub-Signature-256": `sha256=${"ab".repeat(32)}` } }),
      ];
    }
    default:
      return [];
  }
}

const TABLES = ["ledger_entries", "members", "jobs", "webhook_deliveries", "redemptions", "referral_clicks", "referral_friends", "shops", "sessions", "audit_log", "member_imports", "smtp_settings", "notifications", "api_keys", "api_idempotency", "app_events", "webhook_endpoints", "webhook_endpoint_deliveries", "flow_action_runs", "flow_trigger_usage", "rewards", "notification_deliveries", "whatsapp_settings", "whatsapp_contacts", "whatsapp_inbound"];
async function counts() {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n ?? 0);
  return out;
}

describe(`every route's door on ${TEST_DB}`, () => {
  it("lists every route file (add new ones here and to docs/security.md)", () => {
    const files = readdirSync("app/routes").filter((f) => f.endsWith(".tsx")).sort();
    expect(files).toEqual(Object.keys(ROUTES).sort());
  });

  for (const [file, { door, handlers }] of Object.entries(ROUTES)) {
    for (const handler of handlers) {
      it(`${file} ${handler} (${door}) refuses without valid credentials and writes nothing`, async () => {
        const mod = (await import(`~/routes/${file.replace(/\.tsx$/, "")}`)) as Record<string, (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>>;
        expect(typeof mod[handler]).toBe("function");
        const before = await counts();
        for (const request of hostile(file, door, handler === "loader" ? "GET" : "POST")) {
          const res = await mod[handler]!({ request, params: { code: "ABCDEFGH2", id: "1", kind: "members" }, context: {} }).then(
            (r) => r,
            (e: unknown) => e,
          );
          expect(res, `${file} ${handler} answered with something that isn't a Response`).toBeInstanceOf(Response);
          const status = (res as Response).status;
          // 401/403: refused; 302/410: the admin's way of sending an unauthenticated browser to log in
          expect([401, 403, 302, 410], `${file} ${handler} ${request.url} → ${status}`).toContain(status);
          if (status === 302) expect((res as Response).headers.get("Location") ?? "").toMatch(/\/auth|admin\.shopify\.com|session-token/);
        }
        expect(await counts()).toEqual(before);
      });
    }
  }
});
