// The Remix door for webhooks (one route file per topic calls this): Shopify's
// authenticate.webhook verifies; the delivery is recorded exactly like the lean path does.
import { database } from "~/db.server";
import { authenticate } from "~/shopify.server";
import { acceptVerified, isShopDomain, withComplianceApiVersion } from "~/webhooks/intake.server";
import type { Topic } from "~/webhooks/topics";

export async function webhookAction(request: Request, expected: Topic): Promise<Response> {
  // unsigned is unauthenticated (401), as on the lean path; the library would call it a bad request
  if (!request.headers.get("x-shopify-hmac-sha256")) return new Response("unsigned", { status: 401 });
  // the shop header isn't covered by the HMAC; the library throws (a 500) on one that isn't a domain
  if (!isShopDomain(request.headers.get("x-shopify-shop-domain"))) return new Response("invalid shop domain", { status: 400 });
  const raw = await request.clone().text();
  const fixed = new Request(request.url, { method: request.method, headers: withComplianceApiVersion(request.headers), body: raw || undefined });
  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(fixed);
  } catch (error) {
    if (error instanceof Response) return error;
    // The HMAC was valid (the library checks it before parsing), but the body isn't JSON.
    if (error instanceof SyntaxError) return new Response("malformed JSON", { status: 400 });
    throw error;
  }
  if (context.topic !== expected) return new Response(`this endpoint takes ${expected}`, { status: 400 });
  const db = await database();
  const result = await acceptVerified(db.sql, { ...context, shop: context.shop, topic: context.topic }, raw);
  return new Response(result.reason, { status: result.status });
}
