// The demo's processes (started by scripts/demo.mjs after install and build): embedded PostgreSQL unless
// DATABASE_URL / QUERYLOG_DATABASE_URL are given, migrations, the homelab twin with a few days of query logs and a
// live trickle, and dnsdeck in demo mode on PORT (default 3000). Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { migrate } from "../prisma/migrate";
import { startTwin } from "../twin/main";
import { startApp } from "./lib/app-process";
import { startEmbeddedPostgres } from "./lib/embedded-pg";
import { RULES_FILE, startPrometheus } from "./lib/prometheus";

const root = path.resolve(import.meta.dirname, "..");
const stateDir = path.join(root, ".demo");
mkdirSync(stateDir, { recursive: true });
const stops: (() => Promise<unknown>)[] = [];
const say = (line: string) => console.log(`demo: ${line}`);
const port = Number(process.env.PORT ?? 3000);

async function main() {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(stateDir, "pglite-app"), port: Number(process.env.DEMO_PG_PORT ?? 54329) });
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
    say(`embedded PostgreSQL (PGlite) for dnsdeck at ${pg.url}`);
  }
  let queryLogUrl = process.env.QUERYLOG_DATABASE_URL;
  let freshLogs = false;
  if (!queryLogUrl) {
    const logsDir = path.join(stateDir, "pglite-querylogs");
    freshLogs = true;
    const pg = await startEmbeddedPostgres({ dataDir: logsDir, port: Number(process.env.DEMO_PG_LOGS_PORT ?? 54330) });
    stops.push(() => pg.stop());
    queryLogUrl = pg.url;
    say(`embedded PostgreSQL (PGlite) for Technitium's query logs at ${pg.url}`);
  }
  const m = await migrate(databaseUrl);
  say(`migrations: ${m.applied.length} applied, ${m.alreadyApplied.length} already applied`);

  say("starting the homelab twin (Kubernetes API, 3 Technitium instances, DNS chain)…");
  const twin = await startTwin({
    stateDir: path.join(stateDir, "twin"),
    speed: Number(process.env.DEMO_SPEED ?? 1),
    queryLogs: freshLogs || process.env.DEMO_QUERYLOG_DAYS
      ? { databaseUrl: queryLogUrl, days: Number(process.env.DEMO_QUERYLOG_DAYS ?? 3), perDay: Number(process.env.DEMO_QUERYLOG_PER_DAY ?? 30000), livePerSecond: 2, parallel: freshLogs ? 1 : undefined }
      : undefined,
    dnsPort: Number(process.env.DEMO_DNS_PORT ?? 0),
    log: say,
    metrics: { trafficPerSecond: Number(process.env.DEMO_DNS_QPS ?? 6) },
  });
  stops.unshift(() => twin.stop());

  // Debian's Prometheus + Pushgateway on their own (free) ports, scraping the twin's pods and nodes every 5 s.
  const prom = await startPrometheus({
    dir: path.join(stateDir, "prometheus"),
    jobs: (twin.scrape ?? []).map((s) => ({ job: s.job, files: [s.file] })),
    ruleFiles: [RULES_FILE],
    intervalSeconds: 5,
    port: process.env.DEMO_PROMETHEUS_PORT ? Number(process.env.DEMO_PROMETHEUS_PORT) : undefined,
  });
  stops.unshift(() => prom.stop());
  say(`Prometheus at ${prom.url}, Pushgateway at ${prom.pushgatewayUrl}`);

  const app = await startApp({
    port,
    inheritOutput: true,
    env: { ...twin.appEnv, PROMETHEUS_URL: prom.url, PUSHGATEWAY_URL: prom.pushgatewayUrl, DATABASE_URL: databaseUrl, QUERYLOG_DATABASE_URL: queryLogUrl, AUTH_MODE: "demo", DNSDECK_FORCE_DEMO_IN_PRODUCTION: "true", HOSTNAME: "127.0.0.1" },
  });
  stops.unshift(() => app.stop());

  // The dns-anomaly-monitor CronJob's job, as the homelab runs it with dnsdeck's image: every minute here.
  const cliEnv = { ...process.env, ...twin.appEnv, PUSHGATEWAY_URL: prom.pushgatewayUrl, DATABASE_URL: databaseUrl, QUERYLOG_DATABASE_URL: queryLogUrl, AUTH_MODE: "demo", DNSDECK_FORCE_DEMO_IN_PRODUCTION: "true", NODE_ENV: "production" as const, DNSDECK_TRIGGER: "cronjob", DNSDECK_CRONJOB_NAME: "dns-anomaly-monitor" };
  const anomaly = () => spawn(process.execPath, [path.join(root, ".next", "standalone", "dist", "cli.js"), "anomaly-push"], { env: cliEnv, stdio: "ignore" });
  anomaly();
  const anomalyTimer = setInterval(anomaly, 60_000);
  stops.unshift(async () => clearInterval(anomalyTimer));
  const primary = twin.admin.technitiumDns[0];
  console.log(`
  dnsdeck demo is up:   ${app.url}
  fault panel (twin):   ${twin.admin.panelUrl}
  Prometheus:           ${prom.url}
  Kubernetes API twin:  ${twin.admin.kubeUrl} (HTTPS, generated CA, bearer token)
      KUBECONFIG=${twin.admin.kubeconfig} kubectl get pods -A
  DNS chain twin:       every hop on 127.x.y.z:${twin.admin.dnsPort} (10.a.b.c → 127.a.b.c; a 127.168.x.y source is a LAN client)
      dig @127.0.20.201 -p ${twin.admin.dnsPort} -b 127.168.1.10 immich.viktorbarzin.me    # the LB, from a LAN address
      dig @${primary.host} -p ${primary.port} +subnet=192.168.1.10/32 immich.viktorbarzin.me   # Technitium primary; ECS changes nothing

  Start with Stack → Plan → Apply to deploy NodeLocal DNSCache, then Resolution paths → Trace.
  Ctrl-C stops everything.
`);
}

async function shutdown(code: number) {
  for (const s of stops) await s().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
main().catch(async (err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : err}`);
  await shutdown(1);
});
