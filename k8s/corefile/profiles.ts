/**
 * Which directives each image knows and compiles in (reference §0, §1.8, §2.3). Two facts per profile:
 * - `known`: the directive list of that CoreDNS version (core/dnsserver/zdirectives.go) — anything else fails at
 *   parse with "Unknown directive";
 * - `compiled`: plugins actually linked into the binary — a known but missing one fails at setup with
 *   "no action found for directive … (missing a plugin?)".
 */

export type Version = [number, number, number];

export function parseVersion(v: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  if (!m) throw new Error(`not a CoreDNS version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function atLeast(v: Version, min: string): boolean {
  const m = parseVersion(min);
  for (let k = 0; k < 3; k++) {
    if (v[k] !== m[k]) return v[k] > m[k];
  }
  return true;
}

/** CoreDNS plugin.cfg order (v1.11.3); `since` marks directives newer than 1.10.0. */
const DIRECTIVES: Array<[name: string, since?: string]> = [
  ["root"],
  ["metadata"],
  ["geoip"],
  ["cancel"],
  ["tls"],
  ["timeouts", "1.10.1"],
  ["multisocket", "1.12.1"],
  ["reload"],
  ["nsid"],
  ["bufsize"],
  ["bind"],
  ["debug"],
  ["trace"],
  ["ready"],
  ["health"],
  ["pprof"],
  ["prometheus"],
  ["errors"],
  ["log"],
  ["dnstap"],
  ["local"],
  ["dns64"],
  ["acl"],
  ["any"],
  ["chaos"],
  ["loadbalance"],
  ["tsig"],
  ["cache"],
  ["rewrite"],
  ["header"],
  ["dnssec"],
  ["autopath"],
  ["minimal"],
  ["template"],
  ["transfer"],
  ["hosts"],
  ["route53"],
  ["azure"],
  ["clouddns"],
  ["k8s_external"],
  ["kubernetes"],
  ["file"],
  ["auto"],
  ["secondary"],
  ["etcd"],
  ["loop"],
  ["forward"],
  ["grpc"],
  ["erratic"],
  ["whoami"],
  ["on"],
  ["sign"],
  ["view", "1.10.1"],
  ["nomad", "1.12.0"],
];

/** Plugins linked into kubernetes/dns cmd/node-cache/main.go at tag 1.23.1 (reference §1.8). */
export const NODE_CACHE_PLUGINS = [
  "bind",
  "bufsize",
  "cache",
  "debug",
  "dns64",
  "errors",
  "forward",
  "health",
  "hosts",
  "loadbalance",
  "log",
  "loop",
  "prometheus",
  "pprof",
  "reload",
  "rewrite",
  "template",
  "trace",
  "whoami",
] as const;

export interface PluginProfile {
  id: "node-cache" | "coredns";
  label: string;
  /** CoreDNS version the Corefile syntax and plugin options follow. */
  version: Version;
  versionText: string;
  known: ReadonlySet<string>;
  compiled: ReadonlySet<string>;
  /** plugin.cfg position, for ordering hints. */
  order: ReadonlyMap<string, number>;
}

function knownFor(v: Version): Set<string> {
  return new Set(DIRECTIVES.filter(([, since]) => !since || atLeast(v, since)).map(([n]) => n));
}

const ORDER = new Map(DIRECTIVES.map(([n], k) => [n, k]));

/** node-cache 1.23.1 = CoreDNS 1.10.0 with a reduced plugin set. */
export function nodeCacheProfile(): PluginProfile {
  const version = parseVersion("1.10.0");
  return {
    id: "node-cache",
    label: "k8s-dns-node-cache 1.23.1 (CoreDNS 1.10.0, reduced plugin set)",
    version,
    versionText: "1.10.0",
    known: knownFor(version),
    compiled: new Set(NODE_CACHE_PLUGINS),
    order: ORDER,
  };
}

/** The cluster CoreDNS at a given version (kubeadm's image compiles every plugin of plugin.cfg). */
export function corednsProfile(versionText = "1.11.3"): PluginProfile {
  const version = parseVersion(versionText);
  const known = knownFor(version);
  return { id: "coredns", label: `CoreDNS ${versionText.replace(/^v/, "")}`, version, versionText: versionText.replace(/^v/, ""), known, compiled: known, order: ORDER };
}
