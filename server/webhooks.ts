// The lean webhook door, in front of Remix and Express: the raw body (the HMAC covers its exact
// bytes) goes to the intake, which verifies with Shopify's library and records in one transaction.
// Plain node:http keeps the per-delivery cost low (bench/: Express alone cost ~12 % of intake CPU).
import type { IncomingMessage, ServerResponse } from "node:http";

export type IntakeFn = (url: string, headers: Headers, rawBody: string, meta?: WebhookMeta) => Promise<{ status: number; reason: string }>;

const MAX_BODY = 5 * 1024 * 1024;

// What Shopify's validation reads. The library looks each header up by canonicalising every
// header name it was given (bench/: that was half of its cost with a full header set), so it gets
// only the headers it requires; the optional metadata (event id, time) is read here directly.
// None of these is covered by the HMAC (the body is), so nothing is weakened.
const REQUIRED = ["x-shopify-hmac-sha256", "x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"];
// The newer "events" deliveries (lower-case shopify-* names) require their event id as well.
const REQUIRED_EVENTS = ["shopify-hmac-sha256", "shopify-topic", "shopify-shop-domain", "shopify-api-version", "shopify-webhook-id", "shopify-event-id"];

export interface WebhookMeta {
  eventId?: string;
  triggeredAt?: string;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function webhookHeaders(raw: IncomingMessage["headers"]): { headers: Headers; meta: WebhookMeta } {
  const h = new Headers();
  const names = raw["shopify-hmac-sha256"] !== undefined ? REQUIRED_EVENTS : REQUIRED;
  for (const name of names) {
    const v = raw[name];
    if (v !== undefined) h.set(name, Array.isArray(v) ? v.join(", ") : v);
  }
  return {
    headers: h,
    meta: {
      eventId: first(raw["x-shopify-event-id"] ?? raw["shopify-event-id"]),
      triggeredAt: first(raw["x-shopify-triggered-at"] ?? raw["shopify-triggered-at"]),
    },
  };
}

export function isWebhookRequest(req: Pick<IncomingMessage, "method" | "url">): boolean {
  const url = req.url ?? "";
  // Meta's WhatsApp webhook is not Shopify's: the Remix route verifies its own signature (0019)
  return req.method === "POST" && url.startsWith("/webhooks/") && !/^\/webhooks\/whatsapp(?:[/?]|$)/.test(url);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function handleWebhook(req: IncomingMessage, res: ServerResponse, intake: () => Promise<IntakeFn>): Promise<void> {
  try {
    const body = await readBody(req);
    if (body === null) return reply(res, 413, "body too large");
    const url = `http://${req.headers.host ?? "localhost"}${req.url}`;
    const { headers, meta } = webhookHeaders(req.headers);
    const result = await (await intake())(url, headers, body, meta);
    reply(res, result.status, result.reason);
  } catch (error) {
    // Nothing was recorded: a non-2xx makes Shopify deliver again later.
    console.error("webhook intake failed", error);
    if (!res.headersSent) reply(res, 500, "try again");
  }
}
