import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { database } from "~/db.server";
import { earnAction } from "~/models/actions.server";
import { shopForApiKey } from "~/models/api-keys.server";

// POST /api/v1/reviews — a review app reports a published product review; the shopper earns the
// program's review points once per product. Authorization: Bearer <API key>. docs/api.md.
const Body = z
  .object({
    customerId: z.union([z.string().regex(/^(gid:\/\/shopify\/Customer\/)?\d+$/, "must be a Shopify customer id or GID"), z.number().int().positive()]),
    productId: z.union([z.string().regex(/^(gid:\/\/shopify\/Product\/)?\d+$/, "must be a Shopify product id or GID"), z.number().int().positive()]),
  })
  .strict();

const json = (data: unknown, status = 200) => new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });

export const loader = () => json({ error: "use POST" }, 405);

export const action = async ({ request }: ActionFunctionArgs) => {
  const key = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const db = await database();
  const shop = key ? await shopForApiKey(db.sql, key) : null;
  if (!shop) return json({ error: "missing or unknown API key" }, 401);
  let raw: unknown;
  try {
    raw = JSON.parse(await request.text());
  } catch {
    return json({ error: "body must be JSON" }, 400);
  }
  const parsed = Body.safeParse(raw);
  if (!parsed.success) return json({ error: "invalid review", fieldErrors: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || "body", i.message])) }, 422);
  const customer = `gid://shopify/Customer/${String(parsed.data.customerId).replace("gid://shopify/Customer/", "")}`;
  const product = `gid://shopify/Product/${String(parsed.data.productId).replace("gid://shopify/Product/", "")}`;
  const r = await earnAction(db.sql, shop, customer, { kind: "review", subject: product });
  if (r.status === "earned") return json({ status: "earned", points: r.points, entryId: r.entryId }, 201);
  if (r.status === "duplicate") return json({ status: "duplicate", entryId: r.entryId });
  return json({ status: "skipped", reason: r.reason }, 409);
};
