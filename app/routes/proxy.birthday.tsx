import type { ActionFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { privateJson, proxyContext } from "~/lib/app-proxy.server";
import { ActionRejected, setBirthday } from "~/models/actions.server";

// POST /apps/loyalty/birthday {"birthday": "MM-DD"} — the logged-in shopper gives a birthday once;
// the points come on the day, in the shop's timezone.
export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await proxyContext(request);
  if (!ctx.customerGid) return privateJson({ error: "log in first" }, { status: 403 });
  let body: { birthday?: unknown };
  try {
    body = JSON.parse(await request.text());
    // `null`, a number or a list is JSON too, but not the object this takes
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new SyntaxError("not an object");
  } catch {
    return privateJson({ error: "body must be JSON" }, { status: 400 });
  }
  if (typeof body.birthday !== "string") return privateJson({ error: "invalid", fieldErrors: { birthday: "is required (MM-DD)" } }, { status: 422 });
  try {
    const db = await database();
    const result = await setBirthday(db.sql, ctx.shop, ctx.customerGid, body.birthday);
    if (result === "locked") return privateJson({ error: "invalid", fieldErrors: { birthday: "is already set; the shop can change it" } }, { status: 409 });
    return privateJson({ status: result });
  } catch (error) {
    if (error instanceof ActionRejected) return privateJson({ error: "invalid", fieldErrors: { birthday: error.reason } }, { status: 422 });
    throw error;
  }
};
