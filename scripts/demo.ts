// npm run demo — the offline store, the app and its worker in one process, on a fresh SQLite
// database, seeded with a demo shop. Nothing to install beyond `npm ci`, no network.
// Ctrl-C stops all of it.
import { rmSync } from "node:fs";
import { createDevStore } from "../devstore/index.ts";
import { seedDemo } from "./demo-seed.ts";
import { startSmtp } from "../tests/helpers/smtp.ts";
import { startWhatsAppStandIn } from "../devstore/whatsapp/index.ts";

const started = Date.now();
const appPort = Number(process.env.PORT ?? 3000);
const storePort = Number(process.env.DEVSTORE_PORT ?? 4010);
const host = "127.0.0.1";
const storeUrl = `http://${host}:${storePort}`;
const defaults: Record<string, string> = {
  SHOPIFY_API_KEY: "stammkunde-offline-dev",
  SHOPIFY_API_SECRET: "stammkunde-demo-secret",
  SHOPIFY_APP_URL: `http://${host}:${appPort}`,
  DATABASE_URL: "file:./data/demo.sqlite",
  WORKER: "inline",
  PORT: String(appPort),
  // configuration only: the shops' Admin API and App Bridge are the offline store's
  SHOPIFY_ADMIN_ORIGIN: storeUrl,
  SHOPIFY_APP_BRIDGE_URL: `${storeUrl}/cdn/shopifycloud/app-bridge.js`,
};
for (const [k, v] of Object.entries(defaults)) process.env[k] ??= v;

// The offline store keeps its state in memory, so the demo's app database starts fresh with it.
const dbFile = process.env.DATABASE_URL!.replace(/^file:/, "");
if (process.env.DATABASE_URL!.startsWith("file:")) for (const suffix of ["", "-wal", "-shm"]) rmSync(dbFile + suffix, { force: true });

// A real SMTP server on a local port stands in for the merchant's: notices by email arrive here
// and are printed (To and Subject) as they come.
const mailbox = await startSmtp({
  user: "demo",
  password: "demo-smtp-password",
  port: Number(process.env.DEMO_SMTP_PORT ?? 0),
  onMessage: (m) => console.log(`[mail] to ${m.to.join(", ")}: ${m.subject}`),
});

// The WhatsApp Business Cloud API stand-in: approved templates for every notice in en and de;
// messages it accepts are printed as [whatsapp] lines, like mail.
const { NOTICE_KINDS } = await import("../app/domain/program.ts");
const { templateParameterNames } = await import("../app/domain/whatsapp.ts");
const WA = { phoneNumberId: "106540352242922", accessToken: "demo-whatsapp-token", appSecret: "demo0whatsapp0app0secret0000000", verifyToken: "demo-whatsapp-verify-token" };
const whatsapp = await startWhatsAppStandIn({
  host,
  port: Number(process.env.DEMO_WHATSAPP_PORT ?? 0),
  webhookUrl: `${process.env.SHOPIFY_APP_URL}/webhooks/whatsapp`,
  accounts: [
    {
      ...WA,
      templates: NOTICE_KINDS.flatMap((k) => {
        const params = templateParameterNames(k);
        const list = params.slice(1).map((p, i) => `${p}={{${i + 2}}}`).join(", ");
        return [
          { name: `stk_${k}`, language: "en", bodyParams: params.length, text: `Hi {{1}}: ${k} (${list})` },
          { name: `stk_${k}`, language: "de", bodyParams: params.length, text: `Hallo {{1}}: ${k} (${list})` },
        ];
      }),
    },
  ],
  onMessage: (m) => console.log(`[whatsapp] to +${m.to}: ${m.rendered.replace(/\n/g, " / ")}`),
});

const store = await createDevStore({
  port: storePort,
  host,
  apiKey: process.env.SHOPIFY_API_KEY,
  apiSecret: process.env.SHOPIFY_API_SECRET,
  appUrl: process.env.SHOPIFY_APP_URL,
  shops: [{ domain: "stammkunde-dev.myshopify.com", name: "Kaffeerösterei Stammkunde", currency: "EUR", timezone: "Europe/Berlin", taxesIncluded: true, taxRate: 0.19, countryCode: "DE" }],
});
// The demo shop has installed the app (its offline session, as the install's token exchange would
// leave it) and has a few rewards — written before the app opens the database.
{
  const { openDatabase } = await import("../app/db.server.ts");
  const { createReward } = await import("../app/models/redemptions.server.ts");
  const { saveProgram } = await import("../app/models/earning.server.ts");
  const { defaultProgram } = await import("../app/domain/program.ts");
  const { markOnboarded } = await import("../app/models/onboarding.server.ts");
  const db = await openDatabase(process.env.DATABASE_URL!);
  const shopDomain = "stammkunde-dev.myshopify.com";
  const rewards = [
    { type: "amount", amountMinor: 200, pointsCost: 100, texts: { en: { title: "€2 off" }, de: { title: "2 € Rabatt" } } },
    { type: "free_shipping", pointsCost: 150, texts: { en: { title: "Free shipping" }, de: { title: "Kostenloser Versand" } } },
    { type: "amount", amountMinor: 500, pointsCost: 250, minimumSubtotalMinor: 2000, texts: { en: { title: "€5 off orders over €20" }, de: { title: "5 € Rabatt ab 20 €" } } },
    { type: "percentage", percent: 10, pointsCost: 400, texts: { en: { title: "10% off" }, de: { title: "10 % Rabatt" } } },
  ];
  for (const r of rewards) await db.sql.tx((q) => createReward(q, shopDomain, r));
  const program = defaultProgram();
  program.actions.birthday.enabled = true;
  program.actions.newsletter.enabled = true;
  program.actions.social.enabled = true;
  program.actions.social.networks.instagram = { enabled: true, url: "https://www.instagram.com/" };
  program.referrals.enabled = true; // friends get €10 off from €30, advocates 500 points after 30 days
  // VIP tiers by points earned in the last 12 months: everyone starts in Bronze
  const level = (id: string, threshold: number, en: string, de: string, multiplier: number, perks: { en: string[]; de: string[] }) =>
    ({ id, threshold, name: { en, de }, multiplier, entryRewardPoints: 0, birthdayBonusPoints: 0, freeShipping: false, perks });
  program.tiers = {
    enabled: true,
    basis: "points_earned",
    window: "rolling_12_months",
    levels: [
      level("bronze", 0, "Bronze", "Bronze", 1, { en: [], de: [] }),
      level("silver", 300, "Silver", "Silber", 1.25, { en: ["1.25× points"], de: ["1,25-fache Punkte"] }),
      level("gold", 1000, "Gold", "Gold", 1.5, { en: ["1.5× points"], de: ["1,5-fache Punkte"] }),
    ],
    retention: { keepNextPeriod: true, graceDays: 30 },
    membershipProduct: null,
  };
  // notices by email through the local SMTP server (quiet hours off, so the demo shows them at once)
  program.messaging.channels.email = { enabled: true, fromName: "Kaffeerösterei Stammkunde", fromEmail: "treue@kaffee.example", replyTo: "" };
  program.messaging.quietHours.enabled = false;
  program.messaging.defaultLanguage = "de";
  program.messaging.channels.whatsapp = { enabled: true, templates: Object.fromEntries(NOTICE_KINDS.map((k) => [k, { name: `stk_${k}`, en: "en", de: "de" }])) };
  await db.sql.tx((q) => saveProgram(q, shopDomain, program));
  // configured above, so it counts as onboarded: the merchant lands on the overview, not the onboarding
  await db.sql.tx((q) => markOnboarded(q, shopDomain));
  const { saveSmtpSettings } = await import("../app/models/messaging.server.ts");
  await saveSmtpSettings(db.sql, shopDomain, { host: mailbox.host, port: mailbox.port, secure: false, username: "demo", password: "demo-smtp-password" });
  const { saveWhatsAppSettings } = await import("../app/models/whatsapp.server.ts");
  await saveWhatsAppSettings(db.sql, shopDomain, { ...WA, baseUrl: whatsapp.url, apiVersion: "v23.0" });
  await db.sql.run(
    `INSERT INTO sessions (id, shop, state, "isOnline", scope, "accessToken", "accountOwner") VALUES (?, ?, '', ?, ?, ?, ?)`,
    [`offline_${shopDomain}`, shopDomain, db.sql.bool(false), store.shops.get(shopDomain).scope, store.shops.accessToken(shopDomain), db.sql.bool(false)],
  );
  await db.close();
}

const { startServer } = await import("../server/index.ts");
const app = await startServer({ port: appPort, host, mode: process.env.NODE_ENV === "production" ? "production" : "development" });
const seed = seedDemo(store, Number(process.env.DEMO_CUSTOMERS ?? 50));
const shop = store.shops.get().domain;

console.log(`
Stammkunde demo is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s; database ${process.env.DATABASE_URL})
  Merchant (the app inside the store's admin):  ${storeUrl}/admin/apps/stammkunde?shop=${shop}
                                       German:  ${storeUrl}/admin/apps/stammkunde?shop=${shop}&locale=de
  Storefront:                                   ${storeUrl}/
  Log in as a shopper (e.g. ${seed.demoShopper.name}):   ${storeUrl}/account/login
  The app itself:                               ${app.url}/
Notices by email go to a local SMTP server at ${mailbox.host}:${mailbox.port} and are printed here as [mail] lines.
WhatsApp goes to a Cloud API stand-in at ${whatsapp.url} and is printed here as [whatsapp] lines. Members
sign their number up in the storefront panel (POST /apps/loyalty/whatsapp); write as a member's phone:
  curl -X POST ${whatsapp.url}/_standin/inbound -d '{"from": "4915112345678", "text": "Punkte"}'
Seeded ${seed.customers} customers and ${seed.orders} paid orders; the app earns their points from the webhooks.
Place, pay, refund and cancel orders from a script: POST ${storeUrl}/devstore/orders, /devstore/orders/:id/paid|refund|cancel
Stop with Ctrl-C.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await app.close();
  await store.close();
  await mailbox.close();
  await whatsapp.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
