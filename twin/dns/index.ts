/**
 * The DNS chain twin: every hop of the homelab's DNS path as a real UDP+TCP DNS server on a loopback address, all on
 * one port, answering as its config says (Corefiles read from the K8s API). See twin/README.md, "Technitium and DNS twin".
 *
 * Addresses: a stack address a.b.c.d in 10.0.0.0/8 listens on 127.b.c.d:<port> (the rule `10.0.0.0/8=127.0.0.0/8:<port>`
 * in the produced DNS_ADDRESS_MAP), so cluster IPs, pod IPs and node IPs need no per-address entry. Other hops have
 * exact entries: 169.254.20.10@<node> and 10.96.0.10@<node> (NodeLocal on that node), 1.1.1.1 / 1.0.0.1 / 8.8.8.8 /
 * 8.8.4.4 (the public upstream), 192.168.1.2 (pfSense WAN NAT → Technitium LB), loopback kept as is, and a catch-all
 * so nothing leaves loopback.
 */
import type { Packet } from "dns-packet";
import { exchange, rcodeOf, startDnsServer, type DnsServerHandle, type Fault, type Personality } from "./wire";
import { loopbackSource } from "./sources";
import { parseAddressMap, mapDestination, type AddressMap } from "../../server/dns/address-map";
import { parseCorefile, SEED_NODELOCAL_COREFILE, type ServerBlock } from "./corefile";
import { CorednsServer } from "./coredns";
import { publicAnswer } from "./public";
import { fetchSnapshot, staticSnapshot, type ClusterSnapshot, type InstanceName, type PodInfo, type ServiceInfo } from "./cluster";
import type { ChainMetrics } from "../metrics/chain";

export { SEED_COREFILE, SEED_NODELOCAL_COREFILE, parseCorefile } from "./corefile";
export { staticSnapshot, type ClusterSnapshot } from "./cluster";

export interface TechnitiumEndpoint {
  name: InstanceName;
  dnsHost: string;
  dnsPort: number;
}

export interface StartDnsTwinOptions {
  /** K8s API (twin or real). Without it the cluster is `cluster` (default: the seed homelab, no NodeLocal). */
  kubeUrl?: string;
  kubeToken?: string;
  /** The Technitium twin's instances (or the twin handle). Their forwarders/transfers are wired to this map. */
  technitium: TechnitiumEndpoint[] | { instances: TechnitiumEndpoint[]; setAddressMap?: (m: string) => void; setKubeToken?: (t: string) => void };
  /** Delay between a Corefile change seen in the API and the hop answering by it (CoreDNS `reload`, shortened). */
  reloadMs?: number;
  /** How often the K8s API is read. */
  pollMs?: number;
  /** The one port every hop listens on (default 5353; 0 = one the kernel picks). */
  port?: number;
  /** Static cluster (no kubeUrl). */
  cluster?: Partial<ClusterSnapshot>;
  /** Per-attempt forward timeout inside the chain (CoreDNS uses 2 s). */
  forwardTimeoutMs?: number;
  /** Metrics of what each CoreDNS pod and NodeLocal node serves (twin/metrics/chain.ts). */
  metrics?: ChainMetrics;
}

export interface HopInfo {
  hop: string;
  /** stack address, e.g. "10.96.0.10" or "169.254.20.10@k8s-node1" */
  address: string;
  listen: string;
  fault: Fault;
}

export interface DnsTwin {
  /** DNS_ADDRESS_MAP value for the app. */
  addressMap: string;
  port: number;
  /**
   * Fault on a hop: a hop name ("upstream", "pfsense", "kube-dns", "kube-dns-upstream", "coredns" / "coredns:<pod>",
   * "nodelocal" / "nodelocal:<node>", "technitium-internal", "technitium-lb", "technitium:<instance>") or a stack
   * address ("10.96.0.53", "169.254.20.10@k8s-node1"). null clears.
   */
  setFault(hop: string, fault: Fault | null): void;
  hops(): HopInfo[];
  /** Static mode: change the cluster (e.g. feed a Corefile); applied after reloadMs like an API change. */
  setCluster(patch: Partial<ClusterSnapshot>): void;
  /** Read the K8s API now. */
  refresh(): Promise<void>;
  status(): { corefileVersion: number; nodeLocalVersion: number; lastReloadError?: string; lastPollError?: string; bindErrors: string[] };
  stop(): Promise<void>;
}

const NODELOCAL_IP = "169.254.20.10";
const KUBE_DNS_IP = "10.96.0.10";
const UPSTREAMS: [string, string][] = [
  ["1.1.1.1", "127.255.1.1"],
  ["1.0.0.1", "127.255.1.2"],
  ["8.8.8.8", "127.255.8.8"],
  ["8.8.4.4", "127.255.8.4"],
];
const PFSENSE = ["10.0.20.1", "10.0.10.1"];
const NODE_RESOLVER = "10.0.20.1";
/** dnsmasq on pfSense expressed in the Corefile subset: honours upstream TTLs, caches negatives by SOA. */
const PFSENSE_DNSMASQ = `viktorbarzin.lan:53 {
    forward . 10.0.20.201
    cache 3600 {
        success 10000 3600 0
        denial 10000 3600 0
    }
}
.:53 {
    forward . 1.1.1.1 1.0.0.1 {
        policy sequential
    }
    cache 3600 {
        success 10000 3600 0
        denial 10000 3600 0
    }
}
`;

type Role =
  | { kind: "upstream" }
  | { kind: "pfsense" }
  | { kind: "service"; svc: ServiceInfo }
  | { kind: "coredns"; pod: PodInfo }
  | { kind: "technitium-pod"; instance: InstanceName }
  | { kind: "nodelocal"; node: string; kubeDnsAddress: boolean };

/** 10.a.b.c → 127.a.b.c (the CIDR rule). */
function loop(ip: string): string {
  return ip.replace(/^10\./, "127.");
}

export function buildAddressMap(port: number, nodes: string[]): string {
  const parts = [`10.0.0.0/8=127.0.0.0/8:${port}`];
  nodes.forEach((n, i) => {
    parts.push(`${NODELOCAL_IP}@${n}=127.254.20.${i + 1}:${port}`);
    parts.push(`${KUBE_DNS_IP}@${n}=127.254.96.${i + 1}:${port}`);
  });
  for (const [ip, l] of UPSTREAMS) parts.push(`${ip}=${l}:${port}`);
  parts.push(`10.0.20.201=127.0.20.201:${port}`, `10.0.20.1=127.0.20.1:${port}`, `192.168.1.2=127.0.20.201:${port}`);
  // loopback stays loopback (the Technitium twin's own listeners); anything else is caught so nothing leaves the host
  parts.push(`127.0.0.0/8=127.0.0.0/8`, `0.0.0.0/0=127.255.255.254:${port}`);
  return parts.join(",");
}

/** A port free for UDP and TCP on the hop addresses: the kernel picks one for the first upstream address. */
async function freePort(): Promise<number> {
  const probe = await startDnsServer({ host: UPSTREAMS[0][1], port: 0, handler: () => null, label: "port probe" });
  const p = probe.port;
  await probe.close();
  return p;
}

export async function startDnsTwin(opts: StartDnsTwinOptions): Promise<DnsTwin> {
  // port 0: every hop shares one port the kernel picked (the address map carries a single port)
  const port = opts.port === 0 ? await freePort() : (opts.port ?? 5353);
  const reloadMs = opts.reloadMs ?? 1000;
  const pollMs = opts.pollMs ?? Math.max(100, Math.min(1000, Math.floor(reloadMs / 2)));
  const fwdTimeout = opts.forwardTimeoutMs ?? 2000;
  const techList = Array.isArray(opts.technitium) ? opts.technitium : opts.technitium.instances;
  const techByName = new Map(techList.map((t) => [t.name, t]));

  let snapshot: ClusterSnapshot = opts.kubeUrl ? { nodes: [], coreDnsPods: [], nodeLocalPods: [], technitiumPods: [], services: [] } : { ...staticSnapshot(), ...opts.cluster };
  let lastPollError: string | undefined;
  if (opts.kubeUrl) {
    try {
      snapshot = await fetchSnapshot(opts.kubeUrl, opts.kubeToken);
    } catch (err) {
      // the API is failing right now (fault, not up yet): start with nothing and keep polling
      lastPollError = (err as Error).message;
    }
  }
  const nodes = snapshot.nodes.length ? snapshot.nodes : staticSnapshot().nodes;
  const addressMapText = buildAddressMap(port, nodes);
  const map: AddressMap = parseAddressMap(addressMapText);

  // Wire the Technitium twin's outgoing DNS (forwarders 1.1.1.1, transfers) to this chain.
  const setter = Array.isArray(opts.technitium)
    ? (opts.technitium[0] as unknown as { setAddressMap?: (m: string) => void })?.setAddressMap
    : opts.technitium.setAddressMap;
  setter?.(addressMapText);
  // …and let it follow its pods with the same API credentials.
  if (!Array.isArray(opts.technitium) && opts.kubeToken) opts.technitium.setKubeToken?.(opts.kubeToken);

  // ---------------------------------------------------------------- configs (Corefiles) with reload delay
  let coreBlocks: ServerBlock[] | null = null;
  let nodeLocalBlocks: ServerBlock[] | null = null;
  let coreText: string | undefined;
  let nodeLocalText: string | undefined;
  let nodeLocalUpstream: string | undefined;
  let pending: { core?: { text: string; at: number }; nodeLocal?: { text: string; upstream: string; at: number } } = {};
  let corefileVersion = 0;
  let nodeLocalVersion = 0;
  let lastReloadError: string | undefined;
  const corednsServers = new Map<string, CorednsServer>(); // pod name → server (own cache)
  const nodeLocalServers = new Map<string, CorednsServer>(); // node → server
  let nodeLocalBroken = false;

  const usesLocalAddress = (blocks: ServerBlock[]) =>
    blocks.some((b) => b.plugins.includes("loop") && b.forward.some((f) => f.to.some((t) => [NODELOCAL_IP, KUBE_DNS_IP].includes(t.replace(/:\d+$/, "")))));

  const kubeDnsUpstreamIp = () => snapshot.services.find((s) => s.namespace === "kube-system" && s.name === "kube-dns-upstream")?.clusterIP;

  const applyCore = (text: string) => {
    try {
      const blocks = parseCorefile(text);
      if (usesLocalAddress(blocks)) throw new Error('Loop detected for zone ".": a forward target is a node-local address');
      coreBlocks = blocks;
      coreText = text;
      for (const s of corednsServers.values()) s.close();
      corednsServers.clear();
      opts.metrics?.configLoaded("coredns", text, blocks);
      corefileVersion++;
      lastReloadError = undefined;
    } catch (err) {
      coreText = text; // do not retry the same broken text; the old config keeps serving
      if (coreBlocks) opts.metrics?.reloadFailed("coredns");
      lastReloadError = `coredns: Corefile changed but reload failed: ${(err as Error).message}`;
    }
  };
  const applyNodeLocal = (text: string, upstream: string) => {
    try {
      const blocks = parseCorefile(text, {
        __PILLAR__CLUSTER__DNS__: upstream,
        __PILLAR__UPSTREAM__SERVERS__: "/etc/resolv.conf",
        __PILLAR__LOCAL__DNS__: NODELOCAL_IP,
        __PILLAR__DNS__SERVER__: KUBE_DNS_IP,
        __PILLAR__DNS__DOMAIN__: "cluster.local",
      }, { KUBE_DNS_UPSTREAM_SERVICE_HOST: upstream === "<nil>" ? "" : upstream, KUBE_DNS_SERVICE_HOST: KUBE_DNS_IP });
      nodeLocalBroken = usesLocalAddress(blocks);
      nodeLocalBlocks = blocks;
      nodeLocalText = text;
      nodeLocalUpstream = upstream;
      for (const s of nodeLocalServers.values()) s.close();
      nodeLocalServers.clear();
      opts.metrics?.configLoaded("nodelocal", text, blocks);
      nodeLocalVersion++;
      if (nodeLocalBroken) lastReloadError = "node-local-dns: Loop detected: a forward target is a node-local address";
    } catch (err) {
      nodeLocalText = text;
      nodeLocalUpstream = upstream;
      lastReloadError = `node-local-dns: Corefile changed but reload failed: ${(err as Error).message}`;
      if (nodeLocalBlocks) opts.metrics?.reloadFailed("nodelocal");
      if (!nodeLocalBlocks) nodeLocalBroken = true;
    }
  };

  const consider = (immediate: boolean) => {
    const now = Date.now();
    const core = snapshot.corefile;
    if (core !== undefined && core !== coreText && pending.core?.text !== core) pending.core = { text: core, at: immediate ? now : now + reloadMs };
    const nl = snapshot.nodeLocalCorefile ?? (snapshot.nodeLocalPods.length ? SEED_NODELOCAL_COREFILE : undefined);
    const upstream = kubeDnsUpstreamIp() ?? "<nil>";
    if (nl !== undefined && (nl !== nodeLocalText || upstream !== nodeLocalUpstream) && !(pending.nodeLocal?.text === nl && pending.nodeLocal.upstream === upstream))
      pending.nodeLocal = { text: nl, upstream, at: immediate || !nodeLocalBlocks ? now : now + reloadMs };
    if (pending.core && pending.core.at <= now) {
      applyCore(pending.core.text);
      pending = { ...pending, core: undefined };
    }
    if (pending.nodeLocal && pending.nodeLocal.at <= now) {
      applyNodeLocal(pending.nodeLocal.text, pending.nodeLocal.upstream);
      pending = { ...pending, nodeLocal: undefined };
    }
  };

  // ---------------------------------------------------------------- sending inside the chain
  /** `from`: the stack address the sender sends from (its pod IP, its node's IP, pfSense). */
  const send = (target: string, req: Packet, o: { tcp: boolean; via?: string; from?: string }): Promise<Packet> => {
    let address = target;
    let p = 53;
    if (target.startsWith("/")) address = NODE_RESOLVER; // the node's /etc/resolv.conf → pfSense
    else {
      const m = /^(?:dns:\/\/)?([\d.]+)(?::(\d+))?$/.exec(target);
      if (m) {
        address = m[1];
        p = m[2] ? Number(m[2]) : 53;
      }
    }
    const d = mapDestination(map, { address, port: p, via: o.via });
    return exchange(req, { host: d.host, port: d.port, tcp: o.tcp, timeoutMs: fwdTimeout, localAddress: o.from ? loopbackSource(o.from) : undefined });
  };
  const nodeIp = (node?: string) => (node ? snapshot.nodeIPs?.[node] ?? staticSnapshot().nodeIPs?.[node] : undefined);

  const servicesForPlugin = () => snapshot.services.map((s) => ({ name: s.name, namespace: s.namespace, clusterIP: s.clusterIP }));

  const corednsFor = (pod: PodInfo): CorednsServer | undefined => {
    if (!coreBlocks) return undefined;
    let s = corednsServers.get(pod.name);
    if (!s) {
      s = new CorednsServer(coreBlocks, { send: (t, r, o) => send(t, r, { ...o, via: pod.node, from: pod.ip }), services: servicesForPlugin, observer: opts.metrics?.coredns(pod.name) });
      corednsServers.set(pod.name, s);
    }
    return s;
  };
  const nodeLocalFor = (node: string): CorednsServer | undefined => {
    if (!nodeLocalBlocks || nodeLocalBroken) return undefined;
    let s = nodeLocalServers.get(node);
    if (!s) {
      s = new CorednsServer(nodeLocalBlocks, { send: (t, r, o) => send(t, r, { ...o, via: node, from: nodeIp(node) }), services: () => [], observer: opts.metrics?.nodeLocal(node) });
      nodeLocalServers.set(node, s);
    }
    return s;
  };
  /** pfSense dnsmasq (domain override viktorbarzin.lan → the Technitium LB, the rest → Cloudflare), with its cache. */
  const pfsense = new CorednsServer(parseCorefile(PFSENSE_DNSMASQ), { send: (t, r, o) => send(t, r, { ...o, from: NODE_RESOLVER }), services: () => [] });
  const nodeLocalReady = (node: string) => snapshot.nodeLocalPods.some((p) => p.node === node && p.ready);

  // kube-dns and kube-dns-upstream both select the CoreDNS pods (k8s-app=kube-dns); kube-proxy picks a Ready one.
  // kube-proxy DNATs without SNAT for pod clients, so the backend sees the client's own address (`from`)
  const viaKubeProxy = async (_svc: ServiceInfo, req: Packet, tcp: boolean, from: string): Promise<Packet | null> => {
    const eps = snapshot.coreDnsPods.filter((p) => p.ready && p.ip);
    if (!eps.length) return null;
    const pod = eps[Math.floor(Math.random() * eps.length)];
    try {
      return await exchange(req, { host: loop(pod.ip!), port, tcp, timeoutMs: fwdTimeout * 2, localAddress: from });
    } catch {
      return null;
    }
  };

  const technitiumCandidates = (svc?: ServiceInfo): TechnitiumEndpoint[] => {
    let names: InstanceName[];
    if (snapshot.technitiumPods.length) {
      names = snapshot.technitiumPods
        .filter((p) => p.ready && (!svc || Object.entries(svc.selector).every(([k, v]) => p.labels[k] === v)))
        .map((p) => p.instance);
    } else names = techList.map((t) => t.name);
    return [...new Set(names)].map((n) => techByName.get(n)).filter((x): x is TechnitiumEndpoint => !!x);
  };

  // ClusterIP (kube-proxy) and the LoadBalancer with externalTrafficPolicy Local keep the client's address
  const toTechnitium = async (cands: TechnitiumEndpoint[], req: Packet, tcp: boolean, from: string): Promise<Packet | null> => {
    const order = cands.sort(() => Math.random() - 0.5);
    for (const t of order) {
      try {
        return await exchange(req, { host: t.dnsHost, port: t.dnsPort, tcp, timeoutMs: fwdTimeout, localAddress: from });
      } catch {
        // endpoint not answering: the next one
      }
    }
    return null;
  };

  const isTechnitiumService = (s: ServiceInfo) => s.namespace === "technitium" && s.ports.includes(53);
  const isKubeDnsService = (s: ServiceInfo) => s.namespace === "kube-system" && (s.name === "kube-dns" || s.name === "kube-dns-upstream");

  // ---------------------------------------------------------------- listeners
  const roles = new Map<string, Role>(); // listen host → role
  const hopNames = new Map<string, { hop: string; address: string }>();
  const listeners = new Map<string, DnsServerHandle>();
  const faults = new Map<string, Fault>(); // listen host → fault
  const bindErrors = new Map<string, string>();
  let started = false;
  let stopped = false;

  const handler = (host: string) => async (req: Packet, ctx: { transport: "udp" | "tcp"; remote: string }): Promise<Packet | null> => {
    const role = roles.get(host);
    if (!role) return null;
    const tcp = ctx.transport === "tcp";
    const from = ctx.remote.replace(/^::ffff:/, "");
    switch (role.kind) {
      case "upstream":
        return publicAnswer(req);
      case "pfsense": {
        // dnsmasq: a cache in front of two forwarders; no answer at all when every upstream fails
        const res = await pfsense.handle(req);
        return rcodeOf(res) === "SERVFAIL" ? null : res;
      }
      case "service":
        if (isKubeDnsService(role.svc)) return viaKubeProxy(role.svc, req, tcp, from);
        return toTechnitium(technitiumCandidates(role.svc), req, tcp, from);
      case "technitium-pod": {
        const t = techByName.get(role.instance);
        return t ? toTechnitium([t], req, tcp, from) : null;
      }
      case "coredns": {
        const s = corednsFor(role.pod);
        return s ? s.handle(req, { proto: ctx.transport }) : null;
      }
      case "nodelocal": {
        if (nodeLocalReady(role.node)) {
          const s = nodeLocalFor(role.node);
          return s ? s.handle(req, { proto: ctx.transport, server: `dns://${role.kubeDnsAddress ? KUBE_DNS_IP : NODELOCAL_IP}:53` }) : null;
        }
        if (!role.kubeDnsAddress) return null; // nothing listens on 169.254.20.10 without NodeLocal
        const kubeDns = snapshot.services.find((s) => s.namespace === "kube-system" && s.name === "kube-dns");
        return kubeDns ? viaKubeProxy(kubeDns, req, tcp, from) : null;
      }
    }
  };

  const ensure = async (host: string, role: Role, hop: string, address: string) => {
    if (stopped) return;
    roles.set(host, role);
    hopNames.set(host, { hop, address });
    if (listeners.has(host)) return;
    let l: DnsServerHandle;
    try {
      // CoreDNS-based hops (CoreDNS pods, node-cache) screen packets as miekg/dns does; Services pass packets on
      const personality: Personality | undefined = role.kind === "coredns" || role.kind === "nodelocal" ? "coredns" : undefined;
      l = await startDnsServer({ host, port, handler: handler(host), label: hop, personality });
    } catch (err) {
      bindErrors.set(host, `${hop} (${address}) cannot listen on ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      if (!started) throw err; // at start a taken port fails fast (callers retry with another port)
      return;
    }
    bindErrors.delete(host);
    const f = faults.get(host);
    if (f) l.setFault(f);
    listeners.set(host, l);
  };

  const sync = async () => {
    const wanted = new Map<string, { role: Role; hop: string; address: string }>();
    for (const [ip, l] of UPSTREAMS) wanted.set(l, { role: { kind: "upstream" }, hop: "upstream", address: ip });
    for (const ip of PFSENSE) wanted.set(loop(ip), { role: { kind: "pfsense" }, hop: "pfsense", address: ip });
    nodes.forEach((n, i) => {
      wanted.set(`127.254.20.${i + 1}`, { role: { kind: "nodelocal", node: n, kubeDnsAddress: false }, hop: `nodelocal:${n}`, address: `${NODELOCAL_IP}@${n}` });
      wanted.set(`127.254.96.${i + 1}`, { role: { kind: "nodelocal", node: n, kubeDnsAddress: true }, hop: `nodelocal:${n}`, address: `${KUBE_DNS_IP}@${n}` });
    });
    for (const s of snapshot.services) {
      if (!isKubeDnsService(s) && !isTechnitiumService(s)) continue;
      const hop = s.name === "kube-dns" ? "kube-dns" : s.name === "kube-dns-upstream" ? "kube-dns-upstream" : s.clusterIP === "10.96.0.53" ? "technitium-internal" : `service:${s.namespace}/${s.name}`;
      for (const ip of [s.clusterIP, ...(isTechnitiumService(s) ? s.loadBalancerIPs : [])]) {
        if (!ip || ip === "None" || !ip.startsWith("10.")) continue;
        const isLb = s.loadBalancerIPs.includes(ip);
        wanted.set(loop(ip), { role: { kind: "service", svc: s }, hop: isLb ? "technitium-lb" : hop, address: ip });
      }
    }
    for (const p of snapshot.coreDnsPods) if (p.ip?.startsWith("10.")) wanted.set(loop(p.ip), { role: { kind: "coredns", pod: p }, hop: `coredns:${p.name}`, address: p.ip });
    for (const p of snapshot.technitiumPods) if (p.ip?.startsWith("10.")) wanted.set(loop(p.ip), { role: { kind: "technitium-pod", instance: p.instance }, hop: `technitium:${p.instance}`, address: p.ip });
    for (const host of [...roles.keys()]) {
      if (!wanted.has(host)) {
        roles.delete(host);
        hopNames.delete(host);
        const l = listeners.get(host);
        listeners.delete(host);
        await l?.close();
      }
    }
    for (const [host, w] of wanted) await ensure(host, w.role, w.hop, w.address);
    await opts.metrics?.follow(snapshot);
  };

  consider(true);
  try {
    await sync();
  } catch (err) {
    for (const l of listeners.values()) await l.close();
    throw err;
  }
  started = true;

  let polling = false;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => (inFlight = tickOnce());
  const tickOnce = async () => {
    if (stopped || polling) return;
    polling = true;
    try {
      if (opts.kubeUrl) {
        try {
          snapshot = await fetchSnapshot(opts.kubeUrl, opts.kubeToken);
          lastPollError = undefined;
        } catch (err) {
          lastPollError = (err as Error).message;
        }
      }
      if (stopped) return; // stop() ran while the API was being read: open nothing new
      consider(false);
      await sync();
    } catch (err) {
      lastPollError = (err as Error).message;
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void tick(), pollMs);
  timer.unref?.();

  const hostsFor = (hop: string): string[] => {
    const out: string[] = [];
    for (const [host, h] of hopNames) {
      if (h.hop === hop || h.address === hop || h.hop.split(":")[0] === hop) out.push(host);
    }
    if (!out.length) {
      const [addr, via] = hop.split("@");
      const d = mapDestination(map, { address: addr, via });
      out.push(d.host);
    }
    return out;
  };

  return {
    addressMap: addressMapText,
    port,
    setFault(hop, f) {
      for (const host of hostsFor(hop)) {
        if (f) faults.set(host, f);
        else faults.delete(host);
        listeners.get(host)?.setFault(f);
      }
    },
    hops() {
      return [...hopNames.entries()].map(([host, h]) => ({ hop: h.hop, address: h.address, listen: `${host}:${port}`, fault: { ...(faults.get(host) ?? {}) } }));
    },
    setCluster(patch) {
      snapshot = { ...snapshot, ...patch };
      void tick();
    },
    async refresh() {
      await tick();
    },
    status() {
      return { corefileVersion, nodeLocalVersion, lastReloadError, lastPollError, bindErrors: [...bindErrors.values()] };
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight.catch(() => {}); // a poll in progress finishes (and opens nothing) before the listeners close
      // health-check probes of the hops' forwarders end with them
      for (const s of [...corednsServers.values(), ...nodeLocalServers.values(), pfsense]) s.close();
      for (const l of listeners.values()) await l.close();
      listeners.clear();
    },
  };
}
