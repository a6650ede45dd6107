/** @type {import('eslint').Linter.Config} */
module.exports = {
  root: true,
  parser: "@typescript-eslint/parser",
  parserOptions: { ecmaVersion: "latest", sourceType: "module", ecmaFeatures: { jsx: true } },
  env: { browser: true, node: true, es2022: true },
  plugins: ["@typescript-eslint", "react", "react-hooks"],
  extends: ["eslint:recommended", "plugin:@typescript-eslint/recommended", "plugin:react/recommended", "plugin:react/jsx-runtime", "plugin:react-hooks/recommended"],
  settings: { react: { version: "18.3" } },
  ignorePatterns: ["node_modules/", "build/", "data/", "public/build/", "extensions/*/dist/", "prisma/generated/", ".cache/", "test-results/", "playwright-report/"],
  rules: {
    "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    "no-restricted-syntax": ["error", { selector: "CallExpression[callee.property.name='todo']", message: "No placeholder tests." }],
  },
  overrides: [{ files: ["*.cjs"], env: { node: true }, rules: { "@typescript-eslint/no-require-imports": "off" } }],
};
