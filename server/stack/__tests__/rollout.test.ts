// Integration on the Kubernetes twin: rollout health gate (stuck image, silent cache, NotReady node), rollback, restart.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fast, type Harness, NODES, startHarness, twinMissing } from "./harness";

describe("stack rollout gate on the Kubernetes twin", { skip: twinMissing }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const run = await (await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(run.status, "ok", run.error ?? "");
  });
  after(async () => {
    await h?.stop();
  });

  test("a node whose new pod never comes up: the rollout stops there, reports it, and the remaining nodes keep the old pods", async () => {
    const cfg = structuredClone(h.k8s.defaultStackConfig);
    cfg.nodelocal.image = "registry.k8s.io/dns/k8s-dns-node-cache:1.23.1-broken";
    const rev = await h.store.saveConfig(cfg, "alice", "broken image");
    await h.fault({ kind: "imagePull", image: "1.23.1-broken" });
    const before = new Map((await h.nodePods()).map((p: any) => [p.spec.nodeName, p.metadata.name]));
    let run;
    try {
      run = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: h.nodelocalKeys(), rollout: fast })).done;
    } finally {
      await h.clearFaults();
    }
    assert.notEqual(run.status, "ok");
    const ds = run.rollout!.workloads.find((w) => w.kind === "DaemonSet")!;
    assert.equal(ds.status, "failed");
    assert.ok(ds.failedNode, "names the node");
    assert.match(ds.message, /ErrImagePull|ImagePullBackOff/);
    assert.match(ds.message, new RegExp(ds.failedNode!));
    const step = run.steps.find((s) => s.kind === "DaemonSet")!;
    assert.equal(step.status, "failed");
    assert.match(step.message!, /paused/);
    // remaining nodes untouched: every other node still runs its old pod, a few seconds later too
    await new Promise((r) => setTimeout(r, 1500));
    const now = await h.nodePods();
    const untouched = NODES.filter((n) => n !== ds.failedNode && now.some((p: any) => p.spec.nodeName === n && p.metadata.name === before.get(n)));
    assert.equal(untouched.length, 4, `old pods kept on ${untouched.join(", ")}`);
    assert.ok(run.rollout!.rollbackTo, "offers the last good revision to roll back to");

    // rollback = re-apply that revision's config through the same path
    const rb = await (await h.apply.startRollback({ user: "alice", toRun: run.rollout!.rollbackTo!, rollout: fast })).done;
    assert.equal(rb.status, "ok", rb.error ?? "");
    assert.equal(rb.kind, "rollback");
    assert.equal((await h.store.currentConfig()).config.nodelocal.image, "registry.k8s.io/dns/k8s-dns-node-cache:1.23.1");
    const live = (await h.kube.readObject({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "node-local-dns", namespace: "kube-system" } } as any)) as any;
    assert.equal(live.spec.updateStrategy.type, "RollingUpdate", "the pause is lifted by the next apply");
    assert.equal(live.spec.template.spec.containers[0].image, "registry.k8s.io/dns/k8s-dns-node-cache:1.23.1");
  });

  test("a node cache that runs but does not answer DNS fails the health gate on that node", async () => {
    const cfg = structuredClone(h.k8s.defaultStackConfig);
    cfg.nodelocal.resources.limits.memory = "160Mi";
    const rev = await h.store.saveConfig(cfg, "alice", "160Mi");
    NODES.forEach((n) => h.dropped.add(n));
    let run;
    try {
      run = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: h.nodelocalKeys(), rollout: fast })).done;
    } finally {
      h.dropped.clear();
    }
    assert.notEqual(run.status, "ok");
    const ds = run.rollout!.workloads.find((w) => w.kind === "DaemonSet")!;
    assert.equal(ds.status, "failed");
    assert.ok(ds.failedNode);
    assert.match(ds.message, /does not answer|timeout/i);
    assert.ok(ds.healthy < 5);
    const rb = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(rb.status, "ok", rb.error ?? "");
  });

  test("a NotReady node holds the rollout: dnsdeck's deadline stops it, names that node, the other nodes keep their pods", async () => {
    const cfg = structuredClone(h.k8s.defaultStackConfig);
    cfg.nodelocal.resources.requests.memory = "40Mi";
    const rev = await h.store.saveConfig(cfg, "alice", "40Mi request");
    const before = new Map((await h.nodePods()).map((p: any) => [p.spec.nodeName, p.metadata.name]));
    await h.fault({ kind: "nodeNotReady", node: "k8s-node2" });
    let run;
    try {
      run = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: h.nodelocalKeys(), rollout: { ...fast, timeoutMs: 4000 } })).done;
    } finally {
      await h.clearFaults();
    }
    const ds = run.rollout!.workloads.find((w) => w.kind === "DaemonSet")!;
    assert.equal(ds.status, "failed");
    assert.equal(ds.failedNode, "k8s-node2", ds.message);
    assert.match(ds.message, /deadline/);
    const now = await h.nodePods();
    for (const n of NODES.filter((x) => x !== "k8s-node2")) assert.ok(now.some((p: any) => p.metadata.name === before.get(n)), `${n} keeps its pod`);
    const fixed = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(fixed.status, "ok", fixed.error ?? "");
  });

  test("a restart uses its own field manager and the next apply keeps it", async () => {
    const r = await h.restart.restartWorkload({ user: "alice", kind: "DaemonSet", namespace: "kube-system", name: "node-local-dns" });
    assert.equal(r.fieldManager, "dnsdeck-restart");
    const run = await (await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(run.status, "ok", run.error ?? "");
    const live = (await h.kube.readObject({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "node-local-dns", namespace: "kube-system" } } as any)) as any;
    assert.equal(live.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"], r.restartedAt);
    assert.ok(live.metadata.managedFields.some((m: any) => m.manager === "dnsdeck-restart"));
  });

  test("a restart whose read of the live object fails says so: an API 500 is a 502, a timeout a 504, and nothing is restarted", async () => {
    const { toAppError } = await import("@/server/errors");
    const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "node-local-dns", namespace: "kube-system" } } as any;
    const before = ((await h.kube.readObject(ds)) as any).spec.template.metadata.annotations?.["kubectl.kubernetes.io/restartedAt"];
    const restart = () => h.restart.restartWorkload({ user: "alice", kind: "DaemonSet", namespace: "kube-system", name: "node-local-dns" });
    try {
      await h.fault({ kind: "api", path: "daemonsets/node-local-dns(\\?|$)", method: "GET", status: 500, message: "etcdserver: leader changed" });
      const e500 = await restart().then(() => null, (e: unknown) => toAppError(e));
      assert.ok(e500, "the restart went through despite the 500");
      assert.equal(e500.status, 502, e500.message);
      assert.match(e500.message, /reading DaemonSet kube-system\/node-local-dns: .*HTTP 500.*leader changed/);
      await h.clearFaults();
      await h.fault({ kind: "api", path: "daemonsets/node-local-dns(\\?|$)", method: "GET", status: "timeout", delayMs: 2500 });
      const eTimeout = await restart().then(() => null, (e: unknown) => toAppError(e));
      assert.ok(eTimeout, "the restart went through despite the timeout");
      assert.equal(eTimeout.status, 504, eTimeout.message);
      assert.match(eTimeout.message, /reading DaemonSet kube-system\/node-local-dns.*1500 ms/);
    } finally {
      await h.clearFaults();
    }
    const after = ((await h.kube.readObject(ds)) as any).spec.template.metadata.annotations?.["kubectl.kubernetes.io/restartedAt"];
    assert.equal(after, before, "a failed restart must not restart the pods");
  });
});
