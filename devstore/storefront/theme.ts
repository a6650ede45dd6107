import { createHash } from "node:crypto";
import type { Liquid, Template } from "liquidjs";
import type { ShopState } from "../state/shop.ts";
import { productObject } from "./objects.ts";
import { ExtensionError, ThemeExtensionSource, type TemplateFilter, type ThemeBlock, type ThemeExtension } from "./extensions.ts";
import { assetUrl, createEngine, type Translations } from "./liquid.ts";

/** Templates with a spot for app blocks, and where a section block goes when nobody placed it. */
export const SECTION_TEMPLATES = ["index", "collection", "product", "cart", "customers/account"] as const;
const DEFAULT_SECTION_TEMPLATES = ["index", "product"];

/** What a merchant does in the theme editor, per shop: embeds on/off, block settings, block placement. */
export interface ShopTheme {
  /** App embed refs ("<extension>/<block>") switched off. All embeds are on by default. */
  readonly disabledEmbeds: Set<string>;
  /** Setting values that replace the schema defaults, per block ref. */
  readonly settings: Map<string, Record<string, unknown>>;
  /** App blocks per template; a template not listed gets the default placement. */
  readonly placements: Map<string, string[]>;
}

/** The comment Shopify writes at the top of a theme's generated JSON files. */
export const SETTINGS_DATA_HEADER = `/*
 * ------------------------------------------------------------
 * IMPORTANT: The contents of this file are auto-generated.
 *
 * This file may be updated by the Shopify admin theme editor
 * or related systems. Please exercise caution as any changes
 * made to this file may be overwritten.
 * ------------------------------------------------------------
 */`;

export function newShopTheme(): ShopTheme {
  return { disabledEmbeds: new Set(), settings: new Map(), placements: new Map() };
}

export class StorefrontRenderError extends Error {
  constructor(
    readonly file: string,
    cause: Error,
  ) {
    super(`Liquid error in ${file}: ${cause.message}`, { cause });
  }
}

export interface RenderedTheme {
  head: string;
  bodyEnd: string;
  /** Section app blocks of the page's template, in placement order. */
  sections: string;
}

function matches(filter: TemplateFilter | undefined, template: string): boolean {
  return (filter?.templates ?? []).some((t) => t === "*" || t === template || (t.endsWith("/*") && template.startsWith(t.slice(0, -1))));
}

/** enabled_on / disabled_on of a block's schema for a template. */
export function allowedOn(block: ThemeBlock, template: string): boolean {
  if (block.schema.enabled_on) return matches(block.schema.enabled_on, template);
  if (block.schema.disabled_on) return !matches(block.schema.disabled_on, template);
  return true;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

interface CompiledExtension {
  version: string;
  engine: Liquid;
  parsed: Map<string, Template[]>;
}

export interface ThemeRendererOptions {
  extensionsDir: string | null;
  strict: boolean;
  appHandle: string;
  themeTranslations: Translations;
}

/** Renders the app's theme app extensions into storefront pages. */
export class ThemeRenderer {
  readonly source: ThemeExtensionSource;
  private readonly compiled = new Map<string, CompiledExtension>();
  private themeEngine: Liquid | null = null;

  constructor(private readonly options: ThemeRendererOptions) {
    this.source = new ThemeExtensionSource(options.extensionsDir);
  }

  get strict(): boolean {
    return this.options.strict;
  }

  extensions(): ThemeExtension[] {
    return this.source.current();
  }

  private compiledFor(extension: ThemeExtension): CompiledExtension {
    let entry = this.compiled.get(extension.handle);
    if (!entry || entry.version !== extension.version) {
      entry = { version: extension.version, engine: createEngine({ extension, themeTranslations: this.options.themeTranslations, strict: this.options.strict }), parsed: new Map() };
      this.compiled.set(extension.handle, entry);
    }
    return entry;
  }

  /** The engine app proxy Liquid answers render with: the theme's objects and filters, no extension. */
  proxyEngine(): Liquid {
    this.themeEngine ??= createEngine({ extension: null, themeTranslations: this.options.themeTranslations, strict: this.options.strict });
    return this.themeEngine;
  }

  private findBlock(ref: string, extensions = this.extensions()): { extension: ThemeExtension; block: ThemeBlock } {
    for (const extension of extensions) {
      const block = extension.blocks.find((b) => b.ref === ref);
      if (block) return { extension, block };
    }
    throw new ExtensionError(`no theme app extension block ${ref} (known: ${extensions.flatMap((e) => e.blocks.map((b) => b.ref)).join(", ") || "none"})`);
  }

  /** Checks a ref names an app embed (target head/body) or an app block (target section). */
  requireBlock(ref: string, kind: "embed" | "section"): ThemeBlock {
    const { block } = this.findBlock(ref);
    const isSection = block.schema.target === "section";
    if ((kind === "section") !== isSection) throw new ExtensionError(`${ref} is ${isSection ? "an app block (target section)" : "an app embed"}, not ${kind === "section" ? "an app block" : "an app embed"}`);
    return block;
  }

  /** Checks setting ids against the block's schema. */
  validateSettings(ref: string, values: Record<string, unknown>): void {
    const { block } = this.findBlock(ref);
    const ids = new Set(block.schema.settings.map((s) => s.id).filter(Boolean));
    for (const key of Object.keys(values)) if (!ids.has(key)) throw new ExtensionError(`${ref} has no setting ${key} (settings: ${[...ids].join(", ") || "none"})`);
  }

  /** Section blocks on a template: the merchant's placement, else every allowed block on index and product. */
  placedBlocks(theme: ShopTheme, template: string, extensions = this.extensions()): string[] {
    const placed = theme.placements.get(template);
    if (placed) return placed;
    return extensions
      .flatMap((e) => e.blocks)
      .filter((b) => b.schema.target === "section" && allowedOn(b, template))
      .filter((b) => {
        const listed = (b.schema.enabled_on?.templates ?? []).filter((t) => t !== "*");
        return listed.length ? matches(b.schema.enabled_on, template) : DEFAULT_SECTION_TEMPLATES.includes(template);
      })
      .map((b) => b.ref);
  }

  private settingsOf(shop: ShopState, block: ThemeBlock, theme: ShopTheme, appId: number): Record<string, unknown> {
    const overrides = theme.settings.get(block.ref) ?? {};
    const out: Record<string, unknown> = {};
    for (const setting of block.schema.settings) {
      if (!setting.id) continue;
      const raw = setting.id in overrides ? overrides[setting.id] : setting.default;
      out[setting.id] = this.settingValue(shop, setting.type, raw, appId);
    }
    return out;
  }

  private settingValue(shop: ShopState, type: string, raw: unknown, appId: number): unknown {
    if (raw === undefined || raw === null) return type === "checkbox" ? false : null;
    if (type === "number" || type === "range") return Number(raw);
    if (type === "checkbox") return raw === true || raw === "true";
    if (type === "product") {
      const product = [...shop.products.values()].find((p) => p.handle === raw || String(p.id) === String(raw));
      return product ? productObject(shop, product, null, appId) : null;
    }
    return raw;
  }

  /**
   * The main theme's config/settings_data.json as the theme editor leaves it: the generated-file
   * comment real themes start with, then `current.blocks` with one entry per app embed of the
   * app, keyed by a numeric id, `"disabled": true` when the merchant switched it off. Real Shopify
   * leaves an embed out until the merchant first touches it; here every embed is listed.
   */
  settingsData(shop: ShopState, theme: ShopTheme): string {
    const blocks: Record<string, unknown> = {};
    for (const extension of this.extensions()) {
      for (const block of extension.blocks) {
        if (block.schema.target === "section") continue;
        const id = BigInt(`0x${createHash("sha1").update(`${shop.domain}|${block.ref}|settings_data`).digest("hex").slice(0, 15)}`).toString();
        blocks[id] = {
          type: `shopify://apps/${this.options.appHandle}/blocks/${block.name}/${extension.handle}`,
          disabled: theme.disabledEmbeds.has(block.ref),
          settings: { ...(theme.settings.get(block.ref) ?? {}) },
        };
      }
    }
    return `${SETTINGS_DATA_HEADER}\n${JSON.stringify({ current: { blocks }, presets: { Default: {} } }, null, 2)}\n`;
  }

  private blockId(shop: ShopState, block: ThemeBlock, where: string): string {
    const hash = createHash("sha1").update(`${shop.domain}|${block.ref}|${where}`).digest("hex").slice(0, 6);
    return `${block.ref.replace(/[^A-Za-z0-9]+/g, "_")}_${hash}`;
  }

  private async renderBlock(extension: ThemeExtension, block: ThemeBlock, scope: Record<string, unknown>, globals: Record<string | symbol, unknown>): Promise<string> {
    const compiled = this.compiledFor(extension);
    try {
      let templates = compiled.parsed.get(block.ref);
      if (!templates) {
        templates = compiled.engine.parse(block.source, block.file);
        compiled.parsed.set(block.ref, templates);
      }
      return await compiled.engine.render(templates, scope, { globals });
    } catch (error) {
      const wrapped = new StorefrontRenderError(`${extension.handle}/blocks/${block.name}.liquid`, error as Error);
      if (this.options.strict) throw wrapped;
      return `<!-- ${escapeAttr(wrapped.message)} -->Liquid error (${escapeAttr(wrapped.file)}): ${escapeAttr((error as Error).message)}`;
    }
  }

  private async available(extension: ThemeExtension, block: ThemeBlock, globals: Record<string | symbol, unknown>): Promise<boolean> {
    const condition = block.schema.available_if;
    if (!condition) return true;
    const compiled = this.compiledFor(extension);
    try {
      return (await compiled.engine.parseAndRender(condition, {}, { globals })).trim() === "true";
    } catch (error) {
      throw new StorefrontRenderError(`${extension.handle}/blocks/${block.name}.liquid (available_if)`, error as Error);
    }
  }

  /** Renders the page's app embeds and the template's app blocks with the page's Liquid globals. */
  async render(shop: ShopState, theme: ShopTheme, template: string, globals: Record<string | symbol, unknown>, appId: number): Promise<RenderedTheme> {
    const head: string[] = [];
    const headAssets: string[] = [];
    const bodyEnd: string[] = [];
    const bodyScripts: string[] = [];
    const sections: string[] = [];
    const seen = new Set<string>();

    const assets = (extension: ThemeExtension, block: ThemeBlock) => {
      if (seen.has(block.ref)) return;
      seen.add(block.ref);
      if (block.schema.stylesheet) headAssets.push(`<link rel="stylesheet" href="${escapeAttr(assetUrl(extension, block.schema.stylesheet))}" data-block-asset="${escapeAttr(block.ref)}">`);
      if (block.schema.javascript) headAssets.push(`<script src="${escapeAttr(assetUrl(extension, block.schema.javascript))}" defer="defer" data-block-asset="${escapeAttr(block.ref)}"></script>`);
      if (block.inlineStylesheet) headAssets.push(`<style data-shopify-stylesheet="${escapeAttr(block.ref)}">${block.inlineStylesheet}</style>`);
      if (block.inlineJavascript) bodyScripts.push(`<script data-shopify-javascript="${escapeAttr(block.ref)}">(function(){\n${block.inlineJavascript}\n})();</script>`);
    };

    const wrap = (block: ThemeBlock, id: string, html: string) => {
      if (block.schema.tag === null) return html;
      const tag = block.schema.tag ?? "div";
      const cls = ["shopify-block", "shopify-app-block", block.schema.class].filter(Boolean).join(" ");
      return `<${tag} id="shopify-block-${escapeAttr(id)}" class="${escapeAttr(cls)}" data-block-handle="${escapeAttr(block.ref)}">${html}</${tag}>`;
    };

    const blockObject = (extension: ThemeExtension, block: ThemeBlock, id: string) => ({
      id,
      type: `shopify://apps/${this.options.appHandle}/blocks/${block.name}/${extension.handle}`,
      settings: this.settingsOf(shop, block, theme, appId),
      shopify_attributes: "",
    });

    const extensions = this.extensions();
    const embeds = extensions.flatMap((extension) => extension.blocks.filter((b) => b.schema.target !== "section").map((block) => ({ extension, block })));
    const order = { compliance_head: 0, head: 1, body: 2, section: 3 };
    embeds.sort((a, b) => order[a.block.schema.target] - order[b.block.schema.target]);
    for (const { extension, block } of embeds) {
      if (theme.disabledEmbeds.has(block.ref) || !allowedOn(block, template) || !(await this.available(extension, block, globals))) continue;
      const id = this.blockId(shop, block, "embed");
      const html = await this.renderBlock(extension, block, { block: blockObject(extension, block, id) }, globals);
      assets(extension, block);
      if (block.schema.target === "body") bodyEnd.push(wrap(block, id, html));
      else head.push(html);
    }
    for (const ref of this.placedBlocks(theme, template, extensions)) {
      const { extension, block } = this.findBlock(ref, extensions);
      if (!(await this.available(extension, block, globals))) continue;
      const id = this.blockId(shop, block, template);
      const html = await this.renderBlock(extension, block, { block: blockObject(extension, block, id) }, globals);
      assets(extension, block);
      sections.push(wrap(block, id, html));
    }
    return { head: [...headAssets, ...head].join("\n"), bodyEnd: [...bodyEnd, ...bodyScripts].join("\n"), sections: sections.join("\n") };
  }
}
