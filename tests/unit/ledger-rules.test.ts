import { describe, expect, it } from "vitest";
import { keys, LedgerRuleError, mismatches, validateEntry, type EntryInput } from "~/domain/ledger";
import { quoteLargeIntegers, parseShopifyJson } from "~/lib/json";

const base: EntryInput = { memberId: 1, bucket: "available", points: 10, kind: "earn", reason: "purchase", idempotencyKey: "k" };

describe("validateEntry", () => {
  it("accepts a plain earn", () => expect(() => validateEntry(base)).not.toThrow());
  it.each<[string, Partial<EntryInput>]>([
    ["fractional points", { points: 1.5 }],
    ["zero points", { points: 0 }],
    ["an earn that takes points", { points: -5 }],
    ["a redeem that adds points", { kind: "redeem", points: 5 }],
    ["an expiry that adds points", { kind: "expire", points: 5 }],
    ["a reversal without its entry", { kind: "reverse", points: -10 }],
    ["no idempotency key", { idempotencyKey: "" }],
    ["no reason", { reason: "" }],
    ["an unknown bucket", { bucket: "gold" as never }],
    ["an unknown kind", { kind: "gift" as never }],
    ["unsafe integers", { points: 2 ** 60 }],
  ])("rejects %s", (_, change) => {
    expect(() => validateEntry({ ...base, ...change })).toThrow(LedgerRuleError);
  });
  it("accepts a reversal that names its entry", () => expect(() => validateEntry({ ...base, kind: "reverse", points: -10, reversesId: 3 })).not.toThrow());
});

describe("keys come from business facts", () => {
  it("is stable per order and refund", () => {
    expect(keys.orderEarn("gid://shopify/Order/1")).toBe("earn:order:gid://shopify/Order/1");
    expect(keys.refund("gid://shopify/Refund/9")).toBe("reverse:refund:gid://shopify/Refund/9");
  });
});

describe("mismatches", () => {
  it("finds members whose stored balance differs from their entries", () => {
    const ok = { memberId: 1, storedAvailable: 5, storedPending: 0, sumAvailable: 5, sumPending: 0 };
    const bad = { memberId: 2, storedAvailable: 5, storedPending: 1, sumAvailable: 5, sumPending: 0 };
    expect(mismatches([ok, bad])).toEqual([bad]);
  });
});

describe("parseShopifyJson keeps 64-bit ids exact", () => {
  it("quotes long integers outside strings only", () => {
    const raw = '{"id":115310627314723954,"n":12,"s":"115310627314723954","f":1.5,"neg":-1234567890123456789,"arr":[9007199254740993]}';
    expect(parseShopifyJson(raw)).toEqual({ id: "115310627314723954", n: 12, s: "115310627314723954", f: 1.5, neg: "-1234567890123456789", arr: ["9007199254740993"] });
  });
  it("handles escaped quotes inside strings", () => {
    expect(quoteLargeIntegers('{"a":"x\\"1234567890123456789","b":1234567890123456789}')).toBe('{"a":"x\\"1234567890123456789","b":"1234567890123456789"}');
  });
  it("leaves ordinary payloads untouched", () => {
    const raw = '{"id":820982,"price":"199.00"}';
    expect(quoteLargeIntegers(raw)).toBe(raw);
  });
});
