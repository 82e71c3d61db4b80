import assert from "node:assert/strict";
import { test } from "node:test";

// Without a per-node route, asking 169.254.20.10 "for" another node would query dnsdeck's own node's cache: the
// probe must say the check was not verified instead of passing it on the wrong evidence — and send nothing.
test("a node cache dnsdeck cannot reach is reported as not verified, and no packet is sent", async () => {
  delete process.env.DNS_ADDRESS_MAP;
  process.env.NODE_NAME = "k8s-node1";
  const { probeDns } = await import("../probe");
  const started = Date.now();
  const r = await probeDns({ name: "kubernetes.default.svc.cluster.local", type: "A", server: "169.254.20.10", via: "k8s-node3", timeoutMs: 2000 });
  assert.equal(r.ok, true);
  assert.match(r.detail, /not verified over DNS: k8s-node3's cache is reachable only from k8s-node3 \(dnsdeck runs on k8s-node1\)/);
  assert.ok(Date.now() - started < 200, "nothing was sent and waited for");
});
