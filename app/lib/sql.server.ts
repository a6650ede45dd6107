// A thin SQL layer over the two drivers Prisma's adapters already use (better-sqlite3, pg), for the
// ledger's hot path where Prisma's per-query compilation costs too much (docs/decisions/0003).
// SQL is written once with `?` placeholders; PostgreSQL gets `$n`. Both dialects support
// ON CONFLICT … DO NOTHING and RETURNING, which is all the ledger needs.
import Database from "better-sqlite3";
import pg from "pg";

export type Dialect = "sqlite" | "postgres";
export type Row = Record<string, unknown>;

export interface Queryable {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: unknown[]): Promise<T | undefined>;
  run(sql: string, params?: unknown[]): Promise<{ changes: number }>;
  /** Rows as arrays of column values, in select order: for scans over millions of rows, where
   *  building an object per row is most of the cost. */
  rows(sql: string, params?: unknown[]): Promise<unknown[][]>;
  /** Runs a multi-statement script without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface Sql extends Queryable {
  /** Runs fn in one transaction; commits if it resolves, rolls back if it throws. Inside fn, use
   *  only the Queryable it is given (on SQLite, the outer handle waits for the transaction). */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** A timestamp parameter in the form this dialect's columns hold (Prisma's formats). */
  ts(d?: Date | number): unknown;
  /** A boolean parameter. */
  bool(b: boolean): unknown;
}

/** A boolean column as either driver returns it (PostgreSQL: true; SQLite: 1). */
export const dbBool = (v: unknown): boolean => v === true || v === 1 || v === "1";

export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  if (typeof v === "number" || typeof v === "bigint") return new Date(Number(v));
  return new Date(String(v));
}

/** Serialises async work on one SQLite connection: a transaction's statements never interleave
 *  with another request's, and no statement lands inside someone else's open transaction. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

export function sqlitePath(url: string): string {
  return url.replace(/^file:/, "").replace(/\?.*$/, "");
}

export function openSqlite(url: string): Sql {
  const db = new Database(sqlitePath(url), { timeout: 10_000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const rawStatements = new Map<string, Database.Statement>();
  const prepareRaw = (sql: string) => {
    let s = rawStatements.get(sql);
    if (!s) {
      s = db.prepare(sql).raw(true);
      rawStatements.set(sql, s);
    }
    return s;
  };
  const norm = (params: unknown[] = []) => params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p instanceof Date ? p.getTime() : p));
  const direct: Queryable = {
    dialect: "sqlite",
    async all<T>(sql: string, params?: unknown[]) {
      return prepare(sql).all(...norm(params)) as T[];
    },
    async get<T>(sql: string, params?: unknown[]) {
      return prepare(sql).get(...norm(params)) as T | undefined;
    },
    async rows(sql: string, params?: unknown[]) {
      return prepareRaw(sql).all(...norm(params)) as unknown[][];
    },
    async run(sql: string, params?: unknown[]) {
      const s = prepare(sql);
      if (!s.reader) return { changes: s.run(...norm(params)).changes };
      // INSERT … RETURNING is a reader; count the rows it returned.
      return { changes: s.all(...norm(params)).length };
    },
    async exec(script: string) {
      db.exec(script);
    },
  };
  const mutex = new Mutex();
  return {
    dialect: "sqlite",
    all: (sql, params) => mutex.lock(() => direct.all(sql, params)),
    get: (sql, params) => mutex.lock(() => direct.get(sql, params)),
    run: (sql, params) => mutex.lock(() => direct.run(sql, params)),
    rows: (sql, params) => mutex.lock(() => direct.rows(sql, params)),
    tx: (fn) =>
      mutex.lock(async () => {
        prepare("BEGIN IMMEDIATE").run();
        try {
          const result = await fn(direct);
          prepare("COMMIT").run();
          return result;
        } catch (error) {
          if (db.inTransaction) prepare("ROLLBACK").run();
          throw error;
        }
      }),
    exec: (script) => mutex.lock(() => direct.exec(script)),
    close: async () => {
      await mutex.lock(async () => db.close());
    },
    ts: (d = Date.now()) => (d instanceof Date ? d.getTime() : d),
    bool: (b) => (b ? 1 : 0),
  };
}

const pgPlaceholders = new Map<string, string>();
function toPg(sql: string): string {
  let out = pgPlaceholders.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    pgPlaceholders.set(sql, out);
  }
  return out;
}

/** Parses a PostgreSQL URL the way Prisma does: `?schema=name` selects the search path. */
export function pgConfig(url: string): { connectionString: string; schema?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? undefined;
  u.searchParams.delete("schema");
  return { connectionString: u.toString(), schema };
}

// pg returns BIGINT / NUMERIC as strings; counts and sums in this app fit in a double.
pg.types.setTypeParser(20, (v: string) => Number(v));
pg.types.setTypeParser(1700, (v: string) => Number(v));

const RETRYABLE = new Set(["40001", "40P01"]);

export function openPostgres(url: string, options: { max?: number } = {}): Sql {
  const { connectionString, schema } = pgConfig(url);
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    options: schema ? `-c search_path="${schema.replace(/"/g, "")}"` : undefined,
  });
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    dialect: "postgres",
    async all<T>(sql: string, params?: unknown[]) {
      return (await client.query({ text: toPg(sql), values: params })).rows as T[];
    },
    async get<T>(sql: string, params?: unknown[]) {
      return (await client.query({ text: toPg(sql), values: params })).rows[0] as T | undefined;
    },
    async run(sql: string, params?: unknown[]) {
      return { changes: (await client.query({ text: toPg(sql), values: params })).rowCount ?? 0 };
    },
    async rows(sql: string, params?: unknown[]) {
      return (await client.query({ text: toPg(sql), values: params, rowMode: "array" })).rows as unknown[][];
    },
    async exec(script: string) {
      await client.query(script);
    },
  });
  const base = on(pool);
  return {
    ...base,
    async tx(fn) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          const result = await fn(on(client));
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          const code = (error as { code?: string }).code;
          if (code && RETRYABLE.has(code) && attempt < 5) continue;
          throw error;
        } finally {
          client.release();
        }
      }
    },
    close: () => pool.end(),
    ts: (d = Date.now()) => (d instanceof Date ? d : new Date(d)),
    bool: (b) => b,
  };
}

export function openSql(url: string): Sql {
  return url.startsWith("postgres") ? openPostgres(url) : openSqlite(url);
}

/** True when the error is a unique-constraint violation in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string };
  return e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT_UNIQUE" || e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
