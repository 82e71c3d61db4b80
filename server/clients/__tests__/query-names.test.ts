import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";

/**
 * The directory as the query-log page uses it, on the real PostgreSQL: a page of rows named in one lookup by what each
 * address was at the row's own time, and clientKind / clientName resolved to the address/time windows the SQL applies.
 */
let dbh: TestDatabase;
let dir: typeof import("../directory");
let client: typeof import("@/server/db/client");
let service: typeof import("@/server/querylogs/service");
let schemas: typeof import("@/server/querylogs/schemas");
let sets: typeof import("@/k8s/client-set");

const DAY = 86_400_000;
const now = Date.now();
const ago = (d: number) => new Date(now - d * DAY);
const ip = "10.244.7.7";

before(async () => {
  dbh = await freshDatabase({ prefix: "dnsdeck_client_names" });
  Object.assign(process.env, {
    DATABASE_URL: dbh.url,
    AUTH_MODE: "demo",
    TECHNITIUM_INSTANCES: "primary=http://127.0.0.1:9",
    TECHNITIUM_TOKEN_PRIMARY: "unused",
  });
  (await import("@/server/env")).resetEnvForTests();
  dir = await import("../directory");
  client = await import("@/server/db/client");
  service = await import("@/server/querylogs/service");
  schemas = await import("@/server/querylogs/schemas");
  sets = await import("@/k8s/client-set");
  const node = (name: string, n: number) => ({ ip: `10.0.20.${100 + n}`, kind: "nodelocal-node" as const, name, namespace: null, node: name, since: ago(80) });
  const nodes = [node("k8s-master", 0), node("k8s-node1", 1), node("k8s-node2", 2)];
  // 10.244.7.7: CoreDNS on k8s-node2 from 70 to 40 days ago, then grafana on k8s-node1
  // (each refresh as the directory saw it then: the change is recorded when it is observed, at 40 days ago)
  await dir.applyObservations([...nodes, { ip, kind: "coredns-pod", name: "kube-system/coredns-6d4b", namespace: "kube-system", node: "k8s-node2", since: ago(70) }], ago(69));
  await dir.applyObservations([...nodes, { ip, kind: "pod", name: "monitoring/grafana-0", namespace: "monitoring", node: "k8s-node1", since: ago(40.01) }], ago(40));
  await client.db().clientName.createMany({
    data: [
      { ip: "192.168.1.40", name: "ha-sofia.viktorbarzin.lan", lookedUpAt: new Date(), expiresAt: new Date(now + 3600_000) },
      { ip: "192.168.1.41", name: "laptop.viktorbarzin.lan", lookedUpAt: new Date(), expiresAt: new Date(now + 3600_000) },
    ],
  });
});
after(async () => {
  await client?.db().$disconnect();
  await dbh?.drop();
});

test("a page of rows is named by what each address was at the row's time, in one lookup for the distinct pairs", async () => {
  const rows = [
    { id: "1", clientIp: ip, timestamp: ago(60).toISOString() },
    { id: "2", clientIp: ip, timestamp: ago(10).toISOString() },
    { id: "3", clientIp: ip, timestamp: ago(10).toISOString() },
    { id: "4", clientIp: ip, timestamp: ago(75).toISOString() },
    { id: "5", clientIp: "10.0.20.102", timestamp: ago(5).toISOString() },
    { id: "6", clientIp: "192.168.1.40", timestamp: ago(5).toISOString() },
    { id: "7", clientIp: "10.0.20.1", timestamp: ago(5).toISOString() },
    { id: "8", clientIp: "203.0.113.9", timestamp: ago(5).toISOString() },
  ];
  const named = await dir.nameRows(rows, (r) => ({ ip: r.clientIp, at: new Date(r.timestamp) }));
  const by = Object.fromEntries(named.map((r) => [r.id, r.client]));
  assert.deepEqual([by["1"]?.kind, by["1"]?.label, by["1"]?.name, by["1"]?.node], ["coredns-pod", "CoreDNS pod", "kube-system/coredns-6d4b", "k8s-node2"], "60 days ago: the CoreDNS pod");
  assert.deepEqual([by["2"]?.kind, by["2"]?.name], ["pod", "monitoring/grafana-0"], "10 days ago: grafana, which reused the address");
  assert.deepEqual(by["3"], by["2"]);
  assert.deepEqual([by["4"]?.kind, by["4"]?.name], ["unknown", null], "before the directory saw it: not guessed");
  assert.deepEqual([by["5"]?.kind, by["5"]?.name, by["5"]?.pathClass], ["nodelocal-node", "k8s-node2", "pod-internal"]);
  assert.match(by["5"]!.path, /bypassing CoreDNS/);
  assert.deepEqual([by["6"]?.kind, by["6"]?.name, by["6"]?.pathClass], ["lan-device", "ha-sofia.viktorbarzin.lan", "lan"]);
  assert.deepEqual([by["7"]?.kind, by["7"]?.label], ["pfsense", "pfSense gateway"]);
  assert.deepEqual([by["8"]?.kind, by["8"]?.name], ["unknown", null]);
  assert.deepEqual(named.map((r) => r.id), rows.map((r) => r.id), "order kept");
});

test("clientKind / clientName resolve through the directory's history into windows over the asked range", async () => {
  const parse = (q: Record<string, string>) => schemas.listSchema.parse({ from: ago(79).toISOString(), to: new Date(now).toISOString(), ...q }).filter;
  // CoreDNS pods over 79 days (the nodes are known from 80 days ago): the reused address only while it was CoreDNS
  const core = await service.withClientDirectory(parse({ clientKind: "coredns-pod" }));
  assert.ok(core.clientSet, "time matters here: a windowed set, not an address list");
  assert.equal(sets.inClientSet(core.clientSet!, ip, ago(60)), true);
  assert.equal(sets.inClientSet(core.clientSet!, ip, ago(10)), false);
  assert.equal(sets.inClientSet(core.clientSet!, ip, ago(75)), false);
  // "everything NodeLocal on k8s-node2 forwarded": the node's address for the whole range — a plain list
  const node2 = await service.withClientDirectory(parse({ clientKind: "nodelocal-node", clientName: "k8s-node2" }));
  assert.deepEqual([node2.clientSet, node2.client?.kind, node2.client?.values], [undefined, "list", ["10.0.20.102"]]);
  // "everything LAN device ha-sofia asked": by its reverse name
  const ha = await service.withClientDirectory(parse({ clientKind: "lan-device", clientName: "ha-sofia" }));
  assert.deepEqual(ha.client?.values, ["192.168.1.40"]);
  // a name alone: the node and what ran on it (the CoreDNS pod while it did)
  const onNode2 = await service.withClientDirectory(parse({ clientName: "k8s-node2" }));
  assert.equal(sets.inClientSet(onNode2.clientSet!, "10.0.20.102", ago(3)), true);
  assert.equal(sets.inClientSet(onNode2.clientSet!, ip, ago(60)), true);
  assert.equal(sets.inClientSet(onNode2.clientSet!, ip, ago(10)), false, "grafana ran on k8s-node1");
  // a range after the reuse: the CoreDNS pod's window is gone entirely
  const recent = await service.withClientDirectory(schemas.listSchema.parse({ from: ago(20).toISOString(), clientKind: "coredns-pod" }).filter);
  assert.deepEqual([recent.client?.kind, recent.client?.values], ["list", []]);
});
