// Business events as the outside sees them (docs/decisions/0020): which facts are events, the
// Shopify Flow trigger each one fires and the payload it carries (the fields declared in
// extensions/flow-*/shopify.extension.toml), the JSON body of an outbound webhook, which endpoint
// URLs a merchant may register, and the retry schedule. Pure, no I/O, and safe in the browser bundle
// (the admin page lists the kinds): the signature is in app/lib/webhook-signature.server.ts.
export const APP_EVENT_KINDS = ["points_earned", "reward_redeemed", "tier_changed", "referral_completed", "points_expiring"] as const;
export type AppEventKind = (typeof APP_EVENT_KINDS)[number];

export const isAppEventKind = (v: unknown): v is AppEventKind => typeof v === "string" && (APP_EVENT_KINDS as readonly string[]).includes(v);

/** What each event carries besides the member (all optional fields are null when unknown). */
export interface AppEventData {
  points?: number;
  balance?: number;
  bucket?: "available" | "pending";
  order?: string | null;
  reward?: string | null;
  code?: string | null;
  fromTier?: string | null;
  toTier?: string | null;
  direction?: "up" | "down";
  expiresOn?: string | null;
}

export interface AppEvent {
  id: number;
  kind: AppEventKind;
  customerGid: string;
  data: AppEventData;
  createdAt: number;
}

/** The flow_trigger extension's handle per event kind (extensions/flow-<handle>/). */
export const FLOW_TRIGGER_HANDLES: Record<AppEventKind, string> = {
  points_earned: "points-earned",
  reward_redeemed: "reward-redeemed",
  tier_changed: "tier-changed",
  referral_completed: "referral-completed",
  points_expiring: "points-expiring",
};

/** "gid://shopify/Customer/123" → 123, as Flow's customer_reference wants it. */
export function customerNumber(gid: string): number {
  const m = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(gid);
  if (!m) throw new Error(`not a customer gid: ${gid}`);
  return Number(m[1]);
}

const text = (v: string | null | undefined) => (v ?? "").slice(0, 255);
const num = (v: number | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * The trigger's payload: `customer_id` for the customer reference, then every field the extension
 * declares, by its key (Flow accepts exactly the declared fields; the devstore checks that).
 */
export function flowTriggerPayload(e: AppEvent): { handle: string; payload: Record<string, string | number | boolean> } {
  const d = e.data;
  const base = { customer_id: customerNumber(e.customerGid) };
  switch (e.kind) {
    case "points_earned":
      return { handle: FLOW_TRIGGER_HANDLES[e.kind], payload: { ...base, Points: num(d.points), Balance: num(d.balance), Pending: d.bucket === "pending", Order: text(d.order) } };
    case "reward_redeemed":
      return { handle: FLOW_TRIGGER_HANDLES[e.kind], payload: { ...base, Points: num(d.points), Balance: num(d.balance), Reward: text(d.reward), Code: text(d.code) } };
    case "tier_changed":
      return { handle: FLOW_TRIGGER_HANDLES[e.kind], payload: { ...base, "From tier": text(d.fromTier), "To tier": text(d.toTier), Direction: d.direction ?? "up" } };
    case "referral_completed":
      return { handle: FLOW_TRIGGER_HANDLES[e.kind], payload: { ...base, Points: num(d.points), Balance: num(d.balance), Order: text(d.order) } };
    case "points_expiring":
      return { handle: FLOW_TRIGGER_HANDLES[e.kind], payload: { ...base, Points: num(d.points), Balance: num(d.balance), "Expires on": text(d.expiresOn) } };
  }
}

/** An outbound webhook's body: stable field names, documented in docs/api.md. */
export function webhookBody(e: AppEvent, shop: string): string {
  return JSON.stringify({ id: `evt_${e.id}`, type: e.kind, shop, createdAt: new Date(e.createdAt).toISOString(), customerId: e.customerGid, data: e.data });
}

// ---------------------------------------------------------------------------------------------
// Endpoints

export const MAX_ENDPOINTS_PER_SHOP = 10;

/** Hosts a merchant's endpoint may not name in production: loopback, private and link-local ranges. */
function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost") || h.endsWith(".local") || h.endsWith(".internal")) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  if (h.includes(":")) return h === "::1" || h === "::" || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("fe80") || h.startsWith("::ffff:");
  return false;
}

const isLoopback = (host: string) => ["localhost", "127.0.0.1", "[::1]", "::1"].includes(host.toLowerCase());

/**
 * Checks an endpoint URL: HTTPS to a public host; plain http only to localhost, and only when the
 * app runs in development or tests (`allowLocalHttp`). Returns an error code or null.
 */
export function endpointUrlError(raw: string, allowLocalHttp: boolean): "required" | "invalid" | "https" | "private" | "credentials" | null {
  const value = raw.trim();
  if (!value) return "required";
  if (value.length > 2000) return "invalid";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "invalid";
  }
  if (url.username || url.password) return "credentials";
  if (url.protocol === "http:") return allowLocalHttp && isLoopback(url.hostname) ? null : "https";
  if (url.protocol !== "https:") return "https";
  if (isPrivateHost(url.hostname) && !(allowLocalHttp && isLoopback(url.hostname))) return "private";
  return null;
}

// ---------------------------------------------------------------------------------------------
// Retries

/** Attempts per delivery before it counts as failed (the merchant can retry it by hand). */
export const MAX_DELIVERY_ATTEMPTS = 8;
/** Failed attempts in a row (across deliveries) after which an endpoint is switched off. */
export const DISABLE_AFTER_FAILURES = 20;
/** How long one attempt waits for an answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** The wait after the n-th failed attempt: 1, 2, 4 … minutes, never more than 6 hours. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(6 * 3_600_000, 60_000 * 2 ** Math.max(0, failedAttempts - 1));
}

/** An answer counts as delivered only with a 2xx status (a redirect is not followed). */
export const isDelivered = (status: number) => status >= 200 && status < 300;
