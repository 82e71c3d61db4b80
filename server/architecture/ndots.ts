/**
 * The ndots explainer: which names a pod's resolver (glibc/musl search-list rules) tries for one lookup, who answers
 * each, and which ones the CoreDNS template for the internal zone short-circuits. Pure.
 */
import type { ArchConfig } from "./estate";
import { inZone, nodeLocalZoneFor, templateShortCircuits } from "./paths";

export interface NdotsTry {
  qname: string;
  /** Who ends the query: the cluster's kubernetes plugin, the template, Technitium, or the public DNS. */
  answeredBy: "coredns-kubernetes" | "coredns-template" | "technitium" | "public";
  outcome: "NXDOMAIN" | "answer";
  /** The template would stop it, but NodeLocal forwards the internal zone straight to Technitium. */
  templateBypassed?: boolean;
}

export interface NdotsScenario {
  ndots: number;
  searchList: string[];
  tries: NdotsTry[];
  /** Each name is asked for A and AAAA (glibc sends both). */
  queries: number;
  junk: number;
}

export function searchList(cfg: ArchConfig, namespace: string): string[] {
  const cd = cfg.clusterDomain;
  return [`${namespace}.svc.${cd}`, `svc.${cd}`, cd, cfg.internalZone];
}

export function ndotsScenario(cfg: ArchConfig, name: string, namespace: string, ndots: number, nodeLocalDeployed: boolean): NdotsScenario {
  const bare = name.replace(/\.$/, "").toLowerCase();
  const absoluteOnly = name.endsWith(".");
  const dots = (bare.match(/\./g) ?? []).length;
  const list = searchList(cfg, namespace);
  const expansions = list.map((s) => `${bare}.${s}`);
  const order = absoluteOnly ? [bare] : dots >= ndots ? [bare, ...expansions] : [...expansions, bare];
  const tries: NdotsTry[] = [];
  for (const q of order) {
    const t = classify(cfg, q, q === bare, nodeLocalDeployed);
    tries.push(t);
    if (t.outcome === "answer") break;
  }
  return { ndots, searchList: list, tries, queries: tries.length * 2, junk: tries.filter((t) => t.qname !== bare).length * 2 };
}

function classify(cfg: ArchConfig, q: string, isAbsolute: boolean, nodeLocalDeployed: boolean): NdotsTry {
  if (inZone(q, cfg.clusterDomain)) return { qname: q, answeredBy: "coredns-kubernetes", outcome: "NXDOMAIN" };
  if (inZone(q, cfg.internalZone)) {
    const zone = nodeLocalDeployed ? nodeLocalZoneFor(cfg, q) : undefined;
    const bypass = !!zone && Array.isArray(zone.forward);
    if (templateShortCircuits(cfg, q)) {
      return bypass ? { qname: q, answeredBy: "technitium", outcome: "NXDOMAIN", templateBypassed: true } : { qname: q, answeredBy: "coredns-template", outcome: "NXDOMAIN" };
    }
    // One label before the zone: a real internal host (assumed to exist), answered by Technitium.
    return { qname: q, answeredBy: "technitium", outcome: "answer" };
  }
  return { qname: q, answeredBy: "public", outcome: isAbsolute ? "answer" : "NXDOMAIN" };
}
