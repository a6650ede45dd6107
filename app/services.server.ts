// What the HTTP server needs from the app besides Remix: the lean webhook intake and the worker.
import { database } from "./db.server";
import { env } from "./lib/env.server";
import { log } from "./lib/logger.server";
import { adminFor } from "./jobs/admin.server";
import { Worker } from "./jobs/worker.server";
import { intake } from "./webhooks/intake.server";

export const services = {
  async webhookIntake(url: string, headers: Headers, rawBody: string, meta?: { eventId?: string; triggeredAt?: string }) {
    const config = env();
    const db = await database();
    return intake(
      db.sql,
      {
        apiKey: config.SHOPIFY_API_KEY,
        apiSecretKey: config.SHOPIFY_API_SECRET,
        appUrl: config.SHOPIFY_APP_URL,
        scopes: config.SCOPES.split(","),
      },
      url,
      headers,
      rawBody,
      meta,
    );
  },
  async startInlineWorker(): Promise<Worker | null> {
    if (env().WORKER !== "inline") return null;
    const db = await database();
    const worker = new Worker({ sql: db.sql, log, admin: adminFor });
    worker.start();
    return worker;
  },
  async close() {
    const db = await database();
    await db.close();
  },
};
export type Services = typeof services;
