// The merchant's program pages in the store's admin, and what the storefront then shows: a reward
// added and its cost edited (a bad value named on its field first), seen in the rewards panel; a
// branding colour the storefront's launcher then wears. Each test puts the shop back as it was
// (the reward switched off, the branding removed): later specs share the demo shop.
import { expect, test, type FrameLocator, type Page } from "@playwright/test";

const SHOP = "stammkunde-dev.myshopify.com";

async function admin(page: Page, path: string, heading: string, query = ""): Promise<FrameLocator> {
  await page.goto(`/admin/apps/stammkunde/${path}?shop=${SHOP}${query}`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: heading }).first()).toBeVisible({ timeout: 60_000 });
  return app;
}

/** The panel's reward lines, as a guest reads them (a fresh page: the panel asks the app when it opens). */
async function panelRewards(page: Page): Promise<string> {
  await page.goto("/");
  await page.locator("[data-stk-launcher]").click();
  const list = page.locator("[data-stk-reward-list]");
  await expect(list.locator("li").first()).toBeVisible();
  return (await list.textContent()) ?? "";
}

test("the merchant adds a reward, edits its cost past a field error, and the storefront panel shows the new cost", async ({ page }) => {
  const title = `Tote bag ${Date.now() % 100000}`;
  let app = await admin(page, "rewards", "Rewards");
  await app.getByRole("button", { name: "Add reward" }).click();
  await expect(app.getByRole("heading", { name: "New reward" }).first()).toBeVisible();
  await app.locator('[id="reward-texts.en.title"]').fill(title);
  await app.locator('[id="reward-texts.de.title"]').fill(`Tasche ${title.slice(9)}`);
  await app.locator("#reward-pointsCost").fill("700");
  await app.locator("#reward-amount").fill("7");
  await app.locator("#reward-minimumSubtotal").fill("30");
  // the shopper's line, live, in both languages
  await expect(app.getByTestId("reward-preview")).toContainText("700 points → €7 off on orders from €30");
  await expect(app.getByTestId("reward-preview")).toContainText("700 Punkte → 7 € Rabatt ab 30 €");
  await app.getByRole("button", { name: "Save reward" }).click();
  await expect(app.getByText("Reward saved.", { exact: false })).toBeVisible();
  expect(await panelRewards(page)).toContain(`${title} · 700 points`);

  // edit the cost: a bad value is named on its field and nothing is saved
  app = await admin(page, "rewards", "Rewards");
  await app.getByRole("link", { name: title }).click();
  const cost = app.locator("#reward-pointsCost");
  await expect(cost).toHaveValue("700");
  await cost.fill("-5");
  await app.getByRole("button", { name: "Save reward" }).click();
  await expect(app.getByText("Must be greater than 0")).toBeVisible();
  await expect(cost).toHaveAttribute("aria-invalid", "true");
  await cost.fill("650");
  await expect(app.getByTestId("reward-preview")).toContainText("650 points → €7 off");
  await app.getByRole("button", { name: "Save reward" }).click();
  await expect(app.getByText("Reward saved.", { exact: false })).toBeVisible();
  await expect(app.getByText("Must be greater than 0")).toHaveCount(0);

  const lines = await panelRewards(page);
  expect(lines).toContain(`${title} · 650 points`);
  expect(lines).not.toContain(`${title} · 700 points`);

  // retire it: switched off, it leaves the panel (and stays in the list, off)
  app = await admin(page, "rewards", "Rewards");
  const row = app.getByRole("row", { name: new RegExp(title) });
  await row.getByRole("button", { name: "Switch off" }).click();
  await expect(row.getByText("Off", { exact: true })).toBeVisible();
  expect(await panelRewards(page)).not.toContain(title);
});

test("in the German admin a field error is German too, and the page stays German after the post", async ({ page }) => {
  const app = await admin(page, "branding", "Gestaltung", "&locale=de");
  await app.locator("#branding-accentColor").fill("#8a15zz");
  await app.getByRole("button", { name: "Gestaltung speichern" }).click();
  await expect(app.getByText("Muss eine Farbe wie #1f5130 sein")).toBeVisible();
  await expect(app.getByText("Must be a colour like #1f5130")).toHaveCount(0);
  await expect(app.getByRole("heading", { name: "Gestaltung" }).first()).toBeVisible();
});

test("the merchant sets a branding colour and the storefront's launcher wears it", async ({ page }) => {
  const app = await admin(page, "branding", "Branding");
  const accent = app.locator("#branding-accentColor");
  await accent.fill("#8a15zz");
  await app.getByRole("button", { name: "Save branding" }).click();
  await expect(app.getByText("Must be a colour like #1f5130")).toBeVisible();
  await accent.fill("#8a1538");
  await expect(app.getByTestId("branding-preview-launcher")).toHaveCSS("background-color", "rgb(138, 21, 56)");
  await app.getByRole("button", { name: "Save branding" }).click();
  await expect(app.getByText("Branding saved.", { exact: false })).toBeVisible();

  // the publish job writes the app-data metafield; the theme's Liquid reads it on the next page view
  const launcher = page.locator("[data-stk-launcher]");
  await expect
    .poll(async () => {
      await page.goto("/");
      return launcher.evaluate((el) => getComputedStyle(el).backgroundColor);
    }, { timeout: 60_000, intervals: [500, 1000, 2000] })
    .toBe("rgb(138, 21, 56)");

  // back to the theme editor's settings, and the launcher's default green
  const again = await admin(page, "branding", "Branding");
  await again.getByRole("button", { name: "Use the theme editor's settings again" }).click();
  await expect(again.getByText("Branding removed", { exact: false })).toBeVisible();
  await expect
    .poll(async () => {
      await page.goto("/");
      return launcher.evaluate((el) => getComputedStyle(el).backgroundColor);
    }, { timeout: 60_000, intervals: [500, 1000, 2000] })
    .toBe("rgb(31, 81, 48)");
});
