// The SQLite and PostgreSQL migrations must build the same tables, columns, nullability and
// unique keys, and both must match the Prisma model. Fails the moment one side drifts.
import { Prisma } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, postgresReachable, type TestDatabase } from "../helpers/db";

interface Shape {
  columns: Record<string, Record<string, { nullable: boolean }>>;
  uniques: string[];
}

async function sqliteShape(db: TestDatabase): Promise<Shape> {
  const tables = await db.sql.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\'`);
  const shape: Shape = { columns: {}, uniques: [] };
  for (const { name } of tables) {
    const cols = await db.sql.all<{ name: string; notnull: number; pk: number }>(`PRAGMA table_info("${name}")`);
    shape.columns[name] = Object.fromEntries(cols.map((c) => [c.name, { nullable: !c.notnull && !c.pk }]));
    const indexes = await db.sql.all<{ name: string; unique: number; origin: string }>(`PRAGMA index_list("${name}")`);
    for (const ix of indexes.filter((i) => i.unique && i.origin !== "pk")) {
      const cols = await db.sql.all<{ name: string }>(`PRAGMA index_info("${ix.name}")`);
      shape.uniques.push(`${name}(${cols.map((c) => c.name).join(",")})`);
    }
  }
  shape.uniques.sort();
  return shape;
}

async function postgresShape(db: TestDatabase): Promise<Shape> {
  const cols = await db.sql.all<{ table_name: string; column_name: string; is_nullable: string }>(
    `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_%'`,
  );
  const shape: Shape = { columns: {}, uniques: [] };
  for (const c of cols) (shape.columns[c.table_name] ??= {})[c.column_name] = { nullable: c.is_nullable === "YES" };
  const uniques = await db.sql.all<{ table_name: string; columns: string }>(
    `SELECT t.relname AS table_name, string_agg(a.attname, ',' ORDER BY k.ord) AS columns
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE i.indisunique AND NOT i.indisprimary AND t.relname NOT LIKE '\\_%'
      GROUP BY i.indexrelid, t.relname`,
  );
  shape.uniques = uniques.map((u) => `${u.table_name}(${u.columns})`).sort();
  return shape;
}

let sqlite: TestDatabase;
let postgres: TestDatabase | undefined;
const pgUp = await postgresReachable();

beforeAll(async () => {
  sqlite = await freshDatabase("sqlite");
  if (pgUp) postgres = await freshDatabase("postgres");
});
afterAll(async () => {
  await sqlite?.drop();
  await postgres?.drop();
});

describe("schema", () => {
  it("SQLite migrations create every column of the Prisma model", async () => {
    const shape = await sqliteShape(sqlite);
    for (const model of Prisma.dmmf.datamodel.models) {
      const table = model.dbName ?? model.name;
      expect(shape.columns[table], `table ${table}`).toBeDefined();
      for (const f of model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum")) {
        expect(shape.columns[table], `${table}.${f.dbName ?? f.name}`).toHaveProperty(f.dbName ?? f.name);
      }
      expect(Object.keys(shape.columns[table]).length).toBe(model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum").length);
    }
    expect(Object.keys(shape.columns).sort()).toEqual(Prisma.dmmf.datamodel.models.map((m) => m.dbName ?? m.name).sort());
  });

  it.skipIf(!pgUp)("PostgreSQL migrations build exactly the same tables, columns, nullability and unique keys", async () => {
    const a = await sqliteShape(sqlite);
    const b = await postgresShape(postgres!);
    expect(b.columns).toEqual(a.columns);
    expect(b.uniques).toEqual(a.uniques);
    expect(a.uniques).toContain("ledger_entries(shop,idempotency_key)");
    expect(a.uniques).toContain("webhook_deliveries(shop,event_id)");
  });

  it("migrations are recorded and not applied twice", async () => {
    const { migrate } = await import("~/lib/migrate.server");
    const again = await migrate(sqlite.sql, process.cwd());
    expect(again.applied).toEqual([]);
    expect(again.skipped.length).toBeGreaterThan(0);
  });
});
