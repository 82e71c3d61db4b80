// Contract tests: the safe read-only / dry-run subset. They run against the twin, or — when
// TWIN_CONTRACT_KUBECONFIG points at a real cluster — against that cluster instead, so the twin's fidelity can be
// checked by anyone with a cluster. Nothing here persists a change.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { PatchStrategy, VersionApi, Watch } from "@kubernetes/client-node";
import { twinEnv, statusOf, plain, until, CONTRACT, type Env } from "./helpers";

let env: Env;
before(async () => { env = await twinEnv({ speed: 20 }, true); });
after(async () => { await env.stop(); });

test(`discovery is shaped as the client needs it (${CONTRACT ? "real cluster" : "twin"})`, async () => {
  const v = await env.kc.makeApiClient(VersionApi).getCode();
  assert.match(v.gitVersion, /^v1\.\d+/);
  const api = (await env.raw("GET", "/api")).json;
  assert.equal(api.kind, "APIVersions");
  assert.ok(api.versions.includes("v1"));
  const core = (await env.raw("GET", "/api/v1")).json;
  assert.equal(core.kind, "APIResourceList");
  assert.equal(core.groupVersion, "v1");
  for (const name of ["pods", "pods/log", "services", "configmaps", "endpoints", "namespaces", "nodes", "events", "serviceaccounts", "persistentvolumeclaims"]) assert.ok(core.resources.some((r: any) => r.name === name), name);
  const cm = core.resources.find((r: any) => r.name === "configmaps");
  assert.equal(cm.kind, "ConfigMap");
  assert.equal(cm.namespaced, true);
  assert.ok(["get", "list", "watch", "create", "patch", "update", "delete"].every((v) => cm.verbs.includes(v)));
  const groups = (await env.raw("GET", "/apis")).json;
  assert.equal(groups.kind, "APIGroupList");
  for (const g of ["apps", "batch", "policy", "discovery.k8s.io", "events.k8s.io"]) assert.ok(groups.groups.some((x: any) => x.name === g && x.preferredVersion.groupVersion === `${g}/v1`), g);
  const apps = (await env.raw("GET", "/apis/apps/v1")).json;
  for (const name of ["daemonsets", "deployments", "replicasets", "controllerrevisions", "daemonsets/status", "deployments/scale"]) assert.ok(apps.resources.some((r: any) => r.name === name), name);
});

test("KubernetesObjectApi resolves paths through discovery for core and group kinds", async () => {
  const dep: any = await env.objects.read({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "coredns", namespace: "kube-system" } });
  assert.equal(dep.kind, "Deployment");
  assert.ok(dep.metadata.uid);
  const nodes: any = await env.objects.list("v1", "Node");
  assert.ok(nodes.items.length >= 1);
  const cms: any = await env.objects.list("v1", "ConfigMap", "kube-system");
  assert.ok(cms.items.some((c: any) => c.metadata.name === "coredns"));
  const pdbs: any = await env.objects.list("policy/v1", "PodDisruptionBudget", "kube-system");
  assert.ok(Array.isArray(pdbs.items));
  await assert.rejects(env.objects.read({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "does-not-exist-twin", namespace: "kube-system" } }), (e) => {
    const s = statusOf(e);
    return s.kind === "Status" && s.code === 404 && s.reason === "NotFound" && s.details.kind === "daemonsets" && s.details.group === "apps" && s.message === 'daemonsets.apps "does-not-exist-twin" not found';
  });
});

test("dry-run create and server-side apply return the would-be object and persist nothing", async () => {
  const name = `twin-contract-${Date.now()}`;
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", labels: { "app.kubernetes.io/managed-by": "dnsdeck" } }, data: { Corefile: ".:53 {\n    errors\n}\n" } };
  const created: any = await env.objects.create(cm, undefined, "All", "dnsdeck");
  assert.equal(created.metadata.name, name);
  assert.ok(created.metadata.creationTimestamp);
  const applied: any = await env.objects.patch(cm, undefined, "All", "dnsdeck", true, PatchStrategy.ServerSideApply);
  const mf = plain(applied.metadata.managedFields);
  const mine = mf.find((m: any) => m.manager === "dnsdeck");
  assert.equal(mine.operation, "Apply");
  assert.deepEqual(mine.fieldsV1["f:data"], { "f:Corefile": {} });
  assert.deepEqual(mine.fieldsV1["f:metadata"], { "f:labels": { "f:app.kubernetes.io/managed-by": {} } });
  await assert.rejects(env.objects.read(cm), (e) => statusOf(e).code === 404);
  const missingManager = await env.raw("PATCH", `/api/v1/namespaces/default/configmaps/${name}?dryRun=All`, cm, { "Content-Type": "application/apply-patch+yaml" });
  assert.ok(missingManager.status === 422 || missingManager.status === 400, `apply without fieldManager is rejected (${missingManager.status})`);
  const forceOnMerge = await env.raw("PATCH", "/api/v1/namespaces/kube-system/configmaps/coredns?dryRun=All&fieldManager=dnsdeck&force=true", { data: {} }, { "Content-Type": "application/merge-patch+json" });
  assert.equal(forceOnMerge.status, 422);
});

test("label selectors (=, !=, in, notin, exists, !key) and field selectors", async () => {
  const all = (await env.core.listNamespacedPod({ namespace: "kube-system" })).items;
  const dns = (await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" })).items;
  assert.ok(dns.length >= 1 && dns.every((p) => p.metadata!.labels!["k8s-app"] === "kube-dns"));
  const notDns = (await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app!=kube-dns" })).items;
  assert.equal(notDns.length + dns.length, all.length);
  const inSet = (await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app in (kube-dns,nonexistent)" })).items;
  assert.equal(inSet.length, dns.length);
  const notIn = (await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app notin (kube-dns)" })).items;
  assert.equal(notIn.length, notDns.length);
  const exists = (await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app" })).items;
  assert.ok(exists.every((p) => p.metadata!.labels!["k8s-app"] !== undefined));
  const absent = (await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "!k8s-app" })).items;
  assert.equal(exists.length + absent.length, all.length);
  const byName = (await env.core.listNamespacedConfigMap({ namespace: "kube-system", fieldSelector: "metadata.name=coredns" })).items;
  assert.deepEqual(byName.map((c) => c.metadata!.name), ["coredns"]);
  const nss = (await env.core.listNamespace({ fieldSelector: "metadata.name!=default" })).items;
  assert.ok(nss.every((n) => n.metadata!.name !== "default") && nss.some((n) => n.metadata!.name === "kube-system"));
  const page = await env.core.listNamespacedConfigMap({ namespace: "kube-system", limit: 1 });
  assert.equal(page.items.length, 1);
  if (page.metadata!._continue) {
    const next = await env.core.listNamespacedConfigMap({ namespace: "kube-system", limit: 1, _continue: page.metadata!._continue });
    assert.notEqual(next.items[0].metadata!.name, page.items[0].metadata!.name);
  }
});

test("a watch from an ancient resourceVersion gets 410 Expired in-stream", async () => {
  let got: any;
  const ctl = await new Watch(env.kc).watch("/api/v1/namespaces/kube-system/configmaps", { resourceVersion: "1" }, (type, obj) => { if (type === "ERROR") got = obj; }, () => {});
  await until("ERROR", async () => got, 8000);
  assert.equal(got.code, 410);
  assert.ok(got.reason === "Expired" || got.reason === "Gone");
  ctl.abort();
});

test("service ClusterIPs and the kube-dns Service look as kubeadm made them", async () => {
  const svc = plain(await env.core.readNamespacedService({ name: "kube-dns", namespace: "kube-system" }));
  assert.equal(svc.spec.clusterIP, "10.96.0.10");
  assert.deepEqual(svc.spec.clusterIPs, ["10.96.0.10"]);
  assert.deepEqual(svc.spec.ports.map((p: any) => `${p.port}/${p.protocol}`).sort(), ["53/TCP", "53/UDP", "9153/TCP"]);
  const bad = await env.raw("PUT", "/api/v1/namespaces/kube-system/services/kube-dns?dryRun=All", { ...svc, spec: { ...svc.spec, clusterIP: "10.96.0.11", clusterIPs: ["10.96.0.11"] } });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.reason, "Invalid");
  assert.ok(bad.json.details.causes.some((c: any) => /^spec\.clusterIPs?/.test(c.field)));
});
