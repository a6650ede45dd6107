import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the folder that holds devstore/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** ../shared beside the checkout, or SHOPIFY_SHARED_DIR. */
export function sharedDir(): string {
  return process.env.SHOPIFY_SHARED_DIR ?? path.resolve(repoRoot, "../shared");
}

export function adminSchemaPath(version: string, dir = sharedDir()): string {
  return path.join(dir, "shopify", `admin-${version}.graphql`);
}
