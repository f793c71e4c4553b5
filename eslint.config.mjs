// ESLint flat config for the VS Code extension (client/) and its build scripts.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["client/dist/**", "out/**", "node_modules/**", ".tools/**", "bundled/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
      curly: "error",
      "no-console": "error",
    },
  },
  {
    files: ["**/*.mjs", "**/*.js", "**/*.cjs"],
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        Buffer: "readonly",
        URL: "readonly",
      },
    },
  },
  {
    // The playwright driver of the VS Code test: CommonJS run by Node, plus functions that
    // page.evaluate() runs in the browser.
    files: ["tests/editors/**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { document: "readonly", NodeFilter: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
