// The seed homelab (../shared/seed/dns-architecture-and-nodelocal-commit.txt): 5 nodes, kubeadm CoreDNS with the
// Terraform-managed Corefile, the technitium namespace with 3 instances, Services, PVCs, PDBs and 4 CronJobs.
// NodeLocal DNSCache is NOT deployed. Objects are written through the same API paths as real writers, so their
// managedFields carry kubeadm / Terraform / kube-controller-manager / kubelet as they would.
import type { Api } from "./api";
import { nodeIP } from "./controllers";
import { res } from "./resources";
import { randomUUID } from "node:crypto";
import { setTimeShift, ts, type Obj } from "./util";
import { prevCron } from "./controllers";

const DAY = 86_400_000;

export const NODES = ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"];

export const HOMELAB_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . 10.0.20.1 8.8.8.8 1.1.1.1 {
       policy sequential
       health_check 5s
       max_fails 2
    }
    cache {
       success 10000 300 6
       denial 10000 300 60
       serve_stale 86400s
    }
    loop
    reload
    loadbalance
}
viktorbarzin.lan:53 {
    errors
    template ANY ANY viktorbarzin.lan {
       match ".*\\..*\\.viktorbarzin\\.lan\\.$"
       rcode NXDOMAIN
       fallthrough
    }
    forward . 10.96.0.53 {
       health_check 5s
       max_fails 2
    }
    cache {
       success 10000 300
       denial 10000 300
       serve_stale 86400s
    }
}
`;

const KUBEADM_DEFAULT_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;

const APPLY = "application/apply-patch+yaml";

/** Objects every cluster has: nodes and the system namespaces. */
export function seedBase(api: Api) {
  setTimeShift(-260 * DAY); // kubeadm init, months ago
  try { seedBaseAt(api); } finally { setTimeShift(0); }
}
function seedBaseAt(api: Api) {
  for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    if (!api.tryGet(res("namespaces"), undefined, ns)) api.create(res("namespaces"), undefined, { metadata: { name: ns } }, { fieldManager: "kube-apiserver" });
  }
  NODES.forEach((name, i) => {
    if (api.tryGet(res("nodes"), undefined, name)) return;
    const master = i === 0;
    const n = api.create(res("nodes"), undefined, {
      metadata: {
        name,
        labels: {
          "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
          ...(master ? { "node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/exclude-from-external-load-balancers": "" } : {}),
        },
        annotations: { "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock", "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
      },
      spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], ...(master ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {}) },
    }, { fieldManager: "kubelet" });
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: now, reason, message });
    api.writeStatus(res("nodes"), n, {
      capacity: { cpu: master ? "4" : "8", "ephemeral-storage": "102626232Ki", "hugepages-2Mi": "0", memory: master ? "8148056Ki" : "16303856Ki", pods: "110" },
      allocatable: { cpu: master ? "4" : "8", "ephemeral-storage": "94580335255", "hugepages-2Mi": "0", memory: master ? "8045656Ki" : "16201456Ki", pods: "110" },
      conditions: [
        cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
      ],
      addresses: [{ address: nodeIP(name), type: "InternalIP" }, { address: name, type: "Hostname" }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: randomUUID().replace(/-/g, ""), systemUUID: randomUUID(), bootID: randomUUID(), kernelVersion: "6.8.0-49-generic", osImage: "Ubuntu 24.04.1 LTS",
        containerRuntimeVersion: "containerd://1.7.24", kubeletVersion: "v1.32.4", kubeProxyVersion: "v1.32.4", operatingSystem: "linux", architecture: "amd64",
      },
    }, "kubelet");
  });
  if (!api.tryGet(res("services"), "default", "kubernetes")) {
    api.create(res("services"), "default", {
      metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
      spec: { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }] },
    }, { fieldManager: "kube-apiserver" });
    api.create(res("endpoints"), "default", {
      metadata: { name: "kubernetes", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
      subsets: [{ addresses: [{ ip: "10.0.20.100" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }],
    }, { fieldManager: "kube-apiserver" });
  }
}

/** `technitiumImage`: the dns-server image the three Deployments run (follows the Technitium twin's version). */
export function seedHomelab(api: Api, opts: { technitiumImage?: string } = {}) {
  try { seedHomelabAt(api, opts); } finally { setTimeShift(0); }
}
function seedHomelabAt(api: Api, opts: { technitiumImage?: string }) {
  setTimeShift(-260 * DAY);
  const ks = "kube-system";
  // ---- kubeadm's CoreDNS ----
  api.create(res("serviceaccounts"), ks, { metadata: { name: "coredns" } }, { fieldManager: "kubeadm" });
  api.create(res("configmaps"), ks, { metadata: { name: "coredns" }, data: { Corefile: KUBEADM_DEFAULT_COREFILE } }, { fieldManager: "kubeadm" });
  api.create(res("services"), ks, {
    metadata: { name: "kube-dns", labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" }, annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" } },
    spec: {
      clusterIP: "10.96.0.10", selector: { "k8s-app": "kube-dns" },
      ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 }, { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 }],
    },
  }, { fieldManager: "kubeadm" });
  api.create(res("deployments", "apps"), ks, {
    metadata: { name: "coredns", labels: { "k8s-app": "kube-dns" } },
    spec: {
      replicas: 2,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: { "k8s-app": "kube-dns" } },
      template: {
        metadata: { labels: { "k8s-app": "kube-dns" } },
        spec: {
          priorityClassName: "system-cluster-critical",
          serviceAccountName: "coredns",
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] }, topologyKey: "kubernetes.io/hostname" } }] } },
          tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
          nodeSelector: { "kubernetes.io/os": "linux" },
          containers: [{
            name: "coredns", image: "registry.k8s.io/coredns/coredns:v1.11.3", imagePullPolicy: "IfNotPresent",
            resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
            args: ["-conf", "/etc/coredns/Corefile"],
            volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
            ports: [
              { containerPort: 53, name: "dns", protocol: "UDP" }, { containerPort: 53, name: "dns-tcp", protocol: "TCP" }, { containerPort: 9153, name: "metrics", protocol: "TCP" },
              { containerPort: 8080, name: "liveness-probe", protocol: "TCP" }, { containerPort: 8181, name: "readiness-probe", protocol: "TCP" },
            ],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] }, readOnlyRootFilesystem: true },
            livenessProbe: { httpGet: { path: "/health", port: "liveness-probe", scheme: "HTTP" }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
            readinessProbe: { httpGet: { path: "/ready", port: "readiness-probe", scheme: "HTTP" } },
          }],
          dnsPolicy: "Default",
          volumes: [{ name: "config-volume", configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] } }],
        },
      },
    },
  }, { fieldManager: "kubeadm" });
  // Terraform (stacks/technitium): Corefile, the Deployment patch (replicas + required anti-affinity), PDB
  setTimeShift(-36 * DAY);
  api.patch(res("configmaps"), ks, "coredns", APPLY, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns", namespace: ks }, data: { Corefile: HOMELAB_COREFILE } }, { fieldManager: "Terraform", force: true });
  api.patch(res("deployments", "apps"), ks, "coredns", APPLY, {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "coredns", namespace: ks },
    spec: {
      replicas: 3,
      template: { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { "k8s-app": "kube-dns" } }, topologyKey: "kubernetes.io/hostname" }] } } } },
    },
  }, { fieldManager: "Terraform", force: true });
  api.patch(res("poddisruptionbudgets", "policy"), ks, "coredns", APPLY, {
    apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "coredns", namespace: ks },
    spec: { minAvailable: 2, selector: { matchLabels: { "k8s-app": "kube-dns" } } },
  }, { fieldManager: "Terraform", force: true });

  // ---- technitium namespace (Terraform kubernetes_manifest → SSA as "Terraform") ----
  setTimeShift(-40 * DAY); // the 2026-04-14 migration to proxmox-lvm-encrypted re-created the technitium stack
  const ns = "technitium";
  const tf = (r: ReturnType<typeof res>, name: string, body: Obj) => api.patch(r, r.namespaced ? ns : undefined, name, APPLY, { ...body, metadata: { ...(body.metadata ?? {}), name, ...(r.namespaced ? { namespace: ns } : {}) } }, { fieldManager: "Terraform", force: true });
  tf(res("namespaces"), ns, { apiVersion: "v1", kind: "Namespace", metadata: { labels: { tier: "core" } } });
  const instances = [
    { name: "technitium", pvc: "technitium-primary-config-encrypted", blocking: false },
    { name: "technitium-secondary", pvc: "technitium-secondary-config-encrypted", blocking: true },
    { name: "technitium-tertiary", pvc: "technitium-tertiary-config-encrypted", blocking: true },
  ];
  for (const i of instances) {
    tf(res("persistentvolumeclaims"), i.pvc, {
      apiVersion: "v1", kind: "PersistentVolumeClaim",
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: "proxmox-lvm-encrypted", resources: { requests: { storage: "2Gi" } } },
    });
    const pvc = api.get(res("persistentvolumeclaims"), ns, i.pvc);
    const vol = `pvc-${randomUUID()}`;
    api.writeSpec(res("persistentvolumeclaims"), pvc, (o) => {
      o.spec.volumeName = vol;
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes", "volume.beta.kubernetes.io/storage-provisioner": "csi.proxmox.sinextra.dev", "volume.kubernetes.io/storage-provisioner": "csi.proxmox.sinextra.dev" };
      o.metadata.finalizers = ["kubernetes.io/pvc-protection"];
    });
    api.writeStatus(res("persistentvolumeclaims"), api.get(res("persistentvolumeclaims"), ns, i.pvc), { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "2Gi" } });
    tf(res("deployments", "apps"), i.name, {
      apiVersion: "apps/v1", kind: "Deployment",
      metadata: { labels: { app: i.name, "dns-server": "true" } },
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: { app: i.name } },
        template: {
          metadata: { labels: { app: i.name, "dns-server": "true" } },
          spec: {
            affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { "dns-server": "true" } }, topologyKey: "kubernetes.io/hostname" }] } },
            containers: [{
              name: "technitium", image: opts.technitiumImage ?? "technitium/dns-server:15.2.0",
              env: [
                { name: "DNS_SERVER_DOMAIN", value: "viktorbarzin.lan" },
                ...(i.blocking ? [{ name: "DNS_SERVER_ENABLE_BLOCKING", value: "true" }] : []),
              ],
              ports: [{ containerPort: 5380, name: "http", protocol: "TCP" }, { containerPort: 53, name: "dns", protocol: "UDP" }, { containerPort: 53, name: "dns-tcp", protocol: "TCP" }, { containerPort: 80, name: "doh", protocol: "TCP" }],
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
              readinessProbe: { tcpSocket: { port: 53 }, initialDelaySeconds: 5, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: "/", port: 5380 }, initialDelaySeconds: 30, periodSeconds: 30 },
              volumeMounts: [{ name: "config", mountPath: "/etc/dns" }],
            }],
            volumes: [{ name: "config", persistentVolumeClaim: { claimName: i.pvc } }],
          },
        },
      },
    });
  }
  const dnsPorts = [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 }];
  tf(res("services"), "technitium-dns", {
    apiVersion: "v1", kind: "Service",
    metadata: { annotations: { "metallb.universe.tf/loadBalancerIPs": "10.0.20.201" } },
    spec: { type: "LoadBalancer", loadBalancerIP: "10.0.20.201", externalTrafficPolicy: "Local", selector: { "dns-server": "true" }, ports: dnsPorts },
  });
  api.writeStatus(res("services"), api.get(res("services"), ns, "technitium-dns"), { loadBalancer: { ingress: [{ ip: "10.0.20.201", ipMode: "VIP" }] } }, "metallb-controller");
  tf(res("services"), "technitium-dns-internal", { apiVersion: "v1", kind: "Service", spec: { type: "ClusterIP", clusterIP: "10.96.0.53", selector: { "dns-server": "true" }, ports: dnsPorts } });
  tf(res("services"), "technitium-primary", { apiVersion: "v1", kind: "Service", spec: { selector: { app: "technitium" }, ports: [{ name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 }, { name: "http", port: 5380, protocol: "TCP", targetPort: 5380 }] } });
  tf(res("services"), "technitium-web", { apiVersion: "v1", kind: "Service", spec: { selector: { app: "technitium" }, ports: [{ name: "http", port: 5380, protocol: "TCP", targetPort: 5380 }, { name: "doh", port: 80, protocol: "TCP", targetPort: 80 }] } });
  tf(res("services"), "technitium-secondary-web", { apiVersion: "v1", kind: "Service", spec: { selector: { app: "technitium-secondary" }, ports: [{ name: "http", port: 5380, protocol: "TCP", targetPort: 5380 }] } });
  tf(res("services"), "technitium-tertiary-web", { apiVersion: "v1", kind: "Service", spec: { selector: { app: "technitium-tertiary" }, ports: [{ name: "http", port: 5380, protocol: "TCP", targetPort: 5380 }] } });
  tf(res("poddisruptionbudgets", "policy"), "technitium-dns", { apiVersion: "policy/v1", kind: "PodDisruptionBudget", spec: { minAvailable: 2, selector: { matchLabels: { "dns-server": "true" } } } });
  const cron = (name: string, schedule: string, script: string, extra: Obj = {}) => tf(res("cronjobs", "batch"), name, {
    apiVersion: "batch/v1", kind: "CronJob",
    spec: {
      schedule, ...extra,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: {
          backoffLimit: 1,
          template: {
            spec: {
              restartPolicy: "Never",
              containers: [{
                name: name.replace(/^technitium-/, ""), image: "alpine:3.20",
                command: ["/bin/sh", "-c", script],
                env: [{ name: "TECHNITIUM_URL", value: "http://technitium-web.technitium.svc.cluster.local:5380" }],
              }],
            },
          },
        },
      },
    },
  });
  cron("technitium-zone-sync", "*/30 * * * *", "apk add --no-cache curl jq >/dev/null && /scripts/zone-sync.sh", { concurrencyPolicy: "Forbid" });
  cron("technitium-password-sync", "0 */6 * * *", "apk add --no-cache curl jq >/dev/null && /scripts/password-sync.sh");
  cron("technitium-split-horizon-sync", "15 */6 * * *", "apk add --no-cache curl jq >/dev/null && /scripts/split-horizon-sync.sh");
  cron("technitium-dns-optimization", "30 */6 * * *", "apk add --no-cache curl jq >/dev/null && /scripts/dns-optimization.sh");
  // the CronJobs have been running: last schedule / success as the controller would have recorded them
  setTimeShift(0);
  for (const c of api.store.list(res("cronjobs", "batch"), ns)) {
    const last = prevCron(c.spec.schedule, Date.now());
    if (last === undefined) continue;
    api.writeStatus(res("cronjobs", "batch"), c, { lastScheduleTime: ts(last), lastSuccessfulTime: ts(last + 23_000) });
  }
}
