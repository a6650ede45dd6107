// Renders the engine's explanation lines for people, in English or German, with money formatted
// by Intl.NumberFormat for the locale (German: "10,00 €" with a no-break space, as Intl writes it).
import { currencyExponent, formatMinor } from "./money";
import type { ExclusionReason } from "./order-facts";
import type { Program, ProgramLocale } from "./program";
import type { ExplanationLine, PurchaseEarn, SkipReason } from "./purchase-earn";

const MINUS = "\u2212";

interface Words {
  pts: (n: number) => string;
  per: string;
  on: string;
  excluded: string;
  reasons: Record<ExclusionReason, string>;
  selected: string;
  budget: string;
  tier: string;
  total: string;
  from: string;
  skipped: (reason: SkipReason, amount: string, minimum: string) => string;
}

const WORDS: Record<ProgramLocale, Words> = {
  en: {
    pts: (n) => (Math.abs(n) === 1 ? "pt" : "pts"),
    per: "per",
    on: "on",
    excluded: "excluded",
    reasons: { "gift-card": "gift card", tip: "tip", "excluded-product": "excluded product", "excluded-collection": "excluded collection" },
    selected: "on selected products",
    budget: "budget reached",
    tier: "tier bonus",
    total: "Total",
    from: "from",
    skipped: (reason, amount, minimum) =>
      `No points: ${
        {
          "program-disabled": "the loyalty program is paused",
          "purchase-disabled": "purchases don't earn points",
          guest: "guest orders don't earn points",
          "nothing-eligible": "nothing in this order earns points",
          "below-minimum": `${amount} is below the minimum order of ${minimum}`,
        }[reason]
      }`,
  },
  de: {
    pts: () => "P.",
    per: "pro",
    on: "auf",
    excluded: "ausgeschlossen",
    reasons: { "gift-card": "Geschenkgutschein", tip: "Trinkgeld", "excluded-product": "ausgeschlossenes Produkt", "excluded-collection": "ausgeschlossene Kollektion" },
    selected: "auf ausgewählte Produkte",
    budget: "Budget erschöpft",
    tier: "Stufenbonus",
    total: "Gesamt",
    from: "ab",
    skipped: (reason, amount, minimum) =>
      `Keine Punkte: ${
        {
          "program-disabled": "das Treueprogramm ist pausiert",
          "purchase-disabled": "Einkäufe sammeln keine Punkte",
          guest: "Gastbestellungen sammeln keine Punkte",
          "nothing-eligible": "nichts in dieser Bestellung sammelt Punkte",
          "below-minimum": `${amount} liegt unter dem Mindestbestellwert von ${minimum}`,
        }[reason]
      }`,
  },
};

/** Formatters for one locale and currency. */
const formatterCache = new Map<string, ReturnType<typeof makeFormatters>>();

/** Formatters for a locale and currency; built once each (Intl formatters are costly to make). */
export function formatters(locale: ProgramLocale, currency: string) {
  const key = `${locale}:${currency}`;
  let f = formatterCache.get(key);
  if (!f) {
    f = makeFormatters(locale, currency);
    formatterCache.set(key, f);
  }
  return f;
}

function makeFormatters(locale: ProgramLocale, currency: string) {
  const exp = currencyExponent(currency);
  const moneyFmt = new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: exp, maximumFractionDigits: exp });
  const unitFmt = new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: 0, maximumFractionDigits: 0 });
  const numberFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 4 });
  const w = WORDS[locale];
  const number = (n: number) => numberFmt.format(n);
  return {
    /** 1000 minor units of EUR → "€10.00" / "10,00 €"; exact, from the decimal string */
    money: (minor: number) => {
      const text = moneyFmt.format(formatMinor(Math.abs(minor), currency) as `${number}`);
      return minor < 0 ? `${MINUS}${text}` : text;
    },
    /** "€1" / "1 €" */
    unit: unitFmt.format(1),
    number,
    points: (n: number) => `${n < 0 ? MINUS : ""}${number(Math.abs(n))} ${w.pts(n)}`,
    signedPoints: (n: number) => `${n < 0 ? MINUS : "+"}${number(Math.abs(n))} ${w.pts(n)}`,
  };
}

/**
 * The purchase calculation as lines a merchant or customer can read:
 *   "10 pts: 1 pt per €1 on €10.00", "−€5.00 excluded: gift card", "×2: Monday campaign (+10 pts)",
 *   "Total: 20 pts" — or in German "10 P.: 1 P. pro 1 € auf 10,00 €" …
 */
export function explainPurchase(earn: PurchaseEarn, program: Program, locale: ProgramLocale, currency: string): string[] {
  const w = WORDS[locale];
  const f = formatters(locale, currency);
  const names = new Map(program.campaigns.map((c) => [c.id, c.name[locale]]));
  return earn.lines.map((line: ExplanationLine): string => {
    switch (line.kind) {
      case "excluded":
        return `${MINUS}${f.money(line.minor)} ${w.excluded}: ${w.reasons[line.reason]}`;
      case "base":
        return `${f.points(line.points)}: ${f.points(line.pointsPerUnit)} ${w.per} ${f.unit} ${w.on} ${f.money(line.baseMinor)}`;
      case "campaign":
        return campaignText(line, names.get(line.id) ?? line.id, w, f);
      case "tier":
        return `×${f.number(line.multiplier)}: ${w.tier} (${f.signedPoints(line.points)})`;
      case "skipped":
        return w.skipped(line.reason, f.money(line.baseMinor), f.money(line.minimumMinor));
      case "total":
        return `${w.total}: ${f.points(line.points)}`;
    }
  });
}

function campaignText(line: Extract<ExplanationLine, { kind: "campaign" }>, name: string, w: Words, f: ReturnType<typeof formatters>): string {
  const e = line.effect;
  const detail = ` (${f.signedPoints(line.points)}${line.budgetReached ? `, ${w.budget}` : ""})`;
  switch (e.type) {
    case "multiplier":
      return `×${f.number(e.factor)}: ${name}${detail}`;
    case "productBonus":
      return e.multiplier !== undefined
        ? `×${f.number(e.multiplier)} ${w.selected}: ${name}${detail}`
        : `${f.signedPoints(e.pointsPerUnit ?? 0)} ${w.per} ${f.unit} ${w.selected}: ${name}${detail}`;
    // fixed amounts speak for themselves unless a budget cut them
    case "fixed":
      return `${f.signedPoints(e.points)}: ${name}${line.budgetReached ? detail : ""}`;
    case "bigBasket":
      return `${f.signedPoints(e.points)} ${w.from} ${f.money(e.minSubtotalMinor)}: ${name}${line.budgetReached ? detail : ""}`;
  }
}
