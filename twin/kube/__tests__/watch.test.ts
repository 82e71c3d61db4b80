// Watch semantics through the client's Watch: initial ADDED replay, resume from a resourceVersion, label-filtered
// watch transitions, and 410 Expired as an in-stream ERROR when the resourceVersion is older than the history.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ADD, PatchStrategy, UPDATE, Watch, makeInformer, setHeaderOptions, type V1ConfigMap } from "@kubernetes/client-node";
import { twinEnv, until, type Env } from "./helpers";

let env: Env;
before(async () => { env = await twinEnv({ speed: 20 }); });
after(async () => { await env.stop(); });

type Ev = { type: string; obj: any };
async function collect(path: string, params: Record<string, string | number | boolean | undefined>) {
  const events: Ev[] = [];
  let done: unknown = "open";
  const ctl = await new Watch(env.kc).watch(path, params, (type, obj) => events.push({ type, obj }), (err) => { done = err ?? null; });
  return { events, ctl, closed: () => done !== "open" };
}
const MERGE = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

test("watch without resourceVersion replays current objects as ADDED, then streams changes", async () => {
  const w = await collect("/api/v1/namespaces/kube-system/configmaps", {});
  await until("initial ADDED", async () => w.events.some((e) => e.type === "ADDED" && e.obj.metadata.name === "coredns"));
  await env.core.createNamespacedConfigMap({ namespace: "kube-system", body: { metadata: { name: "w1" }, data: { a: "1" } } });
  await env.core.patchNamespacedConfigMap({ name: "w1", namespace: "kube-system", body: { data: { a: "2" } } }, MERGE);
  await env.core.deleteNamespacedConfigMap({ name: "w1", namespace: "kube-system" });
  await until("ADDED/MODIFIED/DELETED", async () => w.events.filter((e) => e.obj.metadata.name === "w1").length === 3);
  assert.deepEqual(w.events.filter((e) => e.obj.metadata.name === "w1").map((e) => e.type), ["ADDED", "MODIFIED", "DELETED"]);
  assert.equal(w.events.find((e) => e.type === "MODIFIED")!.obj.data.a, "2");
  assert.equal(w.events[0].obj.kind, "ConfigMap", "watch events carry kind/apiVersion");
  w.ctl.abort();
});

test("resume from a list resourceVersion delivers exactly the changes made after it", async () => {
  const list = await env.core.listNamespacedConfigMap({ namespace: "default" });
  const rv = list.metadata!.resourceVersion!;
  await env.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "after-list", labels: { app: "x" } } } });
  await env.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "other", labels: { app: "y" } } } });
  const w = await collect("/api/v1/namespaces/default/configmaps", { resourceVersion: rv, labelSelector: "app=x" });
  await until("replayed event", async () => w.events.length >= 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(w.events.map((e) => [e.type, e.obj.metadata.name]), [["ADDED", "after-list"]]);
  // a label change that leaves the selector is a DELETED for this watch, coming back is ADDED
  await env.core.patchNamespacedConfigMap({ name: "after-list", namespace: "default", body: { metadata: { labels: { app: "z" } } } }, MERGE);
  await env.core.patchNamespacedConfigMap({ name: "after-list", namespace: "default", body: { metadata: { labels: { app: "x" } } } }, MERGE);
  await until("transitions", async () => w.events.length >= 3);
  assert.deepEqual(w.events.map((e) => e.type), ["ADDED", "DELETED", "ADDED"]);
  // resume from the last event's RV after a disconnect: nothing is lost or repeated
  const last = w.events[w.events.length - 1].obj.metadata.resourceVersion;
  w.ctl.abort();
  await env.core.patchNamespacedConfigMap({ name: "after-list", namespace: "default", body: { data: { k: "v" } } }, MERGE);
  const w2 = await collect("/api/v1/namespaces/default/configmaps", { resourceVersion: last, labelSelector: "app=x" });
  await until("resumed", async () => w2.events.length >= 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(w2.events.map((e) => [e.type, e.obj.data?.k]), [["MODIFIED", "v"]]);
  w2.ctl.abort();
});

test("a resourceVersion older than the retained history gets an in-stream 410 Expired ERROR and the stream closes", async () => {
  const list = await env.core.listNamespacedConfigMap({ namespace: "default" });
  const old = list.metadata!.resourceVersion!;
  await env.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "bump" } } });
  await env.admin("POST", "/_twin/compact"); // what etcd compaction does to the watch cache window
  const w = await collect("/api/v1/namespaces/default/configmaps", { resourceVersion: old });
  await until("ERROR event", async () => w.events.length > 0);
  assert.equal(w.events[0].type, "ERROR");
  assert.equal(w.events[0].obj.kind, "Status");
  assert.equal(w.events[0].obj.code, 410);
  assert.equal(w.events[0].obj.reason, "Expired");
  assert.match(w.events[0].obj.message, /^too old resource version: \d+ \(\d+\)$/);
  await until("stream closed", async () => w.closed());
  // the informer recipe: re-list and watch from the new RV works
  const relist = await env.core.listNamespacedConfigMap({ namespace: "default" });
  const w2 = await collect("/api/v1/namespaces/default/configmaps", { resourceVersion: relist.metadata!.resourceVersion });
  await env.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "post-compact" } } });
  await until("new events", async () => w2.events.some((e) => e.obj.metadata.name === "post-compact"));
  assert.ok(w2.events.every((e) => e.type !== "ERROR"));
  w2.ctl.abort();
});

test("a watch on pods sees a Deployment rollout (field selector by name on a single object too)", async () => {
  const list = await env.core.listNamespacedPod({ namespace: "technitium" });
  const w = await collect("/api/v1/namespaces/technitium/pods", { resourceVersion: list.metadata!.resourceVersion, labelSelector: "app=technitium-tertiary" });
  const one = await collect("/apis/apps/v1/namespaces/technitium/deployments", { fieldSelector: "metadata.name=technitium-tertiary", allowWatchBookmarks: true });
  await env.apps.patchNamespacedDeployment({ name: "technitium-tertiary", namespace: "technitium", fieldManager: "kubectl-rollout", body: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-11-24T12:00:00Z" } } } } } }, setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch));
  await until("old pod deleted and new pod added", async () => w.events.some((e) => e.type === "DELETED") && w.events.some((e) => e.type === "ADDED"), 8000);
  assert.ok(one.events.every((e) => e.type === "BOOKMARK" || e.obj.metadata.name === "technitium-tertiary"));
  w.ctl.abort(); one.ctl.abort();
});

test("an informer lists, watches and keeps its cache in step", async () => {
  const informer = makeInformer<V1ConfigMap>(env.kc, "/api/v1/namespaces/kube-system/configmaps", () => env.core.listNamespacedConfigMap({ namespace: "kube-system" }));
  const seen: string[] = [];
  informer.on(ADD, (o) => seen.push(`add:${o.metadata!.name}`));
  informer.on(UPDATE, (o) => seen.push(`update:${o.metadata!.name}`));
  await informer.start();
  await until("initial list in cache", async () => informer.get("coredns", "kube-system"));
  await env.core.createNamespacedConfigMap({ namespace: "kube-system", body: { metadata: { name: "inf" }, data: { a: "1" } } });
  await env.core.patchNamespacedConfigMap({ name: "inf", namespace: "kube-system", body: { data: { a: "2" } } }, MERGE);
  await until("cache updated", async () => informer.get("inf", "kube-system")?.data?.a === "2");
  assert.ok(seen.includes("add:inf") && seen.includes("update:inf"));
  await informer.stop();
});
