// A fresh, migrated database for one test file: a temp SQLite file, or a new schema in the
// PostgreSQL test database (TEST_DB=postgres). Each test file gets its own, so files can't collide.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "~/db.server";

export const TEST_DB = (process.env.TEST_DB ?? "sqlite") as "sqlite" | "postgres";
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export interface TestDatabase extends Database {
  drop(): Promise<void>;
}

export async function freshDatabase(kind: "sqlite" | "postgres" = TEST_DB): Promise<TestDatabase> {
  if (kind === "postgres") {
    const schema = `stk_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    const url = new URL(POSTGRES_URL);
    url.searchParams.set("schema", schema);
    const db = await openDatabase(url.toString());
    return {
      ...db,
      async drop() {
        await db.close();
        const c = new pg.Client({ connectionString: POSTGRES_URL });
        await c.connect();
        await c.query(`DROP SCHEMA "${schema}" CASCADE`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "stammkunde-test-"));
  const db = await openDatabase(`file:${join(dir, "test.sqlite")}`);
  return {
    ...db,
    async drop() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}
