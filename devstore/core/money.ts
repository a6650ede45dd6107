/**
 * Money is kept in integer minor units (cents) everywhere; strings are made only at the edge.
 * Shopify formats REST webhook money as fixed-decimal strings ("12.30") and GraphQL Decimal
 * without trailing zeros but with at least one decimal ("12.3", "10.0").
 */
const ZERO_DECIMAL = new Set(["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "RWF"]);

export function currencyDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency) ? 0 : 2;
}

/** "12.30" for 1230 EUR; "1230" for 1230 JPY. */
export function toFixedString(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = minor < 0;
  const abs = Math.abs(Math.round(minor));
  if (digits === 0) return `${negative ? "-" : ""}${abs}`;
  const base = 10 ** digits;
  const whole = Math.floor(abs / base);
  const frac = String(abs % base).padStart(digits, "0");
  return `${negative ? "-" : ""}${whole}.${frac}`;
}

/** "12.3" for 1230 EUR, "10.0" for 1000 EUR: the GraphQL Decimal rendering. */
export function toDecimalString(minor: number, currency: string): string {
  const fixed = toFixedString(minor, currency);
  if (!fixed.includes(".")) return `${fixed}.0`;
  const trimmed = fixed.replace(/0+$/, "");
  return trimmed.endsWith(".") ? `${trimmed}0` : trimmed;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

export function isDecimalString(value: string): boolean {
  return DECIMAL.test(value.trim());
}

/**
 * Parses a decimal amount into minor units; more precision than the currency has is rounded
 * half away from zero. Throws on anything that is not a plain decimal number.
 */
export function parseMinor(value: string | number, currency: string): number {
  const text = typeof value === "number" ? String(value) : value.trim();
  if (!DECIMAL.test(text)) throw new Error(`not a decimal amount: ${JSON.stringify(value)}`);
  const digits = currencyDigits(currency);
  const negative = text.startsWith("-");
  const [whole, frac = ""] = text.replace(/^-/, "").split(".");
  const padded = (frac + "0".repeat(digits + 1)).slice(0, digits + 1);
  let minor = Number(whole) * 10 ** digits + Number(padded.slice(0, digits) || "0");
  if (Number(padded.slice(digits, digits + 1)) >= 5) minor += 1;
  return negative ? -minor : minor;
}

/** Splits `total` over `weights` proportionally, exactly (largest remainder), never losing a cent. */
export function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0 || total === 0) return weights.map(() => 0);
  const raw = weights.map((w) => (total * w) / sum);
  const floors = raw.map((r) => Math.floor(r));
  let rest = total - floors.reduce((a, b) => a + b, 0);
  const order = raw
    .map((r, i) => ({ i, frac: r - Math.floor(r) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (rest <= 0) break;
    floors[i]! += 1;
    rest -= 1;
  }
  return floors;
}

/** Rounds a non-integer minor amount half away from zero. */
export function roundMinor(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}
