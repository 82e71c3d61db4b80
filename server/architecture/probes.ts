/**
 * What DNS answers, per component of the graph: one query to each DNS hop the estate has (NodeLocal on every node,
 * kube-dns-upstream, each CoreDNS pod, the Technitium ClusterIP and LoadBalancer, each Technitium pod), sent the way
 * the tracer sends them (server/dns, DNS_ADDRESS_MAP, the unmapped guard). Each probe asks a name the hop answers by
 * itself or through its own upstream, so a silent hop is told apart from one whose upstream is silent:
 * - NodeLocal, kube-dns-upstream and CoreDNS: `kubernetes.default.svc.<cluster domain>` (answered by CoreDNS's
 *   kubernetes plugin — Technitium is not on that path);
 * - Technitium Services and pods: the SOA of the internal zone (answered by Technitium itself).
 * Pure apart from the injected query; every probe is bounded by its own timeout and never throws.
 */
import type { ArchConfig, Estate } from "./estate";

export interface ProbeResult {
  /** Stack address asked, "@node" when sent via a node. */
  server: string;
  name: string;
  type: string;
  ok: boolean;
  /** "answered NOERROR in 3 ms" / "no answer within 1000 ms" / "SERVFAIL" / "not sent: …". */
  text: string;
  /** Not sent (no address, or not covered by DNS_ADDRESS_MAP): says nothing about health. */
  skipped?: boolean;
}

export interface DnsProbes {
  nodeLocal: Record<string, ProbeResult>;
  upstream?: ProbeResult;
  coreDns: Record<string, ProbeResult>;
  clusterIp?: ProbeResult;
  lb?: ProbeResult;
  technitium: Record<string, ProbeResult>;
}

export interface ProbeDeps {
  query(opts: { name: string; type: string; server: string; via?: string; timeoutMs: number }): Promise<{ rcode: string; answers: unknown[]; latencyMs: number }>;
  /** Why a server may not be asked (e.g. not in DNS_ADDRESS_MAP); null = send. */
  mayQuery?(server: string, via?: string): string | null;
  timeoutMs?: number;
}

export async function probeEstate(cfg: ArchConfig, estate: Estate, deps: ProbeDeps): Promise<DnsProbes> {
  const timeoutMs = deps.timeoutMs ?? 1000;
  const clusterName = `kubernetes.default.svc.${cfg.clusterDomain}`;
  const probe = async (server: string | undefined, name: string, type: string, via?: string): Promise<ProbeResult> => {
    const at = `${server ?? "?"}${via ? `@${via}` : ""}`;
    if (!server) return { server: at, name, type, ok: false, skipped: true, text: "not sent: address unknown" };
    const refusal = deps.mayQuery?.(server, via);
    if (refusal) return { server: at, name, type, ok: false, skipped: true, text: `not sent: ${refusal}` };
    try {
      const r = await deps.query({ name, type, server, via, timeoutMs });
      const ok = r.rcode === "NOERROR" && r.answers.length > 0;
      return { server: at, name, type, ok, text: ok ? `answered in ${Math.round(r.latencyMs)} ms` : `${r.rcode}${r.rcode === "NOERROR" ? " with no records" : ""}` };
    } catch (err) {
      const e = err as { kind?: string; message?: string };
      return { server: at, name, type, ok: false, text: e.kind === "timeout" ? `no answer within ${timeoutMs} ms` : (e.message ?? String(err)) };
    }
  };

  const nl = estate.nodeLocal?.ok ? estate.nodeLocal.value : undefined;
  const nodeNames = nl?.deployed ? nl.nodes.map((n) => n.node) : [];
  const up = estate.upstreamService?.ok && estate.upstreamService.value.exists ? estate.upstreamService.value.clusterIp : undefined;
  const pods = estate.coreDns?.ok ? estate.coreDns.value.pods : [];
  const tech = estate.technitium?.ok ? estate.technitium.value : [];
  const soa = cfg.internalZone;

  const [nodeLocal, upstream, coreDns, clusterIp, lb, technitium] = await Promise.all([
    Promise.all(nodeNames.map(async (n) => [n, await probe(cfg.linkLocalIp, clusterName, "A", n)] as const)),
    nl?.deployed && estate.upstreamService ? probe(up, clusterName, "A") : Promise.resolve(undefined),
    Promise.all(pods.map(async (p) => [p.name, await probe(p.ip, clusterName, "A")] as const)),
    estate.clusterIpService ? probe(cfg.technitiumClusterIp, soa, "SOA") : Promise.resolve(undefined),
    estate.lbService ? probe(cfg.technitiumLbIp, soa, "SOA") : Promise.resolve(undefined),
    Promise.all(tech.map(async (t) => [t.name, await probe(t.podIp, soa, "SOA")] as const)),
  ]);
  return { nodeLocal: Object.fromEntries(nodeLocal), upstream, coreDns: Object.fromEntries(coreDns), clusterIp, lb, technitium: Object.fromEntries(technitium) };
}
