// The storefront's JavaScript budget: what loads before the panel opens (every extension asset
// that isn't *.lazy.js) stays under 8 KB gzipped. Competitors ship 100–300 KB.
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
