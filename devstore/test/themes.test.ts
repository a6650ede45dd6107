import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevStore, DEFAULT_SHOP, type DevStore, type LooseJson } from "../index.ts";

// The Admin API's view of the theme editor: themes(roles: [MAIN]) { files } serves the main theme's
// config/settings_data.json, generated from the storefront's embed switches.
let store: DevStore;
const OTHER = "zweiter-laden.myshopify.com";

beforeAll(async () => {
  store = await createDevStore({ tomlPath: null });
  store.shops.create({ domain: OTHER, name: "Zweiter Laden" });
});
afterAll(async () => {
  await store?.close();
});

const SETTINGS = `query StammkundeMainThemeSettings {
  themes(first: 1, roles: [MAIN]) {
    nodes {
      id
      role
      files(filenames: ["config/settings_data.json", "config/nope.json"]) {
        nodes { filename size body { ... on OnlineStoreThemeFileBodyText { content } } }
        userErrors { filename code }
      }
    }
  }
}`;

async function settings(shop = DEFAULT_SHOP) {
  const res = (await store.graphql(SETTINGS, {}, { shop, token: store.shops.accessToken(shop) })).body as LooseJson;
  expect(res.errors).toBeUndefined();
  const theme = res.data.themes.nodes[0];
  const content: string = theme.files.nodes[0].body.content;
  const json = JSON.parse(content.replace(/^\s*\/\*[\s\S]*?\*\//, "")) as { current: { blocks: Record<string, { type: string; disabled: boolean }> } };
  const launcher = Object.values(json.current.blocks).find((b) => /^shopify:\/\/apps\/stammkunde\/blocks\/rewards-launcher\/[^/]+$/.test(b.type));
  return { theme, content, launcher };
}

describe("themes", () => {
  it("serves the main theme's settings_data.json with the app embeds, on by default", async () => {
    const { theme, content, launcher } = await settings();
    expect(theme.role).toBe("MAIN");
    expect(theme.id).toMatch(/^gid:\/\/shopify\/OnlineStoreTheme\/\d+$/);
    expect(content.startsWith("/*")).toBe(true); // real themes start with a generated-file comment
    expect(theme.files.nodes[0].size).toBe(String(Buffer.byteLength(content)));
    expect(theme.files.userErrors).toEqual([{ filename: "config/nope.json", code: "NOT_FOUND" }]);
    expect(launcher).toMatchObject({ disabled: false });
  });

  it("follows the theme editor: an embed switched off is disabled, per shop", async () => {
    store.storefront.theme(OTHER).disableEmbed("stammkunde-theme/rewards-launcher");
    try {
      expect((await settings(OTHER)).launcher).toMatchObject({ disabled: true });
      expect((await settings()).launcher).toMatchObject({ disabled: false });
    } finally {
      store.storefront.theme(OTHER).enableEmbed("stammkunde-theme/rewards-launcher");
    }
    expect((await settings(OTHER)).launcher).toMatchObject({ disabled: false });
  });

  it("switches over the control endpoint too", async () => {
    const post = (enabled: boolean) =>
      fetch(`${store.url}/devstore/storefront/embeds`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ shop: OTHER, block: "stammkunde-theme/rewards-launcher", enabled }) });
    expect((await post(false)).status).toBe(200);
    expect((await settings(OTHER)).launcher).toMatchObject({ disabled: true });
    expect((await post(true)).status).toBe(200);
    expect((await settings(OTHER)).launcher).toMatchObject({ disabled: false });
  });

  it("filters by role and requires read_themes", async () => {
    const unpublished = (await store.graphql(`query { themes(first: 5, roles: [UNPUBLISHED]) { nodes { id } } }`, {})).body as LooseJson;
    expect(unpublished.data.themes.nodes).toEqual([]);
    const token = store.shops.get().issueAccessToken({ scope: "read_products" }).token;
    const denied = (await store.graphql(`query { themes(first: 1) { nodes { id } } }`, {}, { token })).body as LooseJson;
    expect(denied.errors[0].extensions.code).toBe("ACCESS_DENIED");
  });

  it("rejects a document real Shopify would reject", async () => {
    const bad = (await store.graphql(`query { themes(first: 1) { nodes { files { nodes { body { content } } } } } }`, {})).body as LooseJson;
    expect(bad.errors?.length).toBeGreaterThan(0);
  });

  it("a shop created over the control endpoint has its own theme", async () => {
    const create = (body: unknown) => fetch(`${store.url}/devstore/shops`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const res = await create({ domain: "neuer-laden.myshopify.com", name: "Neuer Laden", currency: "EUR" });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ domain: "neuer-laden.myshopify.com", name: "Neuer Laden", currency: "EUR" });
    expect((await create({ domain: "neuer-laden.myshopify.com" })).status).toBe(422);
    expect((await create({ domain: "evil.example.com" })).status).toBe(422);
    expect((await create({ domain: "x.myshopify.com", accessTokens: ["t"] })).status).toBe(422);
    expect((await settings("neuer-laden.myshopify.com")).launcher).toMatchObject({ disabled: false });
  });
});
