import type { ActionFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { privateJson, proxyContext } from "~/lib/app-proxy.server";
import { programOf } from "~/models/earning.server";
import { ensureMember } from "~/models/ledger.server";
import { ensureShop } from "~/models/shops.server";
import { optIn, optOut, contactOf, WhatsAppOptInError } from "~/models/whatsapp.server";

// POST /apps/loyalty/whatsapp {"phone": "+49 151 …", "consent": true} — the logged-in shopper signs
// their number up for WhatsApp messages from the panel; the consent (time and source) is recorded.
// {"consent": false} signs it off. The shopper is the signed logged_in_customer_id, never the body.
export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await proxyContext(request);
  if (!ctx.customerGid) return privateJson({ error: "log in first" }, { status: 403 });
  let body: { phone?: unknown; consent?: unknown };
  try {
    body = JSON.parse(await request.text()) as typeof body;
    if (!body || typeof body !== "object") throw new Error("not an object");
  } catch {
    return privateJson({ error: "malformed JSON" }, { status: 400 });
  }
  const db = await database();
  const program = programOf(await ensureShop(db.sql, ctx.shop));
  if (!program.messaging.channels.whatsapp.enabled) return privateJson({ error: "the shop does not send WhatsApp messages" }, { status: 409 });
  if (body.consent === false) {
    const done = await db.sql.tx(async (q) => {
      const m = await q.get<{ id: number }>(`SELECT id FROM members WHERE shop = ? AND customer_gid = ?`, [ctx.shop, ctx.customerGid]);
      const c = m ? await contactOf(q, ctx.shop, Number(m.id)) : undefined;
      return c ? optOut(q, ctx.shop, c.phone) : false;
    });
    return privateJson({ status: done ? "opted_out" : "not_signed_up" });
  }
  if (body.consent !== true) return privateJson({ fieldErrors: { consent: "Tick the box to agree to WhatsApp messages" } }, { status: 422 });
  if (typeof body.phone !== "string") return privateJson({ fieldErrors: { phone: "Enter your WhatsApp number" } }, { status: 422 });
  try {
    const phone = await db.sql.tx(async (q) => optIn(q, ctx.shop, await ensureMember(q, ctx.shop, ctx.customerGid!), body.phone as string, "storefront"));
    return privateJson({ status: "opted_in", phone: `+${phone}` });
  } catch (e) {
    if (e instanceof WhatsAppOptInError) return privateJson({ fieldErrors: e.fieldErrors }, { status: 422 });
    throw e;
  }
};
