import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  defaultStackConfig,
  type KubeObject,
  objectKey,
  parseStackConfig,
  renderComponent,
  renderStack,
  stackConfigSchema,
} from "@/k8s/index";
import { validateCorefile } from "@/k8s/corefile";

/* Expectations below are the upstream facts of kubernetes/kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml
 * (reference/nodelocal-coredns.md §1.1, §1.4) and kubeadm's CoreDNS (§5), plus the seed's values. */

const stack = renderStack(defaultStackConfig);
const find = (kind: string, name: string, ns?: string): KubeObject => {
  const o = stack.find((r) => r.object.kind === kind && r.object.metadata.name === name && (!ns || r.object.metadata.namespace === ns));
  assert.ok(o, `${kind} ${name} not rendered`);
  return o.object;
};
// deliberately loose accessor for nested intent fields
const spec = (o: KubeObject): any => o.spec;

test("renderStack: every expected object, once, in a strictly increasing apply order", () => {
  const keys = stack.map((r) => objectKey(r.object));
  assert.equal(new Set(keys).size, keys.length, "duplicate objects");
  const orders = stack.map((r) => r.order);
  assert.deepEqual(orders, [...orders].sort((a, b) => a - b));
  assert.equal(new Set(orders).size, orders.length);
  const nodelocal = stack.filter((r) => r.component === "nodelocal").map((r) => objectKey(r.object));
  assert.deepEqual(nodelocal, [
    "ServiceAccount kube-system/node-local-dns",
    "Service kube-system/kube-dns-upstream",
    "ConfigMap kube-system/node-local-dns",
    "Service kube-system/node-local-dns",
    "DaemonSet kube-system/node-local-dns",
  ]);
  assert.deepEqual(stack.filter((r) => r.component === "coredns").map((r) => objectKey(r.object)), [
    "ConfigMap kube-system/coredns",
    "Deployment kube-system/coredns",
    "PodDisruptionBudget kube-system/coredns",
  ]);
  const tech = stack.filter((r) => r.component === "technitium").map((r) => r.object.kind);
  assert.deepEqual(tech.filter((k) => k === "Deployment").length, 3);
  assert.deepEqual(tech.filter((k) => k === "PersistentVolumeClaim").length, 3);
  assert.deepEqual(tech.filter((k) => k === "CronJob").length, 4);
  assert.deepEqual(tech.filter((k) => k === "PodDisruptionBudget").length, 1);
});

test("apply-order dependencies: upstream Service before the DaemonSet; ConfigMaps and PVCs before workloads", () => {
  const order = (kind: string, name: string) => stack.find((r) => r.object.kind === kind && r.object.metadata.name === name)!.order;
  assert.ok(order("Service", "kube-dns-upstream") < order("DaemonSet", "node-local-dns"));
  assert.ok(order("ConfigMap", "node-local-dns") < order("DaemonSet", "node-local-dns"));
  assert.ok(order("ConfigMap", "coredns") < order("Deployment", "coredns"));
  for (const pvc of ["technitium-primary-config-encrypted", "technitium-secondary-config-encrypted", "technitium-tertiary-config-encrypted"]) {
    assert.ok(order("PersistentVolumeClaim", pvc) < order("Deployment", "technitium"));
  }
  // CoreDNS and NodeLocal forward the internal zone to Technitium's pinned ClusterIP: it exists first.
  assert.ok(order("Service", "technitium-dns-internal") < order("ConfigMap", "coredns"));
  assert.ok(order("Deployment", "coredns") < order("Service", "kube-dns-upstream"));
});

test("SSA intents carry no status, managedFields, resourceVersion or restartedAt", () => {
  for (const { object } of stack) {
    assert.equal("status" in object, false, objectKey(object));
    const meta = object.metadata as unknown as Record<string, unknown>;
    for (const f of ["managedFields", "resourceVersion", "uid", "creationTimestamp"]) assert.equal(f in meta, false, `${objectKey(object)} ${f}`);
    assert.ok(!JSON.stringify(object).includes("restartedAt"), objectKey(object));
    assert.ok(object.apiVersion && object.kind && object.metadata.name && object.metadata.namespace);
  }
});

test("NodeLocal ServiceAccount and kube-dns-upstream Service match the upstream manifest", () => {
  find("ServiceAccount", "node-local-dns", "kube-system");
  const up = find("Service", "kube-dns-upstream", "kube-system");
  assert.equal(up.metadata.labels?.["k8s-app"], "kube-dns");
  assert.equal(up.metadata.labels?.["kubernetes.io/name"], "KubeDNSUpstream");
  assert.deepEqual(spec(up).selector, { "k8s-app": "kube-dns" });
  assert.deepEqual(spec(up).ports, [
    { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
    { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
  ]);
  // dynamic ClusterIP (node-cache reads it from KUBE_DNS_UPSTREAM_SERVICE_HOST); never headless
  assert.equal(spec(up).clusterIP, undefined);
});

test("headless node-local-dns metrics Service with the Prometheus annotations", () => {
  const svc = find("Service", "node-local-dns", "kube-system");
  assert.equal(spec(svc).clusterIP, "None");
  assert.deepEqual(spec(svc).ports, [{ name: "metrics", port: 9253, targetPort: 9253, protocol: "TCP" }]);
  assert.deepEqual(spec(svc).selector, { "k8s-app": "node-local-dns" });
  assert.deepEqual(svc.metadata.annotations, { "prometheus.io/port": "9253", "prometheus.io/scrape": "true" });
});

test("NodeLocal ConfigMap: fully rendered, only the two runtime placeholders, seed's zones and caches, and it validates", () => {
  const cm = find("ConfigMap", "node-local-dns", "kube-system");
  const corefile = (cm.data as Record<string, string>).Corefile;
  const placeholders = new Set(corefile.match(/__PILLAR__(?:[A-Z]+__)+/g));
  assert.deepEqual([...placeholders].sort(), ["__PILLAR__CLUSTER__DNS__"]);
  assert.match(corefile, /^cluster\.local:53 \{\n    errors\n    cache \{\n        success 9984 30\n        denial 9984 5\n    \}/);
  assert.match(corefile, /    health 169\.254\.20\.10:8080\n/);
  assert.equal(corefile.match(/health /g)?.length, 1, "health in exactly one block");
  assert.equal(corefile.match(/^    reload$/gm)?.length, 5, "reload in every block");
  assert.equal(corefile.match(/bind 169\.254\.20\.10 10\.96\.0\.10/g)?.length, 5);
  // seed commit: the internal zone goes straight to Technitium's pinned ClusterIP, with CoreDNS's ndots junk filter
  // repeated on the node (this path no longer passes through CoreDNS's template)
  assert.match(
    corefile,
    /viktorbarzin\.lan:53 \{[^}]*template ANY ANY viktorbarzin\.lan \{\n        match "\.\*\\\.\.\*\\\.viktorbarzin\\\.lan\\\.\$"\n        rcode NXDOMAIN\n        fallthrough\n    \}\n    forward \. 10\.96\.0\.53\n/,
  );
  assert.match(corefile, /\n\.:53 \{[^}]*forward \. __PILLAR__CLUSTER__DNS__\n/);
  assert.match(corefile, /in-addr\.arpa:53 \{[^}]*cache 30\n/);
  assert.ok(!/forward [^\n]*(10\.96\.0\.10|169\.254\.20\.10)/.test(corefile), "no forward loop");
  const v = validateCorefile(corefile, "nodelocal", { stack: defaultStackConfig });
  assert.equal(v.valid, true);
  assert.deepEqual(v.errors.filter((e) => e.severity !== "warning"), []);
});

test("DaemonSet: co-listening args, hostNetwork, dnsPolicy Default, NET_ADMIN, ports, volumes, liveness probe, rolling update", () => {
  const ds = find("DaemonSet", "node-local-dns", "kube-system");
  const s = spec(ds);
  assert.deepEqual(s.selector, { matchLabels: { "k8s-app": "node-local-dns" } });
  assert.deepEqual(s.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } });
  assert.deepEqual(s.template.metadata.labels, { "k8s-app": "node-local-dns" });
  assert.deepEqual(s.template.metadata.annotations, { "prometheus.io/port": "9253", "prometheus.io/scrape": "true" });
  const pod = s.template.spec;
  assert.equal(pod.hostNetwork, true);
  assert.equal(pod.dnsPolicy, "Default");
  assert.equal(pod.priorityClassName, "system-node-critical");
  assert.equal(pod.serviceAccountName, "node-local-dns");
  assert.deepEqual(pod.tolerations, [{ operator: "Exists" }]);
  assert.equal(pod.dnsConfig, undefined, "Kyverno's dnsConfig is not dnsdeck's");
  assert.equal(pod.containers.length, 1);
  const c = pod.containers[0];
  assert.equal(c.name, "node-cache");
  assert.equal(c.image, "registry.k8s.io/dns/k8s-dns-node-cache:1.23.1");
  assert.deepEqual(c.args, ["-localip", "169.254.20.10,10.96.0.10", "-conf", "/etc/Corefile", "-upstreamsvc", "kube-dns-upstream", "-pidfile", "/tmp/node-cache.pid"]);
  // Go flag parsing: a boolean flag must be -name=value; no bare true/false words
  assert.ok(!c.args.some((a: string) => a === "true" || a === "false"));
  assert.deepEqual(c.securityContext, { capabilities: { add: ["NET_ADMIN"] } });
  assert.deepEqual(c.resources, { requests: { cpu: "25m", memory: "32Mi" }, limits: { memory: "128Mi" } });
  assert.equal(c.resources.limits.cpu, undefined, "no CPU limit");
  assert.deepEqual(c.ports, [
    { containerPort: 53, name: "dns", protocol: "UDP" },
    { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
    { containerPort: 9253, name: "metrics", protocol: "TCP" },
  ]);
  assert.deepEqual(c.livenessProbe, { httpGet: { host: "169.254.20.10", path: "/health", port: 8080 }, initialDelaySeconds: 60, timeoutSeconds: 5 });
  assert.equal(c.readinessProbe, undefined);
  assert.deepEqual(c.volumeMounts, [
    { name: "xtables-lock", mountPath: "/run/xtables.lock", readOnly: false },
    { name: "config-volume", mountPath: "/etc/coredns" },
    { name: "kube-dns-config", mountPath: "/etc/kube-dns" },
  ]);
  assert.equal(c.securityContext.readOnlyRootFilesystem, undefined, "node-cache writes /etc/Corefile");
  const vols = Object.fromEntries(pod.volumes.map((v: { name: string }) => [v.name, v]));
  assert.deepEqual(vols["xtables-lock"].hostPath, { path: "/run/xtables.lock", type: "FileOrCreate" });
  assert.deepEqual(vols["config-volume"].configMap, { name: "node-local-dns", items: [{ key: "Corefile", path: "Corefile.base" }] });
  assert.deepEqual(vols["kube-dns-config"].configMap, { name: "kube-dns", optional: true });
});

test("a custom health port flows into the Corefile, the probe and -health-port", () => {
  const cfg = parseStackConfig({ ...defaultStackConfig, nodelocal: { ...defaultStackConfig.nodelocal, healthPort: 8099 } });
  const objs = renderComponent(cfg, "nodelocal").map((r) => r.object);
  const ds = objs.find((o) => o.kind === "DaemonSet")!;
  const c = spec(ds).template.spec.containers[0];
  assert.equal(c.livenessProbe.httpGet.port, 8099);
  assert.deepEqual(c.args.slice(-1), ["-health-port=8099"]);
  const cm = objs.find((o) => o.kind === "ConfigMap")!;
  assert.match((cm.data as Record<string, string>).Corefile, /health 169\.254\.20\.10:8099/);
});

test("CoreDNS: the seed's Corefile, a Deployment intent with only replicas and required anti-affinity, PDB minAvailable 2", () => {
  const cm = find("ConfigMap", "coredns", "kube-system");
  const corefile = (cm.data as Record<string, string>).Corefile;
  // exactly the seed's (Terraform-managed) Corefile, comments aside, so taking it over changes no text
  const seed = readFileSync(join(import.meta.dirname, "fixtures", "seed-coredns.Corefile"), "utf8").replace(/ *#.*$/gm, "");
  assert.equal(corefile, seed);
  for (const p of ["errors", "ready", "loop", "reload", "loadbalance", "prometheus :9153", "kubernetes cluster.local in-addr.arpa ip6.arpa {"]) assert.ok(corefile.includes(`    ${p}`), p);
  assert.deepEqual(validateCorefile(corefile, "coredns", { stack: defaultStackConfig }).errors, []);

  const dep = find("Deployment", "coredns", "kube-system");
  assert.deepEqual(Object.keys(dep).sort(), ["apiVersion", "kind", "metadata", "spec"]);
  assert.deepEqual(dep.metadata, { name: "coredns", namespace: "kube-system" });
  assert.deepEqual(dep.spec, {
    replicas: 3,
    template: {
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: { matchLabels: { "k8s-app": "kube-dns" } }, topologyKey: "kubernetes.io/hostname" },
            ],
          },
        },
      },
    },
  });
  const pdb = find("PodDisruptionBudget", "coredns", "kube-system");
  assert.equal(pdb.apiVersion, "policy/v1");
  assert.deepEqual(pdb.spec, { minAvailable: 2, selector: { matchLabels: { "k8s-app": "kube-dns" } } });
});

test("Technitium: 3 Recreate Deployments on their PVCs with the shared dns-server label and required anti-affinity", () => {
  const want = [
    ["technitium", "technitium-primary-config-encrypted", "technitium"],
    ["technitium-secondary", "technitium-secondary-config-encrypted", "technitium-secondary"],
    ["technitium-tertiary", "technitium-tertiary-config-encrypted", "technitium-tertiary"],
  ];
  for (const [name, pvc, app] of want) {
    const d = find("Deployment", name, "technitium");
    const s = spec(d);
    assert.deepEqual(s.strategy, { type: "Recreate" });
    assert.equal(s.replicas, 1);
    assert.deepEqual(s.selector.matchLabels, { app });
    assert.deepEqual(s.template.metadata.labels, { app, "dns-server": "true" });
    assert.equal(s.template.spec.containers[0].image, "technitium/dns-server:15.2.0");
    assert.deepEqual(s.template.spec.volumes, [{ name: "config", persistentVolumeClaim: { claimName: pvc } }]);
    assert.equal(s.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, "kubernetes.io/hostname");
    const p = find("PersistentVolumeClaim", pvc, "technitium");
    assert.deepEqual(spec(p), { accessModes: ["ReadWriteOnce"], storageClassName: "proxmox-lvm-encrypted", resources: { requests: { storage: "2Gi" } } });
  }
  const sec = spec(find("Deployment", "technitium-secondary")).template.spec.containers[0];
  assert.deepEqual(sec.env, [
    { name: "DNS_SERVER_DOMAIN", value: "viktorbarzin.lan" },
    { name: "DNS_SERVER_ENABLE_BLOCKING", value: "true" },
  ]);
  // list entries keep the Terraform-managed names (SSA merges containers/ports by key: a new name would add a second one)
  assert.equal(sec.name, "technitium");
  assert.deepEqual(sec.ports.map((p: { name: string; containerPort: number; protocol: string }) => `${p.name}:${p.containerPort}/${p.protocol}`), [
    "http:5380/TCP",
    "dns:53/UDP",
    "dns-tcp:53/TCP",
    "doh:80/TCP",
  ]);
  assert.deepEqual(sec.readinessProbe.tcpSocket, { port: 53 });
});

test("Technitium Services: LB 10.0.20.201 ETP Local, pinned ClusterIP 10.96.0.53, per-instance web Services; PDB", () => {
  const lb = find("Service", "technitium-dns", "technitium");
  assert.equal(spec(lb).type, "LoadBalancer");
  assert.equal(spec(lb).externalTrafficPolicy, "Local");
  assert.equal(lb.metadata.annotations?.["metallb.universe.tf/loadBalancerIPs"], "10.0.20.201");
  assert.deepEqual(spec(lb).selector, { "dns-server": "true" });
  assert.deepEqual(spec(lb).ports.map((p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`), ["53/UDP", "53/TCP"]);
  const internal = find("Service", "technitium-dns-internal", "technitium");
  assert.equal(spec(internal).clusterIP, "10.96.0.53");
  assert.deepEqual(spec(internal).selector, { "dns-server": "true" });
  assert.deepEqual(spec(find("Service", "technitium-primary")).selector, { app: "technitium" });
  for (const [svc, app] of [["technitium-web", "technitium"], ["technitium-secondary-web", "technitium-secondary"], ["technitium-tertiary-web", "technitium-tertiary"]]) {
    const s = spec(find("Service", svc, "technitium"));
    assert.deepEqual(s.selector, { app });
    assert.ok(s.ports.some((p: { port: number }) => p.port === 5380));
  }
  const pdb = find("PodDisruptionBudget", "technitium-dns", "technitium");
  assert.deepEqual(pdb.spec, { minAvailable: 2, selector: { matchLabels: { "dns-server": "true" } } });
});

test("Technitium CronJobs: seed schedules; dnsdeck's CLI for zone-sync, split-horizon-sync, resolver-settings", () => {
  const want: Record<string, [string, string]> = {
    "technitium-zone-sync": ["*/30 * * * *", "zone-sync"],
    "technitium-split-horizon-sync": ["15 */6 * * *", "split-horizon-sync"],
    "technitium-dns-optimization": ["30 */6 * * *", "resolver-settings"],
  };
  for (const [name, [schedule, cmd]] of Object.entries(want)) {
    const cj = find("CronJob", name, "technitium");
    assert.equal(cj.apiVersion, "batch/v1");
    assert.equal(spec(cj).schedule, schedule);
    assert.equal(spec(cj).concurrencyPolicy, "Forbid");
    const pod = spec(cj).jobTemplate.spec.template.spec;
    const c = pod.containers[0];
    assert.deepEqual(c.command, ["node", "dist/cli.js", cmd]);
    assert.equal(c.name, name.replace("technitium-", ""), "the Terraform container's name");
    assert.equal(c.image, "ghcr.io/viktorbarzin/dnsdeck:0.1.0");
    assert.equal(pod.restartPolicy, "Never");
    assert.deepEqual(c.envFrom, [{ secretRef: { name: "dnsdeck-cron" } }]);
    const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.equal(env.DNSDECK_CRONJOB_NAME, name);
    assert.equal(env.DNSDECK_TRIGGER, "cronjob");
    assert.equal(
      env.TECHNITIUM_INSTANCES,
      "primary=http://technitium-web.technitium.svc.cluster.local:5380,secondary=http://technitium-secondary-web.technitium.svc.cluster.local:5380,tertiary=http://technitium-tertiary-web.technitium.svc.cluster.local:5380",
    );
  }
  // password-sync: dnsdeck's CLI has no such command, so only the schedule is dnsdeck's; the job template is not touched
  const ps = find("CronJob", "technitium-password-sync", "technitium");
  assert.deepEqual(ps.spec, { schedule: "0 */6 * * *", suspend: false });
});

test("stack config: homelab defaults and field-level errors", () => {
  const c = defaultStackConfig;
  assert.equal(c.nodelocal.linkLocalIp, "169.254.20.10");
  assert.equal(c.nodelocal.kubeDnsClusterIp, "10.96.0.10");
  assert.deepEqual(c.coredns.forwarders, ["10.0.20.1", "8.8.8.8", "1.1.1.1"]);
  assert.equal(c.coredns.replicas, 3);
  assert.deepEqual(c.technitium.splitHorizon.networkGroupMap, { "192.168.1.0/24": "lan" });
  assert.deepEqual(c.technitium.splitHorizon.groups[0].externalToInternalTranslation, { "176.12.22.76": "10.0.20.200" });
  assert.ok(c.technitium.rebindingProtection.privateDomains.includes("viktorbarzin.me"));
  assert.equal(c.technitium.rebindingProtection.privateNetworks.length, 7);
  assert.equal(c.technitium.resolver.cacheMinimumRecordTtl, 60);
  assert.deepEqual(c.technitium.resolver.stubZones, ["emrsn.org"]);
  // round-trips through JSON (stored in the database)
  assert.deepEqual(stackConfigSchema.parse(JSON.parse(JSON.stringify(c))), c);

  const bad = stackConfigSchema.safeParse({
    ...c,
    nodelocal: { ...c.nodelocal, linkLocalIp: "169.254.20" },
    coredns: { ...c.coredns, forwarders: [], healthCheck: "5" },
  });
  assert.equal(bad.success, false);
  const paths = bad.error!.issues.map((i) => i.path.join("."));
  assert.ok(paths.includes("nodelocal.linkLocalIp"));
  assert.ok(paths.includes("coredns.forwarders"));
  assert.ok(paths.includes("coredns.healthCheck"));
});

test("raw Corefile overrides replace the form-rendered text", () => {
  const raw = ".:53 {\n    errors\n    health 169.254.20.10:8080\n    forward . __PILLAR__CLUSTER__DNS__\n}\n";
  const cfg = parseStackConfig({ ...defaultStackConfig, nodelocal: { ...defaultStackConfig.nodelocal, corefileOverride: raw } });
  const cm = renderComponent(cfg, "nodelocal").find((r) => r.object.kind === "ConfigMap")!.object;
  assert.equal((cm.data as Record<string, string>).Corefile, raw);
});

test("extra node-cache flags: -name=value only, known flags, booleans as -flag=bool", () => {
  const withArgs = (extraArgs: string[]) => stackConfigSchema.safeParse({ ...defaultStackConfig, nodelocal: { ...defaultStackConfig.nodelocal, extraArgs } });
  const ok = withArgs(["-skipteardown=false", "-syncinterval=30", "-setupiptables"]);
  assert.equal(ok.success, true);
  const ds = renderComponent(ok.data!, "nodelocal").find((r) => r.object.kind === "DaemonSet")!.object;
  assert.deepEqual(spec(ds).template.spec.containers[0].args.slice(-3), ["-skipteardown=false", "-syncinterval=30", "-setupiptables"]);

  const bad = withArgs(["-skipteardown", "true", "-reloadwithsignal=true", "-syncinterval=1m", "-localip=1.2.3.4", "-nosuch=1", "-interfacename"]);
  assert.equal(bad.success, false);
  const msgs = Object.fromEntries(bad.error!.issues.map((i) => [i.path.join("."), i.message]));
  assert.match(msgs["nodelocal.extraArgs.1"], /not a flag/);
  assert.match(msgs["nodelocal.extraArgs.2"], /does not exist in node-cache 1\.23\.1/);
  assert.match(msgs["nodelocal.extraArgs.3"], /bare number of seconds/);
  assert.match(msgs["nodelocal.extraArgs.4"], /set by dnsdeck/);
  assert.match(msgs["nodelocal.extraArgs.5"], /unknown node-cache flag/);
  assert.match(msgs["nodelocal.extraArgs.6"], /needs a value/);
  assert.equal(msgs["nodelocal.extraArgs.0"], undefined, "-skipteardown alone is a valid boolean flag");
});
