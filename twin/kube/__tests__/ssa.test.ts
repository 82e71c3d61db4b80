// Server-side apply, managedFields, dry run and error Status objects — through @kubernetes/client-node and raw HTTP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { twinEnv, statusOf, plain, CONTRACT, type Env } from "./helpers";
import { kubeFetch } from "../https-fetch";

let env: Env;
before(async () => { env = await twinEnv(); });
after(async () => { await env.stop(); });

const APPLY = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);

test("apply of the Terraform-owned Corefile by another manager is a 409 naming Terraform and the field", async () => {
  const intent = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns", namespace: "kube-system" }, data: { Corefile: ".:53 {\n    errors\n}\n" } };
  const r = await env.raw("PATCH", "/api/v1/namespaces/kube-system/configmaps/coredns?fieldManager=dnsdeck", intent, { "Content-Type": "application/apply-patch+yaml" });
  assert.equal(r.status, 409);
  assert.equal(r.json.kind, "Status");
  assert.equal(r.json.reason, "Conflict");
  assert.equal(r.json.code, 409);
  assert.deepEqual(r.json.details.causes, [{ reason: "FieldManagerConflict", message: 'conflict with "Terraform"', field: ".data.Corefile" }]);
  assert.equal(r.json.message, 'Apply failed with 1 conflict: conflict with "Terraform": .data.Corefile');
  // the typed client surfaces the same body
  await assert.rejects(
    env.core.patchNamespacedConfigMap({ name: "coredns", namespace: "kube-system", body: intent, fieldManager: "dnsdeck" }, APPLY),
    (e) => statusOf(e).details.causes[0].field === ".data.Corefile",
  );
  const live = await env.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" });
  assert.match(live.data!.Corefile, /viktorbarzin\.lan:53/);
});

test("force=true takes ownership; Terraform loses the field; a later Terraform apply conflicts naming dnsdeck", async () => {
  const corefile = ".:53 {\n    errors\n    forward . 10.0.20.1\n}\n";
  const out = await env.core.patchNamespacedConfigMap({ name: "coredns", namespace: "kube-system", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns" }, data: { Corefile: corefile } }, fieldManager: "dnsdeck", force: true }, APPLY);
  assert.equal(out.data!.Corefile, corefile);
  const mf = plain(out.metadata!.managedFields);
  const dnsdeck = mf.find((m: any) => m.manager === "dnsdeck");
  assert.equal(dnsdeck.operation, "Apply");
  assert.equal(dnsdeck.fieldsType, "FieldsV1");
  assert.deepEqual(dnsdeck.fieldsV1, { "f:data": { "f:Corefile": {} } });
  assert.equal(mf.find((m: any) => m.manager === "Terraform"), undefined, "Terraform owned only the Corefile, so its entry is gone");
  const r = await env.raw("PATCH", "/api/v1/namespaces/kube-system/configmaps/coredns?fieldManager=Terraform", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns" }, data: { Corefile: "x" } }, { "Content-Type": "application/apply-patch+yaml" });
  assert.equal(r.status, 409);
  assert.equal(r.json.details.causes[0].message, 'conflict with "dnsdeck"');
});

test("conflict with an Update manager names apiVersion and time; same value is shared ownership", async () => {
  // kubeadm created the Deployment (Update); its image is owned by kubeadm
  const dep = (await env.raw("GET", "/apis/apps/v1/namespaces/kube-system/deployments/coredns")).json;
  const kubeadm = dep.metadata.managedFields.find((m: any) => m.manager === "kubeadm");
  assert.equal(kubeadm.operation, "Update");
  const bump = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "coredns" }, spec: { template: { spec: { containers: [{ name: "coredns", image: "registry.k8s.io/coredns/coredns:v1.12.0" }] } } } };
  const r = await env.raw("PATCH", "/apis/apps/v1/namespaces/kube-system/deployments/coredns?fieldManager=dnsdeck&dryRun=All", bump, { "Content-Type": "application/apply-patch+yaml" });
  assert.equal(r.status, 409);
  assert.equal(r.json.details.causes[0].field, '.spec.template.spec.containers[name="coredns"].image');
  assert.equal(r.json.details.causes[0].message, `conflict with "kubeadm" using apps/v1 at ${kubeadm.time}`);
  // applying the live value shares ownership without conflict
  const same = { ...bump, spec: { template: { spec: { containers: [{ name: "coredns", image: "registry.k8s.io/coredns/coredns:v1.11.3" }] } } } };
  const ok = await env.raw("PATCH", "/apis/apps/v1/namespaces/kube-system/deployments/coredns?fieldManager=dnsdeck", same, { "Content-Type": "application/apply-patch+yaml" });
  assert.equal(ok.status, 200);
  const mf = ok.json.metadata.managedFields;
  const path = (m: any) => m.fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"coredns"}']["f:image"];
  assert.ok(path(mf.find((m: any) => m.manager === "dnsdeck")));
  assert.ok(path(mf.find((m: any) => m.manager === "kubeadm")), "kubeadm keeps its claim: shared");
  assert.equal(ok.json.metadata.generation, dep.metadata.generation, "no spec change, no generation bump");
});

test("fields dropped from the intent are removed only when nobody else owns them", async () => {
  const ns = "default";
  const base = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ownership", labels: { a: "1", b: "2" } }, data: { x: "1", y: "2" } };
  await env.core.patchNamespacedConfigMap({ name: "ownership", namespace: ns, body: base, fieldManager: "dnsdeck" }, APPLY);
  // another manager shares y
  await env.core.patchNamespacedConfigMap({ name: "ownership", namespace: ns, body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ownership" }, data: { y: "2" } }, fieldManager: "other" }, APPLY);
  const out = await env.core.patchNamespacedConfigMap({ name: "ownership", namespace: ns, body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ownership", labels: { a: "1" } }, data: { z: "3" } }, fieldManager: "dnsdeck" }, APPLY);
  assert.deepEqual(out.data, { y: "2", z: "3" }, "x removed (only dnsdeck owned it), y kept (other owns it)");
  assert.deepEqual(out.metadata!.labels, { a: "1" });
});

test("dryRun=All on create, apply, update, patch and delete returns the would-be object and stores nothing", async () => {
  const ns = "default";
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry", namespace: ns }, data: { a: "1" } };
  const created = await env.core.createNamespacedConfigMap({ namespace: ns, body: cm, dryRun: "All", fieldManager: "dnsdeck" });
  assert.equal(created.metadata!.name, "dry");
  assert.ok(created.metadata!.uid);
  await assert.rejects(env.core.readNamespacedConfigMap({ name: "dry", namespace: ns }), (e) => statusOf(e).code === 404);
  const applied = await env.objects.patch(cm, undefined, "All", "dnsdeck", false, PatchStrategy.ServerSideApply);
  assert.equal((applied as any).data.a, "1");
  await assert.rejects(env.core.readNamespacedConfigMap({ name: "dry", namespace: ns }), (e) => statusOf(e).code === 404);
  // existing object
  const live = await env.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" });
  const before = live.metadata!.resourceVersion;
  const wouldBe = await env.core.patchNamespacedConfigMap({ name: "coredns", namespace: "kube-system", body: { data: { extra: "1" } }, dryRun: "All", fieldManager: "dnsdeck" }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
  assert.equal(wouldBe.data!.extra, "1");
  const put = await env.core.replaceNamespacedConfigMap({ name: "coredns", namespace: "kube-system", body: { ...plain(live), data: { Corefile: "changed" } }, dryRun: "All" });
  assert.equal(put.data!.Corefile, "changed");
  await env.core.deleteNamespacedConfigMap({ name: "coredns", namespace: "kube-system", dryRun: "All" });
  const after2 = await env.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" });
  assert.equal(after2.metadata!.resourceVersion, before);
  assert.equal(after2.data!.extra, undefined);
  assert.notEqual(after2.data!.Corefile, "changed");
});

test("stale resourceVersion on PUT is a 409 Conflict without causes; POST of an existing name is AlreadyExists", async () => {
  const live = plain(await env.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" }));
  await env.core.patchNamespacedConfigMap({ name: "coredns", namespace: "kube-system", body: { metadata: { annotations: { touched: "1" } } }, fieldManager: "kubectl-annotate" }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
  const r = await env.raw("PUT", "/api/v1/namespaces/kube-system/configmaps/coredns?fieldManager=dnsdeck", { ...live, data: { Corefile: "x" } });
  assert.equal(r.status, 409);
  assert.equal(r.json.reason, "Conflict");
  assert.equal(r.json.details.causes, undefined);
  assert.equal(r.json.message, 'Operation cannot be fulfilled on configmaps "coredns": the object has been modified; please apply your changes to the latest version and try again');
  const dup = await env.raw("POST", "/api/v1/namespaces/kube-system/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns" } });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.reason, "AlreadyExists");
  assert.equal(dup.json.message, 'configmaps "coredns" already exists');
  const nf = await env.raw("GET", "/apis/apps/v1/namespaces/kube-system/daemonsets/node-local-dns");
  assert.equal(nf.status, 404);
  assert.deepEqual(nf.json.details, { name: "node-local-dns", group: "apps", kind: "daemonsets" });
  assert.equal(nf.json.message, 'daemonsets.apps "node-local-dns" not found');
  // non-apply writes record an Update entry for the fieldManager
  const annotated = await env.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" });
  const entry = plain(annotated.metadata!.managedFields).find((m: any) => m.manager === "kubectl-annotate");
  assert.equal(entry.operation, "Update");
  assert.deepEqual(entry.fieldsV1, { "f:metadata": { "f:annotations": { ".": {}, "f:touched": {} } } });
});

test("changing a Service clusterIP is 422 Invalid with a cause; requests without a token are 401", async () => {
  const r = await env.raw("PATCH", "/api/v1/namespaces/kube-system/services/kube-dns?fieldManager=dnsdeck", { spec: { clusterIP: "10.96.0.11" } }, { "Content-Type": "application/merge-patch+json" });
  assert.equal(r.status, 422);
  assert.equal(r.json.reason, "Invalid");
  assert.equal(r.json.details.kind, "Service");
  assert.equal(r.json.details.causes[0].field, "spec.clusterIPs[0]");
  assert.match(r.json.message, /^Service "kube-dns" is invalid: spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"10\.96\.0\.11"\}: may not change once set$/);
  const taken = await env.raw("POST", "/api/v1/namespaces/kube-system/services", { metadata: { name: "dup-ip" }, spec: { clusterIP: "10.96.0.10", ports: [{ port: 53 }] } });
  assert.equal(taken.status, 422);
  const auto = await env.core.createNamespacedService({ namespace: "kube-system", body: { metadata: { name: "kube-dns-upstream" }, spec: { selector: { "k8s-app": "kube-dns" }, ports: [{ name: "dns", port: 53, protocol: "UDP" }] } } });
  assert.match(auto.spec!.clusterIP!, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
  assert.notEqual(auto.spec!.clusterIP, "10.96.0.10");
  const anon = await kubeFetch(env.url + "/api/v1/namespaces", { headers: { Accept: "application/json" } });
  assert.equal(anon.status, 401);
  assert.equal((await anon.json()).reason, "Unauthorized");
});

test("Kyverno-style admission adds ndots:2 to pod templates, owned by nobody", async () => {
  const dep = plain(await env.apps.readNamespacedDeployment({ name: "technitium", namespace: "technitium" }));
  assert.deepEqual(dep.spec.template.spec.dnsConfig, { options: [{ name: "ndots", value: "2" }] });
  assert.ok(!JSON.stringify(dep.metadata.managedFields).includes("f:dnsConfig"));
  const tf = dep.metadata.managedFields.find((m: any) => m.manager === "Terraform");
  assert.equal(tf.operation, "Apply");
  const pods = await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: "app=technitium" });
  assert.deepEqual(plain(pods.items[0].spec!.dnsConfig), { options: [{ name: "ndots", value: "2" }] });
});

test("an apply carrying metadata.resourceVersion is conditional: a stale one is a plain 409 Conflict", async () => {
  const live = (await env.raw("GET", "/api/v1/namespaces/kube-system/services/kube-dns")).json;
  const intent = { apiVersion: "v1", kind: "Service", metadata: { name: "kube-dns", resourceVersion: live.metadata.resourceVersion, annotations: { "dnsdeck/previewed": "yes" } } };
  const ok = await env.raw("PATCH", "/api/v1/namespaces/kube-system/services/kube-dns?fieldManager=dnsdeck", intent, { "Content-Type": "application/apply-patch+yaml" });
  assert.equal(ok.status, 200);
  assert.notEqual(ok.json.metadata.resourceVersion, live.metadata.resourceVersion);
  const stale = await env.raw("PATCH", "/api/v1/namespaces/kube-system/services/kube-dns?fieldManager=dnsdeck", intent, { "Content-Type": "application/apply-patch+yaml" });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.details.causes, undefined);
  assert.match(stale.json.message, /^Operation cannot be fulfilled on services "kube-dns"/);
});

if (CONTRACT) test("contract subset runs against TWIN_CONTRACT_KUBECONFIG in contract.test.ts", () => {});
