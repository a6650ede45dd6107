// The admin's language in a page component: the locale the app route's loader chose.
import { useRouteLoaderData } from "@remix-run/react";
import { translate, type Locale, type MessageKey } from "./i18n";

export function useT() {
  const locale = (useRouteLoaderData("routes/app") as { locale?: Locale } | undefined)?.locale ?? "en";
  const number = new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US");
  const dateTime = new Intl.DateTimeFormat(locale === "de" ? "de-DE" : "en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  return {
    locale,
    t: (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars),
    n: (v: number) => number.format(v),
    /** ISO → the admin's date and time (UTC, so the server and the browser render the same text) */
    when: (iso: string | null) => (iso ? `${dateTime.format(new Date(iso))} UTC` : "—"),
  };
}
