import { currencyDigits } from "../core/money.ts";

/**
 * Shopify's money formats: a template with one {{amount…}} placeholder, filled from an amount in
 * minor units (the way the `money` filters receive it).
 */
export interface MoneyFormats {
  money_format: string;
  money_with_currency_format: string;
}

const SYMBOLS: Record<string, string> = { EUR: "€", USD: "$", GBP: "£", JPY: "¥", CAD: "$", AUD: "$", CHF: "CHF ", SEK: "", DKK: "", NOK: "", PLN: "" };
const COMMA_DECIMAL = new Set(["EUR", "SEK", "DKK", "NOK", "PLN"]);

/** Default formats a new Shopify shop gets for its currency. */
export function moneyFormats(currency: string): MoneyFormats {
  const digits = currencyDigits(currency);
  const placeholder = digits === 0 ? "{{amount_no_decimals}}" : COMMA_DECIMAL.has(currency) ? "{{amount_with_comma_separator}}" : "{{amount}}";
  const symbol = SYMBOLS[currency];
  if (symbol === undefined || symbol === "") {
    return { money_format: `${placeholder} ${currency === "SEK" || currency === "DKK" || currency === "NOK" ? "kr" : currency}`, money_with_currency_format: `${placeholder} ${currency}` };
  }
  return { money_format: `${symbol}${placeholder}`, money_with_currency_format: `${symbol}${placeholder} ${currency}` };
}

function group(whole: string, separator: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

function formatNumber(minor: number, decimals: number, thousands: string, decimal: string): string {
  const negative = minor < 0;
  const value = Math.abs(minor) / 100;
  const fixed = value.toFixed(decimals);
  const [whole, frac] = fixed.split(".");
  return `${negative ? "-" : ""}${group(whole!, thousands)}${frac ? decimal + frac : ""}`;
}

/**
 * Liquid money values are in hundredths of the currency unit whatever the currency has (a ¥1,000
 * product has price 100000), so one set of filters serves every shop.
 */
export function liquidCents(minor: number, currency: string): number {
  return minor * 10 ** (2 - currencyDigits(currency));
}

/** Fills a money format with a Liquid money value (hundredths), as Shopify's money filters do. */
export function formatMoney(cents: number, format: string): string {
  return format.replace(/\{\{\s*(\w+)\s*\}\}/, (_all, name: string) => {
    switch (name) {
      case "amount":
        return formatNumber(cents, 2, ",", ".");
      case "amount_no_decimals":
        return formatNumber(cents, 0, ",", ".");
      case "amount_with_comma_separator":
        return formatNumber(cents, 2, ".", ",");
      case "amount_no_decimals_with_comma_separator":
        return formatNumber(cents, 0, ".", ",");
      case "amount_with_apostrophe_separator":
        return formatNumber(cents, 2, "'", ".");
      case "amount_with_space_separator":
        return formatNumber(cents, 2, " ", ",");
      case "amount_no_decimals_with_space_separator":
        return formatNumber(cents, 0, " ", ",");
      case "amount_with_period_and_space_separator":
        return formatNumber(cents, 2, " ", ".");
      default:
        throw new Error(`unknown money format placeholder {{${name}}}`);
    }
  });
}

/** The format without its currency symbol or code: what money_without_currency prints. */
export function numberOnlyFormat(format: string): string {
  const m = /\{\{\s*\w+\s*\}\}/.exec(format);
  return m ? m[0] : "{{amount}}";
}
