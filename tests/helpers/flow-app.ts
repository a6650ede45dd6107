// The app's Shopify Flow routes behind a local HTTP server, as Flow (the devstore) reaches them:
// the actions and the trigger lifecycle callback (docs/decisions/0020, 0024).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type RouteAction = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;

const ROUTES: Record<string, () => Promise<{ action: RouteAction }>> = {
  "/flow/award-points": () => import("~/routes/flow.award-points") as unknown as Promise<{ action: RouteAction }>,
  "/flow/deduct-points": () => import("~/routes/flow.deduct-points") as unknown as Promise<{ action: RouteAction }>,
  "/flow/set-tier": () => import("~/routes/flow.set-tier") as unknown as Promise<{ action: RouteAction }>,
  "/flow/lifecycle": () => import("~/routes/flow.lifecycle") as unknown as Promise<{ action: RouteAction }>,
};

export async function startFlowApp(): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const route = ROUTES[req.url ?? ""];
      if (!route) {
        res.statusCode = 404;
        return res.end();
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && !["host", "connection", "content-length"].includes(k)) headers.set(k, v);
      const request = new Request(`https://app.example.com${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) });
      const response = await (await route()).action({ request, params: {}, context: {} }).catch((e: unknown) => (e instanceof Response ? e : new Response(String(e), { status: 500 })));
      res.statusCode = response.status;
      res.end(await response.text());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
