import { describe, expect, it } from "vitest";
import { allocate, fromDecimal, ratio, ratioToDecimal, round, type Rounding } from "~/domain/exact";

describe("round", () => {
  it.each<[number, number, Rounding, bigint]>([
    [7, 2, "down", 3n],
    [7, 2, "nearest", 4n],
    [7, 2, "up", 4n],
    [5, 3, "nearest", 2n],
    [4, 3, "nearest", 1n],
    [6, 3, "up", 2n],
    [-7, 2, "down", -4n],
    [-7, 2, "nearest", -3n],
    [-7, 2, "up", -3n],
    [0, 5, "up", 0n],
  ])("%i/%i %s → %s", (n, d, mode, expected) => {
    expect(round(ratio(n, d), mode)).toBe(expected);
  });
});

describe("fromDecimal", () => {
  it.each<[number, [number, number]]>([
    [2, [2, 1]],
    [1.5, [3, 2]],
    [1.1, [11, 10]],
    [0.0001, [1, 10000]],
    [1.3333, [13333, 10000]],
  ])("%s → %j", (x, [n, d]) => {
    expect(fromDecimal(x)).toEqual(ratio(n, d));
  });

  it.each([1.00001, Number.NaN, Number.POSITIVE_INFINITY])("refuses %s", (x) => {
    expect(() => fromDecimal(x)).toThrow(RangeError);
  });

  it("prints ratios as decimals", () => {
    expect([ratioToDecimal(ratio(1, 3), 2), ratioToDecimal(ratio(5, 2)), ratioToDecimal(ratio(-1, 4)), ratioToDecimal(ratio(7))]).toEqual(["0.33", "2.5", "-0.25", "7"]);
  });
});

describe("allocate", () => {
  it.each<[string, number, Array<[string, number]>, Record<string, number>]>([
    ["in proportion", 100, [["a", 60], ["b", 40]], { a: 60, b: 40 }],
    ["the leftover to the largest remainder", 10, [["a", 1], ["b", 1], ["c", 1]], { a: 4, b: 3, c: 3 }],
    ["remainder ties go to the larger weight", 1, [["a", 1], ["b", 3]], { a: 0, b: 1 }],
    ["all-zero weights split evenly", 5, [["a", 0], ["b", 0]], { a: 3, b: 2 }],
    ["negative weights count as 0", 5, [["a", -10], ["b", 1]], { a: 0, b: 5 }],
    ["nothing to split", 0, [["a", 1], ["b", 2]], { a: 0, b: 0 }],
  ])("%s", (_what, total, weights, expected) => {
    expect(allocate(total, weights)).toEqual(expected);
  });

  it("takes exact fractional weights", () => {
    expect(allocate(3, [["a", ratio(1, 3)], ["b", ratio(1, 3)], ["c", ratio(1, 3)]])).toEqual({ a: 1, b: 1, c: 1 });
    expect(allocate(2, [["a", ratio(1, 3)], ["b", ratio(2, 3)]])).toEqual({ a: 1, b: 1 });
  });

  it("refuses a negative total or points for no lines", () => {
    expect(() => allocate(-1, [["a", 1]])).toThrow(RangeError);
    expect(() => allocate(1, [])).toThrow(RangeError);
  });
});
