import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Drop, Liquid, Tag, TypeGuards, type Context, type Emitter, type Liquid as LiquidEngine, type Parser, type TagToken, type Template, type TopLevelToken } from "liquidjs";
import { contentTypeOf, type ThemeExtension } from "./extensions.ts";
import { formatMoney, numberOnlyFormat } from "./money.ts";

/**
 * The Liquid environment of the devstore storefront: liquidjs plus the Shopify tags and filters
 * theme app extensions use. Engines are strict by default (unknown filters, variables and
 * properties throw), so a gap in the devstore, or a typo in the extension, fails the test.
 */

/** Per-render data the filters need, kept under a symbol in the globals (not reachable from Liquid). */
export const RENDER_ENV = Symbol("devstore.storefront.render");

export interface RenderEnv {
  locale: string;
  currency: string;
  moneyFormat: string;
  moneyWithCurrencyFormat: string;
}

export interface Translations {
  locales: Map<string, Record<string, unknown>>;
  defaultLocale: string | null;
}

export interface EngineOptions {
  /** The extension whose snippets, assets and locales the templates use; null for app proxy pages. */
  extension: ThemeExtension | null;
  /** Translations for `t` when there is no extension (the devstore theme's own locale files). */
  themeTranslations: Translations;
  strict: boolean;
}

function envOf(ctx: Context): RenderEnv {
  const env = (ctx.globals as Record<symbol, RenderEnv | undefined>)[RENDER_ENV];
  if (!env) throw new Error("devstore: rendered without a storefront environment");
  return env;
}

function kwargs(args: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of args) if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === "string") out[arg[0]] = arg[1];
  return out;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Drops and plain objects as JSON-able data (Shopify's json filter). */
function plain(value: unknown, depth = 0): unknown {
  if (depth > 12) return null;
  if (value instanceof Drop) {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    return typeof json === "function" ? plain(json.call(value), depth + 1) : null;
  }
  if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, depth + 1)]));
  return value;
}

function lookupKey(dict: Record<string, unknown> | undefined, key: string): unknown {
  let node: unknown = dict;
  for (const part of key.split(".")) {
    if (!node || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Shopify's `t`: the key in the request locale, then its language ("de" for "de-CH"), then the
 * default locale file; `count` picks the plural form; `{{ name }}` interpolates (escaped unless
 * the key ends in _html).
 */
export function translate(translations: Translations, locale: string, key: string, vars: Record<string, unknown>, strict: boolean): string {
  const chain = [locale, locale.split("-")[0]!, translations.defaultLocale].filter((l, i, all): l is string => !!l && all.indexOf(l) === i);
  let found: unknown;
  let foundIn = locale;
  for (const code of chain) {
    found = lookupKey(translations.locales.get(code), key);
    if (found !== undefined) {
      foundIn = code;
      break;
    }
  }
  if (found && typeof found === "object" && !Array.isArray(found) && "count" in vars) {
    const forms = found as Record<string, unknown>;
    const count = Number(vars.count);
    const rule = new Intl.PluralRules(foundIn).select(count);
    found = count === 0 && forms.zero !== undefined ? forms.zero : (forms[rule] ?? forms.other);
  }
  if (typeof found !== "string") {
    if (strict) throw new Error(`Translation missing: ${locale}.${key}`);
    return `Translation missing: ${locale}.${key}`;
  }
  const html = key.endsWith("_html");
  return found.replace(/\{\{\s*([\w-]+)\s*\}\}/g, (all, name: string) => {
    if (!(name in vars)) {
      if (strict) throw new Error(`translation ${key} needs {{ ${name} }}`);
      return all;
    }
    const value = String(vars[name] ?? "");
    return html ? value : escapeHtml(value);
  });
}

/** A block tag whose body is kept verbatim and renders nothing ({% schema %}, {% doc %}). */
function silentRawTag(name: string) {
  return class extends Tag {
    constructor(token: TagToken, remain: TopLevelToken[], liquid: LiquidEngine) {
      super(token, remain, liquid);
      while (remain.length) {
        const next = remain.shift()!;
        if (TypeGuards.isTagToken(next) && next.name === `end${name}`) return;
      }
      throw new Error(`tag ${token.getText()} not closed`);
    }
    render(): void {}
  };
}

/** {% style %}…{% endstyle %}: a <style data-shopify> element with Liquid inside. */
class StyleTag extends Tag {
  private readonly templates: Template[] = [];
  constructor(token: TagToken, remain: TopLevelToken[], liquid: LiquidEngine, parser: Parser) {
    super(token, remain, liquid);
    while (remain.length) {
      const next = remain.shift()!;
      if (TypeGuards.isTagToken(next) && next.name === "endstyle") return;
      this.templates.push(parser.parseToken(next, remain));
    }
    throw new Error(`tag ${token.getText()} not closed`);
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    emitter.write("<style data-shopify>");
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
    emitter.write("</style>");
  }
}

export function assetUrl(extension: ThemeExtension, file: string): string {
  return `/cdn/extensions/${encodeURIComponent(extension.handle)}/${extension.version}/assets/${file.split("/").map(encodeURIComponent).join("/")}`;
}

export const PLACEHOLDER_IMAGE = "/cdn/shop/files/placeholder.svg";

function imageUrl(options: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const key of ["width", "height", "crop", "format"]) if (options[key] !== undefined && options[key] !== null) params.set(key, String(options[key]));
  const query = params.toString();
  return query ? `${PLACEHOLDER_IMAGE}?${query}` : PLACEHOLDER_IMAGE;
}

function handleize(value: string): string {
  return value
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function moneyInput(value: unknown): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`money filters need a number of cents, got ${JSON.stringify(value)}`);
  return Math.round(n);
}

/** What liquidjs binds `this` to in a filter. */
interface FilterThis {
  context: Context;
}

/** A liquidjs engine with Shopify's tags and filters, bound to one extension (or none). */
export function createEngine(options: EngineOptions): Liquid {
  const { extension, strict } = options;
  const engine = new Liquid({
    templates: Object.fromEntries(Object.entries(extension?.snippets ?? {}).map(([name, source]) => [`${name}.liquid`, source])),
    extname: ".liquid",
    relativeReference: false,
    strictFilters: strict,
    strictVariables: strict,
    lenientIf: true,
    ownPropertyOnly: true,
    cache: false,
  });
  engine.registerTag("schema", silentRawTag("schema"));
  engine.registerTag("javascript", silentRawTag("javascript"));
  engine.registerTag("stylesheet", silentRawTag("stylesheet"));
  engine.registerTag("doc", silentRawTag("doc"));
  engine.registerTag("style", StyleTag);

  const translations: Translations = extension ? { locales: extension.locales, defaultLocale: extension.defaultLocale } : options.themeTranslations;
  const t = function (this: FilterThis, key: unknown, ...args: unknown[]) {
    return translate(translations, envOf(this.context).locale, String(key), kwargs(args), strict);
  };
  engine.registerFilter("t", t);
  engine.registerFilter("translate", t);

  const assetPath = (file: unknown): string => {
    const name = String(file);
    if (!extension) throw new Error(`asset_url '${name}': the devstore theme has no assets (only theme app extensions do)`);
    if (!extension.assets.has(name)) {
      if (strict) throw new Error(`asset_url: ${extension.handle} has no assets/${name}`);
    }
    return assetUrl(extension, name);
  };
  engine.registerFilter("asset_url", assetPath);
  engine.registerFilter("asset_img_url", assetPath);
  engine.registerFilter("inline_asset_content", (file: unknown) => {
    const name = String(file);
    const found = extension?.assets.get(name);
    if (!found) throw new Error(`inline_asset_content: no assets/${name}`);
    if (!/svg|javascript|css/.test(contentTypeOf(found))) throw new Error(`inline_asset_content: ${path.extname(name)} files cannot be inlined`);
    return readFileSync(found, "utf8");
  });
  engine.registerFilter("script_tag", (url: unknown) => `<script src="${escapeHtml(String(url))}" type="text/javascript"></script>`);
  engine.registerFilter("stylesheet_tag", (url: unknown) => `<link href="${escapeHtml(String(url))}" rel="stylesheet" type="text/css" media="all" />`);

  engine.registerFilter("money", function (this: FilterThis, value: unknown) {
    const cents = moneyInput(value);
    return cents === null ? "" : formatMoney(cents, envOf(this.context).moneyFormat);
  });
  engine.registerFilter("money_with_currency", function (this: FilterThis, value: unknown) {
    const cents = moneyInput(value);
    return cents === null ? "" : formatMoney(cents, envOf(this.context).moneyWithCurrencyFormat);
  });
  engine.registerFilter("money_without_currency", function (this: FilterThis, value: unknown) {
    const cents = moneyInput(value);
    return cents === null ? "" : formatMoney(cents, numberOnlyFormat(envOf(this.context).moneyFormat));
  });
  engine.registerFilter("money_without_trailing_zeros", function (this: FilterThis, value: unknown) {
    const cents = moneyInput(value);
    if (cents === null) return "";
    const text = formatMoney(cents, envOf(this.context).moneyFormat);
    return cents % 100 === 0 ? text.replace(/[.,]00(?!\d)/, "") : text;
  });

  engine.registerFilter("json", (value: unknown) =>
    (JSON.stringify(plain(value)) ?? "null").replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026"),
  );

  engine.registerFilter("image_url", (_image: unknown, ...args: unknown[]) => imageUrl(kwargs(args)));
  engine.registerFilter("img_url", (_image: unknown, size?: unknown) => imageUrl(typeof size === "string" && /^\d+x\d*$/.test(size) ? { width: size.split("x")[0] } : {}));
  engine.registerFilter("image_tag", (url: unknown, ...args: unknown[]) => {
    const kw = kwargs(args);
    const attrs = Object.entries(kw)
      .filter(([k]) => !["preload", "widths"].includes(k))
      .map(([k, v]) => ` ${k}="${escapeHtml(String(v))}"`)
      .join("");
    return `<img src="${escapeHtml(String(url))}"${"alt" in kw ? "" : ' alt=""'}${attrs}>`;
  });
  engine.registerFilter("placeholder_svg_tag", (_name: unknown, cls?: unknown) => `<svg class="${escapeHtml(String(cls ?? "placeholder-svg"))}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 525.5 525.5"><rect width="525.5" height="525.5" fill="#e5e5e5"/></svg>`);

  // Ruby Liquid: integer ÷ integer is floor division ({{ 1990 | divided_by: 100 }} is 19).
  engine.registerFilter("divided_by", (value: unknown, divisor: unknown) => {
    const a = Number(value);
    const b = Number(divisor);
    if (b === 0) throw new Error("divided by 0");
    return Number.isInteger(a) && Number.isInteger(b) ? Math.floor(a / b) : a / b;
  });
  engine.registerFilter("handleize", (v: unknown) => handleize(String(v ?? "")));
  engine.registerFilter("handle", (v: unknown) => handleize(String(v ?? "")));
  engine.registerFilter("pluralize", (n: unknown, singular: unknown, plural: unknown) => (Number(n) === 1 ? String(singular) : String(plural)));
  engine.registerFilter("link_to", (text: unknown, url: unknown, title?: unknown) => `<a href="${escapeHtml(String(url))}" title="${escapeHtml(String(title ?? ""))}">${String(text)}</a>`);
  engine.registerFilter("md5", (v: unknown) => createHash("md5").update(String(v)).digest("hex"));
  engine.registerFilter("sha1", (v: unknown) => createHash("sha1").update(String(v)).digest("hex"));
  engine.registerFilter("sha256", (v: unknown) => createHash("sha256").update(String(v)).digest("hex"));
  engine.registerFilter("hmac_sha1", (v: unknown, secret: unknown) => createHmac("sha1", String(secret)).update(String(v)).digest("hex"));
  engine.registerFilter("hmac_sha256", (v: unknown, secret: unknown) => createHmac("sha256", String(secret)).update(String(v)).digest("hex"));
  engine.registerFilter("base64_encode", (v: unknown) => Buffer.from(String(v)).toString("base64"));
  engine.registerFilter("base64_decode", (v: unknown) => Buffer.from(String(v), "base64").toString("utf8"));
  engine.registerFilter("base64_url_safe_encode", (v: unknown) => Buffer.from(String(v)).toString("base64url"));
  engine.registerFilter("base64_url_safe_decode", (v: unknown) => Buffer.from(String(v), "base64url").toString("utf8"));
  return engine;
}
