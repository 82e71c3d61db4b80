// npm run demo — dnsdeck on the homelab twin, from a fresh clone, with nothing else to install.
// Installs dependencies when missing, builds when the sources changed, then hands over to demo-run.ts, which starts an
// embedded PostgreSQL (unless DATABASE_URL / QUERYLOG_DATABASE_URL are given), the twin and dnsdeck.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const sh = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });

if (!existsSync(path.join(root, "node_modules", ".package-lock.json"))) {
  console.log("demo: installing dependencies (npm ci)…");
  sh("npm", ["ci", "--no-audit", "--no-fund"]);
}

const stampFile = path.join(root, ".next", "dnsdeck-source-stamp");
const stamp = sourceStamp();
const built = existsSync(path.join(root, ".next", "standalone", "server.js")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp;
if (!built || process.argv.includes("--rebuild")) {
  console.log("demo: building dnsdeck (about a minute)…");
  sh(process.execPath, ["scripts/build.mjs"]);
  writeFileSync(stampFile, stamp);
}

const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo-run.ts", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));

function sourceStamp() {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: root }).toString();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "app", "server", "k8s", "prisma", "next.config.mjs", "package-lock.json"], { cwd: root }).toString();
    return createHash("sha256").update(head + dirty).digest("hex");
  } catch {
    return "no-git";
  }
}
