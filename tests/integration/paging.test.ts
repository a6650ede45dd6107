// Every admin list that used to stop at its newest N pages by keyset instead (lib/paging.server):
// imports, held and recent referrals, failed notices, the outbound webhook log, API keys and a
// member's codes. Two shops with more rows than a page: walking older from the first page and
// newer from the last sees every row of the shop exactly once, newest first, and none of the
// other shop's; a cursor naming the other shop's row shows only the caller's rows; a malformed
// cursor is a 400 on every page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevStore } from "../../devstore/index.ts";
import { mintSessionToken } from "../../devstore/auth/jwt.ts";
import type { Cursor, Page } from "~/lib/paging.server";
import { keyset, MAX_PAGE, pageSize, readCursor, toPage } from "~/lib/paging.server";
import { listApiKeys } from "~/models/api-keys.server";
import { ensureMember } from "~/models/ledger.server";
import { listImports } from "~/models/member-import.server";
import { memberRedemptions } from "~/models/members.server";
import { recentNotices } from "~/models/messaging.server";
import { recentDeliveries } from "~/models/outbound-webhooks.server";
import { listReferrals } from "~/models/referrals.server";
import { ensureShop } from "~/models/shops.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { storeWithSessions } from "../helpers/devstore";
import { TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

const A = "stammkunde-dev.myshopify.com";
const B = "zweiter-laden.myshopify.com";
const APP = "https://app.example.com";
const PAGE = 4;
let db: TestDatabase;
let store: DevStore;
type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;

/** Per shop: its member, and the ids of the rows of each list, oldest first. */
const rows: Record<string, { member: number; imports: number[]; held: number[]; referrals: number[]; failed: number[]; deliveries: number[]; keys: number[]; codes: number[] }> = {};

const ts = (ms: number): unknown => (db.sql.dialect === "sqlite" ? ms : new Date(ms));

const id = async (sql: string, params: unknown[]) => Number((await db.sql.get<{ id: number }>(`${sql} RETURNING id`, params))!.id);
const endpoints: Record<string, number> = {};

async function setUp(shop: string, tag: string) {
  await db.sql.tx((q) => ensureShop(q, shop));
  const member = await db.sql.tx((q) => ensureMember(q, shop, `gid://shopify/Customer/${tag}1`, { email: `${tag}@example.com` }));
  rows[shop] = { member, imports: [], held: [], referrals: [], failed: [], deliveries: [], keys: [], codes: [] };
  endpoints[shop] = await id(`INSERT INTO webhook_endpoints (shop, url, events, secret_enc, secret_hint) VALUES (?, ?, ?, ?, ?)`, [shop, `https://${tag}.example.com/hook`, "[]", "x", "x"]);
}

/** The i-th row of every list for the shop. */
async function seedRow(shop: string, tag: string, i: number) {
  const r = rows[shop]!;
  const member = r.member;
  const endpoint = endpoints[shop]!;
  const now = Date.now();
  {
    r.imports.push(await id(`INSERT INTO member_imports (shop, filename, header, status, created_by) VALUES (?, ?, ?, 'done', 'test')`, [shop, `${tag}-${i}.csv`, "email"]));
    const status = i % 3 === 0 ? "pending" : "held";
    const ref = await id(
      `INSERT INTO referrals (shop, advocate_member_id, referral_code, order_gid, source, subtotal_minor, currency, verdict, status, reasons, ordered_at, window_ends_at) VALUES (?, ?, ?, ?, 'link', 1000, 'EUR', 'hold', ?, '[]', ?, ?)`,
      [shop, member, `${tag.toUpperCase()}CODE`, `gid://shopify/Order/${tag}${i}`, status, ts(now), ts(now + 86_400_000)],
    );
    r.referrals.push(ref);
    if (status === "held") r.held.push(ref);
    const notice = await id(`INSERT INTO notifications (shop, member_id, kind, payload, due_at, dedupe_key, status, attempts) VALUES (?, ?, 'welcome', '{}', ?, ?, ?, 3)`, [
      shop,
      member,
      ts(now),
      `${tag}-${i}`,
      i % 4 === 1 ? "sent" : "failed",
    ]);
    if (i % 4 !== 1) r.failed.push(notice);
    const event = await id(`INSERT INTO app_events (shop, kind, member_id, customer_gid, payload, dedupe_key, created_at) VALUES (?, 'points_earned', ?, ?, '{}', ?, ?)`, [
      shop,
      member,
      `gid://shopify/Customer/${tag}1`,
      `${tag}-event-${i}`,
      ts(now),
    ]);
    r.deliveries.push(await id(`INSERT INTO webhook_endpoint_deliveries (shop, endpoint_id, event_id, status, attempts, created_at) VALUES (?, ?, ?, 'failed', 1, ?)`, [shop, endpoint, event, ts(now)]));
    r.keys.push(await id(`INSERT INTO api_keys (shop, prefix, key_hash, scopes, created_at) VALUES (?, ?, ?, '["read_members"]', ?)`, [shop, `sk_${tag}${i}`, `hash-${tag}-${i}`, ts(now)]));
    r.codes.push(
      await id(`INSERT INTO redemptions (shop, member_id, reward_id, client_key, status, points, code, created_at) VALUES (?, ?, 1, ?, 'issued', 100, ?, ?)`, [shop, member, `${tag}-key-${i}`, `${tag.toUpperCase()}-${i}`, ts(now)]),
    );
  }
}

beforeAll(async () => {
  db = await freshDatabase();
  store = await storeWithSessions(db.url, APP, [A, B], [B]);
  // 3 pages and a bit for A, 2 and a bit for B, written in turns so the two shops' ids interleave
  await setUp(A, "a");
  await setUp(B, "b");
  for (let i = 0; i < 3 * PAGE + 2; i++) {
    await seedRow(A, "a", i);
    if (i < 2 * PAGE + 1) await seedRow(B, "b", i);
  }
}, 120_000);
afterAll(async () => {
  const { database } = await import("~/db.server");
  await (await database()).close();
  await store?.close();
  await db?.drop();
});

type Lister = (shop: string, cursor: Cursor) => Promise<Page<{ id: number }>>;
const LISTS: Record<string, { list: Lister; ids: (shop: string) => number[] }> = {
  imports: { list: (shop, cursor) => listImports(db.sql, shop, { cursor, limit: PAGE }), ids: (s) => rows[s]!.imports },
  "held referrals": { list: (shop, cursor) => listReferrals(db.sql, shop, { status: "held", cursor, limit: PAGE }), ids: (s) => rows[s]!.held },
  "recent referrals": { list: (shop, cursor) => listReferrals(db.sql, shop, { cursor, limit: PAGE }), ids: (s) => rows[s]!.referrals },
  "failed notices": { list: (shop, cursor) => recentNotices(db.sql, shop, { status: "failed", cursor, limit: PAGE }), ids: (s) => rows[s]!.failed },
  "webhook deliveries": { list: (shop, cursor) => recentDeliveries(db.sql, shop, { cursor, limit: PAGE }), ids: (s) => rows[s]!.deliveries },
  "member codes": { list: (shop, cursor) => memberRedemptions(db.sql, shop, rows[shop]!.member, { cursor, limit: PAGE }), ids: (s) => rows[s]!.codes },
};

/** API keys are listed without their row id: walk them by prefix. */
async function keyPrefixes(shop: string, cursor: Cursor) {
  return listApiKeys(db.sql, shop, { cursor, limit: PAGE });
}

describe(`keyset pages of the admin lists on ${TEST_DB}`, () => {
  for (const [name, { list, ids }] of Object.entries(LISTS)) {
    it(`${name}: older to the end and newer back to the start, each row once, none of the other shop's`, async () => {
      for (const [shop, other] of [
        [A, B],
        [B, A],
      ] as const) {
        const expected = [...ids(shop)].reverse();
        expect(expected.length).toBeGreaterThan(PAGE);
        const pages: number[][] = [];
        let page = await list(shop, null);
        expect(page.prev).toBeNull();
        pages.push(page.items.map((x) => x.id));
        while (page.next !== null) {
          page = await list(shop, { before: page.next });
          expect(page.items.length).toBeGreaterThan(0);
          expect(page.items.length).toBeLessThanOrEqual(PAGE);
          expect(page.prev).not.toBeNull();
          pages.push(page.items.map((x) => x.id));
        }
        expect(pages.flat()).toEqual(expected);
        expect(pages.flat().filter((id) => ids(other).includes(id))).toEqual([]);
        // and back: from the last page, `prev` leads through the same pages to the first
        const back: number[][] = [pages[pages.length - 1]!];
        while (page.prev !== null) {
          page = await list(shop, { after: page.prev });
          back.unshift(page.items.map((x) => x.id));
        }
        expect(back.flat()).toEqual(expected);
        expect(back[0]).toEqual(pages[0]);
      }
    });

    it(`${name}: a cursor naming the other shop's row shows only the caller's rows`, async () => {
      const mine = ids(A);
      for (const foreign of ids(B)) {
        const older = await list(A, { before: foreign });
        expect(older.items.map((x) => x.id)).toEqual(mine.filter((id) => id < foreign).reverse().slice(0, PAGE));
        const newer = await list(A, { after: foreign });
        expect(newer.items.map((x) => x.id)).toEqual(
          mine
            .filter((id) => id > foreign)
            .slice(0, PAGE)
            .reverse(),
        );
        for (const x of [...older.items, ...newer.items]) expect(ids(B)).not.toContain(x.id);
      }
    });
  }

  it("API keys: every key of the shop once, newest first, across pages; none of the other shop's", async () => {
    for (const [shop, tag] of [
      [A, "a"],
      [B, "b"],
    ] as const) {
      const seen: string[] = [];
      let page = await keyPrefixes(shop, null);
      seen.push(...page.items.map((k) => k.prefix));
      while (page.next !== null) {
        page = await keyPrefixes(shop, { before: page.next });
        seen.push(...page.items.map((k) => k.prefix));
      }
      expect(seen).toEqual(rows[shop]!.keys.map((_, i) => `sk_${tag}${i}`).reverse());
    }
  });
});

describe("the cursor helpers", () => {
  const url = (q: string) => new URL(`${APP}/app/x?${q}`);
  const status = (f: () => unknown) => {
    try {
      f();
      return 200;
    } catch (e) {
      return e instanceof Response ? e.status : 500;
    }
  };
  it("reads before/after ids, prefixed per list; anything else is a 400", () => {
    expect(readCursor(url(""))).toBeNull();
    expect(readCursor(url("before="))).toBeNull();
    expect(readCursor(url("before=42"))).toEqual({ before: 42 });
    expect(readCursor(url("after=7"))).toEqual({ after: 7 });
    expect(readCursor(url("heldBefore=9&before=3"), "held")).toEqual({ before: 9 });
    expect(readCursor(url("before=3"), "held")).toBeNull();
    for (const bad of ["before=abc", "before=0", "before=-1", "before=1.5", "before=1e3", "before=9999999999999999", "after=%00", "before=1&after=2", "before=%201"]) expect(status(() => readCursor(url(bad))), bad).toBe(400);
  });
  it("bounds the page size", () => {
    expect(pageSize(undefined, 50)).toBe(50);
    expect(pageSize(10_000, 50)).toBe(MAX_PAGE);
    expect(pageSize(0, 50)).toBe(1);
    expect(pageSize(Number.NaN, 50)).toBe(50);
  });
  it("turns rows read newer-first back into newest-first pages", () => {
    const k = keyset({ after: 5 }, "x.id");
    expect(k).toEqual({ where: " AND x.id > ?", params: [5], order: "ASC" });
    expect(toPage([{ id: 6 }, { id: 7 }, { id: 8 }], 2, { after: 5 }, (r) => r.id)).toEqual({ items: [{ id: 7 }, { id: 6 }], next: 6, prev: 7 });
    expect(toPage([{ id: 6 }], 2, { after: 5 }, (r) => r.id)).toEqual({ items: [{ id: 6 }], next: 6, prev: null });
  });
});

// The pages themselves: the loaders read the cursor of each list from the URL.
const bearer = (shop: string) => `Bearer ${mintSessionToken({ shop, apiKey: TEST_API_KEY, secret: TEST_SECRET, nowMs: Date.now(), userId: 7 }).token}`;
async function load(route: string, query: string, shop = A, params: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const mod = (await import(`~/routes/${route}`)) as { loader: Handler };
  const request = new Request(`${APP}/app/x?${query}`, { headers: { Authorization: bearer(shop) } });
  const r = await mod.loader({ request, params, context: {} }).catch((e: unknown) => (e instanceof Response ? e : Promise.reject(e)));
  if (r instanceof Response) return { status: r.status, body: await r.text() };
  return { status: 200, body: JSON.stringify(r) };
}

describe(`the admin pages' cursors on ${TEST_DB}`, () => {
  const PAGES: Array<{ route: string; param: string; data: (body: unknown) => Page<{ id: number }>; ids: (shop: string) => number[]; size: number; params?: () => Record<string, string> }> = [
    { route: "app.import", param: "before", data: (b) => (b as { imports: Page<{ id: number }> }).imports, ids: (s) => rows[s]!.imports, size: 10 },
    { route: "app.referrals", param: "heldBefore", data: (b) => (b as { held: Page<{ id: number }> }).held, ids: (s) => rows[s]!.held, size: 50 },
    { route: "app.referrals", param: "recentBefore", data: (b) => (b as { recent: Page<{ id: number }> }).recent, ids: (s) => rows[s]!.referrals, size: 50 },
    { route: "app.messaging", param: "failedBefore", data: (b) => (b as { failed: Page<{ id: number }> }).failed, ids: (s) => rows[s]!.failed, size: 20 },
    { route: "app.webhooks", param: "before", data: (b) => (b as { deliveries: Page<{ id: number }> }).deliveries, ids: (s) => rows[s]!.deliveries, size: 50 },
    { route: "app.members.$id", param: "codesBefore", data: (b) => (b as { codes: Page<{ id: number }> }).codes, ids: (s) => rows[s]!.codes, size: 50, params: () => ({ id: String(rows[A]!.member) }) },
  ];
  for (const p of PAGES) {
    it(`${p.route} ${p.param}: a cursor from shop B's row shows A's older rows only; a malformed one is a 400`, async () => {
      const foreign = p.ids(B);
      const cut = foreign[Math.floor(foreign.length / 2)]!;
      const res = await load(p.route, `${p.param}=${cut}`, A, p.params?.());
      expect(res.status, res.body).toBe(200);
      const page = p.data(JSON.parse(res.body));
      expect(page.items.map((x) => x.id)).toEqual(
        p
          .ids(A)
          .filter((id) => id < cut)
          .reverse()
          .slice(0, p.size),
      );
      expect(res.body).not.toContain(B);
      for (const bad of ["x", "0", "-3", "1;DROP TABLE members", "99999999999999999999"]) expect((await load(p.route, `${p.param}=${encodeURIComponent(bad)}`, A, p.params?.())).status, bad).toBe(400);
    });
  }
  it("app.api-keys: a malformed cursor is a 400; B's first page has none of A's keys", async () => {
    expect((await load("app.api-keys", "before=abc")).status).toBe(400);
    const res = await load("app.api-keys", "", B);
    expect(res.status).toBe(200);
    expect(res.body).not.toContain("sk_a");
  });
});
