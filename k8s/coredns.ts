import type { StackConfig } from "./config";
import { renderCorednsCorefile } from "./corefile-render";
import type { KubeObject } from "./types";

/**
 * The kubeadm-managed CoreDNS: dnsdeck owns the Corefile ConfigMap, and applies a minimal SSA intent to the kubeadm
 * Deployment holding only replicas and the required pod anti-affinity (reference §5: kubeadm upgrades revert these,
 * which shows up as drift). The Deployment intent never carries labels, selector, containers or probes: those stay
 * kubeadm's. The PDB is dnsdeck's.
 */
export function renderCoredns(config: StackConfig): KubeObject[] {
  const c = config.coredns;
  const objects: KubeObject[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: c.configMapName, namespace: c.namespace },
      data: { Corefile: renderCorednsCorefile(config) },
    },
  ];

  const podSpec: Record<string, unknown> = {};
  if (c.requiredAntiAffinity) {
    podSpec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            topologyKey: "kubernetes.io/hostname",
          },
        ],
      },
    };
  }
  objects.push({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: c.deploymentName, namespace: c.namespace },
    spec: { replicas: c.replicas, ...(Object.keys(podSpec).length ? { template: { spec: podSpec } } : {}) },
  });

  if (c.pdb) {
    objects.push({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: c.pdb.name, namespace: c.namespace },
      spec: { minAvailable: c.pdb.minAvailable, selector: { matchLabels: { "k8s-app": "kube-dns" } } },
    });
  }
  return objects;
}
