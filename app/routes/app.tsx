import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisDe from "@shopify/polaris/locales/de.json";
import polarisEn from "@shopify/polaris/locales/en.json";
import { authenticate } from "~/shopify.server";
import { env } from "~/lib/env.server";
import { pickLocale, translate } from "~/lib/i18n";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  const locale = pickLocale(new URL(request.url).searchParams.get("locale"));
  const config = env();
  return { apiKey: config.SHOPIFY_API_KEY, locale, appBridgeStandIn: config.SHOPIFY_APP_BRIDGE_URL ?? null };
};

export default function App() {
  const { apiKey, locale, appBridgeStandIn } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} i18n={locale === "de" ? polarisDe : polarisEn}>
      {/* Offline store only (SHOPIFY_APP_BRIDGE_URL); in production App Bridge comes from Shopify's CDN via AppProvider. */}
      {appBridgeStandIn ? <script src={appBridgeStandIn} data-api-key={apiKey} /> : null}
      <NavMenu>
        <Link to="/app" rel="home">
          {translate(locale, "nav.home")}
        </Link>
        <Link to="/app/program">{translate(locale, "nav.program")}</Link>
        <Link to="/app/rewards">{translate(locale, "nav.rewards")}</Link>
        <Link to="/app/campaigns">{translate(locale, "nav.campaigns")}</Link>
        <Link to="/app/storefront">{translate(locale, "nav.storefront")}</Link>
        <Link to="/app/branding">{translate(locale, "nav.branding")}</Link>
        <Link to="/app/referrals">{translate(locale, "nav.referrals")}</Link>
        <Link to="/app/tiers">{translate(locale, "nav.tiers")}</Link>
        <Link to="/app/analytics">{translate(locale, "nav.analytics")}</Link>
        <Link to="/app/members">{translate(locale, "nav.members")}</Link>
        <Link to="/app/import">{translate(locale, "nav.import")}</Link>
        <Link to="/app/export">{translate(locale, "nav.export")}</Link>
        <Link to="/app/audit">{translate(locale, "nav.audit")}</Link>
        <Link to="/app/messaging">{translate(locale, "nav.messaging")}</Link>
        <Link to="/app/api-keys">{translate(locale, "nav.apiKeys")}</Link>
        <Link to="/app/webhooks">{translate(locale, "nav.webhooks")}</Link>
        <Link to="/app/jobs">{translate(locale, "nav.jobs")}</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses, so that their headers are included.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
