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
console.log(`build: standalone server ready in ${dist}/standalone`);
