import next from "eslint-config-next/core-web-vitals";
import ts from "eslint-config-next/typescript";

const config = [
  { ignores: ["node_modules/**", ".next/**", "prisma/generated/**", "dist/**", "test-results/**", "playwright-report/**", ".demo/**", ".bench/**"] },
  ...next,
  ...ts,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "react-hooks/set-state-in-effect": "off",
      "react/no-unescaped-entities": "off",
    },
  },
  {
    // Production code never reaches into the twin: the twin must be indistinguishable from the real thing.
    files: ["app/**", "server/**", "k8s/**", "prisma/**", "instrumentation.ts"],
    ignores: ["**/__tests__/**", "server/testing/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/twin", "@/twin/*", "**/twin/*", "../twin", "../../twin"], message: "production code must not import the twin" },
            {
              group: ["**/technitium/transport", "**/technitium/api", "**/technitium/models", "**/technitium/errors", "**/technitium/instances", "**/technitium/versions"],
              message: "Technitium has one door: import from server/technitium/client",
            },
          ],
        },
      ],
    },
  },
];

export default config;
