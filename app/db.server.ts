// The app's database handles: one Prisma client (admin pages, sessions) and one raw SQL handle
// (the ledger's hot path), both on DATABASE_URL. SQLite files are created and migrated on first use.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import type * as PrismaModule from "@prisma/client";
import type { PrismaClient } from "@prisma/client";
import { env } from "./lib/env.server";
import { migrate } from "./lib/migrate.server";
import { openSql, pgConfig, sqlitePath, type Sql } from "./lib/sql.server";

export type Prisma = PrismaClient;

export interface Database {
  url: string;
  sql: Sql;
  prisma: Prisma;
  close(): Promise<void>;
}

// Migrations are read from the working directory: the app, worker, tests and scripts all run from
// the project root (the bundled build lives elsewhere, so import.meta.url would mislead).
export const projectRoot = resolve(process.env.STAMMKUNDE_ROOT ?? process.cwd());

async function createPrisma(url: string): Promise<Prisma> {
  if (url.startsWith("postgres")) {
    // The PostgreSQL client is generated into prisma/generated (docs/decisions/0002); it is
    // CommonJS, loaded by path from the project root so bundlers leave it alone.
    const { PrismaClient } = createRequire(import.meta.url)(resolve(projectRoot, "prisma/generated/client-postgres")) as typeof PrismaModule;
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const { connectionString, schema } = pgConfig(url);
    return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 5 }, { schema }) }) as unknown as Prisma;
  }
  const [{ PrismaClient }, { PrismaBetterSQLite3 }] = await Promise.all([
    import("@prisma/client"),
    import("@prisma/adapter-better-sqlite3"),
  ]);
  return new PrismaClient({
    adapter: new PrismaBetterSQLite3({ url: sqlitePath(url), timeout: 10_000 }, { timestampFormat: "unixepoch-ms" }),
  });
}

/** Opens (and migrates) a database. Tests open their own; the app uses `database()`. */
export async function openDatabase(url: string, options: { migrate?: boolean } = {}): Promise<Database> {
  if (!url.startsWith("postgres")) mkdirSync(dirname(resolve(sqlitePath(url))), { recursive: true });
  const sql = openSql(url);
  if (options.migrate !== false) await migrate(sql, projectRoot);
  const prisma = await createPrisma(url);
  return {
    url,
    sql,
    prisma,
    async close() {
      await prisma.$disconnect();
      await sql.close();
    },
  };
}

let current: Promise<Database> | undefined;
export function database(): Promise<Database> {
  current ??= openDatabase(env().DATABASE_URL);
  return current;
}
