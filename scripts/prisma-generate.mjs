// Generates one Prisma client per provider from prisma/schema.prisma (the only hand-written schema):
// SQLite's in the default place (@prisma/client, which the session storage imports), PostgreSQL's
// in prisma/generated/client-postgres (outside node_modules, so `npm install <pkg>` can't prune it).
// The PostgreSQL schema is derived: provider, client output path, and timestamptz for DateTime.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export function derivePostgresSchema(source) {
  return source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/(provider\s*=\s*"prisma-client-js")/, '$1\n  output          = "./client-postgres"')
    .replace(/url\s*=\s*"file:[^"]*"/, 'url      = "postgresql://postgres@127.0.0.1:5432/test"')
    .replace(/\bDateTime(\??)(\s)/g, "DateTime$1 @db.Timestamptz(3)$2")
    .replace(/^\/\/ The one data model[\s\S]*?\n\n/, "// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs. Do not edit.\n\n");
}

function main() {
  const source = readFileSync(join(root, "prisma", "schema.prisma"), "utf8");
  const pgPath = join(root, "prisma", "generated", "schema.postgres.prisma");
  mkdirSync(dirname(pgPath), { recursive: true });
  writeFileSync(pgPath, derivePostgresSchema(source));
  if (!existsSync(join(root, "node_modules", "prisma"))) return;
  const prisma = join(root, "node_modules", ".bin", "prisma");
  for (const provider of ["sqlite", "postgresql"]) {
    execFileSync(prisma, ["generate"], {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, PRISMA_PROVIDER: provider, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
