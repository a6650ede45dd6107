import { GraphQLError } from "graphql";
import type { FlowExtensions } from "../config/flow-extensions.ts";
import type { StoreCore } from "../core/context.ts";
import type { ShopState } from "../state/shop.ts";
import type { AccessTokenRecord } from "../state/types.ts";

/** Per-request context handed to every resolver. */
export interface AdminContext {
  core: StoreCore;
  shop: ShopState;
  token: AccessTokenRecord;
  /** The app's numeric id; `$app` namespaces become app--<appId>. */
  appId: number;
  apiKey: string;
  appName: string;
  /** Actual query cost accumulated while resolving. */
  cost: { actual: number };
  /** How fields the devstore does not model resolve: an error (default) or null. */
  unmodelled: "error" | "null";
  /** The main theme's files (filename → content); absent when the devstore runs without a storefront. */
  themeFiles?: (shop: ShopState) => Map<string, string>;
  /** The app's Flow extensions (flowTriggerReceive checks handles and payloads against them). */
  flow?: FlowExtensions;
}

/** "write_x" implies "read_x", as in Shopify. */
export function hasScope(token: AccessTokenRecord, scope: string): boolean {
  const granted = token.scope.split(",").map((s) => s.trim()).filter(Boolean);
  if (granted.includes(scope)) return true;
  if (scope.startsWith("read_")) return granted.includes(`write_${scope.slice(5)}`);
  return false;
}

/** Shopify's ACCESS_DENIED error for a field the token's scopes do not cover. */
export function requireScope(ctx: AdminContext, fieldName: string, ...anyOf: string[]): void {
  if (anyOf.some((scope) => hasScope(ctx.token, scope))) return;
  const required = anyOf.map((s) => `\`${s}\``).join(" or ");
  throw new GraphQLError(`Access denied for ${fieldName} field. Required access: ${required} access scope.`, {
    extensions: {
      code: "ACCESS_DENIED",
      documentation: "https://shopify.dev/api/usage/access-scopes",
      requiredAccess: `${required} access scope.`,
    },
  });
}

export function invalidId(value: string): GraphQLError {
  return new GraphQLError(`Invalid global id '${value}'`, { extensions: { code: "argumentLiteralsIncompatible", typeName: "CoercionError" } });
}

/** App-reserved namespaces: "$app" → "app--<id>", "$app:x" → "app--<id>--x". */
export function resolveNamespace(ctx: AdminContext, namespace: string | null | undefined): string {
  const ns = namespace ?? "$app";
  if (ns === "$app") return `app--${ctx.appId}`;
  if (ns.startsWith("$app:")) return `app--${ctx.appId}--${ns.slice(5)}`;
  return ns;
}
