import next from "eslint-config-next/core-web-vitals";
import ts from "eslint-config-next/typescript";

const twin = { group: ["@/twin", "@/twin/*", "**/twin/*", "../twin", "../../twin"], message: "production code must not import the twin" };

/** Each door: the folder (or files) that alone may import a system's client library. */
const doors = {
  kube: {
    files: ["server/kube/**"],
    paths: [
      { name: "@kubernetes/client-node", message: "Kubernetes only through its door: server/kube (objects.ts, workloads.ts, jobs.ts, logs.ts); types from server/kube/types.ts" },
      { name: "@/server/kube/client", message: "the raw clients are private to server/kube: call objects.ts, workloads.ts, jobs.ts or logs.ts" },
    ],
  },
  pg: {
    // server/architecture/querylog-stats.ts: its own pool moves into server/querylogs/db.ts (issue 18, the query-log
    // pool work on another branch); drop it from this list when that lands
    files: ["server/db/**", "server/querylogs/db.ts", "prisma/**", "server/architecture/querylog-stats.ts"],
    paths: [
      { name: "pg", message: "PostgreSQL only through its doors: server/db (dnsdeck's database, Prisma) and server/querylogs/db.ts (the query-log database)" },
      { name: "@prisma/adapter-pg", message: "dnsdeck's database only through server/db" },
    ],
  },
  technitium: {
    files: ["server/technitium/**"],
    paths: [],
    patterns: [
      {
        group: ["**/technitium/transport", "**/technitium/api", "**/technitium/models", "**/technitium/errors", "**/technitium/instances", "**/technitium/versions"],
        message: "Technitium has one door: import from server/technitium/client",
      },
    ],
  },
  dns: {
    files: ["server/dns/**"],
    paths: ["dgram", "node:dgram", "net", "node:net"].map((name) => ({ name, message: "DNS sockets only through server/dns (query, probe)" })),
  },
};

const production = { files: ["app/**", "server/**", "k8s/**", "prisma/**", "instrumentation.ts", "proxy.ts"], ignores: ["**/__tests__/**", "server/testing/**"] };

function doorBlocks() {
  const restrict = (except) => ({
    "no-restricted-imports": [
      "error",
      {
        paths: Object.entries(doors).flatMap(([name, d]) => (name === except ? [] : d.paths)),
        patterns: [
          twin,
          ...Object.entries(doors).flatMap(([name, d]) => (name === except ? [] : [...d.paths.map((p) => ({ group: [`${p.name}/*`], message: p.message })), ...(d.patterns ?? [])])),
        ],
      },
    ],
  });
  return [
    { ...production, rules: restrict(null) },
    ...Object.entries(doors).map(([name, d]) => ({ files: d.files, ignores: production.ignores, rules: restrict(name) })),
  ];
}

const config = [
  { ignores: ["node_modules/**", ".scratch/**", ".next/**", "prisma/generated/**", "dist/**", "test-results/**", "playwright-report/**", ".demo/**", ".bench/**"] },
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
  // One door per external system (docs/architecture.md): production code reaches the twin never, and each system's
  // client library only from its door. Flat config does not merge a rule's options across blocks, so each door's
  // block repeats the restrictions minus its own library.
  ...doorBlocks(),
];

export default config;
