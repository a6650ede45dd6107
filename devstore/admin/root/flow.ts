import type { RootResolvers } from "./types.ts";

/** Shopify caps a Flow trigger payload at 50 KB. */
const MAX_PAYLOAD_BYTES = 50_000;

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
    ctx.shop.flowTriggers.push({ handle, payload: payload ?? null, body, receivedAt: ctx.core.clock.now() });
    return { userErrors: [] };
  },
};
