// WhatsApp Business (Cloud API), the pure part: phone numbers in Meta's wa_id form, the template
// parameters of a notice, the shape of Meta's inbound webhook, what a member's reply means, and the
// texts of the chatbot's answers in English and German. No storage, no HTTP (decision 0019).
import { z } from "zod";
import type { NoticeKind } from "./program";
import { KIND_VARIABLES, type Lang, type Vars } from "./templates";

/** A phone number as Meta's wa_id: digits only, with the country code, 8–15 digits (E.164). A
 *  leading "+" or "00", spaces, dashes, dots and brackets are dropped; anything else → null. */
export function normalisePhone(raw: string | null | undefined): string | null {
  if (typeof raw !== "string") return null;
  let s = raw.trim();
  if (!/^[+0-9][0-9\s\-().]*$/.test(s)) return null;
  s = s.replace(/[\s\-().]/g, "");
  if (s.startsWith("+")) s = s.slice(1);
  else if (s.startsWith("00")) s = s.slice(2);
  else return null; // a national number: we can't know the country
  return /^[1-9]\d{7,14}$/.test(s) ? s : null;
}

/**
 * The body parameters of a notice's approved template, in order: {{1}} is the first name, then the
 * kind's variables in the order of KIND_VARIABLES (the merchant creates the template in Meta's
 * WhatsApp Manager with exactly these; the admin lists them). Meta refuses empty parameters, so a
 * value that is missing is sent as "-".
 */
export function templateParameterNames(kind: NoticeKind): string[] {
  return ["firstName", ...KIND_VARIABLES[kind]];
}

export function templateParameters(kind: NoticeKind, vars: Vars): Array<{ type: "text"; text: string }> {
  return templateParameterNames(kind).map((name) => {
    const v = vars[name];
    const text = v === undefined || v === null || String(v).trim() === "" ? "-" : String(v).replace(/[\r\n\t]+/g, " ").replace(/ {5,}/g, "    ");
    return { type: "text" as const, text: text.slice(0, 1024) };
  });
}

// ---------------------------------------------------------------------------------------------
// Meta's inbound webhook (object whatsapp_business_account, field messages)

const inboundMessage = z
  .object({
    from: z.string().regex(/^\d{6,20}$/),
    id: z.string().min(1).max(200),
    timestamp: z.string().regex(/^\d+$/),
    type: z.string(),
    text: z.object({ body: z.string() }).passthrough().optional(),
    button: z.object({ payload: z.string().optional(), text: z.string().optional() }).passthrough().optional(),
    interactive: z
      .object({
        type: z.string(),
        button_reply: z.object({ id: z.string(), title: z.string() }).passthrough().optional(),
        list_reply: z.object({ id: z.string(), title: z.string() }).passthrough().optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

const status = z
  .object({
    id: z.string(),
    status: z.string(),
    timestamp: z.string().optional(),
    recipient_id: z.string().optional(),
    errors: z.array(z.object({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional() }).passthrough()).optional(),
  })
  .passthrough();

export const webhookSchema = z
  .object({
    object: z.literal("whatsapp_business_account"),
    entry: z
      .array(
        z
          .object({
            id: z.string(),
            changes: z.array(
              z
                .object({
                  field: z.string(),
                  value: z
                    .object({
                      messaging_product: z.literal("whatsapp").optional(),
                      metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string().min(1) }).passthrough().optional(),
                      contacts: z.array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string().optional() }).passthrough().optional() }).passthrough()).optional(),
                      messages: z.array(inboundMessage).optional(),
                      statuses: z.array(status).optional(),
                    })
                    .passthrough(),
                })
                .passthrough(),
            ),
          })
          .passthrough(),
      )
      .min(1),
  })
  .passthrough();

export type WebhookPayload = z.infer<typeof webhookSchema>;
export type InboundMessage = z.infer<typeof inboundMessage>;
export type StatusUpdate = z.infer<typeof status>;

/** The phone number ids a delivery speaks for (each must belong to a shop whose secret signed it). */
export function phoneNumberIdsOf(body: unknown): string[] {
  const ids = new Set<string>();
  const entries = (body as { entry?: unknown })?.entry;
  if (!Array.isArray(entries)) return [];
  for (const e of entries) {
    const changes = (e as { changes?: unknown })?.changes;
    if (!Array.isArray(changes)) continue;
    for (const c of changes) {
      const id = (c as { value?: { metadata?: { phone_number_id?: unknown } } })?.value?.metadata?.phone_number_id;
      if (typeof id === "string" && id) ids.add(id);
    }
  }
  return [...ids];
}

/** Messages and statuses per phone number id, from the `messages` field only. */
export function eventsOf(payload: WebhookPayload): Array<{ phoneNumberId: string; messages: InboundMessage[]; statuses: StatusUpdate[] }> {
  const out: Array<{ phoneNumberId: string; messages: InboundMessage[]; statuses: StatusUpdate[] }> = [];
  for (const e of payload.entry) {
    for (const c of e.changes) {
      const id = c.value.metadata?.phone_number_id;
      if (c.field !== "messages" || !id) continue;
      out.push({ phoneNumberId: id, messages: c.value.messages ?? [], statuses: c.value.statuses ?? [] });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What a reply means

export type Command =
  | { kind: "points"; lang: Lang | null }
  | { kind: "rewards"; lang: Lang | null }
  | { kind: "redeem"; lang: Lang | null }
  | { kind: "choose"; rewardId: number }
  | { kind: "yes"; lang: Lang | null }
  | { kind: "no"; lang: Lang | null }
  | { kind: "stop"; lang: Lang | null }
  | { kind: "unknown" };

/** Button ids of our own interactive messages. */
export const BUTTON = { points: "sk:points", rewards: "sk:rewards", redeem: "sk:redeem", yes: "sk:yes", no: "sk:no", reward: (id: number) => `sk:reward:${id}` } as const;

const WORDS: Array<[RegExp, Exclude<Command["kind"], "choose" | "unknown">, Lang | null]> = [
  [/^(stop|unsubscribe|opt ?out)$/, "stop", "en"],
  [/^(stopp|abmelden|abbestellen)$/, "stop", "de"],
  [/^(points?|balance|check points)$/, "points", "en"],
  [/^(punkte|punktestand|guthaben|punkte prüfen|punkte anzeigen)$/, "points", "de"],
  [/^(my rewards|rewards|codes)$/, "rewards", "en"],
  [/^(meine prämien|prämien|meine codes)$/, "rewards", "de"],
  [/^(redeem)$/, "redeem", "en"],
  [/^(einlösen)$/, "redeem", "de"],
  [/^(yes|y)$/, "yes", "en"],
  [/^(ja|j)$/, "yes", "de"],
  [/^(no|cancel)$/, "no", "en"],
  [/^(nein|abbrechen)$/, "no", "de"],
];

/** What an inbound message asks for: typed words (en/de, any case, trailing punctuation ignored),
 *  a quick-reply button of a template (its payload or text) or one of our interactive buttons. */
export function commandOf(m: Pick<InboundMessage, "type" | "text" | "button" | "interactive">): Command {
  const id = m.interactive?.button_reply?.id ?? m.interactive?.list_reply?.id ?? m.button?.payload;
  if (id) {
    const reward = /^sk:reward:(\d{1,9})$/.exec(id);
    if (reward) return { kind: "choose", rewardId: Number(reward[1]) };
    const byId: Record<string, Command["kind"]> = { [BUTTON.points]: "points", [BUTTON.rewards]: "rewards", [BUTTON.redeem]: "redeem", [BUTTON.yes]: "yes", [BUTTON.no]: "no" };
    const k = byId[id];
    if (k && k !== "choose" && k !== "unknown") return { kind: k, lang: null };
  }
  const words = m.text?.body ?? m.button?.text ?? m.interactive?.button_reply?.title ?? m.button?.payload ?? "";
  const w = words.trim().toLowerCase().replace(/[.!?\s]+$/g, "").replace(/\s+/g, " ");
  for (const [re, kind, lang] of WORDS) if (re.test(w)) return { kind, lang } as Command;
  return { kind: "unknown" };
}

// ---------------------------------------------------------------------------------------------
// The chatbot's texts (session messages, inside the 24 h window)

const fmt = (n: number, lang: Lang) => n.toLocaleString(lang === "de" ? "de-DE" : "en-US");

export const REPLIES = {
  balance: (lang: Lang, shop: string, available: number, pending: number) =>
    lang === "de"
      ? `Dein Guthaben bei ${shop}: ${fmt(available, lang)} Punkte${pending ? ` (+${fmt(pending, lang)} vorgemerkt)` : ""}.`
      : `Your balance at ${shop}: ${fmt(available, lang)} points${pending ? ` (+${fmt(pending, lang)} pending)` : ""}.`,
  codes: (lang: Lang, codes: string[]) => (codes.length ? (lang === "de" ? `Deine offenen Codes: ${codes.join(", ")}` : `Your open codes: ${codes.join(", ")}`) : lang === "de" ? "Du hast gerade keine offenen Codes." : "You have no open codes right now."),
  choose: (lang: Lang) => (lang === "de" ? "Welche Prämie möchtest du einlösen?" : "Which reward would you like to redeem?"),
  noneAffordable: (lang: Lang, balance: number) => (lang === "de" ? `Mit ${fmt(balance, lang)} Punkten reicht es noch für keine Prämie.` : `With ${fmt(balance, lang)} points no reward is within reach yet.`),
  offer: (lang: Lang, title: string, points: number) =>
    lang === "de" ? `${title} für ${fmt(points, lang)} Punkte einlösen? Antworte JA zum Bestätigen.` : `Redeem ${title} for ${fmt(points, lang)} points? Reply YES to confirm.`,
  issued: (lang: Lang, title: string, code: string) => (lang === "de" ? `Erledigt! Dein Code für ${title}: ${code}` : `Done! Your code for ${title}: ${code}`),
  notIssued: (lang: Lang) => (lang === "de" ? "Der Code konnte gerade nicht erstellt werden. Deine Punkte sind zurück auf deinem Konto." : "The code could not be created just now. Your points are back in your account."),
  pendingCode: (lang: Lang) => (lang === "de" ? "Dein Code wird noch erstellt. Schreib gleich PUNKTE, um nachzusehen." : "Your code is still being created. Send POINTS in a moment to check."),
  refused: (lang: Lang) => (lang === "de" ? "Das kann gerade nicht eingelöst werden." : "That can't be redeemed right now."),
  nothingPending: (lang: Lang) => (lang === "de" ? "Es wartet keine Einlösung auf Bestätigung. Schreib EINLÖSEN, um eine Prämie zu wählen." : "No redemption is waiting for confirmation. Send REDEEM to choose a reward."),
  cancelled: (lang: Lang) => (lang === "de" ? "Abgebrochen. Es wurden keine Punkte abgezogen." : "Cancelled. No points were taken."),
  stopped: (lang: Lang) => (lang === "de" ? "Du erhältst keine WhatsApp-Nachrichten mehr von uns." : "You will not get WhatsApp messages from us any more."),
  unknownNumber: (lang: Lang) => (lang === "de" ? "Diese Nummer ist für WhatsApp-Nachrichten nicht angemeldet. Du kannst sie im Kundenkonto im Shop anmelden." : "This number is not signed up for WhatsApp messages. You can sign it up in your account in the shop."),
  help: (lang: Lang) => (lang === "de" ? "Das kann ich für dich tun:" : "Here is what I can do for you:"),
  buttons: (lang: Lang) =>
    lang === "de"
      ? [{ id: BUTTON.points, title: "Punkte prüfen" }, { id: BUTTON.rewards, title: "Meine Prämien" }, { id: BUTTON.redeem, title: "Einlösen" }]
      : [{ id: BUTTON.points, title: "Check points" }, { id: BUTTON.rewards, title: "My rewards" }, { id: BUTTON.redeem, title: "Redeem" }],
  confirmButtons: (lang: Lang) => (lang === "de" ? [{ id: BUTTON.yes, title: "JA" }, { id: BUTTON.no, title: "Nein" }] : [{ id: BUTTON.yes, title: "YES" }, { id: BUTTON.no, title: "No" }]),
} as const;

/** A reply button's title: Meta allows at most 20 characters. */
export function buttonTitle(s: string): string {
  return [...s].length <= 20 ? s : `${[...s].slice(0, 19).join("")}…`;
}

/** How long an offer waits for YES. */
export const OFFER_TTL_MS = 15 * 60_000;
/** Meta's customer service window: free-form (session) messages only this long after the member's last message. */
export const SESSION_WINDOW_MS = 24 * 3_600_000;
