import type { StackConfig } from "./config";
import { renderNodeLocalCorefile } from "./corefile-render";
import { type KubeObject, MANAGED_BY } from "./types";

/**
 * NodeLocal DNSCache in transparent mode, following kubernetes/kubernetes
 * cluster/addons/dns/nodelocaldns/nodelocaldns.yaml (reference §1.1, §1.4) with the homelab's deltas: co-listening on
 * the link-local IP and the kube-dns ClusterIP, memory 32Mi/128Mi, `operator: Exists` toleration, a pidfile so the
 * iptables rules are added as soon as CoreDNS runs. The legacy addon-manager labels are left out (no addon-manager).
 *
 * Returned in apply order: the `kube-dns-upstream` Service must exist before any node-local-dns pod is created,
 * because node-cache reads its ClusterIP from the kubelet-injected KUBE_DNS_UPSTREAM_SERVICE_HOST (reference §1.3).
 */

/** The Go-flag-safe args for node-cache; non-boolean flags as separate words like the upstream manifest. */
export function nodeCacheArgs(config: StackConfig): string[] {
  const n = config.nodelocal;
  const args = ["-localip", `${n.linkLocalIp},${n.kubeDnsClusterIp}`, "-conf", "/etc/Corefile", "-upstreamsvc", n.upstreamServiceName, "-pidfile", "/tmp/node-cache.pid"];
  if (n.healthPort !== 8080) args.push(`-health-port=${n.healthPort}`);
  args.push(...n.extraArgs);
  return args;
}

/** Env var node-cache derives from -upstreamsvc (dashes → underscores, upper-cased). */
export function upstreamServiceEnvVar(serviceName: string): string {
  return `${serviceName.toUpperCase().replace(/-/g, "_")}_SERVICE_HOST`;
}

export function renderNodeLocal(config: StackConfig): KubeObject[] {
  const n = config.nodelocal;
  const ns = n.namespace;
  const appLabel = { "k8s-app": n.name };
  const promAnnotations = { "prometheus.io/port": String(n.metricsPort), "prometheus.io/scrape": "true" };

  const serviceAccount: KubeObject = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: n.name, namespace: ns, labels: { ...MANAGED_BY } },
  };

  const upstreamService: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: n.upstreamServiceName,
      namespace: ns,
      labels: { "k8s-app": "kube-dns", "kubernetes.io/name": "KubeDNSUpstream", ...MANAGED_BY },
    },
    spec: {
      type: "ClusterIP",
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
      ],
      // The CoreDNS pods (same endpoints as kube-dns, but a ClusterIP that is not intercepted on the node).
      selector: { "k8s-app": "kube-dns" },
    },
  };

  const configMap: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: n.name, namespace: ns, labels: { ...MANAGED_BY } },
    data: { Corefile: renderNodeLocalCorefile(config) },
  };

  const metricsService: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: n.name, namespace: ns, labels: { ...appLabel, ...MANAGED_BY }, annotations: { ...promAnnotations } },
    spec: {
      clusterIP: "None",
      ports: [{ name: "metrics", port: n.metricsPort, targetPort: n.metricsPort, protocol: "TCP" }],
      selector: { ...appLabel },
    },
  };

  const resources: Record<string, Record<string, string>> = {};
  for (const kind of ["requests", "limits"] as const) {
    const r = Object.fromEntries(Object.entries(n.resources[kind]).filter(([, v]) => v !== undefined)) as Record<string, string>;
    if (Object.keys(r).length) resources[kind] = r;
  }

  const daemonSet: KubeObject = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: n.name, namespace: ns, labels: { ...appLabel, ...MANAGED_BY } },
    spec: {
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: n.maxUnavailable } },
      selector: { matchLabels: { ...appLabel } },
      template: {
        metadata: { labels: { ...appLabel }, annotations: { ...promAnnotations } },
        spec: {
          priorityClassName: n.priorityClassName,
          serviceAccountName: n.name,
          hostNetwork: true,
          // Never ClusterFirst*: node-cache must not resolve through itself.
          dnsPolicy: "Default",
          tolerations: n.tolerations,
          containers: [
            {
              name: "node-cache",
              image: n.image,
              resources,
              args: nodeCacheArgs(config),
              securityContext: { capabilities: { add: ["NET_ADMIN"] } },
              ports: [
                { containerPort: 53, name: "dns", protocol: "UDP" },
                { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                { containerPort: n.metricsPort, name: "metrics", protocol: "TCP" },
              ],
              livenessProbe: {
                httpGet: { host: n.linkLocalIp, path: "/health", port: n.healthPort },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
              },
              volumeMounts: [
                { name: "xtables-lock", mountPath: "/run/xtables.lock", readOnly: false },
                { name: "config-volume", mountPath: "/etc/coredns" },
                { name: "kube-dns-config", mountPath: "/etc/kube-dns" },
              ],
            },
          ],
          volumes: [
            { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
            { name: "kube-dns-config", configMap: { name: "kube-dns", optional: true } },
            { name: "config-volume", configMap: { name: n.name, items: [{ key: "Corefile", path: "Corefile.base" }] } },
          ],
        },
      },
    },
  };

  return [serviceAccount, upstreamService, configMap, metricsService, daemonSet];
}
