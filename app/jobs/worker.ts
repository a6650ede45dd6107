// `npm run worker`: a separate process that runs the outbox jobs (production: one or more).
import { database } from "~/db.server";
import { env } from "~/lib/env.server";
import { log } from "~/lib/logger.server";
import { adminFor } from "./admin.server";
import { Worker } from "./worker.server";

async function main() {
  env();
  const db = await database();
  const worker = new Worker({ sql: db.sql, log, admin: adminFor });
  worker.start();
  log(`worker ${worker.id} started`, { database: db.sql.dialect });
  const shutdown = async () => {
    await worker.stop();
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
