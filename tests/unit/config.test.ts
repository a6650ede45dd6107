// The app's declarations agree with each other: toml subscriptions, route files, handlers,
// locale files, environment validation.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { handlers } from "~/jobs/handlers.server";
import { ConfigError, DEFAULT_SCOPES, parseEnv } from "~/lib/env.server";
import { LOCALES } from "~/lib/i18n";
import { COMPLIANCE_TOPICS, TOPICS, topicFromPath } from "~/webhooks/topics";

const toml = readFileSync("shopify.app.toml", "utf8");

function subscriptions(): Array<{ topics: string[]; uri: string; compliance: boolean }> {
  return toml
    .split("[[webhooks.subscriptions]]")
    .slice(1)
    .map((block) => {
      const list = /(compliance_topics|topics)\s*=\s*\[([^\]]*)\]/.exec(block)!;
      return {
        topics: list[2].split(",").map((s) => s.trim().replace(/"/g, "")).filter(Boolean),
        uri: /uri\s*=\s*"([^"]+)"/.exec(block)![1],
        compliance: list[1] === "compliance_topics",
      };
    });
}

describe("webhook topics", () => {
  it("every topic is subscribed in shopify.app.toml at its own route, and nothing else is", () => {
    const subs = subscriptions();
    const subscribed = subs.flatMap((s) => s.topics).sort();
    expect(subscribed).toEqual(Object.values(TOPICS).sort());
    for (const s of subs) {
      for (const t of s.topics) {
        const key = topicFromPath(s.uri);
        expect(key, s.uri).not.toBeNull();
        expect(TOPICS[key!]).toBe(t);
        expect(COMPLIANCE_TOPICS.has(key!)).toBe(s.compliance);
      }
    }
  });

  it("has one route file and one job handler per topic", () => {
    for (const [key, topic] of Object.entries(TOPICS)) {
      const file = `app/routes/webhooks.${topic.replace("/", ".")}.tsx`;
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, "utf8")).toContain(`"${key}"`);
      expect(handlers[`webhook:${key}`], key).toBeTypeOf("function");
    }
  });

  it("uses API version 2026-01 and the loyalty app proxy", () => {
    expect(toml).toMatch(/api_version\s*=\s*"2026-01"/);
    expect(toml).toMatch(/\[app_proxy\][^[]*subpath\s*=\s*"loyalty"[^[]*prefix\s*=\s*"apps"/);
    const scopes = /scopes\s*=\s*"([^"]+)"/.exec(toml)![1];
    expect(scopes).toBe(DEFAULT_SCOPES);
  });
});

describe("locales", () => {
  it("German and English have the same keys, none empty", () => {
    const en = Object.keys(LOCALES.en).sort();
    const de = Object.keys(LOCALES.de).sort();
    expect(de).toEqual(en);
    for (const [locale, table] of Object.entries(LOCALES)) {
      for (const [k, v] of Object.entries(table)) expect(v.trim(), `${locale}:${k}`).not.toBe("");
    }
  });
  it("placeholders match between languages", () => {
    const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [k, v] of Object.entries(LOCALES.en)) expect(vars((LOCALES.de as Record<string, string>)[k]), k).toEqual(vars(v));
  });
});

describe("storefront locales (the rewards page, the panel's tier labels)", () => {
  const read = (lang: string) => JSON.parse(readFileSync(`app/locales/storefront/${lang}.json`, "utf8")) as Record<string, string>;
  it("German and English have the same keys and placeholders, none empty", () => {
    const en = read("en");
    const de = read("de");
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [k, v] of Object.entries(en)) {
      expect(v.trim(), `en:${k}`).not.toBe("");
      expect(de[k]!.trim(), `de:${k}`).not.toBe("");
      expect(vars(de[k]!), k).toEqual(vars(v));
    }
  });
});

describe("environment", () => {
  const ok = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example.com" };
  it("accepts a minimal configuration with SQLite as the default database", () => {
    expect(parseEnv(ok)).toMatchObject({ DATABASE_URL: "file:./data/stammkunde.sqlite", WORKER: "inline", PORT: 3000 });
  });
  it("names every missing or malformed variable", () => {
    let message = "";
    try {
      parseEnv({ SHOPIFY_APP_URL: "not a url", DATABASE_URL: "mysql://x" });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain("SHOPIFY_API_KEY: is missing");
    expect(message).toContain("SHOPIFY_API_SECRET: is missing");
    expect(message).toContain("SHOPIFY_APP_URL:");
    expect(message).toContain("DATABASE_URL: must start with file:");
  });
});
