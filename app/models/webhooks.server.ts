// Accepted webhook deliveries. The delivery row (unique per shop and event id) and the job that
// processes it are written in one transaction, so a delivery answered 2xx is never lost and a
// duplicate delivery changes nothing.
import { enqueue } from "~/jobs/queue.server";
import type { Sql } from "~/lib/sql.server";

export interface Delivery {
  shop: string;
  /** the library's storage form, e.g. ORDERS_PAID */
  topic: string;
  eventId: string;
  webhookId: string;
  apiVersion: string;
  triggeredAt?: string | null;
  rawBody: string;
}

export async function recordDelivery(sql: Sql, d: Delivery): Promise<{ duplicate: boolean; jobId: number | null }> {
  return sql.tx(async (q) => {
    const row = await q.get<{ id: number }>(
      `INSERT INTO webhook_deliveries (shop, topic, event_id, webhook_id, api_version, triggered_at, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (shop, event_id) DO NOTHING
       RETURNING id`,
      [d.shop, d.topic, d.eventId, d.webhookId, d.apiVersion, d.triggeredAt ?? null, q.dialect === "sqlite" ? Date.now() : new Date()],
    );
    if (!row) return { duplicate: true, jobId: null };
    const jobId = await enqueue(q, { shop: d.shop, kind: `webhook:${d.topic}`, payload: d.rawBody });
    return { duplicate: false, jobId };
  });
}
