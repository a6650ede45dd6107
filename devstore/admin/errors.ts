import {
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";

/** A GraphQL error as Shopify's Admin API serialises it. */
export interface ShopifyGraphqlError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/**
 * graphql-js rule → the graphql-ruby error code Shopify puts in extensions.code.
 * (Shopify runs graphql-ruby; messages here are graphql-js wording, codes are Shopify's style.)
 */
const RULE_CODES: Record<string, string> = {
  ExecutableDefinitionsRule: "definitionNotExecutable",
  UniqueOperationNamesRule: "uniquelyNamedOperations",
  LoneAnonymousOperationRule: "anonymousOperationWithOthers",
  SingleFieldSubscriptionsRule: "subscriptionNotSupported",
  KnownTypeNamesRule: "undefinedType",
  FragmentsOnCompositeTypesRule: "fragmentOnNonCompositeType",
  VariablesAreInputTypesRule: "variableRequiresValidType",
  ScalarLeafsRule: "selectionMismatch",
  FieldsOnCorrectTypeRule: "undefinedField",
  UniqueFragmentNamesRule: "fragmentNamesNotUnique",
  KnownFragmentNamesRule: "undefinedFragment",
  NoUnusedFragmentsRule: "useAndDefineFragment",
  PossibleFragmentSpreadsRule: "cannotSpreadFragment",
  NoFragmentCyclesRule: "infiniteLoop",
  UniqueVariableNamesRule: "variableNotUnique",
  NoUndefinedVariablesRule: "variableNotDefined",
  NoUnusedVariablesRule: "variableNotUsed",
  KnownDirectivesRule: "undefinedDirective",
  UniqueDirectivesPerLocationRule: "directiveNotUniqueForLocation",
  KnownArgumentNamesRule: "argumentNotAccepted",
  UniqueArgumentNamesRule: "argumentNotUnique",
  ValuesOfCorrectTypeRule: "argumentLiteralsIncompatible",
  ProvidedRequiredArgumentsRule: "missingRequiredArguments",
  VariablesInAllowedPositionRule: "variableMismatch",
  OverlappingFieldsCanBeMergedRule: "fieldConflict",
  UniqueInputFieldNamesRule: "inputFieldNotUnique",
};

function ruleName(rule: ValidationRule): string {
  return rule.name.replace(/^bound /, "");
}

/** Validates with every specified rule and tags each error with its Shopify-style code. */
export function validateDocument(schema: GraphQLSchema, document: DocumentNode): ShopifyGraphqlError[] {
  const out: ShopifyGraphqlError[] = [];
  for (const rule of specifiedRules) {
    for (const error of validate(schema, document, [rule], { maxErrors: 50 })) {
      out.push(toShopifyError(error, { code: RULE_CODES[ruleName(rule)] ?? "validationError" }));
    }
  }
  return out.sort((a, b) => {
    const la = a.locations?.[0];
    const lb = b.locations?.[0];
    return (la?.line ?? 0) - (lb?.line ?? 0) || (la?.column ?? 0) - (lb?.column ?? 0);
  });
}

export function toShopifyError(error: GraphQLError, extensions?: Record<string, unknown>): ShopifyGraphqlError {
  const out: ShopifyGraphqlError = { message: error.message };
  if (error.locations?.length) out.locations = error.locations.map(({ line, column }) => ({ line, column }));
  if (error.path?.length) out.path = [...error.path];
  const ext = { ...(error.extensions ?? {}), ...(extensions ?? {}) };
  if (Object.keys(ext).length) out.extensions = ext;
  return out;
}

export const THROTTLED_ERROR: ShopifyGraphqlError = {
  message: "Throttled",
  extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
};

export function maxCostExceeded(cost: number, maxCost: number): ShopifyGraphqlError {
  return {
    message:
      `Query cost is ${cost}, which exceeds the single query max cost limit (${maxCost}).\n\n` +
      "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n" +
      "cost of a query is calculated.\n\n" +
      "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n" +
      "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n",
    extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost },
  };
}

/** The body Shopify sends with HTTP 401 for a missing or wrong access token. */
export const INVALID_TOKEN_BODY = { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" };
