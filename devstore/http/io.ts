import type { IncomingMessage, ServerResponse } from "node:http";

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Parses a JSON or form-encoded body into an object; null when it is neither. */
export function parseBodyObject(raw: Buffer, contentType: string | undefined): Record<string, unknown> | null {
  const text = raw.toString("utf8");
  if (contentType?.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text || "{}");
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Host without port, lower-cased; X-Forwarded-Host wins (the app's fetch rewrites set it). */
export function requestHost(req: IncomingMessage): string | undefined {
  const raw = (req.headers["x-forwarded-host"] as string | undefined) ?? req.headers.host;
  return raw?.split(",")[0]?.trim().replace(/:\d+$/, "").toLowerCase();
}
