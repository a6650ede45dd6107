// The program's storefront settings (merchant texts, earning rate) as app-data metafields on the
// app's installation, which the theme extension reads in Liquid. Written by a background job.
import { enqueue } from "~/jobs/queue.server";
import type { Queryable, Sql } from "~/lib/sql.server";
import { APP_DATA_NAMESPACE, storefrontMetafields } from "~/domain/storefront";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { appInstallationId, setMetafields } from "~/services/shopify/metafields.server";
import { programOf } from "./earning.server";
import { ensureShop } from "./shops.server";

/** Asks for the storefront settings to be written to Shopify (after a program change or install). */
export async function schedulePublish(q: Queryable, shop: string, dedupeKey: string | null = null): Promise<void> {
  await enqueue(q, { shop, kind: "storefront:publish", payload: {}, dedupeKey });
}

/** Writes the shop's storefront texts and earning rate to the app's installation metafields. */
export async function publishStorefront(sql: Sql, shop: string, graphql: AdminGraphql): Promise<{ written: number }> {
  const program = programOf(await ensureShop(sql, shop));
  const ownerId = await appInstallationId(graphql);
  const values = storefrontMetafields(program);
  const errors = await setMetafields(graphql, values.map((v) => ({ ownerId, namespace: APP_DATA_NAMESPACE, ...v })));
  if (errors.length) throw new Error(`Shopify refused the storefront metafields: ${errors.map((e) => e.message).join("; ")}`);
  return { written: values.length };
}

