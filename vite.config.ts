import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import remixConfig from "./remix.config.js";

export default defineConfig({
  server: { port: Number(process.env.PORT ?? 3000), fs: { allow: ["app", "node_modules"] } },
  plugins: [remix(remixConfig), tsconfigPaths()],
  build: { assetsInlineLimit: 0, target: "es2022" },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});
