/**
 * Resolution paths per client class, derived from the stack config and whether NodeLocal is deployed. One model
 * (stages) serves both the drawing (/api/v1/paths) and the tracer's hop plan (server/trace/plan.ts). Pure.
 */
import type { Drawn } from "./drawing-key";
import type { ArchConfig } from "./estate";
import { edgeLabel, quotedLabel } from "./mermaid-text";

export const CLIENT_CLASSES = [
  { id: "pod-internal", title: "K8s Pod → internal domain", pod: true, kinds: ["internal"] },
  { id: "pod-public", title: "K8s Pod → public domain", pod: true, kinds: ["public"] },
  { id: "lan", title: "LAN client → any domain", pod: false, kinds: ["internal", "public"] },
  { id: "mgmt-vlan", title: "Management VLAN → any domain", pod: false, kinds: ["internal", "public"] },
  { id: "k8s-vlan", title: "K8s VLAN → any domain", pod: false, kinds: ["internal", "public"] },
] as const;

export type ClientClass = (typeof CLIENT_CLASSES)[number]["id"];
export const CLIENT_CLASS_IDS = CLIENT_CLASSES.map((c) => c.id) as [ClientClass, ...ClientClass[]];
export type NameKind = "internal" | "public";

/** What the tracer asks at a stage. Live addresses (pods, the upstream Service) are filled in by the tracer. */
export type Target =
  | { kind: "address"; hop: string; server: string; viaNode?: boolean; expectRaw?: boolean }
  | { kind: "upstream-service"; hop: string }
  | { kind: "coredns-pods" }
  | { kind: "technitium-pods" };

export interface Stage {
  key: string;
  title: string;
  notes: string[];
  /** Label of the edge into this stage. */
  edge?: string;
  targets: Target[];
}

export interface PathContext {
  nodeLocalDeployed: boolean;
}

const fqdn = (name: string) => name.toLowerCase().replace(/\.?$/, ".");

export function inZone(name: string, zone: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  const z = zone.toLowerCase().replace(/\.$/, "");
  return z === "" || n === z || n.endsWith(`.${z}`);
}

export function nameKind(cfg: ArchConfig, name: string): NameKind {
  return inZone(name, cfg.internalZone) ? "internal" : "public";
}

/** The NodeLocal server block a name falls into (longest zone match; "." matches everything). */
export function nodeLocalZoneFor(cfg: ArchConfig, name: string) {
  let best: ArchConfig["nodeLocalZones"][number] | undefined;
  for (const z of cfg.nodeLocalZones) {
    const zone = z.zone === "." ? "" : z.zone;
    if (inZone(name, zone) && (!best || zone.length > (best.zone === "." ? 0 : best.zone.length))) best = z;
  }
  return best;
}

/** True when the CoreDNS internal-zone template answers this name itself (the ndots junk filter). */
export function templateShortCircuits(cfg: ArchConfig, name: string): boolean {
  if (!cfg.coreDnsTemplate || !inZone(name, cfg.internalZone)) return false;
  try {
    return new RegExp(cfg.coreDnsTemplate.regex).test(fqdn(name));
  } catch {
    return false;
  }
}

export const sampleName = (cfg: ArchConfig, kind: NameKind) => (kind === "internal" ? `idrac.${cfg.internalZone}` : "github.com");

/** The stages a query for `name` from client class `cls` passes, in order. */
export function stagesFor(cfg: ArchConfig, cls: ClientClass, name: string, ctx: PathContext): Stage[] {
  const kind = nameKind(cfg, name);
  if (cls === "pod-internal" || cls === "pod-public") return podStages(cfg, name, kind, ctx);
  if (cls === "lan") {
    const st: Stage[] = [
      { key: "client", title: "LAN client", notes: [`${cfg.lanNetwork}`, `DNS ${cfg.pfSense.lanWanIp} from DHCP`], targets: [] },
      { key: "pfnat", title: "pfSense NAT rdr", notes: [`${cfg.pfSense.lanWanIp} (WAN)`, "UDP 53, no SNAT"], edge: "DNS query", targets: [{ kind: "address", hop: `pfSense NAT ${cfg.pfSense.lanWanIp}`, server: cfg.pfSense.lanWanIp }] },
      { key: "lb", title: "Technitium LoadBalancer", notes: [cfg.technitiumLbIp, "ETP=Local"], edge: "rdr", targets: [{ kind: "address", hop: `Technitium LB ${cfg.technitiumLbIp}`, server: cfg.technitiumLbIp }] },
      technitiumPods(cfg, kind, true),
    ];
    if (kind === "public") st.push(upstreamStage(cfg, "recursive", true));
    return st;
  }
  const pf = cls === "mgmt-vlan" ? cfg.pfSense.mgmtVlanIp : cfg.pfSense.k8sVlanIp;
  const net = cls === "mgmt-vlan" ? "10.0.10.x" : "10.0.20.x";
  const st: Stage[] = [
    { key: "client", title: cls === "mgmt-vlan" ? "Management VLAN client" : "K8s VLAN client", notes: [net, `DNS ${pf} from Kea DHCP`], targets: [] },
    { key: "pfdnsmasq", title: "pfSense dnsmasq", notes: [pf], edge: "DNS query", targets: [{ kind: "address", hop: `pfSense dnsmasq ${pf}`, server: pf }] },
  ];
  if (kind === "internal") {
    st.push({ key: "lb", title: "Technitium LoadBalancer", notes: [cfg.technitiumLbIp], edge: `.${cfg.internalZone}`, targets: [{ kind: "address", hop: `Technitium LB ${cfg.technitiumLbIp}`, server: cfg.technitiumLbIp }] });
    st.push(technitiumPods(cfg, kind, false));
  } else st.push(upstreamStage(cfg, "other names"));
  return st;
}

function podStages(cfg: ArchConfig, name: string, kind: NameKind, ctx: PathContext): Stage[] {
  const st: Stage[] = [{ key: "client", title: "Pod", notes: [`nameserver ${cfg.kubeDnsIp}`, `ndots ${cfg.clusterNdots}`], targets: [] }];
  if (!ctx.nodeLocalDeployed) {
    st.push({ key: "kubedns", title: "kube-dns Service", notes: [`ClusterIP ${cfg.kubeDnsIp}`, "NodeLocal DNSCache not deployed"], edge: "DNS query", targets: [{ kind: "address", hop: `kube-dns ${cfg.kubeDnsIp}`, server: cfg.kubeDnsIp }] });
    return [...st, ...coreDnsStages(cfg, name, kind)];
  }
  const zone = nodeLocalZoneFor(cfg, name);
  const fwd = zone?.forward ?? "cluster-dns";
  st.push({
    key: "nodelocal",
    title: "NodeLocal DNSCache",
    notes: [`${cfg.linkLocalIp} + ${cfg.kubeDnsIp} on the pod's node`, `zone ${zone?.zone ?? "."}: cache hit served locally`],
    edge: `${cfg.kubeDnsIp} intercepted`,
    targets: [{ kind: "address", hop: "NodeLocal", server: cfg.linkLocalIp, viaNode: true }],
  });
  if (fwd === "cluster-dns") {
    st.push({ key: "upstream", title: cfg.upstreamServiceName, notes: ["ClusterIP, selects CoreDNS pods"], edge: "cache miss", targets: [{ kind: "upstream-service", hop: cfg.upstreamServiceName }] });
    return [...st, ...coreDnsStages(cfg, name, kind)];
  }
  if (fwd === "upstream-servers") {
    st.push({ key: "pfdnsmasq", title: "pfSense dnsmasq (node resolv.conf)", notes: [cfg.pfSense.k8sVlanIp, "bypasses CoreDNS"], edge: "cache miss", targets: [{ kind: "address", hop: `pfSense dnsmasq ${cfg.pfSense.k8sVlanIp}`, server: cfg.pfSense.k8sVlanIp }] });
    if (kind === "internal") st.push(technitiumPods(cfg, kind, false));
    else st.push(upstreamStage(cfg, "public"));
    return st;
  }
  if (fwd.includes(cfg.technitiumClusterIp)) {
    st.push(clusterIpStage(cfg, "cache miss, bypasses CoreDNS"));
    st.push(technitiumPods(cfg, kind, false));
    if (kind === "public") st.push(upstreamStage(cfg, "recursive"));
    return st;
  }
  st.push({ key: "nlfwd", title: "NodeLocal forwarders", notes: [fwd.join(", "), "bypasses CoreDNS"], edge: "cache miss", targets: fwd.map((ip) => ({ kind: "address" as const, hop: `forwarder ${ip}`, server: ip })) });
  return st;
}

function coreDnsStages(cfg: ArchConfig, name: string, kind: NameKind): Stage[] {
  const st: Stage[] = [];
  const internal = kind === "internal";
  const tmpl = cfg.coreDnsTemplate ? `template: 2+ labels before ${cfg.internalZone} → ${cfg.coreDnsTemplate.rcode}` : undefined;
  if (inZone(name, cfg.clusterDomain)) {
    st.push({ key: "coredns", title: "CoreDNS pods", notes: ["kubernetes plugin answers cluster names"], targets: [{ kind: "coredns-pods" }] });
    return st;
  }
  st.push({
    key: "coredns",
    title: "CoreDNS pods",
    notes: internal ? [`${cfg.internalZone}:53 block`, ...(tmpl ? [tmpl] : [])] : [".:53 block", `forward policy ${cfg.coreDnsPolicy}`],
    targets: [{ kind: "coredns-pods" }],
  });
  if (internal) {
    if (templateShortCircuits(cfg, name)) return st;
    st.push(clusterIpStage(cfg, `.${cfg.internalZone}`));
    st.push(technitiumPods(cfg, kind, false));
    return st;
  }
  const fw = cfg.coreDnsForwarders;
  st.push({
    key: "fwd",
    title: cfg.coreDnsPolicy === "sequential" ? "Forwarders, in order" : "Forwarders",
    notes: fw.map((ip, i) => `${i === 0 ? "" : "fallback "}${ip}${isPfSense(cfg, ip) ? " (pfSense dnsmasq)" : ""}`),
    edge: "public queries",
    targets: fw.map((ip) => ({ kind: "address" as const, hop: isPfSense(cfg, ip) ? `pfSense dnsmasq ${ip}` : `forwarder ${ip}`, server: ip })),
  });
  if (isPfSense(cfg, fw[0] ?? "")) st.push(upstreamStage(cfg, "pfSense forwards"));
  return st;
}

const isPfSense = (cfg: ArchConfig, ip: string) => ip === cfg.pfSense.k8sVlanIp || ip === cfg.pfSense.mgmtVlanIp || ip === cfg.pfSense.lanWanIp;

function clusterIpStage(cfg: ArchConfig, edge: string): Stage {
  return { key: "techcip", title: "Technitium ClusterIP", notes: [`${cfg.technitiumClusterIp} (pinned)`], edge, targets: [{ kind: "address", hop: `Technitium ClusterIP ${cfg.technitiumClusterIp}`, server: cfg.technitiumClusterIp }] };
}

function technitiumPods(cfg: ArchConfig, kind: NameKind, splitHorizon: boolean): Stage {
  const notes = [`${cfg.technitiumInstances.length} instances`];
  if (kind === "internal") notes.push(`${cfg.internalZone} zone`);
  else {
    notes.push("recursive");
    if (splitHorizon) for (const t of cfg.splitHorizon) notes.push(`Split Horizon ${t.from} → ${t.to} for ${t.network}`);
  }
  return { key: "techpods", title: "Technitium", notes, targets: [{ kind: "technitium-pods" }] };
}

function upstreamStage(cfg: ArchConfig, edge: string, expectRaw = false): Stage {
  return { key: "cloudflare", title: "Cloudflare", notes: [cfg.publicUpstream], edge, targets: [{ kind: "address", hop: `upstream ${cfg.publicUpstream}`, server: cfg.publicUpstream, expectRaw }] };
}

export interface PathDiagram {
  id: ClientClass;
  title: string;
  mermaid: string;
  /** The path written out, one line per name kind (like the architecture document's "DNS Resolution Paths"). */
  summary: string[];
  /** The server's drawing of `mermaid`, when it made one in time (verbs.ts; the browser draws otherwise). */
  drawn?: Drawn;
}

/** One mermaid flowchart per client class. Stage keys shared by both name kinds are drawn once. */
export function buildPathDiagrams(cfg: ArchConfig, ctx: PathContext): PathDiagram[] {
  return CLIENT_CLASSES.map((c) => {
    const nodes = new Map<string, Stage>();
    const edges = new Map<string, { from: string; to: string; labels: Set<string>; kinds: Set<NameKind> }>();
    const summary: string[] = [];
    for (const kind of c.kinds) {
      const stages = stagesFor(cfg, c.id, sampleName(cfg, kind), ctx);
      summary.push(`${c.kinds.length > 1 ? (kind === "internal" ? `.${cfg.internalZone}: ` : "other names: ") : ""}${stages.map((s) => s.title).join(" → ")}`);
      stages.forEach((s, i) => {
        const prev = nodes.get(s.key);
        nodes.set(s.key, prev ? { ...prev, notes: [...new Set([...prev.notes, ...s.notes])] } : s);
        if (i === 0) return;
        const k = `${stages[i - 1].key}>${s.key}`;
        const e = edges.get(k) ?? { from: stages[i - 1].key, to: s.key, labels: new Set<string>(), kinds: new Set<NameKind>() };
        if (s.edge) e.labels.add(s.edge);
        e.kinds.add(kind);
        edges.set(k, e);
      });
    }
    const ids = new Map([...nodes.keys()].map((k, i) => [k, `s${i}`]));
    const lines = ["flowchart LR"];
    for (const [k, s] of nodes) lines.push(`  ${ids.get(k)}${quotedLabel([s.title, ...s.notes])}`);
    const outDegree = new Map<string, number>();
    for (const e of edges.values()) outDegree.set(e.from, (outDegree.get(e.from) ?? 0) + 1);
    for (const e of edges.values()) {
      // Name the branch only where the paths part (a node with more than one way out).
      const branch = c.kinds.length > 1 && e.kinds.size === 1 && (outDegree.get(e.from) ?? 0) > 1 ? ([...e.kinds][0] === "internal" ? `.${cfg.internalZone}` : "other names") : "";
      const label = [branch, ...[...e.labels].filter((l) => l !== branch)].filter(Boolean).join(": ");
      lines.push(`  ${ids.get(e.from)} -->${label ? edgeLabel(label) : ""} ${ids.get(e.to)}`);
    }
    return { id: c.id, title: c.title, mermaid: lines.join("\n") + "\n", summary };
  });
}
