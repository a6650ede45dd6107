// Fuzzing the merchant's forms: every admin action with a valid App Bridge session token and
// mutated form fields (values replaced by hostile ones, fields dropped, repeated or added), the CSV
// upload with damaged files, and the CSV parser and row reader on their own. 4xx (field errors) or
// a handled answer, never a 5xx, a throw or a hang; nothing written on a refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { mintSessionToken } from "../../devstore/auth/jwt.ts";
import { CsvReader, parseCsv } from "~/domain/csv";
import { detectFormat, ImportFormatError, IMPORT_FORMATS, mapColumns, readRow } from "~/domain/member-import";
import { programToForm } from "~/domain/program-form";
import { programOf } from "~/models/earning.server";
import { ensureMember, postEntry } from "~/models/ledger.server";
import { saveSmtpSettings } from "~/models/messaging.server";
import { ensureShop } from "~/models/shops.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";
import { answer, doorTimeout, fuzz, hostile, ledgerAddsUp, mutateForm, mutateJson, mutateText, printReport, report, Rng, runs, SEED } from "./fuzz";

const SHOP = "stammkunde-dev.myshopify.com";
const APP = "https://app.example.com";
let db: TestDatabase;
let store: DevStore;
let smtp: TestSmtp;
type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
const mods: Record<string, { loader?: Handler; action?: Handler }> = {};
let memberId: number;
const bearer = () => `Bearer ${mintSessionToken({ shop: SHOP, apiKey: TEST_API_KEY, secret: TEST_SECRET, nowMs: Date.now(), userId: 77 }).token}`;
const bases: Record<string, Array<Record<string, string>>> = {};

async function loaded(name: string): Promise<Record<string, unknown>> {
  const r = await mods[name]!.loader!({ request: new Request(`${APP}/app`, { headers: { Authorization: bearer() } }), params: { id: String(memberId) }, context: {} });
  return (r instanceof Response ? await r.json() : r) as Record<string, unknown>;
}

const CSV = [
  "email,points,first_name,last_name,birthday,tier\nerika@example.com,120,Erika,Muster,1980-05-17,Gold\nmax@example.com,5,Max,,,\n",
  "Customer Email;Points Balance;Date of Birth\nerika@example.com;300;17.05.1980\n",
  "customer_id,points,history\n7001,50,\"[{\"\"points\"\":50,\"\"reason\"\":\"\"import\"\"}]\"\n",
];

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  // the Shopify library's INFO line per request ("Authenticating admin request") would be 10,000
  // lines a door in a long run
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: APP, DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url, SHOPIFY_LOG_LEVEL: process.env.SHOPIFY_LOG_LEVEL ?? "error" });
  smtp = await startSmtp({ user: "shop", password: "secret-pass" });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "x", isOnline: false, accessToken: store.shops.accessToken(SHOP), scope: "read_customers,write_discounts" }));
  const shop = await db.sql.tx((q) => ensureShop(q, SHOP));
  memberId = await db.sql.tx((q) => ensureMember(q, SHOP, "gid://shopify/Customer/7001", { email: "erika@example.com", firstName: "Erika" }));
  await postEntry(db.sql, SHOP, { memberId, bucket: "available", points: 1000, kind: "earn", reason: "purchase", idempotencyKey: "seed" });
  for (const name of ["app.program", "app.storefront", "app.referrals", "app.tiers", "app.onboarding", "app.members.$id", "app.import", "app.messaging", "app.jobs"]) {
    mods[name] = (await import(`~/routes/${name}.tsx`)) as never;
  }
  const tiers = (await loaded("app.tiers")).settings;
  const messaging = (await loaded("app.messaging")).messaging;
  bases["app.program"] = [programToForm(programOf(shop), "EUR") as Record<string, string>];
  bases["app.storefront"] = [{ "en.launcherLabel": "Rewards", "en.panelTitle": "Your points", "en.guestIntro": "Join", "de.launcherLabel": "Prämien", "de.panelTitle": "Deine Punkte", "de.guestIntro": "Mitmachen" }];
  bases["app.referrals"] = [{ intent: "approve", referralId: "1" }, { intent: "reject", referralId: "1" }];
  bases["app.tiers"] = [
    { intent: "preview", settings: JSON.stringify(tiers) },
    { intent: "save", settings: JSON.stringify(tiers) },
    { intent: "assign", customer: "gid://shopify/Customer/7001", tierId: "1", until: "2027-01-01" },
    { intent: "unassign", customer: "erika@example.com", tierId: "1", until: "" },
  ];
  bases["app.onboarding"] = [
    { intent: "check", preset: "points", pointsPerUnit: "1", signupPoints: "50", rewardPoints: "500", rewardAmount: "5", friendDiscount: "10", advocatePoints: "200" },
    { intent: "live", preset: "referrals", pointsPerUnit: "1", signupPoints: "50", rewardPoints: "500", rewardAmount: "5", friendDiscount: "10", advocatePoints: "200" },
  ];
  bases["app.members.$id"] = [
    { intent: "adjust", points: "-5", reason: "fuzz", note: "n", allowNegative: "", token: "t" },
    { intent: "block" },
    { intent: "unblock" },
    { intent: "exclude" },
    { intent: "include" },
  ];
  bases["app.import"] = [{ intent: "start", id: "1" }, { intent: "resume", id: "1" }];
  // intent=test sends a real e-mail: its own door below, against a local SMTP server
  bases["app.messaging"] = [
    { intent: "save", settings: JSON.stringify(messaging) },
    { intent: "smtp", host: "smtp.example.com", port: "587", secure: "false", username: "shop", password: "secret-pass", clearPassword: "false" },
    { intent: "retry" },
    { intent: "whatsapp", phoneNumberId: "106540352242922", accessToken: "EAAG-token", appSecret: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", verifyToken: "verify-token-of-shop-a-123", baseUrl: "https://graph.facebook.com", apiVersion: "v23.0" },
  ];
  bases["app.jobs"] = [{ intent: "retry", id: "1" }, { intent: "retryAll" }];
});
afterAll(async () => {
  printReport(`admin and CSV fuzz on ${TEST_DB}`);
  const { database } = await import("~/db.server");
  await (await database()).close();
  await smtp?.close();
  await store?.close();
  await db?.drop();
});

/** A form field's value as JSON mutated, when the field holds JSON (settings). */
function mutateFields(r: Rng, base: Record<string, string>): URLSearchParams {
  if (base.settings && r.bool(0.6)) {
    const f = new URLSearchParams(base);
    f.set("settings", r.bool(0.8) ? JSON.stringify(mutateJson(r, JSON.parse(base.settings))) : mutateText(r, base.settings));
    return f;
  }
  return mutateForm(r, base);
}

describe(`admin form fuzz on ${TEST_DB}`, () => {
  const count = runs(150);
  const names = ["app.program", "app.storefront", "app.referrals", "app.tiers", "app.onboarding", "app.members.$id", "app.import", "app.messaging", "app.jobs"];
  names.forEach((name, n) => {
    it(`${name} action: ${count} session-signed forms with mutated fields`, async () => {
      const r = new Rng(SEED ^ (n + 1) * 15485863);
      const handler = mods[name]!.action!;
      await fuzz(`${name} action`, count, db.sql, () => {
        const form = mutateFields(r, r.pick(bases[name]!));
        const id = r.bool(0.8) ? String(memberId) : String(hostile(r));
        const request = new Request(`${APP}/app/x?locale=${r.pick(["de", "en", "xx"])}`, { method: "POST", headers: { Authorization: bearer(), "Content-Type": "application/x-www-form-urlencoded" }, body: form });
        return { call: () => handler({ request, params: { id }, context: {} }), describe: () => `id=${id} ${form}` };
      }, { check: () => ledgerAddsUp(db.sql, [SHOP], name) });
    }, doorTimeout());
  });

  it(`app.messaging test mail: ${count} session-signed test-mail forms with mutated fields, sent to a local SMTP server`, async () => {
    const r = new Rng(SEED ^ 0x7e57);
    const handler = mods["app.messaging"]!.action!;
    // the smtp door above saved hostile hosts: the test mail goes to the local server
    await db.sql.tx((q) => saveSmtpSettings(q, SHOP, { host: "127.0.0.1", port: String(smtp.port), secure: false, username: "shop", password: "secret-pass", clearPassword: false }));
    const sentBefore = smtp.messages.length;
    const tally = await fuzz("app.messaging test mail", count, db.sql, () => {
      const form = mutateForm(r, { intent: "test", to: r.pick(["merchant@example.com", "inhaber@laden.de", "a@b.co"]), lang: r.pick(["en", "de"]) });
      const request = new Request(`${APP}/app/messaging`, { method: "POST", headers: { Authorization: bearer(), "Content-Type": "application/x-www-form-urlencoded" }, body: form });
      return { call: () => handler({ request, params: {}, context: {} }), describe: () => String(form) };
    });
    // every 200 was a mail the server took (none claimed sent that wasn't)
    await smtp.waitFor(sentBefore + (tally.byStatus[200] ?? 0), 60_000);
    expect(smtp.messages.length - sentBefore).toBe(tally.byStatus[200] ?? 0);
  }, doorTimeout());

  it(`app.import upload: ${runs(100)} damaged CSV files through the multipart form`, async () => {
    const r = new Rng(SEED ^ 0x5eed);
    const handler = mods["app.import"]!.action!;
    // an accepted upload writes its import (that's the point); a refused one writes nothing
    await fuzz("app.import upload", runs(100), db.sql, () => {
      const csv = mutateText(r, r.pick(CSV));
      const fd = new FormData();
      if (r.bool(0.8)) fd.append("format", r.bool(0.7) ? r.pick(IMPORT_FORMATS) : String(hostile(r)));
      if (r.bool(0.95)) fd.append("file", new Blob([csv], { type: "text/csv" }), r.pick(["members.csv", "", "../../etc/passwd", "x".repeat(300)]));
      const request = new Request(`${APP}/app/import`, { method: "POST", headers: { Authorization: bearer() }, body: fd });
      return { call: () => handler({ request, params: {}, context: {} }), describe: () => JSON.stringify(csv) };
    }, { check: () => ledgerAddsUp(db.sql, [SHOP], "app.import upload") });
  }, doorTimeout());
});

// the parser is pure and fast: never fewer than 10,000 files, more in a long run
const CSV_RUNS = Math.max(10_000, runs(10_000));
describe("CSV parser and row reader fuzz", () => {
  it(`${CSV_RUNS} damaged files: parsed, mapped and read, or refused with an ImportFormatError`, async () => {
    const r = new Rng(SEED ^ 0xc5f);
    const started = Date.now();
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < CSV_RUNS; i++) {
      const text = r.bool(0.9) ? mutateText(r, r.pick(CSV)) : r.string(200);
      const res = await answer(async () => {
        // the streaming reader in random pieces must agree with the one-shot parser
        const whole = parseCsv(text);
        const reader = new CsvReader();
        const rows: string[][] = [];
        for (let at = 0; at < text.length; ) {
          const n = 1 + r.int(64);
          rows.push(...reader.push(text.slice(at, at + n)));
          at += n;
        }
        rows.push(...reader.end());
        expect(rows, `streamed ≠ whole for ${JSON.stringify(text)}`).toEqual(whole);
        if (!whole.length) return new Response(null, { status: 204 });
        try {
          const format = detectFormat(whole[0]!);
          const map = mapColumns(format, whole[0]!);
          for (let row = 1; row < whole.length; row++) readRow(map, whole[row]!, row + 1);
          return new Response(null, { status: 200 });
        } catch (error) {
          if (error instanceof ImportFormatError) return new Response(null, { status: 422 });
          throw error;
        }
      }, () => `csv #${i} (FUZZ_SEED=${SEED}): ${JSON.stringify(text)}`);
      outcomes[res.status] = (outcomes[res.status] ?? 0) + 1;
    }
    report.push({ name: "CSV parser + row reader", inputs: CSV_RUNS, byStatus: outcomes, ms: Date.now() - started });
  }, doorTimeout());
});
