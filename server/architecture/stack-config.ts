/**
 * The slice of the stack config (k8s/config.ts) the architecture graph, the paths and the tracer draw from. Pure.
 * pfSense and the public upstream are not part of the stack config (dnsdeck does not manage them): their addresses
 * come from the seed document.
 */
import { defaultStackConfig, type StackConfig } from "@/k8s/config";
import type { ArchConfig } from "./estate";

export const PFSENSE = { k8sVlanIp: "10.0.20.1", mgmtVlanIp: "10.0.10.1", lanWanIp: "192.168.1.2" } as const;
export const PUBLIC_UPSTREAM = "1.1.1.1";
export const LAN_NETWORK = "192.168.1.0/24";
/** Kyverno injects ndots:2 on every pod (seed, "Kyverno ndots injection"). */
export const CLUSTER_NDOTS = 2;

export function archConfigFrom(stack: StackConfig = defaultStackConfig): ArchConfig {
  const t = stack.technitium;
  const cj = t.cronJobs;
  const zoneSyncFirst = [cj.zoneSync, cj.splitHorizonSync, cj.dnsOptimization, cj.passwordSync];
  const translations: ArchConfig["splitHorizon"] = [];
  for (const [network, group] of Object.entries(t.splitHorizon.networkGroupMap)) {
    const g = t.splitHorizon.groups.find((x) => x.name === group && x.enabled);
    if (!g || !t.splitHorizon.enableAddressTranslation) continue;
    for (const [from, to] of Object.entries(g.externalToInternalTranslation)) translations.push({ network, from, to });
  }
  return {
    linkLocalIp: stack.nodelocal.linkLocalIp,
    kubeDnsIp: stack.nodelocal.kubeDnsClusterIp,
    nodeLocalName: stack.nodelocal.name,
    upstreamServiceName: stack.nodelocal.upstreamServiceName,
    nodeLocalZones: stack.nodelocal.zones.map((z) => ({ zone: z.zone, forward: z.forward })),
    coreDnsForwarders: stack.coredns.forwarders,
    coreDnsPolicy: stack.coredns.policy,
    coreDnsTemplate: stack.coredns.internalZone.ndotsTemplate,
    internalZone: stack.coredns.internalZone.zone.replace(/\.$/, ""),
    technitiumClusterIp: t.services.clusterIp.ip,
    technitiumLbIp: t.services.loadBalancer.ip,
    technitiumNamespace: t.namespace,
    technitiumInstances: t.instances.map((i, idx) => ({ name: i.name, deployment: i.deployment, appLabel: i.appLabel, primary: idx === 0 })),
    technitiumPodSelector: `${t.dnsServerLabel.key}=${t.dnsServerLabel.value}`,
    coreDnsNamespace: stack.coredns.namespace,
    coreDnsDeployment: stack.coredns.deploymentName,
    nodeLocalNamespace: stack.nodelocal.namespace,
    lbServiceName: t.services.loadBalancer.name,
    clusterIpServiceName: t.services.clusterIp.name,
    cronJobs: [
      ...zoneSyncFirst.map((c) => ({ name: c.name, namespace: t.namespace, schedule: c.schedule, managed: true })),
      // phpIPAM's own jobs (namespace phpipam): drawn for the whole picture, never counted or listed as dnsdeck's
      { name: "phpipam-dns-sync", namespace: "phpipam", schedule: "*/15 * * * *", managed: false },
      { name: "phpipam-pfsense-import", namespace: "phpipam", schedule: "*/5 * * * *", managed: false },
    ],
    splitHorizon: translations,
    pfSense: { ...PFSENSE },
    publicUpstream: PUBLIC_UPSTREAM,
    clusterDomain: stack.nodelocal.clusterDomain.replace(/\.$/, ""),
    clusterNdots: CLUSTER_NDOTS,
    lanNetwork: LAN_NETWORK,
  };
}
