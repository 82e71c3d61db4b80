import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";

/**
 * The client directory on the real PostgreSQL with the Kubernetes twin (pods and nodes over its HTTPS API) and the
 * Technitium + DNS chain twins (reverse names over real DNS packets).
 */
const root = path.resolve(import.meta.dirname, "../../..");
const parts = ["twin/kube/index.ts", "twin/technitium/index.ts", "twin/dns/index.ts"].map((p) => path.join(root, p));

const stops: (() => Promise<unknown>)[] = [];
let dbh: TestDatabase;
let stateDir = "";
let dir: typeof import("../directory");
let verbs: typeof import("../verbs");
let ctxMod: typeof import("@/server/auth/ctx");
let client: typeof import("@/server/db/client");

before(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), "dnsdeck-clients-"));
  dbh = await freshDatabase({ prefix: "dnsdeck_clients" });
  const [{ startKubeTwin }, { startTechnitiumTwin }, { startDnsTwin }] = await Promise.all(parts.map((p) => import(/* @vite-ignore */ p)));
  const kube = await startKubeTwin({ stateDir: path.join(stateDir, "kube"), speed: 20 });
  stops.push(() => kube.stop());
  const tech = await startTechnitiumTwin({ stateDir: path.join(stateDir, "tech") });
  stops.push(() => tech.stop());
  const dns = await startDnsTwin({ kubeUrl: kube.url, kubeToken: kube.token, technitium: tech, reloadMs: 300, pollMs: 300, port: 0, forwardTimeoutMs: 700 });
  stops.unshift(() => dns.stop());
  const instances = tech.instances as { name: string; url: string; token: string }[];
  Object.assign(process.env, {
    DATABASE_URL: dbh.url,
    AUTH_MODE: "demo",
    KUBECONFIG: kube.kubeconfigPath,
    DNS_ADDRESS_MAP: (dns as unknown as { addressMap: string }).addressMap,
    TECHNITIUM_INSTANCES: instances.map((i) => `${i.name}=${i.url}`).join(","),
    ...Object.fromEntries(instances.map((i) => [`TECHNITIUM_TOKEN_${i.name.toUpperCase()}`, i.token])),
  });
  (await import("@/server/env")).resetEnvForTests();
  dir = await import("../directory");
  verbs = await import("../verbs");
  ctxMod = await import("@/server/auth/ctx");
  client = await import("@/server/db/client");
});
after(async () => {
  for (const s of stops) await s().catch(() => undefined);
  await client?.db().$disconnect();
  await dbh?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

test("the directory names CoreDNS pods, NodeLocal nodes and Technitium pods from the Kubernetes API", async () => {
  await dir.refreshDirectory();
  const open = await client.db().clientAddress.findMany({ where: { validTo: null } });
  const core = open.filter((r) => r.kind === "coredns-pod");
  assert.ok(core.length >= 2, `CoreDNS pods named (${core.map((r) => r.name).join(", ")})`);
  assert.ok(core.every((r) => r.name.startsWith("kube-system/coredns-") && r.node), "each with its node");
  const nodes = open.filter((r) => r.kind === "nodelocal-node").map((r) => r.name).sort();
  assert.deepEqual(nodes, ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"]);
  assert.ok(open.some((r) => r.kind === "technitium"), "Technitium's own pods are named");
  // a query-log row from a CoreDNS pod's address is named by the pod, with its path
  const [named] = await dir.nameClients([{ ip: core[0].ip, at: new Date() }]);
  assert.deepEqual([named.kind, named.name, named.pathClass], ["coredns-pod", core[0].name, "pod-internal"]);
  // a second refresh with nothing changed opens and closes nothing
  assert.deepEqual(await dir.refreshDirectory(), { opened: 0, closed: 0 });
});

test("an address reused by a different pod: a row from before is named by the old pod, a row from after by the new", async () => {
  const ip = "10.244.9.9";
  const t0 = new Date(Date.now() - 60 * 86_400_000);
  const base = { ip, namespace: "kube-system", node: "k8s-node2" };
  const current = (await client.db().clientAddress.findMany({ where: { validTo: null } })).map((r) => ({ ip: r.ip, kind: r.kind as never, name: r.name, namespace: r.namespace, node: r.node, since: r.validFrom }));
  await dir.applyObservations([...current, { ...base, kind: "coredns-pod", name: "kube-system/coredns-old", since: t0 }], new Date(Date.now() - 30 * 86_400_000));
  const swap = new Date(Date.now() - 10 * 86_400_000);
  await dir.applyObservations([...current, { ...base, namespace: "default", kind: "pod", name: "default/web-7", since: new Date(Date.now() - 40 * 86_400_000) }], swap);
  const [old, fresh, ancient] = await dir.nameClients([
    { ip, at: new Date(Date.now() - 45 * 86_400_000) },
    { ip, at: new Date() },
    { ip, at: new Date(t0.getTime() - 86_400_000) },
  ]);
  assert.equal(old.name, "kube-system/coredns-old");
  assert.equal(fresh.name, "default/web-7");
  assert.equal(ancient.kind, "unknown", "before the directory saw the address it is not guessed");
  const rows = await client.db().clientAddress.findMany({ where: { ip }, orderBy: { validFrom: "asc" } });
  assert.equal(rows.length, 2);
  assert.ok(rows[1].validFrom.getTime() >= rows[0].validTo!.getTime(), "the new pod's interval starts where the old one ended, not at its claimed start");
});

test("a LAN device gets its reverse name through Technitium in the background; pages never wait for it", async () => {
  const [first] = await dir.nameClients([{ ip: "192.168.1.8", at: new Date() }]);
  assert.deepEqual([first.kind, first.name, first.network], ["lan-device", null, "LAN 192.168.1.0/24"]);
  const end = Date.now() + 10_000;
  let name: string | null = null;
  while (Date.now() < end && !name) {
    await dir.drainReverse();
    name = (await dir.nameClients([{ ip: "192.168.1.8", at: new Date() }]))[0].name;
    if (!name) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(name, "home-assistant.viktorbarzin.lan");
  const cached = await client.db().clientName.findUnique({ where: { ip: "192.168.1.8" } });
  assert.ok(cached && cached.expiresAt.getTime() - cached.lookedUpAt.getTime() >= 60_000, "kept for the record's TTL");
  // an address without a PTR is looked up once, then remembered as nameless for a while
  assert.equal(await dir.lookupReverse("192.168.1.250", "10.96.0.53"), null);
  const none = await client.db().clientName.findUnique({ where: { ip: "192.168.1.250" } });
  assert.equal(none?.name, null);
});

test("search by name or kind as a viewer; a bad kind is refused with the list of kinds", async () => {
  const viewer = ctxMod.testContext({ user: "victor", role: "viewer" });
  await dir.refreshDirectory();
  const r = await verbs.searchClients(viewer, { q: "coredns", page: "1" });
  assert.ok(r.entries.length >= 2 && r.entries.every((e) => e.kind === "coredns-pod" || e.name?.includes("coredns")));
  assert.equal(r.status.stale, false);
  const lan = await verbs.searchClients(viewer, { kind: "lan-device" });
  assert.ok(lan.entries.some((e) => e.name === "home-assistant.viktorbarzin.lan"));
  await assert.rejects(verbs.searchClients(viewer, { kind: "toaster" }), /unknown client kind; use one of coredns-pod/);
  await assert.rejects(verbs.searchClients(viewer, { q: "x".repeat(101) }), /at most 100/);
});

test("Kubernetes unreachable: the history stays, the directory says it is stale since when", async () => {
  const before = await client.db().clientAddress.count();
  const kc = path.join(stateDir, "dead-kubeconfig");
  writeFileSync(kc, "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n");
  const g = globalThis as unknown as { __dnsdeckKube?: unknown };
  const saved = g.__dnsdeckKube;
  process.env.KUBECONFIG = kc;
  (await import("@/server/env")).resetEnvForTests();
  g.__dnsdeckKube = undefined;
  try {
    await assert.rejects(dir.refreshDirectory());
    assert.equal(await client.db().clientAddress.count(), before, "nothing closed or lost");
    const s = await dir.directoryStatus(new Date(Date.now() + 120_000));
    assert.equal(s.stale, true);
    assert.ok(s.lastOkAt && s.lastError, "says when it last worked and why it fails now");
  } finally {
    g.__dnsdeckKube = saved;
  }
});

