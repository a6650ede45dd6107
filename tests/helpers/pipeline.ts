// Sends signed webhooks through the lean intake (Shopify's library verifies) and runs the worker:
// the same path production takes, minus the network.
import { Worker } from "~/jobs/worker.server";
import type { Sql } from "~/lib/sql.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { intake } from "~/webhooks/intake.server";
import { signedDelivery, TEST_API_KEY, TEST_SECRET } from "./webhooks";

const config = { apiKey: TEST_API_KEY, apiSecretKey: TEST_SECRET, appUrl: "https://app.example.com", scopes: ["read_orders"] };

/** `admin`: the Admin API for jobs that ask Shopify (e.g. the offline store's, tests/helpers/devstore.ts). */
export function pipeline(sql: Sql, opts: { admin?: (shop: string) => Promise<AdminGraphql> } = {}) {
  const send = async (topic: string, shop: string, body: object | string, opts: { eventId?: string } = {}) => {
    const d = signedDelivery({ topic, shop, body, eventId: opts.eventId });
    const headers = new Headers(d.headers);
    const r = await intake(sql, config, `https://app.example.com/webhooks/${topic}`, headers, d.body, { eventId: d.headers["x-shopify-event-id"] });
    if (r.status !== 200) throw new Error(`${topic}: ${r.status} ${r.reason}`);
    return r;
  };
  const worker = new Worker({ sql, admin: opts.admin });
  return {
    send,
    drain: (now?: number) => (now === undefined ? worker.drain() : drainAt(worker, now)),
    deliver: async (topic: string, shop: string, body: object | string) => {
      await send(topic, shop, body);
      await worker.drain();
    },
  };
}

async function drainAt(worker: Worker, now: number) {
  let total = 0;
  for (let i = 0; i < 1000; i++) {
    const n = await worker.runOnce(now);
    if (!n) break;
    total += n;
  }
  return total;
}
