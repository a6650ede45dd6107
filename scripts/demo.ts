// npm run demo — the app on a fresh SQLite database with nothing else installed, offline.
// Ctrl-C stops everything it started.
import { rmSync } from "node:fs";

const port = Number(process.env.PORT ?? 3000);
const defaults: Record<string, string> = {
  SHOPIFY_API_KEY: "stammkunde-demo",
  SHOPIFY_API_SECRET: "stammkunde-demo-secret",
  SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
  DATABASE_URL: "file:./data/demo.sqlite",
  WORKER: "inline",
  PORT: String(port),
};
for (const [k, v] of Object.entries(defaults)) process.env[k] ??= v;

if (process.argv.includes("--fresh")) rmSync("data/demo.sqlite", { force: true });

const { startServer } = await import("../server/index");
const started = Date.now();
const app = await startServer({ port, mode: process.env.NODE_ENV === "production" ? "production" : "development" });
console.log(`
Stammkunde demo is running (${((Date.now() - started) / 1000).toFixed(1)} s), database ${process.env.DATABASE_URL}
  App:      ${app.url}/
  Webhooks: ${app.url}/webhooks/<topic>   (signed with SHOPIFY_API_SECRET=${process.env.SHOPIFY_API_SECRET})
Stop with Ctrl-C.
`);
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
