// The admin routes as Shopify's library sees them: a request signed with an App Bridge session
// token (the offline store's minting), or not signed at all. Adjustments (422 field errors, the
// negative guard, a double submit), status changes, an upload, the exports, and who the audit log
// names.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { mintSessionToken } from "../../devstore/auth/jwt.ts";
import { parseCsv } from "~/domain/csv";
import { listAudit } from "~/models/audit.server";
import { ensureMember, getMember, postEntry } from "~/models/ledger.server";
import { importStatus } from "~/models/member-import.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
const SHOP = "stammkunde-dev.myshopify.com";
const OTHER = "zweiter-laden.myshopify.com";
type Route = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
let memberRoute: { loader: Route; action: Route };
let importRoute: { loader: Route; action: Route };
let exportRoute: { loader: Route };
let memberId: number;
let otherMember: number;

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: db.url, SHOPIFY_ADMIN_ORIGIN: store.url });
  const { sessionStorage } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "x", isOnline: false, accessToken: store.shops.accessToken(SHOP), scope: "read_customers" }));
  memberRoute = (await import("~/routes/app.members.$id")) as never;
  importRoute = (await import("~/routes/app.import")) as never;
  exportRoute = (await import("~/routes/app.export.$kind")) as never;
  memberId = await db.sql.tx((q) => ensureMember(q, SHOP, "gid://shopify/Customer/1", { email: "erika@example.de", firstName: "Erika", lastName: "Mustermann" }));
  await postEntry(db.sql, SHOP, { memberId, bucket: "available", points: 100, kind: "earn", reason: "purchase", idempotencyKey: "seed:1" });
  otherMember = await db.sql.tx((q) => ensureMember(q, OTHER, "gid://shopify/Customer/2"));
});
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

const bearer = (userId = 77) => `Bearer ${mintSessionToken({ shop: SHOP, apiKey: TEST_API_KEY, secret: TEST_SECRET, nowMs: Date.now(), userId }).token}`;
async function call(route: Route, url: string, init: RequestInit & { params?: Record<string, string>; signed?: boolean } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.signed !== false) headers.set("Authorization", bearer());
  try {
    const r = await route({ request: new Request(`https://app.example.com${url}`, { ...init, headers }), params: init.params ?? {}, context: {} });
    return r instanceof Response ? r : new Response(JSON.stringify(r), { status: 200, headers: { "Content-Type": "application/json" } });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
const form = (fields: Record<string, string>) => ({ method: "POST", body: new URLSearchParams(fields), params: { id: String(memberId) } });
const balance = async () => (await getMember(db.sql, SHOP, memberId))!.points_available;

describe(`admin routes on ${TEST_DB}`, () => {
  it("a request without a session token goes to log in and writes nothing", async () => {
    const r = await call(memberRoute.action, `/app/members/${memberId}`, { ...form({ intent: "adjust", points: "5", reason: "x", token: "tok-unsigned-1" }), signed: false });
    // Shopify's library sends a request without a session token to log in
    expect(r.status).toBe(302);
    expect(r.headers.get("Location")).toBe("/auth/login");
    expect(await balance()).toBe(100);
    const e = await call(exportRoute.loader, "/app/export/members", { params: { kind: "members" }, signed: false });
    expect(e.status).not.toBe(200);
  });

  it("field errors come back as 422 with a map per field", async () => {
    const r = await call(memberRoute.action, `/app/members/${memberId}`, form({ intent: "adjust", points: "abc", reason: "", token: "tok-422-1" }));
    expect(r.status).toBe(422);
    expect(await r.json()).toEqual({ ok: false, intent: "adjust", fieldErrors: { points: "points.whole", reason: "reason.required" } });
    const neg = await call(memberRoute.action, `/app/members/${memberId}`, form({ intent: "adjust", points: "-101", reason: "oops", token: "tok-422-2" }));
    expect(neg.status).toBe(422);
    expect(await neg.json()).toMatchObject({ fieldErrors: { points: "points.belowZero" }, balance: 100 });
    const bad = await call(memberRoute.action, `/app/members/${memberId}`, form({ intent: "teleport" }));
    expect(bad.status).toBe(400);
    expect(await balance()).toBe(100);
  });

  it("a double submit posts once, and the audit log names the staff member", async () => {
    const fields = { intent: "adjust", points: "-20", reason: "returned item", note: "RMA 12", token: "tok-route-double" };
    const [a, b] = await Promise.all([call(memberRoute.action, `/app/members/${memberId}`, form(fields)), call(memberRoute.action, `/app/members/${memberId}`, form(fields))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([(await a.json()).duplicate, (await b.json()).duplicate].sort()).toEqual([false, true]);
    expect(await balance()).toBe(80);
    const audit = await listAudit(db.sql, SHOP, { subject: { type: "member", id: String(memberId) } });
    expect(audit.entries).toEqual([expect.objectContaining({ action: "adjust", actor: "user:77", note: "RMA 12" })]);
  });

  it("the member page shows balances and history; another shop's member is not found", async () => {
    const page = await call(memberRoute.loader, `/app/members/${memberId}`, { params: { id: String(memberId) } });
    const data = await page.json();
    expect(data.member).toMatchObject({ pointsAvailable: 80, email: "erika@example.de", excluded: false, blocked: false });
    expect(data.history.lines.map((l: { reason: string }) => l.reason)).toEqual(["manual:returned item", "purchase"]);
    expect(data.token).toMatch(/^[0-9a-f-]{36}$/);
    const other = await call(memberRoute.loader, `/app/members/${otherMember}`, { params: { id: String(otherMember) } });
    expect(other.status).toBe(404);
    const post = await call(memberRoute.action, `/app/members/${otherMember}`, { method: "POST", body: new URLSearchParams({ intent: "block" }), params: { id: String(otherMember) } });
    expect(post.status).toBe(404);
    expect((await getMember(db.sql, OTHER, otherMember))?.blocked_at).toBeNull();
  });

  it("exclude and block from the page, each audited", async () => {
    for (const intent of ["exclude", "block"]) expect((await call(memberRoute.action, `/app/members/${memberId}`, form({ intent }))).status).toBe(200);
    const m = (await getMember(db.sql, SHOP, memberId))!;
    expect(Boolean(m.excluded_at) && Boolean(m.blocked_at)).toBe(true);
    const actions = (await listAudit(db.sql, SHOP, { subject: { type: "member", id: String(memberId) } })).entries.map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(["block", "exclude"]);
  });

  it("an upload is checked and reported; a file of no known format is a 422 naming why", async () => {
    const body = new FormData();
    body.set("format", "");
    body.set("file", new File(["customer_id,email,points\n1,erika@example.de,50\n9,bad,5\n"], "members.csv", { type: "text/csv" }));
    const r = await call(importRoute.action, "/app/import", { method: "POST", body });
    expect(r.status).toBe(302);
    const id = Number(/^\/app\/import\?id=(\d+)$/.exec(r.headers.get("Location") ?? "")?.[1]);
    expect(await importStatus(db.sql, SHOP, id)).toMatchObject({ format: "generic", totalRows: 2, status: "validating" });
    const wrong = new FormData();
    wrong.set("file", new File(["name,balance\nx,1\n"], "other.csv", { type: "text/csv" }));
    const w = await call(importRoute.action, "/app/import", { method: "POST", body: wrong });
    expect(w.status).toBe(422);
    expect(await w.json()).toEqual({ ok: false, fieldErrors: { file: "unknown" }, args: { columns: "name, balance" } });
    const start = await call(importRoute.action, "/app/import", { method: "POST", body: new URLSearchParams({ intent: "start", id: String(id) }) });
    expect(start.status).toBe(422); // not checked yet: the dry run comes first
  });

  it("exports stream the shop's CSV as a download", async () => {
    const r = await call(exportRoute.loader, "/app/export/members", { params: { kind: "members" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(r.headers.get("Content-Disposition")).toMatch(/^attachment; filename="stammkunde-members-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(await r.text());
    expect(rows.map((row) => row[1])).toEqual(["email", "erika@example.de"]);
    const ledger = await call(exportRoute.loader, "/app/export/ledger", { params: { kind: "ledger" } });
    expect(parseCsv(await ledger.text())).toHaveLength(3);
    expect((await call(exportRoute.loader, "/app/export/secrets", { params: { kind: "secrets" } })).status).toBe(404);
    expect((await listAudit(db.sql, SHOP)).entries.filter((e) => e.action === "export").map((e) => [e.subjectId, e.actor])).toEqual([["ledger", "user:77"], ["members", "user:77"]]);
  });
});
