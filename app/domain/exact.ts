// Exact arithmetic for points: non-negative-denominator rationals over BigInt, the merchant's
// rounding modes, and the largest-remainder split. Money and points never pass through floating
// point; configured factors (2, 1.5, 1.25) are read as decimals with at most 4 places.

export type Rounding = "down" | "nearest" | "up";

/** n / d with d > 0, always reduced. */
export interface Ratio {
  readonly n: bigint;
  readonly d: bigint;
}

const abs = (x: bigint) => (x < 0n ? -x : x);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

export function ratio(n: bigint | number, d: bigint | number = 1n): Ratio {
  let nn = typeof n === "bigint" ? n : integerToBig(n);
  let dd = typeof d === "bigint" ? d : integerToBig(d);
  if (dd === 0n) throw new RangeError("division by zero");
  if (dd < 0n) {
    nn = -nn;
    dd = -dd;
  }
  const g = gcd(nn, dd) || 1n;
  return { n: nn / g, d: dd / g };
}

function integerToBig(x: number): bigint {
  if (!Number.isSafeInteger(x)) throw new RangeError(`not a safe integer: ${x}`);
  return BigInt(x);
}

export const ZERO = ratio(0);
export const ONE = ratio(1);

export const add = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.n, a.d * b.d);
export const div = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.d, a.d * b.n);
export const cmp = (a: Ratio, b: Ratio): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
export const sum = (xs: Ratio[]): Ratio => xs.reduce(add, ZERO);

/**
 * A configured decimal (2, 1.5, 1.125) as an exact ratio over 10^places. Throws when the number
 * has more decimal places than allowed, so 1.1 means exactly 11/10 and never 1.100000000000000088.
 */
export function fromDecimal(x: number, places = 4): Ratio {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const scale = 10 ** places;
  const scaled = Math.round(x * scale);
  if (Math.abs(scaled - x * scale) > 1e-6 * Math.max(1, Math.abs(x))) {
    throw new RangeError(`${x} has more than ${places} decimal places`);
  }
  return ratio(BigInt(scaled), BigInt(scale));
}

export function hasAtMostDecimals(x: number, places: number): boolean {
  try {
    fromDecimal(x, places);
    return true;
  } catch {
    return false;
  }
}

/** floor for negative numbers too (BigInt division truncates toward zero). */
function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/**
 * "down" = floor (never more points than earned), "up" = ceiling, "nearest" = half up (a tie
 * goes to the customer). Applied to a signed value the same way, so "down" always gives fewer.
 */
export function round(r: Ratio, mode: Rounding): bigint {
  switch (mode) {
    case "down":
      return floorDiv(r.n, r.d);
    case "up":
      return -floorDiv(-r.n, r.d);
    case "nearest":
      return floorDiv(2n * r.n + r.d, 2n * r.d);
  }
}

export function toSafeNumber(x: bigint): number {
  const n = Number(x);
  if (!Number.isSafeInteger(n)) throw new RangeError(`points out of range: ${x}`);
  return n;
}

export function roundToNumber(r: Ratio, mode: Rounding): number {
  return toSafeNumber(round(r, mode));
}

/** For display: a ratio as a decimal string with up to `places` places ("12.5", "3"). */
export function ratioToDecimal(r: Ratio, places = 4): string {
  const scaled = round(mul(r, ratio(10n ** BigInt(places))), "nearest");
  const neg = scaled < 0n;
  const digits = abs(scaled).toString().padStart(places + 1, "0");
  const int = digits.slice(0, -places);
  const frac = digits.slice(-places).replace(/0+$/, "");
  return `${neg ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
}

/**
 * Splits a non-negative integer total over keys in proportion to their weights, exactly:
 * each key gets the floor of its quota, and the units left over go to the largest remainders
 * (ties: larger weight, then earlier key). The parts always sum to the total. Negative weights
 * count as 0; when every weight is 0 the total is split evenly.
 */
export function allocate(total: number, weights: ReadonlyArray<readonly [string, Ratio | number]>): Record<string, number> {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`cannot allocate ${total}`);
  const out: Record<string, number> = {};
  if (weights.length === 0) {
    if (total !== 0) throw new RangeError(`cannot allocate ${total} points to no lines`);
    return out;
  }
  const rs = weights.map(([, w]) => {
    const r = typeof w === "number" ? ratio(w) : w;
    return r.n < 0n ? ZERO : r;
  });
  let lcm = 1n;
  for (const r of rs) lcm = (lcm / gcd(lcm, r.d)) * r.d;
  let ints = rs.map((r) => r.n * (lcm / r.d));
  if (ints.every((w) => w === 0n)) ints = ints.map(() => 1n);
  const totalWeight = ints.reduce((a, b) => a + b, 0n);
  const t = BigInt(total);
  const parts = ints.map((w, i) => ({ i, w, floor: (t * w) / totalWeight, rem: (t * w) % totalWeight }));
  let left = t - parts.reduce((a, p) => a + p.floor, 0n);
  const order = [...parts].sort((a, b) => (a.rem !== b.rem ? (b.rem > a.rem ? 1 : -1) : a.w !== b.w ? (b.w > a.w ? 1 : -1) : a.i - b.i));
  for (const p of order) {
    if (left === 0n) break;
    p.floor += 1n;
    left -= 1n;
  }
  for (const p of parts) out[weights[p.i][0]] = toSafeNumber(p.floor);
  return out;
}
