// Shared by the extension routes: which surface a request comes from (checkout or customer
// accounts; the token is verified the way that surface's tokens are) and its language.
import { extensionContext, withCors, type ExtensionContext } from "./extension-auth.server";
import { viewLocale, type ViewLocale } from "~/models/member-view.server";

/** `?surface=checkout` (default; also the thank-you page) or `?surface=customer-account`. */
export async function buyerContext(request: Request): Promise<ExtensionContext & { locale: ViewLocale }> {
  const url = new URL(request.url);
  const surface = url.searchParams.get("surface") ?? "checkout";
  if (surface !== "checkout" && surface !== "customer-account") {
    // preflights carry no query worth checking; anything else names a surface we don't serve
    throw withCors(request, new Response("unknown surface", { status: 400 }));
  }
  const ctx = await extensionContext(request, surface);
  return { ...ctx, locale: viewLocale(url.searchParams.get("locale") ?? request.headers.get("accept-language")) };
}
