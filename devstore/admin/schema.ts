import { readFileSync } from "node:fs";
import { buildASTSchema, parse, validateSchema, type GraphQLSchema } from "graphql";
import { adminSchemaPath } from "../core/paths.ts";
import { installScalarBehaviour } from "./scalars.ts";

/**
 * Input types Shopify marks @oneOf that the 2026-01 SDL conversion lost
 * (list from shared/shopify/DISCOUNT_SHAPE.md, taken from Shopify's own unstable SDL).
 */
export const ONE_OF_INPUTS = [
  "CollectionIdentifierInput",
  "CustomerIdentifierInput",
  "CustomerSetIdentifiers",
  "DiscountContextInput",
  "ExchangeLineItemAppliedDiscountValueInput",
  "LocationIdentifierInput",
  "MarketConditionsCompanyLocationsInput",
  "MarketConditionsLocationsInput",
  "MarketConditionsRegionsInput",
  "MobilePlatformApplicationCreateInput",
  "MobilePlatformApplicationUpdateInput",
  "OrderCancelRefundMethodInput",
  "OrderCreateCustomerInput",
  "OrderIdentifierInput",
  "ProductIdentifierInput",
  "ProductSetIdentifiers",
  "ProductVariantIdentifierInput",
  "RefundMethodInput",
  "ReturnProcessFinancialTransferInput",
] as const;

export function restoreOneOf(sdl: string): string {
  let out = sdl;
  for (const name of ONE_OF_INPUTS) {
    const pattern = new RegExp(`input ${name}(\\s*)\\{`);
    if (!pattern.test(out)) throw new Error(`input ${name} not found in the Admin SDL`);
    out = out.replace(pattern, `input ${name} @oneOf$1{`);
  }
  return out;
}

export interface LoadedSchema {
  schema: GraphQLSchema;
  version: string;
  path: string;
  /** Wall time spent reading, parsing and building (first load only). */
  buildMs: number;
}

/**
 * One build per file per process: parsing and building the 2.6 MB SDL takes ~0.3 s (measured
 * with noLocation + assumeValidSDL; ~0.8 s with the defaults), so every devstore in the process
 * shares the result. The schema is immutable after setup, which makes sharing safe.
 */
const cache = new Map<string, LoadedSchema>();

export function loadAdminSchema(version: string, file = adminSchemaPath(version)): LoadedSchema {
  const hit = cache.get(file);
  if (hit) return hit;
  const started = performance.now();
  const sdl = restoreOneOf(readFileSync(file, "utf8"));
  const schema = buildASTSchema(parse(sdl, { noLocation: true }), { assumeValidSDL: true });
  const problems = validateSchema(schema);
  if (problems.length) throw new Error(`Admin schema ${file} is invalid: ${problems[0]!.message}`);
  installScalarBehaviour(schema);
  const loaded = { schema, version, path: file, buildMs: performance.now() - started };
  cache.set(file, loaded);
  return loaded;
}
