/**
 * The cache funnel: of all the queries pods sent in the range, who answered. Pods ask NodeLocal on their node (or
 * CoreDNS directly where NodeLocal does not run); NodeLocal's misses go to CoreDNS (cluster.local, `.`) or straight to
 * Technitium (viktorbarzin.lan); CoreDNS answers from its cache, itself (kubernetes, templates), or forwards to
 * Technitium or the upstream resolvers. Technitium's share is split by how its query log says it answered
 * (authoritative / cached / recursive / blocked) over the same range. Pure.
 */
import type { Sample } from "./client";
import { TECHNITIUM_TARGETS } from "./queries";
import type { Funnel, FunnelStage } from "./types";

const val = (s: Sample) => Number(s.value[1]) || 0;
const total = (list: Sample[] = []) => list.reduce((a, s) => a + val(s), 0);
const isTechnitium = (to: string) => TECHNITIUM_TARGETS.includes(to);

export function buildFunnel(raw: Record<string, Sample[]>, technitiumByType: Record<string, number>): Funnel {
  const nodeRequests = total(raw.nodeRequests);
  const nodeHits = total(raw.nodeHits);
  const nodeFwd = raw.nodeForwards ?? [];
  const nodeToTechnitium = total(nodeFwd.filter((s) => isTechnitium(s.metric.to)));
  const nodeToUpstream = total(nodeFwd.filter((s) => /^10\.0\.20\.1:/.test(s.metric.to)));
  const nodeToCoredns = total(nodeFwd) - nodeToTechnitium - nodeToUpstream;
  const corednsRequests = total(raw.corednsRequests);
  const corednsHits = total(raw.corednsHits);
  const cFwd = raw.corednsForwards ?? [];
  const corednsToTechnitium = total(cFwd.filter((s) => isTechnitium(s.metric.to)));
  const corednsToUpstream = total(cFwd) - corednsToTechnitium;
  // pods that asked CoreDNS directly (no NodeLocal on their node) = CoreDNS's requests not relayed by NodeLocal
  const direct = Math.max(0, corednsRequests - nodeToCoredns);
  const all = nodeRequests + direct;
  const corednsSelf = Math.max(0, corednsRequests - corednsHits - corednsToTechnitium - corednsToUpstream);
  const technitium = nodeToTechnitium + corednsToTechnitium;
  const notes: string[] = [];
  const stages: FunnelStage[] = [];
  const add = (key: FunnelStage["key"], label: string, queries: number) => stages.push({ key, label, queries: Math.round(queries), share: all > 0 ? queries / all : 0 });
  add("nodelocal", "NodeLocal cache", nodeHits);
  add("coredns-cache", "CoreDNS cache", corednsHits);
  add("coredns", "CoreDNS (cluster.local, templates)", corednsSelf);
  const typeTotal = ["Authoritative", "Cached", "Recursive", "Blocked"].reduce((a, k) => a + (technitiumByType[k] ?? 0), 0);
  if (technitium > 0 && typeTotal > 0) {
    const part = (k: string) => (technitium * (technitiumByType[k] ?? 0)) / typeTotal;
    add("technitium-authoritative", "Technitium authoritative", part("Authoritative"));
    add("technitium-cached", "Technitium cache", part("Cached"));
    add("technitium-recursive", "Technitium recursive", part("Recursive"));
    add("technitium-blocked", "Technitium blocked", part("Blocked"));
    notes.push("Technitium's split follows its query log over the range (all its clients, not only pods).");
  } else add("technitium", "Technitium", technitium);
  add("upstreams", "Upstream resolvers (pfSense, 8.8.8.8, 1.1.1.1)", corednsToUpstream + nodeToUpstream);
  if (!nodeRequests) notes.push("No NodeLocal DNSCache metrics in the range: pods ask CoreDNS directly.");
  const perNode = (raw.nodeRequests ?? []).map((s) => {
    const hits = val((raw.nodeHits ?? []).find((h) => h.metric.node === s.metric.node) ?? { metric: {}, value: [0, "0"] });
    return { node: s.metric.node ?? "?", total: Math.round(val(s)), nodeCache: Math.round(hits), share: val(s) > 0 ? hits / val(s) : 0 };
  });
  return { total: Math.round(all), stages, perNode: perNode.sort((a, b) => a.node.localeCompare(b.node)), notes };
}
