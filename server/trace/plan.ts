/**
 * The hop plan of a trace: the stages of the class's path (server/architecture/paths.ts) expanded with live
 * addresses (CoreDNS and Technitium pod IPs, the kube-dns-upstream ClusterIP). Pure.
 */
import type { ArchConfig } from "@/server/architecture/estate";
import { type ClientClass, type NameKind, nameKind, stagesFor } from "@/server/architecture/paths";

export interface LiveAddresses {
  nodeLocalDeployed: boolean;
  upstreamClusterIp?: string;
  coreDnsPods?: { name: string; ip?: string }[];
  technitiumPods?: { instance: string; podName?: string; ip?: string; primary: boolean }[];
  /** Why live addresses are missing (shown on the skipped hops). */
  liveError?: string;
}

export interface PlannedHop {
  hop: string;
  stage: string;
  /** Stack address (DNS_ADDRESS_MAP is applied by the DNS client). Empty when the address is unknown. */
  server: string;
  via?: string;
  /** The Technitium instance behind this hop (Technitium pod hops). */
  instance?: string;
  /** This hop sees the answer before Split Horizon translation (the public upstream on the LAN path). */
  expectRaw?: boolean;
  /** Why this hop is not queried. */
  skip?: string;
}

export interface TracePlan {
  name: string;
  clientClass: ClientClass;
  node?: string;
  kind: NameKind;
  hops: PlannedHop[];
  /** Index of the hop whose answer is authoritative for the comparison. */
  reference: number;
  /**
   * For LAN clients: the client network. Every hop is asked from dnsdeck's own (cluster) address — Technitium's Split
   * Horizon matches the packet's source address, so no query of dnsdeck's can stand in for a LAN client; what a LAN
   * client gets is computed per instance from its live config (server/trace/lan-view.ts).
   */
  lanNetwork?: string;
}

export function planTrace(cfg: ArchConfig, clientClass: ClientClass, name: string, node: string | undefined, live: LiveAddresses): TracePlan {
  const kind = nameKind(cfg, name);
  const hops: PlannedHop[] = [];
  const seen = new Set<string>();
  const push = (h: PlannedHop) => {
    const key = `${h.server}|${h.via ?? ""}`;
    if (h.server && seen.has(key)) return;
    if (h.server) seen.add(key);
    hops.push(h);
  };
  for (const st of stagesFor(cfg, clientClass, name, { nodeLocalDeployed: live.nodeLocalDeployed })) {
    for (const t of st.targets) {
      if (t.kind === "address") push({ hop: t.viaNode ? `${t.hop} on ${node ?? "?"}` : t.hop, stage: st.key, server: t.server, via: t.viaNode ? node : undefined, expectRaw: t.expectRaw });
      else if (t.kind === "upstream-service")
        push(live.upstreamClusterIp ? { hop: `${t.hop} ${live.upstreamClusterIp}`, stage: st.key, server: live.upstreamClusterIp } : { hop: t.hop, stage: st.key, server: "", skip: `ClusterIP unknown (${live.liveError ?? "Service not found"})` });
      else if (t.kind === "coredns-pods") {
        if (!live.coreDnsPods?.length) push({ hop: "CoreDNS pods", stage: st.key, server: "", skip: `no CoreDNS pod IPs (${live.liveError ?? "no pods found"})` });
        for (const p of live.coreDnsPods ?? []) push(p.ip ? { hop: `CoreDNS ${p.name}`, stage: st.key, server: p.ip } : { hop: `CoreDNS ${p.name}`, stage: st.key, server: "", skip: "pod has no IP" });
      } else {
        const pods = live.technitiumPods ?? [];
        if (!pods.length) push({ hop: "Technitium instances", stage: st.key, server: "", skip: `no Technitium pod IPs (${live.liveError ?? "no pods found"})` });
        for (const p of pods) {
          const hop = `Technitium ${p.instance}${p.podName ? ` (${p.podName})` : ""}`;
          push(p.ip ? { hop, stage: st.key, server: p.ip, instance: p.instance } : { hop, stage: st.key, server: "", instance: p.instance, skip: "pod has no IP" });
        }
      }
    }
  }
  let reference = -1;
  if (kind === "internal") {
    const primary = live.technitiumPods?.find((p) => p.primary && p.ip);
    if (primary) {
      reference = hops.findIndex((h) => h.server === primary.ip);
      if (reference < 0) {
        hops.push({ hop: `reference: Technitium ${primary.instance} (zone primary)`, stage: "reference", server: primary.ip! });
        reference = hops.length - 1;
      }
    }
  } else {
    reference = hops.findIndex((h) => h.server === cfg.publicUpstream && !h.via);
    if (reference < 0) {
      hops.push({ hop: `reference: upstream ${cfg.publicUpstream}`, stage: "reference", server: cfg.publicUpstream, expectRaw: true });
      reference = hops.length - 1;
    }
  }
  return { name, clientClass, node, kind, hops, reference, lanNetwork: clientClass === "lan" ? cfg.lanNetwork : undefined };
}
