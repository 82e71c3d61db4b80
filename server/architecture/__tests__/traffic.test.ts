// Live rates on the architecture graph: edges carry queries/s and error share, nodes take colour from metrics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultStackConfig } from "@/k8s/config";
import type { EdgeTraffic } from "@/server/prometheus/types";
import type { Estate } from "../estate";
import { buildArchitectureGraph } from "../graph";
import { fillLiveSource } from "../mermaid-text";
import { archConfigFrom } from "../stack-config";

const cfg = archConfigFrom(defaultStackConfig);
const base: Estate = {
  nodeLocal: { ok: true, value: { deployed: true, desired: 5, ready: 5, nodes: [] } },
  coreDns: { ok: true, value: { desired: 3, ready: 3, pods: [] } },
};
const traffic = (over: Partial<EdgeTraffic> = {}): Estate => ({
  ...base,
  traffic: {
    ok: true,
    value: {
      nodeLocal: { qps: 42.4, errorShare: 0 },
      coreDns: { qps: 12.5, errorShare: 0.002 },
      nodeLocalForwards: { "10.96.12.34:53": { qps: 9.5, errorShare: 0 }, "10.96.0.53:53": { qps: 3, errorShare: 0 } },
      coreDnsForwards: { "10.0.20.1:53": { qps: 4, errorShare: 0 }, "10.96.0.53:53": { qps: 2, errorShare: 0 } },
      failingUpstreams: [],
      ...over,
    },
  },
});
const health = (g: ReturnType<typeof buildArchitectureGraph>, id: string) => g.nodes.find((n) => n.id === id)?.health;

test("edges carry live rates from Prometheus", () => {
  const g = buildArchitectureGraph(cfg, traffic());
  // the rates are live values: placeholders in the source, filled in they read as the labels always did
  assert.doesNotMatch(g.mermaid, /q\/s/);
  const m = fillLiveSource(g.mermaid, g.live);
  // labels are escaped for mermaid: ( ) · become #40; #41; #183;
  assert.match(m, /pods -->\|"10\.96\.0\.10 #40;intercepted#41; #183; 42 q\/s"\| nodelocal/);
  assert.match(m, /nodelocal -->\|"cache miss #183; 9\.5 q\/s"\| kubednsup/);
  assert.match(m, /coredns -->\|"public queries #40;1st of \d#41; #183; 4\.0 q\/s"\| pfdnsmasq/);
  assert.match(m, /coredns -->\|"\.viktorbarzin\.lan #183; 2\.0 q\/s"\| clusterip/);
  // errors appear: the share is part of the value, in a wider placeholder (as wide as the node colours may change)
  const errs = buildArchitectureGraph(cfg, traffic({ coreDnsForwards: { "10.0.20.1:53": { qps: 4, errorShare: 0.003 }, "10.96.0.53:53": { qps: 2, errorShare: 0 } } }));
  assert.match(fillLiveSource(errs.mermaid, errs.live), /coredns -->\|"public queries #40;1st of \d#41; #183; 4\.0 q\/s, 0\.3#37; err"\| pfdnsmasq/);
  assert.notEqual(errs.mermaid, g.mermaid);
});

test("rates that move, and edges that go quiet or busy, leave the source as it was; only the live values differ", () => {
  const a = buildArchitectureGraph(cfg, traffic());
  const b = buildArchitectureGraph(
    cfg,
    traffic({
      nodeLocal: { qps: 7.1, errorShare: 0 },
      coreDns: { qps: 1234, errorShare: 0.0001 },
      // the ClusterIP edge from CoreDNS has no traffic now, the pfSense one more
      coreDnsForwards: { "10.0.20.1:53": { qps: 99.4, errorShare: 0 } },
    }),
  );
  assert.equal(b.mermaid, a.mermaid);
  assert.notDeepEqual(b.live, a.live);
  assert.deepEqual(Object.keys(b.live), Object.keys(a.live));
  // a quiet edge reads as its fixed label alone, as before rates were live values
  assert.match(fillLiveSource(b.mermaid, b.live), /coredns -->\|"\.viktorbarzin\.lan"\| clusterip/);
  assert.match(fillLiveSource(b.mermaid, b.live), /coredns -->\|"public queries #40;1st of \d#41; #183; 99 q\/s"\| pfdnsmasq/);
  // without Prometheus there is nothing to fill: no placeholders, no values
  const none = buildArchitectureGraph(cfg, base);
  assert.doesNotMatch(none.mermaid, /#10214;v\d+/);
});

test("node colours follow the metrics: SERVFAIL share turns CoreDNS amber/red, failing health checks turn pfSense red", () => {
  assert.equal(health(buildArchitectureGraph(cfg, traffic()), "coredns"), "healthy");
  assert.equal(health(buildArchitectureGraph(cfg, traffic({ coreDns: { qps: 10, errorShare: 0.02 } })), "coredns"), "degraded");
  assert.equal(health(buildArchitectureGraph(cfg, traffic({ coreDns: { qps: 10, errorShare: 0.2 } })), "coredns"), "down");
  assert.equal(health(buildArchitectureGraph(cfg, traffic({ failingUpstreams: ["10.0.20.1:53"] })), "pfdnsmasq"), "down");
  assert.equal(health(buildArchitectureGraph(cfg, base), "pfdnsmasq"), "unknown", "without Prometheus pfSense stays unknown");
  assert.doesNotMatch(buildArchitectureGraph(cfg, base).mermaid, /q\/s/);
});
