import type { StackConfig, TechnitiumInstance } from "./config";
import type { KubeObject } from "./types";

/**
 * Technitium HA (seed: "Technitium DNS — Internal DNS Server"): three independent instances, each a Deployment with
 * `Recreate` (RWO block storage) and its own PVC, all labelled dns-server=true so the LoadBalancer (ETP Local, pinned
 * 10.0.20.201) and the pinned ClusterIP (10.96.0.53) reach any healthy one; per-instance web Services; a PDB; and
 * the four CronJobs. Order: PVCs, Deployments, Services, PDB, CronJobs.
 *
 * Names of list entries (containers, ports) and labels follow the Terraform-managed objects (stacks/technitium), so a
 * takeover changes values, never adds a second container or port next to Terraform's: SSA merges those lists by
 * key, and an entry under another name would stay beside the old one.
 */

const WEB_PORT = 5380;
const DOH_PORT = 80;
const DATA_DIR = "/etc/dns";

function dnsPorts() {
  return [
    { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
    { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
  ];
}

function deployment(config: StackConfig, inst: TechnitiumInstance): KubeObject {
  const t = config.technitium;
  const podLabels = { app: inst.appLabel, [t.dnsServerLabel.key]: t.dnsServerLabel.value };
  const resources: Record<string, Record<string, string>> = {};
  for (const kind of ["requests", "limits"] as const) {
    const r = Object.fromEntries(Object.entries(t.resources[kind]).filter(([, v]) => v !== undefined)) as Record<string, string>;
    if (Object.keys(r).length) resources[kind] = r;
  }
  const env = Object.entries(inst.env).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: inst.deployment, namespace: t.namespace, labels: podLabels },
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: { app: inst.appLabel } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          ...(t.requiredAntiAffinity
            ? {
                affinity: {
                  podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                      {
                        labelSelector: { matchLabels: { [t.dnsServerLabel.key]: t.dnsServerLabel.value } },
                        topologyKey: "kubernetes.io/hostname",
                      },
                    ],
                  },
                },
              }
            : {}),
          containers: [
            {
              name: "technitium",
              image: t.image,
              ...(env.length ? { env } : {}),
              ports: [
                { containerPort: WEB_PORT, name: "http", protocol: "TCP" },
                { containerPort: 53, name: "dns", protocol: "UDP" },
                { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                { containerPort: DOH_PORT, name: "doh", protocol: "TCP" },
              ],
              resources,
              // Ready = answering on 53: the LoadBalancer (ETP Local) and the pinned ClusterIP only send to ready pods
              readinessProbe: { tcpSocket: { port: 53 }, initialDelaySeconds: 5, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: "/", port: WEB_PORT }, initialDelaySeconds: 30, periodSeconds: 30 },
              volumeMounts: [{ name: "config", mountPath: DATA_DIR }],
            },
          ],
          volumes: [{ name: "config", persistentVolumeClaim: { claimName: inst.pvc } }],
        },
      },
    },
  };
}

function cronJob(config: StackConfig, cj: StackConfig["technitium"]["cronJobs"]["zoneSync"]): KubeObject {
  const t = config.technitium;
  const metadata = { name: cj.name, namespace: t.namespace };
  if (!cj.command) {
    // dnsdeck's opinion is the schedule only; the job template stays with whoever owns it
    return { apiVersion: "batch/v1", kind: "CronJob", metadata, spec: { schedule: cj.schedule, suspend: cj.suspend } };
  }
  const dnsdeck = cj.image === "dnsdeck";
  const env: { name: string; value: string }[] = [];
  if (dnsdeck) {
    env.push(
      { name: "DNSDECK_TRIGGER", value: "cronjob" },
      { name: "DNSDECK_CRONJOB_NAME", value: cj.name },
      { name: "TECHNITIUM_INSTANCES", value: t.instances.map((i) => `${i.name}=http://${i.webService}.${t.namespace}.svc.cluster.local:${WEB_PORT}`).join(",") },
    );
    if (t.pushgatewayUrl) env.push({ name: "PUSHGATEWAY_URL", value: t.pushgatewayUrl });
  }
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata,
    spec: {
      schedule: cj.schedule,
      suspend: cj.suspend,
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: {
          backoffLimit: 1,
          template: {
            spec: {
              restartPolicy: "Never",
              ...(dnsdeck ? { securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } } } : {}),
              containers: [
                {
                  // the Terraform container's name, so SSA replaces it instead of adding a second container
                  name: cj.name.replace(/^technitium-/, ""),
                  image: dnsdeck ? t.dnsdeckImage : cj.image,
                  command: cj.command,
                  ...(env.length ? { env } : {}),
                  ...(dnsdeck ? { envFrom: [{ secretRef: { name: t.cronSecretName } }] } : {}),
                },
              ],
            },
          },
        },
      },
    },
  };
}

export function renderTechnitium(config: StackConfig): KubeObject[] {
  const t = config.technitium;
  const ns = t.namespace;
  const dnsSelector = { [t.dnsServerLabel.key]: t.dnsServerLabel.value };
  const primary = t.instances.find((i) => i.name === "primary") ?? t.instances[0];
  const out: KubeObject[] = [];

  for (const inst of t.instances) {
    out.push({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: inst.pvc, namespace: ns },
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: t.storageClassName, resources: { requests: { storage: t.storageSize } } },
    });
  }
  for (const inst of t.instances) out.push(deployment(config, inst));

  const lb = t.services.loadBalancer;
  out.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: lb.name, namespace: ns, annotations: { "metallb.universe.tf/loadBalancerIPs": lb.ip } },
    // ETP Local keeps LAN client addresses (Split Horizon matches 192.168.1.0/24 on them)
    spec: { type: "LoadBalancer", loadBalancerIP: lb.ip, externalTrafficPolicy: lb.externalTrafficPolicy, ports: dnsPorts(), selector: dnsSelector },
  });
  out.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: t.services.clusterIp.name, namespace: ns },
    spec: { type: "ClusterIP", clusterIP: t.services.clusterIp.ip, ports: dnsPorts(), selector: dnsSelector },
  });
  out.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: t.services.primary.name, namespace: ns },
    spec: {
      type: "ClusterIP",
      // zone transfers (AXFR over TCP) and the primary's API
      ports: [
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "http", port: WEB_PORT, protocol: "TCP", targetPort: WEB_PORT },
      ],
      selector: { app: primary.appLabel },
    },
  });
  for (const inst of t.instances) {
    const ports = [{ name: "http", port: WEB_PORT, protocol: "TCP", targetPort: WEB_PORT }];
    if (inst === primary) ports.push({ name: "doh", port: DOH_PORT, protocol: "TCP", targetPort: DOH_PORT });
    out.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: inst.webService, namespace: ns },
      spec: { type: "ClusterIP", ports, selector: { app: inst.appLabel } },
    });
  }
  if (t.pdb) {
    out.push({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: t.pdb.name, namespace: ns },
      spec: { minAvailable: t.pdb.minAvailable, selector: { matchLabels: dnsSelector } },
    });
  }
  const cj = t.cronJobs;
  for (const c of [cj.zoneSync, cj.passwordSync, cj.splitHorizonSync, cj.dnsOptimization]) out.push(cronJob(config, c));
  return out;
}
