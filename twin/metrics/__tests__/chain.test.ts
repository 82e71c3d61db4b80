// The chain twin's metrics count what its hops really serve, with CoreDNS 1.11's and node-cache 1.23.1's families.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { query, parseAddressMap, type AddressMap } from "../../../server/dns/index";
import { staticSnapshot } from "../../dns/cluster";
import { SEED_NODELOCAL_COREFILE } from "../../dns/index";
import { startChain } from "../../dns/__tests__/helpers";
import { createChainMetrics, type ChainMetrics } from "../chain";

let chain: Awaited<ReturnType<typeof startChain>>;
let metrics: ChainMetrics;
let map: AddressMap;
const POD = staticSnapshot().coreDnsPods[0];
const ask = (name: string, server: string, via?: string) => query({ name, type: "A", server, via, addressMap: map, timeoutMs: 4000 });

async function scrape(host: string): Promise<string> {
  const r = await fetch(`http://${host}:${metrics.exporter.port}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return r.text();
}

/** Sum of the samples of `name` whose labels include every pair in `match`. */
function sum(text: string, name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-z_:]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(match).every(([k, v]) => labels[k] === v)) total += Number(m[4]);
  }
  return total;
}

before(async () => {
  for (let attempt = 0; ; attempt++) {
    metrics = createChainMetrics({ port: 20000 + Math.floor(Math.random() * 20000), targetsDir: path.join(process.env.TMPDIR ?? "/tmp", `twin-metrics-${process.pid}`) });
    try {
      await metrics.exporter.ensure("probe", { job: "probe", host: "127.0.0.1", instance: "probe", labels: {}, render: () => "" });
      await metrics.exporter.remove("probe");
      break;
    } catch (err) {
      await metrics.stop();
      if (attempt > 5) throw err;
    }
  }
  const base = staticSnapshot();
  chain = await startChain({
    metrics,
    cluster: {
      nodeLocalPods: [{ name: "node-local-dns-abcde", ip: "10.0.20.101", node: "k8s-node1", ready: true }],
      nodeLocalCorefile: SEED_NODELOCAL_COREFILE,
      services: [...base.services, { name: "kube-dns-upstream", namespace: "kube-system", clusterIP: "10.96.0.11", type: "ClusterIP", loadBalancerIPs: [], selector: { "k8s-app": "kube-dns" }, ports: [53] }],
    },
  });
  map = parseAddressMap(chain.dns.addressMap);
});
after(async () => {
  await chain?.stop();
  await metrics?.stop();
});

test("a CoreDNS pod's endpoint counts the queries it served, its cache hits and its upstream replies (1.11 families)", async () => {
  const host = POD.ip!.replace(/^10\./, "127.");
  const before = await scrape(host);
  assert.equal(sum(before, "coredns_build_info", { version: "1.11.3" }), 1);
  for (let i = 0; i < 5; i++) assert.equal((await ask("github.com", POD.ip!)).rcode, "NOERROR");
  assert.equal((await ask("no-such-name.example", POD.ip!)).rcode, "NXDOMAIN");
  const after = await scrape(host);
  const d = (name: string, m: Record<string, string> = {}) => sum(after, name, m) - sum(before, name, m);
  assert.equal(d("coredns_dns_requests_total", { server: "dns://:53", zone: ".", proto: "udp", family: "1", type: "A" }), 6);
  assert.equal(d("coredns_dns_responses_total", { rcode: "NOERROR" }), 5);
  assert.equal(d("coredns_dns_responses_total", { rcode: "NXDOMAIN" }), 1);
  assert.equal(d("coredns_dns_request_duration_seconds_count", { zone: "." }), 6);
  assert.equal(d("coredns_cache_requests_total"), 6);
  assert.equal(d("coredns_cache_hits_total", { type: "success" }), 4, "github.com answered from the cache after the first time");
  assert.equal(d("coredns_cache_misses_total"), 2);
  assert.equal(d("coredns_proxy_request_duration_seconds_count", { proxy_name: "forward", to: "10.0.20.1:53" }), 2, "pfSense first (policy sequential)");
  assert.match(after, /# TYPE coredns_proxy_request_duration_seconds histogram/);
  assert.doesNotMatch(after, /coredns_forward_requests_total/, "1.11 no longer exports the forward request counter");
});

test("pfSense dropping packets: health checks fail, CoreDNS fails over to 8.8.8.8", async () => {
  const host = POD.ip!.replace(/^10\./, "127.");
  chain.dns.setFault("pfsense", { drop: true });
  try {
    assert.equal((await ask("api.github.com", POD.ip!)).rcode, "NOERROR");
    const text = await scrape(host);
    assert.ok(sum(text, "coredns_proxy_request_duration_seconds_count", { to: "8.8.8.8:53" }) >= 1, "8.8.8.8 answered");
    // the probe started by the failed exchange fails after its own timeout
    for (let i = 0; i < 40 && sum(await scrape(host), "coredns_proxy_healthcheck_failures_total", { proxy_name: "forward", to: "10.0.20.1:53" }) < 1; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(sum(await scrape(host), "coredns_proxy_healthcheck_failures_total", { to: "10.0.20.1:53" }) >= 1);
  } finally {
    chain.dns.setFault("pfsense", null);
  }
});

test("a NodeLocal node's endpoint exports node-cache 1.23.1's families for the listener the pod used", async () => {
  const text0 = await scrape("127.0.20.101");
  assert.equal(sum(text0, "coredns_build_info", { version: "1.10.0" }), 1);
  for (const t of ["iptables", "iptables_lock", "interface_add", "interface_check", "configmap"]) assert.match(text0, new RegExp(`coredns_nodecache_setup_errors_total\\{errortype="${t}"\\} 0`));
  assert.equal((await ask("kube-dns.kube-system.svc.cluster.local", "169.254.20.10", "k8s-node1")).rcode, "NOERROR");
  assert.equal((await ask("kube-dns.kube-system.svc.cluster.local", "10.96.0.10", "k8s-node1")).rcode, "NOERROR");
  const text = await scrape("127.0.20.101");
  const d = (name: string, m: Record<string, string>) => sum(text, name, m) - sum(text0, name, m);
  assert.equal(d("coredns_dns_requests_total", { server: "dns://169.254.20.10:53", zone: "cluster.local." }), 1);
  assert.equal(d("coredns_dns_requests_total", { server: "dns://10.96.0.10:53", zone: "cluster.local." }), 1);
  assert.equal(d("coredns_forward_requests_total", { to: "10.96.0.11:53" }), 1, "first answer from CoreDNS through kube-dns-upstream; the second from the node's cache");
  assert.doesNotMatch(text, /coredns_proxy_/);
});

test("Prometheus target files follow the pods, with the cluster addresses as instance", () => {
  const coredns = JSON.parse(readFileSync(metrics.exporter.targetsFile("coredns"), "utf8")) as { targets: string[]; labels: Record<string, string> }[];
  assert.equal(coredns.length, 3);
  const g = coredns.find((x) => x.labels.pod === POD.name)!;
  assert.deepEqual(g.targets, [`127.244.1.10:${metrics.exporter.port}`]);
  assert.equal(g.labels.instance, "10.244.1.10:9153");
  const nl = JSON.parse(readFileSync(metrics.exporter.targetsFile("node-local-dns"), "utf8")) as { labels: Record<string, string> }[];
  assert.deepEqual(nl.map((x) => [x.labels.node, x.labels.instance]), [["k8s-node1", "10.0.20.101:9253"]]);
});
