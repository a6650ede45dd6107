import { describe, expect, it } from "vitest";
import { parseToml } from "../config/toml.ts";
import { appConfigFromToml } from "../config/app-config.ts";
import { allocate, parseMinor, toDecimalString, toFixedString } from "../core/money.ts";
import { isoInZone } from "../core/clock.ts";
import { compileSearch } from "../admin/search-query.ts";
import { DEFAULT_RETRY_DELAYS_MS, resolveUri } from "../webhooks/dispatcher.ts";
import { restoreOneOf, ONE_OF_INPUTS } from "../admin/schema.ts";

describe("TOML subset", () => {
  it("reads the shapes shopify.app.toml uses", () => {
    const doc = parseToml(`
# comment
client_id = "abc" # trailing
embedded = true
n = 1_000
f = 0.5
literal = 'C:\\path'
multi = """
line one
line two"""
[build]
automatically_update_urls_on_dev = true
[webhooks]
api_version = "2026-01"
[[webhooks.subscriptions]]
topics = [
  "orders/paid", # comment inside
  "orders/create",
]
uri = "/webhooks"
include_fields = ["id", "line_items.price"]
filter = "total_price:>10"
[[webhooks.subscriptions]]
compliance_topics = ["shop/redact"]
uri = "https://elsewhere.example/gdpr"
[inline]
point = { x = 1, y = "two" }
`);
    expect(doc).toMatchObject({ client_id: "abc", embedded: true, n: 1000, f: 0.5, literal: "C:\\path", multi: "line one\nline two", inline: { point: { x: 1, y: "two" } } });
    expect(appConfigFromToml(doc)).toEqual({
      clientId: "abc",
      webhookApiVersion: "2026-01",
      subscriptions: [
        { topics: ["orders/paid", "orders/create"], uri: "/webhooks", compliance: false, includeFields: ["id", "line_items.price"], filter: "total_price:>10" },
        { topics: ["shop/redact"], uri: "https://elsewhere.example/gdpr", compliance: true },
      ],
    });
  });

  it("reports syntax errors with a line number", () => {
    expect(() => parseToml('a = "x"\nb = ')).toThrow(/line 2/);
    expect(() => parseToml("a = 1\na = 2")).toThrow(/duplicate key/);
  });
});

describe("money", () => {
  it("formats REST strings and GraphQL decimals", () => {
    expect(toFixedString(1230, "EUR")).toBe("12.30");
    expect(toDecimalString(1230, "EUR")).toBe("12.3");
    expect(toDecimalString(1000, "EUR")).toBe("10.0");
    expect(toFixedString(-5, "EUR")).toBe("-0.05");
    expect(toFixedString(1500, "JPY")).toBe("1500");
  });

  it("parses decimals exactly, rounding half away from zero", () => {
    expect(parseMinor("19.99", "EUR")).toBe(1999);
    expect(parseMinor("0.005", "EUR")).toBe(1);
    expect(parseMinor("-2.5", "EUR")).toBe(-250);
    expect(() => parseMinor("1,5", "EUR")).toThrow();
  });

  it("allocates without losing a cent", () => {
    expect(allocate(500, [1980, 1450])).toEqual([289, 211]);
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(7, [0, 0])).toEqual([0, 0]);
  });
});

describe("helpers", () => {
  it("renders times in the shop's zone with its offset", () => {
    expect(isoInZone(Date.UTC(2026, 0, 15, 12, 0, 0), "Europe/Berlin")).toBe("2026-01-15T13:00:00+01:00");
    expect(isoInZone(Date.UTC(2026, 6, 15, 12, 0, 0), "Europe/Berlin")).toBe("2026-07-15T14:00:00+02:00");
    expect(isoInZone(Date.UTC(2026, 0, 15, 12, 0, 0), "America/New_York")).toBe("2026-01-15T07:00:00-05:00");
  });

  it("compiles Shopify search syntax", () => {
    const rows = [
      { id: 1, email: "a@x.de", tags: ["vip", "gold"], n: 3 },
      { id: 2, email: "b@y.de", tags: ["silver"], n: 0 },
    ];
    const search = { text: (r: (typeof rows)[number]) => r.email, field: (r: (typeof rows)[number], f: string) => (f === "tag" ? r.tags : f === "email" ? r.email : f === "orders_count" ? r.n : undefined) };
    const ids = (q: string) => rows.filter(compileSearch(q, search)).map((r) => r.id);
    expect(ids("tag:vip")).toEqual([1]);
    expect(ids("-tag:vip")).toEqual([2]);
    expect(ids("tag:vip OR tag:silver")).toEqual([1, 2]);
    expect(ids("orders_count:>0")).toEqual([1]);
    expect(ids('email:"b@y.de"')).toEqual([2]);
    expect(ids("y.de")).toEqual([2]);
    expect(ids("tag:go*")).toEqual([1]);
  });

  it("spreads 8 retries over exactly 4 hours", () => {
    expect(DEFAULT_RETRY_DELAYS_MS).toHaveLength(8);
    expect(Math.abs(DEFAULT_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) - 4 * 3600_000)).toBeLessThan(10);
    expect(resolveUri("https://app.example/base/", "/webhooks/x")).toBe("https://app.example/base/webhooks/x");
  });

  it("restores @oneOf on all 19 inputs", () => {
    const sdl = ONE_OF_INPUTS.map((n) => `input ${n} {\n  a: Int\n}`).join("\n");
    expect(restoreOneOf(sdl).match(/@oneOf/g)).toHaveLength(19);
  });
});
