// The pushes reach the real Pushgateway and Prometheus scrapes them: zone sync's metrics (TechnitiumZoneSyncFailed
// fires on a failed run) and `dnsdeck anomaly-push`, which counts the last window from Technitium's query logs on the
// real PostgreSQL (its numbers compared with a direct count of the rows).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { rulesWithShortFor, startPrometheus, type PrometheusProcess } from "../../../scripts/lib/prometheus";
import { generateQueryLogs } from "../../../twin/querylogs/generate";
import { freshDatabase, type TestDatabase } from "../../testing/db";
import { rollupCatchUp } from "../../querylogs/rollup";
import { resetEnvForTests } from "../../env";
import { pushMetrics, renderZoneSyncMetrics } from "../../sync/metrics";
import { queryInstant } from "../client";
import { listAlerts } from "../alerts";

let dir: string;
let prom: PrometheusProcess;
let deck: TestDatabase;
let logs: TestDatabase;
const target = () => ({ url: prom.url, timeoutMs: 3000 });

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dnsdeck-push-"));
  [deck, logs] = await Promise.all([freshDatabase({ prefix: "dnsdeck_push" }), freshDatabase({ prefix: "dnsdeck_push_logs", migrated: false })]);
  prom = await startPrometheus({ dir: path.join(dir, "prometheus"), jobs: [], ruleFiles: [rulesWithShortFor(path.join(dir, "rules.yml"), 1)], intervalSeconds: 1 });
});
after(async () => {
  await prom?.stop();
  await Promise.all([deck?.drop(), logs?.drop()]);
  rmSync(dir, { recursive: true, force: true });
});

test("a failed zone sync's push is scraped and TechnitiumZoneSyncFailed fires", async () => {
  await pushMetrics(prom.pushgatewayUrl, renderZoneSyncMetrics({ status: 1, failures: 2, lastRunUnixSeconds: Date.now() / 1000, zoneCounts: { primary: 7, "technitium-secondary": 6, "technitium-tertiary": 7 } }));
  const s = await until("the pushed status in Prometheus", async () => (await queryInstant(`technitium_zone_sync_status{job="technitium-zone-sync"}`, undefined, target()))[0]);
  assert.equal(s.value[1], "1");
  const rule = await until("the alert to fire", async () => (await listAlerts(target())).rules.find((r) => r.name === "TechnitiumZoneSyncFailed" && r.state === "firing"));
  assert.equal(rule.fix.href, "/technitium");
});

test("anomaly-push counts the last 15 minutes of logged queries and Prometheus has them", async () => {
  await generateQueryLogs({ databaseUrl: logs.url, days: 1, perDay: 30_000, parallel: 1 });
  const c = new pg.Client({ connectionString: logs.url });
  await c.connect();
  // the web app's rollup worker has rolled them up (the CronJob's process only reads)
  const deckPool = new pg.Pool({ connectionString: deck.url, max: 2 });
  try {
    await rollupCatchUp({ logs: c, deck: deckPool, deckConnect: () => deckPool.connect() }, { maxSteps: 50 });
  } finally {
    await deckPool.end();
  }
  const since = new Date(Date.now() - 15 * 60_000);
  const { main } = await import("../../cli");
  const env = { DATABASE_URL: deck.url, QUERYLOG_DATABASE_URL: logs.url, PUSHGATEWAY_URL: prom.pushgatewayUrl, AUTH_MODE: "demo", TECHNITIUM_TOKEN_PRIMARY: "x", TECHNITIUM_TOKEN_SECONDARY: "x", TECHNITIUM_TOKEN_TERTIARY: "x" };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  resetEnvForTests();
  const out: string[] = [];
  let code: number;
  let direct: { total: number; servfail: number };
  try {
    code = await main(["anomaly-push", "--json"], { ...process.env }, (s) => out.push(s), (s) => out.push(s));
    const r = await c.query(`SELECT count(*)::int AS total, count(*) FILTER (WHERE rcode = 2)::int AS servfail FROM dns_logs WHERE timestamp >= $1`, [since]);
    direct = r.rows[0];
  } finally {
    process.env = saved;
    resetEnvForTests();
    await c.end();
  }
  assert.equal(code, 0, out.join("\n"));
  const pushed = JSON.parse(out[0]) as { totalQueries: number; errorQueries: number; windowSeconds: number };
  assert.equal(pushed.windowSeconds, 900);
  assert.ok(pushed.totalQueries > 0, `${out.join("\n")} direct ${JSON.stringify(direct!)}`);
  assert.ok(Math.abs(pushed.totalQueries - direct.total) <= direct.total * 0.02 + 5, `pushed ${pushed.totalQueries}, rows ${direct.total}`);
  assert.ok(pushed.errorQueries <= pushed.totalQueries);
  const s = await until("the anomaly gauge in Prometheus", async () => (await queryInstant(`dns_anomaly_total_queries{job="dns-anomaly-monitor"}`, undefined, target()))[0]);
  assert.equal(Number(s.value[1]), pushed.totalQueries);
});
