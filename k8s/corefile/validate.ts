import type { StackConfig } from "../config";
import type { Token } from "./lexer";
import { type Issue, type ParsedCorefile, parseCorefile, type ServerBlock } from "./parser";
import { CHECKS, type CheckContext, forwardTarget, isHostPort, isIP, ONCE_PER_BLOCK } from "./plugins";
import { corednsProfile, nodeCacheProfile, type PluginProfile } from "./profiles";

/**
 * validateCorefile: parse + version-aware plugin checks + the rules that break cluster DNS (reference §4):
 * forward loops, duplicate zone+port, `ready`/`health` removed or moved, unknown or not-compiled plugins, template
 * without fallthrough, leftover node-cache placeholders. Every finding carries a 1-based line and column.
 */

export type CorefileTarget = "coredns" | "nodelocal";

export interface CorefileError {
  line: number;
  column: number;
  message: string;
  severity?: "error" | "warning";
}

export interface ValidationResult {
  valid: boolean;
  errors: CorefileError[];
}

export interface ValidateOptions {
  /** Cluster CoreDNS version (live image tag); default 1.11.3. Ignored for nodelocal (node-cache 1.23.1 = 1.10.0). */
  corednsVersion?: string;
  /** The stack config, for the addresses that make loops (link-local IP, kube-dns ClusterIP) and the health port. */
  stack?: StackConfig;
  /** Environment for `{$VAR}` substitution; unset variables are tolerated where a value is expected. */
  env?: Record<string, string | undefined>;
}

const DEFAULTS = { linkLocalIp: "169.254.20.10", kubeDnsClusterIp: "10.96.0.10", healthPort: 8080, upstreamServiceName: "kube-dns-upstream" };
const RUNTIME_PLACEHOLDERS = new Set(["__PILLAR__CLUSTER__DNS__", "__PILLAR__UPSTREAM__SERVERS__"]);

export function profileFor(target: CorefileTarget, corednsVersion?: string): PluginProfile {
  return target === "nodelocal" ? nodeCacheProfile() : corednsProfile(corednsVersion ?? "1.11.3");
}

export function validateCorefile(text: string, target: CorefileTarget, opts: ValidateOptions = {}): ValidationResult {
  const issues: Issue[] = [];
  let profile: PluginProfile;
  try {
    profile = profileFor(target, opts.corednsVersion);
  } catch {
    return { valid: false, errors: [{ line: 1, column: 1, message: `Unknown CoreDNS version '${opts.corednsVersion}' (expected e.g. 1.11.3)`, severity: "error" }] };
  }
  const nl = opts.stack?.nodelocal ?? DEFAULTS;
  // node-cache's own addresses: the stack's -localip set; without a stack, what the Corefile binds (a non-transparent
  // setup that binds only the link-local IP may forward to the kube-dns ClusterIP), else the homelab defaults.
  let localAddrs = new Set([nl.linkLocalIp, nl.kubeDnsClusterIp]);

  if (!text.trim()) {
    return { valid: false, errors: [{ line: 1, column: 1, message: "The Corefile is empty: CoreDNS would serve nothing", severity: "error" }] };
  }

  const env = { ...opts.env };
  const parsed: ParsedCorefile = parseCorefile(text, { knownDirectives: profile.known, env });
  issues.push(...parsed.issues);

  const error = (t: { line: number; column: number }, message: string) => issues.push({ line: t.line, column: t.column, message, severity: "error" });
  const warn = (t: { line: number; column: number }, message: string) => issues.push({ line: t.line, column: t.column, message, severity: "warning" });
  const firstTok = parsed.blocks[0]?.keys[0] ?? { line: 1, column: 1 };
  const boundIps = parsed.blocks.flatMap((b) => b.directives.filter((d) => d.name === "bind").flatMap((d) => d.args.map((a) => a.text))).filter((x) => isIP(x));
  if (!opts.stack && target === "nodelocal" && boundIps.length) localAddrs = new Set(boundIps);
  const healthWant = opts.stack || !boundIps.length ? [`${nl.linkLocalIp}:${nl.healthPort}`] : [...new Set(boundIps)].map((ip) => `${ip}:`);

  // ---- per block: compiled-in, once-per-block, plugin arguments -------------------------------------------------
  for (const block of parsed.blocks) {
    const seen = new Map<string, Token>();
    for (const d of block.directives) {
      if (!profile.known.has(d.name)) continue; // reported by the parser
      if (!profile.compiled.has(d.name)) {
        error(d.nameToken, `no action found for directive '${d.name}' with server type 'dns' (missing a plugin?): ${profile.label} does not include '${d.name}'`);
        continue;
      }
      if (ONCE_PER_BLOCK.has(d.name)) {
        if (seen.has(d.name)) error(d.nameToken, `${d.name}: this plugin can only be used once per Server Block (first use on line ${seen.get(d.name)!.line})`);
        else seen.set(d.name, d.nameToken);
      }
      const ctx: CheckContext = { profile, target, block, error, warn };
      CHECKS[d.name]?.(d, ctx);
    }
    if (block.open && block.directives.length === 0) warn(block.keys[0], "This server block has no plugins: it answers SERVFAIL to everything");
  }

  // ---- duplicate zone+port, bind/no-bind overlap -------------------------------------------------------------------
  const bindsOf = (b: ServerBlock) => b.directives.filter((d) => d.name === "bind").flatMap((d) => d.args.map((a) => a.text));
  const listeners = new Map<string, Array<{ block: ServerBlock; key: Token; binds: string[] }>>();
  for (const block of parsed.blocks) {
    const binds = bindsOf(block);
    for (const a of block.addresses) {
      for (const z of a.zones) {
        const k = `${a.scheme}${z}:${a.port}`;
        const list = listeners.get(k) ?? [];
        for (const other of list) {
          if (other.block === block) {
            error(a.key, `cannot serve ${k} - it is already defined in this server block`);
          } else if (binds.length && other.binds.length) {
            if (binds.some((x) => other.binds.includes(x))) error(a.key, `cannot serve ${k} - it is already defined (line ${other.key.line}) on the same bind address`);
          } else if (binds.length || other.binds.length) {
            error(a.key, `zone overlap listener capacity: ${k} is served by a block with 'bind' and one without (line ${other.key.line})`);
          } else {
            error(a.key, `cannot serve ${k} - it is already defined (line ${other.key.line})`);
          }
        }
        list.push({ block, key: a.key, binds });
        listeners.set(k, list);
      }
    }
  }
  const byPort = new Map<number, ServerBlock[]>();
  for (const b of parsed.blocks) for (const a of b.addresses) byPort.set(a.port, [...(byPort.get(a.port) ?? []).filter((x) => x !== b), b]);
  for (const [port, blocks] of byPort) {
    const withBind = blocks.filter((b) => bindsOf(b).length);
    if (withBind.length && withBind.length < blocks.length) {
      for (const b of blocks.filter((x) => !bindsOf(x).length)) {
        warn(b.keys[0], `Port ${port}: other blocks use 'bind' but this one does not, so two listeners contend for the same packets; add the same bind line`);
      }
    }
  }

  // ---- health / ready / prometheus listeners --------------------------------------------------------------------
  const all = parsed.blocks.flatMap((b) => b.directives.map((d) => ({ b, d })));
  const healths = all.filter((x) => x.d.name === "health");
  const readies = all.filter((x) => x.d.name === "ready");
  const healthAddrs = new Set(healths.map((x) => x.d.args[0]?.text ?? ":8080"));
  if (healthAddrs.size > 1) for (const h of healths.slice(1)) warn(h.d.nameToken, "health is process-wide: use it in exactly one server block");

  if (!parsed.fatal) {
    if (healths.length === 0) {
      error(firstTok, target === "nodelocal"
        ? `'health' is missing: the DaemonSet's liveness probe (http://${nl.linkLocalIp}:${nl.healthPort}/health) would fail and restart node-cache on every node; add 'health ${nl.linkLocalIp}:${nl.healthPort}' to the first block`
        : "'health' is missing: the Deployment's liveness probe (/health on 8080) would fail and restart every CoreDNS pod; add 'health' (kubeadm uses 'health { lameduck 5s }')");
    }
    if (target === "coredns" && profile.compiled.has("ready") && readies.length === 0) {
      error(firstTok, "'ready' is missing: the readiness probe (/ready on 8181) fails, every CoreDNS pod leaves the kube-dns endpoints and cluster DNS goes down; keep 'ready' in the .:53 block");
    }
  }
  for (const h of healths) {
    const addr = h.d.args[0]?.text ?? ":8080";
    if (h.d.args[0]?.envVars) continue;
    if (target === "nodelocal") {
      if (addr.includes("__PILLAR__")) continue; // reported as placeholder below
      const want = `${nl.linkLocalIp}:${nl.healthPort}`;
      const matches = healthWant.some((w) => (w.endsWith(":") ? addr.startsWith(w) : addr === w));
      if (addr.startsWith(":")) warn(h.d.args[0] ?? h.d.nameToken, `health on '${addr}' listens on every node address (hostNetwork); prefer '${healthWant[0].endsWith(":") ? `${healthWant[0]}${addr.slice(1)}` : want}' to match the liveness probe and avoid port collisions`);
      else if (!matches && isHostPort(addr)) {
        error(h.d.args[0] ?? h.d.nameToken, opts.stack || !boundIps.length
          ? `health must listen on ${want}: the DaemonSet's liveness probe hits http://${want}/health and node-cache's -health-port is ${nl.healthPort}`
          : `health listens on ${addr}, which is not one of the addresses this Corefile binds (${[...new Set(boundIps)].join(", ")}): the liveness probe cannot reach it`);
      }
    } else {
      const port = addr.slice(addr.lastIndexOf(":") + 1);
      if (isHostPort(addr) && port !== "8080") error(h.d.args[0] ?? h.d.nameToken, `health moved to port ${port}: kubeadm's liveness probe hits 8080, so every CoreDNS pod would be restarted`);
    }
  }
  if (target === "coredns") {
    for (const r of readies) {
      const addr = r.d.args[0]?.text ?? ":8181";
      const port = addr.slice(addr.lastIndexOf(":") + 1);
      if (!r.d.args[0]?.envVars && isHostPort(addr) && port !== "8181") {
        error(r.d.args[0] ?? r.d.nameToken, `ready moved to port ${port}: kubeadm's readiness probe hits 8181, so every CoreDNS pod would leave the kube-dns endpoints`);
      }
    }
    const clusterZone = `${(opts.stack?.nodelocal.clusterDomain ?? "cluster.local").replace(/\.$/, "")}`;
    const kube = all.filter((x) => x.d.name === "kubernetes");
    if (!parsed.fatal && profile.compiled.has("kubernetes") && !kube.some((k) => k.d.args.length === 0 || k.d.args.some((a) => a.text.replace(/\.$/, "").toLowerCase() === clusterZone))) {
      error(kube[0]?.d.nameToken ?? firstTok, `No 'kubernetes' plugin serves ${clusterZone}: Service and Pod names would stop resolving`);
    }
  }

  // ---- forward targets: loops ------------------------------------------------------------------------------------
  for (const { b, d } of all) {
    if (d.name !== "forward") continue;
    const binds = new Set(bindsOf(b));
    for (const t of d.args.slice(1)) {
      const r = forwardTarget(t);
      if (r.kind === "ip" && r.ip) {
        if (target === "nodelocal" && (localAddrs.has(r.ip) || binds.has(r.ip))) {
          error(t, `Forward loop: ${r.ip} is node-cache's own address on every node (transparent mode), so the query comes straight back; forward to __PILLAR__CLUSTER__DNS__ (the ${nl.upstreamServiceName} ClusterIP) instead`);
        } else if (target === "coredns" && localAddrs.has(r.ip)) {
          error(t, `Forward loop: ${r.ip} is intercepted by NodeLocal DNSCache on every node, which forwards back to CoreDNS; forward to a real upstream (e.g. the router or Technitium)`);
        } else if (/^127\./.test(r.ip) || r.ip === "::1") {
          error(t, `Forward loop: ${r.ip} is the loopback address of the ${target === "coredns" ? "CoreDNS pod" : "node"}; ${target === "coredns" ? "only CoreDNS itself listens there" : "queries would not leave the node"}`);
        }
      } else if (r.kind === "file" && t.text.replace(/^dns:\/\//, "") === "/etc/resolv.conf") {
        warn(t, target === "nodelocal"
          ? "forward to /etc/resolv.conf uses the node's resolver file: if it lists 169.254.20.10 or 10.96.0.10 this loops"
          : "forward to /etc/resolv.conf uses the node's resolver file (dnsPolicy Default): if it lists the cluster DNS or a loopback stub (systemd-resolved) this loops");
      } else if (r.kind === "placeholder" && target === "nodelocal" && t.text === "__PILLAR__UPSTREAM__SERVERS__" && d.args[0]?.text === ".") {
        warn(t, "forward . __PILLAR__UPSTREAM__SERVERS__ sends non-cluster names to the node's resolv.conf, bypassing CoreDNS (its forward policy, serve_stale and the internal-zone block); this stack forwards '.' to __PILLAR__CLUSTER__DNS__");
      }
    }
  }

  // ---- placeholders ----------------------------------------------------------------------------------------------
  const allTokens: Token[] = [];
  for (const b of parsed.blocks) {
    allTokens.push(...b.keys);
    for (const d of b.directives) {
      allTokens.push(...d.args);
      const walk = (ps: typeof d.block) => ps?.forEach((p) => (allTokens.push(p.name, ...p.args), walk(p.block)));
      walk(d.block);
    }
  }
  for (const t of allTokens) {
    const m = t.text.match(/__PILLAR__[A-Z_]+?__(?=[^A-Z_]|$)/g);
    if (!m) continue;
    for (const ph of m) {
      if (target === "coredns") {
        error(t, `Placeholder ${ph} is not replaced in the cluster CoreDNS (only node-cache substitutes __PILLAR__ values)`);
      } else if (!RUNTIME_PLACEHOLDERS.has(ph)) {
        const why: Record<string, string> = {
          __PILLAR__LOCAL__DNS__: `node-cache replaces it with every -localip joined by spaces (e.g. 'health ${nl.linkLocalIp} ${nl.kubeDnsClusterIp}:8080', two arguments) and CoreDNS does not start; write ${nl.linkLocalIp}`,
          __PILLAR__DNS__SERVER__: `node-cache replaces it with an empty string; write ${nl.kubeDnsClusterIp}`,
          __PILLAR__DNS__DOMAIN__: "node-cache never replaces it; write the cluster domain (cluster.local)",
        };
        error(t, `Placeholder ${ph} would be mis-expanded: ${why[ph] ?? "node-cache does not know it"}`);
      }
    }
  }

  // ---- nodelocal specifics ---------------------------------------------------------------------------------------
  if (target === "nodelocal" && !parsed.fatal) {
    for (const b of parsed.blocks) {
      if (!b.directives.some((d) => d.name === "reload") && b.directives.length) {
        warn(b.keys[0], "No 'reload' in this block: node-cache 1.23.1 cannot signal CoreDNS, so Corefile changes wait for a pod restart");
        break;
      }
    }
    for (const b of parsed.blocks) {
      if (!b.addresses.some((a) => a.port === 53)) continue;
      const binds = bindsOf(b);
      if (!binds.length) continue;
      const missing = [...localAddrs].filter((x) => !binds.includes(x) && !binds.some((y) => y.includes("__PILLAR__") || y.includes("{$")));
      if (missing.length) warn(b.directives.find((d) => d.name === "bind")!.nameToken, `bind should list exactly the -localip set (${[...localAddrs].join(" ")}); missing ${missing.join(", ")}`);
    }
  }

  // ---- nodelocal with the stack: metrics port and worst-case cache memory vs the container's limit ----------------
  if (target === "nodelocal" && opts.stack && !parsed.fatal) {
    const n = opts.stack.nodelocal;
    for (const { d } of all) {
      if (d.name !== "prometheus" || !d.args[0] || d.args[0].envVars) continue;
      const port = d.args[0].text.slice(d.args[0].text.lastIndexOf(":") + 1);
      if (port !== String(n.metricsPort)) warn(d.args[0], `prometheus on port ${port}, but the DaemonSet, its annotations and the node-local-dns Service expose ${n.metricsPort}: metrics would not be scraped`);
    }
    const limitMi = memoryMi(n.resources.limits.memory);
    if (limitMi !== undefined) {
      let entries = 0;
      for (const b of parsed.blocks) {
        const c = b.directives.find((d) => d.name === "cache");
        if (!c) continue;
        const cap = (name: string) => {
          const p = c.block?.find((x) => x.name.text === name);
          const v = p?.args[0] && /^\d+$/.test(p.args[0].text) ? Number(p.args[0].text) : 9984;
          return Math.max(1024, Math.floor(v / 256) * 256);
        };
        entries += cap("success") + cap("denial");
      }
      // Kubernetes docs: a full default cache (9984 + 9984 entries) takes about 30 MB per server block
      const worstMi = Math.round((entries / (2 * 9984)) * 30 + 20);
      if (worstMi > limitMi) {
        warn(firstTok, `With every cache full, node-cache could need about ${worstMi} MiB (${entries} cache entries across ${parsed.blocks.length} blocks, ~30 MB per full default cache) but its memory limit is ${n.resources.limits.memory}: an OOM-killed node-cache leaves its iptables rules behind and the node's DNS is down until it restarts. Lower success/denial capacities or raise the limit`);
      }
    }
  }

  // ---- result ----------------------------------------------------------------------------------------------------
  const seenKey = new Set<string>();
  const errors = issues
    .filter((x) => {
      const k = `${x.line}:${x.column}:${x.message}`;
      if (seenKey.has(k)) return false;
      seenKey.add(k);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((x) => ({ line: x.line, column: x.column, message: x.message, severity: x.severity }));
  return { valid: !errors.some((e) => e.severity === "error"), errors };
}

function memoryMi(q: string | undefined): number | undefined {
  if (!q) return undefined;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) return undefined;
  const f: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576, T: 1e12 / 1048576 };
  return Number(m[1]) * (m[2] ? f[m[2]] : 1 / 1048576);
}
