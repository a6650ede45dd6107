import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LooseJson } from "../index.ts";

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  json: LooseJson;
  validation?: unknown;
}

/**
 * A real HTTP server standing in for the app: records every request with its raw body and lets a
 * test decide the answer (status, or hang) per request.
 */
export async function startReceiver(
  respond: (req: Received, index: number) => number | "hang" = () => 200,
  inspect?: (raw: { req: IncomingMessage; res: ServerResponse; rawBody: string }) => Promise<unknown>,
) {
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let json: unknown = null;
      try {
        json = JSON.parse(rawBody);
      } catch {
        json = null;
      }
      const entry: Received = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, rawBody, json };
      if (inspect) entry.validation = await inspect({ req, res, rawBody });
      received.push(entry);
      const answer = respond(entry, received.length - 1);
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { "Content-Type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
