import { randomBytes } from "node:crypto";
import type { ShopRegistry } from "../state/registry.ts";
import type { ShopState } from "../state/shop.ts";
import { safeEqual } from "./hmac.ts";
import { verifyHs256 } from "./jwt.ts";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
export const ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token";
export const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";

/** Expiring offline tokens: 1 h access token, 90 d refresh token. */
export const EXPIRING_ACCESS_TTL_SEC = 3600;
export const REFRESH_TTL_SEC = 90 * 24 * 3600;
/** Online tokens live about a day. */
export const ONLINE_TTL_SEC = 86_399;

export interface OAuthApp {
  apiKey: string;
  apiSecret: string;
}

export interface OAuthOutcome {
  status: number;
  body: Record<string, unknown>;
}

const error = (status: number, code: string, description: string): OAuthOutcome => ({ status, body: { error: code, error_description: description } });

/** Authorization codes from the classic install flow, single use, 10 minutes. */
export class AuthorizationCodes {
  private readonly codes = new Map<string, { shop: string; expiresAt: number; scope: string }>();

  issue(shop: ShopState, nowMs: number, scope = shop.scope): string {
    const code = randomBytes(16).toString("hex");
    this.codes.set(code, { shop: shop.domain, expiresAt: nowMs + 600_000, scope });
    return code;
  }

  take(code: string, nowMs: number): { shop: string; scope: string } | undefined {
    const hit = this.codes.get(code);
    this.codes.delete(code);
    return hit && hit.expiresAt > nowMs ? hit : undefined;
  }
}

function tokenResponse(shop: ShopState, options: { online: boolean; expiring: boolean; userId?: number; scope: string }): Record<string, unknown> {
  if (options.online) {
    const record = shop.issueAccessToken({ scope: options.scope, online: true, expiresInSec: ONLINE_TTL_SEC, userId: options.userId ?? 1 });
    const userId = options.userId ?? 1;
    return {
      access_token: record.token,
      scope: options.scope,
      expires_in: ONLINE_TTL_SEC,
      associated_user_scope: options.scope,
      session: record.token.slice(6, 38),
      account_number: 0,
      associated_user: {
        id: userId,
        first_name: "Dev",
        last_name: "Staff",
        email: `staff-${userId}@${shop.handle}.example`,
        account_owner: userId === 1,
        locale: "de",
        collaborator: false,
        email_verified: true,
      },
    };
  }
  if (options.expiring) {
    const record = shop.issueAccessToken({ scope: options.scope, expiresInSec: EXPIRING_ACCESS_TTL_SEC });
    const refresh = `shprt_${randomBytes(16).toString("hex")}`;
    shop.refreshTokens.set(refresh, { scope: options.scope, expiresAt: shop.clock.now() + REFRESH_TTL_SEC * 1000, accessToken: record.token });
    return { access_token: record.token, expires_in: EXPIRING_ACCESS_TTL_SEC, refresh_token: refresh, refresh_token_expires_in: REFRESH_TTL_SEC, scope: options.scope };
  }
  const record = shop.issueAccessToken({ scope: options.scope });
  return { access_token: record.token, scope: options.scope };
}

/**
 * POST https://{shop}/admin/oauth/access_token: token exchange (session token → access token),
 * authorization code exchange, and refresh_token grants, verified like Shopify does.
 */
export function handleAccessTokenRequest(
  app: OAuthApp,
  shops: ShopRegistry,
  codes: AuthorizationCodes,
  hostShop: ShopState | undefined,
  body: Record<string, unknown>,
  nowMs: number,
): OAuthOutcome {
  const clientId = typeof body.client_id === "string" ? body.client_id : "";
  const clientSecret = typeof body.client_secret === "string" ? body.client_secret : "";
  if (clientId !== app.apiKey || !safeEqual(clientSecret, app.apiSecret)) {
    return error(401, "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret.");
  }
  const expiring = body.expiring === "1" || body.expiring === 1 || body.expiring === true;

  if (body.grant_type === TOKEN_EXCHANGE_GRANT) {
    if (body.subject_token_type !== ID_TOKEN_TYPE) return error(400, "invalid_request", "subject_token_type must be urn:ietf:params:oauth:token-type:id_token");
    if (typeof body.subject_token !== "string") return error(400, "invalid_request", "subject_token is required");
    let claims: Record<string, unknown>;
    try {
      claims = verifyHs256(body.subject_token, app.apiSecret, Math.floor(nowMs / 1000));
    } catch (e) {
      return error(400, "invalid_subject_token", `Session token is invalid: ${(e as Error).message}`);
    }
    if (claims.aud !== app.apiKey) return error(400, "invalid_subject_token", "Session token audience does not match the client_id");
    const dest = typeof claims.dest === "string" ? claims.dest.replace(/^https:\/\//, "") : "";
    const shop = shops.find(dest);
    if (!shop || (hostShop && hostShop !== shop)) return error(400, "invalid_subject_token", "Session token destination does not match the shop");
    if (!shop.installed) shop.installed = true;
    const requested = body.requested_token_type ?? OFFLINE_TOKEN_TYPE;
    if (requested !== ONLINE_TOKEN_TYPE && requested !== OFFLINE_TOKEN_TYPE) return error(400, "invalid_request", "Unsupported requested_token_type");
    const online = requested === ONLINE_TOKEN_TYPE;
    return { status: 200, body: tokenResponse(shop, { online, expiring, scope: shop.scope, userId: Number(claims.sub) || 1 }) };
  }

  if (body.grant_type === "refresh_token") {
    const shop = hostShop;
    const token = typeof body.refresh_token === "string" ? body.refresh_token : "";
    const record = shop?.refreshTokens.get(token);
    if (!shop || !record || record.expiresAt <= nowMs) return error(400, "invalid_grant", "The refresh token is invalid or expired.");
    shop.refreshTokens.delete(token);
    shop.accessTokens.delete(record.accessToken);
    return { status: 200, body: tokenResponse(shop, { online: false, expiring: true, scope: record.scope }) };
  }

  if (typeof body.code === "string") {
    const grant = codes.take(body.code, nowMs);
    const shop = grant ? shops.find(grant.shop) : undefined;
    if (!grant || !shop || (hostShop && hostShop !== shop)) return error(400, "invalid_request", "The authorization code was not found or was already used");
    shop.installed = true;
    return { status: 200, body: tokenResponse(shop, { online: false, expiring, scope: grant.scope }) };
  }

  return error(400, "unsupported_grant_type", "Provide a code, a token-exchange grant or a refresh_token grant.");
}
