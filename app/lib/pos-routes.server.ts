// Shared by the POS routes: the staff's session token names the shop; the customer at the counter
// comes from the request (staff act for them), always checked against that shop in Shopify.
import { extensionAdmin, extensionContext, extensionJson, type ExtensionContext } from "./extension-auth.server";
import { viewLocale, type ViewLocale } from "~/models/member-view.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { customerById, type PosCustomer } from "~/services/shopify/pos-customers.server";

export interface PosContext extends ExtensionContext {
  admin: AdminGraphql;
  locale: ViewLocale;
}

export async function posContext(request: Request): Promise<PosContext> {
  const ctx = await extensionContext(request, "pos");
  const admin = await extensionAdmin(ctx.shop);
  if (!admin) throw extensionJson(ctx, { error: "the shop is not connected; open the app in the admin first" }, { status: 503 });
  const url = new URL(request.url);
  return { ...ctx, admin, locale: viewLocale(url.searchParams.get("locale") ?? request.headers.get("accept-language")) };
}

/** "123" or "gid://shopify/Customer/123" → the gid; anything else null. */
export function customerGidOf(input: unknown): string | null {
  const s = typeof input === "number" && Number.isSafeInteger(input) ? String(input) : typeof input === "string" ? input.trim() : "";
  const m = /^(?:gid:\/\/shopify\/Customer\/)?(\d{1,20})$/.exec(s);
  return m ? `gid://shopify/Customer/${m[1]}` : null;
}

/** The shop's customer, or a Response: 422 for a malformed id, 404 when the shop has no such customer. */
export async function shopCustomer(ctx: PosContext, input: unknown): Promise<PosCustomer> {
  const gid = customerGidOf(input);
  if (!gid) throw extensionJson(ctx, { error: "invalid", fieldErrors: { customerId: "must be a customer id" } }, { status: 422 });
  const customer = await customerById(ctx.admin, gid);
  if (!customer) throw extensionJson(ctx, { error: "unknown customer" }, { status: 404 });
  return customer;
}
