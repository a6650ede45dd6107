import { describe, expect, it } from "vitest";
import { allowAdminFrame, shopFetchTo } from "~/lib/admin-origin.server";

describe("offline-store configuration", () => {
  it("adds the configured admin origin to frame-ancestors and changes nothing when unset", () => {
    const csp = "frame-ancestors https://a.myshopify.com https://admin.shopify.com;";
    const h = new Headers({ "Content-Security-Policy": csp });
    allowAdminFrame(h, undefined);
    expect(h.get("Content-Security-Policy")).toBe(csp);
    allowAdminFrame(h, "http://127.0.0.1:4010/");
    expect(h.get("Content-Security-Policy")).toBe("frame-ancestors https://a.myshopify.com https://admin.shopify.com http://127.0.0.1:4010;");
  });

  it("sends only *.myshopify.com calls to the configured origin, naming the shop", async () => {
    const seen: Array<{ url: string; host: string | null; body: string }> = [];
    const base = (async (input: string | URL | Request, init?: RequestInit) => {
      const req = new Request(input, init);
      seen.push({ url: req.url, host: req.headers.get("x-forwarded-host"), body: await req.text() });
      return new Response("{}");
    }) as typeof fetch;
    const f = shopFetchTo("http://127.0.0.1:4010", base);
    await f("https://a.myshopify.com/admin/api/2026-01/graphql.json?x=1", { method: "POST", body: '{"query":"{shop{name}}"}' });
    await f("https://example.com/other");
    expect(seen[0]).toEqual({ url: "http://127.0.0.1:4010/admin/api/2026-01/graphql.json?x=1", host: "a.myshopify.com", body: '{"query":"{shop{name}}"}' });
    expect(seen[1]).toMatchObject({ url: "https://example.com/other", host: null });
  });
});
