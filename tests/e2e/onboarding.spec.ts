// A merchant who just installed the app: from the first open to a live program in three screens,
// timed. The shop is new (created in the offline store for this test); the demo shop stays
// onboarded. Real Shopify installs with app embeds off, so the test switches the embed off first,
// sees "off" with the deep link, switches it on in the theme editor stand-in and sees "on".
import { expect, test, type APIRequestContext } from "@playwright/test";

const EMBED = "stammkunde-theme/rewards-launcher";
const API_KEY = "stammkunde-offline-dev"; // scripts/demo.ts

async function freshShop(request: APIRequestContext, name: string): Promise<string> {
  const domain = `${name}-${Date.now().toString(36)}.myshopify.com`;
  const res = await request.post("/devstore/shops", { data: { domain, name: `Laden ${name}`, currency: "EUR", timezone: "Europe/Berlin", countryCode: "DE" } });
  expect(res.status()).toBe(201);
  return domain;
}

async function setEmbed(request: APIRequestContext, shop: string, enabled: boolean) {
  const res = await request.post("/devstore/storefront/embeds", { data: { shop, block: EMBED, enabled } });
  expect(res.status()).toBe(200);
}

test("a new shop goes from first open to a live points program in three screens", async ({ page }) => {
  const shop = await freshShop(page.request, "neu");
  await setEmbed(page.request, shop, false); // as a real install starts

  const started = Date.now();
  await page.goto(`/admin/apps/stammkunde?shop=${shop}`);
  const app = page.frameLocator("#app-frame");
  // the overview sends a shop that hasn't onboarded to the onboarding
  await expect(app.getByRole("heading", { name: "Set up your loyalty program" })).toBeVisible({ timeout: 60_000 });
  await expect(app.getByText("Step 1 of 3")).toBeVisible();

  // 1) the preset
  await app.getByTestId("preset-points").getByRole("button").click();
  await expect(app.getByText("Step 2 of 3")).toBeVisible();

  // 2) the key numbers: defaults filled in, a field error names its field, the preview follows
  const rate = app.locator('input[id="pointsPerUnit"]');
  await expect(rate).toHaveValue("1");
  await expect(app.locator('input[id="signupPoints"]')).toHaveValue("100");
  await expect(app.locator('input[id="rewardPoints"]')).toHaveValue("500");
  await expect(app.locator('input[id="rewardAmount"]')).toHaveValue("5.00");
  await expect(app.getByTestId("onboarding-preview")).toContainText("50 points");
  await rate.fill("0");
  await app.getByRole("button", { name: "Continue" }).click();
  await expect(app.getByText("Must be at least 1")).toBeVisible();
  await expect(app.getByText("Step 2 of 3")).toBeVisible();
  await rate.fill("2");
  await expect(app.getByTestId("onboarding-preview")).toContainText("100 points");
  await expect(app.getByTestId("onboarding-preview")).toContainText("500 points buy 5.00 EUR off: about 5 order(s)");
  await app.getByRole("button", { name: "Continue" }).click();

  // 3) the app embed (off, with the deep link) and going live
  await expect(app.getByText("Step 3 of 3")).toBeVisible();
  await expect(app.getByTestId("embed-status")).toHaveAttribute("data-state", "off");
  await expect(app.locator("#embed-deep-link")).toHaveAttribute("href", `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${API_KEY}/rewards-launcher`);
  await app.getByRole("button", { name: "Switch the program on" }).click();
  await expect(app.getByText("Your program is live.")).toBeVisible();
  const seconds = (Date.now() - started) / 1000;
  console.log(`onboarding (points), first open to live: ${seconds.toFixed(1)} s`);
  expect(seconds).toBeLessThanOrEqual(60);

  // the merchant switches the embed on in the theme editor, and checks again
  await setEmbed(page.request, shop, true);
  await app.getByRole("button", { name: "Check again" }).click();
  await expect(app.getByTestId("embed-status")).toHaveAttribute("data-state", "on");

  // from now on /app is the overview, with the merchant's rate
  await app.getByRole("button", { name: "Go to the overview" }).click();
  await expect(app.getByRole("heading", { name: "Your loyalty program" })).toBeVisible();
  await expect(app.getByText("Earning is on")).toBeVisible();
  await expect(app.getByText("Earning: 2 point(s) per 1 EUR spent")).toBeVisible();
  await page.goto(`/admin/apps/stammkunde?shop=${shop}`);
  await expect(app.getByRole("heading", { name: "Your loyalty program" })).toBeVisible({ timeout: 60_000 });

  // the storefront offers the first reward
  await page.goto(`/?shop=${shop}`);
  await page.locator("[data-stk-launcher]").click();
  await expect(page.getByRole("dialog").locator("[data-stk-reward-list]")).toContainText("5.00 EUR off");
});

test("auf Deutsch: nur Empfehlungen, live in drei Schritten", async ({ page }) => {
  const shop = await freshShop(page.request, "empfehlung");
  await setEmbed(page.request, shop, false);

  const started = Date.now();
  await page.goto(`/admin/apps/stammkunde?shop=${shop}&locale=de`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: "Treueprogramm einrichten" })).toBeVisible({ timeout: 60_000 });
  await app.getByTestId("preset-referrals").getByRole("button").click();
  await expect(app.getByText("Schritt 2 von 3")).toBeVisible();
  await expect(app.locator('input[id="friendDiscount"]')).toHaveValue("10.00");
  await expect(app.locator('input[id="pointsPerUnit"]')).toHaveCount(0);
  await app.locator('input[id="advocatePoints"]').fill("800");
  await expect(app.getByTestId("onboarding-preview")).toContainText("800 Punkte");
  await app.getByRole("button", { name: "Weiter" }).click();
  await expect(app.getByTestId("embed-status")).toHaveAttribute("data-state", "off");
  await expect(app.getByText("Das App-Embed ist in deinem Live-Theme ausgeschaltet.")).toBeVisible();
  await app.getByRole("button", { name: "Programm einschalten" }).click();
  await expect(app.getByText("Dein Programm ist live.")).toBeVisible();
  const seconds = (Date.now() - started) / 1000;
  console.log(`onboarding (referrals, German), first open to live: ${seconds.toFixed(1)} s`);
  expect(seconds).toBeLessThanOrEqual(60);
});
