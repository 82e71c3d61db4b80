import type { Token } from "./lexer";
import type { Directive, Property, ServerBlock } from "./parser";
import { atLeast, type PluginProfile } from "./profiles";

/**
 * Per-plugin argument checks, mirroring each plugin's setup.go at the profile's CoreDNS version (reference §3).
 * Each check reports through `ctx.error` / `ctx.warn` with the offending token's position.
 */

export interface CheckContext {
  profile: PluginProfile;
  target: "coredns" | "nodelocal";
  block: ServerBlock;
  error(t: Token, message: string): void;
  warn(t: Token, message: string): void;
}

// ---------------------------------------------------------------------------------------------------------------
// value helpers
// ---------------------------------------------------------------------------------------------------------------

const UNIT_NS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go time.ParseDuration → milliseconds, or undefined when it would fail. */
export function parseGoDuration(s: string): number | undefined {
  if (s === "0" || s === "+0" || s === "-0") return 0;
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g;
  let part: RegExpExecArray | null;
  while ((part = re.exec(s))) total += Number(part[1]) * UNIT_NS[part[2]];
  return m[1] === "-" ? -total : total;
}

// IP parsing: k8s/net.ts (ipaddr.js), the one parser across dnsdeck.
export { isIp as isIP, isIPv4, isIPv6 } from "../net";
import { isIp as isIP, isIPv4, isIPv6 } from "../net";

/** Go net.SplitHostPort acceptance (`:8080`, `host:8080`, `[::1]:8080`). */
export function isHostPort(s: string): boolean {
  const v6 = /^\[[^\]]+\]:(\d*)$/.exec(s);
  if (v6) return true;
  const idx = s.lastIndexOf(":");
  if (idx < 0) return false;
  if (s.indexOf(":") !== idx) return false; // bare IPv6 without brackets: too many colons
  return true;
}

function isInt(s: string): boolean {
  return /^[-+]?\d+$/.test(s);
}

/** Rough RE2 compile check: JS RegExp plus the RE2 exclusions (no lookaround, no backreferences). */
export function goRegexError(src: string): string | undefined {
  if (/\(\?<?[=!]/.test(src)) return "lookaround assertions are not supported by Go regular expressions";
  if (/(^|[^\\])\\[1-9]/.test(src)) return "backreferences are not supported by Go regular expressions";
  let s = src.replace(/\(\?P</g, "(?<");
  let flags = "";
  const f = /^\(\?([imsU]+)\)/.exec(s);
  if (f) {
    flags = [...new Set(f[1].replace("U", "").split(""))].join("");
    s = s.slice(f[0].length);
  }
  // RE2 inline flag groups `(?i:…)` / `(?-s)` are not in every JS engine: check the rest without them
  s = s.replace(/\(\?[imsU-]+:/g, "(?:").replace(/\(\?[imsU-]+\)/g, "");
  try {
    new RegExp(s, flags);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, "");
  }
}

/** Forward TO: IP, IP:port, [v6]:port, scheme://…, a file path, or a token node-cache/env fills in. */
function forwardTarget(t: Token): { ok: boolean; ip?: string; kind: "ip" | "file" | "placeholder" | "env" | "bad" } {
  if (t.envVars) return { ok: true, kind: "env" };
  let s = t.text;
  if (/^__PILLAR__[A-Z_]+__$/.test(s)) return { ok: true, kind: "placeholder" };
  const scheme = /^([a-z0-9]+):\/\//.exec(s);
  if (scheme) {
    if (!["dns", "tls"].includes(scheme[1])) return { ok: false, kind: "bad" };
    s = s.slice(scheme[0].length);
  }
  if (s.startsWith("/")) return { ok: true, kind: "file" };
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return isIPv6(v6[1]) ? { ok: true, ip: v6[1], kind: "ip" } : { ok: false, kind: "bad" };
  if (isIP(s)) return { ok: true, ip: s, kind: "ip" };
  const hp = /^([^:]+):(\d+)$/.exec(s);
  if (hp && isIPv4(hp[1]) && Number(hp[2]) <= 65535) return { ok: true, ip: hp[1], kind: "ip" };
  return { ok: false, kind: "bad" };
}
export { forwardTarget };

function argsOf(p: Property): Token[] {
  return p.args;
}

function endTok(d: Directive): Token {
  return d.args[d.args.length - 1] ?? d.nameToken;
}

function noBlock(ctx: CheckContext, d: Directive) {
  if (d.block && d.block.length) ctx.error(d.block[0].name, `${d.name} takes no block`);
}

function maxArgs(ctx: CheckContext, d: Directive, n: number, what = "argument") {
  if (d.args.length > n) ctx.error(d.args[n], `${d.name} takes at most ${n} ${what}${n === 1 ? "" : "s"}; unexpected '${d.args[n].text}'`);
}

function duration(ctx: CheckContext, t: Token | undefined, what: string, opts: { min?: number; max?: number } = {}): number | undefined {
  if (!t) return undefined;
  if (t.envVars) return undefined;
  const ms = parseGoDuration(t.text);
  if (ms === undefined) {
    ctx.error(t, `${what}: '${t.text}' is not a Go duration (e.g. 5s, 30m, 24h)`);
    return undefined;
  }
  if (opts.min !== undefined && ms < opts.min) ctx.error(t, `${what}: '${t.text}' must be at least ${fmtMs(opts.min)}`);
  if (opts.max !== undefined && ms > opts.max) ctx.error(t, `${what}: '${t.text}' must be at most ${fmtMs(opts.max)}`);
  return ms;
}

function fmtMs(ms: number): string {
  return ms % 60_000 === 0 && ms >= 60_000 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

function integer(ctx: CheckContext, t: Token | undefined, what: string, opts: { min?: number; max?: number } = {}): number | undefined {
  if (!t || t.envVars) return undefined;
  if (!isInt(t.text)) {
    const hint = parseGoDuration(t.text) !== undefined ? " (this is an integer number of seconds, not a duration: drop the unit)" : "";
    ctx.error(t, `${what}: '${t.text}' is not an integer${hint}`);
    return undefined;
  }
  const n = Number(t.text);
  if (opts.min !== undefined && n < opts.min) ctx.error(t, `${what}: ${n} must be at least ${opts.min}`);
  if (opts.max !== undefined && n > opts.max) ctx.error(t, `${what}: ${n} must be at most ${opts.max}`);
  return n;
}

function unknownProp(ctx: CheckContext, d: Directive, p: Property, known: string[]) {
  ctx.error(p.name, `Unknown property '${p.name.text}' for ${d.name} in CoreDNS ${ctx.profile.versionText} (known: ${known.join(", ")})`);
}

function newer(ctx: CheckContext, d: Directive, p: Property, since: string): boolean {
  if (atLeast(ctx.profile.version, since)) return false;
  ctx.error(p.name, `${d.name} option '${p.name.text}' needs CoreDNS ${since} or newer; ${ctx.profile.label} does not have it`);
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// DNS names used by template
// ---------------------------------------------------------------------------------------------------------------

export const CLASSES = new Set(["IN", "INET", "CS", "CSNET", "CH", "CHAOS", "HS", "HESIOD", "NONE", "ANY"]);
export const TYPES = new Set(
  (
    "A NS MD MF CNAME SOA MB MG MR NULL PTR HINFO MINFO MX TXT RP AFSDB X25 ISDN RT NSAPPTR SIG KEY PX GPOS AAAA LOC NXT EID " +
    "NIMLOC SRV ATMA NAPTR KX CERT DNAME OPT APL DS SSHFP IPSECKEY RRSIG NSEC DNSKEY DHCID NSEC3 NSEC3PARAM TLSA SMIMEA HIP " +
    "NINFO RKEY TALINK CDS CDNSKEY OPENPGPKEY CSYNC ZONEMD SVCB HTTPS SPF UINFO UID GID UNSPEC NID L32 L64 LP EUI48 EUI64 URI " +
    "CAA AVC TKEY TSIG IXFR AXFR MAILB MAILA ANY TA DLV RESERVED"
  ).split(" "),
);
export const RCODES = new Set([
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN",
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
  "BADSIG",
  "BADVERS",
  "BADKEY",
  "BADTIME",
  "BADMODE",
  "BADNAME",
  "BADALG",
  "BADTRUNC",
  "BADCOOKIE",
]);

// ---------------------------------------------------------------------------------------------------------------
// plugins
// ---------------------------------------------------------------------------------------------------------------

type Check = (d: Directive, ctx: CheckContext) => void;

const errors: Check = (d, ctx) => {
  if (d.args.length > 1) ctx.error(d.args[1], "errors takes at most one argument (stdout)");
  else if (d.args.length === 1 && d.args[0].text !== "stdout") ctx.error(d.args[0], `errors: unknown argument '${d.args[0].text}' (only 'stdout' is allowed)`);
  for (const p of d.block ?? []) {
    if (p.name.text === "stacktrace") {
      if (p.args.length) ctx.error(p.args[0], "errors stacktrace takes no arguments");
    } else if (p.name.text === "consolidate") {
      const a = argsOf(p);
      if (a.length < 2 || a.length > (atLeast(ctx.profile.version, "1.14.0") ? 4 : 3)) {
        ctx.error(p.name, "errors consolidate needs DURATION REGEXP [warning|error|info|debug]");
        continue;
      }
      duration(ctx, a[0], "errors consolidate", { min: 0 });
      const re = goRegexError(a[1].text);
      if (re) ctx.error(a[1], `errors consolidate: regular expression does not compile: ${re}`);
      if (a[2] && !["warning", "error", "info", "debug"].includes(a[2].text)) ctx.error(a[2], `errors consolidate: unknown level '${a[2].text}' (warning, error, info or debug)`);
      if (a[3] && a[3].text !== "show_first") ctx.error(a[3], `errors consolidate: unknown option '${a[3].text}'`);
    } else unknownProp(ctx, d, p, ["stacktrace", "consolidate"]);
  }
};

const health: Check = (d, ctx) => {
  maxArgs(ctx, d, 1);
  const a = d.args[0];
  if (a && !a.envVars && !isHostPort(a.text)) ctx.error(a, `health: '${a.text}' is not a host:port address (write ':${/^\d+$/.test(a.text) ? a.text : "8080"}' or '<ip>:<port>')`);
  for (const p of d.block ?? []) {
    if (p.name.text === "lameduck") {
      if (p.args.length !== 1) ctx.error(p.name, "health lameduck takes exactly one duration");
      else duration(ctx, p.args[0], "health lameduck", { min: 0 });
    } else unknownProp(ctx, d, p, ["lameduck"]);
  }
};

const ready: Check = (d, ctx) => {
  maxArgs(ctx, d, 1);
  const a = d.args[0];
  if (a && !a.envVars && !isHostPort(a.text)) ctx.error(a, `ready: '${a.text}' is not a host:port address (e.g. ':8181')`);
  for (const p of d.block ?? []) {
    if (p.name.text === "monitor" && !newer(ctx, d, p, "1.12.2")) continue;
    if (p.name.text !== "monitor") unknownProp(ctx, d, p, ["monitor"]);
  }
};

const prometheus: Check = (d, ctx) => {
  maxArgs(ctx, d, 1);
  const a = d.args[0];
  if (a && !a.envVars && !isHostPort(a.text)) ctx.error(a, `prometheus: '${a.text}' is not a host:port address (e.g. ':9153')`);
  noBlock(ctx, d);
};

const KUBE_OPTS = ["endpoint", "tls", "kubeconfig", "namespaces", "labels", "namespace_labels", "pods", "endpoint_pod_names", "ttl", "noendpoints", "fallthrough", "ignore", "upstream", "multicluster", "startup_timeout", "apiserver_qps", "apiserver_burst", "apiserver_max_inflight"];
const kubernetes: Check = (d, ctx) => {
  const zones = d.args.map((t) => t.text.toLowerCase().replace(/\.$/, ""));
  let fallthrough: string[] | undefined;
  for (const p of d.block ?? []) {
    const a = p.args;
    switch (p.name.text) {
      case "pods":
        if (a.length !== 1 || !["disabled", "insecure", "verified"].includes(a[0].text))
          ctx.error(a[0] ?? p.name, `kubernetes pods: must be one of disabled, insecure, verified`);
        break;
      case "ttl":
        if (a.length !== 1) ctx.error(p.name, "kubernetes ttl takes exactly one integer (0–3600)");
        else integer(ctx, a[0], "kubernetes ttl", { min: 0, max: 3600 });
        break;
      case "fallthrough":
        fallthrough = a.map((t) => t.text.toLowerCase().replace(/\.$/, ""));
        break;
      case "ignore":
        if (a.length !== 1 || a[0].text !== "empty_service") ctx.error(a[0] ?? p.name, "kubernetes ignore: only 'empty_service' is supported");
        break;
      case "endpoint_pod_names":
      case "noendpoints":
        if (a.length) ctx.error(a[0], `kubernetes ${p.name.text} takes no arguments`);
        break;
      case "tls":
        if (a.length !== 3) ctx.error(p.name, "kubernetes tls needs CERT KEY CACERT");
        break;
      case "endpoint":
      case "namespaces":
      case "labels":
      case "namespace_labels":
      case "kubeconfig":
        if (a.length === 0) ctx.error(p.name, `kubernetes ${p.name.text} needs an argument`);
        break;
      case "upstream":
        ctx.warn(p.name, "kubernetes upstream is ignored (deprecated); remove it");
        break;
      case "multicluster":
        if (!newer(ctx, d, p, "1.12.0")) break;
        break;
      case "startup_timeout":
        if (!newer(ctx, d, p, "1.12.0")) duration(ctx, a[0], "kubernetes startup_timeout");
        break;
      case "apiserver_qps":
      case "apiserver_burst":
      case "apiserver_max_inflight":
        newer(ctx, d, p, "1.12.1");
        break;
      default:
        unknownProp(ctx, d, p, KUBE_OPTS.slice(0, 12));
    }
  }
  for (const rev of ["in-addr.arpa", "ip6.arpa"]) {
    if (zones.includes(rev) && !(fallthrough && (fallthrough.length === 0 || fallthrough.includes(rev)))) {
      ctx.warn(d.args[zones.indexOf(rev)], `kubernetes claims ${rev} without 'fallthrough ${rev}': PTR lookups for non-cluster addresses (e.g. LAN IPs) get NXDOMAIN instead of reaching forward`);
    }
  }
};

const FORWARD_OPTS_BASE = ["except", "force_tcp", "prefer_udp", "expire", "max_fails", "health_check", "policy", "max_concurrent", "tls", "tls_servername"];
const forward: Check = (d, ctx) => {
  if (d.args.length === 0) {
    ctx.error(d.nameToken, "forward needs FROM and at least one TO (e.g. 'forward . 1.1.1.1')");
    return;
  }
  if (d.args.length === 1) ctx.error(d.args[0], "forward needs at least one TO address after the FROM zone");
  const tos = d.args.slice(1);
  if (tos.length > 15) ctx.error(tos[15], `forward accepts at most 15 upstreams; ${tos.length} given`);
  for (const t of tos) {
    const r = forwardTarget(t);
    if (!r.ok) ctx.error(t, `forward: '${t.text}' is not an IP address or file (hostnames are not supported in CoreDNS ${ctx.profile.versionText})`);
  }
  for (const p of d.block ?? []) {
    const a = p.args;
    switch (p.name.text) {
      case "except":
        if (!a.length) ctx.error(p.name, "forward except needs at least one name");
        break;
      case "force_tcp":
      case "prefer_udp":
      case "failfast_all_unhealthy_upstreams":
        if (p.name.text === "failfast_all_unhealthy_upstreams" && newer(ctx, d, p, "1.12.1")) break;
        if (a.length) ctx.error(a[0], `forward ${p.name.text} takes no arguments`);
        break;
      case "expire":
        if (a.length !== 1) ctx.error(p.name, "forward expire takes one duration");
        else duration(ctx, a[0], "forward expire", { min: 0 });
        break;
      case "max_fails":
        if (a.length !== 1) ctx.error(p.name, "forward max_fails takes one integer");
        else integer(ctx, a[0], "forward max_fails", { min: 0 });
        break;
      case "max_concurrent":
        if (a.length !== 1) ctx.error(p.name, "forward max_concurrent takes one integer");
        else integer(ctx, a[0], "forward max_concurrent", { min: 0 });
        break;
      case "health_check": {
        if (a.length < 1) {
          ctx.error(p.name, "forward health_check needs a duration");
          break;
        }
        duration(ctx, a[0], "forward health_check", { min: 0 });
        for (let k = 1; k < a.length; k++) {
          if (a[k].text === "no_rec") continue;
          if (a[k].text === "domain") {
            if (!a[k + 1]) ctx.error(a[k], "forward health_check domain needs a name");
            k++;
            continue;
          }
          ctx.error(a[k], `forward health_check: unknown option '${a[k].text}' (no_rec, domain FQDN)`);
        }
        break;
      }
      case "policy":
        if (a.length !== 1 || !["random", "round_robin", "sequential"].includes(a[0].text))
          ctx.error(a[0] ?? p.name, `forward policy: unknown policy '${a[0]?.text ?? ""}' (random, round_robin or sequential)`);
        break;
      case "tls":
        if (a.length > 3) ctx.error(a[3], "forward tls takes at most CERT KEY CA");
        break;
      case "tls_servername":
        if (a.length !== 1) ctx.error(p.name, "forward tls_servername takes one name");
        break;
      case "next":
        if (!newer(ctx, d, p, "1.11.4")) for (const t of a) if (!RCODES.has(t.text.toUpperCase())) ctx.error(t, `forward next: unknown rcode '${t.text}'`);
        break;
      case "failover":
        if (!newer(ctx, d, p, "1.13.0")) for (const t of a) if (!RCODES.has(t.text.toUpperCase())) ctx.error(t, `forward failover: unknown rcode '${t.text}'`);
        break;
      case "max_connect_attempts":
        if (!newer(ctx, d, p, "1.13.2")) integer(ctx, a[0], "forward max_connect_attempts", { min: 0 });
        break;
      case "read_timeout":
      case "source_address":
      case "resolver":
        newer(ctx, d, p, "1.14.4");
        break;
      default:
        unknownProp(ctx, d, p, FORWARD_OPTS_BASE);
    }
  }
};

const CACHE_PROPS = ["success", "denial", "prefetch", "serve_stale", "servfail", "disable", "keepttl"];
const cache: Check = (d, ctx) => {
  const a = d.args;
  if (a[0] && !a[0].envVars && (isInt(a[0].text) || parseGoDuration(a[0].text) !== undefined)) {
    const ttl = integer(ctx, a[0], "cache TTL", { min: 1 });
    void ttl;
  }
  for (const p of d.block ?? []) {
    const pa = p.args;
    switch (p.name.text) {
      case "success":
      case "denial":
        if (pa.length < 1 || pa.length > 3) {
          ctx.error(p.name, `cache ${p.name.text} takes CAPACITY [TTL] [MINTTL]`);
          break;
        }
        integer(ctx, pa[0], `cache ${p.name.text} capacity`, { min: 0 });
        if (pa[1]) integer(ctx, pa[1], `cache ${p.name.text} TTL`, { min: 1 });
        if (pa[2]) integer(ctx, pa[2], `cache ${p.name.text} MINTTL`, { min: 0 });
        break;
      case "prefetch":
        if (pa.length < 1 || pa.length > 3) {
          ctx.error(p.name, "cache prefetch takes AMOUNT [DURATION [PERCENTAGE%]]");
          break;
        }
        integer(ctx, pa[0], "cache prefetch amount", { min: 0 });
        if (pa[1]) duration(ctx, pa[1], "cache prefetch duration", { min: 0 });
        if (pa[2]) {
          const m = /^(\d+)%$/.exec(pa[2].text);
          if (!m) ctx.error(pa[2], `cache prefetch percentage '${pa[2].text}' must end in '%' (e.g. 10%)`);
          else if (Number(m[1]) < 10 || Number(m[1]) > 90) ctx.error(pa[2], "cache prefetch percentage must be between 10% and 90%");
        }
        break;
      case "serve_stale":
        if (pa.length > 2) ctx.error(pa[2], "cache serve_stale takes [DURATION] [immediate|verify]");
        if (pa[0]) duration(ctx, pa[0], "cache serve_stale", { min: 0 });
        if (pa[1] && !["immediate", "verify"].includes(pa[1].text)) ctx.error(pa[1], `cache serve_stale: unknown mode '${pa[1].text}' (immediate or verify)`);
        break;
      case "servfail":
        if (pa.length !== 1) ctx.error(p.name, "cache servfail takes one duration");
        else duration(ctx, pa[0], "cache servfail", { min: 0, max: 300_000 });
        break;
      case "disable":
        if (!pa[0] || !["success", "denial"].includes(pa[0].text)) ctx.error(pa[0] ?? p.name, "cache disable: first argument must be success or denial");
        break;
      case "keepttl":
        if (!newer(ctx, d, p, "1.10.1") && pa.length) ctx.error(pa[0], "cache keepttl takes no arguments");
        break;
      default:
        unknownProp(ctx, d, p, CACHE_PROPS.filter((x) => x !== "keepttl" || atLeast(ctx.profile.version, "1.10.1")));
    }
  }
};

/** Plugins that may answer after template in plugin.cfg order (so a missing fallthrough hides them). */
const AFTER_TEMPLATE = new Set(["transfer", "hosts", "route53", "azure", "clouddns", "k8s_external", "kubernetes", "file", "auto", "secondary", "etcd", "forward", "grpc", "erratic", "whoami"]);

const template: Check = (d, ctx) => {
  const a = d.args;
  if (a[0] && !CLASSES.has(a[0].text.toUpperCase())) ctx.error(a[0], `template: '${a[0].text}' is not a DNS class (IN, CH, ANY, …)`);
  if (a[1] && !TYPES.has(a[1].text.toUpperCase())) ctx.error(a[1], `template: '${a[1].text}' is not a DNS record type (A, AAAA, ANY, …)`);
  let hasFallthrough = false;
  const matches: Token[] = [];
  const PROPS = ["match", "answer", "additional", "authority", "rcode", "fallthrough", "upstream", "ederror"];
  for (const p of d.block ?? []) {
    const pa = p.args;
    switch (p.name.text) {
      case "match":
        if (!pa.length) ctx.error(p.name, "template match needs at least one regular expression");
        for (const t of pa) {
          matches.push(t);
          const e = goRegexError(t.text);
          if (e) ctx.error(t, `template match: regular expression does not compile: ${e}`);
        }
        break;
      case "answer":
      case "additional":
      case "authority":
        if (!pa.length) ctx.error(p.name, `template ${p.name.text} needs a resource record template`);
        for (const t of pa) if (/\{\{\$/.test(t.text) || (t.envVars && t.text.includes("{{"))) ctx.error(t, `template ${p.name.text}: '{{$…}}' is eaten as an environment reference; write '{{ $var }}' with spaces`);
        break;
      case "rcode":
        if (pa.length !== 1 || !RCODES.has(pa[0].text.toUpperCase())) ctx.error(pa[0] ?? p.name, `template rcode: unknown rcode '${pa[0]?.text ?? ""}' (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, …)`);
        break;
      case "fallthrough":
        hasFallthrough = true;
        break;
      case "upstream":
        break;
      case "ederror":
        newer(ctx, d, p, "1.11.0");
        break;
      default:
        unknownProp(ctx, d, p, PROPS);
    }
  }
  const catchAll = matches.length === 0 || matches.some((t) => /^\^?\.\*\$?$/.test(t.text));
  if (!hasFallthrough && !catchAll) {
    const later = ctx.block.directives.filter((x) => AFTER_TEMPLATE.has(x.name)).map((x) => x.name);
    const msg = `template without 'fallthrough': names in the zone that do not match ${matches.map((m) => `"${m.text}"`).join(", ")} get SERVFAIL`;
    if (later.length) ctx.error(d.nameToken, `${msg} instead of reaching ${[...new Set(later)].join(", ")}; add 'fallthrough' inside the template block`);
    else ctx.warn(d.nameToken, `${msg}; add 'fallthrough' unless that is intended`);
  }
};

const noArgs: Check = (d, ctx) => {
  if (d.args.length) ctx.error(d.args[0], `${d.name} takes no arguments`);
  noBlock(ctx, d);
};

const reload: Check = (d, ctx) => {
  maxArgs(ctx, d, 2);
  duration(ctx, d.args[0], "reload interval", { min: 2000 });
  const jitterMin = atLeast(ctx.profile.version, "1.14.3") ? 0 : 1000;
  duration(ctx, d.args[1], "reload jitter", { min: jitterMin });
  noBlock(ctx, d);
};

const loadbalance: Check = (d, ctx) => {
  const a = d.args;
  if (!a.length) return noBlock(ctx, d);
  if (a[0].text === "round_robin") {
    maxArgs(ctx, d, 1);
    return noBlock(ctx, d);
  }
  if (a[0].text === "weighted") {
    if (!atLeast(ctx.profile.version, "1.11.0")) ctx.error(a[0], `loadbalance weighted needs CoreDNS 1.11 or newer; ${ctx.profile.label} only has round_robin`);
    else if (a.length !== 2) ctx.error(a[0], "loadbalance weighted needs a WEIGHTFILE");
    for (const p of d.block ?? []) {
      if (p.name.text === "reload") duration(ctx, p.args[0], "loadbalance reload", { min: 0 });
      else unknownProp(ctx, d, p, ["reload"]);
    }
    return;
  }
  if (a[0].text === "prefer") {
    if (!atLeast(ctx.profile.version, "1.12.4")) ctx.error(a[0], `loadbalance prefer needs CoreDNS 1.12.4 or newer`);
    return;
  }
  ctx.error(a[0], `loadbalance: unknown policy '${a[0].text}' (round_robin${atLeast(ctx.profile.version, "1.11.0") ? " or weighted" : ""})`);
};

const log: Check = (d, ctx) => {
  for (const p of d.block ?? []) {
    if (p.name.text === "class") {
      if (!p.args.length) ctx.error(p.name, "log class needs success, denial, error or all");
      for (const t of p.args) if (!["success", "denial", "error", "all"].includes(t.text)) ctx.error(t, `log class: unknown class '${t.text}' (success, denial, error or all)`);
    } else unknownProp(ctx, d, p, ["class"]);
  }
};

const bind: Check = (d, ctx) => {
  if (!d.args.length) ctx.error(d.nameToken, "bind needs at least one address or interface name");
  const checkAddr = (t: Token) => {
    if (t.envVars || /^__PILLAR__[A-Z_]+__$/.test(t.text)) return;
    if (!isIP(t.text) && !/^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/.test(t.text)) ctx.error(t, `bind: '${t.text}' is not a valid IP address or interface name`);
  };
  d.args.forEach(checkAddr);
  for (const p of d.block ?? []) {
    if (p.name.text === "except") p.args.forEach(checkAddr);
    else unknownProp(ctx, d, p, ["except"]);
  }
};

const hosts: Check = (d, ctx) => {
  for (const p of d.block ?? []) {
    const pa = p.args;
    switch (p.name.text) {
      case "ttl":
        if (pa.length !== 1) ctx.error(p.name, "hosts ttl takes one integer");
        else integer(ctx, pa[0], "hosts ttl", { min: 0, max: 3600 });
        break;
      case "reload":
        if (pa.length !== 1) ctx.error(p.name, "hosts reload takes one duration");
        else duration(ctx, pa[0], "hosts reload", { min: 0 });
        break;
      case "no_reverse":
      case "fallthrough":
        break;
      default:
        if (isIP(p.name.text)) {
          if (!pa.length) ctx.error(p.name, `hosts: inline entry for ${p.name.text} needs at least one name`);
        } else ctx.error(p.name, `hosts: '${p.name.text}' is neither an option (ttl, reload, no_reverse, fallthrough) nor an IP address of an inline entry`);
    }
  }
};

const REWRITE_FIELDS = ["name", "class", "type", "edns0", "ttl", "cname", "rcode"];
const rewrite: Check = (d, ctx) => {
  let a = d.args;
  if (a[0] && ["continue", "stop"].includes(a[0].text)) a = a.slice(1);
  if (!a.length) {
    if (!d.block?.length) ctx.error(d.nameToken, "rewrite needs a field (name, class, type, edns0, ttl, …) and its arguments");
    return;
  }
  const field = a[0].text;
  if (!REWRITE_FIELDS.includes(field)) {
    ctx.error(a[0], `rewrite: unknown field '${field}' (${REWRITE_FIELDS.join(", ")})`);
    return;
  }
  if ((field === "cname" && !atLeast(ctx.profile.version, "1.11.0")) || (field === "rcode" && !atLeast(ctx.profile.version, "1.11.2"))) {
    ctx.error(a[0], `rewrite ${field} is not available in CoreDNS ${ctx.profile.versionText}`);
  }
  const rest = a.slice(1);
  const mode = rest[0] && ["exact", "prefix", "suffix", "substring", "regex"].includes(rest[0].text) ? rest[0].text : undefined;
  const vals = mode ? rest.slice(1) : rest;
  if (vals.length < 2 && !(field === "edns0" && vals.length >= 1)) ctx.error(endTok(d), `rewrite ${field}: needs FROM and TO`);
  if (mode === "regex" && vals[0]) {
    const e = goRegexError(vals[0].text);
    if (e) ctx.error(vals[0], `rewrite: regular expression does not compile: ${e}`);
  }
};

const bufsize: Check = (d, ctx) => {
  maxArgs(ctx, d, 1);
  if (d.args[0]) integer(ctx, d.args[0], "bufsize", { min: 512, max: 4096 });
};

const pprof: Check = (d, ctx) => {
  maxArgs(ctx, d, 1);
  if (d.args[0] && !isHostPort(d.args[0].text)) ctx.error(d.args[0], `pprof: '${d.args[0].text}' is not a host:port address`);
};

export const CHECKS: Record<string, Check> = {
  errors,
  health,
  ready,
  prometheus,
  kubernetes,
  forward,
  cache,
  template,
  loop: noArgs,
  whoami: noArgs,
  reload,
  loadbalance,
  log,
  bind,
  hosts,
  rewrite,
  bufsize,
  pprof,
};

/** Enforced "this plugin can only be used once per Server Block" (plus reload/health/ready, process-wide). */
export const ONCE_PER_BLOCK = new Set(["errors", "cache", "kubernetes", "prometheus", "loop", "reload", "health", "ready", "bufsize", "whoami"]);
