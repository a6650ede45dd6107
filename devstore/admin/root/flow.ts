import { fieldValueError } from "../../config/flow-extensions.ts";
import type { RootResolvers, UserError } from "./types.ts";

/** Shopify caps a Flow trigger payload at 50 KB. */
const MAX_PAYLOAD_BYTES = 50_000;

/**
 * flowTriggerReceive, strict: the handle must be one of the app's flow_trigger extensions and the
 * payload must carry exactly its declared fields with the declared types; a reference must name a
 * record of this shop (customer_id → an existing customer). Accepted triggers are recorded on the
 * shop for assertions. Without loaded extensions (ctx.flow absent) every handle is unknown.
 */
export const flowMutations: RootResolvers = {
  flowTriggerReceive: (args, ctx) => {
    const handle = (args.handle as string | null | undefined) ?? null;
    const body = (args.body as string | null | undefined) ?? null;
    const payload = args.payload;
    if (!handle && !body) return { userErrors: [{ field: ["handle"], message: "Handle can't be blank" }] };
    if (handle && body) return { userErrors: [{ field: ["body"], message: "Use either handle and payload, or body, not both" }] };
    const size = Buffer.byteLength(JSON.stringify(payload ?? body ?? null));
    if (size > MAX_PAYLOAD_BYTES) {
      return { userErrors: [{ field: ["payload"], message: `Errors validating schema:\n  Properties size exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes.` }] };
    }
    if (body !== null) return { userErrors: [{ field: ["body"], message: "The body argument is deprecated; the devstore accepts handle and payload only" }] };
    const trigger = ctx.flow?.triggers.get(handle!);
    if (!trigger) return { userErrors: [{ field: ["handle"], message: `Invalid handle '${handle}': no flow_trigger extension of this app has it` }] };
    if (!payload || typeof payload !== "object" || Array.isArray(payload)) return { userErrors: [{ field: ["payload"], message: "Errors validating schema:\n  payload must be an object" }] };
    const p = payload as Record<string, unknown>;
    const problems: string[] = [];
    for (const f of trigger.fields) {
      if (!(f.key in p) || p[f.key] === null || p[f.key] === undefined) {
        problems.push(`Missing required property '${f.key}'`);
        continue;
      }
      const error = fieldValueError(f, p[f.key]);
      if (error) problems.push(`'${f.key}' ${error}`);
      else if (f.type === "customer_reference" && !ctx.shop.customers.has(Number(p[f.key]))) problems.push(`'${f.key}' names no customer of this shop`);
    }
    const declared = new Set(trigger.fields.map((f) => f.key));
    for (const key of Object.keys(p)) if (!declared.has(key)) problems.push(`Property '${key}' is not defined in the trigger's schema`);
    if (problems.length) {
      const userErrors: UserError[] = [{ field: ["payload"], message: `Errors validating schema:\n  ${problems.join("\n  ")}` }];
      return { userErrors };
    }
    // Shopify accepts a trigger no workflow uses (and runs nothing): the record says how many ran
    ctx.shop.flowTriggers.push({ handle: handle!, payload, body: null, receivedAt: ctx.core.clock.now(), workflowsStarted: ctx.shop.flowWorkflows.get(handle!)?.size ?? 0 });
    return { userErrors: [] };
  },
};
