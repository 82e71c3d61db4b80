// npm test — everything, on a fresh machine: system packages, dependencies, Prisma client, type check, lint,
// unit/integration tests on the real PostgreSQL, the production build, Playwright end-to-end tests in Debian's
// Chromium, and the query-log benchmark and random sweep at a small size. Ends with one line "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const results = [];
let passed = 0;
let failed = 0;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TEST_DATABASE_ADMIN_URL: process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres" };

function stage(name, cmd, args, opts = {}) {
  const t0 = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...env, ...opts.env } });
  const ok = r.status === 0;
  results.push({ name, ok, status: r.status, seconds: (Date.now() - t0) / 1000 });
  return ok;
}

mkdirSync(path.join(root, "test-results"), { recursive: true });
if (!stage("system packages (PostgreSQL, Chromium)", "bash", ["scripts/ensure-system.sh"])) finish();
if (!existsSync(path.join(root, "node_modules", ".package-lock.json"))) stage("npm ci", "npm", ["ci", "--no-audit", "--no-fund"]);
if (!stage("prisma generate", "npx", ["prisma", "generate"])) finish();

count(stage("type check", "npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]));
count(stage("lint", "npx", ["eslint", "--max-warnings=0", "."]));

const tap = path.join(root, "test-results", "unit.tap");
rmSync(tap, { force: true });
const unitOk = stage("unit and integration tests", process.execPath, ["scripts/test-unit.mjs"], { env: { UNIT_TAP_FILE: tap } });
const unit = tapCounts(tap);
passed += unit.pass;
failed += unit.fail;
if (!unitOk && unit.fail === 0) failed += 1;

if (stage("production build", process.execPath, ["scripts/build.mjs"])) {
  const report = path.join(root, "test-results", "e2e.json");
  rmSync(report, { force: true });
  const e2eOk = stage("end-to-end (Playwright, Chromium)", "npx", ["playwright", "test"], { env: { PLAYWRIGHT_JSON_OUTPUT_NAME: report } });
  const e2e = playwrightCounts(report);
  passed += e2e.pass;
  failed += e2e.fail;
  if (!e2eOk && e2e.fail === 0) failed += 1;
} else failed += 1;

if (existsSync(path.join(root, "scripts", "bench-querylogs.ts"))) count(stage("query-log benchmark (small, no timing assertions)", "npx", ["tsx", "scripts/bench-querylogs.ts", "--small"]));
// the random sweep at a small size: every panel against SQL (fails on a mismatch; its timings are not asserted). A run
// that could not finish (exit 2: a query failed or the database ended a connection; it prints which stage and why) is
// run once more and shown as such in the summary; a mismatch (exit 1) is never run again.
const sweep = ["--conditions=react-server", "--import", "tsx", "scripts/bench-sweep.ts", "--per-day", "20000", "--cases", "25"];
let sweepOk = stage("query-log sweep (small: 25 random filters against SQL)", "node", sweep);
if (!sweepOk && results.at(-1).status === 2) {
  results.at(-1).again = true;
  sweepOk = stage("query-log sweep, run again after it could not finish", "node", sweep);
}
count(sweepOk);
finish();

function count(ok) {
  if (!ok) failed += 1;
}

function tapCounts(file) {
  if (!existsSync(file)) return { pass: 0, fail: 0 };
  const text = readFileSync(file, "utf8");
  const num = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)`, "m")) ?? [])[1] ?? 0);
  return { pass: num("pass"), fail: num("fail") + num("cancelled") };
}

function playwrightCounts(file) {
  if (!existsSync(file)) return { pass: 0, fail: 0 };
  const s = JSON.parse(readFileSync(file, "utf8")).stats ?? {};
  return { pass: (s.expected ?? 0) + (s.flaky ?? 0), fail: s.unexpected ?? 0 };
}

function finish() {
  console.log("\n=== summary ===");
  for (const r of results) console.log(`${r.ok ? "ok  " : r.again ? "RAN AGAIN" : "FAIL"} ${r.name} (${r.seconds.toFixed(1)} s)`);
  if (results.some((r) => !r.ok && !r.again) && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
