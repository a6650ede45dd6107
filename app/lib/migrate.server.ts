// Applies prisma/migrations/<dialect>/*/migration.sql in name order, each once, each in its own
// transaction, recorded in _stammkunde_migrations with a checksum. Prisma's own `migrate deploy`
// cannot run offline against PostgreSQL with the js engine (prisma#27403), so one small runner
// serves both databases the same way (docs/decisions/0002).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Sql } from "./sql.server";

export function migrationsDir(root: string, dialect: Sql["dialect"]): string {
  return join(root, "prisma", "migrations", dialect === "postgres" ? "postgres" : "sqlite");
}

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

export async function migrate(sql: Sql, root: string): Promise<MigrationResult> {
  const dir = migrationsDir(root, sql.dialect);
  if (!existsSync(dir)) throw new Error(`No migrations folder at ${dir}`);
  const names = readdirSync(dir).filter((n) => existsSync(join(dir, n, "migration.sql"))).sort();
  await sql.exec(
    `CREATE TABLE IF NOT EXISTS _stammkunde_migrations (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const name of names) {
    const script = readFileSync(join(dir, name, "migration.sql"), "utf8");
    const checksum = createHash("sha256").update(script).digest("hex");
    const done = await sql.tx(async (q) => {
      // Several processes may start at once on PostgreSQL: one applies, the others wait and skip.
      if (q.dialect === "postgres") await q.run("SELECT pg_advisory_xact_lock(727274)");
      const row = await q.get<{ checksum: string }>("SELECT checksum FROM _stammkunde_migrations WHERE name = ?", [name]);
      if (row) {
        if (row.checksum !== checksum) throw new Error(`Migration ${name} was changed after it was applied`);
        return false;
      }
      await q.exec(script);
      await q.run("INSERT INTO _stammkunde_migrations (name, checksum, applied_at) VALUES (?, ?, ?)", [
        name,
        checksum,
        new Date().toISOString(),
      ]);
      return true;
    });
    (done ? result.applied : result.skipped).push(name);
  }
  return result;
}
