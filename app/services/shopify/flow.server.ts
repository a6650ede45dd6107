// Shopify Flow triggers: flowTriggerReceive with the trigger extension's handle and a payload of
// its declared fields (extensions/flow-*/shopify.extension.toml). Shopify answers userErrors for an
// unknown handle or a payload that doesn't match; THROTTLED comes back as a GraphQL error, which
// runGraphql raises as ShopifyApiError (code THROTTLED) so the job is retried with backoff.
import { runGraphql, type AdminGraphql } from "./client.server";

export const FLOW_TRIGGER_RECEIVE = `#graphql
  mutation StammkundeFlowTriggerReceive($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;

export interface FlowUserError {
  field: string[] | null;
  message: string;
}

/** Fires one trigger; returns Shopify's user errors (empty: accepted). */
export async function flowTriggerReceive(graphql: AdminGraphql, handle: string, payload: Record<string, unknown>): Promise<FlowUserError[]> {
  const { data } = await runGraphql<{ flowTriggerReceive: { userErrors: FlowUserError[] } | null }>(graphql, FLOW_TRIGGER_RECEIVE, { handle, payload });
  return data.flowTriggerReceive?.userErrors ?? [{ field: null, message: "flowTriggerReceive answered without a payload" }];
}
