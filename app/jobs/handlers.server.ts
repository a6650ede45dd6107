// What each kind of job does. Webhook jobs carry the raw delivery body; every handler is written
// to run twice (a job can be retried after a crash), leaning on the ledger's idempotency keys.
import { z } from "zod";
import { searchColumns } from "~/domain/members";
import { awardBirthdays, earnActionIn, monthDayFrom, setBirthday } from "~/models/actions.server";
import { customerIdsByEmail, customerMetafield } from "~/services/shopify/customers.server";
import { failImport, runImportSlice, validateImport } from "~/models/member-import.server";
import { expireUnused, markCodesUsed, settle } from "~/models/redemptions.server";
import { claimGuestOrdersIn, clawbackForCancel, clawbackForRefund, earnForOrder, needsCollections, programOf, releaseAward } from "~/models/earning.server";
import { ensureMember, reconcile } from "~/models/ledger.server";
import { recordDataRequest, redactCustomer } from "~/models/privacy.server";
import { attributeOrder, noteReferredOrder, orderUndone, rewardReferral, settleFriendCode } from "~/models/referrals.server";
import { deleteShopData, ensureShop, markUninstalled } from "~/models/shops.server";
import type { Sql } from "~/lib/sql.server";
import type { AdminGraphql } from "~/services/shopify/client.server";
import { collectionsByProduct } from "~/services/shopify/products.server";
import { orderGid, type OrderPayload } from "~/domain/earning";
import { enqueue, type Job } from "./queue.server";
import { syncMemberMetafields } from "~/models/member-sync.server";
import { refreshToday, runRollups } from "~/models/rollups.server";
import { pruneExpired } from "~/models/retention.server";
import { publishStorefront } from "~/models/storefront.server";
import { evaluateMember, grantMembershipForOrder, refundsMembership, revokeMembershipForOrder, runNightly } from "~/models/tiers.server";
import { parseShopifyJson } from "~/lib/json";
import { recordWelcome, scheduleFollowUp, sendDueNotices, setEmailConsent, setMemberLocale } from "~/models/messaging.server";
import { FlowRejectedError, sendFlowTrigger } from "~/models/app-events.server";
import { deliver } from "~/models/outbound-webhooks.server";
import { applySmsConsent, handleInbound, mergeSummaries, sendDueWhatsApp } from "~/models/whatsapp.server";

export interface JobContext {
  sql: Sql;
  /** the shop's Admin GraphQL client (offline session), for jobs that must ask Shopify */
  admin?: (shop: string, opts?: { background?: boolean }) => Promise<AdminGraphql>;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

/** `now` is the worker's clock for this run (tests inject one to simulate months). */
export type Handler = (ctx: JobContext, job: Job, now: number) => Promise<unknown>;

/** A job whose input can never succeed: it is parked at once instead of retried. */
export class PermanentJobError extends Error {}

function parse<T>(schema: z.ZodType<T>, raw: string): T {
  const r = schema.safeParse(parseShopifyJson(raw));
  if (!r.success) throw new PermanentJobError(`invalid payload: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

function dateOf(value: string | null | undefined): Date | null {
  const d = value ? new Date(value) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
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
    email_marketing_consent: z.object({ state: z.string().nullish() }).passthrough().nullish(),
    phone: z.string().nullish(),
    sms_marketing_consent: z.object({ state: z.string().nullish() }).passthrough().nullish(),
  })
  .passthrough();

type CustomerPayloadT = z.infer<typeof CustomerPayload>;
const subscribed = (c: CustomerPayloadT) => c.email_marketing_consent?.state?.toLowerCase() === "subscribed";
const profileOf = (c: CustomerPayloadT) => ({ email: c.email, firstName: c.first_name, lastName: c.last_name });

const ComplianceCustomer = z.object({
  shop_domain: z.string(),
  customer: z.object({ id: Id, email: z.string().nullish() }).passthrough(),
  data_request: z.object({ id: Id }).passthrough().optional(),
  orders_requested: z.array(Id).optional(),
  orders_to_redact: z.array(Id).optional(),
});

// The order's parts that code reads straight from the payload (referral markers, line items, the
// customer) must have their shapes; a payload where they don't is refused (parked), not a crash.
const Listed = z.array(z.object({}).passthrough()).nullish();
const OrderShape = z
  .object({
    id: Id.optional(),
    admin_graphql_api_id: z.string().optional(),
    line_items: Listed,
    note_attributes: z.array(z.object({ name: z.unknown(), value: z.unknown() }).passthrough()).nullish(),
    discount_codes: Listed,
    customer: z
      .object({ id: Id.nullish(), admin_graphql_api_id: z.string().nullish(), email: z.string().nullish(), first_name: z.string().nullish(), last_name: z.string().nullish(), phone: z.string().nullish() })
      .passthrough()
      .nullish(),
    email: z.string().nullish(),
    contact_email: z.string().nullish(),
  })
  .passthrough()
  .refine((o) => o.id !== undefined || o.admin_graphql_api_id !== undefined, "order id missing");

/** Earns for an order, first asking Shopify for the products' collections when the program has
 *  collection rules (a failed call retries the job; no points are guessed). */
async function earnWithCatalog(ctx: JobContext, job: Job, event: "paid" | "fulfilled", now: number) {
  const order = parse(OrderShape, job.payload) as OrderPayload;
  const lines = (order as { line_items?: Array<{ product_id?: number | string | null }> }).line_items ?? [];
  const row = await ctx.sql.get<{ program: string | null }>(`SELECT program FROM shops WHERE domain = ?`, [job.shop]);
  const program = programOf({ program: row?.program ?? null });
  let collections: Record<string, string[]> | undefined;
  if (needsCollections(program)) {
    if (!ctx.admin) throw new Error("this program has collection rules, but the worker has no Admin API client");
    const products = lines.filter((l) => l.product_id != null).map((l) => `gid://shopify/Product/${l.product_id}`);
    collections = products.length ? await collectionsByProduct(await ctx.admin(job.shop), products) : {};
  }
  const earned = await earnForOrder(ctx.sql, job.shop, order, event, { collectionsByProduct: collections, now });
  const customerLocale = (order as { customer_locale?: unknown }).customer_locale;
  if (earned.status === "earned" && typeof customerLocale === "string") await setMemberLocale(ctx.sql, job.shop, earned.memberId, customerLocale);
  const codesUsed = event === "paid" ? await markCodesUsed(ctx.sql, job.shop, order as Parameters<typeof markCodesUsed>[2]) : 0;
  // a paid membership starts with the payment; an order that earned may lift the member's tier
  const tiersOn = program.tiers.enabled && program.tiers.levels.length > 0;
  const membership = event === "paid" && tiersOn && program.tiers.membershipProduct ? await grantMembershipForOrder(ctx.sql, job.shop, order as Parameters<typeof grantMembershipForOrder>[2], now) : "none";
  const tier = earned.status === "earned" && tiersOn ? await evaluateMember(ctx.sql, job.shop, earned.memberId, now) : null;
  return { earned, codesUsed, membership, tier };
}

/** When the program reads birthdays from a customer metafield, take it from Shopify. */
async function syncBirthday(ctx: JobContext, shop: string, customerGid: string) {
  const row = await ctx.sql.get<{ program: string | null }>(`SELECT program FROM shops WHERE domain = ?`, [shop]);
  const birthday = programOf({ program: row?.program ?? null }).actions.birthday;
  if (!birthday.enabled || birthday.source !== "metafield" || !birthday.metafield) return null;
  if (!ctx.admin) throw new Error("birthdays come from a metafield, but the worker has no Admin API client");
  const value = await customerMetafield(await ctx.admin(shop), customerGid, birthday.metafield.namespace, birthday.metafield.key);
  const monthDay = value ? monthDayFrom(value) : null;
  return monthDay ? setBirthday(ctx.sql, shop, customerGid, monthDay, { fromShop: true }) : null;
}

/** analytics:rollup: the time a run may spend before it leaves the rest of a backfill to a follow-up job. */
const RollupPayload = z.object({ budgetMs: z.number().int().min(0).max(50_000).optional() }).passthrough();

export const handlers: Record<string, Handler> = {
  "webhook:ORDERS_PAID": async (ctx, job, now) => {
    const result = await earnWithCatalog(ctx, job, "paid", now);
    return { ...result, referral: await noteReferredOrder(ctx.sql, job.shop, parse(OrderShape, job.payload) as OrderPayload) };
  },
  "webhook:ORDERS_FULFILLED": async (ctx, job, now) => earnWithCatalog(ctx, job, "fulfilled", now),
  "webhook:ORDERS_CANCELLED": async ({ sql }, job, now) => {
    const order = parse(OrderShape, job.payload) as OrderPayload;
    const clawback = await clawbackForCancel(sql, job.shop, order, now);
    const membershipEnded = await revokeMembershipForOrder(sql, job.shop, orderGid(order), now);
    return { clawback, membershipEnded, referral: await orderUndone(sql, job.shop, orderGid(order), "cancel", dateOf(order.cancelled_at)) };
  },
  "webhook:REFUNDS_CREATE": async ({ sql }, job, now) => {
    const refund = parse(
      z.object({ id: Id.optional(), admin_graphql_api_id: z.string().optional(), order_id: Id, created_at: z.string().nullish(), refund_line_items: Listed, order_adjustments: Listed, transactions: Listed }).passthrough(),
      job.payload,
    );
    const clawback = await clawbackForRefund(sql, job.shop, refund, now);
    const row = await sql.get<{ program: string | null }>(`SELECT program FROM shops WHERE domain = ?`, [job.shop]);
    const program = programOf({ program: row?.program ?? null });
    const membershipEnded = refundsMembership(program, refund as Parameters<typeof refundsMembership>[1])
      ? await revokeMembershipForOrder(sql, job.shop, `gid://shopify/Order/${refund.order_id}`, now)
      : false;
    return { clawback, membershipEnded, referral: await orderUndone(sql, job.shop, `gid://shopify/Order/${refund.order_id}`, "refund", dateOf(refund.created_at)) };
  },
  "earn:release": async ({ sql }, job) => releaseAward(sql, job.shop, parse(z.object({ orderGid: z.string() }), job.payload).orderGid),

  "webhook:CUSTOMERS_CREATE": async (ctx, job, now) => {
    const { sql } = ctx;
    const c = parse(CustomerPayload, job.payload);
    const customer = gid("Customer")(c);
    if (!customer) throw new PermanentJobError("customer id missing");
    // a new account enrols the customer and earns the signup points; one that arrives
    // subscribed to the newsletter earns those too
    return sql.tx(async (q) => {
      await ensureShop(q, job.shop);
      const memberId = await ensureMember(q, job.shop, customer, profileOf(c));
      await setEmailConsent(q, job.shop, customer, c);
      await applySmsConsent(q, job.shop, customer, c, now);
      const signup = await earnActionIn(q, job.shop, customer, { kind: "signup" }, { profile: profileOf(c) });
      const welcome = await recordWelcome(q, job.shop, memberId, now);
      const newsletter = subscribed(c) ? await earnActionIn(q, job.shop, customer, { kind: "newsletter" }) : null;
      const guestOrders = await claimGuestOrdersIn(q, job.shop, customer, c.email);
      return { signup, newsletter, guestOrders, welcome };
    }).then(async (r) => ({ ...r, birthday: await syncBirthday(ctx, job.shop, customer) }));
  },

  "webhook:CUSTOMERS_UPDATE": async (ctx, job, now) => {
    const { sql } = ctx;
    const c = parse(CustomerPayload, job.payload);
    const customer = gid("Customer")(c);
    if (!customer) throw new PermanentJobError("customer id missing");
    // Only members we know are updated; a profile update alone doesn't enrol anyone, but
    // subscribing to the newsletter earns (once per lifetime) and so enrols.
    return sql.tx(async (q) => {
      const search = searchColumns(profileOf(c));
      await q.run(`UPDATE members SET email = ?, first_name = ?, last_name = ?, search_email = ?, search_first = ?, search_last = ? WHERE shop = ? AND customer_gid = ?`, [
        c.email ?? null,
        c.first_name ?? null,
        c.last_name ?? null,
        search.searchEmail,
        search.searchFirst,
        search.searchLast,
        job.shop,
        customer,
      ]);
      await setEmailConsent(q, job.shop, customer, c);
      await applySmsConsent(q, job.shop, customer, c, now);
      return subscribed(c) ? earnActionIn(q, job.shop, customer, { kind: "newsletter" }, { profile: profileOf(c) }) : "updated";
    }).then(async (r) => ({ result: r, birthday: await syncBirthday(ctx, job.shop, customer) }));
  },

  // A deleted customer's personal data goes; the ledger's totals stay.
  "webhook:CUSTOMERS_DELETE": async ({ sql }, job) => {
    const c = parse(CustomerPayload, job.payload);
    const customer = gid("Customer")(c);
    if (!customer) throw new PermanentJobError("customer id missing");
    return sql.tx((q) => redactCustomer(q, job.shop, customer, c.email));
  },


  "webhook:APP_UNINSTALLED": async ({ sql }, job) => sql.tx((q) => markUninstalled(q, job.shop)),

  "webhook:APP_SCOPES_UPDATE": async ({ sql }, job) => {
    const p = parse(z.object({ current: z.array(z.string()) }).passthrough(), job.payload);
    return sql.run(`UPDATE sessions SET scope = ? WHERE shop = ? AND "isOnline" = ?`, [p.current.join(","), job.shop, sql.bool(false)]);
  },

  "webhook:CUSTOMERS_DATA_REQUEST": async ({ sql }, job) => {
    const p = parse(ComplianceCustomer, job.payload);
    const requestId = String(p.data_request?.id ?? job.id);
    return sql.tx((q) => recordDataRequest(q, job.shop, `gid://shopify/Customer/${p.customer.id}`, requestId, p.customer.email));
  },

  "webhook:CUSTOMERS_REDACT": async ({ sql }, job) => {
    const p = parse(ComplianceCustomer, job.payload);
    return sql.tx((q) => redactCustomer(q, job.shop, `gid://shopify/Customer/${p.customer.id}`, p.customer.email));
  },

  // the job's own row goes too (its completion then updates nothing): not even the shop's name stays
  "webhook:SHOP_REDACT": async ({ sql }, job) =>
    sql.tx(async (q) => {
      await deleteShopData(q, job.shop);
      await q.run(`DELETE FROM jobs WHERE id = ?`, [job.id]);
    }),

  "redeem:settle": async (ctx, job) => {
    if (!ctx.admin) throw new Error("settling a redemption needs the Admin API");
    const { redemptionId } = parse(z.object({ redemptionId: z.number().int() }), job.payload);
    return settle(ctx.sql, job.shop, redemptionId, await ctx.admin(job.shop), "the discount was not confirmed within 3 minutes");
  },

  "redeem:expire": async (ctx, job) => {
    if (!ctx.admin) throw new Error("ending a code needs the Admin API");
    const { redemptionId } = parse(z.object({ redemptionId: z.number().int() }), job.payload);
    return expireUnused(ctx.sql, job.shop, redemptionId, await ctx.admin(job.shop));
  },

  "earn:birthdays": async ({ sql }, job, now) => awardBirthdays(sql, job.shop, now),

  // The analytics dashboard's daily rollups: the last two days, or the next chunk of a first
  // run's backfill, which goes on in a follow-up job (docs/decisions/0018). Once the history is
  // stored through yesterday, today's partial row is brought up to date on top of it.
  "analytics:rollup": async ({ sql, log }, job, now) => {
    const { budgetMs } = parse(RollupPayload, job.payload);
    const run = await runRollups(sql, job.shop, now, { budgetMs });
    if (run.more) await enqueue(sql, { shop: job.shop, kind: "analytics:rollup", payload: { after: run.to, budgetMs }, dedupeKey: `analytics:rollup:after:${run.to}`, maxAttempts: 10 });
    if (run.days > 1) log?.("analytics rollups", { shop: job.shop, ...run });
    const today = run.more ? null : await refreshToday(sql, job.shop, now);
    return { ...run, today };
  },

  // Expired rows of the shop, in bounded batches; what a run leaves goes in a follow-up job (0024).
  "retention:prune": async ({ sql, log }, job, now) => {
    const r = await pruneExpired(sql, job.shop, now);
    if (r.more) await enqueue(sql, { shop: job.shop, kind: "retention:prune", payload: {}, dedupeKey: `retention:prune:after:${job.id}`, maxAttempts: 10 });
    if (r.idempotency || r.events) log?.("expired rows pruned", { shop: job.shop, ...r });
    return r;
  },

  // Today's partial rollup (and yesterday's until it is closed), every few minutes per shop.
  "analytics:today": async ({ sql }, job, now) => refreshToday(sql, job.shop, now),

  "tiers:nightly": async ({ sql, log }, job, now) => {
    const summary = await runNightly(sql, job.shop, now);
    if (summary.up || summary.down || summary.expiredEntries) log?.("nightly tiers and expiry", { shop: job.shop, ...summary });
    return summary;
  },

  // Members' points into their customers' metafields, in the background share of the rate limit.
  "metafields:sync": async (ctx, job) => {
    if (!ctx.admin) return { skipped: "no Admin API in this worker" };
    const r = await syncMemberMetafields(ctx.sql, job.shop, await ctx.admin(job.shop, { background: true }));
    if (r.more) await enqueue(ctx.sql, { shop: job.shop, kind: "metafields:sync", payload: {}, dedupeKey: `metafields:sync:after:${job.id}` });
    return r;
  },

  "storefront:publish": async (ctx, job) => {
    if (!ctx.admin) return { skipped: "no Admin API in this worker" };
    return publishStorefront(ctx.sql, job.shop, await ctx.admin(job.shop, { background: true }));
  },

  "referral:attribute": async (ctx, job) => {
    if (!ctx.admin) throw new Error("checking a referral needs the Admin API");
    return attributeOrder(ctx.sql, job.shop, parse(OrderShape, job.payload) as OrderPayload, await ctx.admin(job.shop));
  },

  "referral:reward": async ({ sql }, job) => rewardReferral(sql, job.shop, parse(z.object({ referralId: z.number().int() }), job.payload).referralId),

  "referral:friend-settle": async (ctx, job) => {
    if (!ctx.admin) throw new Error("settling a friend's code needs the Admin API");
    return settleFriendCode(ctx.sql, job.shop, parse(z.object({ friendId: z.number().int() }), job.payload).friendId, await ctx.admin(job.shop));
  },

  // A member import (app/models/member-import.server.ts): the dry run, or a slice of the real run
  // that hands over to a fresh job for the next chunks, so other work runs in between.
  "import:members": async (ctx, job) => {
    const p = parse(z.object({ importId: z.number().int(), phase: z.enum(["validate", "run"]) }), job.payload);
    if (p.phase === "validate") return validateImport(ctx.sql, job.shop, p.importId);
    const admin = ctx.admin ? await ctx.admin(job.shop, { background: true }) : null;
    const lookup = admin ? (emails: string[]) => customerIdsByEmail(admin, emails) : null;
    try {
      const r = await runImportSlice(ctx.sql, job.shop, p.importId, lookup);
      if (r.nextChunk !== null) await enqueue(ctx.sql, { shop: job.shop, kind: "import:members", payload: { importId: p.importId, phase: "run" }, dedupeKey: `import:${p.importId}:run:${r.nextChunk}`, maxAttempts: 20 });
      return r;
    } catch (error) {
      // the last attempt: the import shows as failed; committed chunks stay and a new run resumes
      if (job.attempts >= job.maxAttempts) await failImport(ctx.sql, job.shop, p.importId, error instanceof Error ? error.message : String(error));
      throw error;
    }
  },

  // Notices by email over the shop's SMTP server (app/models/messaging.server.ts).
  "notifications:send": async ({ sql, log }, job, now) => {
    // each channel from its own state: email from the notice, WhatsApp from its delivery row (0019)
    const r = mergeSummaries(await sendDueNotices(sql, job.shop, now), await sendDueWhatsApp(sql, job.shop, now));
    await scheduleFollowUp(sql, job.shop, r, job.id, now);
    if (r.retried || r.failed) log?.("notices not sent", { shop: job.shop, retried: r.retried, failed: r.failed });
    return r;
  },

  // A business event into Shopify Flow (app/models/app-events.server.ts): THROTTLED or a network
  // error is retried by the queue with backoff; Shopify's userErrors are final.
  "flow:trigger": async (ctx, job, now) => {
    // like the metafield sync: a worker without the Admin API (tests, scripts) leaves the event pending
    if (!ctx.admin) return { skipped: "no Admin API in this worker" };
    const { eventId } = parse(z.object({ eventId: z.number().int() }), job.payload);
    try {
      return await sendFlowTrigger(ctx.sql, job.shop, eventId, await ctx.admin(job.shop, { background: true }), now);
    } catch (error) {
      if (error instanceof FlowRejectedError) throw new PermanentJobError(error.message);
      throw error;
    }
  },

  // One attempt of an outbound webhook delivery; the next attempt is booked by deliver() itself.
  "hooks:deliver": async ({ sql }, job, now) => deliver(sql, job.shop, parse(z.object({ deliveryId: z.number().int() }), job.payload).deliveryId, now),

  // A WhatsApp message from a member (recorded once by the webhook route): answer it.
  "whatsapp:inbound": async ({ sql, admin }, job, now) => {
    const { inboundId } = parse(z.object({ inboundId: z.number().int() }), job.payload);
    return handleInbound(sql, job.shop, inboundId, admin ? () => admin(job.shop) : undefined, now);
  },

  "ledger:reconcile": async ({ sql, log }, job) => {
    const r = await reconcile(sql, job.shop);
    if (r.mismatched.length) log?.("ledger mismatch", { shop: job.shop, members: r.mismatched.map((m) => m.memberId) });
    return r;
  },
};
