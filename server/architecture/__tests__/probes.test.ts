import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultStackConfig } from "@/k8s/config";
import { buildArchitectureGraph } from "../graph";
import { probeEstate, type ProbeDeps } from "../probes";
import { archConfigFrom } from "../stack-config";
import type { Estate } from "../estate";

const cfg = archConfigFrom(defaultStackConfig);
const nodes = ["k8s-master", "k8s-node1", "k8s-node2"];
const estate: Estate = {
  nodes: { ok: true, value: nodes },
  nodeLocal: { ok: true, value: { deployed: true, desired: 3, ready: 3, nodes: nodes.map((node) => ({ node, ready: true })) } },
  coreDns: { ok: true, value: { desired: 2, ready: 2, pods: [{ name: "coredns-a", ip: "10.244.1.5", ready: true }, { name: "coredns-b", ip: "10.244.2.5", ready: true }] } },
  upstreamService: { ok: true, value: { exists: true, clusterIp: "10.96.12.34", endpoints: 2 } },
  technitium: { ok: true, value: [{ name: "primary", primary: true, up: true, outOfStep: [], podIp: "10.244.3.7" }, { name: "secondary", primary: false, up: true, outOfStep: [], podIp: "10.244.4.7" }] },
  lbService: { ok: true, value: { exists: true, externalIps: [cfg.technitiumLbIp] } },
  clusterIpService: { ok: true, value: { exists: true, clusterIp: cfg.technitiumClusterIp } },
};

/** A DNS estate where the listed stack addresses ("ip" or "ip@node") drop every packet and the rest answer. */
function dropping(silent: string[], asked: string[] = []): ProbeDeps {
  return {
    timeoutMs: 50,
    query: async ({ name, type, server, via }) => {
      const at = `${server}${via ? `@${via}` : ""}`;
      asked.push(`${at} ${type} ${name}`);
      if (silent.includes(at)) throw Object.assign(new Error("timeout"), { kind: "timeout" });
      return { rcode: "NOERROR", answers: [{ type }], latencyMs: 2 };
    },
  };
}

test("probes ask each hop a name it answers without the hops beyond it", async () => {
  const asked: string[] = [];
  await probeEstate(cfg, estate, dropping([], asked));
  assert.ok(asked.includes(`${cfg.linkLocalIp}@k8s-node2 A kubernetes.default.svc.cluster.local`));
  assert.ok(asked.includes("10.244.1.5 A kubernetes.default.svc.cluster.local"));
  assert.ok(asked.includes(`${cfg.technitiumClusterIp} SOA ${cfg.internalZone}`));
  assert.ok(asked.includes(`10.244.4.7 SOA ${cfg.internalZone}`));
  assert.equal(asked.length, 3 + 1 + 2 + 1 + 1 + 2);
});

test("faults seen only in DNS change the graph's colours and counts: ClusterIP silent, NodeLocal silent on one node", async () => {
  const healthy = buildArchitectureGraph(cfg, { ...estate, probes: await probeEstate(cfg, estate, dropping([])) });
  const h = new Map(healthy.nodes.map((n) => [n.id, n]));
  assert.equal(h.get("clusterip")!.health, "healthy");
  assert.equal(h.get("nodelocal")!.health, "healthy");

  const probes = await probeEstate(cfg, estate, dropping([cfg.technitiumClusterIp, `${cfg.linkLocalIp}@k8s-node2`]));
  const g = buildArchitectureGraph(cfg, { ...estate, probes });
  const n = new Map(g.nodes.map((x) => [x.id, x]));
  assert.equal(n.get("clusterip")!.health, "down");
  assert.match(n.get("clusterip")!.label, /DNS silent/);
  assert.equal(n.get("nodelocal")!.health, "degraded");
  assert.match(n.get("nodelocal")!.label, /k8s-node2 ready, DNS silent/);
  assert.doesNotMatch(n.get("nodelocal")!.label, /k8s-node1 ready, DNS/);
  assert.equal(n.get("tech0")!.health, "healthy"); // the pods behind the ClusterIP still answer
  const count = (gr: typeof g, h: string) => gr.nodes.filter((x) => x.health === h).length;
  assert.equal(count(g, "down"), count(healthy, "down") + 1);
  assert.equal(count(g, "healthy"), count(healthy, "healthy") - 2);
  assert.match(g.mermaid, /class [a-z0-9,]*clusterip[a-z0-9,]* down/);
});

test("a probe that could not be sent says nothing about health", async () => {
  const probes = await probeEstate(cfg, estate, { ...dropping([]), mayQuery: () => "DNS_ADDRESS_MAP has no entry" });
  const g = buildArchitectureGraph(cfg, { ...estate, probes });
  assert.equal(g.nodes.find((x) => x.id === "clusterip")!.health, "healthy");
  assert.equal(probes.clusterIp!.skipped, true);
});
