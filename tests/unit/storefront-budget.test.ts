// The storefront's JavaScript budget: what loads before the panel opens (every extension asset
// that isn't *.lazy.js) stays under 8 KB gzipped. Competitors ship 100–300 KB. The measured cost
// in a browser (Lighthouse) is `npm run bench -- storefront`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const BUDGET = 8 * 1024;

function eagerScripts(): string[] {
  const files: string[] = [];
  for (const ext of readdirSync("extensions", { withFileTypes: true })) {
    if (!ext.isDirectory()) continue;
    const assets = join("extensions", ext.name, "assets");
    let names: string[] = [];
    try {
      names = readdirSync(assets);
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith(".js") && !n.endsWith(".lazy.js")) files.push(join(assets, n));
  }
  return files;
}

describe("storefront JS budget", () => {
  it("finds the launcher script", () => {
    expect(eagerScripts().some((f) => f.endsWith("rewards.js"))).toBe(true);
  });
  it(`keeps eager JS at or under ${BUDGET} bytes gzipped`, () => {
    const total = eagerScripts().reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length, 0);
    expect(total).toBeLessThanOrEqual(BUDGET);
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
