/**
 * Request bodies the way Shopify's cart endpoints accept them: JSON, form-encoded or multipart
 * (fetch with FormData), with Rails-style bracket keys (`items[0][id]`, `updates[123]`,
 * `attributes[ref]`, `properties[Engraving]`, `updates[]`).
 */

export class BodyError extends Error {}

/** Nests bracket keys; an object whose keys are exactly 0..n-1 becomes an array. */
export function nestForm(entries: Iterable<[string, string]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const m = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
    if (!m) {
      root[key] = value;
      continue;
    }
    const path = [m[1]!, ...[...m[2]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!)];
    let node: Record<string, unknown> = root;
    for (let i = 0; i < path.length; i++) {
      let segment = path[i]!;
      if (segment === "") segment = String(Object.keys(node).length);
      if (i === path.length - 1) {
        node[segment] = value;
      } else {
        const next = node[segment];
        if (!next || typeof next !== "object") node[segment] = {};
        node = node[segment] as Record<string, unknown>;
      }
    }
  }
  return arrayify(root) as Record<string, unknown>;
}

function arrayify(value: unknown): unknown {
  if (!value || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (const k of keys) obj[k] = arrayify(obj[k]);
  if (keys.length && keys.every((k, i) => k === String(i))) return keys.map((k) => obj[k]);
  return obj;
}

/** Parses a request body by its content type. */
export async function parseBody(raw: Buffer, contentType: string | undefined, query: URLSearchParams): Promise<Record<string, unknown>> {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const fromQuery = nestForm(query.entries());
  if (!raw.length) return fromQuery;
  if (type === "application/json" || type.endsWith("+json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new BodyError("the body is not valid JSON");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new BodyError("the JSON body must be an object");
    return { ...fromQuery, ...(parsed as Record<string, unknown>) };
  }
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data" || type === "") {
    if (type === "") return { ...fromQuery, ...nestForm(new URLSearchParams(raw.toString("utf8")).entries()) };
    const form = await new Response(new Uint8Array(raw), { headers: { "content-type": contentType! } }).formData();
    const entries: [string, string][] = [];
    form.forEach((value, key) => {
      if (typeof value === "string") entries.push([key, value]);
    });
    return { ...fromQuery, ...nestForm(entries) };
  }
  throw new BodyError(`unsupported content type ${type}`);
}

export function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
}
