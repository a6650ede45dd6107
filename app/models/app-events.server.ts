// Business events fanned out to Shopify Flow and the merchant's outbound webhooks
// (docs/decisions/0020). `recordAppEvent` is called in the same transaction as the fact, next to
// its notice: one row per dedupe key, a `flow:trigger` job, and one delivery (with its
// `hooks:deliver` job) per enabled endpoint that subscribes to the kind. Sending happens in jobs.
import { enqueue } from "~/jobs/queue.server";
import type { Queryable, Sql } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { flowTriggerPayload, isAppEventKind, type AppEvent, type AppEventData, type AppEventKind } from "~/domain/app-events";
import { flowTriggerReceive } from "~/services/shopify/flow.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { scheduleDelivery } from "./outbound-webhooks.server";

const tsOf = (q: Queryable, ms: number): unknown => (q.dialect === "sqlite" ? ms : new Date(ms));

/** Flow trigger jobs: Shopify's retries on THROTTLED or a 5xx happen through the queue's backoff. */
const FLOW_MAX_ATTEMPTS = 12;

/**
 * Records a business event for a member, once per dedupe key, in the caller's transaction, and
 * books its Flow trigger and webhook deliveries. The member's customer and available balance are
 * read here, inside the transaction, so they are the values the fact produced. Returns the event's
 * id, or null when the key was recorded before (or the member is gone).
 */
export async function recordAppEvent(q: Queryable, shop: string, kind: AppEventKind, memberId: number, data: AppEventData, dedupeKey: string, at = Date.now()): Promise<number | null> {
  const m = await q.get<{ customer_gid: string; points_available: number }>(`SELECT customer_gid, points_available FROM members WHERE shop = ? AND id = ?`, [shop, memberId]);
  if (!m || !/^gid:\/\/shopify\/Customer\/\d+$/.test(m.customer_gid)) return null;
  const payload: AppEventData = { balance: Number(m.points_available), ...data };
  const row = await q.get<{ id: number }>(
    `INSERT INTO app_events (shop, kind, member_id, customer_gid, payload, dedupe_key, created_at, flow_status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
     ON CONFLICT (shop, dedupe_key) DO NOTHING RETURNING id`,
    [shop, kind, memberId, m.customer_gid, JSON.stringify(payload), `${kind}:${dedupeKey}`, tsOf(q, at)],
  );
  if (!row) return null;
  const eventId = Number(row.id);
  await enqueue(q, { shop, kind: "flow:trigger", payload: { eventId }, dedupeKey: `flow:trigger:${eventId}`, maxAttempts: FLOW_MAX_ATTEMPTS });
  const endpoints = await q.all<{ id: number; events: string }>(`SELECT id, events FROM webhook_endpoints WHERE shop = ? AND enabled = ? ORDER BY id`, [shop, q.dialect === "sqlite" ? 1 : true]);
  for (const e of endpoints) {
    const kinds = JSON.parse(e.events) as string[];
    if (kinds.includes(kind)) await scheduleDelivery(q, shop, Number(e.id), eventId, at);
  }
  return eventId;
}

export interface AppEventInput {
  kind: AppEventKind;
  memberId: number;
  data: AppEventData;
  dedupeKey: string;
}

/** Rows per multi-row statement in recordAppEvents. */
const ROWS_PER_STATEMENT = 300;

/**
 * recordAppEvent for many members at once (the nightly tier and expiry run): the same rows, keys
 * and jobs, written with multi-row statements. Returns how many events were new.
 */
export async function recordAppEvents(q: Queryable, shop: string, events: readonly AppEventInput[], at = Date.now()): Promise<number> {
  if (!events.length) return 0;
  const endpoints = await q.all<{ id: number; events: string }>(`SELECT id, events FROM webhook_endpoints WHERE shop = ? AND enabled = ? ORDER BY id`, [shop, q.dialect === "sqlite" ? 1 : true]);
  let recorded = 0;
  for (let i = 0; i < events.length; i += ROWS_PER_STATEMENT) {
    const chunk = events.slice(i, i + ROWS_PER_STATEMENT);
    const ids = [...new Set(chunk.map((e) => e.memberId))];
    const members = await q.all<{ id: number; customer_gid: string; points_available: number }>(
      // NOT INDEXED: an id list is looked up by primary key whatever the statistics say (ledger.server's byIdOnly)
      `SELECT id, customer_gid, points_available FROM members${q.dialect === "sqlite" ? " NOT INDEXED" : ""} WHERE shop = ? AND id IN (${ids.map(() => "?").join(", ")})`,
      [shop, ...ids],
    );
    const byId = new Map(members.map((m) => [Number(m.id), m]));
    const rows = chunk.flatMap((e) => {
      const m = byId.get(e.memberId);
      if (!m || !/^gid:\/\/shopify\/Customer\/\d+$/.test(m.customer_gid)) return [];
      return [{ e, gid: m.customer_gid, payload: JSON.stringify({ balance: Number(m.points_available), ...e.data }) }];
    });
    if (!rows.length) continue;
    const inserted = await q.all<{ id: number; kind: string }>(
      `INSERT INTO app_events (shop, kind, member_id, customer_gid, payload, dedupe_key, created_at, flow_status)
       VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, 'pending')").join(", ")}
       ON CONFLICT (shop, dedupe_key) DO NOTHING RETURNING id, kind`,
      rows.flatMap((r) => [shop, r.e.kind, r.e.memberId, r.gid, r.payload, `${r.e.kind}:${r.e.dedupeKey}`, tsOf(q, at)]),
    );
    if (!inserted.length) continue;
    recorded += inserted.length;
    await q.run(
      `INSERT INTO jobs (shop, kind, payload, status, attempts, max_attempts, run_at, dedupe_key, created_at)
       VALUES ${inserted.map(() => "(?, 'flow:trigger', ?, 'queued', 0, ?, ?, ?, ?)").join(", ")}
       ON CONFLICT (shop, dedupe_key) DO NOTHING`,
      // due now on the queue's clock, as enqueue() books it (`at` is the fact's time, maybe a test's)
      inserted.flatMap((r) => [shop, JSON.stringify({ eventId: Number(r.id) }), FLOW_MAX_ATTEMPTS, tsOf(q, Date.now()), `flow:trigger:${Number(r.id)}`, tsOf(q, Date.now())]),
    );
    for (const r of inserted) {
      for (const e of endpoints) {
        if ((JSON.parse(e.events) as string[]).includes(r.kind)) await scheduleDelivery(q, shop, Number(e.id), Number(r.id), at);
      }
    }
  }
  return recorded;
}

interface EventRow {
  id: number;
  kind: string;
  customer_gid: string;
  payload: string;
  created_at: unknown;
  flow_status: string;
}

export function eventOf(r: EventRow): AppEvent {
  if (!isAppEventKind(r.kind)) throw new Error(`unknown event kind ${r.kind}`);
  return { id: Number(r.id), kind: r.kind, customerGid: r.customer_gid, data: JSON.parse(r.payload) as AppEventData, createdAt: toDate(r.created_at)?.getTime() ?? 0 };
}

export async function loadEvent(q: Queryable, shop: string, eventId: number): Promise<(AppEvent & { flowStatus: string }) | null> {
  const r = await q.get<EventRow>(`SELECT id, kind, customer_gid, payload, created_at, flow_status FROM app_events WHERE shop = ? AND id = ?`, [shop, eventId]);
  return r ? { ...eventOf(r), flowStatus: r.flow_status } : null;
}

export class FlowRejectedError extends Error {}

/**
 * The `flow:trigger` job: fires the event's trigger once. A THROTTLED answer or a network error
 * throws (the queue retries with backoff); Shopify's userErrors can't get better by retrying, so
 * the event is marked failed with them and FlowRejectedError tells the job not to retry.
 */
export async function sendFlowTrigger(sql: Sql, shop: string, eventId: number, admin: AdminGraphql, now = Date.now()): Promise<"sent" | "already" | "missing"> {
  const event = await loadEvent(sql, shop, eventId);
  if (!event) return "missing";
  if (event.flowStatus === "sent") return "already";
  const { handle, payload } = flowTriggerPayload(event);
  const errors = await flowTriggerReceive(admin, handle, payload);
  if (errors.length) {
    const reason = errors.map((e) => `${(e.field ?? []).join(".") || "payload"}: ${e.message}`).join("; ").slice(0, 1000);
    await sql.run(`UPDATE app_events SET flow_status = 'failed', flow_error = ? WHERE shop = ? AND id = ?`, [reason, shop, eventId]);
    throw new FlowRejectedError(reason);
  }
  await sql.run(`UPDATE app_events SET flow_status = 'sent', flow_error = NULL, flow_sent_at = ? WHERE shop = ? AND id = ?`, [tsOf(sql, now), shop, eventId]);
  return "sent";
}

export interface AppEventView {
  id: number;
  kind: AppEventKind;
  customerGid: string;
  createdAt: string | null;
  flowStatus: string;
  flowError: string | null;
}

/** The latest events of a shop, for the admin. */
export async function recentEvents(q: Queryable, shop: string, limit = 20): Promise<AppEventView[]> {
  const rows = await q.all<EventRow & { flow_error: string | null }>(
    `SELECT id, kind, customer_gid, payload, created_at, flow_status, flow_error FROM app_events WHERE shop = ? ORDER BY id DESC LIMIT ?`,
    [shop, limit],
  );
  return rows.filter((r) => isAppEventKind(r.kind)).map((r) => ({ id: Number(r.id), kind: r.kind as AppEventKind, customerGid: r.customer_gid, createdAt: toDate(r.created_at)?.toISOString() ?? null, flowStatus: r.flow_status, flowError: r.flow_error }));
}
