import { parseCidr, parseIp, unmap, type Ip } from "./net";

/**
 * Who asks Technitium, by what the asking address is. Pure (no I/O): the server's client directory feeds it what the
 * Kubernetes API says about pods and nodes; the networks below come from the architecture document.
 *
 * In this homelab Technitium never sees an ordinary pod (pods' names reach it through CoreDNS or NodeLocal), so the
 * kind of a client says which path its query took:
 *   coredns-pod     a CoreDNS pod forwarding viktorbarzin.lan to the Technitium ClusterIP (pod → NodeLocal →
 *                   kube-dns-upstream → CoreDNS → 10.96.0.53)
 *   nodelocal-node  a node's address: NodeLocal (host network) forwards viktorbarzin.lan straight to 10.96.0.53,
 *                   bypassing CoreDNS and its ndots template
 *   pfsense         pfSense's dnsmasq answering for a VLAN (10.0.20.1, 10.0.10.1) or its WAN address (Kea DDNS)
 *   lan-device      a LAN device with its own address (NAT rdr to the Technitium load balancer without SNAT)
 *   vpn-client      a VPN client (10.3.2.0/24, the VPN's reverse zone 2.3.10.in-addr.arpa)
 *   technitium      a Technitium pod itself (a replica pulling a zone transfer)
 *   pod             any other pod (not expected on this path; shown so it can be chased)
 *   unknown         an address nothing vouches for — never guessed
 */
export const CLIENT_KINDS = ["coredns-pod", "nodelocal-node", "pfsense", "lan-device", "vpn-client", "technitium", "pod", "unknown"] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export const KIND_LABEL: Record<ClientKind, string> = {
  "coredns-pod": "CoreDNS pod",
  "nodelocal-node": "NodeLocal node",
  pfsense: "pfSense gateway",
  "lan-device": "LAN device",
  "vpn-client": "VPN client",
  technitium: "Technitium itself",
  pod: "other pod",
  unknown: "unknown",
};

/** The path a kind of client's query took to Technitium, and the Resolution paths class that draws it. */
export const KIND_PATH: Record<ClientKind, { text: string; pathClass?: string }> = {
  "coredns-pod": { text: "pod → NodeLocal → kube-dns-upstream → CoreDNS → Technitium ClusterIP 10.96.0.53", pathClass: "pod-internal" },
  "nodelocal-node": { text: "pod → NodeLocal (host network) → Technitium ClusterIP 10.96.0.53, bypassing CoreDNS's ndots template", pathClass: "pod-internal" },
  pfsense: { text: "VLAN client → pfSense dnsmasq → Technitium load balancer 10.0.20.201", pathClass: "k8s-vlan" },
  "lan-device": { text: "LAN device → pfSense NAT rdr (no SNAT) → Technitium load balancer 10.0.20.201", pathClass: "lan" },
  "vpn-client": { text: "VPN client → Technitium load balancer 10.0.20.201" },
  technitium: { text: "a Technitium replica pulling a zone transfer (AXFR) from the primary" },
  pod: { text: "a pod that reached Technitium directly (not one of the homelab's paths)" },
  unknown: { text: "no directory entry, network or reverse name vouches for this address" },
};

/** Networks whose members are named without the Kubernetes API (architecture document: VLANs, LAN, VPN, pfSense). */
export interface ClientNetwork {
  cidr: string;
  kind: ClientKind;
  /** The name of a single address, or of the network its members belong to. */
  name: string;
  /** Members are worth a reverse lookup for their own name (DHCP/DDNS). */
  reverse: boolean;
}

export const HOMELAB_CLIENT_NETWORKS: ClientNetwork[] = [
  { cidr: "10.0.20.1/32", kind: "pfsense", name: "pfSense dnsmasq · K8s VLAN 10.0.20.0/24", reverse: false },
  { cidr: "10.0.10.1/32", kind: "pfsense", name: "pfSense dnsmasq · management VLAN 10.0.10.0/24", reverse: false },
  { cidr: "192.168.1.2/32", kind: "pfsense", name: "pfSense WAN · Kea DDNS", reverse: false },
  { cidr: "192.168.1.0/24", kind: "lan-device", name: "LAN 192.168.1.0/24", reverse: true },
  { cidr: "192.168.0.0/24", kind: "lan-device", name: "Valchedrym site 192.168.0.0/24", reverse: true },
  { cidr: "10.3.2.0/24", kind: "vpn-client", name: "VPN 10.3.2.0/24", reverse: true },
];

/** What the Kubernetes API says an address was over a stretch of time. */
export interface AddressInterval {
  ip: string;
  kind: ClientKind;
  name: string;
  namespace: string | null;
  node: string | null;
  validFrom: Date;
  validTo: Date | null;
}

export interface ClientIdentity {
  ip: string;
  kind: ClientKind;
  /** Pod name (namespace/pod), node name, pfSense role, the device's reverse name, or the network; null for unknown. */
  name: string | null;
  node: string | null;
  /** The network a LAN/VPN device sits in. */
  network: string | null;
  /** Where the name came from. */
  source: "kubernetes" | "network" | "reverse-dns" | "none";
  path: string;
  pathClass: string | null;
}

/** The canonical text of an address (IPv4-mapped IPv6 unmapped), or null when it is not one. */
export function canonicalIp(text: string): string | null {
  const ip = parseIp(text.trim());
  return ip ? unmap(ip).toString() : null;
}

const parsedNetworks = (nets: ClientNetwork[]) =>
  nets
    .map((n) => ({ n, c: parseCidr(n.cidr) }))
    .filter((x): x is { n: ClientNetwork; c: [Ip, number] } => x.c !== null)
    .sort((a, b) => b.c[1] - a.c[1]);

/** The most specific homelab network an address belongs to. */
export function networkOf(ip: string, nets: ClientNetwork[] = HOMELAB_CLIENT_NETWORKS): ClientNetwork | null {
  const a = parseIp(ip);
  if (!a) return null;
  const addr = unmap(a);
  for (const { n, c } of parsedNetworks(nets)) if (addr.kind() === c[0].kind() && addr.match(c)) return n;
  return null;
}

/** The interval that covered `ip` at `at`, if any (intervals are half-open: [validFrom, validTo)). */
export function intervalAt(intervals: AddressInterval[], at: Date): AddressInterval | null {
  const t = at.getTime();
  let best: AddressInterval | null = null;
  for (const i of intervals) {
    if (i.validFrom.getTime() > t) continue;
    if (i.validTo && i.validTo.getTime() <= t) continue;
    if (!best || i.validFrom > best.validFrom) best = i;
  }
  return best;
}

/**
 * Name one address at one moment: the Kubernetes interval covering it, else the homelab network (with the device's
 * reverse name when one is known), else unknown. Nothing is guessed.
 */
export function identify(ip: string, at: Date, facts: { intervals: AddressInterval[]; reverseName?: string | null; networks?: ClientNetwork[] }): ClientIdentity {
  const canon = canonicalIp(ip) ?? ip;
  const hit = intervalAt(facts.intervals, at);
  const make = (kind: ClientKind, rest: Pick<ClientIdentity, "name" | "node" | "network" | "source">): ClientIdentity => ({
    ip: canon,
    kind,
    ...rest,
    path: KIND_PATH[kind].text,
    pathClass: KIND_PATH[kind].pathClass ?? null,
  });
  if (hit) return make(hit.kind, { name: hit.name, node: hit.node, network: null, source: "kubernetes" });
  const net = networkOf(canon, facts.networks);
  if (net) {
    if (!net.reverse) return make(net.kind, { name: net.name, node: null, network: null, source: "network" });
    return facts.reverseName
      ? make(net.kind, { name: facts.reverseName, node: null, network: net.name, source: "reverse-dns" })
      : make(net.kind, { name: null, node: null, network: net.name, source: "network" });
  }
  return make("unknown", { name: null, node: null, network: null, source: "none" });
}

/** What one pod or node is now, as the directory records it (hostNetwork pods carry their node's address: skipped). */
export interface Observation {
  ip: string;
  kind: ClientKind;
  name: string;
  namespace: string | null;
  node: string | null;
  /** When the address started to be this (pod start, node creation); the directory's first sight otherwise. */
  since: Date;
}

/** A pod (as the API lists it) → what its address is, or null (no address yet, host network, finished). */
export function observePod(p: {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: Date | string };
  spec?: { nodeName?: string; hostNetwork?: boolean };
  status?: { podIP?: string; phase?: string; startTime?: Date | string };
}): Observation | null {
  const ip = p.status?.podIP ? canonicalIp(p.status.podIP) : null;
  if (!ip || p.spec?.hostNetwork || p.status?.phase === "Succeeded" || p.status?.phase === "Failed") return null;
  const ns = p.metadata?.namespace ?? "default";
  const labels = p.metadata?.labels ?? {};
  const kind: ClientKind = labels["k8s-app"] === "kube-dns" ? "coredns-pod" : ns === "technitium" && /^technitium/.test(labels.app ?? "") ? "technitium" : "pod";
  const since = new Date(p.status?.startTime ?? p.metadata?.creationTimestamp ?? Date.now());
  return { ip, kind, name: `${ns}/${p.metadata?.name ?? "?"}`, namespace: ns, node: p.spec?.nodeName ?? null, since };
}

/** A node → its InternalIP as a NodeLocal node (the address NodeLocal's host-network forward comes from). */
export function observeNode(n: { metadata?: { name?: string; creationTimestamp?: Date | string }; status?: { addresses?: { type: string; address: string }[] } }): Observation | null {
  const addr = n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  const ip = addr ? canonicalIp(addr) : null;
  if (!ip || !n.metadata?.name) return null;
  return { ip, kind: "nodelocal-node", name: n.metadata.name, namespace: null, node: n.metadata.name, since: new Date(n.metadata.creationTimestamp ?? Date.now()) };
}

export interface Reconcile {
  /** Open intervals to close (their address is now something else, or nothing). */
  close: { ip: string; at: Date }[];
  open: Observation[];
}

/**
 * What to change in the directory: every open interval whose address is no longer observed as the same thing is
 * closed at `now`; every observation without a matching open interval opens one from max(its since, the closing
 * time of what the address was before) so intervals of one address never overlap.
 */
export function reconcile(openNow: AddressInterval[], observed: Observation[], now: Date): Reconcile {
  const same = (a: AddressInterval, o: Observation) => a.kind === o.kind && a.name === o.name && a.node === o.node;
  const seen = new Map<string, Observation>();
  for (const o of observed) if (!seen.has(o.ip)) seen.set(o.ip, o); // two objects claiming one address: the first wins
  const byIp = new Map(openNow.map((a) => [a.ip, a]));
  const close: Reconcile["close"] = [];
  const open: Observation[] = [];
  for (const a of openNow) {
    const o = seen.get(a.ip);
    if (!o || !same(a, o)) close.push({ ip: a.ip, at: now });
  }
  for (const o of seen.values()) {
    const cur = byIp.get(o.ip);
    if (cur && same(cur, o)) continue;
    const floor = cur ? now : null;
    const since = o.since.getTime() > now.getTime() ? now : o.since;
    open.push({ ...o, since: floor && since < floor ? floor : since });
  }
  return { close, open };
}
