// Unit and integration tests: every __tests__/*.test.ts under the project, on Node's test runner (via tsx).
// The react-server condition makes `server-only` importable outside Next.js.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const skip = new Set(["node_modules", ".next", ".git", "e2e", "prisma/generated", "dist", ".demo", ".bench", "test-results"]);
const files = [];
(function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = path.relative(root, path.join(dir, e.name));
    if (skip.has(rel) || e.name.startsWith(".next")) continue;
    if (e.isDirectory()) walk(path.join(dir, e.name));
    else if (/\.test\.tsx?$/.test(e.name) && dir.split(path.sep).includes("__tests__")) files.push(rel);
  }
})(root);

const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const r = spawnSync(
  process.execPath,
  [
    "--conditions=react-server",
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=2",
    "--test-timeout=120000",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    ...(process.env.UNIT_TAP_FILE ? ["--test-reporter=tap", `--test-reporter-destination=${process.env.UNIT_TAP_FILE}`] : []),
    ...selected.sort(),
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
);
process.exit(r.status ?? 1);
