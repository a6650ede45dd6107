// Meta's WhatsApp webhook (decision 0019). GET: the verification handshake — hub.mode=subscribe and
// a verify token some shop set → the challenge, else 403. POST: which shop is read from the
// payload's phone_number_id, and the delivery must carry that shop's X-Hub-Signature-256 (HMAC-SHA256
// of the raw body with the app secret, compared in constant time): unsigned or wrong → 401 and
// nothing written; not JSON or not Meta's shape → 400. Messages are recorded once per Meta message
// id and answered by a job, so Meta gets its 200 at once.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { eventsOf, phoneNumberIdsOf, webhookSchema } from "~/domain/whatsapp";
import { verifyMetaSignature } from "~/lib/meta-signature.server";
import { acceptInbound, shopForPhoneNumberId, verifyTokenKnown } from "~/models/whatsapp.server";

const text = (body: string, status: number) => new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const q = new URL(request.url).searchParams;
  const challenge = q.get("hub.challenge") ?? "";
  if (q.get("hub.mode") !== "subscribe" || !challenge || challenge.length > 200) return text("forbidden", 403);
  const db = await database();
  if (!(await verifyTokenKnown(db.sql, q.get("hub.verify_token") ?? ""))) return text("forbidden", 403);
  return text(challenge, 200);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return text("method not allowed", 405);
  const signature = request.headers.get("x-hub-signature-256");
  if (!signature) return text("unsigned", 401);
  const raw = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    // nothing to find a shop (and so a secret) by: refused before anything is read or written
    return text("malformed JSON", 400);
  }
  const ids = phoneNumberIdsOf(body);
  if (!ids.length) return text("no phone_number_id", 400);
  const db = await database();
  // every phone number the delivery speaks for must belong to a shop whose app secret signed it
  const shops = new Map<string, string>();
  for (const id of ids) {
    const owner = await shopForPhoneNumberId(db.sql, id);
    if (!owner || !verifyMetaSignature(raw, signature, owner.appSecret)) return text("bad signature", 401);
    shops.set(id, owner.shop);
  }
  const parsed = webhookSchema.safeParse(body);
  if (!parsed.success) return text("not a WhatsApp Business webhook", 400);
  for (const e of eventsOf(parsed.data)) await acceptInbound(db.sql, shops.get(e.phoneNumberId)!, e.messages, e.statuses);
  return text("ok", 200);
};
