// Notices to members: the built-in texts per kind and language, rendering a template with
// {{variables}} (plain text in, text and HTML out), the variables of a stored notice, quiet hours
// in the shop's timezone and which kinds need marketing consent. Pure: no storage, no mail.
import { localParts } from "./campaigns";
import { zonedInstant } from "./periods";
import { NOTICE_KINDS, type MessagingSettings, type NoticeKind } from "./program";

export type Lang = "en" | "de";
export interface Template {
  subject: string;
  body: string;
}

/** Kinds a member asked for with their purchase or that tell about their own points, tier or codes
 *  are transactional; the rest is marketing and needs email marketing consent (decision 0015). */
const MARKETING: ReadonlySet<NoticeKind> = new Set<NoticeKind>(["welcome", "points_earned"]);
export function needsMarketingConsent(kind: NoticeKind): boolean {
  return MARKETING.has(kind);
}

export function isNoticeKind(kind: string): kind is NoticeKind {
  return (NOTICE_KINDS as readonly string[]).includes(kind);
}

/** The variables a merchant can use, per kind (all kinds also get firstName, shopName, balance). */
export const COMMON_VARIABLES = ["firstName", "shopName", "balance"] as const;
export const KIND_VARIABLES: Record<NoticeKind, readonly string[]> = {
  welcome: ["points"],
  points_earned: ["points", "status"],
  reward_redeemed: ["reward", "code", "points"],
  code_expiring: ["code", "date"],
  points_expiring: ["points", "date", "days"],
  points_expired: ["points", "date"],
  tier_up: ["tier", "previousTier", "points"],
  tier_down: ["tier", "previousTier"],
  tier_grace: ["tier", "date"],
  referral_completed: ["points", "friend"],
  friend_reward_ready: ["code", "reward"],
};

export const DEFAULT_TEMPLATES: Record<NoticeKind, Record<Lang, Template>> = {
  welcome: {
    en: { subject: "Welcome to {{shopName}} rewards", body: "Hi {{firstName}},\n\nwelcome to our rewards program. You have {{balance}} points.\n\n{{shopName}}" },
    de: { subject: "Willkommen im Treueprogramm von {{shopName}}", body: "Hallo {{firstName}},\n\nwillkommen in unserem Treueprogramm. Du hast {{balance}} Punkte.\n\n{{shopName}}" },
  },
  points_earned: {
    en: { subject: "You earned {{points}} points", body: "Hi {{firstName}},\n\nyou earned {{points}} points ({{status}}). Your balance: {{balance}} points.\n\n{{shopName}}" },
    de: { subject: "Du hast {{points}} Punkte gesammelt", body: "Hallo {{firstName}},\n\ndu hast {{points}} Punkte gesammelt ({{status}}). Dein Guthaben: {{balance}} Punkte.\n\n{{shopName}}" },
  },
  reward_redeemed: {
    en: { subject: "Your reward: {{reward}}", body: "Hi {{firstName}},\n\nyou redeemed {{points}} points for {{reward}}. Your code: {{code}}\n\n{{shopName}}" },
    de: { subject: "Deine Prämie: {{reward}}", body: "Hallo {{firstName}},\n\ndu hast {{points}} Punkte für {{reward}} eingelöst. Dein Code: {{code}}\n\n{{shopName}}" },
  },
  code_expiring: {
    en: { subject: "Your code {{code}} expires soon", body: "Hi {{firstName}},\n\nyour code {{code}} expires on {{date}}.\n\n{{shopName}}" },
    de: { subject: "Dein Code {{code}} läuft bald ab", body: "Hallo {{firstName}},\n\ndein Code {{code}} läuft am {{date}} ab.\n\n{{shopName}}" },
  },
  points_expiring: {
    en: { subject: "{{points}} points expire on {{date}}", body: "Hi {{firstName}},\n\n{{points}} of your points expire on {{date}} (in {{days}} days). Use them before then.\n\n{{shopName}}" },
    de: { subject: "{{points}} Punkte verfallen am {{date}}", body: "Hallo {{firstName}},\n\n{{points}} deiner Punkte verfallen am {{date}} (in {{days}} Tagen). Löse sie vorher ein.\n\n{{shopName}}" },
  },
  points_expired: {
    en: { subject: "{{points}} points expired", body: "Hi {{firstName}},\n\n{{points}} points expired on {{date}}. Your balance: {{balance}} points.\n\n{{shopName}}" },
    de: { subject: "{{points}} Punkte sind verfallen", body: "Hallo {{firstName}},\n\n{{points}} Punkte sind am {{date}} verfallen. Dein Guthaben: {{balance}} Punkte.\n\n{{shopName}}" },
  },
  tier_up: {
    en: { subject: "You reached {{tier}}", body: "Hi {{firstName}},\n\ncongratulations: you are now {{tier}}.\n\n{{shopName}}" },
    de: { subject: "Du hast {{tier}} erreicht", body: "Hallo {{firstName}},\n\nherzlichen Glückwunsch: du bist jetzt {{tier}}.\n\n{{shopName}}" },
  },
  tier_down: {
    en: { subject: "Your tier is now {{tier}}", body: "Hi {{firstName}},\n\nyour tier changed from {{previousTier}} to {{tier}}.\n\n{{shopName}}" },
    de: { subject: "Deine Stufe ist jetzt {{tier}}", body: "Hallo {{firstName}},\n\ndeine Stufe hat sich von {{previousTier}} zu {{tier}} geändert.\n\n{{shopName}}" },
  },
  tier_grace: {
    en: { subject: "Keep {{tier}} until {{date}}", body: "Hi {{firstName}},\n\nyou keep {{tier}} until {{date}}. Order again to stay.\n\n{{shopName}}" },
    de: { subject: "{{tier}} bleibt dir bis {{date}}", body: "Hallo {{firstName}},\n\ndu behältst {{tier}} bis {{date}}. Bestelle wieder, um sie zu halten.\n\n{{shopName}}" },
  },
  referral_completed: {
    en: { subject: "Your friend ordered: {{points}} points for you", body: "Hi {{firstName}},\n\nyour friend {{friend}} ordered. You earned {{points}} points.\n\n{{shopName}}" },
    de: { subject: "Dein Freund hat bestellt: {{points}} Punkte für dich", body: "Hallo {{firstName}},\n\n{{friend}} hat über deine Empfehlung bestellt. Du erhältst {{points}} Punkte.\n\n{{shopName}}" },
  },
  friend_reward_ready: {
    en: { subject: "Your welcome gift: {{reward}}", body: "Hi,\n\nyour code {{code}} is ready: {{reward}}.\n\n{{shopName}}" },
    de: { subject: "Dein Willkommensgeschenk: {{reward}}", body: "Hallo,\n\ndein Code {{code}} ist bereit: {{reward}}.\n\n{{shopName}}" },
  },
};

/** The template in use: the merchant's, else the built-in one. */
export function templateFor(settings: MessagingSettings, kind: NoticeKind, lang: Lang): Template {
  return settings.templates[kind]?.[lang] ?? DEFAULT_TEMPLATES[kind][lang];
}

export type Vars = Record<string, string | number | null | undefined>;

export interface Rendered {
  subject: string;
  text: string;
  html: string;
  /** variables used but not given (preview: shown as [missing: name]; sent mail: left empty) */
  missing: string[];
  /** {{ … }} that is not a variable name */
  invalid: string[];
}

const VAR_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function fill(src: string, vars: Vars, mode: "preview" | "send", missing: Set<string>, invalid: Set<string>, encode: (s: string) => string): string {
  let out = "";
  let last = 0;
  for (const m of src.matchAll(VAR_RE)) {
    out += encode(src.slice(last, m.index));
    last = m.index + m[0].length;
    const name = m[1];
    if (!NAME_RE.test(name)) {
      invalid.add(m[0]);
      out += mode === "preview" ? encode(`[invalid: ${m[0]}]`) : "";
      continue;
    }
    const v = vars[name];
    if (v === undefined || v === null || v === "") {
      missing.add(name);
      out += mode === "preview" ? encode(`[missing: ${name}]`) : "";
      continue;
    }
    out += encode(String(v));
  }
  return out + encode(src.slice(last));
}

/** Renders a template: the subject on one line, the body as text and as HTML (paragraphs from
 *  blank lines, every character of the text and the values escaped). */
export function renderTemplate(t: Template, vars: Vars, mode: "preview" | "send"): Rendered {
  const missing = new Set<string>();
  const invalid = new Set<string>();
  const subject = fill(t.subject, vars, mode, missing, invalid, (s) => s).replace(/[\r\n]+/g, " ").trim();
  const text = fill(t.body.replace(/\r\n/g, "\n"), vars, mode, missing, invalid, (s) => s);
  const html = text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
  return { subject, text, html, missing: [...missing], invalid: [...invalid] };
}

/** Variables a template uses that its kind doesn't offer (the editor's field error). */
export function unknownVariables(t: Template, kind: NoticeKind): string[] {
  const known = new Set<string>([...COMMON_VARIABLES, ...KIND_VARIABLES[kind]]);
  const out = new Set<string>();
  for (const m of `${t.subject}\n${t.body}`.matchAll(VAR_RE)) if (!known.has(m[1])) out.add(m[1]);
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Variables of a stored notice

export interface NoticeMember {
  firstName: string | null;
  balance: number;
}

type Named = { en?: string; de?: string } | string | null | undefined;
function nameIn(n: Named, lang: Lang): string | null {
  if (!n) return null;
  if (typeof n === "string") return n;
  return n[lang] ?? n.en ?? null;
}

/** A date "YYYY-MM-DD" or ISO instant in the member's language (15.03.2026 / Mar 15, 2026). */
export function formatDate(value: unknown, lang: Lang, timeZone: string): string | null {
  if (typeof value !== "string" || !value) return null;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T12:00:00Z`) : Date.parse(value);
  if (Number.isNaN(ms)) return null;
  const tz = /^\d{4}-\d{2}-\d{2}$/.test(value) ? "UTC" : timeZone;
  return new Intl.DateTimeFormat(lang === "de" ? "de-DE" : "en-US", { year: "numeric", month: lang === "de" ? "2-digit" : "short", day: "2-digit", timeZone: tz }).format(ms);
}

const num = (v: unknown, lang: Lang) => (typeof v === "number" ? v.toLocaleString(lang === "de" ? "de-DE" : "en-US") : null);

export function noticeVariables(kind: NoticeKind, payload: Record<string, unknown>, member: NoticeMember, shopName: string, lang: Lang, timeZone: string): Vars {
  const base: Vars = { firstName: member.firstName ?? "", shopName, balance: num(member.balance, lang) };
  const p = payload;
  switch (kind) {
    case "tier_up":
    case "tier_down":
      return { ...base, tier: nameIn(p.toName as Named, lang) ?? (p.to as string | null), previousTier: nameIn(p.fromName as Named, lang) ?? (p.from as string | null), points: num(p.entryRewardPoints, lang) };
    case "tier_grace":
      return { ...base, tier: nameIn(p.name as Named, lang) ?? (p.tier as string | null), date: formatDate(p.until, lang, timeZone) };
    case "points_expiring":
      return { ...base, points: num(p.points, lang), date: formatDate(p.on, lang, timeZone), days: num(p.daysBefore, lang) };
    case "points_expired":
      return { ...base, points: num(p.points, lang), date: formatDate(p.on, lang, timeZone) };
    case "points_earned":
      return { ...base, points: num(p.points, lang), status: p.bucket === "pending" ? (lang === "de" ? "vorgemerkt" : "pending") : lang === "de" ? "verfügbar" : "available" };
    case "reward_redeemed":
      return { ...base, reward: nameIn(p.reward as Named, lang), code: p.code as string | null, points: num(p.points, lang) };
    case "code_expiring":
      return { ...base, code: p.code as string | null, date: formatDate(p.until, lang, timeZone) };
    case "referral_completed":
      return { ...base, points: num(p.points, lang), friend: (p.friend as string | null) ?? (lang === "de" ? "Dein Freund" : "Your friend") };
    case "friend_reward_ready":
      return { ...base, code: p.code as string | null, reward: nameIn(p.reward as Named, lang) };
    case "welcome":
      return { ...base, points: num(p.points, lang) };
  }
}

/** Sample variables for the editor's preview. */
export function sampleVariables(kind: NoticeKind, shopName: string, lang: Lang): Vars {
  const sample: Record<string, unknown> = {
    from: "silver", to: "gold", fromName: { en: "Silver", de: "Silber" }, toName: { en: "Gold", de: "Gold" }, name: { en: "Gold", de: "Gold" },
    entryRewardPoints: 100, until: "2026-12-31T12:00:00Z", on: "2026-12-31", points: 250, daysBefore: 30, bucket: "available",
    reward: { en: "€5 off", de: "5 € Rabatt" }, code: "SK-7Q2M-XA", friend: "Alex",
  };
  return noticeVariables(kind, sample, { firstName: lang === "de" ? "Jana" : "Jane", balance: 1200 }, shopName, lang, "UTC");
}

// ---------------------------------------------------------------------------------------------
// Quiet hours

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The first instant at or after `at` outside the quiet hours, in the shop's timezone. Start after
 * end spans midnight (22:00–08:00); start equal to end means no quiet hours. The end is a wall-clock
 * time on the right local day, so a DST change in the night moves the instant, not the time.
 */
export function nextSendTime(at: number, quiet: MessagingSettings["quietHours"], timeZone: string): number {
  if (!quiet.enabled) return at;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return at;
  const p = localParts(new Date(at), timeZone);
  const m = p.hour * 60 + p.minute;
  const overnight = start > end;
  const inQuiet = overnight ? m >= start || m < end : m >= start && m < end;
  if (!inQuiet) return at;
  // the end falls on the next local day when we are in the evening part of an overnight window
  let { year, month, day } = p;
  if (overnight && m >= start) {
    const next = new Date(Date.UTC(year, month - 1, day + 1));
    year = next.getUTCFullYear();
    month = next.getUTCMonth() + 1;
    day = next.getUTCDate();
  }
  return zonedInstant(year, month, day, Math.floor(end / 60), end % 60, timeZone);
}

/** Retry delay after a failed send: 1, 2, 4 … minutes, at most 6 hours. */
export function sendBackoffMs(attempts: number): number {
  return Math.min(6 * 3_600_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}
export const MAX_SEND_ATTEMPTS = 8;
