import assert from "node:assert/strict";
import { test } from "node:test";
import { type AddressInterval, identify, observeNode, observePod, reconcile } from "../clients";

const t = (h: number) => new Date(Date.UTC(2026, 9, 1, h));
const iv = (over: Partial<AddressInterval>): AddressInterval => ({ ip: "10.244.1.2", kind: "coredns-pod", name: "kube-system/coredns-a", namespace: "kube-system", node: "k8s-node1", validFrom: t(0), validTo: null, ...over });

test("an address reused by another pod is named by what it was at the row's time", () => {
  const intervals = [iv({ validTo: t(10) }), iv({ kind: "pod", name: "monitoring/grafana-x", namespace: "monitoring", validFrom: t(10) })];
  assert.equal(identify("10.244.1.2", t(5), { intervals }).name, "kube-system/coredns-a");
  assert.equal(identify("10.244.1.2", t(5), { intervals }).kind, "coredns-pod");
  assert.equal(identify("10.244.1.2", t(12), { intervals }).name, "monitoring/grafana-x");
  // before the directory ever saw it: not guessed from today's owner
  const before = identify("10.244.1.2", new Date(t(0).getTime() - 1), { intervals });
  assert.equal(before.kind, "unknown");
  assert.equal(before.name, null);
});

test("homelab networks: pfSense gateways by address, LAN devices by reverse name, VPN, unknown otherwise", () => {
  assert.equal(identify("10.0.20.1", t(1), { intervals: [] }).kind, "pfsense");
  assert.match(identify("10.0.10.1", t(1), { intervals: [] }).name!, /management VLAN/);
  const dev = identify("192.168.1.8", t(1), { intervals: [], reverseName: "home-assistant.viktorbarzin.lan" });
  assert.deepEqual([dev.kind, dev.name, dev.source, dev.pathClass], ["lan-device", "home-assistant.viktorbarzin.lan", "reverse-dns", "lan"]);
  const anon = identify("192.168.1.150", t(1), { intervals: [] });
  assert.deepEqual([anon.kind, anon.name, anon.network], ["lan-device", null, "LAN 192.168.1.0/24"]);
  assert.equal(identify("10.3.2.7", t(1), { intervals: [] }).kind, "vpn-client");
  assert.equal(identify("8.8.8.8", t(1), { intervals: [] }).kind, "unknown");
  assert.equal(identify("::ffff:10.0.20.1", t(1), { intervals: [] }).ip, "10.0.20.1");
});

test("pods and nodes: CoreDNS by its label, Technitium by namespace, host-network pods carry no address of their own", () => {
  const core = observePod({ metadata: { name: "coredns-5d-abc", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } }, spec: { nodeName: "k8s-node2" }, status: { podIP: "10.244.2.2", phase: "Running", startTime: t(3).toISOString() } });
  assert.deepEqual([core?.kind, core?.name, core?.node, core?.since.toISOString()], ["coredns-pod", "kube-system/coredns-5d-abc", "k8s-node2", t(3).toISOString()]);
  assert.equal(observePod({ metadata: { name: "technitium-secondary-1", namespace: "technitium", labels: { app: "technitium-secondary" } }, status: { podIP: "10.244.1.3" } })?.kind, "technitium");
  assert.equal(observePod({ metadata: { name: "node-local-dns-x", namespace: "kube-system" }, spec: { hostNetwork: true }, status: { podIP: "10.0.20.101" } }), null);
  assert.equal(observePod({ metadata: { name: "job-1" }, status: { podIP: "10.244.3.9", phase: "Succeeded" } }), null);
  const node = observeNode({ metadata: { name: "k8s-node2" }, status: { addresses: [{ type: "Hostname", address: "k8s-node2" }, { type: "InternalIP", address: "10.0.20.102" }] } });
  assert.deepEqual([node?.ip, node?.kind, node?.name], ["10.0.20.102", "nodelocal-node", "k8s-node2"]);
});

test("reconcile closes what changed or vanished and opens what is new, never overlapping an address's past", () => {
  const open = [iv({}), iv({ ip: "10.244.2.2", name: "kube-system/coredns-b", node: "k8s-node2" })];
  const r = reconcile(
    open,
    [
      { ip: "10.244.1.2", kind: "coredns-pod", name: "kube-system/coredns-a", namespace: "kube-system", node: "k8s-node1", since: t(0) }, // unchanged
      { ip: "10.244.2.2", kind: "pod", name: "default/web-1", namespace: "default", node: "k8s-node2", since: t(1) }, // reused, claims an older start
      { ip: "10.0.20.103", kind: "nodelocal-node", name: "k8s-node3", namespace: null, node: "k8s-node3", since: t(2) },
    ],
    t(6),
  );
  assert.deepEqual(r.close, [{ ip: "10.244.2.2", at: t(6) }]);
  assert.deepEqual(
    r.open.map((o) => [o.ip, o.name, o.since.toISOString()]),
    [
      ["10.244.2.2", "default/web-1", t(6).toISOString()],
      ["10.0.20.103", "k8s-node3", t(2).toISOString()],
    ],
  );
  assert.deepEqual(reconcile(open, [], t(7)).close.length, 2, "a pod that is gone closes its interval");
});
