// Is the app embed switched on in the live theme? Shopify keeps the theme editor's choices in the
// main theme's config/settings_data.json: every app embed the merchant has touched is a block in
// `current.blocks` (keyed by a numeric id) whose type is
// `shopify://apps/<app handle>/blocks/<block handle>/<extension uuid>`, with `"disabled": true`
// when switched off. An embed the merchant never activated is not listed at all (the default
// after install). Real files start with a /* … */ "auto-generated" comment, so it isn't plain JSON.

/** The app's handle (shopify.app.toml `handle`) and the launcher embed (extensions/stammkunde-theme/blocks/rewards-launcher.liquid). */
export const APP_HANDLE = "stammkunde";
export const LAUNCHER_EMBED = "rewards-launcher";

export type EmbedState = "on" | "off" | "unknown";

/** Removes /* … *\/ and // comments outside strings, so settings_data.json parses as JSON. */
export function stripJsonComments(text: string): string {
  let out = "";
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") {
        out += text[i + 1] ?? "";
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i += 1;
    } else if (c === '"') {
      inString = true;
      out += c;
      i += 1;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i + 2);
      i = end === -1 ? text.length : end;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * The embed's state in a settings_data.json text: "on" when a block of that app and embed handle
 * is listed and not disabled, "off" when it is missing or disabled, "unknown" when the file
 * doesn't parse. `current` may also name a preset (older themes: `"current": "Default"`).
 */
export function embedStateIn(settingsData: string, appHandle = APP_HANDLE, embed = LAUNCHER_EMBED): EmbedState {
  let json: unknown;
  try {
    json = JSON.parse(stripJsonComments(settingsData).replace(/^\uFEFF/, ""));
  } catch {
    return "unknown";
  }
  if (!isRecord(json)) return "unknown";
  let current = json.current;
  if (typeof current === "string" && isRecord(json.presets)) current = json.presets[current];
  const blocks = isRecord(current) && isRecord(current.blocks) ? current.blocks : {};
  const prefix = `shopify://apps/${appHandle}/blocks/${embed}/`;
  const ours = Object.values(blocks).filter((b): b is Record<string, unknown> => isRecord(b) && typeof b.type === "string" && b.type.startsWith(prefix) && b.type.length > prefix.length);
  return ours.some((b) => b.disabled !== true) ? "on" : "off";
}

/** The theme editor opened on App embeds with the launcher switched on, ready to save. */
export function embedDeepLink(shopDomain: string, apiKey: string, embed = LAUNCHER_EMBED): string {
  return `https://${shopDomain}/admin/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(apiKey)}/${encodeURIComponent(embed)}`;
}
