import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseToml, type TomlTable } from "../config/toml.ts";

/**
 * Theme app extensions as Shopify CLI deploys them: every subfolder of the extensions folder whose
 * shopify.extension.toml says `type = "theme"`, with blocks/*.liquid, snippets/*.liquid, assets/*
 * and locales/*.json. The folder is re-read when a file changes (stat only), so a running devstore
 * picks up edits to the extension.
 */

export type BlockTarget = "head" | "compliance_head" | "body" | "section";

export interface SettingSchema {
  type: string;
  id?: string;
  label?: string;
  default?: unknown;
  [key: string]: unknown;
}

export interface TemplateFilter {
  templates?: string[];
  groups?: string[];
}

export interface BlockSchema {
  name: string;
  target: BlockTarget;
  settings: SettingSchema[];
  javascript?: string;
  stylesheet?: string;
  enabled_on?: TemplateFilter;
  disabled_on?: TemplateFilter;
  available_if?: string;
  /** Wrapper element of an app block ("div" when absent, none when null). */
  tag?: string | null;
  class?: string;
  [key: string]: unknown;
}

export interface ThemeBlock {
  /** "<extension handle>/<file name without .liquid>", the name switches and settings use. */
  readonly ref: string;
  readonly name: string;
  readonly file: string;
  readonly schema: BlockSchema;
  /** The block source; the schema, javascript and stylesheet tags render nothing. */
  readonly source: string;
  /** Bodies of {% javascript %} / {% stylesheet %}, emitted once per page like Shopify's bundles. */
  readonly inlineJavascript: string | null;
  readonly inlineStylesheet: string | null;
}

export interface ThemeExtension {
  readonly handle: string;
  readonly name: string;
  readonly dir: string;
  /** Changes whenever a file of the extension changes; part of asset URLs (cache busting). */
  readonly version: string;
  readonly blocks: ThemeBlock[];
  /** Snippet name (without .liquid) → source. */
  readonly snippets: Record<string, string>;
  /** Locale code ("en", "de", "pt-BR") → translations; the default locale is also under its own code. */
  readonly locales: Map<string, Record<string, unknown>>;
  readonly defaultLocale: string | null;
  /** Asset file name → absolute path. */
  readonly assets: Map<string, string>;
}

export class ExtensionError extends Error {}

const TARGETS = new Set<BlockTarget>(["head", "compliance_head", "body", "section"]);
const RAW_TAG = (name: string) => new RegExp(`{%-?\\s*${name}\\s*-?%}([\\s\\S]*?){%-?\\s*end${name}\\s*-?%}`);

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

function themeConfig(toml: TomlTable): { type: string; name?: string; handle?: string } | undefined {
  if (typeof toml.type === "string") return { type: toml.type, name: str(toml.name), handle: str(toml.handle) };
  const list = toml.extensions;
  if (Array.isArray(list)) {
    for (const entry of list) {
      if (entry && typeof entry === "object" && !Array.isArray(entry) && entry.type === "theme") return { type: "theme", name: str(entry.name), handle: str(entry.handle) };
    }
  }
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function parseBlock(extHandle: string, file: string): ThemeBlock {
  const source = readFileSync(file, "utf8");
  const name = path.basename(file, ".liquid");
  const raw = RAW_TAG("schema").exec(source);
  if (!raw) throw new ExtensionError(`${file}: a block needs a {% schema %} tag`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw[1]!);
  } catch (error) {
    throw new ExtensionError(`${file}: the schema is not valid JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new ExtensionError(`${file}: the schema must be a JSON object`);
  const schema = parsed as Partial<BlockSchema>;
  if (typeof schema.name !== "string" || !schema.name) throw new ExtensionError(`${file}: the schema needs a name`);
  if (!schema.target || !TARGETS.has(schema.target)) throw new ExtensionError(`${file}: the schema target must be one of head, compliance_head, body, section (got ${JSON.stringify(schema.target)})`);
  if (schema.settings !== undefined && !Array.isArray(schema.settings)) throw new ExtensionError(`${file}: settings must be an array`);
  for (const setting of schema.settings ?? []) {
    if (!setting || typeof setting.type !== "string") throw new ExtensionError(`${file}: every setting needs a type`);
  }
  if (schema.enabled_on && schema.disabled_on) throw new ExtensionError(`${file}: enabled_on and disabled_on cannot both be set`);
  const js = RAW_TAG("javascript").exec(source);
  const css = RAW_TAG("stylesheet").exec(source);
  return {
    ref: `${extHandle}/${name}`,
    name,
    file,
    schema: { ...schema, settings: schema.settings ?? [] } as BlockSchema,
    source,
    inlineJavascript: js ? js[1]!.trim() || null : null,
    inlineStylesheet: css ? css[1]!.trim() || null : null,
  };
}

function loadExtension(dir: string, config: { name?: string; handle?: string }, version: string): ThemeExtension {
  const handle = config.handle ?? path.basename(dir);
  const blocks = listFiles(path.join(dir, "blocks"))
    .filter((f) => f.endsWith(".liquid"))
    .map((f) => parseBlock(handle, path.join(dir, "blocks", f)));
  const snippets: Record<string, string> = {};
  for (const f of listFiles(path.join(dir, "snippets")).filter((f) => f.endsWith(".liquid"))) {
    snippets[path.basename(f, ".liquid")] = readFileSync(path.join(dir, "snippets", f), "utf8");
  }
  const locales = new Map<string, Record<string, unknown>>();
  let defaultLocale: string | null = null;
  for (const f of listFiles(path.join(dir, "locales")).filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))) {
    const m = /^([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)(\.default)?\.json$/.exec(f);
    if (!m) throw new ExtensionError(`${path.join(dir, "locales", f)}: locale files are named <locale>.json or <locale>.default.json`);
    let translations: unknown;
    try {
      translations = JSON.parse(readFileSync(path.join(dir, "locales", f), "utf8"));
    } catch (error) {
      throw new ExtensionError(`${path.join(dir, "locales", f)}: not valid JSON (${(error as Error).message})`);
    }
    locales.set(m[1]!, translations as Record<string, unknown>);
    if (m[2]) defaultLocale = m[1]!;
  }
  const assets = new Map<string, string>();
  for (const f of listFiles(path.join(dir, "assets"))) assets.set(f, path.join(dir, "assets", f));
  return { handle, name: config.name ?? handle, dir, version, blocks, snippets, locales, defaultLocale, assets };
}

/** Reads the theme extensions under `root`, re-reading them when any file's size or mtime changed. */
export class ThemeExtensionSource {
  private signature = "";
  private loaded: ThemeExtension[] = [];

  constructor(readonly root: string | null) {}

  /** The current extensions; throws ExtensionError for a malformed block, schema or locale file. */
  current(): ThemeExtension[] {
    if (!this.root || !existsSync(this.root)) return [];
    const dirs: { dir: string; config: { name?: string; handle?: string }; files: string[] }[] = [];
    // The root is a folder of extensions, or one extension itself.
    const candidates = existsSync(path.join(this.root, "shopify.extension.toml"))
      ? [this.root]
      : readdirSync(this.root, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => path.join(this.root!, e.name))
          .sort();
    for (const dir of candidates) {
      const tomlPath = path.join(dir, "shopify.extension.toml");
      if (!existsSync(tomlPath)) continue;
      const config = themeConfig(parseToml(readFileSync(tomlPath, "utf8")));
      if (!config || config.type !== "theme") continue;
      const files = [tomlPath, ...["blocks", "snippets", "assets", "locales"].flatMap((sub) => listFiles(path.join(dir, sub)).map((f) => path.join(dir, sub, f)))];
      dirs.push({ dir, config, files });
    }
    const signature = dirs
      .flatMap((d) => d.files)
      .map((f) => {
        const s = statSync(f);
        return `${f}:${s.size}:${s.mtimeMs}`;
      })
      .join("\n");
    if (signature !== this.signature) {
      this.loaded = dirs.map((d) => {
        const version = createHash("sha256")
          .update(d.files.map((f) => `${f}:${statSync(f).mtimeMs}`).join("\n"))
          .digest("hex")
          .slice(0, 12);
        return loadExtension(d.dir, d.config, version);
      });
      this.signature = signature;
    }
    return this.loaded;
  }

  block(ref: string): ThemeBlock | undefined {
    return this.current()
      .flatMap((e) => e.blocks)
      .find((b) => b.ref === ref);
  }
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".txt": "text/plain; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".liquid": "text/plain; charset=utf-8",
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}
