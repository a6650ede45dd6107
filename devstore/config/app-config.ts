import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { parseToml, type TomlTable, type TomlValue } from "./toml.ts";
import { repoRoot } from "../core/paths.ts";

export interface WebhookSubscription {
  topics: string[];
  /** Absolute URL, or a path resolved against the app URL. */
  uri: string;
  /** Compliance subscriptions (customers/data_request, customers/redact, shop/redact). */
  compliance: boolean;
  includeFields?: string[];
  filter?: string;
}

export interface AppProxyConfig {
  /** Where Shopify forwards to, e.g. https://app.example.com/proxy (path kept, origin replaced by appUrl). */
  url: string;
  prefix: string;
  subpath: string;
}

export interface AppConfig {
  clientId?: string;
  name?: string;
  handle?: string;
  applicationUrl?: string;
  scopes?: string;
  webhookApiVersion?: string;
  subscriptions: WebhookSubscription[];
  appProxy?: AppProxyConfig;
}

export const DEFAULT_TOML_PATH = path.join(repoRoot, "shopify.app.toml");

/** Reads shopify.app.toml; a missing file gives an empty config (no subscriptions). */
export function readAppConfig(tomlPath = DEFAULT_TOML_PATH): AppConfig {
  if (!existsSync(tomlPath)) return { subscriptions: [] };
  return appConfigFromToml(parseToml(readFileSync(tomlPath, "utf8")));
}

export function appConfigFromToml(doc: TomlTable): AppConfig {
  const webhooks = table(doc.webhooks);
  const subscriptions: WebhookSubscription[] = [];
  const subs = webhooks?.subscriptions;
  if (subs !== undefined && !Array.isArray(subs)) throw new Error("[[webhooks.subscriptions]] must be an array of tables");
  for (const raw of subs ?? []) {
    const sub = table(raw);
    if (!sub) throw new Error("each [[webhooks.subscriptions]] entry must be a table");
    const uri = str(sub.uri);
    if (!uri) throw new Error("a webhook subscription has no uri");
    const topics = strings(sub.topics);
    const compliance = strings(sub.compliance_topics);
    const extra = {
      ...(sub.include_fields !== undefined ? { includeFields: strings(sub.include_fields) } : {}),
      ...(str(sub.filter) ? { filter: str(sub.filter)! } : {}),
    };
    if (topics.length) subscriptions.push({ topics, uri, compliance: false, ...extra });
    if (compliance.length) subscriptions.push({ topics: compliance, uri, compliance: true });
  }
  const proxy = table(doc.app_proxy);
  const access = table(doc.access_scopes);
  const config: AppConfig = { subscriptions };
  const clientId = str(doc.client_id);
  if (clientId) config.clientId = clientId;
  const name = str(doc.name);
  if (name) config.name = name;
  const handle = str(doc.handle);
  if (handle) config.handle = handle;
  const applicationUrl = str(doc.application_url);
  if (applicationUrl) config.applicationUrl = applicationUrl;
  const scopes = str(access?.scopes);
  if (scopes !== undefined) config.scopes = scopes;
  const apiVersion = str(webhooks?.api_version);
  if (apiVersion) config.webhookApiVersion = apiVersion;
  if (proxy && str(proxy.url)) {
    config.appProxy = { url: str(proxy.url)!, prefix: str(proxy.prefix) ?? "apps", subpath: str(proxy.subpath) ?? "" };
  }
  return config;
}

function table(value: TomlValue | undefined): TomlTable | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
}

function str(value: TomlValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function strings(value: TomlValue | undefined): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new Error("expected an array of strings");
  return value as string[];
}
