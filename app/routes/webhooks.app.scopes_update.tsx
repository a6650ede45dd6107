import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookAction } from "~/lib/webhook-route.server";

// app/scopes_update: verified by Shopify's library, recorded once, processed by the worker
// (app/jobs/handlers.server.ts, "webhook:APP_SCOPES_UPDATE").
export const action = ({ request }: ActionFunctionArgs) => webhookAction(request, "APP_SCOPES_UPDATE");
