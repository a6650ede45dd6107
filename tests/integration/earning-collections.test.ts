// Rules that need Shopify's data: the worker asks the (offline) Admin API which collections an
// order's products are in, and reads birthdays from a customer metafield; a failed call retries
// the job instead of guessing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, type DevStore } from "../../devstore/index.ts";
import { defaultProgram } from "~/domain/program";
import { Worker } from "~/jobs/worker.server";
import { saveProgram } from "~/models/earning.server";
import { findMemberByCustomer } from "~/models/ledger.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { intake } from "~/webhooks/intake.server";
import { freshDatabase, TEST_DB, type TestDatabase } from "../helpers/db";
import { devstoreAdmin } from "../helpers/devstore";
import { orderWithLines, signedDelivery, TEST_API_KEY, TEST_SECRET } from "../helpers/webhooks";

let db: TestDatabase;
let store: DevStore;
const SHOP = "stammkunde-dev.myshopify.com";

beforeAll(async () => {
  db = await freshDatabase();
  store = await createDevStore({ tomlPath: null, apiKey: TEST_API_KEY, apiSecret: TEST_SECRET });
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const admin = async (): Promise<AdminGraphql> => devstoreAdmin(store, SHOP);

describe(`collection rules on ${TEST_DB}`, () => {
  it("excludes the lines of an excluded collection, asking Shopify which products are in it", async () => {
    const shop = store.shops.get(SHOP);
    const [coffee, cup] = [...shop.products.values()];
    const coffeeCollection = [...shop.collections.values()].find((c) => c.productIds.includes(coffee.id))!;
    const program = structuredClone(defaultProgram());
    program.purchase.excludedCollectionIds = [`gid://shopify/Collection/${coffeeCollection.id}`];
    await db.sql.tx((q) => saveProgram(q, SHOP, program));
    const worker = new Worker({ sql: db.sql, admin });
    await worker.runOnce(); // saving the program writes its storefront metafields first

    const order = orderWithLines(77, [{ price: "20.00", quantity: 1, productId: coffee.id }, { price: "14.00", quantity: 1, productId: cup.id }]);
    const d = signedDelivery({ topic: "orders/paid", shop: SHOP, body: order });
    const config = { apiKey: TEST_API_KEY, apiSecretKey: TEST_SECRET, appUrl: "https://app.example.com", scopes: [] };
    expect((await intake(db.sql, config, "https://app.example.com/webhooks/orders/paid", new Headers(d.headers), d.body)).status).toBe(200);

    // Shopify is down at first: the job waits and retries; nothing is guessed
    store.faults.failNext(1, 503);
    await worker.runOnce();
    expect(await findMemberByCustomer(db.sql, SHOP, "gid://shopify/Customer/77")).toBeUndefined();
    await worker.runOnce(Date.now() + 5_000);
    expect((await findMemberByCustomer(db.sql, SHOP, "gid://shopify/Customer/77"))?.points_available).toBe(14);
  });

  it("reads a customer's birthday from the merchant's metafield and awards it on the day", async () => {
    const program = structuredClone(defaultProgram());
    program.actions.birthday = { ...program.actions.birthday, enabled: true, source: "metafield", metafield: { namespace: "facts", key: "birth_date" } };
    await db.sql.tx((q) => saveProgram(q, SHOP, program));
    const customer = store.customers.create({ firstName: "Jana", email: "jana@example.com" });
    const gid = `gid://shopify/Customer/${customer.id}`;
    const set = await store.graphql(
      `mutation Set($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field message } } }`,
      { m: [{ ownerId: gid, namespace: "facts", key: "birth_date", type: "date", value: "1990-07-04" }] },
    );
    expect(set.body.data.metafieldsSet.userErrors).toEqual([]);
    const d = signedDelivery({ topic: "customers/update", shop: SHOP, body: `{"id":${customer.id},"email":"jana@example.com","admin_graphql_api_id":"${gid}"}` });
    const config = { apiKey: TEST_API_KEY, apiSecretKey: TEST_SECRET, appUrl: "https://app.example.com", scopes: [] };
    await intake(db.sql, config, "https://app.example.com/webhooks/customers/update", new Headers(d.headers), d.body);
    await new Worker({ sql: db.sql, admin }).drain();
    const row = await db.sql.get<{ birthday: string }>(`SELECT birthday FROM members WHERE shop = ? AND customer_gid = ?`, [SHOP, gid]);
    expect(row?.birthday).toBe("07-04");
    const { awardBirthdays } = await import("~/models/actions.server");
    expect(await awardBirthdays(db.sql, SHOP, Date.parse("2027-07-04T10:00:00Z"))).toBe(1);
  });
});
