// The door of the Shopify Flow routes (app/routes/flow.*.tsx: the actions and the trigger lifecycle
// callback, docs/decisions/0024): Shopify's library verifies
// the request (authenticate.flow: X-Shopify-Hmac-SHA256 over the raw body with the app secret)
// and finds the shop's offline session. The library answers 400 for a bad signature and for a
// shop without a session alike; a failed signature is told apart with the same library's
// flow.validate, so an unsigned or forged request gets 401 (docs/security.md) and writes nothing.
import type { z } from "zod";
import { authenticate } from "~/shopify.server";
import { env } from "~/lib/env.server";
import { apiJson, fieldErrors } from "~/lib/api.server";
import { validator } from "~/webhooks/intake.server";
import { FlowEnvelope, type FlowActionHandle } from "~/domain/flow-actions";

export type FlowRequest<T> = { shop: string; actionRunId: string; properties: T } | { response: Response };

function api() {
  const c = env();
  return validator({ apiKey: c.SHOPIFY_API_KEY, apiSecretKey: c.SHOPIFY_API_SECRET, appUrl: c.SHOPIFY_APP_URL, scopes: c.SCOPES.split(",") });
}

async function signatureValid(request: Request, rawBody: string): Promise<boolean> {
  const result = await api().flow.validate({ rawBody, rawRequest: request });
  return result.valid;
}

/** The answer to a signed body the library could not take a shop from (it throws, not answers,
 *  on a body that is JSON but not an object, or whose shopify_domain is no shop's domain: found
 *  by the fuzz, #12): 400 naming the field; unsigned still 401. Null when the body does name a
 *  shop, so whatever the library threw is a real failure and stays one. */
async function refusedEnvelope(request: Request, rawBody: string): Promise<Response | null> {
  if (!(await signatureValid(request, rawBody))) return apiJson({ error: "unauthorized" }, 401);
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    return apiJson({ error: "body must be JSON" }, 400);
  }
  const domain = payload && typeof payload === "object" && !Array.isArray(payload) ? (payload as Record<string, unknown>).shopify_domain : undefined;
  if (typeof domain !== "string" || !api().utils.sanitizeShop(domain)) return apiJson({ error: "invalid Flow request", fieldErrors: { shopify_domain: "must be a shop's myshopify.com domain" } }, 400);
  return null;
}

/**
 * Authenticates a request from Shopify Flow (an action run or a trigger lifecycle notice) and
 * gives its JSON body and the shop, or the answer to send: 405, 401 (bad or missing signature),
 * 400 (not JSON, or a shop without a session).
 */
export async function flowRequest(request: Request): Promise<{ shop: string; payload: unknown } | { response: Response }> {
  if (request.method !== "POST") return { response: apiJson({ error: "use POST" }, 405) };
  const copy = request.clone();
  try {
    const auth = await authenticate.flow(request);
    return { shop: auth.session.shop, payload: auth.payload };
  } catch (thrown) {
    if (!(thrown instanceof Response)) {
      // the signature was good but the body isn't JSON: the library's JSON.parse threw
      if (thrown instanceof SyntaxError) return { response: apiJson({ error: "body must be JSON" }, 400) };
      const refused = await refusedEnvelope(copy, await copy.clone().text());
      if (refused) return { response: refused };
      throw thrown;
    }
    if (thrown.status === 400 && !(await signatureValid(copy, await copy.clone().text()))) return { response: apiJson({ error: "unauthorized" }, 401) };
    return { response: thrown.status === 400 ? apiJson({ error: "the shop has no session: is the app installed?" }, 400) : thrown };
  }
}

/** Authenticates a Flow action request and parses its properties, or gives the answer to send. */
export async function flowActionRequest<T>(request: Request, handle: FlowActionHandle, properties: z.ZodType<T>): Promise<FlowRequest<T>> {
  const auth = await flowRequest(request);
  if ("response" in auth) return auth;
  const { shop, payload } = auth;
  const envelope = FlowEnvelope.safeParse(payload);
  if (!envelope.success) return { response: apiJson({ error: "invalid Flow request", fieldErrors: fieldErrors(envelope.error.issues) }, 400) };
  const declared = envelope.data.handle ?? envelope.data.action_definition_id;
  if (declared && declared !== handle) return { response: apiJson({ error: `this endpoint runs ${handle}, not ${declared}` }, 400) };
  const props = properties.safeParse(envelope.data.properties);
  if (!props.success) return { response: apiJson({ error: "invalid properties", fieldErrors: fieldErrors(props.error.issues) }, 422) };
  return { shop, actionRunId: envelope.data.action_run_id, properties: props.data };
}
