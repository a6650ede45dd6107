import type { ActionFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { SOCIAL_NETWORKS, type SocialNetwork } from "~/domain/program";
import { privateJson, proxyContext } from "~/lib/app-proxy.server";
import { earnAction } from "~/models/actions.server";

// POST /apps/loyalty/actions/social {"network": "instagram"} — the logged-in shopper followed the
// shop; once per network per lifetime.
export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await proxyContext(request);
  if (!ctx.customerGid) return privateJson({ error: "log in first" }, { status: 403 });
  let body: { network?: unknown };
  try {
    body = JSON.parse(await request.text());
    // `null`, a number or a list is JSON too, but not the object this takes
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new SyntaxError("not an object");
  } catch {
    return privateJson({ error: "body must be JSON" }, { status: 400 });
  }
  if (!SOCIAL_NETWORKS.includes(body.network as SocialNetwork)) {
    return privateJson({ error: "invalid", fieldErrors: { network: `must be one of ${SOCIAL_NETWORKS.join(", ")}` } }, { status: 422 });
  }
  const db = await database();
  const r = await earnAction(db.sql, ctx.shop, ctx.customerGid, { kind: "social", network: body.network as SocialNetwork });
  return privateJson(r, { status: r.status === "skipped" ? 409 : 200 });
};
