import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { TestDatabase } from "@/server/testing/db";
import { stackTestEnv } from "./helpers";

let dbh: TestDatabase;
let store: typeof import("../config-store");
let lock: typeof import("../lock");
let client: typeof import("@/server/db/client");

before(async () => {
  dbh = await stackTestEnv();
  store = await import("../config-store");
  lock = await import("../lock");
  client = await import("@/server/db/client");
});
after(async () => {
  await client.db().$disconnect();
  await dbh.drop();
});

test("with nothing saved the desired config is the homelab's defaults", async () => {
  const cur = await store.currentConfig();
  assert.equal(cur.id, null);
  assert.equal(cur.config.nodelocal.linkLocalIp, "169.254.20.10");
  assert.equal(cur.config.nodelocal.image, "registry.k8s.io/dns/k8s-dns-node-cache:1.23.1");
});

test("an invalid config is refused with one error per field and nothing is saved", async () => {
  const cur = await store.currentConfig();
  const bad = structuredClone(cur.config) as any;
  bad.nodelocal.linkLocalIp = "169.254.20";
  bad.coredns.replicas = 0;
  await assert.rejects(
    () => store.saveConfig(bad, "alice"),
    (err: any) => {
      assert.equal(err.code, "bad_request");
      const paths = err.details.map((d: { path: string }) => d.path);
      assert.ok(paths.includes("nodelocal.linkLocalIp"), paths.join());
      assert.ok(paths.includes("coredns.replicas"), paths.join());
      return true;
    },
  );
  assert.equal((await store.listConfigRevisions()).items.length, 0);
});

test("a config whose Corefile would loop is refused at the Corefile field", async () => {
  const cfg = structuredClone((await store.currentConfig()).config) as any;
  // NodeLocal forwarding cluster.local to the kube-dns ClusterIP it intercepts = a forward loop
  cfg.nodelocal.zones[0].forward = ["10.96.0.10"];
  await assert.rejects(
    () => store.saveConfig(cfg, "alice"),
    (err: any) => err.code === "bad_request" && err.details.some((d: { path: string; message: string }) => d.path === "nodelocal.zones" && /Corefile/.test(d.message)),
  );
});

test("saved configs are revisions with who, when and note; the latest is the desired config", async () => {
  const base = (await store.currentConfig()).config;
  const r1 = await store.saveConfig(base, "alice", "first");
  const next = structuredClone(base);
  next.nodelocal.resources.limits.memory = "256Mi";
  const r2 = await store.saveConfig(next, "bob", "more memory");
  const cur = await store.currentConfig();
  assert.equal(cur.id, r2.id);
  assert.equal(cur.createdBy, "bob");
  assert.equal(cur.config.nodelocal.resources.limits.memory, "256Mi");
  const list = await store.listConfigRevisions({ limit: 1 });
  assert.equal(list.items[0].id, r2.id);
  assert.equal(list.nextBefore, r2.id);
  const older = await store.listConfigRevisions({ limit: 1, before: list.nextBefore! });
  assert.equal(older.items[0].note, "first");
  assert.equal((await store.configRevision(r1.id!)).config.nodelocal.resources.limits.memory, "128Mi");
});

test("the stack lock admits one holder; a second is refused naming the first; an expired lock is taken over", async () => {
  await lock.acquireLock("alice#1", "apply #1");
  await assert.rejects(
    () => lock.acquireLock("bob#2", "apply #2"),
    (err: any) => err.code === "locked" && err.status === 423 && /alice/.test(err.message) && /apply #1/.test(err.message) && !/#1 at/.test(err.message.split("started by")[1] ?? ""),
  );
  // concurrent attempts: exactly one wins
  await lock.releaseLock("alice#1");
  const results = await Promise.allSettled(["c#1", "d#2", "e#3", "f#4"].map((h) => lock.acquireLock(h, "race")));
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  const winner = (await lock.currentLock())!.holder;
  await lock.releaseLock(winner);
  // a holder whose process died: its lease was not renewed and has expired
  await client.db().$executeRaw`INSERT INTO "locks" ("name", "holder", "operation", "expires_at") VALUES ('stack', 'old#1#deadpod/7/abc', 'stale', now() - interval '1 second')`;
  await lock.acquireLock("new#2", "fresh");
  assert.equal(lock.displayHolder((await lock.currentLock())!.holder), "new");
  await lock.releaseLock("new#2");
  assert.equal(await lock.currentLock(), null);
});

test("applying a stored revision that is not valid is refused with field errors and records no run", async () => {
  const { db } = client;
  const cfg = structuredClone((await store.currentConfig()).config) as any;
  cfg.nodelocal.linkLocalIp = "not-an-ip";
  const row = await db().stackConfigRevision.create({ data: { config: cfg, createdBy: "hand-edit" } });
  const { startApply } = await import("../apply/start");
  await assert.rejects(
    () => startApply({ user: "alice", revision: row.id }),
    (err: any) => err.code === "bad_request" && err.details.some((d: { path: string }) => d.path === "nodelocal.linkLocalIp"),
  );
  assert.equal(await db().stackApply.count(), 0);
  assert.equal(await lock.currentLock(), null, "no lock is left behind");
});

test("a run left 'running' by a process that died is marked interrupted, naming whose lock it was and the step in flight", async () => {
  const { db } = client;
  const { defaultStackConfig } = await import("@/k8s/config");
  const rev = await store.saveConfig(defaultStackConfig, "alice");
  const steps = [
    { key: "ConfigMap kube-system/node-local-dns", status: "applied" },
    { key: "DaemonSet kube-system/node-local-dns", status: "rolling-out" },
    { key: "Service kube-system/kube-dns-upstream", status: "pending" },
  ];
  const row = await db().stackApply.create({
    data: { kind: "apply", configRevisionId: rev.id!, createdBy: "alice", status: "running", config: {}, rendered: [], steps },
  });
  await db().$executeRaw`INSERT INTO "locks" ("name", "holder", "operation", "expires_at") VALUES ('stack', 'alice#9#dnsdeck-abc/1/f00', 'apply', now() + interval '1 second')`;
  const { getApply } = await import("../apply/read");
  assert.equal((await getApply(row.id)).status, "running", "while the lease lives, the run is running");
  await new Promise((r) => setTimeout(r, 1100));
  const v = await getApply(row.id);
  assert.equal(v.status, "interrupted");
  assert.match(v.error!, /lock held by alice, dnsdeck process dnsdeck-abc\/1\/f00/);
  assert.deepEqual(
    v.steps.map((s) => s.status),
    ["applied", "interrupted", "pending"],
  );
  assert.ok(v.finishedAt);
  await db().lock.deleteMany({});
});

test("a run killed while it verified a Corefile change reads interrupted with the verification in flight (its last round kept, no verdict)", async () => {
  const { db } = client;
  const { defaultStackConfig } = await import("@/k8s/config");
  const rev = await store.saveConfig(defaultStackConfig, "alice");
  const hops = [{ hop: "CoreDNS pod coredns-a", server: "10.244.1.5", ok: true, detail: "answers" }];
  const verify = { ok: false, pending: true, hops, names: ["github.com"], windowMs: 90_000, until: Date.now() + 60_000, at: new Date().toISOString() };
  const row = await db().stackApply.create({
    data: { kind: "apply", configRevisionId: rev.id!, createdBy: "alice", status: "running", config: {}, rendered: [], steps: [{ key: "ConfigMap kube-system/coredns", status: "applied" }], rollout: { workloads: [], verify } },
  });
  await db().$executeRaw`INSERT INTO "locks" ("name", "holder", "operation", "expires_at") VALUES ('stack', 'alice#9#dnsdeck-abc/1/f00', 'apply', now() - interval '1 second')`;
  const { getApply } = await import("../apply/read");
  const v = await getApply(row.id);
  assert.equal(v.status, "interrupted");
  assert.deepEqual(v.steps.map((s) => s.status), ["applied"], "the applied object stays applied");
  assert.match(v.error!, /lock held by alice, dnsdeck process dnsdeck-abc\/1\/f00/);
  assert.match(v.error!, /The verification after the Corefile change \(resolution through every hop\) was in flight and did not finish/);
  assert.equal(v.rollout?.verify?.interrupted, true);
  assert.equal(v.rollout?.verify?.ok, false);
  assert.equal(v.rollout?.verify?.pending, undefined);
  assert.equal(v.rollout?.verify?.until, undefined);
  assert.deepEqual(v.rollout?.verify?.hops, hops, "the last round seen is kept");
  await db().lock.deleteMany({});
});
