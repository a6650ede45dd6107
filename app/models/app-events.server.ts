// Business events fanned out to Shopify Flow and the merchant's outbound webhooks
// (docs/decisions/0020, 0024). `recordAppEvent` is called in the same transaction as the fact, next
// to its notice: one row per dedupe key, a `flow:trigger` job if the shop has an enabled workflow
// using the trigger, and one delivery (with its `hooks:deliver` job) per enabled endpoint that
// subscribes to the kind; an event nobody consumes is not written. Sending happens in jobs.
import type { Queryable, Sql } from "~/lib/sql.server";
import { toDate } from "~/lib/sql.server";
import { FLOW_TRIGGER_HANDLES, flowTriggerPayload, isAppEventKind, type AppEvent, type AppEventData, type AppEventKind } from "~/domain/app-events";
import { flowTriggerReceive } from "~/services/shopify/flow.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { scheduleDelivery } from "./outbound-webhooks.server";
import { enabledFlowTriggers } from "./flow-usage.server";

const tsOf = (q: Queryable, ms: number): unknown => (q.dialect === "sqlite" ? ms : new Date(ms));

/** Flow trigger jobs: Shopify's retries on THROTTLED or a 5xx happen through the queue's backoff. */
const FLOW_MAX_ATTEMPTS = 12;

export interface AppEventInput {
  kind: AppEventKind;
  memberId: number;
  data: AppEventData;
  dedupeKey: string;
}

/** Rows per multi-row statement in recordAppEvents. */
const ROWS_PER_STATEMENT = 300;

/**
 * Records a business event for a member, once per dedupe key, in the caller's transaction, and
 * books its Flow trigger and webhook deliveries: recordAppEvents with one event. Returns the event's
 * id, or null when the key was recorded before, the member is gone, or nobody consumes the event.
 */
export async function recordAppEvent(q: Queryable, shop: string, kind: AppEventKind, memberId: number, data: AppEventData, dedupeKey: string, at = Date.now()): Promise<number | null> {
  const [id] = await insertAppEvents(q, shop, [{ kind, memberId, data, dedupeKey }], at);
  return id ?? null;
}

/**
 * Records business events (one fact's, or the nightly tier and expiry run's many) with multi-row
 * statements, in the caller's transaction. The member's customer and available balance are read
 * here, so they are the values the fact produced. An event is kept only if someone consumes it
 * (docs/decisions/0024): a Flow trigger the shop has an enabled workflow for (Flow's lifecycle
 * callback said so) gets a `flow:trigger` job; every enabled outbound endpoint subscribed to the
 * kind gets a delivery. An event neither wants is not written. Returns how many events were new.
 */
export async function recordAppEvents(q: Queryable, shop: string, events: readonly AppEventInput[], at = Date.now()): Promise<number> {
  return (await insertAppEvents(q, shop, events, at)).length;
}

/** The ids of the events written, in order. */
async function insertAppEvents(q: Queryable, shop: string, events: readonly AppEventInput[], at: number): Promise<number[]> {
  if (!events.length) return [];
  const flowOn = await enabledFlowTriggers(q, shop);
  const endpoints = (await q.all<{ id: number; events: string }>(`SELECT id, events FROM webhook_endpoints WHERE shop = ? AND enabled = ? ORDER BY id`, [shop, q.dialect === "sqlite" ? 1 : true])).map((e) => ({
    id: Number(e.id),
    kinds: new Set(JSON.parse(e.events) as string[]),
  }));
  const toFlow = (kind: string) => isAppEventKind(kind) && flowOn.has(FLOW_TRIGGER_HANDLES[kind]);
  const wanted = events.filter((e) => toFlow(e.kind) || endpoints.some((x) => x.kinds.has(e.kind)));
  const ids: number[] = [];
  for (let i = 0; i < wanted.length; i += ROWS_PER_STATEMENT) {
    const chunk = wanted.slice(i, i + ROWS_PER_STATEMENT);
    const memberIds = [...new Set(chunk.map((e) => e.memberId))];
    const members = await q.all<{ id: number; customer_gid: string; points_available: number }>(
      // NOT INDEXED: an id list is looked up by primary key whatever the statistics say (ledger.server's byIdOnly)
      `SELECT id, customer_gid, points_available FROM members${q.dialect === "sqlite" ? " NOT INDEXED" : ""} WHERE shop = ? AND id IN (${memberIds.map(() => "?").join(", ")})`,
      [shop, ...memberIds],
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
       VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
       ON CONFLICT (shop, dedupe_key) DO NOTHING RETURNING id, kind`,
      rows.flatMap((r) => [shop, r.e.kind, r.e.memberId, r.gid, r.payload, `${r.e.kind}:${r.e.dedupeKey}`, tsOf(q, at), toFlow(r.e.kind) ? "pending" : "off"]),
    );
    if (!inserted.length) continue;
    // RETURNING's order isn't promised: the ids in the order of the input
    const written = inserted.map((r) => ({ id: Number(r.id), kind: r.kind })).sort((a, b) => a.id - b.id);
    ids.push(...written.map((r) => r.id));
    const flow = written.filter((r) => toFlow(r.kind));
    if (flow.length) {
      await q.run(
        `INSERT INTO jobs (shop, kind, payload, status, attempts, max_attempts, run_at, dedupe_key, created_at)
         VALUES ${flow.map(() => "(?, 'flow:trigger', ?, 'queued', 0, ?, ?, ?, ?)").join(", ")}
         ON CONFLICT (shop, dedupe_key) DO NOTHING`,
        // due now on the queue's clock, as enqueue() books it (`at` is the fact's time, maybe a test's)
        flow.flatMap((r) => [shop, JSON.stringify({ eventId: r.id }), FLOW_MAX_ATTEMPTS, tsOf(q, Date.now()), `flow:trigger:${r.id}`, tsOf(q, Date.now())]),
      );
    }
    for (const r of written) {
      for (const e of endpoints) if (e.kinds.has(r.kind)) await scheduleDelivery(q, shop, e.id, r.id, at);
    }
  }
  return ids;
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
 * The `flow:trigger` job: fires the event's trigger once, if a workflow still uses it. A THROTTLED answer or a network error
 * throws (the queue retries with backoff); Shopify's userErrors can't get better by retrying, so
 * the event is marked failed with them and FlowRejectedError tells the job not to retry.
 */
export async function sendFlowTrigger(sql: Sql, shop: string, eventId: number, admin: AdminGraphql, now = Date.now()): Promise<"sent" | "already" | "missing" | "off"> {
  const event = await loadEvent(sql, shop, eventId);
  if (!event) return "missing";
  if (event.flowStatus === "sent") return "already";
  const { handle, payload } = flowTriggerPayload(event);
  // the merchant switched the last workflow using the trigger off since the event was booked
  if (!(await enabledFlowTriggers(sql, shop)).has(handle)) {
    await sql.run(`UPDATE app_events SET flow_status = 'off' WHERE shop = ? AND id = ? AND flow_status <> 'sent'`, [shop, eventId]);
    return "off";
  }
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
