import assert from "node:assert/strict";
import { test } from "node:test";
import { asAddressList, type ClientSet, inClientSet, resolveClientSet } from "../client-set";
import type { AddressInterval } from "../clients";

// Filters by who asked, resolved from the directory's history: a row matches when its address WAS that client at the
// row's time. Every case is checked row by row with inClientSet (the same rule the SQL applies).
const t = (h: number) => new Date(Date.UTC(2026, 9, 1, h));
const range = { from: t(0), to: t(24) };
const iv = (over: Partial<AddressInterval>): AddressInterval => ({ ip: "10.244.1.2", kind: "coredns-pod", name: "kube-system/coredns-a", namespace: "kube-system", node: "k8s-node1", validFrom: t(0), validTo: null, ...over });

const intervals: AddressInterval[] = [
  // 10.244.1.2: CoreDNS until 10:00, then grafana reuses the address
  iv({ validFrom: new Date(Date.UTC(2026, 8, 1)), validTo: t(10) }),
  iv({ kind: "pod", name: "monitoring/grafana-x", namespace: "monitoring", node: "k8s-node2", validFrom: t(10) }),
  // nodes, for the whole range
  iv({ ip: "10.0.20.102", kind: "nodelocal-node", name: "k8s-node2", namespace: null, node: "k8s-node2", validFrom: new Date(Date.UTC(2026, 0, 1)) }),
  iv({ ip: "10.0.20.103", kind: "nodelocal-node", name: "k8s-node3", namespace: null, node: "k8s-node3", validFrom: new Date(Date.UTC(2026, 0, 1)) }),
];
const reverse = [
  { ip: "192.168.1.40", name: "ha-sofia.viktorbarzin.lan" },
  { ip: "192.168.1.41", name: "laptop.viktorbarzin.lan" },
  { ip: "10.3.2.9", name: "ha-sofia-vpn.viktorbarzin.lan" },
];
const facts = { intervals, reverse };
const set = (q: Parameters<typeof resolveClientSet>[0]) => {
  const s = resolveClientSet(q, range, facts);
  assert.equal(typeof s, "object", String(s));
  return s as ClientSet;
};

test("a kind matches an address only while it was that kind: a reused pod address changes sides at 10:00", () => {
  const core = set({ kinds: ["coredns-pod"], kindsNot: false, name: null });
  assert.equal(inClientSet(core, "10.244.1.2", t(9)), true);
  assert.equal(inClientSet(core, "10.244.1.2", t(11)), false, "after the address was reused by grafana");
  const pods = set({ kinds: ["pod"], kindsNot: false, name: null });
  assert.equal(inClientSet(pods, "10.244.1.2", t(9)), false);
  assert.equal(inClientSet(pods, "10.244.1.2", t(11)), true);
  // a window exactly at the change: half-open intervals, so 10:00 belongs to the new owner
  assert.equal(inClientSet(core, "10.244.1.2", t(10)), false);
  assert.equal(inClientSet(pods, "10.244.1.2", t(10)), true);
  // the address list shortcut would lose the time: refused
  assert.equal(asAddressList(core, range), null);
});

test("NodeLocal on k8s-node2: the node's address for the whole range, nothing else — a plain address list", () => {
  const s = set({ kinds: ["nodelocal-node"], kindsNot: false, name: "k8s-node2" });
  assert.equal(inClientSet(s, "10.0.20.102", t(3)), true);
  assert.equal(inClientSet(s, "10.0.20.103", t(3)), false);
  assert.deepEqual(asAddressList(s, range), ["10.0.20.102"]);
  // a name alone matches pods on that node too (grafana runs on k8s-node2 after 10:00)
  const any = set({ kinds: null, kindsNot: false, name: "K8S-NODE2" });
  assert.equal(inClientSet(any, "10.244.1.2", t(12)), true);
  assert.equal(inClientSet(any, "10.244.1.2", t(8)), false, "before 10:00 the address was CoreDNS on k8s-node1");
});

test("LAN device ha-sofia: by its reverse name; other LAN devices, the VPN namesake and pfSense's WAN address do not match", () => {
  const s = set({ kinds: ["lan-device"], kindsNot: false, name: "ha-sofia" });
  assert.equal(inClientSet(s, "192.168.1.40", t(5)), true);
  assert.equal(inClientSet(s, "192.168.1.41", t(5)), false);
  assert.equal(inClientSet(s, "10.3.2.9", t(5)), false, "the VPN client of the same name is another kind");
  assert.deepEqual(asAddressList(s, range), ["192.168.1.40"]);
  const lan = set({ kinds: ["lan-device"], kindsNot: false, name: null });
  assert.equal(inClientSet(lan, "192.168.1.150", t(5)), true, "an unnamed DHCP address is still a LAN device");
  assert.equal(inClientSet(lan, "192.168.1.2", t(5)), false, "192.168.1.2 is pfSense's WAN (Kea DDNS), a more specific network");
  assert.equal(inClientSet(lan, "10.0.20.102", t(5)), false);
  const pf = set({ kinds: ["pfsense"], kindsNot: false, name: null });
  assert.equal(inClientSet(pf, "192.168.1.2", t(5)), true);
  assert.deepEqual(asAddressList(pf, range)?.sort(), ["10.0.10.1", "10.0.20.1", "192.168.1.2"]);
});

test("unknown is what nothing vouches for; a negated kind is every other row", () => {
  const u = set({ kinds: ["unknown"], kindsNot: false, name: null });
  assert.equal(inClientSet(u, "8.8.8.8", t(5)), true);
  assert.equal(inClientSet(u, "10.0.20.150", t(5)), true, "an address of the K8s VLAN no node or pod held");
  assert.equal(inClientSet(u, "10.0.20.102", t(5)), false, "a node");
  assert.equal(inClientSet(u, "192.168.1.150", t(5)), false, "a LAN device");
  assert.equal(inClientSet(u, "10.244.1.2", t(5)), false);
  // the same address before the directory ever saw it is unknown, not today's owner
  const early = resolveClientSet({ kinds: ["unknown"], kindsNot: false, name: null }, { from: new Date(Date.UTC(2026, 7, 1)), to: t(24) }, facts) as ClientSet;
  assert.equal(inClientSet(early, "10.244.1.2", new Date(Date.UTC(2026, 7, 15))), true);
  const notNode = set({ kinds: ["nodelocal-node"], kindsNot: true, name: null });
  assert.equal(notNode.not, true);
  assert.equal(inClientSet(notNode, "10.0.20.102", t(5)), false);
  assert.equal(inClientSet(notNode, "192.168.1.40", t(5)), true);
  // a negated kind with a name: that name among every other kind (positive)
  const notLan = set({ kinds: ["lan-device"], kindsNot: true, name: "ha-sofia" });
  assert.equal(notLan.not, false);
  assert.equal(inClientSet(notLan, "10.3.2.9", t(5)), true);
  assert.equal(inClientSet(notLan, "192.168.1.40", t(5)), false);
});

test("a pod interval inside a homelab network names its address first; too many windows is a message, not a query", () => {
  const odd = [...intervals, iv({ ip: "192.168.1.77", kind: "pod", name: "default/hostport", validFrom: t(6), validTo: t(8) })];
  const lan = resolveClientSet({ kinds: ["lan-device"], kindsNot: false, name: null }, range, { intervals: odd, reverse }) as ClientSet;
  assert.equal(inClientSet(lan, "192.168.1.77", t(5)), true);
  assert.equal(inClientSet(lan, "192.168.1.77", t(7)), false, "a pod held it then");
  const many = Array.from({ length: 5001 }, (_, i) => iv({ ip: `10.244.${Math.floor(i / 250)}.${i % 250}` }));
  const r = resolveClientSet({ kinds: ["coredns-pod"], kindsNot: false, name: null }, range, { intervals: many, reverse: [] });
  assert.match(String(r), /at most 5000.*shorter range/);
});
