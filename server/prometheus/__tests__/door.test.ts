// server/prometheus against Debian's real Prometheus scraping the DNS chain twin's pods: ranges come back within the
// point budget, each failure is its own kind, and the alert rules report their state after a fault.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, rulesWithShortFor, startPrometheus, type PrometheusProcess } from "../../../scripts/lib/prometheus";
import { startChain } from "../../../twin/dns/__tests__/helpers";
import { createChainMetrics, METRICS_JOBS, type ChainMetrics } from "../../../twin/metrics/chain";
import { query, parseAddressMap } from "../../dns/index";
import { PrometheusError, queryInstant, queryRange } from "../client";
import { listAlerts } from "../alerts";
import { chooseWindow } from "../range";

let dir: string;
let prom: PrometheusProcess;
let metrics: ChainMetrics;
let chain: Awaited<ReturnType<typeof startChain>>;
const target = () => ({ url: prom.url, timeoutMs: 3000 });
const POD_IP = "10.244.1.10";

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dnsdeck-prom-"));
  metrics = createChainMetrics({ port: await freePort(), targetsDir: path.join(dir, "targets") });
  chain = await startChain({ metrics });
  prom = await startPrometheus({
    dir: path.join(dir, "prometheus"),
    jobs: METRICS_JOBS.map((job) => ({ job, files: [metrics.exporter.targetsFile(job)] })),
    ruleFiles: [rulesWithShortFor(path.join(dir, "rules.yml"), 1)],
    intervalSeconds: 1,
  });
});
after(async () => {
  await prom?.stop();
  await chain?.stop();
  await metrics?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("Prometheus scrapes each CoreDNS pod and counts exactly the queries the twin served", async () => {
  const map = parseAddressMap(chain.dns.addressMap);
  await until("the pod's target to be up", async () => (await queryInstant(`up{job="coredns",pod="coredns-7db6d8ff4d-2xk9p"} == 1`, undefined, target())).length > 0);
  const base = async () => Number((await queryInstant(`sum(coredns_dns_requests_total{job="coredns",instance="${POD_IP}:9153"})`, undefined, target()))[0]?.value[1] ?? 0);
  const before = await base();
  for (let i = 0; i < 7; i++) await query({ name: `n${i}.github.com`, type: "A", server: POD_IP, addressMap: map, timeoutMs: 3000 });
  await until("7 more requests in Prometheus", async () => (await base()) - before === 7);
});

test("query_range stays within the point budget the server chose", async () => {
  const now = new Date();
  const w = chooseWindow(new Date(now.getTime() - 7 * 86400_000), now);
  assert.ok(w.points <= 150, `${w.points} points`);
  const series = await queryRange(`sum by (pod) (rate(coredns_dns_requests_total{job="coredns"}[${w.rateWindow}]))`, w, target());
  for (const s of series) assert.ok(s.values.length <= 150);
});

test("each failure is its own kind: bad query, unreachable, timeout", async () => {
  await assert.rejects(queryInstant("sum(", undefined, target()), (e: unknown) => e instanceof PrometheusError && e.kind === "bad_query");
  const closed = await freePort();
  await assert.rejects(queryInstant("up", undefined, { url: `http://127.0.0.1:${closed}`, timeoutMs: 1000 }), (e: unknown) => e instanceof PrometheusError && e.kind === "unreachable");
  const silent = http.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  try {
    const port = (silent.address() as { port: number }).port;
    const t0 = Date.now();
    await assert.rejects(queryInstant("up", undefined, { url: `http://127.0.0.1:${port}`, timeoutMs: 400 }), (e: unknown) => e instanceof PrometheusError && e.kind === "timeout");
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    silent.closeAllConnections();
    silent.close();
  }
});

test("pfSense dropping packets fires CoreDNSForwardFailureRate for 10.0.20.1:53, and the alerts list says so", async () => {
  const map = parseAddressMap(chain.dns.addressMap);
  const initial = await listAlerts(target());
  assert.equal(initial.error, null);
  assert.equal(initial.rules.length, 9);
  assert.equal(initial.rules.find((r) => r.name === "CoreDNSForwardFailureRate")?.state, "inactive");
  chain.dns.setFault("pfsense", { drop: true });
  try {
    await query({ name: "fresh-name.github.com", type: "A", server: POD_IP, addressMap: map, timeoutMs: 4000 }).catch(() => {});
    const rule = await until(
      "the alert to fire",
      async () => (await listAlerts(target())).rules.find((r) => r.name === "CoreDNSForwardFailureRate" && r.state === "firing"),
      30_000,
    );
    assert.equal(rule.instances[0].labels.to, "10.0.20.1:53");
    assert.equal(rule.instances[0].labels.job, "coredns");
    assert.equal(rule.fix.href, "/coredns");
    assert.ok(rule.since);
  } finally {
    chain.dns.setFault("pfsense", null);
  }
});
