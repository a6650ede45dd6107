import { randomUUID } from "node:crypto";
import { hmacBase64 } from "../auth/hmac.ts";
import type { WebhookSubscription } from "../config/app-config.ts";
import { createRng, shuffleInPlace } from "../core/rng.ts";

/** Compliance topics go only to compliance subscriptions (compliance_topics in the TOML). */
export const COMPLIANCE_TOPICS = new Set(["customers/data_request", "customers/redact", "shop/redact"]);

/** Shopify: 8 retries over 4 hours with exponential backoff; these delays sum to exactly 4 h. */
export const DEFAULT_RETRY_DELAYS_MS = (() => {
  const base = (4 * 3600 * 1000) / 255;
  return Array.from({ length: 8 }, (_, i) => Math.round(base * 2 ** i));
})();

export interface WebhookAttempt {
  startedAt: number;
  status: number | null;
  error?: string;
  durationMs: number;
}

export interface WebhookDelivery {
  webhookId: string;
  eventId: string;
  topic: string;
  shop: string;
  url: string;
  apiVersion: string;
  body: string;
  headers: Record<string, string>;
  /** 0 for the delivery itself, 1… for duplicates made by the `duplicate` switch. */
  copy: number;
  attempts: WebhookAttempt[];
  state: "queued" | "held" | "sending" | "retrying" | "delivered" | "failed";
}

export interface WebhookEventInput {
  shop: string;
  topic: string;
  payload: unknown;
  triggeredAt: number;
}

/** Test switches; change them at any time through `store.webhooks.switches`. */
export interface WebhookSwitches {
  /** Send every delivery this many times in total (same webhook and event ids). Default 1. */
  duplicate: number;
  /** Wait this long before each attempt. Default 0. */
  delayMs: number;
  /** Divide retry delays by this factor. Default 1 (real time: 4 hours of retries). */
  timeCompression: number;
  /** No answer within this time counts as a failure. Default 5000 (Shopify's 5 s). */
  timeoutMs: number;
  /** Omit X-Shopify-API-Version on customers/data_request (a known Shopify quirk). */
  omitApiVersionOnDataRequest: boolean;
  /** Hold deliveries instead of sending them, until release(). */
  hold: boolean;
}

export interface DispatcherOptions {
  appUrl: string;
  secret: string;
  apiVersion: string;
  subscriptions: WebhookSubscription[];
  retryDelaysMs?: number[];
  seed?: number;
  concurrency?: number;
  now: () => number;
  switches?: Partial<WebhookSwitches>;
  log?: (line: string) => void;
}

export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  readonly switches: WebhookSwitches;
  private readonly queue: WebhookDelivery[] = [];
  private readonly held: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly controllers = new Set<AbortController>();
  private readonly waiters: { retries: boolean; resolve: () => void }[] = [];
  private readonly random: () => number;
  private active = 0;
  private closed = false;

  constructor(private readonly options: DispatcherOptions) {
    this.switches = {
      duplicate: 1,
      delayMs: 0,
      timeCompression: 1,
      timeoutMs: 5000,
      omitApiVersionOnDataRequest: false,
      hold: false,
      ...options.switches,
    };
    this.random = createRng(options.seed ?? 1);
  }

  get subscriptions(): WebhookSubscription[] {
    return this.options.subscriptions;
  }

  /** Subscriptions that receive `topic`. */
  subscribersOf(topic: string): WebhookSubscription[] {
    const compliance = COMPLIANCE_TOPICS.has(topic);
    return this.options.subscriptions.filter((s) => s.compliance === compliance && s.topics.includes(topic));
  }

  /** Creates one delivery per subscription (times `duplicate`) and queues them. */
  trigger(event: WebhookEventInput): WebhookDelivery[] {
    const eventId = randomUUID();
    const created: WebhookDelivery[] = [];
    for (const sub of this.subscribersOf(event.topic)) {
      const body = JSON.stringify(sub.includeFields ? pick(event.payload, sub.includeFields) : event.payload);
      const webhookId = randomUUID();
      const headers: Record<string, string> = {
        "Content-Type": "application/json",
        "User-Agent": "Shopify-Captain-Hook",
        "X-Shopify-Topic": event.topic,
        "X-Shopify-Hmac-Sha256": hmacBase64(this.options.secret, body),
        "X-Shopify-Shop-Domain": event.shop,
        "X-Shopify-API-Version": this.options.apiVersion,
        "X-Shopify-Webhook-Id": webhookId,
        "X-Shopify-Event-Id": eventId,
        "X-Shopify-Triggered-At": new Date(event.triggeredAt).toISOString(),
      };
      if (event.topic === "customers/data_request" && this.switches.omitApiVersionOnDataRequest) {
        delete headers["X-Shopify-API-Version"];
      }
      for (let copy = 0; copy < Math.max(1, this.switches.duplicate); copy++) {
        const delivery: WebhookDelivery = {
          webhookId,
          eventId,
          topic: event.topic,
          shop: event.shop,
          url: resolveUri(this.options.appUrl, sub.uri),
          apiVersion: this.options.apiVersion,
          body,
          headers,
          copy,
          attempts: [],
          state: "queued",
        };
        this.deliveries.push(delivery);
        created.push(delivery);
        if (this.switches.hold) {
          delivery.state = "held";
          this.held.push(delivery);
        } else this.queue.push(delivery);
      }
    }
    this.pump();
    return created;
  }

  /** Sends held deliveries, in arrival order, reversed, or shuffled (seeded). */
  release(order: "fifo" | "reverse" | "shuffle" = "fifo"): WebhookDelivery[] {
    const batch = this.held.splice(0);
    if (order === "reverse") batch.reverse();
    if (order === "shuffle") shuffleInPlace(batch, this.random);
    for (const d of batch) d.state = "queued";
    this.queue.push(...batch);
    this.switches.hold = false;
    this.pump();
    return batch;
  }

  /** Resolves when nothing is queued or being sent; with retries: true also waits for scheduled retries. */
  settle(options: { retries?: boolean } = {}): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ retries: options.retries ?? false, resolve });
      this.checkWaiters();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.controllers) c.abort();
    this.queue.splice(0);
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 1;
    while (!this.closed && this.active < limit && this.queue.length) {
      const next = this.queue.shift()!;
      this.active++;
      void this.attempt(next).finally(() => {
        this.active--;
        this.pump();
        this.checkWaiters();
      });
    }
    this.checkWaiters();
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    delivery.state = "sending";
    if (this.switches.delayMs > 0) await this.sleep(this.switches.delayMs);
    if (this.closed) return;
    const started = Date.now();
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(new Error("timeout")), this.switches.timeoutMs);
    const attempt: WebhookAttempt = { startedAt: this.options.now(), status: null, durationMs: 0 };
    try {
      const response = await fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body, signal: controller.signal });
      attempt.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      attempt.error = controller.signal.aborted ? `no answer within ${this.switches.timeoutMs} ms` : String((error as Error).message ?? error);
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    attempt.durationMs = Date.now() - started;
    delivery.attempts.push(attempt);
    const ok = attempt.status !== null && attempt.status >= 200 && attempt.status < 300;
    this.options.log?.(`webhook ${delivery.topic} → ${delivery.url}: ${attempt.status ?? attempt.error}`);
    if (ok) {
      delivery.state = "delivered";
      return;
    }
    const retryIndex = delivery.attempts.length - 1;
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    if (retryIndex >= delays.length || this.closed) {
      delivery.state = "failed";
      return;
    }
    delivery.state = "retrying";
    const wait = delays[retryIndex]! / Math.max(1e-9, this.switches.timeCompression);
    const retry = setTimeout(() => {
      this.timers.delete(retry);
      this.queue.push(delivery);
      this.pump();
    }, wait);
    // A pending retry alone must not keep a process alive (the listening server does while open).
    retry.unref();
    this.timers.add(retry);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private checkWaiters(): void {
    const busy = this.active > 0 || this.queue.length > 0;
    const retrying = this.deliveries.some((d) => d.state === "retrying");
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.closed || (!busy && (!w.retries || !retrying))) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}

/** Absolute URIs are used as they are; relative ones are appended to the app URL. */
export function resolveUri(appUrl: string, uri: string): string {
  if (/^https?:\/\//.test(uri)) return uri;
  return `${appUrl.replace(/\/+$/, "")}/${uri.replace(/^\/+/, "")}`;
}

/** include_fields: keep only the listed (dotted) paths. */
function pick(payload: unknown, fields: string[]): unknown {
  if (typeof payload !== "object" || payload === null) return payload;
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const [head, ...rest] = field.split(".");
    const value = (payload as Record<string, unknown>)[head!];
    if (value === undefined) continue;
    if (!rest.length) out[head!] = value;
    else if (Array.isArray(value)) {
      const prev = (out[head!] as Record<string, unknown>[] | undefined) ?? value.map(() => ({}));
      out[head!] = value.map((item, i) => ({ ...prev[i], ...(pick(item, [rest.join(".")]) as object) }));
    } else out[head!] = { ...(out[head!] as object), ...(pick(value, [rest.join(".")]) as object) };
  }
  return out;
}
