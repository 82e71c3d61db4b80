// Integration on the Kubernetes twin: plan, NodeLocal deploy, lock, faults mid-apply, conflicts, 422, history.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fast, type Harness, NODES, startHarness, twinMissing } from "./harness";

describe("stack plan and apply on the Kubernetes twin", { skip: twinMissing }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  test("plan on the seeded homelab: NodeLocal is missing, every object has a state and the seeded objects name their owners", async () => {
    const p = await h.plan.planStack(h.k8s.defaultStackConfig);
    const byKey = new Map(p.objects.map((o) => [o.key, o]));
    for (const k of h.nodelocalKeys()) assert.equal(byKey.get(k)?.state, "missing", `${k}: ${byKey.get(k)?.message ?? ""}`);
    const ds = byKey.get("DaemonSet kube-system/node-local-dns")!;
    assert.match(ds.diff, /\+\s+image: registry\.k8s\.io\/dns\/k8s-dns-node-cache:1\.23\.1/);
    for (const o of p.objects) assert.notEqual(o.state, "error", `${o.key}: ${o.message}`);
    // objects that exist already carry their managers (kubeadm / Terraform / …)
    const existing = p.objects.filter((o) => o.state !== "missing");
    assert.ok(existing.length > 0);
    assert.ok(existing.every((o) => o.managers.length > 0));
  });

  test("full NodeLocal deploy: 5/5 nodes answer through their cache, plan is in sync, Kyverno's dnsConfig is ignored by the default config (drift owned by nobody without the rule)", async () => {
    const { id, done } = await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), rollout: fast });
    const run = await done;
    assert.equal(run.status, "ok", run.error ?? "");
    assert.deepEqual(run.applied, h.nodelocalKeys());
    const ds = run.rollout!.workloads.find((w) => w.kind === "DaemonSet")!;
    assert.equal(ds.desired, 5);
    assert.equal(ds.healthy, 5);
    assert.deepEqual(ds.nodes!.map((n) => n.node).sort(), NODES);
    assert.ok(ds.nodes!.every((n) => n.healthy && /NOERROR/.test(n.detail ?? "")));
    const after = await h.plan.planStack(h.k8s.defaultStackConfig, { keys: h.nodelocalKeys() });
    for (const o of after.objects) assert.equal(o.state, "in-sync", `${o.key}: ${o.diff}`);
    const dsPlan = after.objects.find((o) => o.kind === "DaemonSet")!;
    // Kyverno's dnsConfig (owned by nobody) is ignored by the default stack config, as the homelab's ignore_changes:
    // shown as ignored, never as drift
    assert.ok(!dsPlan.external.some((f) => f.path.startsWith(".spec.template.spec.dnsConfig")), JSON.stringify(dsPlan.external));
    assert.ok(dsPlan.ignored?.some((f) => f.path.startsWith(".spec.template.spec.dnsConfig") && f.owners.length === 0), JSON.stringify(dsPlan.ignored));
    assert.equal(after.summary.external, 0);
    // without the rule it is drift an apply keeps, owned by nobody
    const strict = { ...h.k8s.defaultStackConfig, ignoreDifferences: [] };
    const bare = (await h.plan.planStack(strict, { keys: h.nodelocalKeys() })).objects.find((o) => o.kind === "DaemonSet")!;
    assert.equal(bare.state, "in-sync");
    assert.ok(bare.external.some((f) => f.path.startsWith(".spec.template.spec.dnsConfig") && f.owners.length === 0), JSON.stringify(bare.external));
    assert.deepEqual(bare.ignored ?? [], []);
    assert.equal((await h.apply.getApply(id)).diff!.find((d) => d.kind === "DaemonSet")!.state, "missing");
  });

  test("a second apply while one runs is refused naming the holder", async () => {
    const first = await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), rollout: fast });
    await assert.rejects(
      () => h.apply.startApply({ user: "bob", objects: h.nodelocalKeys(), rollout: fast }),
      (err: any) => err.code === "locked" && /alice/.test(err.message),
    );
    const run = await first.done;
    assert.equal(run.status, "ok", run.error ?? "");
    assert.equal(await h.lock.currentLock(), null, "the lock is released when the run ends");
  });

  test("a 500 in the middle → partial with exactly the objects applied before; applying again is idempotent", async () => {
    const cfg = structuredClone(h.k8s.defaultStackConfig);
    cfg.nodelocal.zones[0].cacheTtl = 31;
    (cfg.nodelocal.zones[0] as any).success = { capacity: 9984, ttl: 31 };
    const rev = await h.store.saveConfig(cfg, "alice", "ttl 31");
    await h.fault({ kind: "api", path: "configmaps/node-local-dns\\?(?!.*dryRun)", method: "PATCH", status: 500 });
    try {
      const run = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: h.nodelocalKeys(), rollout: fast })).done;
      assert.equal(run.status, "partial");
      const cmKey = "ConfigMap kube-system/node-local-dns";
      const idx = run.steps.findIndex((s) => s.key === cmKey);
      assert.deepEqual(run.applied, run.steps.slice(0, idx).map((s) => s.key));
      assert.equal(run.steps[idx].status, "failed");
      assert.equal(run.steps[idx].httpStatus, 500);
      assert.ok(run.steps.slice(idx + 1).every((s) => s.status === "skipped"));
    } finally {
      await h.clearFaults();
    }
    const again = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(again.status, "ok", again.error ?? "");
    assert.equal(again.applied.length, h.nodelocalKeys().length);
    // the Corefile change was verified through every hop
    assert.ok(again.rollout!.verify, "a ConfigMap change triggers the hop verification");
    assert.ok(again.rollout!.verify!.ok, JSON.stringify(again.rollout!.verify));
    assert.ok(again.rollout!.verify!.hops.filter((h) => h.hop.startsWith("node cache")).length === 5);
    assert.equal(again.rollout!.verify!.hops.filter((h) => h.hop.startsWith("pods' resolver 10.96.0.10")).length, 5);
    const p = await h.plan.planStack(cfg, { keys: h.nodelocalKeys() });
    assert.ok(p.objects.every((o) => o.state === "in-sync"));

    // one-click undo of the Corefile change: the previous config comes back, through the same apply path
    assert.ok(again.rollout!.rollbackTo, "an undo target is offered");
    const undo = await (await h.apply.startRollback({ user: "alice", toRun: again.rollout!.rollbackTo!, undo: again.id, rollout: fast })).done;
    assert.equal(undo.status, "ok", undo.error ?? "");
    const cm = (await h.kube.readObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "node-local-dns", namespace: "kube-system" } } as any)) as any;
    const { renderNodeLocalCorefile } = await import("@/k8s/corefile-render");
    assert.equal(cm.data.Corefile, renderNodeLocalCorefile(h.k8s.defaultStackConfig));
    assert.equal((await h.store.currentConfig()).config.nodelocal.zones[0].cacheTtl, h.k8s.defaultStackConfig.nodelocal.zones[0].cacheTtl);
  });

  test("SIGTERM while a Corefile change is verified: handed over as interrupted with the verification cut short (no verdict); an apply with verify runs it again", async () => {
    const { lifecycle } = await import("@/server/lifecycle");
    const cfg = structuredClone(h.k8s.defaultStackConfig);
    cfg.nodelocal.zones[0].cacheTtl = 33;
    (cfg.nodelocal.zones[0] as any).success = { capacity: 9984, ttl: 33 };
    const rev = await h.store.saveConfig(cfg, "alice", "ttl 33");
    const cm = "ConfigMap kube-system/node-local-dns";
    let run;
    try {
      // only the ConfigMap: the first time the run asks whether to stop is inside the verification
      const shouldStop = () => ((lifecycle().draining = true), false);
      run = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: [cm], rollout: { ...fast, shouldStop } })).done;
    } finally {
      lifecycle().draining = false;
    }
    assert.equal(run.status, "interrupted", run.error ?? "");
    assert.match(run.error ?? "", /^handed over: .* while verifying resolution after the Corefile change/);
    assert.deepEqual(run.steps.map((s) => s.status), ["applied"]);
    assert.equal(run.rollout?.verify?.interrupted, true);
    assert.equal(run.rollout?.verify?.ok, false);
    // nothing left to apply, but unverified: an apply asked to verify does, though no Corefile changes
    const again = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: [cm], verify: true, rollout: fast })).done;
    assert.equal(again.status, "ok", again.error ?? "");
    assert.equal(again.steps[0].message, "no change");
    assert.equal(again.rollout?.verify?.ok, true, JSON.stringify(again.rollout?.verify));
  });

  test("a timeout in the middle → partial, then idempotent", async () => {
    await h.fault({ kind: "api", path: "services/node-local-dns\\?(?!.*dryRun)", method: "PATCH", status: "timeout", delayMs: 2500 });
    try {
      const run = await (await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), rollout: fast })).done;
      assert.equal(run.status, "partial");
      const failed = run.steps.find((s) => s.status === "failed")!;
      assert.equal(failed.key, "Service kube-system/node-local-dns");
      assert.match(failed.message!, /time|504|Timeout/i);
      assert.ok(!run.applied.includes(failed.key));
    } finally {
      await h.clearFaults();
    }
    const again = await (await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(again.status, "ok", again.error ?? "");
  });

  test("409 from Terraform → partial naming Terraform and the field; take ownership applies it", async () => {
    // Terraform owns the upstream Service's selector with another value
    const svc = h.k8s.renderComponent(h.k8s.defaultStackConfig, "nodelocal").find((r) => r.object.metadata.name === "kube-dns-upstream")!.object as any;
    const tf = structuredClone(svc);
    tf.metadata.labels = { "k8s-app": "kube-dns" };
    tf.spec = { ...tf.spec, selector: { "k8s-app": "coredns-terraform" } };
    await h.kube.applyObject(tf, { manager: "Terraform", force: true });
    const p = await h.plan.planStack(h.k8s.defaultStackConfig, { keys: h.nodelocalKeys() });
    const svcPlan = p.objects.find((o) => o.key === "Service kube-system/kube-dns-upstream")!;
    assert.equal(svcPlan.state, "conflict");
    assert.ok(svcPlan.conflicts!.some((c) => c.manager === "Terraform" && /selector/.test(c.field)), JSON.stringify(svcPlan.conflicts));
    assert.match(svcPlan.diff, /coredns-terraform/, "the plan shows what taking ownership would change");

    const run = await (await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(run.status, "partial");
    const step = run.steps.find((s) => s.status === "conflict")!;
    assert.equal(step.key, "Service kube-system/kube-dns-upstream");
    assert.ok(step.conflicts!.some((c) => c.manager === "Terraform"));
    assert.deepEqual(run.applied, run.steps.slice(0, run.steps.indexOf(step)).map((s) => s.key));

    const taken = await (await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), takeOwnership: true, rollout: fast })).done;
    assert.equal(taken.status, "ok", taken.error ?? "");
    assert.equal(taken.takeOwnership, true);
    const live = (await h.kube.readObject(svc)) as any;
    assert.deepEqual(live.spec.selector, { "k8s-app": "kube-dns" });
    const after = await h.plan.planStack(h.k8s.defaultStackConfig, { keys: ["Service kube-system/kube-dns-upstream"] });
    assert.equal(after.objects[0].state, "in-sync");
  });

  test("422 from the API → failed step with the field, nothing after it applied", async () => {
    // a DaemonSet whose selector differs cannot be changed (immutable) → 422
    const dsObj = h.k8s.renderComponent(h.k8s.defaultStackConfig, "nodelocal").find((r) => r.object.kind === "DaemonSet")!.object as any;
    const cfg = structuredClone(h.k8s.defaultStackConfig);
    cfg.nodelocal.name = "node-local-dns";
    const rendered = h.k8s.renderComponent(cfg, "nodelocal");
    assert.ok(rendered.length);
    // change the live selector's label value by deleting + recreating with another selector under dnsdeck
    const other = structuredClone(dsObj);
    other.spec.selector = { matchLabels: { "k8s-app": "node-local-dns", variant: "old" } };
    other.spec.template.metadata.labels = { ...other.spec.template.metadata.labels, variant: "old" };
    await h.deleteObject(dsObj).catch(() => {});
    for (let i = 0; i < 50 && (await h.kube.readObject(dsObj)); i++) await new Promise((r) => setTimeout(r, 100));
    await h.kube.applyObject(other);
    const run = await (await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(run.status, "partial");
    const step = run.steps.find((s) => s.status === "failed")!;
    assert.equal(step.kind, "DaemonSet");
    assert.equal(step.httpStatus, 422);
    assert.match(step.message!, /selector/);
    assert.ok(!run.applied.includes(step.key));
    // put it back for the next tests
    await h.deleteObject(dsObj).catch(() => {});
    for (let i = 0; i < 50 && (await h.kube.readObject(dsObj)); i++) await new Promise((r) => setTimeout(r, 100));
    const fixed = await (await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(fixed.status, "ok", fixed.error ?? "");
  });

  test("drift: a kubeadm-style Update after dnsdeck's apply shows with its owner — as a conflict on dnsdeck's fields, as external drift elsewhere", async () => {
    const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "node-local-dns", namespace: "kube-system" } } as any;
    await h.kube.mergePatchObject(ds, { metadata: { labels: { "kubeadm-touched": "yes" } }, spec: { template: { spec: { priorityClassName: "system-cluster-critical" } } } }, "kubeadm");
    const p = await h.plan.planStack(h.k8s.defaultStackConfig, { keys: ["DaemonSet kube-system/node-local-dns"] });
    const o = p.objects[0];
    assert.equal(o.state, "conflict", o.message);
    assert.ok(o.conflicts!.some((c) => c.manager === "kubeadm" && /priorityClassName/.test(c.field)), JSON.stringify(o.conflicts));
    assert.ok(o.external.some((f) => /kubeadm-touched/.test(f.path) && f.owners.some((x) => x.manager === "kubeadm" && x.operation === "Update")), JSON.stringify(o.external));
    const taken = await (await h.apply.startApply({ user: "alice", objects: h.nodelocalKeys(), takeOwnership: true, rollout: fast })).done;
    assert.equal(taken.status, "ok", taken.error ?? "");
  });

  test("ignoreDifferences: a hand-set field the config ignores reads as ignored — not a conflict, not drift — and an apply leaves it", async () => {
    const key = "DaemonSet kube-system/node-local-dns";
    const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "node-local-dns", namespace: "kube-system" } } as any;
    await h.kube.mergePatchObject(ds, { spec: { template: { spec: { priorityClassName: "system-cluster-critical" } } } }, "kubectl-edit");
    const plain = (await h.plan.planStack(h.k8s.defaultStackConfig, { keys: [key] })).objects[0];
    assert.equal(plain.state, "conflict", "without a rule dnsdeck would take its value back (a conflict with kubectl-edit)");
    const cfg = { ...h.k8s.defaultStackConfig, ignoreDifferences: [...h.k8s.defaultStackConfig.ignoreDifferences, { object: key, paths: [".spec.template.spec.priorityClassName"] }] };
    const p = (await h.plan.planStack(cfg, { keys: [key] })).objects[0];
    assert.equal(p.state, "in-sync", `${p.message ?? ""} ${p.diff}`);
    assert.ok(!p.external.some((f) => /priorityClassName/.test(f.path)), JSON.stringify(p.external));
    assert.ok(p.ignored?.some((f) => /priorityClassName/.test(f.path) && f.owners.some((o) => o.manager === "kubectl-edit")), JSON.stringify(p.ignored));
    const rev = await h.store.saveConfig(cfg, "alice", "leave priorityClassName to kubectl-edit");
    const run = await (await h.apply.startApply({ user: "alice", revision: rev.id!, objects: h.nodelocalKeys(), rollout: fast })).done;
    assert.equal(run.status, "ok", run.error ?? "");
    const live = (await h.kube.readObject(ds)) as any;
    assert.equal(live.spec.template.spec.priorityClassName, "system-cluster-critical", "the apply never takes an ignored field back");
  });

  test("a plan asked again reuses a dry run only while the desired and the live object are both unchanged", async () => {
    const key = "ConfigMap kube-system/node-local-dns";
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "node-local-dns", namespace: "kube-system" } } as any;
    const first = (await h.plan.planStack(h.k8s.defaultStackConfig, { keys: [key] })).objects[0];
    assert.notEqual(first.state, "error", first.message);
    // every dry run of this object now fails at the API server: a plan that still answers did not ask it again
    await h.fault({ kind: "api", path: "configmaps/node-local-dns\\?.*dryRun", method: "PATCH", status: 500 });
    try {
      const again = (await h.plan.planStack(h.k8s.defaultStackConfig, { keys: [key] })).objects[0];
      assert.equal(again.state, first.state, again.message);
      assert.equal(again.diff, first.diff);
      // the live object changed (a hand edit): asked again, so the fault shows
      await h.kube.mergePatchObject(cm, { metadata: { labels: { "edited-by": "hand" } } }, "kubectl-edit");
      const edited = (await h.plan.planStack(h.k8s.defaultStackConfig, { keys: [key] })).objects[0];
      assert.equal(edited.state, "error", `${edited.state}: ${edited.message}`);
      assert.match(edited.message ?? "", /dry run failed \(HTTP 500/);
    } finally {
      await h.clearFaults();
    }
    // a different desired object is never answered from another's dry run
    const base = h.k8s.defaultStackConfig;
    const cfg = { ...base, nodelocal: { ...base.nodelocal, zones: base.nodelocal.zones.map((z: any) => (z.zone === "in-addr.arpa" ? { ...z, cacheTtl: z.cacheTtl + 1 } : z)) } };
    const changed = (await h.plan.planStack(cfg, { keys: [key] })).objects[0];
    assert.equal(changed.state, "drifted", `${changed.state}: ${changed.message}`);
  });

  test("history lists every run newest first, paged", async () => {
    const page1 = await h.apply.listApplies({ limit: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.items[0].id > page1.items[1].id);
    assert.ok(page1.nextBefore);
    const page2 = await h.apply.listApplies({ limit: 2, before: page1.nextBefore! });
    assert.ok(page2.items[0].id < page1.items[1].id);
    assert.ok(page1.items.every((i) => ["ok", "partial", "failed"].includes(i.status)));
  });
});
