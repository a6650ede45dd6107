// Friend gets friend, in a real browser: the advocate shares the link from the panel, a friend opens
// it in a fresh browser, gets a code that applies at the offline store's checkout, and the
// advocate's panel shows the referral pending until the return window has passed.
import { expect, test } from "@playwright/test";

test("a friend opens a member's link, gets a code that applies at checkout, and the advocate sees it pending", async ({ browser, baseURL }) => {
  // the advocate: a shopper with an account
  const advocateContext = await browser.newContext();
  await advocateContext.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  const advocate = await advocateContext.newPage();
  const res = await advocate.request.post("/devstore/customers", { data: { firstName: "Anja", lastName: "Werber", email: `anja.${Date.now()}@example.com` } });
  const { id } = (await res.json()) as { id: number };
  await advocate.goto(`/account/login?customer_id=${id}&return_to=/`);
  await advocate.locator("[data-stk-launcher]").click();
  const refer = advocate.locator("[data-stk-refer]");
  await expect(refer).toBeVisible();
  await expect(refer.locator("[data-stk-refer-offer]")).toContainText("Friends get €10.00 off");
  const url = await refer.locator("[data-stk-refer-url]").inputValue();
  expect(url).toMatch(/\/apps\/loyalty\/r\/[A-Z2-9]{9}$/);
  // the link copies, and the WhatsApp share carries it in the merchant's message
  await refer.getByRole("button", { name: "Copy link" }).click();
  await expect(refer.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await advocate.evaluate(() => navigator.clipboard.readText())).toBe(url);
  const wa = new URL((await refer.getByRole("link", { name: "WhatsApp" }).getAttribute("href"))!);
  expect(wa.origin + wa.pathname).toBe("https://wa.me/");
  expect(wa.searchParams.get("text")).toBe(`I shop here and like it. With my link you get a discount on your first order: ${url}`);
  await expect(refer.locator("[data-stk-refer-stats]")).toContainText("0 pending");

  // the friend, in a browser that has never seen the shop
  const friendContext = await browser.newContext();
  const friend = await friendContext.newPage();
  await friend.goto(new URL(url).pathname);
  await expect(friend.getByTestId("referral-offer")).toContainText("€10.00 off orders from €30.00");
  // the link is remembered in a first-party cookie and on the cart
  await expect.poll(async () => (await friendContext.cookies()).find((c) => c.name === "stk_ref")?.value ?? "").toMatch(/^[A-Z2-9]{9}\./);
  const email = `friend.${Date.now()}@example.com`;
  await friend.getByTestId("referral-email").fill(email);
  await friend.getByTestId("referral-claim").click();
  const code = friend.getByTestId("referral-code");
  await expect(code).toHaveText(/\S+/);
  const friendCode = (await code.textContent())!.trim();
  await friend.getByTestId("referral-apply").click();
  // a basket that stays over the €30 referral minimum after the code takes €10 off at checkout
  await friend.goto("/");
  await friend.getByTestId("product-link").first().click();
  await friend.getByTestId("quantity-input").fill("5");
  await friend.getByTestId("add-to-cart").click();
  await friend.goto("/checkout");
  // the code is once per customer: Shopify needs the email before it applies
  await friend.getByTestId("checkout-email").fill(email);
  await friend.getByTestId("discount-apply").click();
  await expect(friend.getByTestId("checkout-discount")).toHaveAttribute("data-amount", "10.00");
  await friend.getByTestId("checkout-pay").click();
  await expect(friend.getByTestId("order-discount")).toContainText(friendCode);

  // the advocate's panel: the referral waits for the return window
  await expect
    .poll(async () => {
      await advocate.reload();
      await advocate.locator("[data-stk-launcher]").click();
      // the stats come with the panel's data, after the click: read them once they are there
      const stats = advocate.locator("[data-stk-refer-stats]");
      await expect(stats).not.toBeEmpty({ timeout: 15_000 });
      return stats.textContent();
    }, { timeout: 60_000, intervals: [1000, 2000] })
    .toContain("1 pending");
  await advocateContext.close();
  await friendContext.close();
});
