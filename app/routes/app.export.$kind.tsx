import type { LoaderFunctionArgs } from "@remix-run/node";
import { database } from "~/db.server";
import { staffOf } from "~/lib/staff.server";
import { exportCsv, type ExportKind } from "~/models/export.server";
import { authenticate } from "~/shopify.server";

// GET /app/export/members | /app/export/ledger — the shop's CSV, streamed as it is read.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const kind = params.kind;
  if (kind !== "members" && kind !== "ledger") throw new Response("Not found", { status: 404 });
  const db = await database();
  const body = await exportCsv(db.sql, auth.session.shop, kind as ExportKind, staffOf(auth));
  const day = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="stammkunde-${kind}-${day}.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
