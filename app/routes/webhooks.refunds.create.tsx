import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookAction } from "~/lib/webhook-route.server";

// refunds/create: verified by Shopify's library, recorded once, processed by the worker
// (app/jobs/handlers.server.ts, "webhook:REFUNDS_CREATE").
export const action = ({ request }: ActionFunctionArgs) => webhookAction(request, "REFUNDS_CREATE");
