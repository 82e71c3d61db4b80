// Starts what the end-to-end tests run against: fresh databases on the real PostgreSQL, the homelab twin, and the
// built dnsdeck in four configurations (authentik headers, authentik + verified JWT without reachable Technitium, demo,
// database down). The twin is not optional: without twin/main.ts the whole run fails here.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { startApp } from "../scripts/lib/app-process";
import { rulesWithShortFor, startPrometheus } from "../scripts/lib/prometheus";
import { freshDatabase } from "../server/testing/db";
import { startTwin } from "../twin/main";
import { E2E } from "./env";

const root = path.resolve(import.meta.dirname, "..");

export default async function globalSetup() {
  const stateDir = path.join(root, "test-results", "e2e-state");
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const stops: (() => Promise<unknown>)[] = [];

  const appDb = await freshDatabase({ prefix: "dnsdeck_e2e" });
  const logDb = await freshDatabase({ prefix: "dnsdeck_e2e_logs", migrated: false });
  stops.push(() => appDb.drop(), () => logDb.drop());

  // The homelab twin is part of the suite, never optional: tests that need it fail without it (e2e/fixtures.ts).
  const twin = await startTwin({ stateDir, speed: 4, queryLogs: { databaseUrl: logDb.url, days: 2, perDay: 20_000 }, metrics: { trafficPerSecond: 2 } });
  stops.push(() => twin.stop());
  // Debian's Prometheus scraping the twin every second, with the project's rules shortened to `for: 3s`.
  const promDir = path.join(stateDir, "prometheus");
  mkdirSync(promDir, { recursive: true });
  const prom = await startPrometheus({
    dir: promDir,
    jobs: (twin.scrape ?? []).map((s) => ({ job: s.job, files: [s.file] })),
    ruleFiles: [rulesWithShortFor(path.join(promDir, "dns-alerts.yml"), 3)],
    intervalSeconds: 1,
  });
  stops.unshift(() => prom.stop());
  const twinEnv = { ...twin.appEnv, PROMETHEUS_URL: prom.url, PUSHGATEWAY_URL: prom.pushgatewayUrl };
  process.env.E2E_PROMETHEUS_URL = prom.url;
  process.env.E2E_DNS_ADDRESS_MAP = twin.appEnv.DNS_ADDRESS_MAP;
  process.env.E2E_PUSHGATEWAY_URL = prom.pushgatewayUrl;
  process.env.E2E_TWIN_ADMIN = JSON.stringify(twin.admin);

  const common = {
    DATABASE_URL: appDb.url,
    QUERYLOG_DATABASE_URL: logDb.url,
    ADMIN_GROUPS: "dns-admins",
    OPERATOR_GROUPS: "dns-operators",
    VIEWER_GROUPS: "dns-viewers",
    TRUSTED_PROXY_CIDRS: "127.0.0.1/32,::1/128",
    ...twinEnv,
  };
  /** Technitium nobody answers on (the discard port): the `jwt` app runs with it, for the specs about instances down. */
  const noTechnitium = {
    TECHNITIUM_INSTANCES: "primary=http://127.0.0.1:9,secondary=http://127.0.0.1:9,tertiary=http://127.0.0.1:9",
    TECHNITIUM_TOKEN_PRIMARY: "unset",
    TECHNITIUM_TOKEN_SECONDARY: "unset",
    TECHNITIUM_TOKEN_TERTIARY: "unset",
  };
  // Only `main` draws mermaid on the server (server/architecture/drawing.ts): the others show the browser's own drawing,
  // the path a server without Chromium takes (and one headless browser is enough for this machine).
  const browserDraws = { DIAGRAM_RENDERER: "off" };
  const apps = await Promise.all([
    startApp({ port: E2E.ports.main, env: { ...common, AUTH_MODE: "authentik" }, logFile: path.join(stateDir, "app-main.log") }),
    startApp({
      port: E2E.ports.jwt,
      env: { ...common, ...noTechnitium, ...browserDraws, AUTH_MODE: "authentik", AUTHENTIK_JWT_SECRET: E2E.jwt.secret, AUTHENTIK_JWT_ISSUER: E2E.jwt.issuer, AUTHENTIK_JWT_AUDIENCE: E2E.jwt.audience },
      logFile: path.join(stateDir, "app-jwt.log"),
    }),
    startApp({ port: E2E.ports.demo, env: { ...common, ...browserDraws, AUTH_MODE: "demo", DNSDECK_FORCE_DEMO_IN_PRODUCTION: "true" }, logFile: path.join(stateDir, "app-demo.log") }),
    startApp({
      port: E2E.ports.nodb,
      // also the app without Prometheus: the Health page says what is missing
      env: { ...common, ...browserDraws, AUTH_MODE: "demo", DNSDECK_FORCE_DEMO_IN_PRODUCTION: "true", DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none", PROMETHEUS_URL: "", PUSHGATEWAY_URL: "" },
      logFile: path.join(stateDir, "app-nodb.log"),
    }),
  ]);
  for (const a of apps) stops.unshift(() => a.stop());
  process.env.E2E_DATABASE_URL = appDb.url;
  process.env.E2E_QUERYLOG_DATABASE_URL = logDb.url;

  return async () => {
    for (const stop of stops) await stop().catch(() => {});
  };
}
