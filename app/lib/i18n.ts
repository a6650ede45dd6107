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
