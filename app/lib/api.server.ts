// The merchant API's door (docs/api.md): a Bearer API key names the shop; the body must be JSON.
import { z } from "zod";
import { database } from "~/db.server";
import { shopForApiKey } from "~/models/api-keys.server";

export const apiJson = (data: unknown, status = 200) =>
  new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });

export const methodNotAllowed = () => apiJson({ error: "use POST" }, 405);

/** The key's shop and the parsed body, or the answer to give (401 unknown key, 400 not JSON). */
export async function apiRequest(request: Request): Promise<{ shop: string; body: unknown } | { response: Response }> {
  if (request.method !== "POST") return { response: methodNotAllowed() };
  const key = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const db = await database();
  const shop = key ? await shopForApiKey(db.sql, key) : null;
  if (!shop) return { response: apiJson({ error: "missing or unknown API key" }, 401) };
  try {
    return { shop, body: JSON.parse(await request.text()) };
  } catch {
    return { response: apiJson({ error: "body must be JSON" }, 400) };
  }
}

export function fieldErrors(issues: Array<{ path: Array<string | number>; message: string }>): Record<string, string> {
  return Object.fromEntries(issues.map((i) => [i.path.join(".") || "body", i.message]));
}

/** A Shopify id as the API accepts it: the number, or its GID. */
export function idInput(kind: "Customer" | "Product") {
  return z.union([z.string().regex(new RegExp(`^(gid://shopify/${kind}/)?\\d+$`), `must be a Shopify ${kind.toLowerCase()} id or GID`), z.number().int().positive()]);
}

export function toGid(kind: "Customer" | "Product", id: string | number): string {
  return `gid://shopify/${kind}/${String(id).replace(`gid://shopify/${kind}/`, "")}`;
}

/** Authenticates and validates an API call: the shop and the parsed body, or the answer to give. */
export async function apiCall<T>(request: Request, schema: z.ZodType<T>, what: string): Promise<{ shop: string; data: T } | { response: Response }> {
  const req = await apiRequest(request);
  if ("response" in req) return req;
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) return { response: apiJson({ error: `invalid ${what}`, fieldErrors: fieldErrors(parsed.error.issues) }, 422) };
  return { shop: req.shop, data: parsed.data };
}
