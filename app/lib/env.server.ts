// Configuration, checked once at start: a missing or malformed variable stops the process with a
// message naming it (never a stack trace at the first request).
import { z } from "zod";

export const API_VERSION = "2026-01";

export const DEFAULT_SCOPES =
  "read_customers,write_customers,read_orders,read_products,read_themes,write_discounts,write_store_credit_account_transactions";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().min(1, "is required (the app's client id)"),
  SHOPIFY_API_SECRET: z.string().min(1, "is required (the app's client secret)"),
  SHOPIFY_APP_URL: z.string().url("must be the app's public URL, e.g. https://stammkunde.example.com"),
  SCOPES: z.string().default(DEFAULT_SCOPES),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: (SQLite) or postgresql:// (PostgreSQL)")
    .default("file:./data/stammkunde.sqlite"),
  // Only for the offline store and tests: where the shops' Admin API lives instead of https://{shop}.
  SHOPIFY_ADMIN_ORIGIN: z.string().url().optional(),
  // Only for the offline store: an App Bridge stand-in to load in the embedded admin, because the
  // real one comes from Shopify's CDN.
  SHOPIFY_APP_BRIDGE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().positive().default(3000),
  // inline: the app process also runs the job worker (the demo, small shops); off: run `npm run worker`.
  WORKER: z.enum(["inline", "off"]).default("inline"),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  // The Shopify library's own log level (its default: info, a line per authenticated request).
  // The long fuzz runs set error: 10,000 inputs a door would otherwise log 10,000 lines each.
  SHOPIFY_LOG_LEVEL: z.enum(["error", "warning", "info", "debug"]).optional(),
});

export type Env = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const name = i.path.join(".");
    const missing = i.code === "invalid_type" && source[name] === undefined;
    return `  ${name}: ${missing ? "is missing" : i.message}`;
  });
  throw new ConfigError(`Stammkunde cannot start; fix these environment variables:\n${lines.join("\n")}`);
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
