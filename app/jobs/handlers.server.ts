// What each kind of job does. Webhook jobs carry the raw delivery body; every handler is written
// to run twice (a job can be retried after a crash), leaning on the ledger's idempotency keys.
import { z } from "zod";
import { earnForPaidOrder } from "~/models/earning.server";
import { ensureMember, reconcile } from "~/models/ledger.server";
import { recordDataRequest, redactCustomer } from "~/models/privacy.server";
import { deleteShopData, ensureShop, markUninstalled } from "~/models/shops.server";
import type { Sql } from "~/lib/sql.server";
import type { OrderPayload } from "~/domain/earning";
import type { Job } from "./queue.server";
import { parseShopifyJson } from "~/lib/json";

export interface JobContext {
  sql: Sql;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

export type Handler = (ctx: JobContext, job: Job) => Promise<unknown>;

/** A job whose input can never succeed: it is parked at once instead of retried. */
export class PermanentJobError extends Error {}

function parse<T>(schema: z.ZodType<T>, raw: string): T {
  const r = schema.safeParse(parseShopifyJson(raw));
  if (!r.success) throw new PermanentJobError(`invalid payload: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

const Id = z.union([z.number().int(), z.string().regex(/^\d+$/)]);

const gid = (kind: string) => (v: { id?: number | string; admin_graphql_api_id?: string }) =>
  v.admin_graphql_api_id ?? (v.id !== undefined ? `gid://shopify/${kind}/${v.id}` : undefined);

const CustomerPayload = z
  .object({
    id: Id.optional(),
    admin_graphql_api_id: z.string().optional(),
    email: z.string().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
  })
  .passthrough();

const ComplianceCustomer = z.object({
  shop_domain: z.string(),
  customer: z.object({ id: Id, email: z.string().nullish() }).passthrough(),
  data_request: z.object({ id: Id }).passthrough().optional(),
  orders_requested: z.array(Id).optional(),
  orders_to_redact: z.array(Id).optional(),
});

const OrderShape = z
  .object({ id: Id.optional(), admin_graphql_api_id: z.string().optional() })
  .passthrough()
  .refine((o) => o.id !== undefined || o.admin_graphql_api_id !== undefined, "order id missing");

export const handlers: Record<string, Handler> = {
  "webhook:ORDERS_PAID": async ({ sql }, job) => earnForPaidOrder(sql, job.shop, parse(OrderShape, job.payload) as OrderPayload),

  "webhook:CUSTOMERS_CREATE": async ({ sql }, job) => {
    const c = parse(CustomerPayload, job.payload);
    const customer = gid("Customer")(c);
    if (!customer) throw new PermanentJobError("customer id missing");
    return sql.tx(async (q) => {
      await ensureShop(q, job.shop);
      return ensureMember(q, job.shop, customer, { email: c.email, firstName: c.first_name, lastName: c.last_name });
    });
  },

  "webhook:CUSTOMERS_UPDATE": async ({ sql }, job) => {
    const c = parse(CustomerPayload, job.payload);
    const customer = gid("Customer")(c);
    if (!customer) throw new PermanentJobError("customer id missing");
    // Only members we know are updated; a profile update doesn't enrol anyone.
    return sql.run(`UPDATE members SET email = ?, first_name = ?, last_name = ? WHERE shop = ? AND customer_gid = ?`, [
      c.email ?? null,
      c.first_name ?? null,
      c.last_name ?? null,
      job.shop,
      customer,
    ]);
  },

  // A deleted customer's personal data goes; the ledger's totals stay.
  "webhook:CUSTOMERS_DELETE": async ({ sql }, job) => {
    const c = parse(CustomerPayload, job.payload);
    const customer = gid("Customer")(c);
    if (!customer) throw new PermanentJobError("customer id missing");
    return sql.tx((q) => redactCustomer(q, job.shop, customer));
  },

  // Clawbacks (refunds, cancellations) arrive with the earning engine (issue 4); until then the
  // delivery is recorded and its job completes, so nothing is retried forever.
  "webhook:ORDERS_CANCELLED": async () => "recorded",
  "webhook:REFUNDS_CREATE": async () => "recorded",

  "webhook:APP_UNINSTALLED": async ({ sql }, job) => sql.tx((q) => markUninstalled(q, job.shop)),

  "webhook:APP_SCOPES_UPDATE": async ({ sql }, job) => {
    const p = parse(z.object({ current: z.array(z.string()) }).passthrough(), job.payload);
    return sql.run(`UPDATE sessions SET scope = ? WHERE shop = ? AND "isOnline" = ?`, [p.current.join(","), job.shop, sql.bool(false)]);
  },

  "webhook:CUSTOMERS_DATA_REQUEST": async ({ sql }, job) => {
    const p = parse(ComplianceCustomer, job.payload);
    const requestId = String(p.data_request?.id ?? job.id);
    return sql.tx((q) => recordDataRequest(q, job.shop, `gid://shopify/Customer/${p.customer.id}`, requestId));
  },

  "webhook:CUSTOMERS_REDACT": async ({ sql }, job) => {
    const p = parse(ComplianceCustomer, job.payload);
    return sql.tx((q) => redactCustomer(q, job.shop, `gid://shopify/Customer/${p.customer.id}`));
  },

  "webhook:SHOP_REDACT": async ({ sql }, job) => sql.tx((q) => deleteShopData(q, job.shop)),

  "ledger:reconcile": async ({ sql, log }, job) => {
    const r = await reconcile(sql, job.shop);
    if (r.mismatched.length) log?.("ledger mismatch", { shop: job.shop, members: r.mismatched.map((m) => m.memberId) });
    return r;
  },
};
