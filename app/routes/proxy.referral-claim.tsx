import type { ActionFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { CLAIM_ERRORS, type ClaimErrorKey } from "~/domain/referrals";
import { clientIp, privateJson, proxyContext } from "~/lib/app-proxy.server";
import { claimPage, liquid } from "~/lib/referral-page.server";
import { claimFriendCode, ReferralError } from "~/models/referrals.server";

// POST /apps/loyalty/referral-claim — the friend asks for their code:
//   JSON {"code": "ADVOCATECODE", "email": "…" (guests), "visit"?: "…", "device"?: "…"}
//   or the landing page's form without JavaScript (answered as a Liquid page).
// The logged-in customer comes only from the signed query. One code per friend (normalised email
// or customer): asking again returns the same code.
export const action = async ({ request }: ActionFunctionArgs) => {
  const ctx = await proxyContext(request);
  const wantsJson = (request.headers.get("content-type") ?? "").includes("json");
  const locale = (ctx.locale ?? "").toLowerCase().startsWith("de") ? "de" : "en";
  let body: Record<string, unknown>;
  try {
    body = wantsJson ? JSON.parse(await request.text()) : Object.fromEntries(new URLSearchParams(await request.text()));
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new SyntaxError("not an object");
  } catch {
    return privateJson({ error: "body must be a JSON object" }, { status: 400 });
  }
  const str = (k: string) => (typeof body[k] === "string" && (body[k] as string).length <= 320 ? (body[k] as string) : null);
  const refuse = (status: number, key: ClaimErrorKey, field?: string) =>
    wantsJson
      ? privateJson({ error: key, message: CLAIM_ERRORS[key][locale], ...(field ? { fieldErrors: { [field]: CLAIM_ERRORS[key][locale] } } : {}) }, { status })
      : liquid(claimPage({ error: key }), status);
  if (!str("code")) return refuse(422, "unavailable", "code");
  if (!ctx.admin) return wantsJson ? privateJson({ error: "the shop is not connected; try again later" }, { status: 503 }) : liquid(claimPage({ error: "shopify_failed" }), 503);
  try {
    const db = await database();
    const r = await claimFriendCode(db.sql, ctx.shop, { code: str("code")!, customerGid: ctx.customerGid, email: str("email"), visit: str("visit"), device: str("device"), ip: clientIp(request) }, ctx.admin, {
      waitMs: Number(process.env.STAMMKUNDE_PROXY_WAIT_MS ?? 5000),
    });
    if (r.status === "creating") return wantsJson ? privateJson({ status: "creating" }, { status: 202 }) : liquid(claimPage({ waiting: true }), 202);
    const applyUrl = `/discount/${encodeURIComponent(r.code)}?redirect=/`;
    return wantsJson ? privateJson({ status: "issued", code: r.code, applyUrl }) : liquid(claimPage({ code: r.code, applyUrl }));
  } catch (error) {
    if (error instanceof ReferralError && error.reason in CLAIM_ERRORS) return refuse(error.status, error.reason as ClaimErrorKey, error.field);
    throw error;
  }
};
