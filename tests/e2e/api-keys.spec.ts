// The merchant makes an API key in the store's admin, the key reads the API at once and can't
// write (read scope only), and after "Revoke" the same key is refused.
import { expect, test } from "@playwright/test";

const SHOP = "stammkunde-dev.myshopify.com";
const APP = `http://127.0.0.1:${Number(process.env.E2E_APP_PORT ?? 3210)}`;

test("the merchant makes a read-only API key, uses it, and revokes it", async ({ page }) => {
  await page.goto(`/admin/apps/stammkunde/api-keys?shop=${SHOP}`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: "API keys" }).first()).toBeVisible({ timeout: 60_000 });
  const label = `CRM ${Date.now()}`;
  // a name is required: the field says so
  await app.getByRole("button", { name: "Create key" }).click();
  await expect(app.getByText("Give the key a name.")).toBeVisible();
  await app.getByLabel("Name").fill(label);
  await app.getByRole("button", { name: "Create key" }).click();
  await expect(app.getByText("Copy the key now: it won't be shown again.")).toBeVisible();
  const key = await app.getByLabel("API key").inputValue();
  expect(key).toMatch(/^stk_/);

  const read = await page.request.get(`${APP}/api/v1/rewards`, { headers: { Authorization: `Bearer ${key}` } });
  expect(read.status()).toBe(200);
  expect(read.headers()["x-ratelimit-limit"]).toBe("120");
  const write = await page.request.post(`${APP}/api/v1/members/1/adjustments`, { headers: { Authorization: `Bearer ${key}`, "Idempotency-Key": "e2e-1" }, data: { type: "award", points: 1, reason: "x" } });
  expect(write.status()).toBe(403);

  const row = app.locator("tr", { hasText: label });
  await expect(row).toContainText("Active");
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(app.getByText("The key is revoked; requests with it are refused from now on.")).toBeVisible();
  await expect(app.locator("tr", { hasText: label })).toContainText("Revoked");
  const after = await page.request.get(`${APP}/api/v1/rewards`, { headers: { Authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
});
