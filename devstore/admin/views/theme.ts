import { createHash } from "node:crypto";
import { GraphQLError } from "graphql";
import { paginate, type PageArgs } from "../connection.ts";
import type { AdminContext } from "../context.ts";

/** The devstore's one theme per shop: the published (MAIN) theme the storefront renders. */
export const MAIN_THEME_NAME = "Devstore";

export function mainThemeId(ctx: AdminContext): string {
  return `gid://shopify/OnlineStoreTheme/${ctx.shop.id}`;
}

/** A filename pattern of `files(filenames:)`: exact, or with `*` wildcards ("templates/*.json"). */
function matcher(pattern: string): (filename: string) => boolean {
  if (!pattern.includes("*")) return (f) => f === pattern;
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return (f) => re.test(f);
}

function filesView(ctx: AdminContext, args: { filenames?: string[] | null } & PageArgs) {
  const files = [...(ctx.themeFiles?.(ctx.shop) ?? new Map<string, string>()).entries()].map(([filename, content], i) => ({ id: i + 1, filename, content }));
  const patterns = args.filenames ?? null;
  if (patterns && patterns.length > 50) throw new GraphQLError("filenames may list at most 50 files", { extensions: { code: "argumentLiteralsIncompatible" } });
  const selected = patterns ? files.filter((f) => patterns.some((p) => matcher(p)(f.filename))) : files;
  // an exact filename that names no file is reported, not silently dropped (Shopify: NOT_FOUND)
  const userErrors = (patterns ?? []).filter((p) => !p.includes("*") && !files.some((f) => f.filename === p)).map((filename) => ({ __typename: "OnlineStoreThemeFileReadResult", filename, code: "NOT_FOUND" }));
  const connection = paginate(selected, args, (f) => ({
    __typename: "OnlineStoreThemeFile",
    filename: f.filename,
    body: { __typename: "OnlineStoreThemeFileBodyText", content: f.content },
    checksumMd5: createHash("md5").update(f.content).digest("hex"),
    contentType: f.filename.endsWith(".json") ? "application/json" : "text/plain",
    size: Buffer.byteLength(f.content),
    createdAt: ctx.shop.createdAt,
    updatedAt: ctx.shop.updatedAt,
  }));
  return { ...connection, userErrors };
}

export function themeView(ctx: AdminContext): Record<string, unknown> {
  return {
    __typename: "OnlineStoreTheme",
    id: mainThemeId(ctx),
    name: MAIN_THEME_NAME,
    prefix: `/t/${ctx.shop.id}`,
    role: "MAIN",
    processing: false,
    processingFailed: false,
    themeStoreId: null,
    createdAt: ctx.shop.createdAt,
    updatedAt: ctx.shop.updatedAt,
    files: (args: { filenames?: string[] | null } & PageArgs) => filesView(ctx, args),
  };
}

/** `themes(roles:, names:)`: the main theme when the devstore has a storefront, filtered like Shopify. */
export function themesView(ctx: AdminContext, args: { roles?: string[] | null; names?: string[] | null } & PageArgs) {
  const themes = ctx.themeFiles ? [{ id: ctx.shop.id, role: "MAIN", name: MAIN_THEME_NAME }] : [];
  const selected = themes.filter((t) => (!args.roles?.length || args.roles.includes(t.role)) && (!args.names?.length || args.names.includes(t.name)));
  return paginate(selected, args, () => themeView(ctx));
}
