/**
 * Seed state of the three Technitium instances, from ../shared/seed/ (zones, hosts) and the reference's §3.5
 * configs. The replicas start partly out of date so zone sync, split-horizon sync and dns-optimization have work.
 */

export type InstanceName = "primary" | "secondary" | "tertiary";
export const INSTANCE_NAMES: InstanceName[] = ["primary", "secondary", "tertiary"];
/** dnsServerDomain per instance (also the query log's `server` column, see twin/querylogs). */
export const SERVER_DOMAINS: Record<InstanceName, string> = { primary: "technitium", secondary: "technitium-secondary", tertiary: "technitium-tertiary" };

export const PUBLIC_IP = "176.12.22.76";
export const TRAEFIK_LB = "10.0.20.200";
export const TECHNITIUM_LB = "10.0.20.201";

/** A resource record in dns-packet's shape (data: string | string[] | object by type). */
export type Rec = { name: string; type: string; ttl: number; class?: string; data: any };

/** viktorbarzin.lan hosts: A records (and CNAMEs to traefik for web apps). */
export const LAN_HOSTS: [string, string][] = [
  ["pfsense", "10.0.20.1"],
  ["pfsense-mgmt", "10.0.10.1"],
  ["pfsense-wan", "192.168.1.2"],
  ["router", "192.168.1.1"],
  ["tplink-ap", "192.168.1.3"],
  ["idrac", "192.168.1.4"],
  ["proxmox", "192.168.1.127"],
  ["home-assistant", "192.168.1.8"],
  ["printer", "192.168.1.30"],
  ["switch", "10.0.10.2"],
  ["truenas", "10.0.10.15"],
  ["nas", "10.0.10.16"],
  ["k8s-master", "10.0.20.100"],
  ["k8s-node1", "10.0.20.101"],
  ["k8s-node2", "10.0.20.102"],
  ["k8s-node3", "10.0.20.103"],
  ["k8s-node4", "10.0.20.104"],
  ["traefik", TRAEFIK_LB],
  ["technitium", TECHNITIUM_LB],
  ["ns1", TECHNITIUM_LB],
  ["mailserver", "10.0.20.202"],
  ["wireguard", "10.3.2.1"],
  ["headscale-relay", "10.3.2.2"],
  ["valchedrym-gw", "192.168.0.1"],
  ["valchedrym-nvr", "192.168.0.20"],
  ["octoprint", "192.168.1.40"],
];
/**
 * What a real zone collects over the years, for the consistency report to find: a host added by hand without its PTR,
 * a PTR left behind by a deleted host, and a CNAME to a host that was removed.
 */
const NO_PTR_HOSTS = new Set(["octoprint"]);
const STALE_PTRS: [string, string][] = [["old-nas", "10.0.10.17"]];
export const LAN_CNAMES: [string, string][] = [
  ["grafana", "traefik.viktorbarzin.lan"],
  ["prometheus", "traefik.viktorbarzin.lan"],
  ["alertmanager", "traefik.viktorbarzin.lan"],
  ["vaultwarden", "traefik.viktorbarzin.lan"],
  ["immich", "traefik.viktorbarzin.lan"],
  ["nextcloud", "traefik.viktorbarzin.lan"],
  ["jellyfin", "traefik.viktorbarzin.lan"],
  ["phpipam", "traefik.viktorbarzin.lan"],
  ["authentik", "traefik.viktorbarzin.lan"],
  ["calibre", "traefik.viktorbarzin.lan"],
  ["uptime-kuma", "traefik.viktorbarzin.lan"],
  ["wiki", "bookstack.viktorbarzin.lan"],
];
/** Hosts the older replica copy does not have yet (added on the primary since). */
const NEWER_HOSTS = new Set(["valchedrym-nvr", "uptime-kuma"]);

export const LAN_SERIAL = 2026111901;
export const LAN_SERIAL_OLD = 2026111405;

const SOA_TIMERS = { refresh: 900, retry: 300, expire: 604800, minimum: 900 };

export function soa(zone: string, serial: number, ns = "technitium"): Rec {
  return { name: zone, type: "SOA", ttl: 900, data: { mname: ns, rname: `hostadmin.${zone}`, serial, ...SOA_TIMERS } } as Rec;
}

function nsRec(zone: string, ns = "technitium"): Rec {
  return { name: zone, type: "NS", ttl: 3600, data: ns } as Rec;
}

export function lanZone(serial: number, old = false): Rec[] {
  const z = "viktorbarzin.lan";
  const recs: Rec[] = [soa(z, serial), nsRec(z, "ns1.viktorbarzin.lan")];
  for (const [h, ip] of LAN_HOSTS) if (!(old && NEWER_HOSTS.has(h))) recs.push({ name: `${h}.${z}`, type: "A", ttl: 3600, data: ip } as Rec);
  for (const [h, t] of LAN_CNAMES) if (!(old && NEWER_HOSTS.has(h))) recs.push({ name: `${h}.${z}`, type: "CNAME", ttl: 3600, data: t } as Rec);
  recs.push({ name: z, type: "TXT", ttl: 3600, data: ["homelab internal zone"] } as Rec);
  return recs;
}

export const REVERSE_ZONES = ["10.0.10.in-addr.arpa", "20.0.10.in-addr.arpa", "1.168.192.in-addr.arpa", "2.3.10.in-addr.arpa", "0.168.192.in-addr.arpa"];

export function reverseZone(zone: string, serial: number): Rec[] {
  const recs: Rec[] = [soa(zone, serial), nsRec(zone, "ns1.viktorbarzin.lan")];
  const prefix = zone.replace(/\.in-addr\.arpa$/, "").split(".").reverse().join(".");
  for (const [h, ip] of [...LAN_HOSTS.filter(([h]) => !NO_PTR_HOSTS.has(h)), ...STALE_PTRS]) {
    if (!ip.startsWith(prefix + ".")) continue;
    const last = ip.slice(prefix.length + 1);
    recs.push({ name: `${last}.${zone}`, type: "PTR", ttl: 3600, data: `${h}.viktorbarzin.lan` } as Rec);
  }
  return recs;
}

/** emrsn.org: a primary "stub" zone with no records, so the corporate query flood gets NXDOMAIN locally. */
export function emrsnZone(serial: number): Rec[] {
  return [soa("emrsn.org", serial), nsRec("emrsn.org")];
}

export const INTERNAL_ZONES = ["localhost", "0.in-addr.arpa", "127.in-addr.arpa", "255.in-addr.arpa", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa"];

export function internalZone(zone: string): Rec[] {
  const recs: Rec[] = [soa(zone, 1, "localhost"), nsRec(zone, "localhost")];
  if (zone === "localhost") recs.push({ name: "localhost", type: "A", ttl: 3600, data: "127.0.0.1" } as Rec, { name: "localhost", type: "AAAA", ttl: 3600, data: "::1" } as Rec);
  if (zone === "127.in-addr.arpa") recs.push({ name: "1.0.0.127.in-addr.arpa", type: "PTR", ttl: 3600, data: "localhost" } as Rec);
  return recs;
}

/** A slice of the OISD / StevenBlack block lists (blocking is on on all three instances). */
export const BLOCKED_DOMAINS = [
  "doubleclick.net",
  "googlesyndication.com",
  "googleadservices.com",
  "google-analytics.com",
  "googletagmanager.com",
  "ads.yahoo.com",
  "app-measurement.com",
  "connect.facebook.net",
  "ads.tiktok.com",
  "analytics.tiktok.com",
  "mc.yandex.ru",
  "scorecardresearch.com",
  "adservice.google.com",
  "telemetry.microsoft.com",
  "vortex.data.microsoft.com",
  "samsungads.com",
  "bat.bing.com",
];

// ---------------------------------------------------------------- apps

export const SPLIT_HORIZON_GOOD = {
  appPreference: 40,
  networks: {},
  enableAddressTranslation: true,
  domainGroupMap: {},
  networkGroupMap: { "192.168.1.0/24": "lan" },
  groups: [{ name: "lan", enabled: true, translateReverseLookups: false, externalToInternalTranslation: { [PUBLIC_IP]: TRAEFIK_LB } }],
};

export const SPLIT_HORIZON_NO_TRANSLATION = {
  ...SPLIT_HORIZON_GOOD,
  groups: [{ name: "lan", enabled: true, translateReverseLookups: false, externalToInternalTranslation: {} }],
};

export const PRIVATE_NETWORKS = ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10"];
export const REBINDING_GOOD = { enableProtection: true, bypassNetworks: [], privateNetworks: PRIVATE_NETWORKS, privateDomains: ["home.arpa", "viktorbarzin.me"] };
export const REBINDING_MISSING_ME = { ...REBINDING_GOOD, privateDomains: ["home.arpa"] };

export const QUERY_LOGS_CONFIG = {
  enableLogging: true,
  maxQueueSize: 1000000,
  maxLogDays: 90,
  maxLogRecords: 0,
  databaseName: "technitium",
  connectionString: "Host=pg-cluster-rw.dbaas.svc.cluster.local; Port=5432; Username=technitium; Password=seed-password-not-secret",
};

export const TERTIARY_REBINDING_TEXT =
  "{\n  // edited by hand on the tertiary; comments are fine on 15.x\n" + JSON.stringify(REBINDING_GOOD, null, 2).slice(2);

// ---------------------------------------------------------------- settings

export function defaultSettings(name: InstanceName): Record<string, unknown> {
  const homelabCache = name !== "tertiary";
  return {
    version: "14.3",
    uptimestamp: new Date().toISOString(),
    dnsServerDomain: SERVER_DOMAINS[name],
    dnsServerLocalEndPoints: ["0.0.0.0:53", "[::]:53"],
    defaultRecordTtl: 3600,
    defaultNsRecordTtl: 14400,
    defaultSoaRecordTtl: 900,
    useSoaSerialDateScheme: true,
    dnssecValidation: true,
    clusterInitialized: false,
    preferIPv6: false,
    reverseProxyNetworkACL: [],
    webServiceHttpPort: 5380,
    enableDnsOverHttp: true,
    recursion: "AllowOnlyForPrivateNetworks",
    recursionNetworkACL: [],
    qpmLimitRequests: 600,
    qpmLimitErrors: 0,
    qpmLimitSampleMinutes: 5,
    qpmLimitIPv4PrefixLength: 24,
    serveStale: true,
    serveStaleTtl: 259200,
    serveStaleAnswerTtl: 30,
    serveStaleResetTtl: 30,
    serveStaleMaxWaitTime: 1800,
    cacheMaximumEntries: homelabCache ? 100000 : 10000,
    cacheMinimumRecordTtl: homelabCache ? 60 : 10,
    cacheMaximumRecordTtl: 604800,
    cacheNegativeRecordTtl: 300,
    cacheFailureRecordTtl: 10,
    cachePrefetchEligibility: 2,
    cachePrefetchTrigger: 9,
    saveCache: true,
    forwarders: ["https://cloudflare-dns.com/dns-query (1.1.1.1)", "https://cloudflare-dns.com/dns-query (1.0.0.1)"],
    forwarderProtocol: "Https",
    concurrentForwarding: true,
    forwarderRetries: 3,
    forwarderTimeout: 2000,
    forwarderConcurrency: 2,
    enableBlocking: true,
    allowTxtBlockingReport: true,
    blockingType: "AnyAddress",
    customBlockingAddresses: [],
    blockingAnswerTtl: 30,
    blockListUrls: ["https://big.oisd.nl/", "https://raw.githubusercontent.com/StevenBlack/hosts/master/hosts"],
    blockListUpdateIntervalHours: 24,
    blockListNextUpdatedOn: new Date(Date.now() + 6 * 3600_000).toISOString(),
    zoneTransferAllowedNetworks: [],
    notifyAllowedNetworks: [],
    minSoaRefresh: 300,
    minSoaRetry: 300,
    proxy: { type: "None", address: "", port: 0, username: "proxyuser", password: "proxy-secret-do-not-leak", bypass: [] },
    tsigKeys: [{ keyName: "zone-sync-key", sharedSecret: "c2VjcmV0LXRzaWcta2V5LWRvLW5vdC1sZWFr", algorithmName: "hmac-sha256" }],
    logQueries: false,
    useLocalTime: false,
    logFolder: "logs",
    maxLogFileDays: 7,
    enableInMemoryStats: false,
    maxStatFileDays: 365,
  };
}
