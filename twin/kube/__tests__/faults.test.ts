// Faults on demand: API 500/429/403/timeout (by path regex, method, Nth request), node NotReady, pod failures,
// set through the admin endpoint or TWIN_FAULTS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { PatchStrategy } from "@kubernetes/client-node";
import { twinEnv, until, plain, statusOf, type Env } from "./helpers";
import { nodeLocalConfigMap, nodeLocalDaemonSet, upstreamService } from "./fixtures";
import { kubeFetch } from "../https-fetch";

let env: Env;
before(async () => { env = await twinEnv({ speed: 50 }); });
after(async () => { await env.stop(); });

test("the admin endpoint needs the admin token; faults are listed, set and cleared", async () => {
  const anon = await kubeFetch(env.url + "/_twin/faults");
  assert.equal(anon.status, 401);
  const wrong = await kubeFetch(env.url + "/_twin/faults", { headers: { "x-twin-admin": env.token } });
  assert.equal(wrong.status, 401);
  const set = await env.admin("POST", "/_twin/faults", { id: "f1", kind: "api", path: "^/api/v1/namespaces/kube-system/configmaps", status: 500 });
  assert.equal(set.faults[0].id, "f1");
  assert.deepEqual((await env.admin("GET", "/_twin/faults")).faults.map((f: any) => f.id), ["f1"]);
  await assert.rejects(env.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" }), (e) => {
    const s = statusOf(e);
    return (e as any).code === 500 && s.kind === "Status" && s.reason === "InternalError";
  });
  assert.ok(await env.core.readNamespacedService({ name: "kube-dns", namespace: "kube-system" }), "other paths unaffected");
  const bad = await kubeFetch(env.url + "/_twin/faults", { method: "POST", headers: { "x-twin-admin": env.twin!.adminToken }, body: JSON.stringify({ kind: "api", path: "(", status: 500 }) });
  assert.equal(bad.status, 400);
  await env.admin("DELETE", "/_twin/faults?id=f1");
  assert.ok(await env.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" }));
});

test("429 with Retry-After only on the 2nd matching request, and only for the given method", async () => {
  await env.admin("POST", "/_twin/faults", { id: "rl", kind: "api", path: "/apis/apps/v1/namespaces/kube-system/deployments/coredns", method: "PATCH", status: 429, nth: 2, retryAfter: 3 });
  const patch = () => env.raw("PATCH", "/apis/apps/v1/namespaces/kube-system/deployments/coredns?fieldManager=dnsdeck", { metadata: { annotations: { probe: String(Date.now()) } } }, { "Content-Type": "application/merge-patch+json" });
  assert.equal((await env.raw("GET", "/apis/apps/v1/namespaces/kube-system/deployments/coredns")).status, 200);
  assert.equal((await patch()).status, 200);
  const limited = await patch();
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "3");
  assert.equal(limited.json.reason, "TooManyRequests");
  assert.equal(limited.json.details.retryAfterSeconds, 3);
  assert.equal((await patch()).status, 200);
  await env.admin("DELETE", "/_twin/faults?id=rl");
});

test("timeouts hang the request (client gives up) and a 403 looks like RBAC", async () => {
  await env.admin("POST", "/_twin/faults", [
    { id: "slow", kind: "api", path: "/api/v1/namespaces/technitium/pods", status: "timeout", delayMs: 5000 },
    { id: "rbac", kind: "api", path: "/apis/apps/v1/namespaces/kube-system/daemonsets", method: "POST", status: 403 },
  ]);
  const t0 = Date.now();
  await assert.rejects(kubeFetch(env.url + "/api/v1/namespaces/technitium/pods", { headers: { Authorization: `Bearer ${env.token}` }, signal: AbortSignal.timeout(200) }));
  assert.ok(Date.now() - t0 < 2000);
  const r = await env.raw("POST", "/apis/apps/v1/namespaces/kube-system/daemonsets", nodeLocalDaemonSet());
  assert.equal(r.status, 403);
  assert.equal(r.json.reason, "Forbidden");
  assert.match(r.json.message, /^daemonsets\.apps is forbidden: User ".+" cannot create resource "daemonsets" in API group "apps" in the namespace "kube-system"$/);
  await env.admin("DELETE", "/_twin/faults");
  assert.equal((await env.raw("GET", "/api/v1/namespaces/technitium/pods")).status, 200);
});

test("a NotReady node: its pods lose Ready, leave the endpoints, and a NodeLocal pod there is never healthy", async () => {
  const pods0 = plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" })).items;
  const node = pods0[0].spec.nodeName;
  await env.admin("POST", "/_twin/faults", { id: "nr", kind: "nodeNotReady", node });
  const n = await until("node NotReady", async () => {
    const x = plain(await env.core.readNode({ name: node }));
    return x.status.conditions.find((c: any) => c.type === "Ready").status === "Unknown" && x;
  });
  assert.ok(n.spec.taints.some((t: any) => t.key === "node.kubernetes.io/unreachable"));
  await until("pod not ready and out of endpoints", async () => {
    const p = plain(await env.core.readNamespacedPod({ name: pods0[0].metadata.name, namespace: "kube-system" }));
    const ep = plain(await env.core.readNamespacedEndpoints({ name: "kube-dns", namespace: "kube-system" }));
    const ready = (ep.subsets?.[0]?.addresses ?? []).map((a: any) => a.targetRef.name);
    return p.status.conditions.find((c: any) => c.type === "Ready").status === "False" && !ready.includes(pods0[0].metadata.name);
  });
  const apply = (o: object) => env.objects.patch(o as never, undefined, undefined, "dnsdeck", true, PatchStrategy.ServerSideApply);
  await apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "node-local-dns", namespace: "kube-system" } });
  await apply(upstreamService);
  await apply(nodeLocalConfigMap());
  await apply(nodeLocalDaemonSet());
  await until("4 of 5 available", async () => {
    const d = plain(await env.apps.readNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system" }));
    return d.status.desiredNumberScheduled === 5 && d.status.numberAvailable === 4;
  });
  await new Promise((r) => setTimeout(r, 300));
  const d = plain(await env.apps.readNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system" }));
  assert.equal(d.status.numberAvailable, 4, "the pod on the NotReady node never becomes available");
  const stuck = plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" })).items.find((p: any) => p.spec.nodeName === node);
  assert.notEqual(stuck.status.containerStatuses?.[0]?.ready, true);
  await env.admin("DELETE", "/_twin/faults?id=nr");
  await until("recovered", async () => plain(await env.apps.readNamespacedDaemonSet({ name: "node-local-dns", namespace: "kube-system" })).status.numberAvailable === 5);
});

test("podFail makes matching pods crash-loop; TWIN_FAULTS sets faults at start", async () => {
  await env.admin("POST", "/_twin/faults", { id: "pf", kind: "podFail", pod: "^technitium/technitium-tertiary-" });
  const p = plain(await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: "app=technitium-tertiary" })).items[0];
  await env.core.deleteNamespacedPod({ name: p.metadata.name, namespace: "technitium" });
  await until("crash loop", async () => plain(await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: "app=technitium-tertiary" })).items.some((x: any) => x.status.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff"));
  await env.admin("DELETE", "/_twin/faults");

  process.env.TWIN_FAULTS = JSON.stringify([{ id: "boot", kind: "imagePull", image: "coredns:v1.12" }]);
  const second = await twinEnv({ speed: 50, seed: false });
  delete process.env.TWIN_FAULTS;
  try {
    const listed = await second.admin("GET", "/_twin/faults");
    assert.deepEqual(listed.faults.map((f: any) => [f.id, f.kind, f.image]), [["boot", "imagePull", "coredns:v1.12"]]);
    const ns = plain(await second.core.listNamespace()).items.map((n: any) => n.metadata.name).sort();
    assert.deepEqual(ns, ["default", "kube-node-lease", "kube-public", "kube-system"], "seed: false leaves an empty cluster");
  } finally { await second.stop(); }
});
