// The UI extensions as `shopify app build` and Shopify read them: configuration, targets, typed
// modules, translations in English and German for every text the code asks for.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseToml, type TomlTable } from "../../devstore/config/toml";
import { APP_URL } from "../../extensions/shared/loyalty";

const UI = ["stammkunde-account", "stammkunde-profile", "stammkunde-checkout", "stammkunde-thank-you", "stammkunde-pos"];
const TARGETS: Record<string, string[]> = {
  "stammkunde-account": ["customer-account.page.render"],
  "stammkunde-profile": ["customer-account.profile.block.render"],
  "stammkunde-checkout": ["purchase.checkout.block.render"],
  "stammkunde-thank-you": ["purchase.thank-you.block.render", "customer-account.order-status.block.render"],
  "stammkunde-pos": ["pos.home.tile.render", "pos.home.modal.render"],
};

const toml = (ext: string) => parseToml(readFileSync(join("extensions", ext, "shopify.extension.toml"), "utf8"));
const json = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
function keys(o: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === "object" && v !== null ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
const sources = (ext: string) => readdirSync(join("extensions", ext, "src")).map((f) => readFileSync(join("extensions", ext, "src", f), "utf8"));
/** Keys the shared logic hands to translate(): every extension that uses that function needs them. */
const DYNAMIC: Record<string, string[]> = {
  redeemOutcome: ["errors.session", "errors.login", "errors.notEnough", "errors.unavailable", "errors.tooMany", "errors.failed"],
  applyMessageKey: ["redeem.applied", "redeem.notApplied"],
  historyKey: ["purchase", "reward", "rewardReturned", "reversed", "signup", "newsletter", "birthday", "review", "social", "referral", "refund", "cancel", "expiry", "adjustment", "other"].map((k) => `history.${k}`),
  orderEarnMessage: ["order.earned", "order.pendingUntil", "order.pendingFulfilment", "order.processingEstimate", "order.processing"],
};

describe.each(UI)("extension %s", (ext) => {
  it("is a 2026-01 UI extension whose targets point at modules that exist", () => {
    const t = toml(ext);
    expect(t.api_version).toBe("2026-01");
    const [extension] = t.extensions as TomlTable[];
    expect(extension).toMatchObject({ handle: ext, type: "ui_extension", name: "t:name" });
    const targeting = extension!.targeting as TomlTable[];
    expect(targeting.map((x) => x.target)).toEqual(TARGETS[ext]);
    for (const x of targeting) expect(existsSync(join("extensions", ext, String(x.module)))).toBe(true);
    // Shopify: a full-page target can't share its extension with any other target
    if (targeting.some((x) => /\.page\.render$/.test(String(x.target)))) expect(targeting).toHaveLength(1);
  });

  it("types `shopify` for each module by its target", () => {
    const dts = readFileSync(join("extensions", ext, "shopify.d.ts"), "utf8");
    for (const x of (toml(ext).extensions as TomlTable[])[0]!.targeting as TomlTable[]) {
      expect(dts).toContain(`declare module "${x.module}"`);
      expect(dts).toContain(`from "@shopify/ui-extensions/${x.target}"`);
    }
  });

  it("asks for network access when a checkout or customer-account module calls the app", () => {
    const calls = sources(ext).some((s) => /fetch\(/.test(s));
    const buyerFacing = !ext.endsWith("-pos");
    const caps = ((toml(ext).extensions as TomlTable[])[0]!.capabilities ?? {}) as TomlTable;
    if (calls && buyerFacing) expect(caps.network_access).toBe(true);
  });

  it("has every text it uses in English and German, and the same keys in both", () => {
    const en = json(join("extensions", ext, "locales", "en.default.json"));
    const de = json(join("extensions", ext, "locales", "de.json"));
    expect(keys(de).sort()).toEqual(keys(en).sort());
    const used = new Set<string>(["name"]);
    for (const src of sources(ext)) {
      for (const m of src.matchAll(/\bt\("([\w.]+)"/g)) used.add(m[1]!);
      for (const [fn, list] of Object.entries(DYNAMIC)) if (src.includes(`${fn}(`)) list.forEach((k) => used.add(k));
      if (src.includes("<OrderPoints")) DYNAMIC.orderEarnMessage!.forEach((k) => used.add(k));
    }
    const missing = [...used].filter((k) => !keys(en).includes(k));
    expect(missing).toEqual([]);
    for (const v of [...keys(en).map((k) => k.split(".").reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], en)), ...keys(de).map((k) => k.split(".").reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], de))]) {
      expect(typeof v === "string" && v.trim().length > 0).toBe(true);
    }
  });
});

it("the extensions call the app at its configured URL", () => {
  expect(APP_URL).toBe(parseToml(readFileSync("shopify.app.toml", "utf8")).application_url);
});
