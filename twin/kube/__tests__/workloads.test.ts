// Deployments (Recreate, RollingUpdate, progress deadline, delete propagation) and CronJob → Job → Pod with logs,
// including a Job created "from" a CronJob the way `kubectl create job --from=cronjob/…` builds it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { Log, PatchStrategy, Watch, setHeaderOptions } from "@kubernetes/client-node";
import { twinEnv, until, plain, statusOf, type Env } from "./helpers";

let env: Env;
before(async () => { env = await twinEnv({ speed: 50 }); });
after(async () => { await env.stop(); });

const SMP = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
const ready = (p: any) => p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");

function deploymentRollout(d: any): string {
  // kubectl rollout_status.go (Deployment)
  const s = d.status ?? {};
  if (d.metadata.generation > (s.observedGeneration ?? 0)) return "waiting for spec update";
  const prog = (s.conditions ?? []).find((c: any) => c.type === "Progressing");
  if (prog?.reason === "ProgressDeadlineExceeded") return "error: exceeded its progress deadline";
  if ((s.updatedReplicas ?? 0) < d.spec.replicas) return "waiting: updated";
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return "waiting: old replicas pending termination";
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return "waiting: available";
  return "done";
}

test("Recreate: all old Technitium pods are gone before the new one starts; new ReplicaSet gets revision 2", async () => {
  const before = plain(await env.apps.readNamespacedDeployment({ name: "technitium", namespace: "technitium" }));
  assert.equal(before.metadata.annotations["deployment.kubernetes.io/revision"], "1");
  const podList = await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: "app=technitium" });
  const live = new Map<string, any>();
  for (const p of plain(podList).items) live.set(p.metadata.name, p);
  let overlap = false, zeroWindow = false;
  const w = await new Watch(env.kc).watch("/api/v1/namespaces/technitium/pods", { labelSelector: "app=technitium", resourceVersion: podList.metadata!.resourceVersion }, (type, p: any) => {
    if (type === "DELETED") live.delete(p.metadata.name); else live.set(p.metadata.name, p);
    if (new Set([...live.values()].map((x) => x.spec.containers[0].image)).size > 1) overlap = true;
    if (![...live.values()].some((x) => ready(x) && !x.metadata.deletionTimestamp)) zeroWindow = true;
  }, () => {});
  await env.apps.patchNamespacedDeployment({ name: "technitium", namespace: "technitium", fieldManager: "dnsdeck", body: { spec: { template: { spec: { containers: [{ name: "technitium", image: "technitium/dns-server:15.2.1" }] } } } } }, SMP);
  const done = await until("Recreate rollout", async () => {
    const pods = plain(await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: "app=technitium" })).items;
    const d = plain(await env.apps.readNamespacedDeployment({ name: "technitium", namespace: "technitium" }));
    return deploymentRollout(d) === "done" && pods.length === 1 && ready(pods[0]) && d;
  }, 10000, 50);
  await new Promise((r) => setTimeout(r, 100));
  w.abort();
  assert.equal(overlap, false, "old and new pods never coexist");
  assert.equal(zeroWindow, true, "there is a window with no ready pod, by design");
  assert.equal(done.metadata.annotations["deployment.kubernetes.io/revision"], "2");
  const rs = plain(await env.apps.listNamespacedReplicaSet({ namespace: "technitium", labelSelector: "app=technitium" })).items;
  assert.deepEqual(rs.map((r: any) => [r.metadata.annotations["deployment.kubernetes.io/revision"], r.spec.replicas]).sort(), [["1", 0], ["2", 1]]);
  const progressing = done.status.conditions.find((c: any) => c.type === "Progressing");
  assert.equal(progressing.reason, "NewReplicaSetAvailable");
  const events = plain(await env.core.listNamespacedEvent({ namespace: "technitium", fieldSelector: "involvedObject.name=technitium" })).items;
  assert.ok(events.some((e: any) => e.reason === "ScalingReplicaSet" && /Scaled down replica set technitium-\w+ from 1 to 0/.test(e.message)));
});

test("RollingUpdate of CoreDNS keeps 2 of 3 available (maxUnavailable 1) and reports progress conditions", async () => {
  // follow every pod and Deployment change through watches, so no intermediate state is missed
  const podList = await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" });
  const readyNow = new Map<string, boolean>();
  for (const p of plain(podList).items) readyNow.set(p.metadata.name, ready(p));
  let minReady = 3;
  const w1 = await new Watch(env.kc).watch("/api/v1/namespaces/kube-system/pods", { labelSelector: "k8s-app=kube-dns", resourceVersion: podList.metadata!.resourceVersion }, (type, p: any) => {
    if (type === "DELETED") readyNow.delete(p.metadata.name);
    else readyNow.set(p.metadata.name, ready(p) && !p.metadata.deletionTimestamp);
    minReady = Math.min(minReady, [...readyNow.values()].filter(Boolean).length);
  }, () => {});
  const states: string[] = [];
  const w2 = await new Watch(env.kc).watch("/apis/apps/v1/namespaces/kube-system/deployments", { fieldSelector: "metadata.name=coredns" }, (_t, d: any) => { const s = deploymentRollout(d); if (states[states.length - 1] !== s) states.push(s); }, () => {});
  await env.apps.patchNamespacedDeployment({ name: "coredns", namespace: "kube-system", fieldManager: "kubectl-rollout", body: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-11-24T12:00:00Z" } } } } } }, SMP);
  await until("rolling update", async () => {
    const d = plain(await env.apps.readNamespacedDeployment({ name: "coredns", namespace: "kube-system" }));
    return deploymentRollout(d) === "done" && d.metadata.annotations["deployment.kubernetes.io/revision"] === "2";
  }, 15000, 50);
  await new Promise((r) => setTimeout(r, 100));
  w1.abort(); w2.abort();
  assert.ok(minReady >= 2, `ready never below 2 (saw ${minReady})`);
  assert.ok(states.length > 2 && states[states.length - 1] === "done", `saw ${states.join(" → ")}`);
});

test("an image that never pulls: ImagePullBackOff, then ProgressDeadlineExceeded after progressDeadlineSeconds", async () => {
  await env.admin("POST", "/_twin/faults", { kind: "imagePull", image: "dns-server:99" });
  await env.apps.patchNamespacedDeployment({ name: "technitium-secondary", namespace: "technitium", fieldManager: "dnsdeck", body: { spec: { progressDeadlineSeconds: 30, template: { spec: { containers: [{ name: "technitium", image: "technitium/dns-server:99.0" }] } } } } }, SMP);
  const pod = await until("ImagePullBackOff", async () => plain(await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: "app=technitium-secondary" })).items.find((p: any) => ["ImagePullBackOff", "ErrImagePull"].includes(p.status.containerStatuses?.[0]?.state?.waiting?.reason)));
  assert.match(pod.status.containerStatuses[0].state.waiting.message, /dns-server:99\.0/);
  const d = await until("deadline exceeded", async () => {
    const x = plain(await env.apps.readNamespacedDeployment({ name: "technitium-secondary", namespace: "technitium" }));
    return deploymentRollout(x) === "error: exceeded its progress deadline" && x;
  }, 8000);
  const prog = d.status.conditions.find((c: any) => c.type === "Progressing");
  assert.equal(prog.status, "False");
  assert.match(prog.message, /^ReplicaSet "technitium-secondary-\w+" has timed out progressing\.$/);
  await env.admin("DELETE", "/_twin/faults");
});

test("deleting a Deployment removes its ReplicaSets and pods (background propagation)", async () => {
  await env.apps.deleteNamespacedDeployment({ name: "technitium-tertiary", namespace: "technitium" });
  await until("dependents gone", async () => {
    const rs = await env.apps.listNamespacedReplicaSet({ namespace: "technitium", labelSelector: "app=technitium-tertiary" });
    const pods = await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: "app=technitium-tertiary" });
    return rs.items.length === 0 && pods.items.length === 0;
  });
  await assert.rejects(env.apps.readNamespacedDeployment({ name: "technitium-tertiary", namespace: "technitium" }), (e) => statusOf(e).reason === "NotFound");
});

async function logs(pod: string, container: string, opts: object) {
  let out = "";
  const w = new Writable({ write(c, _e, cb) { out += c.toString(); cb(); } });
  await new Log(env.kc).log("technitium", pod, container, w, opts);
  return () => out;
}

test("a Job created from a CronJob (kubectl create job --from) runs, logs, completes, and the CronJob warns UnexpectedJob", async () => {
  const cj = plain(await env.batch.readNamespacedCronJob({ name: "technitium-zone-sync", namespace: "technitium" }));
  const job = {
    apiVersion: "batch/v1", kind: "Job",
    metadata: {
      name: "technitium-zone-sync-manual-a1b2c", namespace: "technitium",
      annotations: { "cronjob.kubernetes.io/instantiate": "manual", ...(cj.spec.jobTemplate.metadata?.annotations ?? {}) },
      labels: cj.spec.jobTemplate.metadata?.labels ?? {},
      ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: cj.metadata.name, uid: cj.metadata.uid, controller: true }],
    },
    spec: cj.spec.jobTemplate.spec,
  };
  const created = plain(await env.batch.createNamespacedJob({ namespace: "technitium", body: job, fieldManager: "dnsdeck" }));
  assert.equal(created.metadata.labels["batch.kubernetes.io/job-name"], job.metadata.name);
  // the pod has started: running, or (on a fast clock, between two polls) already finished — its log is there either way
  const pod = await until("job pod started", async () =>
    plain(await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: `batch.kubernetes.io/job-name=${job.metadata.name}` })).items.find(
      (p: any) => p.status.containerStatuses?.[0]?.state?.running || p.status.containerStatuses?.[0]?.state?.terminated,
    ),
    20_000,
  );
  const out = await logs(pod.metadata.name, "zone-sync", { follow: true });
  const done = await until("Complete", async () => {
    const j = plain(await env.batch.readNamespacedJob({ name: job.metadata.name, namespace: "technitium" }));
    return j.status.conditions?.some((c: any) => c.type === "Complete" && c.status === "True") && j;
  }, 8000);
  assert.equal(done.status.succeeded, 1);
  assert.ok(done.status.completionTime);
  await until("follow stream got the run's lines", async () => /zone sync completed/.test(out()));
  assert.match(out(), /starting technitium-zone-sync/);
  const tail = await logs(pod.metadata.name, "zone-sync", { tailLines: 1 });
  await until("tail", async () => tail().length > 0);
  assert.equal(tail().trim().split("\n").length, 1);
  const ev = await until("UnexpectedJob event", async () => plain(await env.core.listNamespacedEvent({ namespace: "technitium", fieldSelector: "involvedObject.name=technitium-zone-sync" })).items.find((e: any) => e.reason === "UnexpectedJob"));
  assert.equal(ev.type, "Warning");
  assert.equal(ev.message, `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
  const ev2 = (await env.raw("GET", "/apis/events.k8s.io/v1/namespaces/technitium/events")).json.items.find((e: any) => e.reason === "UnexpectedJob");
  assert.equal(ev2.note, ev.message);
  const cjAfter = plain(await env.batch.readNamespacedCronJob({ name: "technitium-zone-sync", namespace: "technitium" }));
  assert.equal((cjAfter.status.active ?? []).length, 0, "manual Jobs are not in status.active");
});

test("a Job whose command contains 'fail' fails after its backoffLimit; a Job name over 63 characters is 422", async () => {
  const body = {
    metadata: { name: "technitium-password-sync-fail" },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "password-sync", image: "alpine:3.20", command: ["/bin/sh", "-c", "/scripts/password-sync.sh --fail"] }] } } },
  };
  await env.batch.createNamespacedJob({ namespace: "technitium", body });
  const j = await until("Failed", async () => {
    const x = plain(await env.batch.readNamespacedJob({ name: body.metadata.name, namespace: "technitium" }));
    return x.status.conditions?.some((c: any) => c.type === "Failed" && c.status === "True") && x;
  }, 8000);
  assert.equal(j.status.failed, 1);
  assert.equal(j.status.conditions.find((c: any) => c.type === "Failed").reason, "BackoffLimitExceeded");
  const pod = plain(await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: `job-name=${body.metadata.name}` })).items[0];
  assert.equal(pod.status.phase, "Failed");
  assert.equal(pod.status.containerStatuses[0].state.terminated.exitCode, 1);
  const long = "technitium-split-horizon-sync-manual-20261124-120000-abcdefghijk";
  assert.ok(long.length > 63);
  const r = await env.raw("POST", "/apis/batch/v1/namespaces/technitium/jobs", { ...body, metadata: { name: long } });
  assert.equal(r.status, 422);
  assert.equal(r.json.reason, "Invalid");
  assert.equal(r.json.details.kind, "Job");
  assert.ok(r.json.details.causes.some((c: any) => c.field === "spec.template.labels" && /must be no more than 63 characters/.test(c.message)));
});

test("required anti-affinity on hostname keeps a surge pod Pending (FailedScheduling) while maxUnavailable lets the rollout go on", async () => {
  const labels = { app: "spread" };
  await env.apps.createNamespacedDeployment({ namespace: "default", body: {
    metadata: { name: "spread" },
    spec: {
      replicas: 5, selector: { matchLabels: labels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: { metadata: { labels }, spec: {
        tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" }] } },
        containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", readinessProbe: { tcpSocket: { port: 80 } } }],
      } },
    },
  } });
  await until("5 ready on 5 nodes", async () => (await env.apps.readNamespacedDeployment({ name: "spread", namespace: "default" })).status?.availableReplicas === 5, 10000);
  await env.apps.patchNamespacedDeployment({ name: "spread", namespace: "default", body: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "now" } } } } } }, SMP);
  const ev = await until("FailedScheduling for the surge pod", async () => plain(await env.core.listNamespacedEvent({ namespace: "default", fieldSelector: "reason=FailedScheduling" })).items.find((e: any) => e.involvedObject.name.startsWith("spread-")), 8000, 20);
  assert.equal(ev.type, "Warning");
  assert.match(ev.message, /^0\/5 nodes are available: 5 node\(s\) didn't match pod anti-affinity rules\./);
  assert.equal(ev.source.component, "default-scheduler");
  await until("rollout completes", async () => deploymentRollout(plain(await env.apps.readNamespacedDeployment({ name: "spread", namespace: "default" }))) === "done", 15000);
});

test("readNamespacedPodLog (typed API) returns the log text; an unknown container is a 400", async () => {
  const pod = plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" })).items.find((p: any) => p.status.containerStatuses?.[0]?.ready);
  const text = await env.core.readNamespacedPodLog({ name: pod.metadata.name, namespace: "kube-system", container: "coredns", tailLines: 3 });
  assert.equal(typeof text, "string");
  assert.equal(text.trim().split("\n").length, 3);
  assert.match(text, /CoreDNS-1\.11\.3/);
  const r = await env.raw("GET", `/api/v1/namespaces/kube-system/pods/${pod.metadata.name}/log`);
  assert.equal(r.status, 200, "single-container pods need no container parameter");
  const missing = await env.raw("GET", `/api/v1/namespaces/kube-system/pods/${pod.metadata.name}/log?container=nope`);
  assert.equal(missing.status, 400);
});

test("the eviction API honours PodDisruptionBudgets (429 DisruptionBudget) and deletes when allowed", async () => {
  const pods = plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" })).items.filter((p: any) => ready(p) && !p.metadata.deletionTimestamp);
  // replacements must not become Ready during the test (the budget would be back at 1): they crash-loop
  await env.admin("POST", "/_twin/faults", { id: "no-new-coredns", kind: "podFail", pod: "^kube-system/coredns-" });
  await until("coredns PDB allows 1", async () => (await env.raw("GET", "/apis/policy/v1/namespaces/kube-system/poddisruptionbudgets/coredns")).json.status?.disruptionsAllowed === 1, 8000);
  await env.core.createNamespacedPodEviction({ name: pods[0].metadata.name, namespace: "kube-system", body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pods[0].metadata.name, namespace: "kube-system" } } });
  const evicted = await env.raw("GET", `/api/v1/namespaces/kube-system/pods/${pods[0].metadata.name}`);
  assert.ok(evicted.status === 404 || evicted.json.metadata.deletionTimestamp, "the evicted pod is being deleted");
  const second = await env.raw("POST", `/api/v1/namespaces/kube-system/pods/${pods[1].metadata.name}/eviction`, { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pods[1].metadata.name, namespace: "kube-system" } });
  assert.equal(second.status, 429);
  assert.equal(second.json.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.equal(second.json.details.causes[0].reason, "DisruptionBudget");
  assert.match(second.json.details.causes[0].message, /^The disruption budget coredns needs 2 healthy pods and has \d currently$/);
  await env.admin("DELETE", "/_twin/faults?id=no-new-coredns");
});
