// A strict offline stand-in for the WhatsApp Business Cloud API (Graph API), for tests and the demo.
//
// Outbound: POST /{version}/{phone-number-id}/messages with "Authorization: Bearer <token>". The
// request is checked the way Meta documents it (messaging_product, recipient, text / template /
// interactive button shapes and limits, the template's name, language and number of body
// parameters as approved, parameters without line breaks, tabs or more than four spaces in a row,
// free-form messages only within 24 h of the recipient's last message) and refused with Meta-style
// error JSON ({"error": {"message", "type", "code", "error_data": {"details"}, "fbtrace_id"}}).
// Accepted messages are recorded and answered with {"messaging_product", "contacts", "messages":
// [{"id": "wamid.…"}]}.
//
// Inbound: `inbound()` builds a webhook delivery exactly as Meta sends it — the
// whatsapp_business_account envelope, non-ASCII and "/" escaped in the JSON as Meta's encoder
// does, signed with X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256 of those raw bytes with the
// app secret — and `deliver()` POSTs it to the app.
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInTemplate {
  name: string;
  /** the approved translation's language code (en, en_US, de …) */
  language: string;
  /** how many body parameters ({{1}} … {{n}}) the approved text has */
  bodyParams: number;
  /** the approved text with {{1}} … placeholders, for printing */
  text?: string;
}

export interface StandInAccount {
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  wabaId?: string;
  displayPhoneNumber?: string;
  templates: StandInTemplate[];
}

export interface RecordedMessage {
  phoneNumberId: string;
  id: string;
  to: string;
  type: "text" | "template" | "interactive";
  body: Record<string, unknown>;
  /** what the phone would show (templates filled in) */
  rendered: string;
  at: number;
}

export interface InboundInput {
  phoneNumberId: string;
  from: string;
  name?: string;
  text?: string;
  /** tap on one of our interactive reply buttons */
  buttonReply?: { id: string; title: string };
  /** tap on a template's quick-reply button */
  quickReply?: { payload: string; text: string };
  id?: string;
  timestamp?: number;
}

export interface WhatsAppStandIn {
  url: string;
  messages: RecordedMessage[];
  /** refused requests, newest last: the status and Meta's error body */
  refused: Array<{ status: number; error: MetaError["error"] }>;
  waitFor(n: number, timeoutMs?: number): Promise<RecordedMessage[]>;
  inbound(input: InboundInput): { body: string; headers: Record<string, string>; id: string };
  deliver(webhookUrl: string, input: InboundInput): Promise<Response>;
  /** the next n sends for a phone number id fail with this error (e.g. 500, code 131000) */
  failNext(phoneNumberId: string, n: number, status: number, code: number, message: string): void;
  close(): Promise<void>;
}

interface MetaError {
  error: { message: string; type: string; code: number; error_subcode?: number; error_data?: { messaging_product: "whatsapp"; details: string }; fbtrace_id: string };
}

const trace = () => randomBytes(12).toString("base64url");
const metaError = (code: number, message: string, details: string, type = "OAuthException", subcode?: number): MetaError => ({
  error: { message, type, code, ...(subcode ? { error_subcode: subcode } : {}), error_data: { messaging_product: "whatsapp", details }, fbtrace_id: trace() },
});

/** JSON as Meta's encoder writes it: "/" and every non-ASCII character escaped. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, "\\/")
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function metaSignature(raw: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(raw).digest("hex")}`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const WINDOW_MS = 24 * 3_600_000;

type Check = { ok: true; rendered: string } | { ok: false; status: number; error: MetaError };
const bad = (code: number, message: string, details: string, status = 400): Check => ({ ok: false, status, error: metaError(code, message, details) });

function checkMessage(account: StandInAccount, body: Record<string, unknown>, lastInbound: Map<string, number>, now: number): Check {
  if (body.messaging_product !== "whatsapp") return bad(100, "(#100) The parameter messaging_product is required.", "messaging_product must be \"whatsapp\"");
  if (body.recipient_type !== undefined && body.recipient_type !== "individual") return bad(100, "(#100) Param recipient_type must be one of {individual, group}", "recipient_type must be individual");
  const to = body.to;
  if (typeof to !== "string" || !to) return bad(100, "(#100) The parameter to is required.", "to is required");
  if (!/^\+?\d{8,15}$/.test(to)) return bad(131009, "(#131009) Parameter value is not valid", "to must be a phone number with country code");
  const known = new Set(["messaging_product", "recipient_type", "to", "type", "text", "template", "interactive", "context", "biz_opaque_callback_data"]);
  for (const k of Object.keys(body)) if (!known.has(k)) return bad(100, `(#100) Param ${k} is not a valid parameter`, `unexpected parameter ${k}`);
  const type = body.type ?? "text";
  const wa = to.replace(/^\+/, "");
  const inWindow = now - (lastInbound.get(`${account.phoneNumberId}:${wa}`) ?? -Infinity) < WINDOW_MS;
  if (type === "text") {
    const t = body.text;
    if (!isObj(t) || typeof t.body !== "string" || !t.body.trim()) return bad(100, "(#100) The parameter text['body'] is required.", "text.body is required");
    if (t.body.length > 4096) return bad(100, "(#100) Param text['body'] must be at most 4096 characters long.", "text.body too long");
    for (const k of Object.keys(t)) if (k !== "body" && k !== "preview_url") return bad(100, `(#100) Param text['${k}'] is not a valid parameter`, `unexpected parameter text.${k}`);
    if (!inWindow) return bad(131047, "Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number.");
    return { ok: true, rendered: t.body };
  }
  if (type === "interactive") {
    const i = body.interactive;
    if (!isObj(i) || i.type !== "button") return bad(100, "(#100) Param interactive['type'] must be one of {button, list, product, product_list, cta_url, flow}", "only button messages are supported here");
    const b = i.body;
    if (!isObj(b) || typeof b.text !== "string" || !b.text.trim() || b.text.length > 1024) return bad(131009, "(#131009) Parameter value is not valid", "interactive.body.text is required, at most 1024 characters");
    const buttons = isObj(i.action) ? i.action.buttons : undefined;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return bad(131009, "(#131009) Parameter value is not valid", "interactive.action.buttons must have 1 to 3 buttons");
    const ids = new Set<string>();
    const titles = new Set<string>();
    for (const btn of buttons) {
      const r = isObj(btn) && btn.type === "reply" && isObj(btn.reply) ? btn.reply : null;
      if (!r || typeof r.id !== "string" || !r.id || r.id.length > 256 || typeof r.title !== "string" || !r.title.trim() || [...r.title].length > 20)
        return bad(131009, "(#131009) Parameter value is not valid", "each button is {type: reply, reply: {id ≤ 256, title 1–20 characters}}");
      if (ids.has(r.id) || titles.has(r.title)) return bad(131009, "(#131009) Parameter value is not valid", "button ids and titles must be unique");
      ids.add(r.id);
      titles.add(r.title);
    }
    if (!inWindow) return bad(131047, "Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number.");
    return { ok: true, rendered: `${b.text}\n${[...titles].map((t) => `[ ${t} ]`).join(" ")}` };
  }
  if (type === "template") {
    const t = body.template;
    if (!isObj(t) || typeof t.name !== "string" || !t.name) return bad(100, "(#100) The parameter template['name'] is required.", "template.name is required");
    const lang = isObj(t.language) ? t.language.code : undefined;
    if (typeof lang !== "string" || !lang) return bad(100, "(#100) The parameter template['language']['code'] is required.", "template.language.code is required");
    if (isObj(t.language) && t.language.policy !== undefined && t.language.policy !== "deterministic") return bad(100, "(#100) Param template['language']['policy'] must be deterministic", "language.policy");
    const approved = account.templates.find((x) => x.name === t.name && x.language === lang);
    if (!approved) return bad(132001, "(#132001) Template name does not exist in the translation", `template name (${t.name}) does not exist in ${lang}`, 404);
    const components = t.components ?? [];
    if (!Array.isArray(components)) return bad(100, "(#100) Param template['components'] must be an array.", "components must be an array");
    let params: unknown[] = [];
    for (const c of components) {
      if (!isObj(c) || !["header", "body", "button"].includes(String(c.type))) return bad(100, "(#100) Invalid parameter", "component type must be header, body or button");
      if (c.type === "body") params = Array.isArray(c.parameters) ? c.parameters : [];
    }
    if (params.length !== approved.bodyParams)
      return bad(132000, "(#132000) Number of parameters does not match the expected number of params", `body: number of localizable_params (${params.length}) does not match the expected number of params (${approved.bodyParams})`);
    const values: string[] = [];
    for (const p of params) {
      if (!isObj(p) || p.type !== "text" || typeof p.text !== "string") return bad(131008, "(#131008) Required parameter is missing", "each body parameter is {type: text, text}");
      if (!p.text.trim()) return bad(131008, "(#131008) Required parameter is missing", "a body parameter's text is empty");
      if (/[\n\t]| {5,}/.test(p.text)) return bad(132018, "(#132018) There was an issue with the parameters in your template.", "Param text cannot have new-line/tab characters or more than 4 consecutive spaces");
      values.push(p.text);
    }
    const text = approved.text ? approved.text.replace(/\{\{(\d+)\}\}/g, (_, n: string) => values[Number(n) - 1] ?? "") : `${approved.name}: ${values.join(" | ")}`;
    return { ok: true, rendered: text };
  }
  return bad(100, "(#100) Param type must be one of {audio, contacts, document, image, interactive, location, reaction, sticker, template, text, video}", `unsupported type ${String(type)}`);
}

/**
 * `webhookUrl`: where `POST /_standin/inbound {"phoneNumberId", "from", "text"}` delivers a signed
 * inbound message (the demo's way of "writing" to the shop from a phone).
 */
export async function startWhatsAppStandIn(opts: { accounts: StandInAccount[]; port?: number; host?: string; onMessage?: (m: RecordedMessage) => void; now?: () => number; webhookUrl?: string }): Promise<WhatsAppStandIn> {
  const messages: RecordedMessage[] = [];
  const refused: WhatsAppStandIn["refused"] = [];
  const lastInbound = new Map<string, number>();
  const failures = new Map<string, { n: number; status: number; code: number; message: string }>();
  const now = opts.now ?? Date.now;
  const waiters = new Set<() => void>();

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (status >= 400) refused.push({ status, error: (body as MetaError).error });
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://standin");
    if (url.pathname === "/_standin/inbound" && req.method === "POST" && opts.webhookUrl) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as InboundInput;
      const r = await deliverTo(opts.webhookUrl, { ...input, phoneNumberId: input.phoneNumberId ?? opts.accounts[0]!.phoneNumberId });
      res.writeHead(r.status, { "Content-Type": "text/plain" });
      return res.end(await r.text());
    }
    const m = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(url.pathname);
    if (!m) return send(res, 400, metaError(100, "Unsupported request - method type: " + (req.method ?? "").toLowerCase(), "unknown path", "GraphMethodException", 33));
    if (req.method !== "POST") return send(res, 400, metaError(100, "Unsupported get request.", "use POST", "GraphMethodException", 33));
    const account = opts.accounts.find((a) => a.phoneNumberId === m[2]);
    const auth = req.headers.authorization ?? "";
    if (!/^Bearer \S+$/.test(auth)) return send(res, 401, metaError(190, "An active access token must be used to query information about the current user.", "missing bearer token"));
    if (!account) return send(res, 400, metaError(100, `Unsupported post request. Object with ID '${m[2]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, "unknown phone number id", "GraphMethodException", 33));
    if (auth.slice(7) !== account.accessToken) return send(res, 401, metaError(190, "Invalid OAuth access token - Cannot parse access token", "wrong access token"));
    if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) return send(res, 400, metaError(100, "(#100) Invalid parameter", "Content-Type must be application/json"));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, metaError(100, "(#100) Invalid parameter", "the body is not JSON"));
    }
    if (!isObj(body)) return send(res, 400, metaError(100, "(#100) Invalid parameter", "the body must be a JSON object"));
    const fail = failures.get(account.phoneNumberId);
    if (fail && fail.n > 0) {
      fail.n--;
      return send(res, fail.status, metaError(fail.code, fail.message, "injected failure"));
    }
    const check = checkMessage(account, body, lastInbound, now());
    if (!check.ok) return send(res, check.status, check.error);
    const to = String(body.to).replace(/^\+/, "");
    const id = `wamid.${Buffer.from(`${account.phoneNumberId}:${to}:${randomBytes(9).toString("hex")}`).toString("base64url")}`;
    const rec: RecordedMessage = { phoneNumberId: account.phoneNumberId, id, to, type: (body.type ?? "text") as RecordedMessage["type"], body, rendered: check.rendered, at: now() };
    messages.push(rec);
    opts.onMessage?.(rec);
    for (const w of waiters) w();
    send(res, 200, { messaging_product: "whatsapp", contacts: [{ input: String(body.to), wa_id: to }], messages: [{ id, ...(rec.type === "template" ? { message_status: "accepted" } : {}) }] });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, metaError(1, "An unknown error occurred", String(e), "OAuthException")));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const url = `http://${opts.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`;

  const inbound = (input: InboundInput) => {
    const account = opts.accounts.find((a) => a.phoneNumberId === input.phoneNumberId);
    if (!account) throw new Error(`no stand-in account for phone number id ${input.phoneNumberId}`);
    const id = input.id ?? `wamid.${randomBytes(18).toString("base64url")}`;
    const ts = String(Math.floor((input.timestamp ?? now()) / 1000));
    let message: Record<string, unknown>;
    if (input.buttonReply) message = { from: input.from, id, timestamp: ts, type: "interactive", interactive: { type: "button_reply", button_reply: input.buttonReply } };
    else if (input.quickReply) message = { from: input.from, id, timestamp: ts, type: "button", button: input.quickReply };
    else message = { from: input.from, id, timestamp: ts, type: "text", text: { body: input.text ?? "" } };
    const payload = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: account.wabaId ?? `10${account.phoneNumberId}`,
          changes: [
            {
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: account.displayPhoneNumber ?? "15550001111", phone_number_id: account.phoneNumberId },
                contacts: [{ profile: { name: input.name ?? "Kunde" }, wa_id: input.from }],
                messages: [message],
              },
              field: "messages",
            },
          ],
        },
      ],
    };
    lastInbound.set(`${account.phoneNumberId}:${input.from}`, input.timestamp ?? now());
    const body = metaJson(payload);
    return { id, body, headers: { "Content-Type": "application/json", "X-Hub-Signature-256": metaSignature(body, account.appSecret), "User-Agent": "facebookexternalua" } };
  };

  const deliverTo = async (webhookUrl: string, input: InboundInput) => {
    const { body, headers } = inbound(input);
    return fetch(webhookUrl, { method: "POST", headers, body });
  };

  return {
    url,
    messages,
    refused,
    async waitFor(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} WhatsApp messages, have ${messages.length}`);
        await new Promise<void>((resolve) => {
          const w = () => {
            waiters.delete(w);
            resolve();
          };
          waiters.add(w);
          setTimeout(w, 50);
        });
      }
      return messages;
    },
    inbound,
    deliver: deliverTo,
    failNext(phoneNumberId, n, status, code, message) {
      failures.set(phoneNumberId, { n, status, code, message });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
