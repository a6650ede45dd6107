// The storefront's JavaScript budget: what loads before the panel opens (every extension asset
// that isn't *.lazy.js) stays under 8 KB gzipped. Competitors ship 100–300 KB. The measured cost
// in a browser (Lighthouse) is `npm run bench -- storefront`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const BUDGET = 8 * 1024;

/** Files in every extension's `sub` folder (blocks, assets), as paths. */
function extensionFiles(sub: "blocks" | "assets"): string[] {
  const files: string[] = [];
  for (const ext of readdirSync("extensions", { withFileTypes: true })) {
    if (!ext.isDirectory()) continue;
    const dir = join("extensions", ext.name, sub);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) files.push(join(dir, n));
  }
  return files;
}

/** Script assets a page loads on its own (every .js that isn't *.lazy.js). */
const eagerScripts = () => extensionFiles("assets").filter((f) => f.endsWith(".js") && !f.endsWith(".lazy.js"));
/** Script assets fetched on the shopper's first interaction. */
const lazyScripts = () => extensionFiles("assets").filter((f) => f.endsWith(".lazy.js"));

/** Inline <script> bodies in the extensions' blocks: they run on every page view. */
const inlineScripts = () =>
  extensionFiles("blocks").flatMap((f) => [...readFileSync(f, "utf8").matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!));

const gz = (s: string | Buffer) => gzipSync(s, { level: 9 }).length;
const EAGER_BUDGET = 1024;

describe("storefront JS budget", () => {
  it("finds the launcher's loader and its script", () => {
    expect(inlineScripts().some((s) => s.includes("data-stk-src"))).toBe(true);
    expect(lazyScripts().some((f) => f.endsWith("rewards.lazy.js"))).toBe(true);
  });
  it(`runs at most ${EAGER_BUDGET} bytes (gzipped) of JS on a page view, before anyone heads for the launcher`, () => {
    const total = inlineScripts().reduce((sum, s) => sum + gz(s), 0) + eagerScripts().reduce((sum, f) => sum + gz(readFileSync(f)), 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(EAGER_BUDGET);
  });
  it(`keeps the launcher and first interaction (loader + scripts) at or under ${BUDGET} bytes gzipped`, () => {
    const total = inlineScripts().reduce((sum, s) => sum + gz(s), 0) + [...eagerScripts(), ...lazyScripts()].reduce((sum, f) => sum + gz(readFileSync(f)), 0);
    expect(total).toBeLessThanOrEqual(BUDGET);
  });
  it("loads no script from the page's <head> or with a src in the blocks: the panel's script comes only on demand", () => {
    for (const f of extensionFiles("blocks")) expect(readFileSync(f, "utf8"), f).not.toMatch(/<script[^>]*\bsrc=/);
  });
});

describe("launcher layout", () => {
  it("links the launcher's stylesheet before its markup, so it is never painted unstyled and then moved (layout shift)", () => {
    const block = readFileSync(join("extensions", "stammkunde-theme", "blocks", "rewards-launcher.liquid"), "utf8").replace(/{%-?\s*comment\s*-?%}[\s\S]*?{%-?\s*endcomment\s*-?%}/g, "");
    const stylesheet = block.search(/'rewards\.css'\s*\|\s*asset_url\s*\|\s*stylesheet_tag/);
    expect(stylesheet).toBeGreaterThanOrEqual(0);
    expect(stylesheet).toBeLessThan(block.indexOf("data-stk-root"));
  });
});
