import { defineConfig } from "@playwright/test";

// Browser tests drive Debian's Chromium (apt-get install chromium), never a downloaded browser.
// The web server is the demo itself: the offline store, the app and its worker in one process.
const appPort = Number(process.env.E2E_APP_PORT ?? 3210);
const storePort = Number(process.env.E2E_STORE_PORT ?? 4210);

export default defineConfig({
  testDir: "tests/e2e",
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${storePort}`,
    // Headless Chromium calls itself "HeadlessChrome", which Shopify's library turns away as a bot
    // (410) on admin requests; a merchant's browser doesn't.
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: "node --import tsx scripts/demo.ts",
    url: `http://127.0.0.1:${appPort}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    env: {
      PORT: String(appPort),
      DEVSTORE_PORT: String(storePort),
      DEMO_CUSTOMERS: "12",
      DATABASE_URL: "file:./data/e2e.sqlite",
      // the production build (scripts/test.mjs builds it first): what a merchant would run
      NODE_ENV: "production",
    },
  },
});
