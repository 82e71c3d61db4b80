/**
 * Why a query failed (issue 12, the architecture document's "High NXDOMAIN Rate in Logs"): each NXDOMAIN / SERVFAIL /
 * blocked answer classified by its name, type and answer. Pure; the query-log explorer feeds it names with counts.
 */
export const CAUSES = ["search-expansion", "corporate-flood", "blocked", "reverse-no-ptr", "internal-missing", "upstream-failure", "other"] as const;
export type Cause = (typeof CAUSES)[number];

export const CAUSE_LABEL: Record<Cause, string> = {
  "search-expansion": "search-domain expansion (ndots)",
  "corporate-flood": "corporate / stub-zone flood",
  blocked: "blocked (ad blocking)",
  "reverse-no-ptr": "reverse lookup without a PTR",
  "internal-missing": "internal name that does not exist",
  "upstream-failure": "upstream failure (SERVFAIL)",
  other: "other",
};

export interface CauseInput {
  name: string;
  /** Technitium's rcode (2 SERVFAIL, 3 NXDOMAIN, 0 NOERROR …). */
  rcode: number;
  /** Technitium's response_type (4 Blocked, 5 UpstreamBlocked, 6 UpstreamBlockedCached …). */
  responseType?: number | null;
  qtype?: number | null;
}

export interface Classified {
  cause: Cause;
  /** For search-domain expansion: the suffix the resolver appended (".svc.cluster.local.viktorbarzin.lan"). */
  suffix?: string;
  /** What fixes it, in one sentence an operator can act on. */
  fix: string;
  /** Worth acting on (blocked answers are expected). */
  actionable: boolean;
}

const SEARCH_SUFFIXES = [".svc.cluster.local", ".cluster.local", ".svc"];

export function classify(q: CauseInput, opts: { internalZone?: string; stubZones?: string[] } = {}): Classified | null {
  const zone = (opts.internalZone ?? "viktorbarzin.lan").toLowerCase();
  const stubs = (opts.stubZones ?? ["emrsn.org"]).map((s) => s.toLowerCase());
  const name = q.name.toLowerCase().replace(/\.$/, "");
  if (q.responseType === 4 || q.responseType === 5 || q.responseType === 6) return { cause: "blocked", fix: "expected: the name is on a block list; allow-list it on Technitium if it should resolve", actionable: false };
  if (q.rcode !== 3 && q.rcode !== 2) return null;
  if (stubs.some((s) => name === s || name.endsWith(`.${s}`)))
    return { cause: "corporate-flood", fix: `answered locally by the ${stubs.find((s) => name === s || name.endsWith(`.${s}`))} stub zone; find the device (Clients) if the volume grows`, actionable: false };
  if (q.rcode === 3 && name.endsWith(`.${zone}`)) {
    const head = name.slice(0, -(zone.length + 1));
    const labels = head.split(".");
    if (labels.length >= 2) {
      const hit = SEARCH_SUFFIXES.find((s) => head.endsWith(s));
      const suffix = `${hit ?? ""}.${zone}`;
      return {
        cause: "search-expansion",
        suffix,
        fix: `a resolver appended "${suffix}" (ndots): keep the ndots template in NodeLocal's ${zone} block (NodeLocal bypasses CoreDNS's), or give the workload dnsConfig ndots:2 / a trailing-dot FQDN`,
        actionable: true,
      };
    }
    return { cause: "internal-missing", fix: `${name} does not exist in ${zone}: a typo or a deleted host — add the record, or fix whoever keeps asking (see its clients)`, actionable: true };
  }
  if (q.rcode === 3 && (q.qtype === 12 || name.endsWith(".in-addr.arpa") || name.endsWith(".ip6.arpa")))
    return { cause: "reverse-no-ptr", fix: `add the PTR ${name} in its reverse zone (or let Kea DDNS register it)`, actionable: true };
  if (q.rcode === 2) return { cause: "upstream-failure", fix: "the upstream (Cloudflare DoH) or the zone's own servers failed: check Health → forwarders", actionable: true };
  return { cause: "other", fix: "a public name that does not exist", actionable: false };
}

/**
 * Junk-filter coverage (issue 12): CoreDNS's `viktorbarzin.lan` block answers names matching its ndots template
 * (`.*\..*\.viktorbarzin\.lan\.$`: two or more labels before the zone — a search suffix appended to a short name)
 * with NXDOMAIN itself, so they should never reach Technitium. NodeLocal forwards the zone straight to Technitium,
 * bypassing CoreDNS and its template, unless its own block carries the same template. The query-log filter language
 * expresses the template's usual shape as the wildcard `*.*.<zone>`; any other regex is reported as not expressible.
 */
export function templateWildcard(regex: string, zone: string): string | null {
  const z = zone.replace(/\.$/, "").toLowerCase();
  const escaped = z.replace(/\./g, "\\.");
  return regex === `.*\\..*\\.${escaped}\\.$` ? `*.*.${z}` : null;
}

/** The paths template-matching junk can take to Technitium, by the client kind Technitium sees. */
export const JUNK_PATHS = [
  { key: "coredns", clientKind: "coredns-pod", label: "via CoreDNS (pod → NodeLocal → CoreDNS)", filteredBy: "CoreDNS's template" },
  { key: "nodelocal", clientKind: "nodelocal-node", label: "via NodeLocal straight to Technitium", filteredBy: "NodeLocal's template in its zone block" },
  { key: "other", clientKind: "!coredns-pod,nodelocal-node", label: "other clients (LAN, VPN, pfSense, unknown)", filteredBy: "nothing (not pod traffic)" },
] as const;
