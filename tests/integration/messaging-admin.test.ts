// The messaging admin page's loader and action behind Shopify's session token (the offline store
// mints it): SMTP settings in, never out; a test email to a real local SMTP server; field errors
// as 422, a malformed body as 400, an unsigned request writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { defaultProgram } from "~/domain/program";
import { saveProgram } from "~/models/earning.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

type Route = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response | Record<string, unknown>>;
const SHOP = "stammkunde-dev.myshopify.com";
const PASSWORD = "admin-page-Pa55word!";
let db: TestDatabase;
let store: DevStore;
let smtp: TestSmtp;
let page: { loader: Route; action: Route };
let auth: Record<string, string>;

const call = (route: Route, init: RequestInit = {}) => route({ request: new Request(`https://app.example.com/app/messaging?shop=${SHOP}&locale=de`, init), params: {}, context: {} }).catch((e: Response) => e);
const post = async (fields: Record<string, string>, headers = auth) => (await call(page.action, { method: "POST", headers, body: new URLSearchParams(fields) })) as Response;

beforeAll(async () => {
  db = await freshDatabase();
  smtp = await startSmtp({ user: "shop", password: PASSWORD });
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "x", isOnline: false, accessToken: store.shops.accessToken(SHOP), scope: "read_customers,read_orders" }));
  await db.sql.tx((q) => saveProgram(q, SHOP, defaultProgram()));
  page = (await import("~/routes/app.messaging")) as unknown as typeof page;
  auth = { Authorization: `Bearer ${store.auth.sessionToken({ shop: SHOP, userId: 4242 })}` };
});
afterAll(async () => {
  await smtp?.close();
  await store?.close();
  await db?.drop();
});

describe(`messaging admin on ${TEST_DB}`, () => {
  it("saves SMTP settings, sends a test email, and never answers with the password", async () => {
    const bad = await post({ intent: "smtp", host: "", port: "0", secure: "false", username: "shop", password: PASSWORD });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toMatchObject({ host: expect.any(String), port: expect.any(String) });

    const saved = await post({ intent: "smtp", host: smtp.host, port: String(smtp.port), secure: "false", username: "shop", password: PASSWORD });
    expect(saved.status).toBe(200);
    const savedText = await saved.text();
    expect(savedText).not.toContain(PASSWORD);
    expect(JSON.parse(savedText)).toEqual({ intent: "smtp", ok: true, smtp: { host: smtp.host, port: smtp.port, secure: false, username: "shop", passwordSet: true } });

    const loaded = await call(page.loader, { headers: auth });
    expect(loaded).not.toBeInstanceOf(Response);
    expect(JSON.stringify(loaded)).not.toContain(PASSWORD);
    expect(loaded).toMatchObject({ locale: "de", smtp: { passwordSet: true }, messaging: { channels: { email: { enabled: false } } } });

    const wrongTo = await post({ intent: "test", to: "nobody", lang: "de" });
    expect(wrongTo.status).toBe(422);
    const test = await post({ intent: "test", to: "owner@example.com", lang: "de" });
    expect(test.status).toBe(200);
    const [mail] = await smtp.waitFor(1);
    expect(mail).toMatchObject({ subject: "Stammkunde: Test-E-Mail", to: ["owner@example.com"], user: "shop" });
    // saving again with an empty password keeps the stored one: the test still logs in
    expect((await post({ intent: "smtp", host: smtp.host, port: String(smtp.port), secure: "false", username: "shop", password: "" })).status).toBe(200);
    expect((await post({ intent: "test", to: "owner@example.com", lang: "en" })).status).toBe(200);
    expect((await smtp.waitFor(2))[1]!.subject).toBe("Stammkunde: test email");
  });

  it("messaging settings: 422 with field paths, 400 for a malformed body, 200 saves", async () => {
    const settings = defaultProgram().messaging;
    settings.channels.email = { enabled: true, fromName: "Laden", fromEmail: "kein-email", replyTo: "" };
    const bad = await post({ intent: "save", settings: JSON.stringify(settings) });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { result: { fieldErrors: Record<string, string> } }).result.fieldErrors).toHaveProperty(["messaging.channels.email.fromEmail"]);
    expect((await post({ intent: "save", settings: "{not json" })).status).toBe(400);
    settings.channels.email.fromEmail = "treue@laden.example";
    settings.templates.welcome = { de: { subject: "Hallo {{firstName}}", body: "Willkommen bei {{shopName}}" } };
    const ok = await post({ intent: "save", settings: JSON.stringify(settings) });
    expect(ok.status).toBe(200);
    const row = await db.sql.get<{ program: string }>(`SELECT program FROM shops WHERE domain = ?`, [SHOP]);
    expect(JSON.parse(row!.program).messaging.templates.welcome.de.subject).toBe("Hallo {{firstName}}");
  });

  it("without Shopify's session token nothing is written", async () => {
    const before = await db.sql.get<{ host: string }>(`SELECT host FROM smtp_settings WHERE shop = ?`, [SHOP]);
    const r = await post({ intent: "smtp", host: "evil.example", port: "25", secure: "false" }, {});
    expect(r.status).not.toBe(200);
    expect(await db.sql.get(`SELECT host FROM smtp_settings WHERE shop = ?`, [SHOP])).toEqual(before);
  });
});
