/**
 * The Shopify admin around an embedded app, offline: `/admin` lists the shops, and
 * `/admin/apps/{handle}{/path}?shop=&locale=` shows the app in an iframe loaded the way Shopify
 * loads it (embedded=1, host, shop, locale, id_token, timestamp and an admin `hmac`). The App Bridge
 * stand-in is served at the CDN's path (`/cdn/shopifycloud/app-bridge.js`) and gets its session
 * tokens from `/admin/app-bridge/id-token`.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { ShopState } from "../state/shop.ts";

export interface AdminUiDeps {
  apiKey: string;
  appUrl: string;
  appHandle: string;
  appName: string;
  shops: { get(domain?: string): ShopState; all(): ShopState[] };
  sessionToken(shop: string): { token: string; exp: number };
  signAdminQuery(params: Record<string, string>): string;
  now(): number;
}

export const APP_BRIDGE_PATH = "/cdn/shopifycloud/app-bridge.js";
const standIn = readFileSync(fileURLToPath(new URL("./app-bridge-standin.js", import.meta.url)), "utf8");

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store", ...extra });
  res.end(body);
}

/** The URL Shopify's admin puts in the app's iframe. */
export function embeddedAppUrl(deps: AdminUiDeps, shop: string, path: string, locale: string): string {
  const storeName = shop.replace(/\.myshopify\.com$/, "");
  const params: Record<string, string> = {
    embedded: "1",
    host: Buffer.from(`admin.shopify.com/store/${storeName}`).toString("base64url"),
    id_token: deps.sessionToken(shop).token,
    locale,
    session: Buffer.from(`${shop}:${deps.now()}`).toString("hex").slice(0, 64),
    shop,
    timestamp: String(Math.floor(deps.now() / 1000)),
  };
  const query = new URLSearchParams(params);
  query.set("hmac", deps.signAdminQuery(params));
  return `${deps.appUrl}${path.startsWith("/") ? path : `/${path}`}?${query.toString()}`;
}

function adminPage(deps: AdminUiDeps, shop: ShopState, path: string, locale: string): string {
  const src = embeddedAppUrl(deps, shop.domain, path, locale);
  return `<!doctype html>
<html lang="${esc(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(deps.appName)} · ${esc(shop.name)} · Shopify admin (offline store)</title>
<style>
body{margin:0;font-family:system-ui,sans-serif;background:#f1f1f1;color:#303030;display:grid;grid-template-columns:220px 1fr;grid-template-rows:48px 1fr;height:100vh}
header{grid-column:1/3;background:#1a1a1a;color:#fff;display:flex;align-items:center;gap:16px;padding:0 16px}
header a{color:#fff}nav{background:#ebebeb;padding:12px;overflow:auto}nav h2{font-size:13px;text-transform:uppercase;color:#616161}
nav a{display:block;padding:6px 8px;border-radius:6px;color:#303030;text-decoration:none}nav a:hover{background:#ddd}
main{display:flex;flex-direction:column;min-width:0}#title{font-size:18px;font-weight:600;padding:12px 16px;margin:0}
iframe{flex:1;border:0;background:#fff;width:100%}
#toasts{position:fixed;bottom:24px;left:50%;transform:translateX(-50%);display:flex;flex-direction:column;gap:8px}
.toast{background:#1a1a1a;color:#fff;padding:10px 16px;border-radius:8px}.toast.error{background:#8e1f0b}
</style></head>
<body>
<header><strong>Shopify admin</strong><span>${esc(shop.name)} (${esc(shop.domain)})</span><span style="flex:1"></span>
<a href="?shop=${encodeURIComponent(shop.domain)}&locale=${locale === "de" ? "en" : "de"}" data-testid="admin-locale">${locale === "de" ? "English" : "Deutsch"}</a></header>
<nav><h2>Apps</h2><a href="/admin/apps/${esc(deps.appHandle)}?shop=${encodeURIComponent(shop.domain)}&locale=${esc(locale)}">${esc(deps.appName)}</a><div id="app-nav" data-testid="app-nav"></div></nav>
<main><h1 id="title" data-testid="admin-title">${esc(deps.appName)}</h1>
<iframe id="app-frame" name="app-iframe" title="${esc(deps.appName)}" src="${esc(src)}"></iframe></main>
<div id="toasts" role="status" aria-live="polite"></div>
<script>
(function(){
  var frame=document.getElementById("app-frame"), appOrigin=${JSON.stringify(new URL(deps.appUrl).origin)};
  window.addEventListener("message",function(e){
    var d=e.data; if(!d||d.source!=="stk-app-bridge"||e.origin!==appOrigin)return;
    if(d.type==="toast"){var t=document.createElement("div");t.className="toast"+(d.isError?" error":"");t.setAttribute("data-testid","admin-toast");t.textContent=d.message;document.getElementById("toasts").appendChild(t);setTimeout(function(){t.remove()},5000);}
    if(d.type==="title"){document.getElementById("title").textContent=d.title||${JSON.stringify(deps.appName)};}
    if(d.type==="nav"){var nav=document.getElementById("app-nav");nav.innerHTML="";(d.items||[]).forEach(function(it){if(it.home)return;var a=document.createElement("a");a.href="#";a.textContent=it.label;a.style.paddingLeft="20px";a.addEventListener("click",function(ev){ev.preventDefault();frame.contentWindow.postMessage({source:"stk-admin",type:"navigate",path:it.href},appOrigin);});nav.appendChild(a);});}
  });
})();
</script></body></html>`;
}

function shopsPage(deps: AdminUiDeps): string {
  const rows = deps.shops
    .all()
    .map((s) => `<li><a href="/admin/apps/${esc(deps.appHandle)}?shop=${encodeURIComponent(s.domain)}">${esc(s.name)} (${esc(s.domain)})</a></li>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shopify admin (offline store)</title></head>
<body style="font-family:system-ui,sans-serif;max-width:640px;margin:3rem auto"><h1>Shopify admin (offline store)</h1><p>Open ${esc(deps.appName)} in a shop:</p><ul>${rows}</ul></body></html>`;
}

/** Handles the admin pages and the App Bridge stand-in; returns false for anything else. */
export function adminUiHandler(deps: AdminUiDeps) {
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    const path = url.pathname;
    if (req.method !== "GET") return false;
    if (path === APP_BRIDGE_PATH) {
      send(res, 200, "text/javascript; charset=utf-8", standIn, { "Access-Control-Allow-Origin": "*" });
      return true;
    }
    if (path === "/admin/app-bridge/id-token") {
      const cors = { "Access-Control-Allow-Origin": "*" };
      if (url.searchParams.get("api_key") !== deps.apiKey) {
        send(res, 403, "application/json", JSON.stringify({ error: "unknown api_key" }), cors);
        return true;
      }
      let shop: ShopState;
      try {
        shop = deps.shops.get(url.searchParams.get("shop") || undefined);
      } catch {
        send(res, 404, "application/json", JSON.stringify({ error: "unknown shop" }), cors);
        return true;
      }
      send(res, 200, "application/json", JSON.stringify(deps.sessionToken(shop.domain)), cors);
      return true;
    }
    if (path === "/admin" || path === "/admin/") {
      send(res, 200, "text/html; charset=utf-8", shopsPage(deps));
      return true;
    }
    const m = /^\/admin\/apps\/([^/]+)(\/.*)?$/.exec(path);
    if (m && m[1] === deps.appHandle) {
      let shop: ShopState;
      try {
        shop = deps.shops.get(url.searchParams.get("shop") || undefined);
      } catch {
        send(res, 404, "text/plain", "unknown shop");
        return true;
      }
      const locale = url.searchParams.get("locale") === "de" ? "de" : "en";
      send(res, 200, "text/html; charset=utf-8", adminPage(deps, shop, `/app${m[2] ?? ""}`, locale));
      return true;
    }
    return false;
  };
}
