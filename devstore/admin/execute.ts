import {
  GraphQLError,
  Kind,
  execute,
  getOperationAST,
  getVariableValues,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from "graphql";
import type { LeakyBucket, ThrottleStatus } from "./bucket.ts";
import type { AdminContext } from "./context.ts";
import { requestedQueryCost } from "./cost.ts";
import { THROTTLED_ERROR, maxCostExceeded, toShopifyError, validateDocument, type ShopifyGraphqlError } from "./errors.ts";
import { UnmodelledFieldError } from "./resolve.ts";

export interface GraphqlRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export interface GraphqlOutcome {
  status: number;
  body: { data?: unknown; errors?: ShopifyGraphqlError[] | Record<string, string>; extensions?: { cost: CostExtension } };
}

interface Prepared {
  document?: DocumentNode;
  errors: ShopifyGraphqlError[];
  fragments: Record<string, FragmentDefinitionNode>;
}

export interface ExecutorOptions {
  schema: GraphQLSchema;
  fieldResolver: GraphQLFieldResolver<unknown, AdminContext>;
  /** Shopify rejects a single query above 1,000 requested points. */
  maxQueryCost: number;
}

/** Parse + validate + cost + throttle + execute, answering exactly as the Admin API does. */
export class AdminExecutor {
  private readonly documents = new Map<string, Prepared>();

  constructor(private readonly options: ExecutorOptions) {}

  private prepare(query: string): Prepared {
    const hit = this.documents.get(query);
    if (hit) return hit;
    let prepared: Prepared;
    try {
      const document = parse(query);
      const errors = validateDocument(this.options.schema, document);
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
      prepared = { document, errors, fragments };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      prepared = { errors: [toShopifyError(error, { code: "parseError" })], fragments: {} };
    }
    if (this.documents.size > 2000) this.documents.clear();
    this.documents.set(query, prepared);
    return prepared;
  }

  async run(body: GraphqlRequestBody, ctx: AdminContext, bucket: LeakyBucket, forceThrottle = false): Promise<GraphqlOutcome> {
    if (typeof body.query !== "string" || !body.query.trim()) {
      return { status: 400, body: { errors: { query: "Required parameter missing or invalid" } } };
    }
    if (body.variables !== undefined && body.variables !== null && (typeof body.variables !== "object" || Array.isArray(body.variables))) {
      return { status: 400, body: { errors: { variables: "Required parameter missing or invalid" } } };
    }
    const prepared = this.prepare(body.query);
    if (!prepared.document || prepared.errors.length) return { status: 200, body: { errors: prepared.errors } };
    const operationName = typeof body.operationName === "string" && body.operationName ? body.operationName : null;
    const operation = getOperationAST(prepared.document, operationName);
    if (!operation) {
      const message = operationName ? `No operation named "${operationName}"` : "An operation name is required when the document contains several operations";
      return { status: 200, body: { errors: [{ message, extensions: { code: "operationNotFound" } }] } };
    }
    if (operation.operation === "subscription") {
      return { status: 200, body: { errors: [{ message: "Subscriptions are not supported by the Admin API", extensions: { code: "operationNotSupported" } }] } };
    }
    const rawVariables = (body.variables ?? {}) as Record<string, unknown>;
    const coerced = getVariableValues(this.options.schema, operation.variableDefinitions ?? [], rawVariables, { maxErrors: 50 });
    if (coerced.errors) {
      return { status: 200, body: { errors: coerced.errors.map((e) => variableError(e, rawVariables)) } };
    }

    const requested = requestedQueryCost(this.options.schema, operation, prepared.fragments, coerced.coerced);
    if (requested > this.options.maxQueryCost) {
      return {
        status: 200,
        body: { errors: [maxCostExceeded(requested, this.options.maxQueryCost)], extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } } },
      };
    }
    if (forceThrottle || !bucket.tryTake(requested)) {
      return {
        status: 200,
        body: { errors: [THROTTLED_ERROR], extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } } },
      };
    }

    const result = await execute({
      schema: this.options.schema,
      document: prepared.document,
      contextValue: ctx,
      variableValues: rawVariables,
      operationName,
      fieldResolver: this.options.fieldResolver,
    });
    const actual = Math.min(requested, ctx.cost.actual);
    bucket.refund(requested - actual);
    const out: GraphqlOutcome["body"] = {};
    if (result.errors?.length) out.errors = result.errors.map(executionError);
    out.data = result.data ?? null;
    out.extensions = { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } };
    return { status: 200, body: out };
  }
}

function executionError(error: GraphQLError): ShopifyGraphqlError {
  const original = error.originalError;
  if (!original || original instanceof GraphQLError || error.extensions?.code) return toShopifyError(error);
  if (original instanceof UnmodelledFieldError) return toShopifyError(error);
  return toShopifyError(error, { code: "INTERNAL_SERVER_ERROR" });
}

function variableError(error: GraphQLError, raw: Record<string, unknown>): ShopifyGraphqlError {
  const name = /Variable "\$([^"]+)"/.exec(error.message)?.[1];
  const at = /at "([^"]+)"/.exec(error.message)?.[1];
  const explanation = error.message.split("; ").slice(1).join("; ") || error.message;
  return toShopifyError(error, {
    code: "INVALID_VARIABLE",
    ...(name !== undefined ? { value: raw[name] ?? null } : {}),
    problems: [{ path: at ? at.split(".").slice(1) : [], explanation }],
  });
}
