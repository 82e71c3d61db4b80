// The seeded homelab against the seed document, and the CronJob schedule clock.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { twinEnv, until, plain, statusOf, type Env } from "./helpers";

let env: Env;
before(async () => { env = await twinEnv({ speed: 50, cronSpeed: 1200 }); });
after(async () => { await env.stop(); });

test("nodes: k8s-master (tainted control-plane) + 4 workers with InternalIPs 10.0.20.100-104", async () => {
  const nodes = plain(await env.core.listNode()).items;
  assert.deepEqual(nodes.map((n: any) => n.metadata.name), ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"]);
  assert.deepEqual(nodes.map((n: any) => n.status.addresses.find((a: any) => a.type === "InternalIP").address), ["10.0.20.100", "10.0.20.101", "10.0.20.102", "10.0.20.103", "10.0.20.104"]);
  assert.deepEqual(nodes[0].spec.taints, [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]);
  assert.ok(nodes.slice(1).every((n: any) => !n.spec.taints));
  assert.ok(nodes.every((n: any) => n.status.conditions.find((c: any) => c.type === "Ready").status === "True"));
  const pods = plain(await env.core.listPodForAllNamespaces()).items.filter((p: any) => p.status.podIP);
  assert.ok(pods.length >= 6);
  assert.ok(pods.every((p: any) => new RegExp(`^10\\.244\\.${nodes.findIndex((n: any) => n.metadata.name === p.spec.nodeName)}\\.\\d+$`).test(p.status.podIP)));
});

test("kube-system: kubeadm CoreDNS with the Terraform-managed homelab Corefile; NodeLocal DNSCache not deployed", async () => {
  const dep = plain(await env.apps.readNamespacedDeployment({ name: "coredns", namespace: "kube-system" }));
  assert.equal(dep.spec.replicas, 3);
  assert.equal(dep.spec.template.spec.containers[0].image, "registry.k8s.io/coredns/coredns:v1.11.3");
  assert.equal(dep.metadata.labels["k8s-app"], "kube-dns");
  assert.equal(dep.spec.template.spec.containers[0].readinessProbe.httpGet.path, "/ready");
  assert.equal(dep.spec.template.spec.containers[0].livenessProbe.httpGet.path, "/health");
  assert.equal(dep.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, "kubernetes.io/hostname");
  const managers = dep.metadata.managedFields.map((m: any) => `${m.manager}/${m.operation}${m.subresource ? "/" + m.subresource : ""}`);
  assert.ok(managers.includes("kubeadm/Update"));
  assert.ok(managers.includes("Terraform/Apply"));
  assert.ok(managers.includes("kube-controller-manager/Update/status"));
  const tf = dep.metadata.managedFields.find((m: any) => m.manager === "Terraform");
  assert.ok(tf.fieldsV1["f:spec"]["f:replicas"]);
  assert.equal(dep.status.readyReplicas, 3);
  const pods = plain(await env.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" })).items;
  assert.equal(new Set(pods.map((p: any) => p.spec.nodeName)).size, 3, "required anti-affinity spreads them");
  const cm = plain(await env.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" }));
  const cf = cm.data.Corefile;
  for (const needle of ["forward . 10.0.20.1 8.8.8.8 1.1.1.1 {", "policy sequential", "health_check 5s", "max_fails 2", "success 10000 300 6", "denial 10000 300 60", "serve_stale 86400s", "viktorbarzin.lan:53 {", "forward . 10.96.0.53 {", "rcode NXDOMAIN", "fallthrough", "loop", "reload", "ready", "prometheus :9153"]) assert.ok(cf.includes(needle), needle);
  assert.equal(cm.metadata.managedFields.find((m: any) => m.fieldsV1["f:data"]).manager, "Terraform");
  const svc = plain(await env.core.readNamespacedService({ name: "kube-dns", namespace: "kube-system" }));
  assert.equal(svc.spec.clusterIP, "10.96.0.10");
  const pdb = plain(await env.raw("GET", "/apis/policy/v1/namespaces/kube-system/poddisruptionbudgets/coredns")).json;
  assert.equal(pdb.spec.minAvailable, 2);
  assert.equal(pdb.status.disruptionsAllowed, 1);
  for (const [p, name] of [["/apis/apps/v1/namespaces/kube-system/daemonsets", "node-local-dns"], ["/api/v1/namespaces/kube-system/services", "kube-dns-upstream"], ["/api/v1/namespaces/kube-system/configmaps", "node-local-dns"]])
    assert.equal((await env.raw("GET", `${p}/${name}`)).status, 404, `${name} not deployed yet`);
});

test("technitium namespace: 3 Recreate Deployments, Services, PVCs, PDB and 4 CronJobs managed by Terraform", async () => {
  const deps = plain(await env.apps.listNamespacedDeployment({ namespace: "technitium", labelSelector: "dns-server=true" })).items;
  assert.deepEqual(deps.map((d: any) => d.metadata.name), ["technitium", "technitium-secondary", "technitium-tertiary"]);
  for (const d of deps) {
    assert.equal(d.spec.strategy.type, "Recreate");
    assert.equal(d.spec.template.spec.containers[0].image, "technitium/dns-server:15.2.0");
    assert.equal(d.spec.template.metadata.labels.app, d.metadata.name);
    assert.equal(d.metadata.managedFields.find((m: any) => m.operation === "Apply").manager, "Terraform");
  }
  const pods = plain(await env.core.listNamespacedPod({ namespace: "technitium", labelSelector: "dns-server=true" })).items;
  assert.equal(new Set(pods.map((p: any) => p.spec.nodeName)).size, 3);
  const svcs = Object.fromEntries(plain(await env.core.listNamespacedService({ namespace: "technitium" })).items.map((s: any) => [s.metadata.name, s]));
  assert.deepEqual(Object.keys(svcs).sort(), ["technitium-dns", "technitium-dns-internal", "technitium-primary", "technitium-secondary-web", "technitium-tertiary-web", "technitium-web"]);
  assert.equal(svcs["technitium-dns"].spec.type, "LoadBalancer");
  assert.equal(svcs["technitium-dns"].spec.externalTrafficPolicy, "Local");
  assert.equal(svcs["technitium-dns"].status.loadBalancer.ingress[0].ip, "10.0.20.201");
  assert.equal(svcs["technitium-dns-internal"].spec.clusterIP, "10.96.0.53");
  assert.deepEqual(svcs["technitium-dns-internal"].spec.selector, { "dns-server": "true" });
  const ep = plain(await env.core.readNamespacedEndpoints({ name: "technitium-dns-internal", namespace: "technitium" }));
  assert.equal(ep.subsets[0].addresses.length, 3);
  const slices = (await env.raw("GET", "/apis/discovery.k8s.io/v1/namespaces/technitium/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dtechnitium-dns-internal")).json.items;
  assert.equal(slices[0].endpoints.length, 3);
  const pvcs = plain(await env.core.listNamespacedPersistentVolumeClaim({ namespace: "technitium" })).items;
  assert.deepEqual(pvcs.map((p: any) => [p.metadata.name, p.spec.storageClassName, p.spec.resources.requests.storage, p.status.phase]), [
    ["technitium-primary-config-encrypted", "proxmox-lvm-encrypted", "2Gi", "Bound"],
    ["technitium-secondary-config-encrypted", "proxmox-lvm-encrypted", "2Gi", "Bound"],
    ["technitium-tertiary-config-encrypted", "proxmox-lvm-encrypted", "2Gi", "Bound"],
  ]);
  const pdb = (await env.raw("GET", "/apis/policy/v1/namespaces/technitium/poddisruptionbudgets")).json.items[0];
  assert.equal(pdb.spec.minAvailable, 2);
  const cjs = plain(await env.batch.listNamespacedCronJob({ namespace: "technitium" })).items;
  assert.deepEqual(cjs.map((c: any) => [c.metadata.name, c.spec.schedule]), [
    ["technitium-dns-optimization", "30 */6 * * *"], ["technitium-password-sync", "0 */6 * * *"], ["technitium-split-horizon-sync", "15 */6 * * *"], ["technitium-zone-sync", "*/30 * * * *"],
  ]);
});

test("CronJobs fire on their schedule (sped-up clock): Job named <cronjob>-<minutes>, lastScheduleTime, lastSuccessfulTime", async () => {
  const job = await until("a scheduled zone-sync Job completes", async () => {
    const jobs = plain(await env.batch.listNamespacedJob({ namespace: "technitium" })).items;
    return jobs.find((j: any) => /^technitium-zone-sync-\d{8}$/.test(j.metadata.name) && j.status.conditions?.some((c: any) => c.type === "Complete"));
  }, 10000, 50);
  assert.equal(job.metadata.ownerReferences[0].kind, "CronJob");
  assert.ok(job.metadata.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]);
  assert.equal(Number(job.metadata.name.split("-").pop()) % 30, 0, "*/30 → minute multiple of 30");
  const cj = await until("lastSuccessfulTime", async () => { const c = plain(await env.batch.readNamespacedCronJob({ name: "technitium-zone-sync", namespace: "technitium" })); return c.status.lastSuccessfulTime && c; }, 5000);
  assert.ok(cj.status.lastScheduleTime);
  const events = plain(await env.core.listNamespacedEvent({ namespace: "technitium", fieldSelector: "involvedObject.name=technitium-zone-sync" })).items;
  assert.ok(events.some((e: any) => e.reason === "SuccessfulCreate"));
  assert.ok(!events.some((e: any) => e.reason === "UnexpectedJob"), "scheduled jobs are expected");
  await assert.rejects(env.batch.readNamespacedJob({ name: "technitium-zone-sync-0", namespace: "technitium" }), (e) => statusOf(e).code === 404);
});
