import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultStackConfig, parseStackConfig } from "@/k8s/config";
import { buildArchitectureGraph } from "../graph";
import { fillLiveSource } from "../mermaid-text";
import { buildPathDiagrams } from "../paths";
import { archConfigFrom } from "../stack-config";
import type { Estate } from "../estate";

const cfg = archConfigFrom(defaultStackConfig);
const NOW = new Date("2026-11-24T12:00:00Z");

const healthyEstate: Estate = {
  nodes: { ok: true, value: ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"] },
  nodeLocal: { ok: true, value: { deployed: true, desired: 5, ready: 4, nodes: [{ node: "k8s-master", ready: true }, { node: "k8s-node1", ready: false }] } },
  coreDns: { ok: true, value: { desired: 3, ready: 3, pods: [{ name: "coredns-a", ip: "10.244.1.5", ready: true }] } },
  upstreamService: { ok: true, value: { exists: true, clusterIp: "10.96.12.34", endpoints: 3 } },
  technitium: {
    ok: true,
    value: [
      { name: "primary", primary: true, up: true, version: "14.3.0", zoneCount: 7, outOfStep: [] },
      { name: "secondary", primary: false, up: true, version: "14.3.0", zoneCount: 6, outOfStep: ["emrsn.org"] },
      { name: "tertiary", primary: false, up: false, error: "unreachable" },
    ],
  },
  lbService: { ok: true, value: { exists: true, externalIps: ["10.0.20.201"] } },
  clusterIpService: { ok: true, value: { exists: true, clusterIp: "10.96.0.53" } },
  cronJobs: {
    ok: true,
    value: [
      { name: "technitium-zone-sync", namespace: "technitium", exists: true, lastRun: "ok", lastScheduleTime: "2026-11-24T11:30:00Z", lastSuccessfulTime: "2026-11-24T11:30:20Z" },
      { name: "technitium-password-sync", namespace: "technitium", exists: true, lastRun: "failed", lastScheduleTime: "2026-11-24T06:00:00Z" },
    ],
  },
  queryLogs: { ok: true, value: { rows: 1_234_567, newest: "2026-11-24T11:59:30Z", lagSeconds: 30 } },
};

const byId = (g: ReturnType<typeof buildArchitectureGraph>) => new Map(g.nodes.map((n) => [n.id, n]));

test("the graph has every component of the seed document, coloured by live health", () => {
  const g = buildArchitectureGraph(cfg, healthyEstate, NOW);
  for (const text of ["Internet Clients", "Cloudflare DNS", "Cloudflared Tunnel", "LAN Clients", "dnsmasq", "Kea DHCP4", "Kea DHCP-DDNS", "NAT rdr", "NodeLocal DNSCache", "CoreDNS", "kube-dns-upstream", "Technitium primary", "Technitium secondary", "Technitium tertiary", "LoadBalancer", "ClusterIP", "zone-sync", "split-horizon-sync", "dns-optimization", "password-sync", "phpipam-dns-sync", "PostgreSQL query logs"])
    assert.ok(g.nodes.some((n) => n.label.includes(text)), `missing ${text}`);
  const n = byId(g);
  assert.equal(n.get("nodelocal")!.health, "degraded"); // 4/5
  assert.match(n.get("nodelocal")!.label, /4\/5 ready.*k8s-node1 NOT ready/);
  assert.equal(n.get("coredns")!.health, "healthy");
  assert.equal(n.get("tech0")!.health, "healthy");
  assert.equal(n.get("tech1")!.health, "degraded"); // a zone behind the primary
  assert.equal(n.get("tech2")!.health, "down");
  assert.equal(n.get("clusterip")!.health, "healthy");
  const cron = g.nodes.filter((x) => x.id.startsWith("cron"));
  assert.equal(cron.find((c) => c.label.startsWith("zone-sync"))!.health, "healthy");
  assert.equal(cron.find((c) => c.label.startsWith("password-sync"))!.health, "down");
  assert.match(n.get("querylogs")!.label, /1\.2M rows.*ingest lag 30s/);
  assert.match(g.mermaid, /^graph TB\n/);
  assert.match(g.mermaid, /classDef down fill:#4a1616/);
  assert.match(g.mermaid, /class [a-z0-9,]*tech2[a-z0-9,]* down/);
  assert.match(g.mermaid, /nodelocal -->\|"cache miss"\| kubednsup/);
  // the default NodeLocal config sends viktorbarzin.lan straight to the Technitium ClusterIP
  assert.match(g.mermaid, /nodelocal -->\|"\.viktorbarzin\.lan #40;bypasses CoreDNS#41;"\| clusterip/);
  assert.equal(n.get("tech0")!.href, "/technitium");
  assert.equal(n.get("querylogs")!.href, "/query-logs");
});

test("each live source fails on its own: a down Kubernetes API makes its nodes unknown, Technitium still shown", () => {
  const err = { ok: false as const, error: "Kubernetes API unreachable" };
  const g = buildArchitectureGraph(cfg, { ...healthyEstate, nodeLocal: err, coreDns: err, upstreamService: err, lbService: err, clusterIpService: err, cronJobs: err }, NOW);
  const n = byId(g);
  for (const id of ["nodelocal", "coredns", "kubednsup", "lb", "clusterip", "cron0"]) assert.equal(n.get(id)!.health, "unknown", id);
  assert.equal(n.get("tech0")!.health, "healthy");
  assert.equal(n.get("querylogs")!.health, "healthy");
});

test("NodeLocal absent: pods go straight to CoreDNS in the graph", () => {
  const g = buildArchitectureGraph(cfg, { ...healthyEstate, nodeLocal: { ok: true, value: { deployed: false, desired: 0, ready: 0, nodes: [] } } }, NOW);
  assert.match(g.mermaid, /pods -->\|"kube-dns 10\.96\.0\.10"\| coredns/);
  assert.doesNotMatch(g.mermaid, /pods -->.* nodelocal/);
  assert.match(byId(g).get("nodelocal")!.label, /not deployed/);
});

test("the numbers that move between reads are live values: a minute later the source is the same, the values are not", () => {
  const a = buildArchitectureGraph(cfg, healthyEstate, NOW);
  const later = new Date(NOW.getTime() + 60_000);
  const b = buildArchitectureGraph(cfg, { ...healthyEstate, queryLogs: { ok: true, value: { rows: 1_301_000, newest: "2026-11-24T12:00:40Z", lagSeconds: 45 } } }, later);
  assert.equal(b.mermaid, a.mermaid);
  assert.notDeepEqual(b.live, a.live);
  assert.doesNotMatch(a.mermaid, /ingest lag \d|\d+(\.\d)?[kM]? rows|last run \d/);
  // every placeholder has its value and every value its placeholder
  const tokens = [...a.mermaid.matchAll(/#10214;(v\d+)(?:#8199;)*#10215;/g)].map((m) => m[1]);
  assert.deepEqual(tokens.sort(), Object.keys(a.live).sort());
  // filled in, the labels read as they did when the numbers were in the source; the node list has them as text
  const filled = fillLiveSource(b.mermaid, b.live);
  assert.match(filled, /querylogs\["PostgreSQL query logs<br\/>~1\.3M rows<br\/>ingest lag 45s"\]/);
  assert.match(filled, /\["zone-sync<br\/>[^"]*<br\/>last run 31m ago: ok"\]/);
  assert.match(byId(b).get("querylogs")!.label, /~1\.3M rows · ingest lag 45s/);
  assert.doesNotMatch(JSON.stringify(b.nodes), /\u27e6|#10214;/);
});

test("a change of state still changes the source: an instance up again, a CronJob suspended, the ingest lag past a colour", () => {
  const a = buildArchitectureGraph(cfg, healthyEstate, NOW).mermaid;
  const tech = healthyEstate.technitium!.ok ? healthyEstate.technitium!.value : [];
  const up = buildArchitectureGraph(cfg, { ...healthyEstate, technitium: { ok: true, value: tech.map((t) => ({ ...t, up: true, outOfStep: [] })) } }, NOW).mermaid;
  const cron = healthyEstate.cronJobs!.ok ? healthyEstate.cronJobs!.value : [];
  const suspended = buildArchitectureGraph(cfg, { ...healthyEstate, cronJobs: { ok: true, value: cron.map((c, i) => (i === 0 ? { ...c, suspended: true } : c)) } }, NOW).mermaid;
  const lagging = buildArchitectureGraph(cfg, { ...healthyEstate, queryLogs: { ok: true, value: { rows: 1_234_567, lagSeconds: 7200 } } }, NOW).mermaid;
  for (const [what, m] of Object.entries({ up, suspended, lagging })) assert.notEqual(m, a, what);
  assert.match(lagging, /class [a-z0-9,]*querylogs[a-z0-9,]* down/);
});

const pathOf = (d: ReturnType<typeof buildPathDiagrams>, id: string) => d.find((x) => x.id === id)!;

test("paths: five client classes; NodeLocal absent vs present changes the pod paths", () => {
  const withNl = buildPathDiagrams(cfg, { nodeLocalDeployed: true });
  const without = buildPathDiagrams(cfg, { nodeLocalDeployed: false });
  assert.deepEqual(withNl.map((d) => d.id), ["pod-internal", "pod-public", "lan", "mgmt-vlan", "k8s-vlan"]);
  const pubWith = pathOf(withNl, "pod-public");
  const pubWithout = pathOf(without, "pod-public");
  assert.match(pubWith.summary[0], /^Pod → NodeLocal DNSCache → kube-dns-upstream → CoreDNS pods → Forwarders, in order → Cloudflare$/);
  assert.match(pubWithout.summary[0], /^Pod → kube-dns Service → CoreDNS pods/);
  assert.doesNotMatch(pubWithout.mermaid, /NodeLocal DNSCache"/);
  assert.notEqual(pubWith.mermaid, pubWithout.mermaid);
  // The default config sends viktorbarzin.lan from NodeLocal straight to the Technitium ClusterIP (seed commit).
  assert.match(pathOf(withNl, "pod-internal").summary[0], /NodeLocal DNSCache → Technitium ClusterIP → Technitium$/);
  assert.match(pathOf(without, "pod-internal").summary[0], /kube-dns Service → CoreDNS pods → Technitium ClusterIP → Technitium$/);
  assert.match(pathOf(without, "pod-internal").mermaid, /template: 2\+ labels before viktorbarzin\.lan/);
});

test("paths: changing a CoreDNS forwarder changes the drawing", () => {
  const other = archConfigFrom(parseStackConfig({ ...defaultStackConfig, coredns: { ...defaultStackConfig.coredns, forwarders: ["9.9.9.9", "1.1.1.1"] } }));
  const before = pathOf(buildPathDiagrams(cfg, { nodeLocalDeployed: true }), "pod-public").mermaid;
  const after = pathOf(buildPathDiagrams(other, { nodeLocalDeployed: true }), "pod-public").mermaid;
  assert.match(before, /10\.0\.20\.1 #40;pfSense dnsmasq#41;/);
  assert.doesNotMatch(after, /10\.0\.20\.1/);
  assert.match(after, /9\.9\.9\.9/);
  // and in the architecture graph: no pfSense edge from CoreDNS, a fallback-forwarders node instead
  const g = buildArchitectureGraph(other, healthyEstate, NOW).mermaid;
  assert.doesNotMatch(g, /coredns -->.* pfdnsmasq/);
  assert.match(g, /fallback\["Fallback forwarders<br\/>9\.9\.9\.9, 1\.1\.1\.1"\]/);
});

test("paths: LAN class shows Split Horizon and both branches", () => {
  const lan = pathOf(buildPathDiagrams(cfg, { nodeLocalDeployed: true }), "lan");
  assert.equal(lan.summary.length, 2);
  assert.match(lan.mermaid, /Split Horizon 176\.12\.22\.76 #8594; 10\.0\.20\.200 for 192\.168\.1\.0\/24/);
  assert.match(lan.mermaid, /\|"recursive"\|/);
  // the branch is named only where the paths part: at pfSense dnsmasq for the management VLAN
  const mgmt = pathOf(buildPathDiagrams(cfg, { nodeLocalDeployed: true }), "mgmt-vlan").mermaid;
  assert.equal(mgmt.match(/\|"\.viktorbarzin\.lan"\|/g)?.length, 1);
  assert.match(mgmt, /s1 -->\|"other names"\| s\d/);
});

test("paths: NodeLocal forwarding '.' to the node's resolv.conf bypasses CoreDNS in the drawing", () => {
  const zones = defaultStackConfig.nodelocal.zones.map((z) => (z.zone === "." ? { ...z, forward: "upstream-servers" as const } : z));
  const bypass = archConfigFrom(parseStackConfig({ ...defaultStackConfig, nodelocal: { ...defaultStackConfig.nodelocal, zones } }));
  const pub = pathOf(buildPathDiagrams(bypass, { nodeLocalDeployed: true }), "pod-public");
  assert.equal(pub.summary[0], "Pod → NodeLocal DNSCache → pfSense dnsmasq (node resolv.conf) → Cloudflare");
  assert.doesNotMatch(pub.mermaid, /CoreDNS pods/);
});
