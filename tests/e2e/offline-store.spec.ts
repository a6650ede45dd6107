// The whole loop in a real browser against the offline store: the merchant opens the app inside
// the store's admin; a shopper logs in, places and pays an order, and the rewards panel shows the
// points the app earned from Shopify's webhook.
import { expect, test, type Page } from "@playwright/test";

const SHOP = "stammkunde-dev.myshopify.com";

// playwright.config.ts starts the demo with this many seeded customers; the first is Erika Mustermann.
const CUSTOMERS = 12;
const VAT = 0.19; // the demo shop is German: prices include 19 % VAT

async function logInAsDemoShopper(page: Page) {
  await page.goto("/account/login");
  await page.getByRole("button", { name: /Erika Mustermann/ }).click();
  await expect(page.getByTestId("account-status")).toHaveAttribute("data-logged-in", "true");
}

async function panelBalance(page: Page): Promise<number> {
  await page.locator("[data-stk-launcher]").click();
  const value = page.locator("[data-stk-balance]");
  await expect(value).not.toHaveText("…");
  const n = Number((await value.textContent())!.replace(/[^\d]/g, ""));
  await page.keyboard.press("Escape");
  return n;
}

test("the merchant opens Stammkunde inside the store's admin", async ({ page }) => {
  await page.goto(`/admin/apps/stammkunde?shop=${SHOP}`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: "Your loyalty program" })).toBeVisible({ timeout: 60_000 });
  // App Bridge's title bar reached the admin around the app
  await expect(page.getByTestId("admin-title")).toHaveText("Stammkunde");
  // every seeded customer with an order is a member once the worker has processed the webhooks
  // (other spec files may add members to the same demo shop, e.g. the import test)
  await expect
    .poll(async () => Number(((await app.locator("#members-count").textContent()) ?? "0").replace(/\D/g, "")), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(CUSTOMERS);
});

test("the merchant sees the app in German", async ({ page }) => {
  await page.goto(`/admin/apps/stammkunde?shop=${SHOP}&locale=de`);
  await expect(page.frameLocator("#app-frame").getByRole("heading", { name: "Ihr Treueprogramm" })).toBeVisible({ timeout: 60_000 });
});

test("a shopper orders, pays, and the rewards panel shows the points", async ({ page }) => {
  await logInAsDemoShopper(page);
  await page.goto("/");
  // the seeded history has already earned points once the worker caught up
  await expect.poll(() => panelBalance(page).then((n) => n > 0), { timeout: 60_000 }).toBe(true);
  const before = await panelBalance(page);

  await page.getByTestId("product-link").first().click();
  const price = Number(await page.getByTestId("product-price").getAttribute("data-amount"));
  await page.getByTestId("add-to-cart").click();
  await page.goto("/checkout");
  expect(Number(await page.getByTestId("checkout-subtotal").getAttribute("data-amount"))).toBe(price);
  await page.getByTestId("checkout-pay").click();
  await expect(page.getByTestId("order-confirmation")).toBeVisible();

  // 1 point per €1 of the subtotal after discounts, without shipping and without the VAT included
  // in the price; the webhook is processed in the background
  const tax = Math.round(((price * VAT) / (1 + VAT)) * 100) / 100;
  const expected = before + Math.floor(price - tax);
  await expect
    .poll(async () => {
      await page.goto("/");
      return panelBalance(page);
    }, { timeout: 60_000, intervals: [500, 1000, 2000] })
    .toBe(expected);
});

test("a member redeems points in the panel and the code applies at checkout", async ({ page }) => {
  await logInAsDemoShopper(page);
  await page.goto("/");
  await expect.poll(() => panelBalance(page).then((n) => n >= 100), { timeout: 60_000 }).toBe(true);
  const before = await panelBalance(page);
  await page.locator("[data-stk-launcher]").click();
  const redeem = page.locator('[data-stk-reward-list] li', { hasText: "€2 off" }).getByRole("button", { name: "Redeem" });
  await redeem.click();
  const code = page.locator("[data-stk-code-value]");
  await expect(code).toHaveText(/^STK-/);
  const codeText = (await code.textContent())!;
  await expect(page.locator("[data-stk-balance]")).toHaveText(new Intl.NumberFormat("en").format(before - 100));
  // the history says why the points moved
  const history = page.locator("[data-stk-history-list]");
  await expect(history.locator("li").first()).toContainText("Reward");
  await expect(history.locator("li").first()).toContainText("-100");
  await expect(history).toContainText("Order");
  // "apply to cart" is Shopify's /discount/CODE link; then the code takes €2 off at checkout
  await page.getByRole("link", { name: "Apply to cart" }).click();
  await page.goto("/");
  await page.getByTestId("product-link").first().click();
  await page.getByTestId("add-to-cart").click();
  await page.goto("/checkout");
  await expect(page.getByTestId("checkout-discount")).toHaveAttribute("data-amount", "2.00");
  await page.getByTestId("checkout-pay").click();
  await expect(page.getByTestId("order-confirmation")).toBeVisible();
  expect(codeText.length).toBeGreaterThan(8);
});

test("a member sees the ways to earn and gives a birthday in the panel", async ({ page }) => {
  await logInAsDemoShopper(page);
  await page.goto("/");
  await page.locator("[data-stk-launcher]").click();
  const earn = page.locator("[data-stk-earn-list]");
  await expect(earn).toContainText("points per €1 spent");
  // the demo's VIP tiers: the member's tier shows under the balance
  await expect(page.locator("[data-stk-tier]")).toHaveText(/^(Bronze|Silver|Gold) member/);
  await expect(earn).toContainText("Birthday");
  await earn.getByLabel("Your birthday (MM-DD)").fill("07-04");
  await earn.getByRole("button", { name: "Save" }).click();
  await expect(earn).toContainText("Saved");
  // the next time the panel opens, the birthday is known
  await page.reload();
  await page.locator("[data-stk-launcher]").click();
  await expect(page.locator("[data-stk-earn-list]")).toContainText("Birthday");
  await expect(page.locator("[data-stk-earn-list]").getByLabel("Your birthday (MM-DD)")).toHaveCount(0);
});

test("the storefront panel speaks German when the shop does", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("locale-de").click();
  await expect(page.locator("[data-stk-launcher]")).toHaveText("Prämien");
  await page.locator("[data-stk-launcher]").click();
  await expect(page.getByRole("dialog")).toContainText("Prämien bei");
});

test("a guest sees the program explained and a sign-in link", async ({ page }) => {
  await page.goto("/account/logout");
  await page.goto("/");
  await page.locator("[data-stk-launcher]").click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Join our rewards program");
  // the program explained: how to earn and what the points buy, without redeem buttons
  await expect(dialog.locator("[data-stk-earn-list]")).toContainText("points per €1 spent");
  await expect(dialog.locator("[data-stk-reward-list]")).toContainText("€2 off");
  await expect(dialog.getByRole("button", { name: "Redeem" })).toHaveCount(0);
  await expect(dialog.getByRole("link", { name: "Create an account" })).toHaveAttribute("href", "/account/register");
  await expect(dialog.getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/account/login");
});
