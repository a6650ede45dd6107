// The shape of the Admin GraphQL client the Remix library hands us (admin.graphql), and how its
// answers are read: errors and extensions.cost are data, never assumed away.
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

export interface GraphqlCost {
  requestedQueryCost?: number;
  actualQueryCost?: number;
  throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

export class ShopifyApiError extends Error {
  constructor(message: string, readonly code?: string, readonly cost?: GraphqlCost) {
    super(message);
  }
}

interface GraphqlBody<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }> | string;
  extensions?: { cost?: GraphqlCost };
}

/** Runs an operation and returns its data, or throws ShopifyApiError naming Shopify's error. */
export async function runGraphql<T>(graphql: AdminGraphql, query: string, variables?: Record<string, unknown>): Promise<{ data: T; cost?: GraphqlCost }> {
  const response = await graphql(query, variables ? { variables } : undefined);
  const body = (await response.json()) as GraphqlBody<T>;
  if (body.errors) {
    const list = typeof body.errors === "string" ? [{ message: body.errors }] : body.errors;
    throw new ShopifyApiError(list.map((e) => e.message).join("; "), typeof body.errors === "string" ? undefined : body.errors[0]?.extensions?.code, body.extensions?.cost);
  }
  if (!body.data) throw new ShopifyApiError("Shopify answered without data");
  return { data: body.data, cost: body.extensions?.cost };
}

export class ShopifyTimeoutError extends Error {}

/** How long a shopper's request or a job waits for one Admin API answer. */
export const ADMIN_TIMEOUT_MS = 8_000;

/**
 * Gives up waiting for Shopify after `ms`. The call may still complete on Shopify's side, so
 * callers treat a timeout as "outcome unknown" (redemptions look the code up, credits repeat their
 * idempotent call) rather than as a failure.
 */
export function withTimeout(graphql: AdminGraphql, ms: number): AdminGraphql {
  return (query, options) =>
    new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ShopifyTimeoutError(`Shopify did not answer within ${ms} ms`)), ms);
      graphql(query, options).then(
        (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
}
