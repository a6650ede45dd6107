// Webhook intake: verify with Shopify's library, record the delivery and its job, answer.
// Two doors lead here, both verified by Shopify's own code: the Remix route files (through
// authenticate.webhook) and the production server's lean path in front of Remix (through
// @shopify/shopify-api's webhooks.validate), which skips Remix and the session lookup so intake
// stays fast (docs/decisions/0004).
import "@shopify/shopify-api/adapters/web-api";
import { shopifyApi, WebhookValidationErrorReason, type Shopify } from "@shopify/shopify-api";
import { API_VERSION } from "~/lib/env.server";
import { recordDelivery } from "~/models/webhooks.server";
import type { Sql } from "~/lib/sql.server";
import { COMPLIANCE_TOPICS, isTopic } from "./topics";
import { jobsSignal } from "~/jobs/signal.server";

export interface IntakeConfig {
  apiKey: string;
  apiSecretKey: string;
  appUrl: string;
  scopes: string[];
}

export interface IntakeResult {
  status: number;
  reason: string;
}

const validators = new Map<string, Shopify>();
/** @shopify/shopify-api configured for this app (verification only; also used for Flow action requests). */
export function validator(config: IntakeConfig): Shopify {
  const key = `${config.apiKey}\u0000${config.apiSecretKey}`;
  let api = validators.get(key);
  if (!api) {
    const url = new URL(config.appUrl);
    api = shopifyApi({
      apiKey: config.apiKey,
      apiSecretKey: config.apiSecretKey,
      apiVersion: API_VERSION as never,
      hostName: url.host,
      hostScheme: url.protocol.replace(":", "") as "http" | "https",
      isEmbeddedApp: true,
      scopes: config.scopes,
      logger: { level: 0, log: async () => undefined },
      _logDisabledFutureFlags: false,
    } as Parameters<typeof shopifyApi>[0]);
    validators.set(key, api);
  }
  return api;
}

const API_VERSION_HEADER = "x-shopify-api-version";
const TOPIC_HEADER = "x-shopify-topic";

/**
 * Shopify has been seen to send compliance webhooks (customers/data_request) without the
 * X-Shopify-API-Version header, which the library requires. That header is not covered by the
 * HMAC (the body is), so supplying our configured version changes no security property.
 */
export function withComplianceApiVersion(headers: Headers): Headers {
  if (headers.get(API_VERSION_HEADER)) return headers;
  const topic = (headers.get(TOPIC_HEADER) ?? "").toUpperCase().replace(/[/.]/g, "_");
  if (!isTopic(topic) || !COMPLIANCE_TOPICS.has(topic)) return headers;
  const copy = new Headers(headers);
  copy.set(API_VERSION_HEADER, API_VERSION);
  return copy;
}

export interface VerifiedDelivery {
  shop: string;
  topic: string;
  webhookId: string;
  eventId?: string;
  apiVersion: string;
  triggeredAt?: string;
}

/** A shop's myshopify domain as Shopify's library accepts it (or the configured custom domain).
 *  The X-Shopify-Shop-Domain header isn't covered by the HMAC, so it is checked on its own. */
export function isShopDomain(shop: string | null): shop is string {
  const custom = process.env.SHOP_CUSTOM_DOMAIN?.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^[a-zA-Z0-9][a-zA-Z0-9-_]*\\.(myshopify\\.com|myshopify\\.io|shopify\\.com${custom ? `|${custom}` : ""})$`).test(shop ?? "");
}

/** Parses the body and records the verified delivery; 400 for a body that isn't a JSON object or
 *  a shop header that isn't a shop's domain. */
export async function acceptVerified(sql: Sql, v: VerifiedDelivery, rawBody: string): Promise<IntakeResult> {
  if (!isShopDomain(v.shop)) return { status: 400, reason: "invalid shop domain" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return { status: 400, reason: "malformed JSON" };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { status: 400, reason: "body is not a JSON object" };
  if (!isTopic(v.topic)) return { status: 200, reason: `topic ${v.topic} not handled` };
  const { duplicate } = await recordDelivery(sql, {
    shop: v.shop,
    topic: v.topic,
    eventId: v.eventId || v.webhookId,
    webhookId: v.webhookId,
    apiVersion: v.apiVersion,
    triggeredAt: v.triggeredAt ?? null,
    rawBody,
  });
  if (!duplicate) jobsSignal.emit("enqueued");
  return { status: 200, reason: duplicate ? "duplicate" : "accepted" };
}

/** The lean path: the headers validation needs, the raw body as received, and the delivery's
 *  optional metadata (event id, time) read from the request by the caller. */
export async function intake(
  sql: Sql,
  config: IntakeConfig,
  url: string,
  headers: Headers,
  rawBody: string,
  meta: { eventId?: string; triggeredAt?: string } = {},
): Promise<IntakeResult> {
  const api = validator(config);
  const request = new Request(url, { method: "POST", headers: withComplianceApiVersion(headers) });
  const check = await api.webhooks.validate({ rawBody, rawRequest: request });
  if (!check.valid) {
    if (check.reason === WebhookValidationErrorReason.MissingHeaders) return { status: 400, reason: "missing headers" };
    return { status: 401, reason: check.reason };
  }
  return acceptVerified(
    sql,
    { ...check, shop: check.domain, eventId: check.eventId ?? meta.eventId ?? headers.get("x-shopify-event-id") ?? undefined, triggeredAt: check.triggeredAt ?? meta.triggeredAt },
    rawBody,
  );
}
