// NodeLocal DNSCache objects as dnsdeck would apply them (transparent mode, homelab deltas).
export const NODELOCAL_COREFILE = `cluster.local:53 {
    errors
    cache {
        success 9984 30
        denial 9984 5
    }
    reload
    loop
    bind 169.254.20.10 10.96.0.10
    forward . __PILLAR__CLUSTER__DNS__ {
        force_tcp
    }
    prometheus :9253
    health 169.254.20.10:8080
}
in-addr.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind 169.254.20.10 10.96.0.10
    forward . __PILLAR__CLUSTER__DNS__ {
        force_tcp
    }
    prometheus :9253
}
.:53 {
    errors
    cache 30
    reload
    loop
    bind 169.254.20.10 10.96.0.10
    forward . __PILLAR__CLUSTER__DNS__
    prometheus :9253
}
`;

export const upstreamService = {
  apiVersion: "v1", kind: "Service",
  metadata: { name: "kube-dns-upstream", namespace: "kube-system", labels: { "k8s-app": "kube-dns", "kubernetes.io/name": "KubeDNSUpstream" } },
  spec: { selector: { "k8s-app": "kube-dns" }, ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 }] },
};

export const nodeLocalConfigMap = (corefile = NODELOCAL_COREFILE) => ({
  apiVersion: "v1", kind: "ConfigMap", metadata: { name: "node-local-dns", namespace: "kube-system" }, data: { Corefile: corefile },
});

export const nodeLocalDaemonSet = (extraAnnotations: Record<string, string> = {}, maxUnavailable: number | string = "10%") => ({
  apiVersion: "apps/v1", kind: "DaemonSet",
  metadata: { name: "node-local-dns", namespace: "kube-system", labels: { "k8s-app": "node-local-dns" } },
  spec: {
    selector: { matchLabels: { "k8s-app": "node-local-dns" } },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable } },
    template: {
      metadata: { labels: { "k8s-app": "node-local-dns" }, annotations: { "prometheus.io/port": "9253", "prometheus.io/scrape": "true", ...extraAnnotations } },
      spec: {
        priorityClassName: "system-node-critical",
        serviceAccountName: "node-local-dns",
        hostNetwork: true,
        dnsPolicy: "Default",
        tolerations: [{ operator: "Exists" }],
        containers: [{
          name: "node-cache", image: "registry.k8s.io/dns/k8s-dns-node-cache:1.23.1",
          resources: { requests: { cpu: "25m", memory: "32Mi" }, limits: { memory: "128Mi" } },
          args: ["-localip", "169.254.20.10,10.96.0.10", "-conf", "/etc/Corefile", "-upstreamsvc", "kube-dns-upstream", "-pidfile", "/tmp/node-cache.pid"],
          securityContext: { capabilities: { add: ["NET_ADMIN"] } },
          ports: [{ containerPort: 53, name: "dns", protocol: "UDP" }, { containerPort: 53, name: "dns-tcp", protocol: "TCP" }, { containerPort: 9253, name: "metrics", protocol: "TCP" }],
          livenessProbe: { httpGet: { host: "169.254.20.10", path: "/health", port: 8080 }, initialDelaySeconds: 60, timeoutSeconds: 5 },
          volumeMounts: [{ mountPath: "/run/xtables.lock", name: "xtables-lock" }, { name: "config-volume", mountPath: "/etc/coredns" }, { name: "kube-dns-config", mountPath: "/etc/kube-dns" }],
        }],
        volumes: [
          { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
          { name: "kube-dns-config", configMap: { name: "kube-dns", optional: true } },
          { name: "config-volume", configMap: { name: "node-local-dns", items: [{ key: "Corefile", path: "Corefile.base" }] } },
        ],
      },
    },
  },
});
