// Waiting for Shopify's leaky bucket instead of failing: every Admin API call for a shop reserves
// its expected cost from an estimate of that shop's bucket (restored at the plan's rate, corrected by
// every answer's extensions.cost.throttleStatus) and waits when the bucket would run dry. Calls for
// one shop queue in order, so a burst of redemptions is spread out, not refused.
import type { AdminGraphql } from "./client.server";

interface Bucket {
  available: number;
  max: number;
  restoreRate: number;
  at: number;
}

const buckets = new Map<string, Bucket>();
const lastCost = new Map<string, number>();
const DEFAULT_BUCKET: Omit<Bucket, "at"> = { available: 1000, max: 1000, restoreRate: 100 }; // Standard plan

export interface ThrottleOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** attempts when Shopify still answers THROTTLED */
  attempts?: number;
  /** background work (syncs, publishing) waits until half the bucket is left for shoppers */
  background?: boolean;
}

/** The share of a shop's bucket background work never takes. */
export const BACKGROUND_RESERVE = 0.5;

function refill(b: Bucket, now: number) {
  b.available = Math.min(b.max, b.available + ((now - b.at) / 1000) * b.restoreRate);
  b.at = now;
}

export function throttledAdmin(shop: string, graphql: AdminGraphql, opts: ThrottleOptions = {}): AdminGraphql {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (query, options) => {
    for (let attempt = 1; ; attempt++) {
      const b = buckets.get(shop) ?? { ...DEFAULT_BUCKET, at: now() };
      buckets.set(shop, b);
      refill(b, now());
      const cost = lastCost.get(query) ?? 10;
      if (opts.background) {
        for (let spare = b.available - cost - b.max * BACKGROUND_RESERVE; spare < 0; spare = b.available - cost - b.max * BACKGROUND_RESERVE) {
          await sleep(Math.ceil((-spare / b.restoreRate) * 1000));
          refill(b, now());
        }
      }
      b.available -= cost; // reserved now, in call order
      if (b.available < 0) await sleep(Math.ceil((-b.available / b.restoreRate) * 1000));
      const response = await graphql(query, options);
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { errors?: Array<{ extensions?: { code?: string } }> | string; extensions?: { cost?: { requestedQueryCost?: number; actualQueryCost?: number | null; throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } } } } | null;
      const c = body?.extensions?.cost;
      if (c?.requestedQueryCost) lastCost.set(query, c.requestedQueryCost);
      if (c?.throttleStatus) {
        refill(b, now());
        b.max = c.throttleStatus.maximumAvailable;
        b.restoreRate = c.throttleStatus.restoreRate;
        // the answer knows better, unless calls still in flight have reserved more since
        b.available = Math.min(b.available, c.throttleStatus.currentlyAvailable);
      }
      const throttled = Array.isArray(body?.errors) && body.errors.some((e) => e.extensions?.code === "THROTTLED");
      if (!throttled || attempt >= (opts.attempts ?? 5)) return response;
      b.available = Math.min(b.available, 0);
      await sleep(Math.ceil((cost / b.restoreRate) * 1000));
    }
  };
}

/** For tests: forget what is known about shops' buckets. */
export function resetBuckets(): void {
  buckets.clear();
  lastCost.clear();
}
