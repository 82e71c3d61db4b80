import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Traces through the homelab twins (Kubernetes API, Technitium, the DNS chain) with the app's real dependencies: the
 * live node list, pod IPs from the twin's pods, the DNS client through the chain's DNS_ADDRESS_MAP. Skipped when a
 * twin is missing from this checkout.
 */
const root = path.resolve(import.meta.dirname, "../../..");
const parts = ["twin/kube/index.ts", "twin/technitium/index.ts", "twin/dns/index.ts"].map((p) => path.join(root, p));
const skip = parts.some((p) => !existsSync(p)) && "the kube, technitium and dns twins are not all present";

type Fault = { drop?: boolean; delayMs?: number };
const stops: (() => Promise<unknown>)[] = [];
let dns: { setFault(hop: string, f: Fault | null): void; hops(): { hop: string; address: string }[] } | undefined;
let stateDir = "";
let traceName: typeof import("../trace").traceName;
let schema: typeof import("../schemas").traceInputSchema;

before(async () => {
  if (skip) return;
  stateDir = mkdtempSync(path.join(os.tmpdir(), "dnsdeck-trace-twin-"));
  const [{ startKubeTwin }, { startTechnitiumTwin }, { startDnsTwin }] = await Promise.all(parts.map((p) => import(/* @vite-ignore */ p)));
  const kube = await startKubeTwin({ stateDir: path.join(stateDir, "kube"), speed: 20 });
  stops.push(() => kube.stop());
  const tech = await startTechnitiumTwin({ stateDir: path.join(stateDir, "tech") });
  stops.push(() => tech.stop());
  dns = await startDnsTwin({ kubeUrl: kube.url, kubeToken: kube.token, technitium: tech, reloadMs: 300, pollMs: 300, port: 0, forwardTimeoutMs: 700 });
  const d = dns as unknown as { stop(): Promise<void>; addressMap: string };
  stops.unshift(() => d.stop());
  const instances = tech.instances as { name: string; url: string; token: string }[];
  Object.assign(process.env, {
    DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none",
    AUTH_MODE: "demo",
    KUBECONFIG: kube.kubeconfigPath,
    DNS_ADDRESS_MAP: d.addressMap,
    TECHNITIUM_INSTANCES: instances.map((i) => `${i.name}=${i.url}`).join(","),
    ...Object.fromEntries(instances.map((i) => [`TECHNITIUM_TOKEN_${i.name.toUpperCase()}`, i.token])),
  });
  (await import("@/server/env")).resetEnvForTests();
  traceName = (await import("../trace")).traceName;
  schema = (await import("../schemas")).traceInputSchema;
  // wait until the chain answers through the twin's CoreDNS pods
  const { query } = await import("@/server/dns");
  const end = Date.now() + 15000;
  for (;;) {
    const r = await query({ name: "idrac.viktorbarzin.lan", type: "A", server: "10.96.0.10", timeoutMs: 1000 }).catch(() => null);
    if (r?.rcode === "NOERROR" || Date.now() > end) break;
    await new Promise((res) => setTimeout(res, 200));
  }
});
after(async () => {
  for (const s of stops) await s().catch(() => undefined);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

const data = (r: { hops: { stage: string; answers: { data: string }[] }[] }, stage: string) => r.hops.filter((h) => h.stage === stage).flatMap((h) => h.answers.map((a) => a.data));

test("Split Horizon on the twin: dnsdeck sees the public address, and computes the internal one for a LAN client", { skip, timeout: 30000 }, async () => {
  const lan = await traceName(schema.parse({ name: "immich.viktorbarzin.me", clientClass: "lan" }));
  const pod = await traceName(schema.parse({ name: "immich.viktorbarzin.me", clientClass: "pod-public" }));
  const primary = lan.hops.find((h) => h.hop.startsWith("Technitium primary"))!;
  assert.deepEqual(primary.answers.map((a) => a.data), ["176.12.22.76"], "dnsdeck asks from its own address: " + JSON.stringify(lan.hops, null, 1));
  assert.equal(primary.matches, true);
  assert.deepEqual(lan.expected?.answers, ["A 176.12.22.76"]);
  // (b): from each instance's live config — the primary translates, the secondary's rebinding list strips the
  // translated address, the tertiary's group has no translation
  const view = new Map(lan.lan!.instances.map((i) => [i.instance, i.lanGets]));
  assert.deepEqual(view.get("primary"), { rcode: "NOERROR", answers: ["A 10.0.20.200"], steps: ["Split Horizon group lan: 176.12.22.76 → 10.0.20.200"] }, JSON.stringify(lan.lan));
  const answers = (i: string) => { const v = view.get(i)!; return "answers" in v ? v.answers : v.error; };
  assert.deepEqual(answers("secondary"), []);
  assert.deepEqual(answers("tertiary"), ["A 176.12.22.76"]);
  assert.match(lan.lan!.evidenceError ?? "", /QUERYLOG_DATABASE_URL/, "no query log in this test: said, not guessed");
  assert.ok(data(pod, "coredns").includes("176.12.22.76"), JSON.stringify(pod.hops, null, 1));
  assert.equal(pod.firstBadHop, undefined, JSON.stringify(pod.firstBadHop));
  // Whatever the twin's replicas answer, the first hop that errs or differs is the one named.
  const firstWrong = lan.hops.findIndex((h) => (h.error && h.errorKind !== "skipped") || h.matches === false);
  assert.equal(lan.firstBadHop?.index ?? -1, firstWrong);
});

test("an internal name from a pod on a chosen node is answered by Technitium", { skip, timeout: 30000 }, async () => {
  const r = await traceName(schema.parse({ name: "idrac.viktorbarzin.lan", clientClass: "pod-internal", node: "k8s-node2" }));
  assert.equal(r.node, "k8s-node2");
  assert.ok(data(r, "techpods").includes("192.168.1.4"), JSON.stringify(r.hops, null, 1));
  assert.deepEqual(r.expected?.answers, ["A 192.168.1.4"]);
  assert.equal(r.firstBadHop, undefined, JSON.stringify(r.firstBadHop));
});

test("a hop failed on purpose times out, is named as the first bad hop, and the trace goes on", { skip, timeout: 30000 }, async () => {
  const pod = dns!.hops().find((h) => h.hop.startsWith("coredns:"))!;
  dns!.setFault(pod.hop, { drop: true });
  try {
    const r = await traceName(schema.parse({ name: "github.com", clientClass: "pod-public" }));
    const i = r.hops.findIndex((h) => h.server === pod.address);
    assert.ok(i >= 0, `${pod.address} in ${JSON.stringify(r.hops.map((h) => h.server))}`);
    assert.equal(r.hops[i].errorKind, "timeout");
    assert.match(r.hops[i].error!, /did not answer within 1500 ms/);
    // kube-dns in front may pick the silent pod too, so the first bad hop is this one or an earlier one
    assert.ok(r.firstBadHop && r.firstBadHop.index <= i, JSON.stringify(r.firstBadHop));
    assert.ok(r.hops.slice(i + 1).some((h) => h.rcode === "NOERROR"), "later hops still answered");
  } finally {
    dns!.setFault(pod.hop, null);
  }
});

test("the architecture graph reads the twins: replicas, NodeLocal absence, Technitium versions and zone counts", { skip, timeout: 30000 }, async () => {
  const { collectEstate } = await import("@/server/architecture/collect");
  const { buildArchitectureGraph } = await import("@/server/architecture/graph");
  const { archConfigFrom } = await import("@/server/architecture/stack-config");
  const { defaultStackConfig } = await import("@/k8s/config");
  const cfg = archConfigFrom(defaultStackConfig);
  const estate = await collectEstate(cfg);
  assert.deepEqual(estate.nodes, { ok: true, value: ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"] });
  assert.equal(estate.nodeLocal?.ok && estate.nodeLocal.value.deployed, false);
  assert.ok(estate.coreDns?.ok && estate.coreDns.value.desired === 3, JSON.stringify(estate.coreDns));
  assert.ok(estate.technitium?.ok, JSON.stringify(estate.technitium));
  const g = buildArchitectureGraph(cfg, estate);
  const n = new Map(g.nodes.map((x) => [x.id, x]));
  assert.match(n.get("nodelocal")!.label, /not deployed/);
  assert.match(n.get("coredns")!.label, /\/3 replicas ready/);
  assert.match(n.get("tech0")!.label, /v15\.2[.0-9]*, \d+ zones/);
  for (const t of ["tech1", "tech2"]) assert.match(n.get(t)!.label, /in step with primary|zones out of step/);
  assert.equal(n.get("tech0")!.health, "healthy");
  assert.equal(n.get("clusterip")!.health, "healthy", JSON.stringify(n.get("clusterip")));
  for (const c of g.nodes.filter((x) => x.id.startsWith("cron")).slice(0, 4)) assert.match(c.label, /last run|not run yet|suspended/);
  assert.match(g.mermaid, /pods -->\|"kube-dns 10\.96\.0\.10"\| coredns/);
});
