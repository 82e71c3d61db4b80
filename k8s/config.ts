import { z } from "zod";

/**
 * The DNS stack's desired configuration: one typed document, validated with zod, with the homelab's values as
 * defaults (seed: dns-architecture-and-nodelocal-commit.txt; facts: reference/nodelocal-coredns.md, technitium.md).
 * Pure: no I/O. The renderers in k8s/*.ts turn it into Kubernetes objects; server/stack stores it with revisions.
 */

// ---------------------------------------------------------------------------------------------------------------
// Small reusable field types
// ---------------------------------------------------------------------------------------------------------------

export { ipv4, k8sName } from "./schemas";
import { ipv4, k8sName, network } from "./schemas";
/** Kubernetes quantity such as 32Mi, 128Mi, 25m, 2Gi. */
export const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, "must be a Kubernetes quantity like 32Mi or 100m");
/** A container image reference with an explicit tag (no implicit :latest). */
export const imageRef = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._\-/:]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be an image reference with an explicit tag, e.g. registry.k8s.io/dns/k8s-dns-node-cache:1.23.1");
/** Go duration as used by CoreDNS (e.g. 5s, 86400s, 24h, 1m30s). */
export const goDuration = z.string().regex(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, "must be a Go duration like 5s, 30m or 24h");
const FIELD = "[0-9*,/\\-]+";
/** Five-field cron expression. */
export const cronSchedule = z
  .string()
  .regex(new RegExp(`^${FIELD} ${FIELD} ${FIELD} ${FIELD} ${FIELD}$`), "must be a 5-field cron expression like */30 * * * *");
const zoneName = z
  .string()
  .min(1)
  .regex(/^(\.|[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?)$/, "must be a DNS zone like cluster.local or '.'");
const cidr = network;

export const tolerationSchema = z.object({
  key: z.string().optional(),
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: z.number().int().optional(),
});

const resourcesSchema = z.object({
  requests: z.object({ cpu: quantity.optional(), memory: quantity.optional() }).default({}),
  limits: z.object({ cpu: quantity.optional(), memory: quantity.optional() }).default({}),
});

/** `success CAP [TTL] [MINTTL]` / `denial …` of the cache plugin. TTLs are integer seconds (not durations). */
const cacheBucket = z.object({
  capacity: z.number().int().min(1),
  ttl: z.number().int().min(1).optional(),
  minTtl: z.number().int().min(0).optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// NodeLocal DNSCache
// ---------------------------------------------------------------------------------------------------------------

const nodeLocalZoneSchema = z.object({
  /** Zone of the server block ("." for the root). */
  zone: zoneName,
  /** Top-level `cache TTL` (integer seconds). Used when success/denial are not given. */
  cacheTtl: z.number().int().min(1).default(30),
  success: cacheBucket.optional(),
  denial: cacheBucket.optional(),
  /**
   * Where misses go: "cluster-dns" = `__PILLAR__CLUSTER__DNS__` (the kube-dns-upstream ClusterIP, filled in by
   * node-cache at runtime), "upstream-servers" = `__PILLAR__UPSTREAM__SERVERS__` (node's resolv.conf; bypasses
   * CoreDNS), or explicit IPs.
   */
  forward: z.union([z.literal("cluster-dns"), z.literal("upstream-servers"), z.array(ipv4).min(1).max(15)]),
  forceTcp: z.boolean().default(false),
  /**
   * Answer names matching `regex` with `rcode` right on the node (template plugin, with fallthrough). Used for the
   * internal zone, which NodeLocal forwards straight to Technitium and so would bypass CoreDNS's ndots junk filter.
   */
  template: z.object({ regex: z.string().min(1), rcode: z.string().default("NXDOMAIN") }).optional(),
});

export const nodeLocalSchema = z.object({
  namespace: k8sName.default("kube-system"),
  name: k8sName.default("node-local-dns"),
  linkLocalIp: ipv4.default("169.254.20.10"),
  /** The kube-dns ClusterIP NodeLocal co-listens on (transparent mode, kube-proxy iptables). */
  kubeDnsClusterIp: ipv4.default("10.96.0.10"),
  upstreamServiceName: k8sName.default("kube-dns-upstream"),
  clusterDomain: zoneName.default("cluster.local"),
  image: imageRef.default("registry.k8s.io/dns/k8s-dns-node-cache:1.23.1"),
  resources: resourcesSchema.default({ requests: { cpu: "25m", memory: "32Mi" }, limits: { memory: "128Mi" } }),
  priorityClassName: z.string().min(1).default("system-node-critical"),
  tolerations: z.array(tolerationSchema).default([{ operator: "Exists" }]),
  healthPort: z.number().int().min(1).max(65535).default(8080),
  metricsPort: z.number().int().min(1).max(65535).default(9253),
  /** RollingUpdate maxUnavailable (DaemonSets round a percentage up: 10% = 1 node at a time on a small cluster). */
  maxUnavailable: z.union([z.number().int().min(1), z.string().regex(/^\d{1,3}%$/)]).default("10%"),
  /** `reload` plugin interval (Go duration); node-cache 1.23.1 has no -reloadwithsignal, so reload is required. */
  reloadInterval: goDuration.default("30s"),
  /** Server blocks of the node-local Corefile, most specific zones first is not required (longest match wins). */
  zones: z.array(nodeLocalZoneSchema).min(1),
  /**
   * Extra node-cache flags, one per entry, always `-name=value` (Go's flag parser stops at the first non-flag word:
   * `-skipteardown true` leaves `true` as a positional argument and CoreDNS exits with "extra command line arguments").
   */
  extraArgs: z
    .array(z.string())
    .default([])
    .superRefine((args, ctx) => {
      args.forEach((a, k) => {
        const problem = nodeCacheFlagProblem(a);
        if (problem) ctx.addIssue({ code: "custom", path: [k], message: problem });
      });
    }),
  /** When set, used verbatim instead of the form-rendered Corefile. */
  corefileOverride: z.string().min(1).optional(),
});

/** Flags of node-cache 1.23.1 (kubernetes/dns cmd/node-cache/main.go) plus the CoreDNS ones it passes through. */
const NODE_CACHE_BOOL_FLAGS = new Set(["setupinterface", "setupiptables", "skipteardown", "quiet"]);
const NODE_CACHE_VALUE_FLAGS = new Set(["interfacename", "syncinterval", "health-port", "metrics-listen-address", "basecorefile", "corefile", "kubednscm", "dns.port", "p"]);
/** Set by dnsdeck itself from the config; not allowed in extraArgs. */
const NODE_CACHE_OWNED_FLAGS = new Set(["localip", "conf", "upstreamsvc", "pidfile"]);

export function nodeCacheFlagProblem(arg: string): string | undefined {
  const m = /^--?([a-z][a-z0-9.-]*)(?:=(.*))?$/.exec(arg);
  if (!m) return `'${arg}' is not a flag: write -name=value (a bare word ends Go's flag parsing and node-cache exits)`;
  const [, name, value] = m;
  if (name === "reloadwithsignal") return "-reloadwithsignal does not exist in node-cache 1.23.1 (added after 1.26.7)";
  if (NODE_CACHE_OWNED_FLAGS.has(name)) return `-${name} is set by dnsdeck from the config; change the config field instead`;
  if (NODE_CACHE_BOOL_FLAGS.has(name)) {
    if (value === undefined) return undefined;
    return /^(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.test(value) ? undefined : `-${name} is a boolean: use -${name}=true or -${name}=false`;
  }
  if (NODE_CACHE_VALUE_FLAGS.has(name)) {
    if (value === undefined || value === "") return `-${name} needs a value in the same argument: -${name}=<value>`;
    if (name === "syncinterval" && !/^\d+$/.test(value)) return "-syncinterval is a bare number of seconds (it is multiplied by one second internally)";
    return undefined;
  }
  return `unknown node-cache flag -${name}`;
}

// ---------------------------------------------------------------------------------------------------------------
// CoreDNS (kubeadm-managed)
// ---------------------------------------------------------------------------------------------------------------

export const corednsSchema = z.object({
  namespace: k8sName.default("kube-system"),
  deploymentName: k8sName.default("coredns"),
  configMapName: k8sName.default("coredns"),
  /** Live image version the Corefile is validated against (kubeadm pins it per Kubernetes release). */
  version: z.string().regex(/^v?\d+\.\d+\.\d+$/).default("1.11.3"),
  forwarders: z.array(ipv4).min(1).max(15).default(["10.0.20.1", "8.8.8.8", "1.1.1.1"]),
  policy: z.enum(["random", "round_robin", "sequential"]).default("sequential"),
  healthCheck: goDuration.default("5s"),
  maxFails: z.number().int().min(0).default(2),
  cache: z
    .object({
      success: cacheBucket,
      denial: cacheBucket,
      serveStale: goDuration.optional(),
    })
    .default({ success: { capacity: 10000, ttl: 300, minTtl: 6 }, denial: { capacity: 10000, ttl: 300, minTtl: 60 }, serveStale: "86400s" }),
  internalZone: z
    .object({
      zone: zoneName,
      /** Technitium ClusterIP (technitium-dns-internal). */
      forwardTo: ipv4,
      /** The ndots junk filter: names matching it get `rcode`. Go regexp against the lower-cased FQDN with trailing dot. */
      ndotsTemplate: z.object({ regex: z.string().min(1), rcode: z.string().default("NXDOMAIN") }).optional(),
      cache: z
        .object({ success: cacheBucket, denial: cacheBucket, serveStale: goDuration.optional() })
        .optional(),
    })
    .default({
      zone: "viktorbarzin.lan",
      forwardTo: "10.96.0.53",
      ndotsTemplate: { regex: String.raw`.*\..*\.viktorbarzin\.lan\.$`, rcode: "NXDOMAIN" },
      cache: { success: { capacity: 10000, ttl: 300 }, denial: { capacity: 10000, ttl: 300 }, serveStale: "86400s" },
    }),
  replicas: z.number().int().min(1).max(20).default(3),
  /** Required pod anti-affinity on kubernetes.io/hostname (one replica per node). */
  requiredAntiAffinity: z.boolean().default(true),
  pdb: z.object({ name: k8sName, minAvailable: z.number().int().min(0) }).nullable().default({ name: "coredns", minAvailable: 2 }),
  /** When set, used verbatim instead of the form-rendered Corefile. */
  corefileOverride: z.string().min(1).optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// Technitium HA
// ---------------------------------------------------------------------------------------------------------------

const technitiumInstanceSchema = z.object({
  /** Role name used everywhere in dnsdeck (primary/secondary/tertiary). */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  deployment: k8sName,
  /** Pod label `app=<appLabel>`; Services per instance select on it. */
  appLabel: k8sName,
  pvc: k8sName,
  webService: k8sName,
  /** Secondary/tertiary run with DNS_SERVER_ENABLE_BLOCKING=true; primary's blocking lives in its config. */
  env: z.record(z.string(), z.string()).default({}),
});

const cronJobSchema = z.object({
  name: k8sName,
  schedule: cronSchedule,
  /** "dnsdeck" = dnsdeck's own image (technitium.dnsdeckImage) running `node dist/cli.js <args>`. */
  image: z.union([z.literal("dnsdeck"), imageRef]).default("dnsdeck"),
  /**
   * The container command. Absent = dnsdeck manages only the schedule (and suspend) of a CronJob whose pod template
   * belongs to someone else (password-sync: Vault-rotated MySQL password → Technitium, which dnsdeck's CLI does not do).
   */
  command: z.array(z.string()).min(1).optional(),
  suspend: z.boolean().default(false),
});

export const splitHorizonSchema = z.object({
  appPreference: z.number().int().min(0).max(255).default(40),
  networks: z.record(z.string(), z.array(z.string())).default({}),
  enableAddressTranslation: z.boolean(),
  domainGroupMap: z.record(z.string(), z.string()).default({}),
  networkGroupMap: z.record(cidr, z.string()),
  groups: z.array(
    z.object({
      name: z.string().min(1),
      enabled: z.boolean(),
      translateReverseLookups: z.boolean(),
      externalToInternalTranslation: z.record(z.string(), z.string()),
    }),
  ),
});

export const rebindingProtectionSchema = z.object({
  enableProtection: z.boolean().default(true),
  bypassNetworks: z.array(cidr).default([]),
  privateNetworks: z.array(cidr),
  privateDomains: z.array(z.string().regex(/^[a-z0-9.-]+$/, "lower-case, no trailing dot")),
});

export const resolverSettingsSchema = z.object({
  cacheMinimumRecordTtl: z.number().int().min(0),
  cacheMaximumRecordTtl: z.number().int().min(0),
  serveStale: z.boolean(),
  serveStaleTtl: z.number().int().min(0).max(604800),
  cacheMaximumEntries: z.number().int().min(0),
  /** Zones created as local stubs answering NXDOMAIN (e.g. emrsn.org corporate query flood). */
  stubZones: z.array(zoneName).default([]),
});

export const technitiumSchema = z.object({
  namespace: k8sName.default("technitium"),
  // 15.x: the homelab logs queries to PostgreSQL, and the Query Logs (PostgreSQL) app needs 15.0+ (README: Technitium versions)
  image: imageRef.default("technitium/dns-server:15.2.0"),
  /** dnsdeck's own image for the CronJobs that run `node dist/cli.js …`. */
  dnsdeckImage: imageRef.default("ghcr.io/viktorbarzin/dnsdeck:0.1.0"),
  /**
   * Secret in the Technitium namespace the dnsdeck CronJobs read with envFrom: DATABASE_URL (runs are recorded) and
   * TECHNITIUM_TOKEN_PRIMARY/SECONDARY/TERTIARY. TECHNITIUM_INSTANCES is rendered from `instances`.
   */
  cronSecretName: k8sName.default("dnsdeck-cron"),
  /** zone-sync pushes its alerting metrics here (PUSHGATEWAY_URL); null = no push. */
  pushgatewayUrl: z.string().url().nullable().default("http://prometheus-pushgateway.monitoring.svc.cluster.local:9091"),
  instances: z.array(technitiumInstanceSchema).min(1),
  storageClassName: z.string().min(1).default("proxmox-lvm-encrypted"),
  storageSize: quantity.default("2Gi"),
  /** Pod label shared by every instance; the DNS Services select on it. */
  dnsServerLabel: z.object({ key: z.string(), value: z.string() }).default({ key: "dns-server", value: "true" }),
  resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } }),
  services: z.object({
    loadBalancer: z.object({ name: k8sName, ip: ipv4, externalTrafficPolicy: z.enum(["Local", "Cluster"]) }),
    clusterIp: z.object({ name: k8sName, ip: ipv4 }),
    primary: z.object({ name: k8sName }),
  }),
  pdb: z.object({ name: k8sName, minAvailable: z.number().int().min(0) }).nullable(),
  requiredAntiAffinity: z.boolean().default(true),
  cronJobs: z.object({
    zoneSync: cronJobSchema,
    passwordSync: cronJobSchema,
    splitHorizonSync: cronJobSchema,
    dnsOptimization: cronJobSchema,
  }),
  splitHorizon: splitHorizonSchema,
  rebindingProtection: rebindingProtectionSchema,
  resolver: resolverSettingsSchema,
});

/**
 * A difference dnsdeck leaves alone, per object and field path (Argo CD's `ignoreDifferences`, Terraform's
 * `ignore_changes`): shown as ignored, never as drift, and never set by an apply.
 */
export const ignoreDifferenceSchema = z.object({
  object: z
    .string()
    .max(300)
    .regex(/^[A-Z][A-Za-z0-9]* ([a-z0-9][-a-z0-9.]*)?\/[a-z0-9][-a-z0-9.]*$/, "must be an object key as the plan shows it, e.g. `DaemonSet kube-system/node-local-dns`"),
  paths: z.array(z.string().max(200).regex(/^(\.[A-Za-z0-9_-]+)+$/, "must be a field path like .spec.template.spec.dnsConfig")).min(1).max(20),
  reason: z.string().max(300).regex(/^[^\u0000-\u001f\u007f]*$/, "must be one line").optional(),
});
export type IgnoreDifference = z.infer<typeof ignoreDifferenceSchema>;

/** The homelab's own: Kyverno's ndots policy injects dnsConfig into the NodeLocal DaemonSet (its `ignore_changes`). */
export const DEFAULT_IGNORE_DIFFERENCES: IgnoreDifference[] = [
  { object: "DaemonSet kube-system/node-local-dns", paths: [".spec.template.spec.dnsConfig"], reason: "Kyverno's ndots policy injects dnsConfig at admission (the homelab's ignore_changes)" },
];

export const stackConfigSchema = z.object({
  nodelocal: nodeLocalSchema,
  coredns: corednsSchema,
  technitium: technitiumSchema,
  ignoreDifferences: z.array(ignoreDifferenceSchema).max(50).default(DEFAULT_IGNORE_DIFFERENCES),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;
/** What a user/form may send: defaults filled in by `stackConfigSchema.parse`. */
export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type NodeLocalZone = StackConfig["nodelocal"]["zones"][number];
export type TechnitiumInstance = StackConfig["technitium"]["instances"][number];

/** Shipped DNS Rebinding Protection private networks (Technitium default). */
export const SHIPPED_PRIVATE_NETWORKS = [
  "10.0.0.0/8",
  "127.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "169.254.0.0/16",
  "fc00::/7",
  "fe80::/10",
];

const CLI = ["node", "dist/cli.js"];

/** The homelab's stack, as deployed today (seed) with the NodeLocal `.`/internal-zone fix from reference §1.5. */
export const defaultStackConfig: StackConfig = stackConfigSchema.parse({
  nodelocal: {
    zones: [
      { zone: "cluster.local", success: { capacity: 9984, ttl: 30 }, denial: { capacity: 9984, ttl: 5 }, forward: "cluster-dns", forceTcp: true },
      { zone: "in-addr.arpa", cacheTtl: 30, forward: "cluster-dns", forceTcp: true },
      { zone: "ip6.arpa", cacheTtl: 30, forward: "cluster-dns", forceTcp: true },
      // Seed commit: internal names go straight to Technitium's pinned ClusterIP, bypassing CoreDNS.
      // The same ndots junk filter as CoreDNS's viktorbarzin.lan block, since this path no longer passes through it.
      { zone: "viktorbarzin.lan", cacheTtl: 30, forward: ["10.96.0.53"], template: { regex: String.raw`.*\..*\.viktorbarzin\.lan\.$`, rcode: "NXDOMAIN" } },
      // Reference §1.5: `.` through CoreDNS so its forward policy and serve_stale apply to pods.
      { zone: ".", cacheTtl: 30, forward: "cluster-dns" },
    ],
  },
  coredns: {},
  technitium: {
    instances: [
      {
        name: "primary",
        deployment: "technitium",
        appLabel: "technitium",
        pvc: "technitium-primary-config-encrypted",
        webService: "technitium-web",
        env: { DNS_SERVER_DOMAIN: "viktorbarzin.lan" },
      },
      {
        name: "secondary",
        deployment: "technitium-secondary",
        appLabel: "technitium-secondary",
        pvc: "technitium-secondary-config-encrypted",
        webService: "technitium-secondary-web",
        env: { DNS_SERVER_DOMAIN: "viktorbarzin.lan", DNS_SERVER_ENABLE_BLOCKING: "true" },
      },
      {
        name: "tertiary",
        deployment: "technitium-tertiary",
        appLabel: "technitium-tertiary",
        pvc: "technitium-tertiary-config-encrypted",
        webService: "technitium-tertiary-web",
        env: { DNS_SERVER_DOMAIN: "viktorbarzin.lan", DNS_SERVER_ENABLE_BLOCKING: "true" },
      },
    ],
    services: {
      loadBalancer: { name: "technitium-dns", ip: "10.0.20.201", externalTrafficPolicy: "Local" },
      clusterIp: { name: "technitium-dns-internal", ip: "10.96.0.53" },
      primary: { name: "technitium-primary" },
    },
    pdb: { name: "technitium-dns", minAvailable: 2 },
    cronJobs: {
      zoneSync: { name: "technitium-zone-sync", schedule: "*/30 * * * *", command: [...CLI, "zone-sync"] },
      // schedule only: the pod template (Vault creds → MySQL/PG logging config) stays with its current owner
      passwordSync: { name: "technitium-password-sync", schedule: "0 */6 * * *" },
      splitHorizonSync: { name: "technitium-split-horizon-sync", schedule: "15 */6 * * *", command: [...CLI, "split-horizon-sync"] },
      dnsOptimization: { name: "technitium-dns-optimization", schedule: "30 */6 * * *", command: [...CLI, "resolver-settings"] },
    },
    splitHorizon: {
      appPreference: 40,
      networks: {},
      enableAddressTranslation: true,
      domainGroupMap: {},
      networkGroupMap: { "192.168.1.0/24": "lan" },
      groups: [{ name: "lan", enabled: true, translateReverseLookups: false, externalToInternalTranslation: { "176.12.22.76": "10.0.20.200" } }],
    },
    rebindingProtection: {
      enableProtection: true,
      bypassNetworks: [],
      privateNetworks: SHIPPED_PRIVATE_NETWORKS,
      privateDomains: ["home.arpa", "viktorbarzin.me"],
    },
    resolver: {
      cacheMinimumRecordTtl: 60,
      cacheMaximumRecordTtl: 604800,
      serveStale: true,
      serveStaleTtl: 259200,
      cacheMaximumEntries: 100000,
      stubZones: ["emrsn.org"],
    },
  },
} satisfies StackConfigInput);

/** Parse and fill defaults; throws ZodError with field paths. */
export function parseStackConfig(input: unknown): StackConfig {
  return stackConfigSchema.parse(input);
}
