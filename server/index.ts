// The app's HTTP server. Webhooks take a lean path in front of Remix (verified by Shopify's
// library, recorded, answered); everything else is the Remix app. In development the Remix build
// comes from Vite in middleware mode; in production from `npm run build`.
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { createServer, type Server } from "node:http";
import type { Services } from "../app/services.server";
import { checkBody } from "./limits";
import { handleWebhook, isWebhookRequest } from "./webhooks";

export interface StartOptions {
  port?: number;
  host?: string;
  mode?: "production" | "development";
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const mode = options.mode ?? (process.env.NODE_ENV === "production" ? "production" : "development");
  const app = express();
  app.disable("x-powered-by");

  let loadBuild: () => Promise<ServerBuild>;
  let closeVite: (() => Promise<void>) | undefined;
  if (mode === "production") {
    const buildPath = new URL("../build/server/index.js", import.meta.url).href;
    const build = (await import(buildPath)) as ServerBuild;
    loadBuild = async () => build;
    app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
    app.use(express.static("build/client", { maxAge: "1h" }));
  } else {
    const vite = await import("vite");
    const devServer = await vite.createServer({ server: { middlewareMode: true }, appType: "custom" });
    app.use(devServer.middlewares);
    loadBuild = () => devServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
    closeVite = () => devServer.close();
  }
  const services = async () => ((await loadBuild()).entry.module as unknown as { services: Services }).services;

  app.all("*", async (req, res, next) => {
    try {
      const build = await loadBuild();
      return createRequestHandler({ build, mode })(req, res, next);
    } catch (error) {
      next(error);
    }
  });

  const worker = await (await services()).startInlineWorker();
  const port = options.port ?? Number(process.env.PORT ?? 3000);
  const host = options.host ?? process.env.HOST ?? "127.0.0.1";
  const intake = async () => (await services()).webhookIntake;
  const server = createServer((req, res) => {
    if (isWebhookRequest(req)) return void handleWebhook(req, res, intake);
    const refused = checkBody(req);
    if (refused) {
      res.writeHead(refused.status, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      return void res.end(refused.reason);
    }
    app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, host, () => resolve()));
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  const url = `http://${host}:${typeof address === "object" && address ? address.port : port}`;
  return {
    url,
    server,
    async close() {
      await worker?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeVite?.();
      await (await services()).close();
    },
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\/server\//, "/server/"))) {
  startServer()
    .then((s) => {
      console.log(`Stammkunde listening on ${s.url}`);
      const stop = () => s.close().then(() => process.exit(0));
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    })
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
