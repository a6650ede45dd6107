// Outbound webhooks (docs/decisions/0020, docs/api.md): the merchant's HTTPS endpoints, each event
// delivered as signed JSON by a `hooks:deliver` job; a failed attempt is retried after 1, 2, 4 …
// minutes (≤ 6 h) up to MAX_DELIVERY_ATTEMPTS, then the delivery is `failed` and can be retried by
// hand; DISABLE_AFTER_FAILURES failed attempts in a row switch the endpoint off with the reason.
import { randomBytes } from "node:crypto";
import { enqueue } from "~/jobs/queue.server";
import type { Queryable, Sql } from "~/lib/sql.server";
import { keyset, pageSize, toPage, type Cursor, type Page } from "~/lib/paging.server";
import { dbBool, toDate } from "~/lib/sql.server";
import { decryptSecret, encryptSecret } from "~/lib/secrets.server";
import {
  APP_EVENT_KINDS,
  DELIVERY_TIMEOUT_MS,
  DISABLE_AFTER_FAILURES,
  endpointUrlError,
  isAppEventKind,
  isDelivered,
  MAX_DELIVERY_ATTEMPTS,
  MAX_ENDPOINTS_PER_SHOP,
  retryDelayMs,
  webhookBody,
  type AppEventKind,
} from "~/domain/app-events";
import { SIGNATURE_HEADER, signBody } from "~/lib/webhook-signature.server";
import { loadEvent } from "./app-events.server";

const tsOf = (q: Queryable, ms: number): unknown => (q.dialect === "sqlite" ? ms : new Date(ms));
const bool = (q: Queryable, v: boolean): unknown => (q.dialect === "sqlite" ? (v ? 1 : 0) : v);
/** The signing secret is bound to the shop and this purpose (a copied row doesn't decrypt elsewhere). */
const secretScope = (shop: string) => `${shop}#webhook-endpoint`;

export class EndpointInputError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(`invalid endpoint: ${Object.keys(fieldErrors).join(", ")}`);
  }
}

export interface EndpointInput {
  url: string;
  events: string[];
}

/** Field errors as codes the admin translates (webhooks.errors.<code>). */
export function validateEndpoint(input: EndpointInput, allowLocalHttp: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  const urlError = endpointUrlError(input.url ?? "", allowLocalHttp);
  if (urlError) errors.url = `url_${urlError}`;
  const events = input.events ?? [];
  if (events.length === 0) errors.events = "events_required";
  else if (!events.every(isAppEventKind)) errors.events = "events_unknown";
  return errors;
}

/** Plain http to localhost is for development and tests only. */
export const allowLocalHttp = () => process.env.NODE_ENV !== "production";

function newSecret(): string {
  return `whsec_${randomBytes(24).toString("base64url")}`;
}

/** Registers an endpoint; the secret is returned this once (stored encrypted, never shown again). */
export async function createEndpoint(q: Queryable, shop: string, input: EndpointInput, now = Date.now(), localHttp = allowLocalHttp()): Promise<{ id: number; secret: string }> {
  const errors = validateEndpoint(input, localHttp);
  const count = await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM webhook_endpoints WHERE shop = ?`, [shop]);
  if (Number(count?.n ?? 0) >= MAX_ENDPOINTS_PER_SHOP) errors.url ??= "too_many";
  if (Object.keys(errors).length) throw new EndpointInputError(errors);
  const secret = newSecret();
  const row = await q.get<{ id: number }>(
    `INSERT INTO webhook_endpoints (shop, url, events, secret_enc, secret_hint, enabled, consecutive_failures, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`,
    [shop, input.url.trim(), JSON.stringify([...new Set(input.events)]), encryptSecret(secret, secretScope(shop)), secret.slice(0, 10), bool(q, true), tsOf(q, now), tsOf(q, now)],
  );
  return { id: Number(row!.id), secret };
}

export async function updateEndpoint(q: Queryable, shop: string, id: number, input: EndpointInput, now = Date.now(), localHttp = allowLocalHttp()): Promise<boolean> {
  const errors = validateEndpoint(input, localHttp);
  if (Object.keys(errors).length) throw new EndpointInputError(errors);
  const r = await q.run(`UPDATE webhook_endpoints SET url = ?, events = ?, updated_at = ? WHERE shop = ? AND id = ?`, [input.url.trim(), JSON.stringify([...new Set(input.events)]), tsOf(q, now), shop, id]);
  return r.changes === 1;
}

/** A new secret, returned this once; the old one stops signing at once. */
export async function rotateSecret(q: Queryable, shop: string, id: number, now = Date.now()): Promise<string | null> {
  const secret = newSecret();
  const r = await q.run(`UPDATE webhook_endpoints SET secret_enc = ?, secret_hint = ?, updated_at = ? WHERE shop = ? AND id = ?`, [encryptSecret(secret, secretScope(shop)), secret.slice(0, 10), tsOf(q, now), shop, id]);
  return r.changes === 1 ? secret : null;
}

/** Switches an endpoint on (failures forgotten) or off by the merchant. */
export async function setEndpointEnabled(q: Queryable, shop: string, id: number, enabled: boolean, now = Date.now()): Promise<boolean> {
  const r = enabled
    ? await q.run(`UPDATE webhook_endpoints SET enabled = ?, disabled_reason = NULL, disabled_at = NULL, consecutive_failures = 0, updated_at = ? WHERE shop = ? AND id = ?`, [bool(q, true), tsOf(q, now), shop, id])
    : await q.run(`UPDATE webhook_endpoints SET enabled = ?, disabled_reason = 'by_merchant', disabled_at = ?, updated_at = ? WHERE shop = ? AND id = ?`, [bool(q, false), tsOf(q, now), tsOf(q, now), shop, id]);
  return r.changes === 1;
}

export async function deleteEndpoint(q: Queryable, shop: string, id: number): Promise<boolean> {
  await q.run(`DELETE FROM webhook_endpoint_deliveries WHERE shop = ? AND endpoint_id = ?`, [shop, id]);
  return (await q.run(`DELETE FROM webhook_endpoints WHERE shop = ? AND id = ?`, [shop, id])).changes === 1;
}

export interface EndpointView {
  id: number;
  url: string;
  events: AppEventKind[];
  secretHint: string;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  consecutiveFailures: number;
}

export async function listEndpoints(q: Queryable, shop: string): Promise<EndpointView[]> {
  const rows = await q.all<{ id: number; url: string; events: string; secret_hint: string; enabled: unknown; disabled_reason: string | null; disabled_at: unknown; consecutive_failures: number }>(
    `SELECT id, url, events, secret_hint, enabled, disabled_reason, disabled_at, consecutive_failures FROM webhook_endpoints WHERE shop = ? ORDER BY id`,
    [shop],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    url: r.url,
    events: (JSON.parse(r.events) as string[]).filter(isAppEventKind),
    secretHint: r.secret_hint,
    enabled: dbBool(r.enabled),
    disabledReason: r.disabled_reason,
    disabledAt: toDate(r.disabled_at)?.toISOString() ?? null,
    consecutiveFailures: Number(r.consecutive_failures),
  }));
}

// ---------------------------------------------------------------------------------------------
// Deliveries

/** One delivery of an event to an endpoint (once per pair) and its first job. */
export async function scheduleDelivery(q: Queryable, shop: string, endpointId: number, eventId: number, at: number): Promise<void> {
  const row = await q.get<{ id: number }>(
    `INSERT INTO webhook_endpoint_deliveries (shop, endpoint_id, event_id, status, attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)
     ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`,
    [shop, endpointId, eventId, tsOf(q, at), tsOf(q, at), tsOf(q, at)],
  );
  if (row) await bookAttempt(q, shop, Number(row.id), 0, at);
}

/** A job for the next attempt; the key names the attempt, so a re-run job books nothing twice. */
async function bookAttempt(q: Queryable, shop: string, deliveryId: number, attemptsSoFar: number, at: number, tag = ""): Promise<void> {
  await enqueue(q, { shop, kind: "hooks:deliver", payload: { deliveryId }, dedupeKey: `hooks:deliver:${deliveryId}:${attemptsSoFar}${tag}`, runAt: new Date(at), maxAttempts: 3 });
}

export type Post = (url: string, init: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<{ status: number }>;

/** fetch without following redirects (a 3xx is not a delivery), with a deadline. */
export const httpPost: Post = async (url, { headers, body, timeoutMs }) => {
  const res = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel().catch(() => undefined);
  return { status: res.status };
};

export type DeliveryOutcome = "delivered" | "retrying" | "failed" | "skipped";

interface DeliveryRow {
  id: number;
  endpoint_id: number;
  event_id: number;
  status: string;
  attempts: number;
}

/**
 * The `hooks:deliver` job: one attempt. Claimed by a conditional update (pending|retrying →
 * delivering) so two workers can't both send it; the answer decides delivered, retrying (with the
 * next job booked) or failed; the endpoint's failures in a row are counted and it is switched off
 * with the reason once they reach DISABLE_AFTER_FAILURES.
 */
export async function deliver(sql: Sql, shop: string, deliveryId: number, now: number, post: Post = httpPost): Promise<DeliveryOutcome> {
  const d = await sql.get<DeliveryRow>(`SELECT id, endpoint_id, event_id, status, attempts FROM webhook_endpoint_deliveries WHERE shop = ? AND id = ?`, [shop, deliveryId]);
  if (!d || (d.status !== "pending" && d.status !== "retrying" && d.status !== "delivering")) return "skipped";
  const ep = await sql.get<{ url: string; secret_enc: string; enabled: unknown }>(`SELECT url, secret_enc, enabled FROM webhook_endpoints WHERE shop = ? AND id = ?`, [shop, d.endpoint_id]);
  if (!ep || !dbBool(ep.enabled)) {
    await sql.run(`UPDATE webhook_endpoint_deliveries SET status = 'failed', last_error = 'endpoint_disabled', next_attempt_at = NULL, updated_at = ? WHERE shop = ? AND id = ? AND status IN ('pending', 'retrying', 'delivering')`, [tsOf(sql, now), shop, deliveryId]);
    return "skipped";
  }
  const event = await loadEvent(sql, shop, Number(d.event_id));
  if (!event) return "skipped";
  const claimed = await sql.run(`UPDATE webhook_endpoint_deliveries SET status = 'delivering', attempts = attempts + 1, updated_at = ? WHERE shop = ? AND id = ? AND attempts = ?`, [tsOf(sql, now), shop, deliveryId, d.attempts]);
  if (claimed.changes !== 1) return "skipped";
  const attempts = Number(d.attempts) + 1;
  const body = webhookBody(event, shop);
  const secret = decryptSecret(ep.secret_enc, secretScope(shop));
  let status: number | null = null;
  let error: string | null = null;
  try {
    status = (
      await post(ep.url, {
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Stammkunde-Webhooks/1",
          [SIGNATURE_HEADER]: signBody(secret, body, Math.floor(now / 1000)),
          "Stammkunde-Event-Id": `evt_${event.id}`,
          "Stammkunde-Event-Type": event.kind,
          "Stammkunde-Delivery-Id": String(deliveryId),
          "Stammkunde-Shop-Domain": shop,
        },
        body,
        timeoutMs: DELIVERY_TIMEOUT_MS,
      })
    ).status;
    if (!isDelivered(status)) error = `HTTP ${status}`;
  } catch (e) {
    error = e instanceof Error && e.name === "TimeoutError" ? "timeout" : `network: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300);
  }
  return sql.tx(async (q) => {
    if (error === null) {
      await q.run(`UPDATE webhook_endpoint_deliveries SET status = 'delivered', last_status = ?, last_error = NULL, next_attempt_at = NULL, delivered_at = ?, updated_at = ? WHERE shop = ? AND id = ?`, [status, tsOf(q, now), tsOf(q, now), shop, deliveryId]);
      await q.run(`UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE shop = ? AND id = ?`, [shop, d.endpoint_id]);
      return "delivered";
    }
    const last = attempts >= MAX_DELIVERY_ATTEMPTS;
    const next = last ? null : now + retryDelayMs(attempts);
    await q.run(`UPDATE webhook_endpoint_deliveries SET status = ?, last_status = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE shop = ? AND id = ?`, [last ? "failed" : "retrying", status, error, next === null ? null : tsOf(q, next), tsOf(q, now), shop, deliveryId]);
    await q.run(`UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 WHERE shop = ? AND id = ?`, [shop, d.endpoint_id]);
    await q.run(
      `UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, disabled_at = ? WHERE shop = ? AND id = ? AND enabled = ? AND consecutive_failures >= ?`,
      [bool(q, false), `failures:${DISABLE_AFTER_FAILURES}:${error}`.slice(0, 300), tsOf(q, now), shop, d.endpoint_id, bool(q, true), DISABLE_AFTER_FAILURES],
    );
    if (next !== null) await bookAttempt(q, shop, deliveryId, attempts, next);
    return last ? "failed" : "retrying";
  });
}

/** The merchant's "retry": a failed (or waiting) delivery is attempted again now, with a fresh budget. */
export async function retryDelivery(q: Queryable, shop: string, deliveryId: number, now = Date.now()): Promise<boolean> {
  const d = await q.get<{ attempts: number; enabled: unknown }>(
    `SELECT d.attempts, e.enabled FROM webhook_endpoint_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.shop = d.shop WHERE d.shop = ? AND d.id = ? AND d.status IN ('failed', 'retrying')`,
    [shop, deliveryId],
  );
  if (!d || !dbBool(d.enabled)) return false;
  // the attempt budget starts over: attempts back to 0, the log keeps the last answer
  const r = await q.run(`UPDATE webhook_endpoint_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE shop = ? AND id = ? AND attempts = ?`, [tsOf(q, now), tsOf(q, now), shop, deliveryId, d.attempts]);
  if (r.changes !== 1) return false;
  await bookAttempt(q, shop, deliveryId, 0, now, `:manual:${now}`);
  return true;
}

export interface DeliveryView {
  id: number;
  endpointId: number;
  eventId: number;
  eventType: AppEventKind | string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string | null;
}

/** The delivery log, newest first, for one endpoint or all of the shop's; a keyset page (lib/paging). */
export async function recentDeliveries(q: Queryable, shop: string, opts: { endpointId?: number; cursor?: Cursor; limit?: number } = {}): Promise<Page<DeliveryView>> {
  const limit = pageSize(opts.limit, 50);
  const k = keyset(opts.cursor ?? null, "d.id");
  const rows = await q.all<{ id: number; endpoint_id: number; event_id: number; kind: string; status: string; attempts: number; last_status: number | null; last_error: string | null; next_attempt_at: unknown; delivered_at: unknown; created_at: unknown }>(
    `SELECT d.id, d.endpoint_id, d.event_id, a.kind, d.status, d.attempts, d.last_status, d.last_error, d.next_attempt_at, d.delivered_at, d.created_at
       FROM webhook_endpoint_deliveries d JOIN app_events a ON a.id = d.event_id AND a.shop = d.shop
      WHERE d.shop = ?${opts.endpointId ? " AND d.endpoint_id = ?" : ""}${k.where} ORDER BY d.id ${k.order} LIMIT ?`,
    [shop, ...(opts.endpointId ? [opts.endpointId] : []), ...k.params, limit + 1],
  );
  const deliveries = rows.map((r) => ({
    id: Number(r.id),
    endpointId: Number(r.endpoint_id),
    eventId: Number(r.event_id),
    eventType: r.kind,
    status: r.status,
    attempts: Number(r.attempts),
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    nextAttemptAt: toDate(r.next_attempt_at)?.toISOString() ?? null,
    deliveredAt: toDate(r.delivered_at)?.toISOString() ?? null,
    createdAt: toDate(r.created_at)?.toISOString() ?? null,
  }));
  return toPage(deliveries, limit, opts.cursor ?? null, (d) => d.id);
}

export const ALL_EVENT_KINDS: readonly AppEventKind[] = APP_EVENT_KINDS;
