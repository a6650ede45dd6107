import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookAction } from "~/lib/webhook-route.server";

// customers/delete: verified by Shopify's library, recorded once, processed by the worker
// (app/jobs/handlers.server.ts, "webhook:CUSTOMERS_DELETE").
export const action = ({ request }: ActionFunctionArgs) => webhookAction(request, "CUSTOMERS_DELETE");
