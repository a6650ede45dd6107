import { describe, expect, it } from "vitest";
import { applyNegativeBalancePolicy, ClawbackInputError } from "~/domain/clawback";

describe("applyNegativeBalancePolicy", () => {
  it.each<[number, number, "allow" | "floor", { debit: number; shortfall: number }]>([
    [50, 80, "allow", { debit: 80, shortfall: 0 }],
    [-10, 20, "allow", { debit: 20, shortfall: 0 }],
    [50, 80, "floor", { debit: 50, shortfall: 30 }],
    [100, 80, "floor", { debit: 80, shortfall: 0 }],
    [80, 80, "floor", { debit: 80, shortfall: 0 }],
    [0, 25, "floor", { debit: 0, shortfall: 25 }],
    [-10, 20, "floor", { debit: 0, shortfall: 20 }],
    [0, 0, "floor", { debit: 0, shortfall: 0 }],
  ])("balance %i, debit %i, %s → %j", (balance, debit, policy, expected) => {
    expect(applyNegativeBalancePolicy(balance, debit, policy)).toEqual(expected);
  });

  it("refuses a negative or fractional debit", () => {
    expect(() => applyNegativeBalancePolicy(10, -1, "floor")).toThrow(ClawbackInputError);
    expect(() => applyNegativeBalancePolicy(10.5, 1, "floor")).toThrow(ClawbackInputError);
  });
});
