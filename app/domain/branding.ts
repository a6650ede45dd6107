// The storefront widget's look, set on the app's Branding page and published to the theme
// extension (app-data metafield `stammkunde.branding`, read in Liquid as CSS variables). Until a
// merchant saves branding, the launcher uses the theme editor's settings (docs/decisions/0017).
import { z } from "zod";
import { fe } from "./errors";

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, fe("errors.colour", { example: "#1f5130" }));

export const brandingSchema = z
  .object({
    /** launcher and buttons' background, links */
    accentColor: hexColour,
    /** text on the accent colour */
    textColor: hexColour,
    position: z.enum(["right", "left"]),
    /** "label": the launcher shows its text; "icon": a round button with a gift icon (the text as its accessible name) */
    launcherStyle: z.enum(["label", "icon"]),
    /** px: the panel's corners; buttons get half, the launcher twice (12 is the built-in look) */
    cornerRadius: z.number().int(fe("errors.whole")).min(0, fe("errors.negative")).max(24, fe("errors.max", { max: 24 })),
  })
  .strict();

export type Branding = z.infer<typeof brandingSchema>;

/** The built-in look, as the extension's stylesheet draws it without branding. */
export function defaultBranding(): Branding {
  return { accentColor: "#1f5130", textColor: "#ffffff", position: "right", launcherStyle: "label", cornerRadius: 12 };
}

/** WCAG 2 relative luminance of "#rrggbb". */
export function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2 contrast ratio of two colours, 1 … 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

export type BrandingWarning = "textOnAccent" | "accentOnWhite";

/**
 * Readability warnings (saving is still allowed: a merchant may know their theme better): the
 * launcher's text on the accent below 4.5:1 (WCAG AA for normal text), and the accent as link
 * colour on the panel's white below 3:1.
 */
export function brandingWarnings(b: Pick<Branding, "accentColor" | "textColor">): BrandingWarning[] {
  const out: BrandingWarning[] = [];
  if (contrastRatio(b.accentColor, b.textColor) < 4.5) out.push("textOnAccent");
  if (contrastRatio(b.accentColor, "#ffffff") < 3) out.push("accentOnWhite");
  return out;
}

/** The metafield's value: what the launcher block reads (empty object: the theme editor's settings apply). */
export function brandingMetafield(b: Branding | undefined): Record<string, string | number> {
  if (!b) return {};
  return { accent: b.accentColor.toLowerCase(), text: b.textColor.toLowerCase(), position: b.position, style: b.launcherStyle, radius: b.cornerRadius };
}
