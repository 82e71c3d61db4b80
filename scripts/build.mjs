// npm run build — Prisma client, Next standalone build, and the static files the standalone server needs.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const run = (cmd, args, env = {}) => execFileSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });

run("npx", ["prisma", "generate"]);
run("npx", ["next", "build"]);
const dist = process.env.NEXT_DIST_DIR || ".next";
const standalone = path.join(root, dist, "standalone");
rmSync(path.join(standalone, dist, "static"), { recursive: true, force: true });
cpSync(path.join(root, dist, "static"), path.join(standalone, dist, "static"), { recursive: true });
if (existsSync(path.join(root, "public"))) cpSync(path.join(root, "public"), path.join(standalone, "public"), { recursive: true });

// Command-line entry points (migrations, the sync CLI the CronJobs run) bundled beside the standalone server, where
// its traced node_modules resolve the drivers left external.
const entries = [
  ["scripts/migrate.ts", "migrate.js"],
  ["server/cli.ts", "cli.js"],
].filter(([src]) => existsSync(path.join(root, src)));
for (const [src, out] of entries) {
  run("npx", [
    "esbuild",
    src,
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--target=node20",
    "--conditions=react-server",
    `--outfile=${path.join(standalone, "dist", out)}`,
    "--external:pg-native",
    "--external:@prisma/client",
    "--external:@prisma/adapter-pg",
    "--external:pg",
    "--external:@kubernetes/client-node",
    "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    "--log-level=warning",
  ]);
}
console.log(`build: standalone server ready in ${dist}/standalone`);
