import assert from "node:assert/strict";
import { test } from "node:test";

test("with an address map, an unmapped stack address is never sent to the real network", async () => {
  process.env.DNS_ADDRESS_MAP = "169.254.20.10@k8s-node1=127.0.0.1:9";
  const { probeDns } = await import("../probe");
  const r = await probeDns({ name: "kubernetes.default.svc.cluster.local", type: "A", server: "169.254.20.10", via: "k8s-node2", timeoutMs: 300 });
  assert.equal(r.ok, false);
  assert.match(r.detail, /not sent: DNS_ADDRESS_MAP has no entry for 169\.254\.20\.10@k8s-node2/);
  // a mapped one is sent (nothing listens on port 9: a failure, but not the "not sent" one)
  const m = await probeDns({ name: "kubernetes.default.svc.cluster.local", type: "A", server: "169.254.20.10", via: "k8s-node1", timeoutMs: 300 });
  assert.equal(m.ok, false);
  assert.doesNotMatch(m.detail, /not sent/);
});
