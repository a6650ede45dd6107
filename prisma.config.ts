// Prisma CLI configuration. The js engine and a driver adapter keep every Prisma command offline
// (no engine download). PRISMA_PROVIDER=postgresql selects the derived PostgreSQL schema.
import path from "node:path";
import { defineConfig } from "prisma/config";

const provider = process.env.PRISMA_PROVIDER === "postgresql" ? "postgresql" : "sqlite";
const databaseUrl =
  process.env.DATABASE_URL ??
  (provider === "postgresql" ? "postgresql://postgres@127.0.0.1:5432/test" : "file:./data/dev.sqlite");

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: provider === "postgresql" ? path.join("prisma", "generated", "schema.postgres.prisma") : path.join("prisma", "schema.prisma"),
  async adapter() {
    if (provider === "postgresql") {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({ connectionString: databaseUrl });
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url: databaseUrl.replace(/^file:/, "") }, { timestampFormat: "unixepoch-ms" });
  },
});
