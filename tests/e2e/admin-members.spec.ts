// The merchant's member pages in the store's admin: adjusting a member's points (and seeing the
// balance and the history line), and importing a CSV whose bad rows the dry run names before the
// import runs to 100 %.
import { expect, test } from "@playwright/test";

const SHOP = "stammkunde-dev.myshopify.com";

test("the merchant adjusts a member's points and sees the new balance and the history line", async ({ page }) => {
  await page.goto(`/admin/apps/stammkunde/members?shop=${SHOP}`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: "Members" }).first()).toBeVisible({ timeout: 60_000 });
  await app.getByLabel("Search members").fill("erika");
  await app.getByRole("button", { name: "Search" }).click();
  await app.getByRole("link", { name: "Erika Mustermann" }).click();
  const available = app.locator("#balance-available");
  await expect(available).toBeVisible();
  const before = Number((await available.textContent())!.replace(/[^\d-]/g, ""));

  // a reason is required: the field says so and nothing is posted
  await app.locator("#adjust-points").fill("25");
  await app.getByRole("button", { name: "Adjust" }).click();
  await expect(app.getByText("A reason is required.")).toBeVisible();
  await expect(available).toHaveText(new Intl.NumberFormat("en-US").format(before));

  await app.locator("#adjust-reason").fill("Parcel arrived late");
  await app.locator("#adjust-note").fill("ticket 4711");
  await app.getByRole("button", { name: "Adjust" }).click();
  await expect(app.getByText("Points adjusted.")).toBeVisible();
  await expect(available).toHaveText(new Intl.NumberFormat("en-US").format(before + 25));
  const line = app.locator("#member-history tr", { hasText: "manual:Parcel arrived late" });
  await expect(line).toHaveCount(1);
  await expect(line).toContainText("+25");
  await expect(line).toContainText("ticket 4711");

  // taking more than the balance is refused unless allowed
  await app.locator("#adjust-points").fill(String(-(before + 26)));
  await app.locator("#adjust-reason").fill("Correction");
  await app.getByRole("button", { name: "Adjust" }).click();
  await expect(app.getByText(/would take the balance .* below 0/)).toBeVisible();
  await expect(available).toHaveText(new Intl.NumberFormat("en-US").format(before + 25));
});

test("the merchant imports a CSV: the dry run names the 2 bad rows, then the import reaches 100 %", async ({ page }) => {
  const stamp = Date.now();
  const customers: Array<{ id: number; email: string }> = [];
  for (const name of ["Ina", "Jan", "Kai"]) {
    const email = `${name.toLowerCase()}.import.${stamp}@example.com`;
    const res = await page.request.post("/devstore/customers", { data: { firstName: name, lastName: "Import", email } });
    expect(res.status()).toBe(201);
    customers.push({ id: ((await res.json()) as { id: number }).id, email });
  }
  const csv = [
    "email,points,first_name,last_name,birthday",
    `${customers[0]!.email},120,Ina,Import,1990-04-01`,
    "not-an-email,50,Bad,Email,",
    `${customers[1]!.email},80,Jan,Import,`,
    `${customers[2]!.email},12.5,Kai,Import,`,
    `${customers[2]!.email.toUpperCase()},45,Kai,Import,`,
  ].join("\n");

  await page.goto(`/admin/apps/stammkunde/import?shop=${SHOP}`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: "Import members" }).first()).toBeVisible({ timeout: 60_000 });
  await app.locator("#import-file").setInputFiles({ name: `members-${stamp}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv) });
  await app.getByRole("button", { name: "Upload and check" }).click();

  const report = app.locator("#import-report");
  await expect(report).toBeVisible({ timeout: 30_000 });
  await expect(app.locator("#import-summary")).toHaveText("5 rows: 3 can be imported, 2 have errors.");
  const rows = report.locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("3");
  await expect(rows.nth(0)).toContainText("email");
  await expect(rows.nth(0)).toContainText("not an email address");
  await expect(rows.nth(1)).toContainText("5");
  await expect(rows.nth(1)).toContainText("points");
  await expect(rows.nth(1)).toContainText("not a whole number");

  await app.getByRole("button", { name: "Start import" }).click();
  const progress = app.locator("#import-progress");
  await expect(progress).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(progress).toHaveAttribute("data-percent", "100");
  await expect(app.locator("#import-progress-text")).toContainText("100 % — 5 of 5 rows");
  await expect(app.getByText("Imported 3 members with 245 points; 2 rows skipped.")).toBeVisible();

  // the imported member is there with their points, beside what they earned here (sign-up)
  await page.goto(`/admin/apps/stammkunde/members?shop=${SHOP}`);
  await app.getByLabel("Search members").fill(customers[0]!.email);
  await app.getByRole("button", { name: "Search" }).click();
  await app.getByRole("link", { name: "Ina Import" }).click();
  const imported = app.locator("#member-history tr", { hasText: "Imported" });
  await expect(imported).toHaveCount(1);
  await expect(imported).toContainText("+120");
  const earnedHere = await app.locator("#member-history tr", { hasText: "Earned" }).allTextContents();
  const signup = earnedHere.reduce((s, t) => s + Number(/\+(\d+)/.exec(t)?.[1] ?? 0), 0);
  await expect(app.locator("#balance-available")).toHaveText(String(120 + signup));
});

test("the member pages speak German", async ({ page }) => {
  await page.goto(`/admin/apps/stammkunde/import?shop=${SHOP}&locale=de`);
  const app = page.frameLocator("#app-frame");
  await expect(app.getByRole("heading", { name: "Mitglieder importieren" }).first()).toBeVisible({ timeout: 60_000 });
  await expect(app.getByRole("button", { name: "Hochladen und prüfen" })).toBeVisible();
});
