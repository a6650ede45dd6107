import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { pickLocale, translate } from "~/lib/i18n";
import { login } from "~/shopify.server";

// The app's public landing page. Inside the Shopify admin the app opens at /app; this page lets a
// merchant start the install by typing the shop domain (App Store installs skip it).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return { locale: pickLocale(request.headers.get("accept-language")) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const result = await login(request);
  return { errors: result && typeof result === "object" && "shop" in result ? result : {} };
};

export default function Landing() {
  const { locale } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const t = (k: Parameters<typeof translate>[1]) => translate(locale, k);
  const error = (data?.errors as { shop?: string } | undefined)?.shop;
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 560, margin: "4rem auto", padding: "0 1rem" }}>
      <h1>{t("landing.heading")}</h1>
      <p>{t("landing.text")}</p>
      <Form method="post">
        <label htmlFor="shop">{t("landing.shopLabel")}</label>
        <br />
        <input id="shop" name="shop" placeholder={t("landing.shopHelp")} aria-invalid={Boolean(error)} aria-describedby="shop-error" />
        <button type="submit">{t("landing.login")}</button>
        {error ? <p id="shop-error" role="alert">{error}</p> : null}
      </Form>
    </main>
  );
}
