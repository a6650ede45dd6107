// Whether the merchant switched on the app embed: read the live (MAIN) theme's
// config/settings_data.json, where the theme editor keeps app embeds (scope read_themes), and let
// app/domain/theme-embed.ts judge it. A failure is an "unknown" state with the reason, never a throw:
// the onboarding shows the deep link either way.
import { embedStateIn, type EmbedState } from "~/domain/theme-embed";
import { runGraphql, ShopifyApiError, type AdminGraphql } from "./client.server";

export const SETTINGS_DATA = "config/settings_data.json";

export const MAIN_THEME_SETTINGS_QUERY = `#graphql
  query StammkundeMainThemeSettings {
    themes(first: 1, roles: [MAIN]) {
      nodes {
        id
        files(filenames: ["config/settings_data.json"]) {
          nodes {
            filename
            body {
              ... on OnlineStoreThemeFileBodyText {
                content
              }
            }
          }
          userErrors {
            filename
            code
          }
        }
      }
    }
  }
`;

interface MainThemeSettings {
  themes: {
    nodes: Array<{
      id: string;
      files: {
        nodes: Array<{ filename: string; body: { content?: string } | null }>;
        userErrors: Array<{ filename: string; code: string }>;
      } | null;
    }>;
  } | null;
}

export interface EmbedCheck {
  state: EmbedState;
  /** why the state is unknown: no published theme, the file is missing or unreadable, or Shopify's error */
  reason?: "no-theme" | "no-settings" | "unreadable" | "access-denied" | "error";
  themeId?: string;
}

export async function checkAppEmbed(graphql: AdminGraphql): Promise<EmbedCheck> {
  let data: MainThemeSettings;
  try {
    ({ data } = await runGraphql<MainThemeSettings>(graphql, MAIN_THEME_SETTINGS_QUERY));
  } catch (error) {
    const code = error instanceof ShopifyApiError ? error.code : undefined;
    // admin.graphql of the Remix library throws its own error for GraphQL errors; its message names the code
    const denied = code === "ACCESS_DENIED" || /access denied/i.test(String((error as Error)?.message ?? ""));
    return { state: "unknown", reason: denied ? "access-denied" : "error" };
  }
  const theme = data.themes?.nodes?.[0];
  if (!theme) return { state: "unknown", reason: "no-theme" };
  const file = theme.files?.nodes?.find((f) => f.filename === SETTINGS_DATA);
  // a theme without settings_data.json has never been customised: no embed can be on
  if (!file) return theme.files?.userErrors?.some((e) => e.filename === SETTINGS_DATA && e.code === "NOT_FOUND") ? { state: "off", themeId: theme.id } : { state: "unknown", reason: "no-settings", themeId: theme.id };
  const content = file.body?.content;
  if (typeof content !== "string") return { state: "unknown", reason: "unreadable", themeId: theme.id };
  const state = embedStateIn(content);
  return state === "unknown" ? { state, reason: "unreadable", themeId: theme.id } : { state, themeId: theme.id };
}
