// The merchant's members pages underneath: search, adjustments (double submit, the negative
// guard), excluding and blocking (their effect on earning, redeeming and the storefront), the CSV
// import in every format (dry run, report, resume after a crash, never twice) and the exports.
// Two shops throughout; the storefront through the signed app proxy; customers looked up by email
// in the offline store with the app's real GraphQL document.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { signAppProxyQuery } from "../../devstore/auth/app-proxy.ts";
import { parseCsv } from "~/domain/csv";
import { earnAction } from "~/models/actions.server";
import { listAudit } from "~/models/audit.server";
import { exportCsv } from "~/models/export.server";
import { checkBalances, ensureMember, getMember, postEntry } from "~/models/ledger.server";
import { CHUNK_ROWS, createImport, failImport, importErrors, importStatus, ImportFormatError, ImportStateError, resumeImport, runImportSlice, startImport, validateImport, type CustomerLookup } from "~/models/member-import.server";
import { adjustMember, memberHistory, MemberNotFound, searchMembers, setMemberStatus } from "~/models/members.server";
import { createReward, redeem, RedeemError } from "~/models/redemptions.server";
import { ensureShop } from "~/models/shops.server";
import { customerIdsByEmail } from "~/services/shopify/customers.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { pipeline } from "../helpers/pipeline";
import { paidOrder, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
const A = "stammkunde-dev.myshopify.com";
const B = "zweiter-laden.myshopify.com";
const STAFF = "user:42";
const gid = (n: number | string) => `gid://shopify/Customer/${n}`;
let adminA: AdminGraphql;

async function* pieces(text: string, size = 4096) {
  for (let i = 0; i < text.length; i += size) yield new TextEncoder().encode(text.slice(i, i + size));
}
const upload = (shop: string, csv: string, filename = "members.csv", format?: "generic" | "smile" | "loyaltylion" | "yotpo") => createImport(db.sql, shop, { filename, actor: STAFF, format }, pieces(csv));

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  store.shops.create({ domain: B });
  for (const s of [A, B]) await db.sql.tx((q) => ensureShop(q, s));
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  adminA = (query, options) =>
    fetch(`${store.url}/admin/api/2026-01/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": store.shops.accessToken(A) },
      body: JSON.stringify({ query, variables: options?.variables }),
    });
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

async function member(shop: string, customer: string, profile: { email?: string; firstName?: string; lastName?: string } = {}, points = 0) {
  const id = await db.sql.tx((q) => ensureMember(q, shop, customer, profile));
  if (points) await postEntry(db.sql, shop, { memberId: id, bucket: "available", points, kind: "earn", reason: "purchase", idempotencyKey: `seed:${customer}` });
  return id;
}

describe(`member search on ${TEST_DB}`, () => {
  it("finds by email, first or last name prefix in any case, Unicode too, only in its shop", async () => {
    const erika = await member(A, gid(9001), { email: "Erika.Mustermann@Example.de", firstName: "Erika", lastName: "Mustermann" });
    const oez = await member(A, gid(9002), { email: "ayse@example.de", firstName: "Ayşe", lastName: "Öztürk" });
    const leyen = await member(A, gid(9003), { email: "u@example.de", firstName: "Ursula", lastName: "von der Leyen" });
    await member(B, gid(9001), { email: "erika.mustermann@example.de", firstName: "Erika", lastName: "Mustermann" });
    const ids = async (q: string) => (await searchMembers(db.sql, A, q)).members.map((m) => m.id);
    expect(await ids("erika.m")).toEqual([erika]);
    expect(await ids("ERIKA")).toEqual([erika]);
    expect(await ids("muster")).toEqual([erika]);
    expect(await ids("erika must")).toEqual([erika]);
    expect(await ids("öz")).toEqual([oez]);
    expect(await ids("ÖZTÜ")).toEqual([oez]);
    expect(await ids("von der")).toEqual([leyen]);
    expect(await ids("rika")).toEqual([]);
    expect(await ids("%")).toEqual([]);
    // the other shop's Erika is a different member
    expect((await searchMembers(db.sql, B, "erika")).members.map((m) => m.id)).not.toContain(erika);
  });

  it("pages 50 at a time by keyset, newest first, with and without a query", async () => {
    for (let i = 0; i < 120; i++) await member(A, gid(20_000 + i), { email: `page${String(i).padStart(3, "0")}@example.de`, firstName: "Paula", lastName: `Seite${i}` });
    const seen: number[] = [];
    let after: number | null = null;
    for (let page = 0; page < 5; page++) {
      const r = await searchMembers(db.sql, A, "page", after);
      seen.push(...r.members.map((m) => m.id));
      if (r.next === null) break;
      expect(r.members).toHaveLength(50);
      after = r.next;
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    const all = await searchMembers(db.sql, A, null);
    expect(all.members).toHaveLength(50);
    expect(all.next).not.toBeNull();
  });
});

describe(`manual adjustments on ${TEST_DB}`, () => {
  it("a double submit (same form token) posts once; the history and the audit log show it once", async () => {
    const id = await member(A, gid(9100), { email: "adj@example.de" }, 100);
    const input = { points: 50, reason: "goodwill", note: "parcel late", allowNegative: false, token: "tok-double-1" };
    const [first, second] = await Promise.all([adjustMember(db.sql, A, id, input, STAFF), adjustMember(db.sql, A, id, input, STAFF)]);
    expect([first.status, second.status].sort()).toEqual(["duplicate", "posted"]);
    expect((await getMember(db.sql, A, id))?.points_available).toBe(150);
    const history = await memberHistory(db.sql, A, id);
    expect(history.lines.filter((l) => l.kind === "adjust")).toEqual([expect.objectContaining({ points: 50, reason: "manual:goodwill", note: "parcel late", source: `staff ${STAFF}` })]);
    const audit = await listAudit(db.sql, A, { subject: { type: "member", id: String(id) } });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ actor: STAFF, action: "adjust", before: { pointsAvailable: 100 }, after: { pointsAvailable: 150, points: 50 } });
  });

  it("a debit can't take the balance below 0 unless the merchant allows it", async () => {
    const id = await member(A, gid(9101), {}, 30);
    const r = await adjustMember(db.sql, A, id, { points: -31, reason: "correction", note: null, allowNegative: false, token: "tok-neg-1" }, STAFF);
    expect(r).toEqual({ status: "insufficient", balance: 30 });
    expect(await db.sql.all(`SELECT id FROM ledger_entries WHERE shop = ? AND idempotency_key = ?`, [A, "adjust:manual:tok-neg-1"])).toHaveLength(0);
    expect((await listAudit(db.sql, A, { subject: { type: "member", id: String(id) } })).entries).toHaveLength(0);
    const ok = await adjustMember(db.sql, A, id, { points: -31, reason: "correction", note: null, allowNegative: true, token: "tok-neg-2" }, STAFF);
    expect(ok).toMatchObject({ status: "posted", balance: -1 });
  });

  it("a member of another shop can't be adjusted or flagged", async () => {
    const inB = await member(B, gid(9102), {}, 10);
    await expect(adjustMember(db.sql, A, inB, { points: 5, reason: "x", note: null, allowNegative: false, token: "tok-cross-1" }, STAFF)).rejects.toBeInstanceOf(MemberNotFound);
    await expect(setMemberStatus(db.sql, A, inB, "block", STAFF)).rejects.toBeInstanceOf(MemberNotFound);
    expect((await getMember(db.sql, B, inB))?.points_available).toBe(10);
  });
});

describe(`excluding and blocking on ${TEST_DB}`, () => {
  const noAdmin: AdminGraphql = async () => {
    throw new Error("Shopify must not be called");
  };

  it("an excluded member earns nothing from orders or actions and can't redeem; included again, earns again", async () => {
    const customer = store.customers.create({ firstName: "Exa", email: "exa@example.de" }).id;
    const id = await member(A, gid(customer), {}, 500);
    const rewardId = await db.sql.tx((q) => createReward(q, A, { type: "amount", amountMinor: 500, pointsCost: 100, texts: { en: { title: "€5" }, de: { title: "5 €" } } }));
    expect(await setMemberStatus(db.sql, A, id, "exclude", STAFF, "fraud check")).toBe(true);
    expect(await setMemberStatus(db.sql, A, id, "exclude", STAFF)).toBe(false);
    const p = pipeline(db.sql);
    await p.deliver("orders/paid", A, paidOrder(customer, "100.00"));
    expect(await earnAction(db.sql, A, gid(customer), { kind: "signup" })).toEqual({ status: "skipped", reason: "member excluded" });
    expect((await getMember(db.sql, A, id))?.points_available).toBe(500);
    await expect(redeem(db.sql, A, gid(customer), rewardId, "ex-1", noAdmin)).rejects.toMatchObject({ status: 403 });
    await setMemberStatus(db.sql, A, id, "include", STAFF);
    await p.deliver("orders/paid", A, paidOrder(customer, "100.00"));
    expect((await getMember(db.sql, A, id))!.points_available).toBeGreaterThan(500);
    const audit = await listAudit(db.sql, A, { subject: { type: "member", id: String(id) } });
    expect(audit.entries.map((e) => e.action)).toEqual(["include", "exclude"]);
    expect(audit.entries[1]).toMatchObject({ before: { excluded: false }, after: { excluded: true }, note: "fraud check" });
  });

  it("a blocked member can't redeem and the storefront shows them nothing personal", async () => {
    const customer = store.customers.create({ firstName: "Bea", email: "bea@example.de" }).id;
    const id = await member(A, gid(customer), { email: "bea@example.de" }, 700);
    const rewardId = await db.sql.tx((q) => createReward(q, A, { type: "amount", amountMinor: 500, pointsCost: 100, texts: { en: { title: "€5" }, de: { title: "5 €" } } }));
    await setMemberStatus(db.sql, A, id, "block", STAFF);
    await expect(redeem(db.sql, A, gid(customer), rewardId, "bl-1", noAdmin)).rejects.toBeInstanceOf(RedeemError);
    const query = signAppProxyQuery(TEST_SECRET, new URLSearchParams(), { shop: A, loggedInCustomerId: customer, pathPrefix: "/apps/loyalty", timestampSec: Math.floor(Date.now() / 1000) });
    type Route = (args: { request: Request; params: object; context: object }) => Promise<Response>;
    const rewards = (await import("~/routes/proxy.rewards")).loader as unknown as Route;
    const memberRoute = (await import("~/routes/proxy.member")).loader as unknown as Route;
    const body = await (await rewards({ request: new Request(`https://app.example.com/proxy/rewards?${query}`), params: {}, context: {} })).json();
    expect(body).toMatchObject({ loggedIn: false, blocked: true, balance: 0, codes: [], history: [] });
    expect(body.rewards.every((r: { affordable: boolean }) => !r.affordable)).toBe(true);
    const m = await (await memberRoute({ request: new Request(`https://app.example.com/proxy/member?${query}`), params: {}, context: {} })).json();
    expect(m).toEqual({ loggedIn: true, blocked: true, member: null });
    await setMemberStatus(db.sql, A, id, "unblock", STAFF);
    const after = await (await rewards({ request: new Request(`https://app.example.com/proxy/rewards?${query}`), params: {}, context: {} })).json();
    expect(after).toMatchObject({ loggedIn: true, balance: 700 });
  });
});

describe(`CSV import on ${TEST_DB}`, () => {
  const runAll = async (shop: string, id: number, lookup: CustomerLookup | null) => {
    for (let i = 0; i < 100; i++) {
      const r = await runImportSlice(db.sql, shop, id, lookup, { budgetMs: 0 });
      if (r.nextChunk === null) return r;
    }
    throw new Error("import did not finish");
  };
  const balance = async (shop: string, customer: string) => (await db.sql.get<{ points_available: number }>(`SELECT points_available FROM members WHERE shop = ? AND customer_gid = ?`, [shop, customer]))?.points_available;

  it("the dry run names each bad row and writes no member or entry; the run imports the good rows once", async () => {
    const csv = [
      "customer_id,email,first_name,last_name,points,tier,birthday,referral_code,history",
      "5001,gina@example.de,Gina,Generisch,250,Gold,1985-03-14,GINA5,2024-01-05|200|purchase;2024-02-01|-50|reward",
      "5002,not-an-email,Bad,Row,10,,,,",
      "5003,hans@example.de,Hans,Huber,1.234,,,,",
      "5004,ida@example.de,Ida,Imker,40,,31.02.1990,,",
      "5005,jo@example.de,Jo,Jung,75,,,,",
      "5001,gina2@example.de,Gina,Twice,5,,,,",
    ].join("\n");
    const membersBefore = (await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM members WHERE shop = ?`, [A]))!.n;
    const id = await upload(A, csv, "generic.csv");
    expect((await importStatus(db.sql, A, id))).toMatchObject({ format: "generic", status: "validating", totalRows: 6 });
    expect(await validateImport(db.sql, A, id)).toEqual({ valid: 2, bad: 4 });
    const report = await importErrors(db.sql, A, id, "validate");
    expect(report.errors).toEqual([
      { row: 3, column: "email", reason: "email.invalid" },
      { row: 4, column: "points", reason: "points.whole" },
      { row: 5, column: "birthday", reason: "birthday.invalid" },
      { row: 7, column: "customer_id", reason: "duplicate:2" },
    ]);
    expect((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM members WHERE shop = ?`, [A]))!.n).toBe(membersBefore);
    expect(await db.sql.all(`SELECT id FROM ledger_entries WHERE shop = ? AND kind = 'migrate'`, [A])).toHaveLength(0);

    await startImport(db.sql, A, id, STAFF);
    await runAll(A, id, null);
    expect(await importStatus(db.sql, A, id)).toMatchObject({ status: "done", importedRows: 2, skippedRows: 4, pointsImported: 325, percent: 100 });
    expect(await balance(A, gid(5001))).toBe(250);
    expect(await balance(A, gid(5005))).toBe(75);
    expect(await balance(A, gid(5003))).toBeUndefined();
    const gina = (await db.sql.get<{ id: number; birthday: string; imported_tier: string; imported_referral_code: string; first_name: string }>(`SELECT * FROM members WHERE shop = ? AND customer_gid = ?`, [A, gid(5001)]))!;
    expect(gina).toMatchObject({ birthday: "03-14", imported_tier: "Gold", imported_referral_code: "GINA5", first_name: "Gina" });
    const lines = (await memberHistory(db.sql, A, gina.id)).lines.reverse();
    expect(lines.map((l) => [l.kind, l.points, l.reason, l.note])).toEqual([
      ["migrate", 200, "import:history", "2024-01-05 purchase"],
      ["migrate", -50, "import:history", "2024-02-01 reward"],
      ["migrate", 100, "import", "balance in the file less its history"],
    ]);
    const audit = await listAudit(db.sql, A, { subject: { type: "import", id: String(id) } });
    expect(audit.entries[0]).toMatchObject({ action: "import", actor: STAFF, after: { rows: 6, valid: 2, bad: 4, format: "generic" } });
    // the file (customers' personal data) goes once the import is done; the report stays
    expect(await db.sql.all(`SELECT id FROM member_import_chunks WHERE import_id = ?`, [id])).toHaveLength(0);
    expect((await importErrors(db.sql, A, id, "validate")).total).toBe(4);
  });

  it("reads Smile.io, LoyaltyLion and Yotpo exports; emails become customers through the Admin API", async () => {
    const smileCustomer = store.customers.create({ firstName: "Sam", email: "sam.smile@example.de" }).id;
    const yotpoCustomer = store.customers.create({ firstName: "Yara", email: "yara.yotpo@example.de" }).id;
    const lookup: CustomerLookup = (emails) => customerIdsByEmail(adminA, emails);

    const smile = await upload(A, ['"First name","Last name","Email","Points balance","Membership status","VIP tier","Date of birth","Referral url"', `Sam,Smile,SAM.SMILE@example.de,1200,member,Silver,07/04/1990,https://r.example/sam`, "Nobody,Here,nobody@example.de,5,member,,,"].join("\r\n"));
    const lion = await upload(A, ["merchant_id,email,first_name,last_name,points_approved,points_pending,points_spent,tier,birthday", "6001,leo@example.de,Leo,Lion,333,20,10,Gold,1991-12-01"].join("\n"));
    const yotpo = await upload(A, ["Email;First Name;Last Name;Points Balance;Points Earned;Points Spent;VIP Tier;Birthday;Referral Link", "yara.yotpo@example.de;Yara;Yotpo;90;120;30;;12/24;https://y.example/yara"].join("\n"));
    expect((await importStatus(db.sql, A, smile))?.format).toBe("smile");
    expect((await importStatus(db.sql, A, lion))?.format).toBe("loyaltylion");
    expect((await importStatus(db.sql, A, yotpo))?.format).toBe("yotpo");
    for (const id of [smile, lion, yotpo]) {
      await validateImport(db.sql, A, id);
      await startImport(db.sql, A, id, STAFF);
      await runAll(A, id, lookup);
    }
    expect(await balance(A, gid(smileCustomer))).toBe(1200);
    expect(await balance(A, gid(6001))).toBe(333);
    expect(await balance(A, gid(yotpoCustomer))).toBe(90);
    const sam = await db.sql.get<{ birthday: string; imported_tier: string; email: string }>(`SELECT birthday, imported_tier, email FROM members WHERE shop = ? AND customer_gid = ?`, [A, gid(smileCustomer)]);
    expect(sam).toEqual({ birthday: "07-04", imported_tier: "Silver", email: "sam.smile@example.de" });
    // an email without a Shopify customer is reported, not guessed
    expect((await importErrors(db.sql, A, smile, "run")).errors).toEqual([{ row: 3, column: "Email", reason: "customer.notFound" }]);
    expect(await importStatus(db.sql, A, smile)).toMatchObject({ importedRows: 1, skippedRows: 1 });
  });

  it("refuses a file no format knows, keeping nothing", async () => {
    const before = (await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM member_imports`))!.n;
    await expect(upload(A, "name,balance\nx,1\n")).rejects.toBeInstanceOf(ImportFormatError);
    await expect(upload(A, "")).rejects.toBeInstanceOf(ImportFormatError);
    expect((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM member_imports`))!.n).toBe(before);
  });

  it("resumes after a crash from the last committed chunk and never posts twice", async () => {
    const rows = 2 * CHUNK_ROWS + 500;
    const lines = ["email,points"];
    for (let i = 0; i < rows; i++) lines.push(`crash${i}@example.de,${(i % 50) + 1}`);
    const id = await upload(B, lines.join("\n"), "big.csv");
    await validateImport(db.sql, B, id);
    await startImport(db.sql, B, id, STAFF);
    const ids = (emails: string[]) => new Map(emails.map((e) => [e, gid(700_000 + Number(/crash(\d+)@/.exec(e)![1]))]));
    let calls = 0;
    // the lookup dies while the second chunk is prepared: as if the worker crashed there
    const dying: CustomerLookup = async (emails) => {
      if (++calls === 2) throw new Error("worker killed");
      return ids(emails);
    };
    await expect(runImportSlice(db.sql, B, id, dying, { budgetMs: 60_000 })).rejects.toThrow("worker killed");
    expect(await importStatus(db.sql, B, id)).toMatchObject({ status: "running", doneRows: CHUNK_ROWS, importedRows: CHUNK_ROWS });
    const sum = async () => Number((await db.sql.get<{ s: number }>(`SELECT COALESCE(SUM(points), 0) AS s FROM ledger_entries WHERE shop = ? AND source_type = 'import' AND source_id = ?`, [B, String(id)]))!.s);
    const firstChunk = await sum();
    expect(firstChunk).toBeGreaterThan(0);
    // a second worker resumes where the first stopped; here even with the progress lost (the
    // worst case), so the committed chunk runs again: its keys post nothing twice
    await db.sql.run(`UPDATE member_imports SET next_chunk = 0 WHERE shop = ? AND id = ?`, [B, id]);
    await runAll(B, id, async (e) => ids(e));
    const expected = Array.from({ length: rows }, (_, i) => (i % 50) + 1).reduce((s, p) => s + p, 0);
    expect(await sum()).toBe(expected);
    expect(await importStatus(db.sql, B, id)).toMatchObject({ status: "done", pointsImported: expected, importedRows: rows });
    expect(Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ledger_entries WHERE shop = ? AND source_id = ?`, [B, String(id)]))!.n)).toBe(rows);
    expect((await checkBalances(db.sql, B)).mismatched).toEqual([]);
    expect((await checkBalances(db.sql, A)).mismatched).toEqual([]);
  });

  it("a failed import resumes where it stopped, once, and the resume is audited", async () => {
    const id = await upload(A, "email,points\nrz1@example.de,10\nrz2@example.de,20\n");
    await validateImport(db.sql, A, id);
    await startImport(db.sql, A, id, STAFF);
    await failImport(db.sql, A, id, "Shopify did not answer");
    expect(await importStatus(db.sql, A, id)).toMatchObject({ status: "failed", lastError: "Shopify did not answer" });
    await expect(startImport(db.sql, A, id, STAFF)).rejects.toBeInstanceOf(ImportStateError);
    await resumeImport(db.sql, A, id, STAFF);
    await expect(resumeImport(db.sql, A, id, STAFF)).rejects.toBeInstanceOf(ImportStateError);
    await runAll(A, id, async (emails) => new Map(emails.map((e) => [e, gid(950_000 + Number(/^rz(\d)@/.exec(e)![1]))])));
    expect(await importStatus(db.sql, A, id)).toMatchObject({ status: "done", importedRows: 2, pointsImported: 30 });
    expect((await listAudit(db.sql, A, { subject: { type: "import", id: String(id) } })).entries.map((e) => e.note)).toEqual(["resumed", null]);
  });

  it("an import of one shop is invisible to another", async () => {
    const id = await upload(A, "email,points\nq@example.de,1\n");
    expect(await importStatus(db.sql, B, id)).toBeNull();
    expect(await validateImport(db.sql, B, id)).toEqual({ valid: 0, bad: 0 });
    await expect(startImport(db.sql, B, id, STAFF)).rejects.toThrow();
    expect(await runImportSlice(db.sql, B, id, null)).toEqual({ status: "failed", nextChunk: null });
  });
});

describe(`exports on ${TEST_DB}`, () => {
  const read = async (stream: ReadableStream<Uint8Array>) => {
    let text = "";
    const decoder = new TextDecoder();
    for await (const piece of stream as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(piece, { stream: true });
    return parseCsv(text);
  };

  it("members: the shop's own, in the generic import's columns, and audited", async () => {
    const shop = "export-shop.myshopify.com";
    await db.sql.tx((q) => ensureShop(q, shop));
    for (let i = 0; i < 1200; i++) await member(shop, gid(800_000 + i), { email: `x${i}@example.de`, firstName: i === 0 ? "=cmd" : "X", lastName: "Y" }, i + 1);
    await member(B, gid(800_000), { email: "other@example.de" }, 5);
    const rows = await read(await exportCsv(db.sql, shop, "members", STAFF));
    expect(rows[0]).toEqual(["customer_id", "email", "first_name", "last_name", "points", "points_pending", "lifetime_earned", "birthday", "tier", "referral_code", "excluded", "blocked", "member_since"]);
    expect(rows).toHaveLength(1201);
    expect(rows[1]!.slice(0, 5)).toEqual(["800000", "x0@example.de", "'=cmd", "Y", "1"]);
    expect(rows.some((r) => r[1] === "other@example.de")).toBe(false);
    expect((await listAudit(db.sql, shop)).entries[0]).toMatchObject({ action: "export", subjectId: "members", actor: STAFF });
    // the export imports again (generic format)
    const text = rows.map((r) => r.join(",")).join("\n");
    const id = await upload("export-shop-2.myshopify.com", text.replace("'=cmd", "Cmd"));
    expect(await validateImport(db.sql, "export-shop-2.myshopify.com", id)).toEqual({ valid: 1200, bad: 0 });
  });

  it("ledger: every entry of the shop with its reason", async () => {
    const shop = "export-shop.myshopify.com";
    const id = await member(shop, gid(800_000));
    await adjustMember(db.sql, shop, id, { points: -1, reason: "typo, fixed", note: 'said "sorry"', allowNegative: false, token: "tok-export-1" }, STAFF);
    const rows = await read(await exportCsv(db.sql, shop, "ledger", STAFF));
    expect(rows[0]).toEqual(["entry_id", "created_at", "customer_id", "bucket", "points", "kind", "reason", "source_type", "source_id", "reverses_entry_id", "note"]);
    expect(rows).toHaveLength(1 + 1200 + 1);
    expect(rows[rows.length - 1]!.slice(2)).toEqual(["800000", "available", "-1", "adjust", "manual:typo, fixed", "staff", STAFF, "", 'said "sorry"']);
    const total = await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ledger_entries WHERE shop = ?`, [shop]);
    expect(rows.length - 1).toBe(Number(total!.n));
  });
});

describe(`shop/redact on ${TEST_DB}`, () => {
  it("removes a shop's audit log and imports, and nothing of another shop's", async () => {
    const { deleteShopData } = await import("~/models/shops.server");
    const gone = "redact-me.myshopify.com";
    await db.sql.tx((q) => ensureShop(q, gone));
    const id = await member(gone, gid(1), { email: "r@example.de" }, 5);
    await setMemberStatus(db.sql, gone, id, "block", STAFF);
    const imp = await upload(gone, "email,points\nr@example.de,1\n");
    const count = async (table: string, shop: string) => Number((await db.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE shop = ?`, [shop]))!.n);
    expect(await count("member_import_chunks", gone)).toBe(1);
    const keptAudit = await count("audit_log", A);
    await db.sql.tx((q) => deleteShopData(q, gone));
    for (const table of ["audit_log", "member_imports", "member_import_chunks", "member_import_errors", "members"]) expect(await count(table, gone), table).toBe(0);
    expect(await importStatus(db.sql, gone, imp)).toBeNull();
    expect(await count("audit_log", A)).toBe(keptAudit);
  });
});
