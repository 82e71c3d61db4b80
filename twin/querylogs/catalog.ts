/**
 * The traffic catalogue the query-log generator draws from: which names the homelab asks for, how each one is
 * answered, and who asks. Built deterministically from a seed (no I/O) so a given seed always yields the same data.
 *
 * Categories (drawn with fixed shares, then Zipf by rank inside the category):
 *   0 public     – internet names, answered Cached or Recursive (RTT), a little SERVFAIL
 *   1 internal   – viktorbarzin.lan hosts and reverse zones, Authoritative
 *   2 blocked    – ad/tracker names, Blocked (4) with 0.0.0.0 / ::, a few UpstreamBlocked (5)
 *   3 emrsn      – the emrsn.org flood, NXDOMAIN from the stub zone
 *   4 ndots junk – search-domain expansions under viktorbarzin.lan (github.com.viktorbarzin.lan, x.idrac.viktorbarzin.lan),
 *                  NXDOMAIN — only via NodeLocal's direct viktorbarzin.lan forward; CoreDNS's template stops them, and
 *                  cluster.local expansions never leave CoreDNS
 *   5 special    – NULL question, [TRUNCATED], [ZONE TRANSFER]
 *
 * Who reaches Technitium (the architecture document's paths; client_ip is the packet's source):
 *   LAN devices 192.168.1.x with their own addresses (pfSense NAT rdr without SNAT) — for every kind of name;
 *   pods' viktorbarzin.lan names arrive from the CoreDNS pods (NodeLocal → kube-dns-upstream → CoreDNS → 10.96.0.53)
 *   or from node IPs (NodeLocal's own viktorbarzin.lan forward, host network); pfSense dnsmasq (10.0.20.1,
 *   10.0.10.1) forwards the VLANs' viktorbarzin.lan names; replicas pull zone transfers from their pod IPs.
 *   Public names from pods and VLAN clients never reach Technitium (CoreDNS/dnsmasq → Cloudflare).
 */

export const CATEGORY_SHARES = [0.56, 0.15, 0.08, 0.09, 0.1149, 0.0051] as const;

/** How a key is answered. rt = response_type; null rt means "Cached or Recursive, drawn per row". */
export interface CatalogKey {
  cat: number;
  rank: number;
  qname: string | null;
  qtype: number | null;
  qclass: number | null;
  rt: number | null;
  rcode: number;
  answer: string | null;
  /** Fixed protocol (e.g. AXFR over TCP); null = drawn per row. */
  proto: number | null;
  /** Split Horizon: 192.168.1.0/24 clients get each instance's post-processed answer (see SPLIT_BY_SERVER). */
  split: boolean;
  /** Who asks: a SOURCES mix. */
  src: number;
}

/**
 * Client groups: 0 LAN devices, 1 the pod paths (CoreDNS pod IPs and node IPs), 2 node IPs (NodeLocal's direct
 * forward), 3 pfSense dnsmasq, 4 replica pod IPs (zone transfers).
 */
export interface CatalogClient {
  grp: number;
  rank: number;
  ip: string;
}

/**
 * Source mixes (key.src): the client group of a row, by a per-row draw u — 0: LAN only (public, blocked, emrsn.org);
 * 1: internal names — pods 45 %, LAN 30 %, pfSense 25 %; 2: node IPs only (junk that only NodeLocal lets through);
 * 3: replica pods (AXFR).
 */
export const SOURCES = { lan: 0, internal: 1, nodes: 2, replicas: 3 } as const;
export function sourceGroup(src: number, u: number): number {
  if (src === SOURCES.internal) return u < 0.45 ? 1 : u < 0.75 ? 0 : 3;
  if (src === SOURCES.nodes) return 2;
  if (src === SOURCES.replicas) return 4;
  return 0;
}

/**
 * What each instance's Split Horizon + rebinding configs (the twin's seed) give a 192.168.1.x client for a
 * translated name, by position in the server list: the primary translates, the secondary's rebinding list lacks
 * viktorbarzin.me so the translated private address is removed, the tertiary's group has no translation.
 */
export const SPLIT_BY_SERVER = ["translate", "strip", "public"] as const;

export const SERVERS = ["technitium", "technitium-secondary", "technitium-tertiary"] as const;

function rng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERNAL_HOSTS = [
  "idrac", "grafana", "proxmox", "vaultwarden", "pfsense", "truenas", "k8s-master", "k8s-node1", "k8s-node2", "k8s-node3",
  "k8s-node4", "immich", "jellyfin", "homeassistant", "ha-sofia", "nextcloud", "gitea", "prometheus", "alertmanager", "loki",
  "traefik", "authentik", "phpipam", "technitium", "dns", "unifi", "printer", "nas", "backup", "minio", "registry", "drone",
  "headscale", "calibre", "paperless", "frigate", "mqtt", "zigbee2mqtt", "esphome", "switch-core", "ap-living", "ups",
];

const PUBLIC_TOP = [
  "www.google.com", "google.com", "connectivitycheck.gstatic.com", "play.googleapis.com", "www.youtube.com", "i.ytimg.com",
  "github.com", "api.github.com", "objects.githubusercontent.com", "ghcr.io", "registry-1.docker.io", "auth.docker.io",
  "production.cloudflare.docker.com", "quay.io", "cdn01.quay.io", "registry.k8s.io", "cloudflare.com", "one.one.one.one",
  "time.cloudflare.com", "pool.ntp.org", "0.pool.ntp.org", "api.telegram.org", "web.whatsapp.com", "graph.facebook.com",
  "www.netflix.com", "nflxvideo.net", "spotify.com", "apresolve.spotify.com", "api.spotify.com", "icloud.com",
  "gateway.icloud.com", "mask.icloud.com", "captive.apple.com", "time.apple.com", "mesu.apple.com", "login.microsoftonline.com",
  "outlook.office365.com", "teams.microsoft.com", "update.googleapis.com", "dl.google.com", "firebaseinstallations.googleapis.com",
  "amazon.com", "s3.amazonaws.com", "ec2.eu-west-1.amazonaws.com", "slack.com", "wss-primary.slack.com", "discord.com",
  "gateway.discord.gg", "reddit.com", "www.reddit.com", "news.ycombinator.com", "stackoverflow.com", "pypi.org",
  "files.pythonhosted.org", "registry.npmjs.org", "deb.debian.org", "security.debian.org", "archive.ubuntu.com",
  "api.openai.com", "letsencrypt.org", "acme-v02.api.letsencrypt.org", "r3.o.lencr.org", "ocsp.digicert.com",
  "hub.docker.com", "charts.bitnami.com", "raw.githubusercontent.com", "grafana.com", "api.cloudflare.com",
  "immich.viktorbarzin.me", "ha-sofia.viktorbarzin.me", "headscale.viktorbarzin.me", "calibre.viktorbarzin.me",
  "vaultwarden.viktorbarzin.me", "dns.viktorbarzin.me", "viktorbarzin.me", "www.viktorbarzin.me",
];

const WORDS = [
  "alpha", "cloud", "edge", "media", "cdn", "static", "api", "mail", "shop", "news", "data", "img", "video", "app", "auth",
  "login", "sync", "push", "stream", "files", "docs", "status", "metrics", "events", "store", "play", "live", "blog", "wiki",
  "maps", "photos", "music", "chat", "game", "cast", "tv", "home", "iot", "weather", "bank", "pay", "travel", "books", "code",
];
const TLDS = ["com", "net", "org", "io", "co.uk", "bg", "de", "dev", "app", "tv"];
const AD_WORDS = ["ads", "adserver", "track", "tracker", "pixel", "analytics", "telemetry", "beacon", "metrics-ads", "doubleclick"];
const AD_TOP = [
  "doubleclick.net", "googleads.g.doubleclick.net", "pagead2.googlesyndication.com", "googleadservices.com",
  "www.googletagmanager.com", "google-analytics.com", "ssl.google-analytics.com", "ads.yahoo.com", "app-measurement.com",
  "graph.instagram.com", "connect.facebook.net", "ads.tiktok.com", "analytics.tiktok.com", "mc.yandex.ru", "scorecardresearch.com",
  "adservice.google.com", "settings-win.data.microsoft.com", "vortex.data.microsoft.com", "telemetry.microsoft.com",
  "samsungads.com", "log-config.samsungacr.com", "api.amplitude.com", "sentry.io", "bat.bing.com",
];
const EMRSN = [
  "emrsn.org", "wpad.emrsn.org", "ldap.emrsn.org", "autodiscover.emrsn.org", "_ldap._tcp.dc._msdcs.emrsn.org",
  "_kerberos._tcp.emrsn.org", "sccm01.na.emrsn.org", "proxy.emrsn.org", "vpn.emrsn.org", "isatap.emrsn.org",
];
const NAMESPACES = ["default", "monitoring", "technitium", "kube-system", "immich", "media", "authentik", "traefik", "gitea", "home"];

function publicIp(r: () => number): string {
  const firsts = [104, 142, 151, 172, 185, 13, 20, 34, 52, 140, 157, 199, 216];
  return `${firsts[Math.floor(r() * firsts.length)]}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 253)}`;
}
function publicIp6(r: () => number): string {
  const h = () => Math.floor(r() * 65536).toString(16);
  return `2a00:${h()}:${h()}::${h()}`;
}
function shuffle<T>(r: () => number, a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export function buildCatalog(seed = 1): { keys: CatalogKey[]; clients: CatalogClient[]; counts: number[]; clientCounts: number[] } {
  const r = rng(seed);
  const byCat: Omit<CatalogKey, "rank" | "cat">[][] = [[], [], [], [], [], []];
  const base: { qclass: number | null; proto: number | null; split: boolean; src: number } = { qclass: 1, proto: null, split: false, src: SOURCES.lan };

  // 0 public: the curated top first (most popular), then a long tail.
  const publicNames = [...PUBLIC_TOP];
  const seen = new Set(publicNames);
  while (publicNames.length < 9000) {
    const w = () => WORDS[Math.floor(r() * WORDS.length)];
    const n = Math.floor(r() * 400);
    const name = r() < 0.5 ? `${w()}${n}.${w()}-${w()}.${TLDS[Math.floor(r() * TLDS.length)]}` : `${w()}.${w()}${n}.${TLDS[Math.floor(r() * TLDS.length)]}`;
    if (!seen.has(name)) {
      seen.add(name);
      publicNames.push(name);
    }
  }
  for (const name of publicNames) {
    const split = name.endsWith("viktorbarzin.me");
    const v4 = split ? "176.12.22.76" : publicIp(r);
    const cname = !split && r() < 0.3 ? `CNAME ${name.split(".").slice(-2).join(".")}.edgekey.net., ` : "";
    byCat[0].push({ ...base, qname: name, qtype: 1, rt: null, rcode: 0, answer: `${cname}A ${v4}`, split });
    if (r() < 0.8) byCat[0].push({ ...base, qname: name, qtype: 28, rt: null, rcode: 0, answer: split ? null : `${cname}AAAA ${publicIp6(r)}`, split });
    if (r() < 0.25) byCat[0].push({ ...base, qname: name, qtype: 65, rt: null, rcode: 0, answer: `HTTPS 1 . alpn="h2,h3"`, split });
  }
  byCat[0].push({ ...base, qname: "", qtype: 2, rt: null, rcode: 0, answer: "NS a.root-servers.net., NS b.root-servers.net." });

  // 1 internal: hosts, CNAMEs, reverse lookups — asked by LAN devices, by pods (via CoreDNS or NodeLocal) and by
  // the VLANs through pfSense.
  const internal = { ...base, src: SOURCES.internal };
  INTERNAL_HOSTS.forEach((h, i) => {
    const ip = i % 3 === 0 ? `192.168.1.${10 + i}` : `10.0.20.${100 + i}`;
    byCat[1].push({ ...internal, qname: `${h}.viktorbarzin.lan`, qtype: 1, rt: 1, rcode: 0, answer: `A ${ip}` });
    byCat[1].push({ ...internal, qname: `${h}.viktorbarzin.lan`, qtype: 28, rt: 1, rcode: 0, answer: null });
    const o = ip.split(".").reverse().join(".");
    byCat[1].push({ ...internal, qname: `${o}.in-addr.arpa`, qtype: 12, rt: 1, rcode: 0, answer: `PTR ${h}.viktorbarzin.lan.` });
  });
  byCat[1].push({ ...internal, qname: "viktorbarzin.lan", qtype: 6, rt: 1, rcode: 0, answer: "SOA technitium.viktorbarzin.lan. hostadmin.viktorbarzin.lan. 2026112401 900 300 604800 900" });
  byCat[1].push({ ...internal, qname: "www.viktorbarzin.lan", qtype: 1, rt: 1, rcode: 0, answer: "CNAME traefik.viktorbarzin.lan., A 10.0.20.200" });

  // 2 blocked
  const adNames = [...AD_TOP];
  const adSeen = new Set(adNames);
  while (adNames.length < 1500) {
    const name = `${AD_WORDS[Math.floor(r() * AD_WORDS.length)]}${Math.floor(r() * 90)}.${WORDS[Math.floor(r() * WORDS.length)]}-ads.${TLDS[Math.floor(r() * 3)]}`;
    if (!adSeen.has(name)) {
      adSeen.add(name);
      adNames.push(name);
    }
  }
  for (const name of adNames) {
    const up = r() < 0.05;
    byCat[2].push({ ...base, qname: name, qtype: 1, rt: up ? 5 : 4, rcode: 0, answer: "A 0.0.0.0" });
    if (r() < 0.6) byCat[2].push({ ...base, qname: name, qtype: 28, rt: up ? 6 : 4, rcode: 0, answer: "AAAA ::" });
  }

  // 3 emrsn.org flood (corporate laptop on the LAN): NXDOMAIN from the local stub zone.
  const emrsn = [...EMRSN];
  for (let i = 0; emrsn.length < 250; i++) emrsn.push(`${["host", "pc", "lt", "srv"][i % 4]}${1000 + i}.${["na", "eu", "ap"][i % 3]}.emrsn.org`);
  for (const name of emrsn) {
    const qtype = name.startsWith("_") ? 33 : 1;
    byCat[3].push({ ...base, qname: name, qtype, rt: 1, rcode: 3, answer: null });
    if (qtype === 1 && r() < 0.7) byCat[3].push({ ...base, qname: name, qtype: 28, rt: 1, rcode: 3, answer: null });
  }

  // 4 ndots junk from pods: search-domain expansions under viktorbarzin.lan. NodeLocal forwards viktorbarzin.lan
  // straight to 10.96.0.53 from the host network, so these skip CoreDNS's 2+-label template and arrive from node
  // IPs; `.svc.cluster.local` expansions are answered by CoreDNS's kubernetes plugin and never reach Technitium.
  const junk = { ...base, src: SOURCES.nodes };
  for (const name of PUBLIC_TOP.slice(0, 60)) {
    const weight = 2 + Math.floor(r() * 4);
    for (let w = 0; w < weight; w++) byCat[4].push({ ...junk, qname: `${name}.viktorbarzin.lan`, qtype: w % 2 ? 28 : 1, rt: 1, rcode: 3, answer: null });
  }
  for (const ns of NAMESPACES) byCat[4].push({ ...junk, qname: `${ns}.svc.viktorbarzin.lan`, qtype: 1, rt: 1, rcode: 3, answer: null });
  for (const h of INTERNAL_HOSTS.slice(0, 20)) byCat[4].push({ ...junk, qname: `x.${h}.viktorbarzin.lan`, qtype: 1, rt: 1, rcode: 3, answer: null });

  // 5 special: no question, truncation, zone transfers (secondaries pulling over TCP).
  byCat[5].push({ ...base, qname: null, qtype: null, qclass: null, rt: 2, rcode: 1, answer: null });
  byCat[5].push({ ...base, qname: "txt-big.viktorbarzin.lan", qtype: 16, rt: 1, rcode: 0, answer: "[TRUNCATED]", proto: 0 });
  byCat[5].push({ ...base, qname: "viktorbarzin.lan", qtype: 252, rt: 1, rcode: 0, answer: "[ZONE TRANSFER]", proto: 1, src: SOURCES.replicas });
  byCat[5].push({ ...base, qname: "20.0.10.in-addr.arpa", qtype: 252, rt: 1, rcode: 0, answer: "[ZONE TRANSFER]", proto: 1, src: SOURCES.replicas });
  byCat[5].push({ ...base, qname: "version.bind", qtype: 16, qclass: 3, rt: 1, rcode: 5, answer: null });

  // Shuffle the synthetic tails (keep curated heads on top), then rank.
  const keys: CatalogKey[] = [];
  const counts: number[] = [];
  byCat.forEach((list, cat) => {
    const head = cat === 0 ? list.slice(0, PUBLIC_TOP.length * 2) : cat === 2 ? list.slice(0, AD_TOP.length) : [];
    const tail = shuffle(r, list.slice(head.length));
    const ordered = [...head, ...tail];
    ordered.forEach((k, i) => keys.push({ ...k, cat, rank: i + 1 }));
    counts.push(ordered.length);
  });

  // Clients by group (see CatalogClient). LAN devices: a Zipf mix, a few heavy hitters first.
  const lan: string[] = [];
  for (let i = 0; i < 60; i++) lan.push(`192.168.1.${100 + i}`); // the DHCP pool
  const nodes = ["10.0.20.100", "10.0.20.101", "10.0.20.102", "10.0.20.103", "10.0.20.104"];
  const corednsPods = ["10.244.0.2", "10.244.1.2", "10.244.2.2"];
  const groups: string[][] = [shuffle(r, lan), [...corednsPods, ...nodes], [...nodes], ["10.0.20.1", "10.0.10.1"], ["10.244.1.3", "10.244.2.3"]];
  const clients: CatalogClient[] = groups.flatMap((ips, grp) => ips.map((ip, i) => ({ grp, rank: i + 1, ip })));
  return { keys, clients, counts, clientCounts: groups.map((g) => g.length) };
}
