// What a Shopify Flow action request must carry (docs/decisions/0020): Flow's envelope (the shop,
// the action run id that makes a repeated run harmless, the action's handle) and the properties
// declared in extensions/flow-{award-points,deduct-points,set-tier}/shopify.extension.toml.
import { z } from "zod";

export const FLOW_ACTION_HANDLES = ["award-points", "deduct-points", "set-tier"] as const;
export type FlowActionHandle = (typeof FLOW_ACTION_HANDLES)[number];

export const FlowEnvelope = z
  .object({
    shopify_domain: z.string().min(1),
    action_run_id: z.string().trim().min(1, "is required").max(200, "must be at most 200 characters"),
    handle: z.string().optional(),
    action_definition_id: z.string().optional(),
    properties: z.record(z.unknown()),
  })
  .passthrough();

const customerId = z.union([z.number().int().positive(), z.string().regex(/^(gid:\/\/shopify\/Customer\/)?\d+$/, "must be a customer ID")]);
const points = z.number({ invalid_type_error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(1_000_000, "must be at most 1,000,000");

export const PointsProperties = z.object({
  customer_id: customerId,
  points,
  reason: z.string({ invalid_type_error: "must be text" }).trim().min(1, "is required").max(200, "must be at most 200 characters"),
});

export const TierProperties = z.object({
  customer_id: customerId,
  tier: z.string({ invalid_type_error: "must be text" }).trim().min(1, "is required").max(100, "must be at most 100 characters"),
  days: z.number({ invalid_type_error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(3650, "must be at most 3,650"),
});

export const customerGidOf = (id: string | number) => `gid://shopify/Customer/${String(id).replace("gid://shopify/Customer/", "")}`;

/** The ledger key of a Flow points action: one entry per action run, whatever the handle. */
export const flowEntryKey = (actionRunId: string) => `flow:run:${actionRunId}`;

/**
 * Shopify Flow's trigger lifecycle notice (docs/decisions/0024): whether the shop has an enabled
 * workflow using the trigger `flow_trigger_definition_id` (our flow_trigger extension's handle),
 * as of `timestamp`; a notice older than the one stored is ignored.
 */
export const FlowLifecycleNotice = z
  .object({
    flow_trigger_definition_id: z.string({ required_error: "is required", invalid_type_error: "must be text" }).trim().min(1, "is required").max(100, "must be at most 100 characters"),
    has_enabled_flow: z.boolean({ required_error: "is required", invalid_type_error: "must be true or false" }),
    shop_id: z.union([z.number().int(), z.string().regex(/^\d+$/, "must be a number")]).optional(),
    shopify_domain: z.string({ required_error: "is required" }).min(1, "is required"),
    timestamp: z.string({ required_error: "is required", invalid_type_error: "must be text" }).datetime({ offset: true, message: "must be an ISO 8601 time" }),
  })
  .passthrough();
export type FlowLifecycleNotice = z.infer<typeof FlowLifecycleNotice>;
