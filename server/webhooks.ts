// The lean webhook door, mounted in front of Remix: the raw body (the HMAC covers its exact
// bytes) goes to the intake, which verifies with Shopify's library and records in one transaction.
import express, { type Express } from "express";

export type IntakeFn = (url: string, headers: Headers, rawBody: string) => Promise<{ status: number; reason: string }>;

export function webHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    h.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  return h;
}

export function mountWebhooks(app: Express, intake: () => Promise<IntakeFn>): void {
  app.post("/webhooks/*", express.raw({ type: () => true, limit: "5mb" }), async (req, res) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
      const url = `${req.protocol}://${req.get("host")}${req.originalUrl}`;
      const result = await (await intake())(url, webHeaders(req.headers), body);
      res.status(result.status).type("text/plain").send(result.reason);
    } catch (error) {
      // Nothing was recorded: a non-2xx makes Shopify deliver again later.
      console.error("webhook intake failed", error);
      res.status(500).type("text/plain").send("try again");
    }
  });
}
