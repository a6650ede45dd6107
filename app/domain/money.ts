// Money as integer minor units, parsed from Shopify's decimal strings without floating point.

// ISO 4217 minor-unit exponents that differ from 2 (the currencies Shopify supports).
const EXPONENTS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0, BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

export class MoneyFormatError extends Error {}

/** "12.5" in EUR → 1250. Extra digits beyond the currency's exponent are truncated toward zero. */
export function toMinorUnits(amount: string | number, currency: string): number {
  const text = typeof amount === "number" ? amount.toString() : amount.trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new MoneyFormatError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const exp = currencyExponent(currency);
  const frac = (m[3] ?? "").padEnd(exp, "0").slice(0, exp);
  const value = Number(m[2]) * 10 ** exp + (frac ? Number(frac) : 0);
  if (!Number.isSafeInteger(value)) throw new MoneyFormatError(`Amount out of range: ${text}`);
  return m[1] === "-" ? -value : value;
}

export function formatMinor(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  if (exp === 0) return `${sign}${abs}`;
  const s = abs.toString().padStart(exp + 1, "0");
  return `${sign}${s.slice(0, -exp)}.${s.slice(-exp)}`;
}
