// The storefront beyond the first purchase: the newsletter from the panel, keyboard and small
// screens, the rewards page inside the theme, the app blocks, and the merchant's own texts.
import { expect, test, type Page } from "@playwright/test";

const SHOP = "stammkunde-dev.myshopify.com";

/** A new shopper (not subscribed, no points yet), logged in. */
async function newShopper(page: Page, firstName: string): Promise<number> {
  const res = await page.request.post("/devstore/customers", { data: { firstName, lastName: "Neu", email: `${firstName.toLowerCase()}.${Date.now()}@example.com`, emailMarketing: "NOT_SUBSCRIBED" } });
  expect(res.status()).toBe(201);
  const { id } = (await res.json()) as { id: number };
  await page.goto(`/account/login?customer_id=${id}&return_to=/`);
  await expect(page.getByTestId("account-status")).toHaveAttribute("data-logged-in", "true");
  return id;
}

async function openPanel(page: Page) {
  await page.locator("[data-stk-launcher]").click();
  await expect(page.getByRole("dialog")).toBeVisible();
}

test("a member subscribes to the newsletter in the panel and the points follow", async ({ page }) => {
  await newShopper(page, "Nora");
  await openPanel(page);
  const earn = page.locator("[data-stk-earn-list]");
  await earn.getByRole("button", { name: "Subscribe" }).click();
  await expect(earn).toContainText("Thanks!");
  // Shopify's customers/update webhook confirms the subscription; the app awards the points once
  await expect
    .poll(async () => {
      await page.reload();
      await openPanel(page);
      return page.locator("[data-stk-earn-list] li", { hasText: "Newsletter" }).textContent();
    }, { timeout: 60_000, intervals: [500, 1000, 2000] })
    .toContain("Done");
  await expect(page.locator("[data-stk-history-list]")).toContainText("+50");
});

test("the panel works with the keyboard alone and fits a 320 px screen", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await newShopper(page, "Kira");
  await page.locator("[data-stk-launcher]").focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.locator("[data-stk-earn-list]")).toContainText("Newsletter");
  // focus starts inside the dialog and stays there, however often Tab is pressed
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press(i % 7 === 6 ? "Shift+Tab" : "Tab");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  const box = (await dialog.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(320);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  // Escape closes it and gives focus back to the launcher
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.locator("[data-stk-launcher]")).toBeFocused();
});

test("the rewards page renders inside the shop's theme, in English and German", async ({ page }) => {
  await page.goto("/account/logout");
  await page.goto("/apps/loyalty");
  const content = page.getByTestId("app-proxy-content");
  await expect(content.getByRole("heading", { level: 1 })).toContainText("Rewards at");
  await expect(content).toContainText("Ways to earn");
  await expect(content).toContainText("€2 off");
  await expect(content.getByRole("link", { name: "Create an account" })).toBeVisible();
  // the theme's header is around it
  await expect(page.getByTestId("shop-name")).toBeVisible();
  await page.goto("/localization?language_code=de&return_to=/apps/loyalty");
  await expect(page.getByTestId("app-proxy-content")).toContainText("So sammeln Sie Punkte");
  await page.goto("/localization?language_code=en&return_to=/");
});

test("a product page says how many points the product earns, without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByTestId("product-link").first().click();
  const price = Number(await page.getByTestId("product-price").getAttribute("data-amount"));
  // 1 point per €1; the shop's prices include VAT, which doesn't earn: "up to"
  const points = Math.floor(price);
  await expect(page.locator("[data-stk-earn-points]")).toHaveText(`Earn up to ${points} points with this product`);
  await context.close();
});

test("the points balance block shows a member's points from Shopify's metafield", async ({ page }) => {
  await page.goto(`/account/login`);
  await page.getByRole("button", { name: /Erika Mustermann/ }).click();
  // the app writes the points to the customer's metafield a few seconds after they change
  await expect
    .poll(async () => {
      await page.goto("/");
      return page.locator("[data-stk-balance-block]").textContent();
    }, { timeout: 60_000, intervals: [1000, 2000] })
    .toMatch(/You have \d+ points/);
  const blockPoints = Number(/You have (\d+) points/.exec((await page.locator("[data-stk-balance-block]").textContent())!)![1]);
  await openPanel(page);
  await expect(page.locator("[data-stk-balance]")).not.toHaveText("…");
  expect(Number((await page.locator("[data-stk-balance]").textContent())!.replace(/\D/g, ""))).toBe(blockPoints);
  // its button opens the panel
  await page.keyboard.press("Escape");
  await page.locator("[data-stk-balance-block]").getByRole("link", { name: "See your rewards" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
});

test("the merchant renames the launcher in the admin, per language, and the storefront follows", async ({ page }) => {
  await page.goto(`/admin/apps/stammkunde/storefront?shop=${SHOP}`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: "Storefront texts" }).first()).toBeVisible({ timeout: 60_000 });
  // a field error names the field
  await app.locator('[name="en.launcherLabel"]').fill("x".repeat(41));
  await app.getByRole("button", { name: "Save" }).click();
  await expect(app.getByText("Must be at most 40 characters")).toBeVisible();
  await app.locator('[name="en.launcherLabel"]').fill("Club points");
  await app.locator('[name="de.launcherLabel"]').fill("Clubpunkte");
  await app.getByRole("button", { name: "Save" }).click();
  await expect(app.getByText("Saved.")).toBeVisible();
  await expect
    .poll(async () => {
      await page.goto("/");
      return page.locator("[data-stk-launcher]").textContent();
    }, { timeout: 30_000, intervals: [500, 1000] })
    .toBe("Club points");
  await page.goto("/localization?language_code=de&return_to=/");
  await expect(page.locator("[data-stk-launcher]")).toHaveText("Clubpunkte");
  // back to the translated defaults for the other tests
  await page.goto(`/admin/apps/stammkunde/storefront?shop=${SHOP}`);
  await app.locator('[name="en.launcherLabel"]').fill("");
  await app.locator('[name="de.launcherLabel"]').fill("");
  await app.getByRole("button", { name: "Save" }).click();
  await expect(app.getByText("Saved.")).toBeVisible();
  await page.goto("/localization?language_code=en&return_to=/");
  await expect.poll(async () => {
    await page.goto("/");
    return page.locator("[data-stk-launcher]").textContent();
  }, { timeout: 30_000 }).toBe("Rewards");
});

test("a page view loads no widget script; it comes when the shopper heads for the launcher", async ({ page }) => {
  const scripts: string[] = [];
  page.on("request", (r) => {
    if (r.resourceType() === "script") scripts.push(new URL(r.url()).pathname);
  });
  await page.goto("/");
  await page.waitForLoadState("networkidle");
  expect(scripts.filter((s) => s.endsWith("/rewards.lazy.js"))).toEqual([]);
  await page.locator("[data-stk-launcher]").click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect(page.getByRole("dialog").locator("[data-stk-reward-list]")).toContainText("€2 off");
  expect(scripts.filter((s) => s.endsWith("/rewards.lazy.js"))).toHaveLength(1);
});

test("the merchant edits the program: field errors name the field, the preview follows, the storefront shows the new rate", async ({ page }) => {
  await page.goto(`/admin/apps/stammkunde/program?shop=${SHOP}`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: "Program" }).first()).toBeVisible({ timeout: 60_000 });
  const rate = app.locator('input[id="purchase.pointsPerUnit"]');
  await expect(app.getByTestId("program-preview")).toContainText("50 points");
  await rate.fill("2");
  await expect(app.getByTestId("program-preview")).toContainText("100 points");
  await rate.fill("1.5");
  await expect(app.getByText("Fix the fields marked in red")).toBeVisible();
  await app.getByRole("button", { name: "Save" }).click();
  await expect(app.getByText("Must be a whole number")).toBeVisible();
  await rate.fill("2");
  await app.getByRole("button", { name: "Save" }).click();
  await expect(app.getByText("Saved.")).toBeVisible();
  // the product block reads the new rate from the app's metafield
  await page.goto("/");
  await page.getByTestId("product-link").first().click();
  const price = Number(await page.getByTestId("product-price").getAttribute("data-amount"));
  await expect.poll(async () => {
    await page.reload();
    return page.locator("[data-stk-earn-points]").getAttribute("data-stk-earn-points");
  }, { timeout: 30_000 }).toBe(String(Math.floor(price * 2)));
  // back to 1 point per €1 for the other tests
  await page.goto(`/admin/apps/stammkunde/program?shop=${SHOP}`);
  await app.locator('input[id="purchase.pointsPerUnit"]').fill("1");
  await app.getByRole("button", { name: "Save" }).click();
  await expect(app.getByText("Saved.")).toBeVisible();
});

test("the app turns away an oversized body before reading it", async ({ page }) => {
  const res = await page.request.post("/apps/loyalty/rewards", { data: "x".repeat(2 * 1024 * 1024), headers: { "Content-Type": "application/json" } });
  expect(res.status()).toBe(413);
});
