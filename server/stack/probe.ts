import "server-only";
import { addressMapFromEnv, mapDestination, query } from "@/server/dns";

/**
 * "Healthy" for a DNS hop means a real query answered through it. This module is the one place that asks the DNS
 * client (server/dns) to do that, so the rollout gate and the post-change verification share one definition.
 */
export interface ProbeQuery {
  name: string;
  type: "A" | "AAAA";
  server: string;
  port?: number;
  /** Node whose network the query is sent from (the node cache answers on its link-local IP there). */
  via?: string;
  timeoutMs: number;
}

export interface ProbeResult {
  ok: boolean;
  /** e.g. "NOERROR, 1 answer in 3 ms" or "timeout after 2000 ms". */
  detail: string;
}

export type DnsProbe = (q: ProbeQuery) => Promise<ProbeResult>;

const g = globalThis as unknown as { __dnsdeckStackProbe?: DnsProbe };

/** Tests and the integrator may replace the probe (e.g. a twin-backed one). */
export function setDnsProbe(p: DnsProbe | undefined): void {
  g.__dnsdeckStackProbe = p;
}

export async function probeDns(q: ProbeQuery): Promise<ProbeResult> {
  const p = g.__dnsdeckStackProbe ?? (await defaultProbe());
  try {
    return await p(q);
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

async function defaultProbe(): Promise<DnsProbe> {
  return async (q) => {
    // With an address map (twin, tunnel) every stack address must be mapped: an unmapped one would go to the real
    // cluster network from wherever dnsdeck runs. Without a map (production) the real address is the right one.
    const map = addressMapFromEnv();
    const mapped = map.entries.length ? mapDestination(map, { address: q.server, port: q.port, via: q.via }).rule : undefined;
    if (map.entries.length && !mapped)
      return { ok: false, detail: `not sent: DNS_ADDRESS_MAP has no entry for ${q.server}${q.via ? `@${q.via}` : ""}` };
    // A node's link-local cache answers only on that node. Without a per-node route (map entry) dnsdeck can ask the
    // cache of the node it runs on (NODE_NAME); asking "169.254.20.10" for another node would test the wrong cache,
    // so that check is reported as not verified rather than passed on the wrong evidence.
    const ownNode = process.env.NODE_NAME;
    if (!mapped && q.via && q.via !== ownNode)
      return { ok: true, detail: `not verified over DNS: ${q.via}'s cache is reachable only from ${q.via}${ownNode ? ` (dnsdeck runs on ${ownNode})` : ""}; judged by its pod` };
    const r = await query({ name: q.name, type: q.type, server: q.server, port: q.port, via: q.via, timeoutMs: q.timeoutMs });
    const ok = r.rcode === "NOERROR" && r.answers.length > 0;
    return { ok, detail: `${r.rcode}, ${r.answers.length} answer(s) in ${Math.round(r.latencyMs)} ms from ${r.server}` };
  };
}
