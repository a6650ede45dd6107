// Merchant-admin texts from app/locales. English is the fallback; German is complete (a test
// fails on a missing key).
import de from "~/locales/de.json";
import en from "~/locales/en.json";

export type MessageKey = keyof typeof en;
export const LOCALES = { en, de } as const;
export type Locale = keyof typeof LOCALES;

/** "de-DE", "de", "de_AT" → "de"; anything unknown → "en". */
export function pickLocale(raw: string | null | undefined): Locale {
  const base = (raw ?? "").toLowerCase().split(/[-_]/)[0];
  return base in LOCALES ? (base as Locale) : "en";
}

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const table: Record<string, string> = LOCALES[locale];
  const template = table[key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/**
 * A field error from the domain (an `errors.*` key with its parameters, app/domain/errors.ts) in
 * the merchant's language. Anything else (free text, e.g. Shopify's own message) is kept as it is.
 */
export function localizeFieldError(locale: Locale, message: string): string {
  const m = /^(errors\.[\w.]+)(\{.*\})?$/s.exec(message);
  if (!m || !(m[1]! in en)) return message;
  let vars: Record<string, string | number> = {};
  try {
    if (m[2]) vars = JSON.parse(m[2]) as Record<string, string | number>;
  } catch {
    return message;
  }
  // a parameter may itself be a field error ("{path}: {message}")
  const localized = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === "string" ? localizeFieldError(locale, v) : v]));
  return translate(locale, m[1] as MessageKey, localized);
}

/** The per-field map an action answers with (422), in the merchant's language; the shape stays field → message. */
export function localizeFieldErrors(locale: Locale, errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, localizeFieldError(locale, message)]));
}

/** The locale an admin request asks for (`?locale=` as Shopify passes it, kept by the page's forms). */
export const requestLocale = (request: Request): Locale => pickLocale(new URL(request.url).searchParams.get("locale"));
