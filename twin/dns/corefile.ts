/**
 * The subset of the Corefile language the DNS twin needs to answer as a hop's config says (reference §2, §3.6–§3.10):
 * server blocks (zones, port), forward (targets, except, force_tcp, policy), cache (success/denial TTLs, serve_stale),
 * template (class, type, zones, match regexes, rcode, answer, fallthrough), kubernetes (zones, fallthrough).
 * Everything else is accepted and ignored. Parse errors throw (the hop then keeps its old config, like `reload`).
 * The grammar is k8s/corefile's parser (the one dnsdeck validates with); this file only reads what the chain needs.
 */
import { parseCorefile as parseK8sCorefile, type Property } from "../../k8s/corefile/parser";

export interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
  line: number;
}

export interface ForwardCfg {
  from: string;
  to: string[];
  except: string[];
  forceTcp: boolean;
  policy: "random" | "round_robin" | "sequential";
  /** health_check interval (default 0.5 s) and max_fails (default 2; 0 = never marked down) */
  healthCheckMs: number;
  maxFails: number;
}

export interface CacheCfg {
  successMax: number;
  successMin: number;
  denialMax: number;
  denialMin: number;
  /** seconds; 0 = off */
  serveStale: number;
  /** `serve_stale DURATION [immediate|verify]`: immediate (default) answers stale at once, verify asks upstream first */
  serveStaleMode: "immediate" | "verify";
}

export interface TemplateCfg {
  cls: string;
  type: string;
  zones: string[];
  match: RegExp[];
  rcode: string;
  answers: string[];
  fallthrough: boolean;
}

export interface ServerBlock {
  zones: string[];
  port: number;
  forward: ForwardCfg[];
  cache?: CacheCfg;
  templates: TemplateCfg[];
  kubernetes?: { zones: string[]; fallthrough: string[] | "all" | null; ttl: number };
  plugins: string[];
}

export class CorefileError extends Error {}

/**
 * Server blocks as keys + directives, from the one Corefile parser of the repository (k8s/corefile, caddy's grammar:
 * snippets and `import`, `{$VAR}` / `{%VAR%}` from `env`, comma-continued keys). Its first error throws — the hop then
 * keeps its old config, as CoreDNS's `reload` does.
 */
export function parseRaw(src: string, env: Record<string, string> = {}): { keys: string[]; directives: Directive[] }[] {
  const parsed = parseK8sCorefile(src, { env });
  const err = parsed.issues.find((i) => i.severity === "error");
  if (err) throw new CorefileError(`line ${err.line}: ${err.message}`);
  const props = (list: Property[]): Directive[] => list.map((p) => ({ name: p.name.text, args: p.args.map((a) => a.text), line: p.name.line, ...(p.block ? { block: props(p.block) } : {}) }));
  return parsed.blocks.map((b) => ({
    keys: b.keys.map((k) => k.text.replace(/,$/, "")).filter(Boolean),
    directives: b.directives.map((d) => ({ name: d.name, args: d.args.map((a) => a.text), line: d.nameToken.line, ...(d.block ? { block: props(d.block) } : {}) })),
  }));
}

function normZone(z: string): string {
  return z.toLowerCase().replace(/\.$/, "");
}

function int(v: string | undefined, what: string, def: number): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new CorefileError(`${what}: "${v}" is not an integer`);
  return Number(v);
}

/** Go duration → seconds ("86400s", "24h", "1h30m"). */
export function goDuration(v: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let matched = "";
  for (const m of v.matchAll(re)) {
    matched += m[0];
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as "ms" | "s" | "m" | "h"];
  }
  if (matched !== v) throw new CorefileError(`"${v}" is not a duration`);
  return total;
}

/** Go regexp → JS RegExp (the subset templates use; a leading (?i) becomes the i flag). */
function goRegex(src: string): RegExp {
  let flags = "";
  let s = src;
  const m = /^\(\?([imsU]+)\)/.exec(s);
  if (m) {
    if (m[1].includes("i")) flags += "i";
    if (m[1].includes("s")) flags += "s";
    s = s.slice(m[0].length);
  }
  try {
    return new RegExp(s, flags);
  } catch (err) {
    throw new CorefileError(`template: bad regex ${src}: ${(err as Error).message}`);
  }
}

export function parseCorefile(src: string, substitutions: Record<string, string> = {}, env: Record<string, string> = {}): ServerBlock[] {
  let text = src;
  for (const [k, v] of Object.entries(substitutions)) text = text.split(k).join(v);
  const raw = parseRaw(text, env);
  const seen = new Set<string>();
  return raw
    .filter((b) => !(b.keys.length === 1 && /^\(.*\)$/.test(b.keys[0])))
    .map((b) => {
      const zones: string[] = [];
      let port = 53;
      for (const key of b.keys) {
        const m = /^(?:dns:\/\/)?([^:]*)(?::(\d+))?$/.exec(key);
        if (!m) throw new CorefileError(`unsupported server block key "${key}"`);
        const z = normZone(m[1] === "." ? "" : m[1]);
        if (m[2]) port = Number(m[2]);
        const id = `${z}:${port}`;
        if (seen.has(id)) throw new CorefileError(`cannot serve dns://${z || "."}.:${port} - it is already defined`);
        seen.add(id);
        zones.push(z);
      }
      const block: ServerBlock = { zones, port, forward: [], templates: [], plugins: b.directives.map((d) => d.name) };
      const once = new Set<string>();
      for (const d of b.directives) {
        if (["errors", "cache", "kubernetes", "prometheus", "loop"].includes(d.name)) {
          if (once.has(d.name)) throw new CorefileError(`line ${d.line}: this plugin can only be used once per Server Block: ${d.name}`);
          once.add(d.name);
        }
        if (d.name === "forward") block.forward.push(parseForward(d));
        else if (d.name === "cache") block.cache = parseCache(d);
        else if (d.name === "template") block.templates.push(parseTemplate(d, zones));
        else if (d.name === "kubernetes") {
          const k = { zones: d.args.length ? d.args.map(normZone) : zones, fallthrough: null as string[] | "all" | null, ttl: 5 };
          for (const prop of d.block ?? []) {
            if (prop.name === "fallthrough") k.fallthrough = prop.args.length ? prop.args.map(normZone) : "all";
            if (prop.name === "ttl") k.ttl = int(prop.args[0], "kubernetes ttl", 5);
          }
          block.kubernetes = k;
        }
      }
      return block;
    });
}

function parseForward(d: Directive): ForwardCfg {
  const [from, ...to] = d.args;
  if (!from || to.length === 0) throw new CorefileError(`line ${d.line}: forward needs FROM and at least one TO`);
  if (to.length > 15) throw new CorefileError(`line ${d.line}: more than 15 forward targets`);
  for (const t of to) {
    if (t.startsWith("/")) continue;
    const host = t.replace(/^dns:\/\//, "").replace(/^\[(.*)\](:\d+)?$/, "$1").replace(/:\d+$/, "");
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(host) && !/:/.test(host)) throw new CorefileError(`line ${d.line}: not an IP address or file: "${t}"`);
  }
  const f: ForwardCfg = { from: normZone(from === "." ? "" : from), to, except: [], forceTcp: false, policy: "random", healthCheckMs: 500, maxFails: 2 };
  for (const prop of d.block ?? []) {
    if (prop.name === "force_tcp") f.forceTcp = true;
    else if (prop.name === "except") f.except = prop.args.map(normZone);
    else if (prop.name === "policy") {
      if (!["random", "round_robin", "sequential"].includes(prop.args[0])) throw new CorefileError(`line ${prop.line}: unknown policy "${prop.args[0]}"`);
      f.policy = prop.args[0] as ForwardCfg["policy"];
    } else if (prop.name === "health_check" && prop.args[0]) f.healthCheckMs = goDuration(prop.args[0]) * 1000;
    else if (prop.name === "max_fails" && prop.args[0]) f.maxFails = int(prop.args[0], "forward max_fails", 2);
  }
  return f;
}

function parseCache(d: Directive): CacheCfg {
  const c: CacheCfg = { successMax: 3600, successMin: 5, denialMax: 1800, denialMin: 5, serveStale: 0, serveStaleMode: "immediate" };
  if (d.args[0] !== undefined) {
    const ttl = int(d.args[0], "cache TTL", 3600);
    if (ttl <= 0) throw new CorefileError("cache TTL must be > 0");
    c.successMax = ttl;
    c.denialMax = ttl;
  }
  for (const prop of d.block ?? []) {
    if (prop.name === "success" || prop.name === "denial") {
      int(prop.args[0], `cache ${prop.name} capacity`, 9984);
      const max = prop.args[1] !== undefined ? int(prop.args[1], `cache ${prop.name} TTL`, 0) : undefined;
      const min = prop.args[2] !== undefined ? int(prop.args[2], `cache ${prop.name} MINTTL`, 0) : undefined;
      if (prop.name === "success") {
        if (max !== undefined) c.successMax = max;
        if (min !== undefined) c.successMin = min;
      } else {
        if (max !== undefined) c.denialMax = max;
        if (min !== undefined) c.denialMin = min;
      }
    } else if (prop.name === "serve_stale") {
      c.serveStale = prop.args[0] ? goDuration(prop.args[0]) : 3600;
      const mode = prop.args[1] ?? "immediate";
      if (mode !== "immediate" && mode !== "verify") throw new CorefileError(`line ${prop.line}: invalid value for serve_stale refresh mode: ${mode}`);
      c.serveStaleMode = mode;
    }
  }
  return c;
}

function parseTemplate(d: Directive, blockZones: string[]): TemplateCfg {
  const [cls, type, ...zones] = d.args;
  if (!cls || !type) throw new CorefileError(`line ${d.line}: template needs CLASS and TYPE`);
  const t: TemplateCfg = { cls: cls.toUpperCase(), type: type.toUpperCase(), zones: zones.length ? zones.map(normZone) : blockZones, match: [], rcode: "NOERROR", answers: [], fallthrough: false };
  for (const prop of d.block ?? []) {
    if (prop.name === "match") t.match.push(...prop.args.map(goRegex));
    else if (prop.name === "rcode") {
      const rc = prop.args[0]?.toUpperCase();
      if (!["NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "FORMERR", "NOTIMP"].includes(rc)) throw new CorefileError(`line ${prop.line}: unknown rcode "${prop.args[0]}"`);
      t.rcode = rc;
    } else if (prop.name === "answer") t.answers.push(...prop.args);
    else if (prop.name === "fallthrough") t.fallthrough = true;
  }
  if (!t.match.length) t.match.push(/.*/);
  return t;
}

/** The kubeadm CoreDNS Corefile of the seed homelab (used when no K8s twin is given): the one the K8s twin seeds. */
export { HOMELAB_COREFILE as SEED_COREFILE } from "../kube/seed";

/** The NodeLocal DNSCache Corefile of the seed commit (transparent mode; viktorbarzin.lan straight to Technitium). */
export const SEED_NODELOCAL_COREFILE = `cluster.local:53 {
    errors
    cache {
            success 9984 30
            denial 9984 5
    }
    reload
    loop
    bind 169.254.20.10 10.96.0.10
    forward . __PILLAR__CLUSTER__DNS__ {
            force_tcp
    }
    prometheus :9253
    health 169.254.20.10:8080
}
in-addr.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind 169.254.20.10 10.96.0.10
    forward . __PILLAR__CLUSTER__DNS__ {
            force_tcp
    }
    prometheus :9253
}
ip6.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind 169.254.20.10 10.96.0.10
    forward . __PILLAR__CLUSTER__DNS__ {
            force_tcp
    }
    prometheus :9253
}
viktorbarzin.lan:53 {
    errors
    cache 30
    reload
    loop
    bind 169.254.20.10 10.96.0.10
    forward . 10.96.0.53
    prometheus :9253
}
.:53 {
    errors
    cache 30
    reload
    loop
    bind 169.254.20.10 10.96.0.10
    forward . __PILLAR__CLUSTER__DNS__
    prometheus :9253
}
`;
