// The rewards page: Liquid through the signed app proxy, the same answer for every shopper (the
// personal parts are Liquid that Shopify fills in), both languages, merchant texts escaped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Liquid } from "liquidjs";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { defaultProgram } from "~/domain/program";
import { saveProgram } from "~/models/earning.server";
import { createReward } from "~/models/redemptions.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "zweiter-laden.myshopify.com";
type Route = (args: { request: Request; params: object; context: object }) => Promise<Response>;
let loader: Route;

beforeAll(async () => {
  db = await freshDatabase();
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url });
  loader = (await import("~/routes/proxy._index")).loader as never;
  const p = defaultProgram();
  p.actions.birthday.enabled = true;
  p.storefront.texts.de.guestIntro = "Sammeln & sparen {% if true %}<script>";
  await db.sql.tx((q) => saveProgram(q, SHOP, p));
  await db.sql.tx((q) => createReward(q, SHOP, { type: "amount", amountMinor: 500, pointsCost: 500, texts: { en: { title: "€5 off" }, de: { title: "5 € Rabatt" } } }));
  await db.sql.tx((q) => createReward(q, OTHER, { type: "amount", amountMinor: 900, pointsCost: 900, texts: { en: { title: "Other shop's reward" }, de: { title: "Fremde Prämie" } } }));
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await db?.drop();
});

function get(shop: string, customer: number | null, secret = TEST_SECRET) {
  const q = signAppProxyQuery(secret, new URLSearchParams(), { shop, loggedInCustomerId: customer, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
  return loader({ request: new Request(`https://app.example.com/proxy?${q}`), params: {}, context: {} }).catch((e: Response) => e);
}

const render = (source: string, vars: object) => new Liquid({ strictFilters: true }).parseAndRender(source, vars);

describe(`rewards page on ${TEST_DB}`, () => {
  it("is Liquid for the theme, the same for every shopper", async () => {
    const guest = await get(SHOP, null);
    expect(guest.status).toBe(200);
    expect(guest.headers.get("Content-Type")).toMatch(/^application\/liquid/);
    const source = await guest.text();
    expect(await (await get(SHOP, 42)).text()).toBe(source);
    expect(source).not.toContain("Other shop's reward");
    const routes = { root_url: "/", account_register_url: "/account/register", account_login_url: "/account/login" };
    const en = await render(source, { request: { locale: { iso_code: "en" } }, routes, customer: null, shop: { name: "Kaffee & Co" } });
    expect(en).toContain("Rewards at Kaffee &amp; Co");
    expect(en).toContain("Ways to earn");
    expect(en).toContain("1 points per $1 spent".replace("$1", "€1"));
    expect(en).toContain("Birthday");
    expect(en).toContain("€5 off");
    expect(en).toContain('href="/account/register"');
    const de = await render(source, {
      request: { locale: { iso_code: "de" } },
      routes,
      shop: { name: "Kaffee & Co" },
      customer: { first_name: "Erika <b>", metafields: { "$app:loyalty": { status: { value: { points: 321 } } } } },
    });
    expect(de).toContain("So sammeln Sie Punkte");
    expect(de).toContain("5 € Rabatt");
    expect(de).toContain("Hallo Erika &lt;b&gt;!");
    expect(de).toContain("Sie haben <strong>321</strong> Punkte.");
    // the merchant's text stays text: no Liquid, no HTML
    expect(de).toContain("Sammeln &amp; sparen &#123;% if true %&#125;&lt;script&gt;");
  });

  it("turns away unsigned or forged requests", async () => {
    expect((await get(SHOP, null, "wrong")).status).toBe(401);
    const res = await loader({ request: new Request(`https://app.example.com/proxy?shop=${SHOP}`), params: {}, context: {} }).catch((e: Response) => e);
    expect(res.status).toBe(401);
  });
});
