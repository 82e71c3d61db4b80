// NodeLocal DNSCache on the twin: DaemonSet rollout over 5 nodes as `kubectl rollout status` sees it,
// ControllerRevisions, maxUnavailable, and the crash loops of a bad Corefile / missing kube-dns-upstream.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Log, PatchStrategy, Watch, setHeaderOptions } from "@kubernetes/client-node";
import { Writable } from "node:stream";
import { twinEnv, until, plain, type Env } from "./helpers";
import { nodeLocalConfigMap, nodeLocalDaemonSet, upstreamService, NODELOCAL_COREFILE } from "./fixtures";

let env: Env;
before(async () => { env = await twinEnv({ speed: 50 }); });
after(async () => { await env.stop(); });

const APPLY = PatchStrategy.ServerSideApply;
const apply = (o: object) => env.objects.patch(o as never, undefined, undefined, "dnsdeck", true, APPLY);

function rolloutStatus(ds: any): string {
  // kubectl pkg/polymorphichelpers/rollout_status.go (DaemonSet)
  const s = ds.status ?? {};
  if ((ds.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return "waiting for spec update";
  if ((s.updatedNumberScheduled ?? 0) < s.desiredNumberScheduled) return `updated ${s.updatedNumberScheduled ?? 0} of ${s.desiredNumberScheduled}`;
  if ((s.numberAvailable ?? 0) < s.desiredNumberScheduled) return `available ${s.numberAvailable ?? 0} of ${s.desiredNumberScheduled}`;
  return "done";
}

async function logsOf(ns: string, pod: string, container: string, opts: object = {}) {
  let out = "";
  const w = new Writable({ write(c, _e, cb) { out += c.toString(); cb(); } });
  await new Log(env.kc).log(ns, pod, container, w, { follow: false, ...opts });
  await new Promise((r) => setTimeout(r, 50));
  return out;
}

test("DaemonSet rolls out to all 5 nodes (master tolerated), then a template change rolls one node at a time", async () => {
  await apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "node-local-dns", namespace: "kube-system" } });
  await apply(upstreamService);
  await apply(nodeLocalConfigMap());
  const seen: string[] = [];
  const created: any = await apply(nodeLocalDaemonSet());
  // follow the object the way `kubectl rollout status` does: a watch with a name field selector
  const ctl = await new Watch(env.kc).watch("/apis/apps/v1/namespaces/kube-system/daemonsets", { fieldSelector: "metadata.name=node-local-dns", resourceVersion: created.metadata.resourceVersion }, (_t, o) => { const s = rolloutStatus(o); if (seen[seen.length - 1] !== s) seen.push(s); }, () => {});
  const ds = await until("first rollout", async () => {
    const d = plain(await env.apps.readNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system" }));
    return rolloutStatus(d) === "done" && d;
  });
  await new Promise((r) => setTimeout(r, 50));
  ctl.abort();
  assert.equal(seen[seen.length - 1], "done");
  assert.ok(seen.includes("waiting for spec update") || seen.some((s) => s.startsWith("updated 0 of 5")), `saw ${seen.join(" → ")}`);
  assert.equal(ds.status.desiredNumberScheduled, 5);
  assert.equal(ds.status.numberReady, 5);
  assert.equal(ds.status.observedGeneration, ds.metadata.generation);
  const pods = plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" })).items;
  assert.deepEqual(pods.map((p: any) => p.spec.nodeName).sort(), ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"]);
  assert.ok(pods.every((p: any) => p.status.podIP === p.status.hostIP), "hostNetwork pods use the node IP");
  assert.ok(pods.some((p: any) => p.status.hostIP === "10.0.20.100"));
  const revs1 = plain(await env.apps.listNamespacedControllerRevision({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" })).items;
  assert.equal(revs1.length, 1);
  assert.equal(revs1[0].revision, 1);

  // restart: template annotation → revision 2, at most 1 node unavailable at any time (10% of 5 rounds up to 1)
  const podList = await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" });
  const readyOn = new Map<string, boolean>();
  const isReady = (p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
  for (const p of plain(podList).items) readyOn.set(p.metadata.name, isReady(p));
  let maxUnavailable = 0;
  const w1 = await new Watch(env.kc).watch("/api/v1/namespaces/kube-system/pods", { labelSelector: "k8s-app=node-local-dns", resourceVersion: podList.metadata!.resourceVersion }, (type, p: any) => {
    if (type === "DELETED") readyOn.delete(p.metadata.name); else readyOn.set(p.metadata.name, isReady(p));
    maxUnavailable = Math.max(maxUnavailable, 5 - [...readyOn.values()].filter(Boolean).length);
  }, () => {});
  const updatedSeen = new Set<number>();
  const w2 = await new Watch(env.kc).watch("/apis/apps/v1/namespaces/kube-system/daemonsets", { fieldSelector: "metadata.name=node-local-dns" }, (_t, d: any) => {
    if (d.metadata.generation === d.status?.observedGeneration) updatedSeen.add(d.status.updatedNumberScheduled ?? 0);
  }, () => {});
  await env.apps.patchNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system", fieldManager: "kubectl-rollout", body: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() } } } } } }, setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch));
  await until("second rollout", async () => {
    const d = plain(await env.apps.readNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system" }));
    return rolloutStatus(d) === "done" && d.status.updatedNumberScheduled === 5 && d;
  }, 15000, 50);
  await new Promise((r) => setTimeout(r, 100));
  w1.abort(); w2.abort();
  assert.equal(maxUnavailable, 1);
  assert.ok(updatedSeen.size >= 4, `updatedNumberScheduled progressed through ${[...updatedSeen]}`);
  const revs2 = plain(await env.apps.listNamespacedControllerRevision({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" })).items;
  assert.deepEqual(revs2.map((r: any) => r.revision).sort(), [1, 2]);
  const r2 = revs2.find((r: any) => r.revision === 2);
  assert.equal(r2.data.spec.template.$patch, "replace");
  const hashes = new Set(plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" })).items.map((p: any) => p.metadata.labels["controller-revision-hash"]));
  assert.deepEqual([...hashes], [r2.metadata.labels["controller-revision-hash"]]);
  const log = await logsOf("kube-system", [...(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" })).items][0].metadata!.name!, "node-cache");
  assert.match(log, /Starting node-cache image: 1\.23\.1/);
  assert.match(log, /cluster\.local\.:53 on 169\.254\.20\.10,10\.96\.0\.10/);
});

test("a Corefile with unbalanced braces crash-loops new node-local-dns pods", async () => {
  await apply(nodeLocalConfigMap(NODELOCAL_COREFILE.replace("    prometheus :9253\n}\n", "    prometheus :9253\n")));
  // ConfigMap edits do not roll the DaemonSet; a restart does (the latent bad file bites on start)
  await env.apps.patchNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system", fieldManager: "kubectl-rollout", body: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "bad-corefile" } } } } } }, setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch));
  const pod = await until("CrashLoopBackOff with restarts", async () => {
    const pods = plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" })).items;
    return pods.find((p: any) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff" && p.status.containerStatuses[0].restartCount >= 2);
  }, 10000);
  const cs = pod.status.containerStatuses[0];
  assert.equal(cs.lastState.terminated.exitCode, 1);
  assert.equal(cs.lastState.terminated.reason, "Error");
  assert.match(cs.state.waiting.message, /^back-off \d+s restarting failed container=node-cache pod=node-local-dns-/);
  const prev = await logsOf("kube-system", pod.metadata.name, "node-cache", { previous: true });
  assert.match(prev, /\/etc\/Corefile:\d+ - Error during parsing: Unexpected EOF/);
  // the rollout is stuck: one node at a time
  const ds = plain(await env.apps.readNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system" }));
  assert.notEqual(rolloutStatus(ds), "done");
  const events = plain(await env.core.listNamespacedEvent({ namespace: "kube-system", fieldSelector: `involvedObject.name=${pod.metadata.name}` })).items;
  assert.ok(events.some((e: any) => e.reason === "BackOff" && e.type === "Warning"));
  // fix the Corefile: the stuck pod restarts fine on its next back-off and the rollout completes
  await apply(nodeLocalConfigMap());
  await until("rollout completes after the fix", async () => rolloutStatus(plain(await env.apps.readNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system" }))) === "done", 15000);
});

test("node-local-dns pods created before kube-dns-upstream exists crash with <nil>; a forward to 10.96.0.10 is a loop", async () => {
  await env.objects.delete(upstreamService as never);
  await env.apps.patchNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system", fieldManager: "kubectl-rollout", body: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "no-upstream" } } } } } }, setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch));
  const pod = await until("CrashLoopBackOff", async () => plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" })).items.find((p: any) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff" && p.status.containerStatuses[0].lastState?.terminated));
  const prev = await logsOf("kube-system", pod.metadata.name, "node-cache", { previous: true });
  assert.match(prev, /KUBE_DNS_UPSTREAM_SERVICE_HOST/);
  assert.match(prev, /plugin\/forward: not an IP address or file: "<nil>"/);
  // creating the Service afterwards does not help the existing pod (env frozen at pod creation)
  await apply(upstreamService);
  const again = plain(await env.core.readNamespacedPod({ name: pod.metadata.name, namespace: "kube-system" }));
  await new Promise((r) => setTimeout(r, 600));
  const later = plain(await env.core.readNamespacedPod({ name: pod.metadata.name, namespace: "kube-system" }));
  assert.ok(later.status.containerStatuses[0].restartCount >= again.status.containerStatuses[0].restartCount);
  assert.equal(later.status.containerStatuses[0].ready, false);
  // a loop: forward to the kube-dns ClusterIP, which node-local-dns itself listens on
  await apply(nodeLocalConfigMap(NODELOCAL_COREFILE.replaceAll("__PILLAR__CLUSTER__DNS__", "10.96.0.10")));
  await env.core.deleteNamespacedPod({ name: pod.metadata.name, namespace: "kube-system", gracePeriodSeconds: 0 });
  const looped = await until("loop crash", async () => {
    for (const p of plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" })).items) {
      if (!p.status.containerStatuses?.[0]?.lastState?.terminated) continue;
      const l = await logsOf("kube-system", p.metadata.name, "node-cache", { previous: true });
      if (/plugin\/loop: Loop .* detected for zone/.test(l)) return l;
    }
    return undefined;
  }, 10000, 100);
  assert.match(looped, /\[FATAL\] plugin\/loop: Loop \(127\.0\.0\.1:\d+ -> 10\.96\.0\.10:53\) detected for zone "cluster\.local\."/);
});

test("CoreDNS keeps serving after a bad Corefile reload but crash-loops when restarted", async () => {
  const cm = plain(await env.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" }));
  const bad = cm.data.Corefile.replace("viktorbarzin.lan:53 {", "viktorbarzin.lan:53 {{");
  await env.core.patchNamespacedConfigMap({ name: "coredns", namespace: "kube-system", fieldManager: "Terraform", force: true, body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns" }, data: { Corefile: bad } } }, setHeaderOptions("Content-Type", APPLY));
  const pods = plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" })).items;
  const victim = pods[0].metadata.name;
  await until("reload failure logged", async () => /Restart failed|reload failed/.test(await logsOf("kube-system", victim, "coredns")), 8000, 100);
  const still = plain(await env.core.readNamespacedPod({ name: victim, namespace: "kube-system" }));
  assert.equal(still.status.containerStatuses[0].ready, true, "old config keeps serving");
  await env.core.deleteNamespacedPod({ name: victim, namespace: "kube-system" });
  const crashed = await until("replacement crash-loops", async () => plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" })).items.find((p: any) => p.metadata.name !== victim && p.status.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff"), 10000);
  assert.ok(crashed.status.containerStatuses[0].restartCount >= 1);
});
