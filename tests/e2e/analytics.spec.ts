// The analytics dashboard in the store's admin: KPIs and polaris-viz charts (SVG drawn in the
// browser) in English and German, the date range presets, and a custom range refused with the
// field named.
import { expect, test, type FrameLocator, type Page } from "@playwright/test";

const SHOP = "stammkunde-dev.myshopify.com";
const CHARTS = ["points", "outstanding", "members", "orders", "funnel"];

async function open(page: Page, query = ""): Promise<FrameLocator> {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`/admin/apps/stammkunde/analytics?shop=${SHOP}${query}`);
  (page as Page & { appErrors?: string[] }).appErrors = errors;
  return page.frameLocator("#app-frame");
}

async function chartsDrawn(app: FrameLocator) {
  for (const id of CHARTS) {
    const svg = app.locator(`#chart-${id} svg`).first();
    await expect(svg, id).toBeVisible();
    // a drawn chart, not an empty frame: it has paths or bars
    await expect.poll(async () => app.locator(`#chart-${id} svg path, #chart-${id} svg rect`).count(), { message: id }).toBeGreaterThan(0);
  }
}

test("the dashboard shows KPIs and charts in English, for every preset range", async ({ page }) => {
  const app = await open(page);
  await expect(app.getByRole("heading", { name: "Analytics" }).first()).toBeVisible({ timeout: 60_000 });
  await chartsDrawn(app);
  // the demo's members earned from their orders today: the page asks for a refresh of today's row and reloads
  await expect.poll(async () => Number((await app.locator("#kpi-members").textContent())!.replace(/[^\d]/g, ""))).toBeGreaterThan(0);
  await expect(app.locator("#kpi-liability")).toContainText("€");
  await expect(app.locator("#forecast")).toContainText("in 30 days");
  // the stored figures' age: "Updated just now", "Updated 4 min ago", …
  await expect(app.locator("#updated")).toHaveText(/^Updated (just now|\d+ min ago|\d+ h ago)$/);

  await app.locator("#range").selectOption("365");
  await app.getByRole("button", { name: "Show" }).click();
  await expect(app.locator("#range-shown")).toContainText(String(new Date().getUTCFullYear() - 1));
  await chartsDrawn(app);
  // the weekly view over a year
  await expect(app.getByRole("heading", { name: "Points per week" })).toBeVisible();

  // a custom range that ends before it starts is refused, naming the field
  await app.locator("#range").selectOption("custom");
  await app.locator("#range-from").fill("2026-03-10");
  await app.locator("#range-to").fill("2026-03-01");
  await app.getByRole("button", { name: "Show" }).click();
  await expect(app.getByText("Must not be before the start date.")).toBeVisible();
  expect((page as Page & { appErrors?: string[] }).appErrors!.filter((e) => /hydrat|Minified React error/i.test(e))).toEqual([]);
});

test("the dashboard shows its charts in German, numbers and money formatted for German", async ({ page }) => {
  const app = await open(page, "&locale=de");
  await expect(app.getByRole("heading", { name: "Auswertungen" }).first()).toBeVisible({ timeout: 60_000 });
  await chartsDrawn(app);
  await expect(app.getByText("Offene Verbindlichkeit")).toBeVisible();
  await expect(app.getByRole("heading", { name: "Punkte pro Tag" })).toBeVisible();
  // German money: "1.234,56 €"
  await expect(app.locator("#kpi-liability")).toHaveText(/^[\d.]+,\d{2}\s€$/);
  await expect(app.locator("#forecast")).toContainText("in 30 Tagen");
  await expect(app.locator("#updated")).toHaveText(/^(Gerade aktualisiert|Aktualisiert vor \d+ (Min\.|Std\.))$/);
  expect((page as Page & { appErrors?: string[] }).appErrors!.filter((e) => /hydrat|Minified React error/i.test(e))).toEqual([]);
});
