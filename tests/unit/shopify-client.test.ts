import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runGraphql, ShopifyApiError, type AdminGraphql } from "~/services/shopify/client.server";
import { fetchShopSettings } from "~/services/shopify/shop.server";

const answer = (body: unknown): AdminGraphql => async () => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

describe("Admin GraphQL answers are read as data", () => {
  it("returns the shop's settings", async () => {
    const s = await fetchShopSettings(answer({ data: { shop: { name: "Café Müller", currencyCode: "EUR", ianaTimezone: "Europe/Berlin", myshopifyDomain: "cafe.myshopify.com" } } }));
    expect(s).toMatchObject({ currencyCode: "EUR", ianaTimezone: "Europe/Berlin" });
  });

  it("turns THROTTLED into an error that carries the code and the bucket", async () => {
    const throttled = answer({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
      extensions: { cost: { requestedQueryCost: 2, actualQueryCost: null, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 100 } } },
    });
    const error = await runGraphql(throttled, "query { shop { name } }").catch((e) => e);
    expect(error).toBeInstanceOf(ShopifyApiError);
    expect(error.code).toBe("THROTTLED");
    expect(error.cost.throttleStatus.currentlyAvailable).toBe(0);
  });

  it("turns an access error string into an error", async () => {
    await expect(runGraphql(answer({ errors: "[API] Invalid API key or access token" }), "query { shop { name } }")).rejects.toThrow("Invalid API key");
  });
});

const shared = "../shared/checks/graphql-docs.mjs";
describe.skipIf(!existsSync(shared))("GraphQL documents in app/", () => {
  it("are all valid against the Admin API 2026-01 schema", () => {
    const out = execFileSync("node", [shared, ".", "../shared/shopify/admin-2026-01.graphql", "node_modules"], { encoding: "utf8" });
    expect(out).toMatch(/\d+ operations, 0 invalid/);
  });
});
