import { defineConfig } from "vitest/config";

// One config for every suite. The database under test is chosen by TEST_DB (sqlite | postgres);
// scripts/test.mjs runs the suite once per database.
export default defineConfig({
  resolve: { alias: { "~": new URL("./app", import.meta.url).pathname } },
  test: {
    include: ["tests/**/*.test.ts", "app/**/*.test.ts", "devstore/**/*.test.ts"],
    exclude: ["tests/e2e/**", "node_modules/**"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
