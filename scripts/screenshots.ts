// npm run screenshots — the README's pictures, taken from the demo (offline store + app + worker, a
// fresh database) with Debian's Chromium: the onboarding, the program page, a member page, the
// analytics dashboard and the storefront's rewards panel, into docs/screenshots/*.png.
// Ports: SCREENSHOT_APP_PORT / SCREENSHOT_STORE_PORT (default 3330 / 4330). Needs `npm run build`
// first (the script in package.json does it). CI does not run this; the PNGs are committed.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Frame, type Page } from "playwright-core";

const appPort = Number(process.env.SCREENSHOT_APP_PORT ?? 3330);
const storePort = Number(process.env.SCREENSHOT_STORE_PORT ?? 4330);
const store = `http://127.0.0.1:${storePort}`;
const SHOP = "stammkunde-dev.myshopify.com";
const OUT = join("docs", "screenshots");

async function waitFor(url: string, ms = 120_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await fetch(url).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not come up`);
}

async function appFrame(page: Page, path: string, ready: (f: Frame) => Promise<unknown>): Promise<Frame> {
  await page.goto(`${store}/admin/apps/stammkunde${path}`);
  const handle = await page.waitForSelector("#app-frame", { timeout: 60_000 });
  const frame = (await handle.contentFrame())!;
  await ready(frame);
  return frame;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const demo = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(appPort),
      DEVSTORE_PORT: String(storePort),
      DEMO_CUSTOMERS: "40",
      DATABASE_URL: "file:./data/screenshots.sqlite",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    await waitFor(`http://127.0.0.1:${appPort}/healthz`);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      // headless Chromium's own user agent is turned away as a bot by Shopify's library
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    });
    const page = await context.newPage();
    const shot = async (name: string) => {
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
      console.log(`wrote ${join(OUT, `${name}.png`)}`);
    };

    // the demo's orders are processed by the worker: wait until most customers are members
    for (let i = 0; i < 60; i++) {
      const home = await appFrame(page, `?shop=${SHOP}`, (f) => f.waitForSelector("#members-count", { timeout: 60_000 }));
      const n = Number(((await home.locator("#members-count").textContent({ timeout: 5_000 })) ?? "0").replace(/\D/g, ""));
      if (n >= 20) break;
      await page.waitForTimeout(1000);
    }

    await appFrame(page, `/onboarding?shop=${SHOP}`, (f) => f.waitForSelector("h1, h2", { timeout: 60_000 }));
    await shot("onboarding");

    await appFrame(page, `/program?shop=${SHOP}`, (f) => f.waitForSelector("form", { timeout: 60_000 }));
    await shot("program");

    const members = await appFrame(page, `/members?shop=${SHOP}`, (f) => f.getByRole("link", { name: "Erika Mustermann" }).waitFor({ timeout: 60_000 }));
    await members.getByRole("link", { name: "Erika Mustermann" }).click();
    await members.waitForSelector("#balance-available", { timeout: 60_000 });
    await shot("member");

    // the dashboard is long: a taller window shows the KPIs and the charts
    await page.setViewportSize({ width: 1280, height: 1900 });
    await appFrame(page, `/analytics?shop=${SHOP}`, (f) => f.waitForSelector("#chart-funnel svg", { timeout: 60_000 }));
    await page.waitForTimeout(1000);
    await shot("analytics");
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.goto(`${store}/account/login`);
    await page.getByRole("button", { name: /Erika Mustermann/ }).click();
    await page.getByTestId("account-status").and(page.locator('[data-logged-in="true"]')).waitFor({ timeout: 30_000 });
    await page.goto(`${store}/`);
    await page.locator("[data-stk-launcher]").click();
    await page.getByRole("dialog").waitFor();
    await page.locator("[data-stk-balance]").filter({ hasNotText: "…" }).waitFor({ timeout: 30_000 });
    await shot("storefront-panel");
  } finally {
    await browser.close();
    demo.kill("SIGTERM");
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
