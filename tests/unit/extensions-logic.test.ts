// The UI extensions' decisions (extensions/shared/loyalty.ts), table by table.
import { describe, expect, it } from "vitest";
import {
  APP_URL,
  applyMessageKey,
  checkoutRewards,
  customerLine,
  estimateOrderPoints,
  formatDate,
  historyKey,
  localeOf,
  memberCall,
  newIdempotencyKey,
  nextRewardProgress,
  numericId,
  orderCall,
  orderEarnMessage,
  posRedeemCall,
  redeemCall,
  redeemOutcome,
  shouldSearch,
  type EarningRules,
  type ViewReward,
} from "../../extensions/shared/loyalty";

const reward = (id: number, pointsCost: number, affordable: boolean, type = "amount"): ViewReward => ({ id, type, title: `R${id}`, value: "", pointsCost, affordable });
const rules = (o: Partial<EarningRules> = {}): EarningRules => ({ enabled: true, pointsPerUnit: 1, rounding: "down", minimumOrderMinor: 0, excludedProductIds: [], currency: "EUR", exponent: 2, ...o });

describe("requests to the app", () => {
  it("carry the session token and never a customer id for buyers", () => {
    const m = memberCall("tok", "customer-account", "de");
    expect(m).toEqual({ url: `${APP_URL}/api/extension/member?surface=customer-account&locale=de`, init: { method: "GET", headers: { Authorization: "Bearer tok" } } });
    const r = redeemCall("tok", "checkout", 7, "k-1", "https://app.test");
    expect(r.url).toBe("https://app.test/api/extension/redeem?surface=checkout");
    expect(r.init.headers).toEqual({ Authorization: "Bearer tok", "Content-Type": "application/json" });
    expect(JSON.parse(r.init.body!)).toEqual({ rewardId: 7, idempotencyKey: "k-1" });
    expect(orderCall("tok", "checkout", "gid://shopify/OrderIdentity/5", "en").url).toBe(`${APP_URL}/api/extension/order?surface=checkout&locale=en&orderId=gid%3A%2F%2Fshopify%2FOrderIdentity%2F5`);
  });

  it("POS names the customer (staff act for them)", () => {
    expect(JSON.parse(posRedeemCall("tok", "gid://shopify/Customer/9", 3, "k").init.body!)).toEqual({ customerId: "gid://shopify/Customer/9", rewardId: 3, idempotencyKey: "k" });
  });

  it("makes a new idempotency key per tap, at most 100 characters", () => {
    const a = newIdempotencyKey("checkout", () => 0.5, 1_700_000_000_000);
    const b = newIdempotencyKey("checkout", () => 0.25, 1_700_000_000_000);
    expect(a).toMatch(/^checkout-[0-9a-z]+-[0-9a-z]+$/);
    expect(a).not.toBe(b);
    expect(newIdempotencyKey("x".repeat(200)).length).toBe(100);
  });
});

describe("what to show", () => {
  it.each([
    ["de-DE", "de"],
    ["de", "de"],
    ["DE-ch", "de"],
    ["en-GB", "en"],
    ["fr", "en"],
    [undefined, "en"],
  ])("locale %s → %s", (tag, locale) => expect(localeOf(tag)).toBe(locale));

  it("checkout offers affordable one-tap rewards, most points first, at most three, and nothing to guests", () => {
    const rewards = [reward(1, 100, true), reward(2, 500, true), reward(3, 300, true, "store_credit"), reward(4, 200, true, "free_shipping"), reward(5, 900, false), reward(6, 150, true, "percentage"), reward(7, 50, true, "points_for_money")];
    expect(checkoutRewards({ loggedIn: true, rewards }).map((r) => r.id)).toEqual([2, 4, 6]);
    expect(checkoutRewards({ loggedIn: false, rewards })).toEqual([]);
  });

  it.each([
    [0, [100, 500], { id: 1, needed: 100, percent: 0 }],
    [150, [100, 500], { id: 2, needed: 350, percent: 30 }],
    [499, [100, 500], { id: 2, needed: 1, percent: 99 }],
    [500, [100, 500], null],
  ])("with %i points, rewards %j: next %j", (balance, costs, expected) => {
    const p = nextRewardProgress({ balance, rewards: costs.map((c, i) => reward(i + 1, c, c <= balance)) });
    expect(p && { id: p.reward.id, needed: p.needed, percent: p.percent }).toEqual(expected);
  });

  it("the next reward is never one of another tier's (locked), and checkout never offers one", () => {
    const gold = { ...reward(1, 200, false), locked: true, lockedText: "Gold members only" };
    const p = nextRewardProgress({ balance: 100, rewards: [gold, reward(2, 400, false)] });
    expect(p && p.reward.id).toBe(2);
    expect(checkoutRewards({ loggedIn: true, rewards: [gold, reward(3, 50, true)] }).map((r) => r.id)).toEqual([3]);
  });

  it.each([
    [{ reason: "purchase", kind: "earn", bucket: "available" }, "history.purchase"],
    [{ reason: "reward", kind: "redeem", bucket: "available" }, "history.reward"],
    [{ reason: "reward not issued", kind: "reverse", bucket: "available" }, "history.rewardReturned"],
    [{ reason: "refund", kind: "reverse", bucket: "available" }, "history.reversed"],
    [{ reason: "signup", kind: "earn", bucket: "available" }, "history.signup"],
    [{ reason: "something new", kind: "earn", bucket: "available" }, "history.other"],
  ])("history %j → %s", (entry, key) => expect(historyKey(entry)).toBe(key));

  it("formats dates in the buyer's language, and nothing for none", () => {
    expect(formatDate("2026-03-05T10:00:00Z", "de")).toBe("5. März 2026");
    expect(formatDate("2026-03-05T10:00:00Z", "en")).toBe("March 5, 2026");
    expect(formatDate(null, "en")).toBe("");
    expect(formatDate("not a date", "en")).toBe("");
  });
});

describe("the points this order will earn", () => {
  it.each([
    ["1 point per euro, rounded down", [{ productId: null, amount: 42.5 }], rules(), 42],
    ["rounded up", [{ productId: null, amount: 42.01 }], rules({ rounding: "up" }), 43],
    ["rounded to nearest", [{ productId: null, amount: 42.5 }], rules({ rounding: "nearest" }), 43],
    ["rate 3", [{ productId: null, amount: 10 }], rules({ pointsPerUnit: 3 }), 30],
    ["excluded products and gift cards don't count", [{ productId: "gid://shopify/Product/1", amount: 50 }, { productId: "gid://shopify/Product/2", amount: 20 }, { productId: null, amount: 25, giftCard: true }], rules({ excludedProductIds: ["gid://shopify/Product/1"] }), 20],
    ["below the minimum earns nothing", [{ productId: null, amount: 19.99 }], rules({ minimumOrderMinor: 2000 }), 0],
    ["at the minimum earns", [{ productId: null, amount: 20 }], rules({ minimumOrderMinor: 2000 }), 20],
    ["program off", [{ productId: null, amount: 100 }], rules({ enabled: false }), 0],
    ["zero-decimal currency", [{ productId: null, amount: 1999 }], rules({ currency: "JPY", exponent: 0 }), 1999],
    ["float sums don't lose a point", [{ productId: null, amount: 0.1 }, { productId: null, amount: 0.2 }, { productId: null, amount: 2.7 }], rules(), 3],
  ])("%s", (_name, lines, r, expected) => expect(estimateOrderPoints(lines, r)).toBe(expected));

  it("without rules (an old app answer) estimates nothing", () => expect(estimateOrderPoints([{ productId: null, amount: 10 }], undefined)).toBe(0));
});

describe("reading the app's answers", () => {
  it.each([
    [200, { status: "issued", code: "STK-AB12" }, { kind: "code", code: "STK-AB12" }],
    [202, { status: "held", idempotencyKey: "k" }, { kind: "pending" }],
    [200, { status: "donated", code: null }, { kind: "error", messageKey: "errors.failed" }],
    [401, null, { kind: "error", messageKey: "errors.session" }],
    [403, { error: "log in first" }, { kind: "error", messageKey: "errors.login" }],
    [403, { error: "this reward is only for members of Gold" }, { kind: "error", messageKey: "errors.unavailable" }],
    [409, { error: "not enough points" }, { kind: "error", messageKey: "errors.notEnough" }],
    [409, { error: "this reward's budget is spent" }, { kind: "error", messageKey: "errors.unavailable" }],
    [404, { error: "unknown reward" }, { kind: "error", messageKey: "errors.unavailable" }],
    [429, { error: "too many" }, { kind: "error", messageKey: "errors.tooMany" }],
    [502, { status: "released", code: null }, { kind: "error", messageKey: "errors.failed" }],
    [500, "oops", { kind: "error", messageKey: "errors.failed" }],
  ])("%i %j → %j", (status, body, outcome) => expect(redeemOutcome(status, body)).toEqual(outcome));

  it("tells whether checkout applied the code", () => {
    expect(applyMessageKey({ type: "success" })).toBe("redeem.applied");
    expect(applyMessageKey({ type: "error", message: "not combinable" })).toBe("redeem.notApplied");
  });

  it.each([
    ["earned", { status: "earned", points: 1234, bucket: "available", releaseAt: null, untilFulfilment: false }, 0, "de", ["order.earned", { points: "1.234" }]],
    ["pending until a date", { status: "earned", points: 35, bucket: "pending", releaseAt: "2026-12-09T12:00:00Z", untilFulfilment: false }, 0, "en", ["order.pendingUntil", { points: "35", date: "December 9, 2026" }]],
    ["pending until shipped", { status: "earned", points: 35, bucket: "pending", releaseAt: null, untilFulfilment: true }, 0, "en", ["order.pendingFulfilment", { points: "35" }]],
    ["processing, with an estimate", { status: "processing", points: 0, bucket: null, releaseAt: null, untilFulfilment: false }, 40, "en", ["order.processingEstimate", { points: "40" }]],
    ["processing, no estimate", undefined, 0, "en", ["order.processing", {}]],
  ] as const)("thank-you: %s", (_name, order, estimate, locale, expected) => expect(orderEarnMessage(order as never, estimate, locale)).toEqual(expected));
});

describe("POS", () => {
  it("searches from two characters", () => {
    expect(shouldSearch(" e ")).toBe(false);
    expect(shouldSearch("er")).toBe(true);
  });
  it("gives the cart API the numeric customer id", () => {
    expect(numericId("gid://shopify/Customer/7100000000155")).toBe(7100000000155);
    expect(numericId("nope")).toBeNull();
  });
  it("lists a customer with contact and points", () => {
    expect(customerLine({ id: "x", displayName: "Erika Muster", email: "e@x.de", phone: null, balance: 1500, pending: 0 }, "de")).toBe("Erika Muster · e@x.de · 1.500");
    expect(customerLine({ id: "x", displayName: "", email: null, phone: "+49 30 1", balance: 0, pending: 0 }, "en")).toBe("+49 30 1 · 0");
  });
});
