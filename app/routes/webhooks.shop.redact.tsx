import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookAction } from "~/lib/webhook-route.server";

// shop/redact: verified by Shopify's library, recorded once, processed by the worker
// (app/jobs/handlers.server.ts, "webhook:SHOP_REDACT").
export const action = ({ request }: ActionFunctionArgs) => webhookAction(request, "SHOP_REDACT");
