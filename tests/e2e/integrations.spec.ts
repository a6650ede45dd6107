// The Integrations page in the store's admin: a URL that isn't HTTPS is named in the field; a good
// one shows its signing secret once, in a banner; switching the endpoint off shows why it is off.
import { expect, test } from "@playwright/test";

const SHOP = "stammkunde-dev.myshopify.com";

test("the merchant adds a webhook endpoint, sees its secret once and switches it off", async ({ page }) => {
  await page.goto(`/admin/apps/stammkunde/webhooks?shop=${SHOP}`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: "Add a webhook endpoint" })).toBeVisible({ timeout: 60_000 });
  await app.getByLabel("Endpoint URL (HTTPS)").fill("http://hooks.example.com/stammkunde");
  await app.getByRole("button", { name: "Add endpoint" }).click();
  await expect(app.getByText("Must start with https://")).toBeVisible();

  const url = `https://hooks.example.com/e2e-${Date.now()}`;
  await app.getByLabel("Endpoint URL (HTTPS)").fill(url);
  await app.getByRole("button", { name: "Add endpoint" }).click();
  await expect(app.getByText("Signing secret: copy it now, it is shown only this once")).toBeVisible();
  await expect(app.getByTestId("webhook-secret")).toHaveText(/^whsec_/);
  const card = app.getByTestId("endpoint").filter({ hasText: url });
  await expect(card.getByText("Active")).toBeVisible();
  await card.getByRole("button", { name: "Switch off" }).click();
  await expect(card.getByText("Switched off by you.")).toBeVisible();
});
