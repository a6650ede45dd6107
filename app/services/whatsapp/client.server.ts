// The WhatsApp Business Cloud API client: POST {baseUrl}/{version}/{phone-number-id}/messages with
// the shop's bearer token. Template messages for notices, text and interactive-button (session)
// messages for replies inside the 24 h window. Errors are data: Meta's error JSON becomes a result
// that says whether trying again can help (decision 0019).

export interface WhatsAppAccount {
  baseUrl: string;
  apiVersion: string;
  phoneNumberId: string;
  accessToken: string;
}

export type OutboundMessage =
  | { messaging_product: "whatsapp"; recipient_type: "individual"; to: string; type: "template"; template: { name: string; language: { policy: "deterministic"; code: string }; components: Array<{ type: "body"; parameters: Array<{ type: "text"; text: string }> }> } }
  | { messaging_product: "whatsapp"; recipient_type: "individual"; to: string; type: "text"; text: { preview_url: false; body: string } }
  | {
      messaging_product: "whatsapp";
      recipient_type: "individual";
      to: string;
      type: "interactive";
      interactive: { type: "button"; body: { text: string }; action: { buttons: Array<{ type: "reply"; reply: { id: string; title: string } }> } };
    };

export function templateMessage(to: string, name: string, languageCode: string, parameters: Array<{ type: "text"; text: string }>): OutboundMessage {
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to,
    type: "template",
    template: { name, language: { policy: "deterministic", code: languageCode }, components: parameters.length ? [{ type: "body", parameters }] : [] },
  };
}

export function textMessage(to: string, body: string): OutboundMessage {
  return { messaging_product: "whatsapp", recipient_type: "individual", to, type: "text", text: { preview_url: false, body: body.slice(0, 4096) } };
}

/** Up to three reply buttons (Meta's limit), titles at most 20 characters. */
export function buttonsMessage(to: string, body: string, buttons: Array<{ id: string; title: string }>): OutboundMessage {
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to,
    type: "interactive",
    interactive: { type: "button", body: { text: body.slice(0, 1024) }, action: { buttons: buttons.slice(0, 3).map((b) => ({ type: "reply" as const, reply: { id: b.id.slice(0, 256), title: b.title } })) } },
  };
}

export type SendResult = { ok: true; id: string } | { ok: false; retryable: boolean; status: number; code: number | null; message: string };

/** Meta's codes that mean "later may work": throttling, temporary errors, service unavailable. */
const RETRYABLE_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004]);

export async function sendMessage(account: WhatsAppAccount, message: OutboundMessage, opts: { timeoutMs?: number; fetch?: typeof fetch } = {}): Promise<SendResult> {
  const url = `${account.baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(account.apiVersion)}/${encodeURIComponent(account.phoneNumberId)}/messages`;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${account.accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (e) {
    return { ok: false, retryable: true, status: 0, code: null, message: `no answer from WhatsApp: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500) };
  }
  const text = await res.text().catch(() => "");
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  if (res.ok) {
    const id = (body as { messages?: Array<{ id?: unknown }> } | null)?.messages?.[0]?.id;
    if (typeof id === "string" && id) return { ok: true, id };
    return { ok: false, retryable: false, status: res.status, code: null, message: "WhatsApp answered without a message id" };
  }
  const err = (body as { error?: { message?: unknown; code?: unknown; error_data?: { details?: unknown } } } | null)?.error;
  const code = typeof err?.code === "number" ? err.code : null;
  const details = typeof err?.error_data?.details === "string" ? `: ${err.error_data.details}` : "";
  const what = `${typeof err?.message === "string" ? err.message : `HTTP ${res.status}`}${details}${code !== null ? ` (#${code})` : ""}`;
  const retryable = res.status >= 500 || res.status === 429 || (code !== null && RETRYABLE_CODES.has(code));
  return { ok: false, retryable, status: res.status, code, message: what.replace(/\s+/g, " ").slice(0, 500) };
}
