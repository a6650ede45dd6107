import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookAction } from "~/lib/webhook-route.server";

// customers/data_request: verified by Shopify's library, recorded once, processed by the worker
// (app/jobs/handlers.server.ts, "webhook:CUSTOMERS_DATA_REQUEST").
export const action = ({ request }: ActionFunctionArgs) => webhookAction(request, "CUSTOMERS_DATA_REQUEST");
