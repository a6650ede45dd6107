import type { LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { currencyExponent } from "~/domain/money";
import { friendOfferText } from "~/domain/referrals";
import { clientIp, proxyContext } from "~/lib/app-proxy.server";
import { landingPage, liquid, notFoundPage } from "~/lib/referral-page.server";
import { recordClick } from "~/models/referrals.server";

// GET /apps/loyalty/r/CODE — a friend opens a member's link: the visit is recorded (hashed IP and
// user agent only) and the friend sees the offer in the shop's theme, in the storefront's language.
// The page's script keeps the referral in a first-party cookie and the cart attribute stk_ref.
// An unknown code, or referrals switched off, get a friendly 404 page.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const ctx = await proxyContext(request);
  const db = await database();
  const click = await recordClick(db.sql, ctx.shop, params.code ?? "", { ip: clientIp(request), userAgent: request.headers.get("user-agent"), customerGid: ctx.customerGid });
  if (!click) return liquid(notFoundPage(), 404);
  const exponent = currencyExponent(click.currency);
  return liquid(
    landingPage({
      code: click.code,
      visit: click.visit,
      settings: click.settings,
      offer: { en: friendOfferText(click.settings, click.currency, "en", exponent), de: friendOfferText(click.settings, click.currency, "de", exponent) },
      loggedIn: Boolean(ctx.customerGid),
    }),
  );
};
