import { database } from "~/db.server";

// GET /healthz — for load balancers and process managers: 200 when the database answers.
export const loader = async () => {
  try {
    const db = await database();
    await db.sql.get("SELECT 1 AS ok");
    return new Response(JSON.stringify({ ok: true, database: db.sql.dialect }), { headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });
  } catch {
    return new Response(JSON.stringify({ ok: false }), { status: 503, headers: { "Content-Type": "application/json" } });
  }
};
