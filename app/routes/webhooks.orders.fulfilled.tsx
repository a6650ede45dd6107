import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookAction } from "~/lib/webhook-route.server";

// orders/fulfilled: verified by Shopify's library, recorded once, processed by the worker
// (app/jobs/handlers.server.ts, "webhook:ORDERS_FULFILLED").
export const action = ({ request }: ActionFunctionArgs) => webhookAction(request, "ORDERS_FULFILLED");
