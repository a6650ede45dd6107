import type { FlowExtensions } from "../config/flow-extensions.ts";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { INVALID_TOKEN_BODY } from "../admin/errors.ts";
import type { AdminExecutor, GraphqlRequestBody } from "../admin/execute.ts";
import type { AdminContext } from "../admin/context.ts";
import { signAdminQuery } from "../auth/hmac.ts";
import { handleAccessTokenRequest, type AuthorizationCodes, type OAuthApp } from "../auth/oauth.ts";
import type { StoreCore } from "../core/context.ts";
import type { ShopState } from "../state/shop.ts";
import type { Storefront } from "../storefront/index.ts";
import { forwardAppProxy, headersOf, relayAppProxyResponse, type ProxyRoute } from "./app-proxy-forward.ts";
import type { Fault, FaultController, FaultTarget } from "./faults.ts";
import { parseBodyObject, readBody, requestHost, sendJson } from "./io.ts";

export interface ServerDeps {
  core: StoreCore;
  app: OAuthApp & { appId: number; appName: string };
  executors: Map<string, AdminExecutor>;
  faults: FaultController;
  codes: AuthorizationCodes;
  proxy: ProxyRoute;
  unmodelled: "error" | "null";
  control: (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer) => Promise<void>;
  /** Online Store stand-in: answers every other path, and knows the visitor behind an app proxy request. */
  storefront?: Storefront;
  /** The Shopify admin around the embedded app and the App Bridge stand-in (devstore/admin-ui). */
  adminUi?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
  /** The app's Flow extensions, for flowTriggerReceive. */
  flow?: FlowExtensions;
  log?: (line: string) => void;
}

const ADMIN_GRAPHQL = /^\/admin\/api\/([^/]+)\/graphql\.json$/;

export class DevStoreServer {
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly deps: ServerDeps) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        deps.log?.(`devstore error: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { errors: "Internal Server Error" });
        else res.end();
      });
    });
    this.server.keepAliveTimeout = 1000;
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private shopFromHost(req: IncomingMessage): ShopState | undefined {
    return this.deps.core.shops.find(requestHost(req));
  }

  /** Applies a fault; true when the request was answered (or left hanging) by it. */
  private async applyFault(target: FaultTarget, res: ServerResponse): Promise<{ handled: boolean; throttle: boolean }> {
    const fault: Fault | undefined = this.deps.faults.take(target);
    if (!fault) return { handled: false, throttle: false };
    switch (fault.kind) {
      case "hang":
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return { handled: true, throttle: false };
      case "slow":
        await new Promise((r) => setTimeout(r, fault.delayMs));
        return { handled: false, throttle: false };
      case "throttle":
        return { handled: false, throttle: true };
      case "error": {
        const status = fault.status ?? 503;
        const headers: Record<string, string> = status === 429 ? { "Retry-After": "2.0" } : {};
        sendJson(res, status, fault.body ?? { errors: status === 503 ? "Service Unavailable" : status === 502 ? "Bad Gateway" : status === 429 ? "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." : "Internal Server Error" }, headers);
        return { handled: true, throttle: false };
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://devstore.local");
    const path = url.pathname;
    const adminMatch = ADMIN_GRAPHQL.exec(path);
    if (adminMatch) return this.adminGraphql(req, res, adminMatch[1]!, url);
    if (path === "/admin/oauth/access_token") return this.accessToken(req, res);
    if (path === "/admin/oauth/authorize") return this.authorize(req, res, url);
    if (this.deps.adminUi?.(req, res, url)) return;
    if (path === this.deps.proxy.pathPrefix || path.startsWith(`${this.deps.proxy.pathPrefix}/`)) return this.appProxy(req, res, url);
    const storefront = this.deps.storefront;
    if (storefront && path.startsWith("/devstore/storefront/")) return storefront.handle(req, res, url, this.shopFromHost(req));
    if (path.startsWith("/devstore/")) return this.deps.control(req, res, path, await readBody(req));
    if (storefront) return storefront.handle(req, res, url, this.shopFromHost(req));
    sendJson(res, 404, { errors: "Not Found" });
  }

  private async adminGraphql(req: IncomingMessage, res: ServerResponse, version: string, url: URL): Promise<void> {
    const executor = this.deps.executors.get(version);
    if (!executor) return sendJson(res, 404, { errors: "Not Found" });
    if (req.method !== "POST" && req.method !== "GET") return sendJson(res, 405, { errors: "Method Not Allowed" }, { Allow: "GET, POST" });
    const token = req.headers["x-shopify-access-token"];
    const shop = typeof token === "string" ? this.deps.core.shops.byAccessToken(token) : undefined;
    const hostShop = this.shopFromHost(req);
    if (!shop || (hostShop && hostShop !== shop) || typeof token !== "string") {
      await readBody(req).catch(() => undefined);
      return sendJson(res, 401, INVALID_TOKEN_BODY);
    }
    const raw = await readBody(req);
    const fault = await this.applyFault("admin", res);
    if (fault.handled) return;
    let body: GraphqlRequestBody;
    if (req.method === "GET") {
      body = { query: url.searchParams.get("query") ?? undefined, operationName: url.searchParams.get("operationName") ?? undefined };
      const vars = url.searchParams.get("variables");
      if (vars) body.variables = safeJson(vars);
    } else if ((req.headers["content-type"] ?? "").includes("application/graphql")) {
      body = { query: raw.toString("utf8") };
    } else {
      const parsed = parseBodyObject(raw, "application/json");
      if (!parsed) return sendJson(res, 400, { errors: { query: "Required parameter missing or invalid" } });
      body = parsed;
    }
    const ctx: AdminContext = {
      core: this.deps.core,
      shop,
      token: shop.validToken(token)!,
      appId: this.deps.app.appId,
      apiKey: this.deps.app.apiKey,
      appName: this.deps.app.appName,
      cost: { actual: 0 },
      unmodelled: this.deps.unmodelled,
      themeFiles: this.deps.storefront ? (s) => this.deps.storefront!.themeFiles(s) : undefined,
      flow: this.deps.flow,
    };
    const outcome = await executor.run(body, ctx, shop.bucket, fault.throttle);
    sendJson(res, outcome.status, outcome.body, { "X-Shopify-API-Version": version, "X-Request-Id": randomUUID() });
  }

  private async accessToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") return sendJson(res, 405, { errors: "Method Not Allowed" });
    const raw = await readBody(req);
    const fault = await this.applyFault("oauth", res);
    if (fault.handled) return;
    const body = parseBodyObject(raw, req.headers["content-type"]);
    if (!body) return sendJson(res, 400, { error: "invalid_request", error_description: "The body must be JSON or form-encoded" });
    const outcome = handleAccessTokenRequest(this.deps.app, this.deps.core.shops, this.deps.codes, this.shopFromHost(req), body, this.deps.core.clock.now());
    sendJson(res, outcome.status, outcome.body);
  }

  /** The install/OAuth grant screen, auto-approved: redirects back with a signed code. */
  private async authorize(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const shop = this.shopFromHost(req) ?? this.deps.core.shops.find(url.searchParams.get("shop"));
    const redirectUri = url.searchParams.get("redirect_uri");
    if (!shop || url.searchParams.get("client_id") !== this.deps.app.apiKey || !redirectUri) {
      return sendJson(res, 400, { errors: "Oauth error invalid_request: The client_id, shop or redirect_uri is invalid" });
    }
    const scope = url.searchParams.get("scope") ?? shop.scope;
    const now = this.deps.core.clock.now();
    const params: Record<string, string> = {
      code: this.deps.codes.issue(shop, now, scope),
      host: Buffer.from(`admin.shopify.com/store/${shop.handle}`).toString("base64url"),
      shop: shop.domain,
      state: url.searchParams.get("state") ?? "",
      timestamp: String(Math.floor(now / 1000)),
    };
    params.hmac = signAdminQuery(this.deps.app.apiSecret, params);
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    res.writeHead(302, { Location: target.toString() });
    res.end();
  }

  private async appProxy(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const storefront = this.deps.storefront;
    // The storefront session (cookie) says who is logged in; Shopify never forwards the cookie itself.
    const visitor = storefront?.visitor(req, this.shopFromHost(req));
    const shop = visitor?.shop ?? this.shopFromHost(req) ?? this.deps.core.shops.get();
    const body = await readBody(req);
    const fault = await this.applyFault("proxy", res);
    if (fault.handled) return;
    const customerHeader = req.headers["x-devstore-customer-id"];
    const customerId = typeof customerHeader === "string" && customerHeader ? Number(customerHeader.replace(/^gid:\/\/shopify\/Customer\//, "")) : (visitor?.customerId ?? null);
    const upstream = await forwardAppProxy(this.deps.proxy, this.deps.app.apiSecret, this.deps.core.clock.now(), {
      shop,
      subPath: url.pathname.slice(this.deps.proxy.pathPrefix.length),
      query: url.searchParams,
      method: req.method ?? "GET",
      headers: headersOf(req),
      body,
      customerId,
      clientIp: req.socket.remoteAddress ?? undefined,
    });
    await relayAppProxyResponse(res, upstream, storefront && ((source) => storefront.renderProxyLiquid(req, res, shop, source, url)));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
