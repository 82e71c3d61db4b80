/**
 * One Technitium instance of the twin: zones, settings, apps and cache, plus its DNS behaviour (authoritative zones
 * with AA and SOA-in-authority, recursion through its forwarders with a TTL-counting cache and serve-stale, Split
 * Horizon address translation and DNS Rebinding Protection as post-processors) and zone transfers for Secondaries.
 */
import type { Packet } from "dns-packet";
import { badVersion, exchange, inCidr, inZone, ipToInt, makeQuery, parseCidr, rcodeOf, reply, intToIp, withEdns, type RequestContext } from "../dns/wire";
import { stackSource } from "../dns/sources";
import { mapDestination, type AddressMap } from "../../server/dns/address-map";
import { BLOCKED_DOMAINS, type InstanceName, type Rec } from "./seed";

export type ZoneType = "Primary" | "Secondary" | "Stub" | "Forwarder";

export interface Zone {
  name: string;
  type: ZoneType;
  internal: boolean;
  disabled: boolean;
  lastModified: string;
  records: Rec[];
  /** Secondary only */
  isExpired?: boolean;
  expiry?: string;
  syncFailed?: boolean;
  primaryNameServerAddresses?: string[];
  primaryZoneTransferProtocol?: string;
  primaryZoneTransferTsigKeyName?: string;
  validateZone?: boolean;
  /** Primary/Secondary */
  zoneTransfer?: string;
  zoneTransferNetworkACL?: string[];
  zoneTransferTsigKeyNames?: string[];
  notify?: string;
  notifyNameServers?: string[];
  notifyFailed?: boolean;
  queryAccess: string;
  queryAccessNetworkACL: string[];
  update?: string;
  updateNetworkACL?: string[];
}

export interface PersistedState {
  zones: Zone[];
  settings: Record<string, unknown>;
  /** app name → raw dnsApp.config text (null = file absent) */
  apps: Record<string, string | null>;
  tokens: { token: string; username: string; tokenName?: string; session: boolean; lastUsed?: number }[];
}

export const APP_CATALOG: Record<string, { version: string; dnsApps: Record<string, unknown>[] }> = {
  "Split Horizon": {
    version: "9.0",
    dnsApps: [
      appClass("SplitHorizon.SimpleAddress", "Returns A or AAAA records based on the client's network.", { isAppRecordRequestHandler: true, recordDataTemplate: '{\n  "public": ["1.1.1.1"],\n  "private": ["192.168.1.1"]\n}' }),
      appClass("SplitHorizon.SimpleCNAME", "Returns a CNAME record based on the client's network.", { isAppRecordRequestHandler: true, recordDataTemplate: '{\n  "public": "api.example.com",\n  "private": "api.example.corp"\n}' }),
      appClass("SplitHorizon.AddressTranslation", "Translates IP addresses in DNS responses for the client's network.", { isPostProcessor: true }),
    ],
  },
  "DNS Rebinding Protection": {
    version: "4.0",
    dnsApps: [appClass("DnsRebindingProtection.App", "Protects from DNS rebinding attacks by removing private addresses from responses.", { isPostProcessor: true })],
  },
  "Query Logs (PostgreSQL)": {
    version: "1.2",
    dnsApps: [appClass("QueryLogsPostgreSql.App", "Logs all incoming DNS requests and their responses in a PostgreSQL database.", { isQueryLogger: true, isQueryLogs: true })],
  },
};

function appClass(classPath: string, description: string, flags: Record<string, unknown>): Record<string, unknown> {
  return {
    classPath,
    description,
    isAppRecordRequestHandler: false,
    isRequestController: false,
    isAuthoritativeRequestHandler: false,
    isRequestBlockingHandler: false,
    isQueryLogger: false,
    isQueryLogs: false,
    isPostProcessor: false,
    ...flags,
  };
}

interface CacheEntry {
  storedAt: number;
  /** ms epoch when the shortest TTL runs out */
  expires: number;
  rcode: string;
  answers: Rec[];
  authorities: Rec[];
}

export interface Stats {
  totalQueries: number;
  totalNoError: number;
  totalServerFailure: number;
  totalNxDomain: number;
  totalRefused: number;
  totalAuthoritative: number;
  totalRecursive: number;
  totalCached: number;
  totalBlocked: number;
  totalDropped: number;
  clients: Set<string>;
}

export const YEAR_ONE = "0001-01-01T00:00:00";

/** Strip // and /* *\/ comments outside strings (v15 apps accept them; the twin always does). */
export function stripJsonComments(text: string): string {
  let out = "";
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inStr = false;
    } else if (c === '"') {
      inStr = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i += 2;
      while (i < text.length && !(text[i] === "*" && text[i + 1] === "/")) i++;
      i++;
    } else out += c;
  }
  return out;
}

/**
 * The Technitium release an instance models (one at a time; reference technitium.md §0): 14.3 — no Query Logs
 * (PostgreSQL) app (it needs 15.0 and .NET 10), strict-JSON app configs, only the `token` parameter, `stackTrace` in
 * error envelopes; 15.2 — the PostgreSQL query-log app 1.2 and `/api/logs/query` on it, comments in app configs, a
 * Bearer header accepted, no `stackTrace`.
 */
export type TechnitiumVersion = "14.3" | "15.2";
export const TECHNITIUM_VERSIONS: TechnitiumVersion[] = ["14.3", "15.2"];

export class TechnitiumInstance {
  zones = new Map<string, Zone>();
  settings: Record<string, unknown>;
  apps: Record<string, string | null>;
  tokens: PersistedState["tokens"];
  cache = new Map<string, CacheEntry>();
  stats: Stats = newStats();
  /** parsed, patched configs in effect (what the app classes run with) */
  effective: Record<string, unknown | null> = {};
  addressMap: AddressMap;
  private pendingTransfers = new Map<string, NodeJS.Timeout>();
  private rr = 0;
  onChange: () => void = () => {};
  /** 15.x with the Query Logs (PostgreSQL) app: what `/api/logs/query` reads. */
  queryLogs?: import("./logs-api").QueryLogsApi;
  failedLogins = new Map<string, { count: number; blockedUntil: number }>();

  constructor(
    readonly name: InstanceName,
    state: PersistedState,
    addressMap: AddressMap,
    readonly opts: { transferDelayMs: number; retryMs: number; refreshMs?: number; version?: TechnitiumVersion },
  ) {
    for (const z of state.zones) this.zones.set(z.name, z);
    this.settings = state.settings;
    this.apps = state.apps;
    this.tokens = state.tokens;
    this.addressMap = addressMap;
    // App classes load their config at start; a restart patches missing keys into the file (reference §3.3).
    for (const app of Object.keys(this.apps)) this.loadApp(app, true);
    // SOA refresh of Secondary zones (NOTIFY is not modelled: replicas catch up on this timer or on resync).
    if (opts.refreshMs && opts.refreshMs > 0) {
      this.refreshTimer = setInterval(() => void this.refreshAll(), opts.refreshMs);
      this.refreshTimer.unref?.();
    }
  }

  private refreshTimer?: NodeJS.Timeout;

  /** Compare each Secondary's serial with its primary's and transfer when behind (or when the probe fails, mark syncFailed). */
  async refreshAll(): Promise<void> {
    for (const z of [...this.zones.values()]) {
      if (z.type !== "Secondary" || z.disabled) continue;
      let serial: number | undefined;
      try {
        serial = await this.probePrimary(z.name, TechnitiumInstance.parsePrimaryAddresses((z.primaryNameServerAddresses ?? []).join(",")));
      } catch {
        z.syncFailed = true;
        this.onChange();
        continue;
      }
      if (serial !== this.serialOf(z) || z.isExpired) await this.transfer(z);
    }
  }

  get dnsServerDomain(): string {
    return String(this.settings.dnsServerDomain);
  }

  snapshot(): PersistedState {
    return { zones: [...this.zones.values()], settings: this.settings, apps: this.apps, tokens: this.tokens };
  }

  stop(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    for (const t of this.pendingTransfers.values()) clearTimeout(t);
    this.pendingTransfers.clear();
  }

  // ------------------------------------------------------------ apps

  /**
   * Parse an app config as each of its classes would. Returns the patched text (what a restart would write) and the
   * effective config; throws with a .NET-like message when a class rejects it.
   */
  get version(): TechnitiumVersion {
    return this.opts.version ?? "15.2";
  }
  get major(): number {
    return Number.parseInt(this.version, 10);
  }

  static parseAppConfig(app: string, text: string | null, allowComments = true): { patched: string | null; effective: unknown | null } {
    if (text === null || text.trim() === "" || text.trim().startsWith("#")) {
      if (app === "Split Horizon") return { patched: text, effective: { enableAddressTranslation: false, domainGroupMap: {}, networkGroupMap: {}, groups: [] } };
      return { patched: text, effective: null };
    }
    let patched = text;
    const parse = (t: string): Record<string, unknown> => {
      let v: unknown;
      try {
        // 14.x apps parse strict JSON (System.Text.Json without comment handling); 15.x skip comments
        v = JSON.parse(allowComments ? stripJsonComments(t) : t);
      } catch (err) {
        throw new Error(`'${(err as Error).message}' while parsing the app config (JSON).`);
      }
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("The requested operation requires an element of type 'Object', but the target element has type 'Array'.");
      return v as Record<string, unknown>;
    };
    let cfg = parse(patched);
    if (app === "Split Horizon") {
      // SimpleAddress / SimpleCNAME: the `networks` map must hold networks.
      for (const [netName, list] of Object.entries((cfg.networks as Record<string, unknown>) ?? {})) {
        for (const n of Array.isArray(list) ? list : []) if (!parseCidr(String(n)) && !String(n).includes(":")) throw new Error(`Network address was not recognized: ${String(n)} (network '${netName}')`);
      }
      // AddressTranslation
      if (!("enableAddressTranslation" in cfg)) {
        patched = appendJson(patched, SAMPLE_TRANSLATION_BLOCK);
        cfg = parse(patched);
      }
      if (!("domainGroupMap" in cfg)) {
        patched = appendJson(patched, '"domainGroupMap": {\n    "example.com": "local1"\n  }');
        cfg = parse(patched);
      }
      if (!("networkGroupMap" in cfg) || !("groups" in cfg)) throw new Error("The given key was not present in the dictionary.");
      for (const key of Object.keys(cfg.networkGroupMap as object)) if (!parseCidr(key) && !/^[0-9a-f:]+(\/\d+)?$/i.test(key)) throw new Error(`Network address was not recognized: ${key}`);
      if (!Array.isArray(cfg.groups)) throw new Error("The requested operation requires an element of type 'Array', but the target element has type 'Object'.");
      for (const g of cfg.groups as Record<string, unknown>[]) {
        if (!("name" in g) || !("enabled" in g) || !("translateReverseLookups" in g)) throw new Error("The given key was not present in the dictionary.");
        if (typeof g.enabled !== "boolean" || typeof g.translateReverseLookups !== "boolean") throw new Error("The requested operation requires an element of type 'True', but the target element has type 'String'.");
        for (const [ext, int] of Object.entries((g.externalToInternalTranslation as Record<string, string>) ?? {})) {
          const a = parseCidr(ext);
          const b = parseCidr(String(int));
          if (!a || !b) throw new Error(`Network address was not recognized: ${a ? int : ext}`);
          const pa = ext.includes("/") ? a.prefix : 32;
          const pb = String(int).includes("/") ? b.prefix : 32;
          if (pa !== pb) throw new Error(`Address translation networks must have the same address family and prefix length: ${ext} and ${int}`);
        }
      }
      return { patched, effective: cfg };
    }
    if (app === "DNS Rebinding Protection") {
      if (!("bypassNetworks" in cfg)) {
        patched = appendJson(patched, '"bypassNetworks": []');
        cfg = parse(patched);
      }
      if (!("privateNetworks" in cfg) || !("privateDomains" in cfg)) throw new Error("The given key was not present in the dictionary.");
      for (const n of [...(cfg.privateNetworks as string[]), ...(cfg.bypassNetworks as string[])])
        if (!parseCidr(n) && !/^[0-9a-f:]+\/\d+$/i.test(n)) throw new Error(`Network address was not recognized: ${n}`);
      return { patched, effective: { enableProtection: true, ...cfg } };
    }
    return { patched, effective: cfg };
  }

  /** (Re)load an app's config into its classes. With `restart`, the patched text is written back as the real app does at start. */
  loadApp(app: string, restart: boolean): void {
    try {
      const { patched, effective } = TechnitiumInstance.parseAppConfig(app, this.apps[app], this.major >= 15);
      if (restart) this.apps[app] = patched;
      this.effective[app] = effective;
    } catch {
      this.effective[app] = null;
    }
  }

  setAppConfig(app: string, text: string): void {
    if (!(app in APP_CATALOG) || !(app in this.apps)) throw new Error(`DNS application was not found: ${app}`);
    if (text === "") {
      // An empty config deletes dnsApp.config; the app falls back to its built-in default.
      this.apps[app] = null;
      this.loadApp(app, false);
      return;
    }
    const { effective } = TechnitiumInstance.parseAppConfig(app, text, this.major >= 15); // throws → old file stays
    this.apps[app] = text; // the file gets exactly what was sent
    this.effective[app] = effective;
  }

  // ------------------------------------------------------------ zones

  findZone(name: string, { activeOnly = true } = {}): Zone | undefined {
    let best: Zone | undefined;
    for (const z of this.zones.values()) {
      if (!inZone(name, z.name)) continue;
      if (activeOnly && (z.disabled || (z.type !== "Primary" && TechnitiumInstance.expired(z)))) continue;
      if (!best || z.name.length > best.name.length) best = z;
    }
    return best;
  }

  /** A replica zone is expired before its first transfer and once `expiry` passes without a successful refresh. */
  static expired(z: Zone): boolean {
    return !!z.isExpired || (!!z.expiry && z.expiry !== YEAR_ONE && Date.parse(z.expiry) < Date.now());
  }

  soaOf(z: Zone): Rec | undefined {
    return z.records.find((r) => r.type === "SOA" && r.name === z.name);
  }

  serialOf(z: Zone): number {
    const s = this.soaOf(z);
    return s ? ((s.data as { serial: number }).serial ?? 0) : 0;
  }

  bumpSerial(z: Zone): void {
    const s = this.soaOf(z);
    if (!s) return;
    const d = s.data as { serial: number };
    const now = new Date();
    const dateSerial = Number(`${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, "0")}${String(now.getUTCDate()).padStart(2, "0")}00`);
    d.serial = this.settings.useSoaSerialDateScheme ? Math.max(d.serial + 1, dateSerial) : d.serial + 1;
    z.lastModified = now.toISOString();
  }

  /** Where this instance's packets to a stack address really go (DNS_ADDRESS_MAP rules of the twin). */
  target(address: string): { host: string; port: number } {
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(address.trim());
    const ipv4port = /^([\d.]+):(\d+)$/.exec(address.trim());
    const host = ipv4port ? ipv4port[1] : (m?.[1] ?? address);
    const port = ipv4port ? Number(ipv4port[2]) : address.includes("]:") ? Number(m?.[2]) : 53;
    return mapDestination(this.addressMap, { address: host, port });
  }

  static parsePrimaryAddresses(text: string): string[] {
    return text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const paren = /\(([^)]+)\)\s*$/.exec(s);
        return paren ? paren[1].trim() : s;
      });
  }

  /**
   * Live SOA query to each primary over TCP (zone create step 1). Returns the SOA serial of the first answer. Like
   * Technitium's DnsClient with its defaults (Timeout 2000 ms, Retries 2): up to three attempts per address.
   */
  async probePrimary(zone: string, addresses: string[]): Promise<number> {
    for (const a of addresses) {
      const t = this.target(a);
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const res = await exchange(makeQuery(zone, "SOA", { rd: false }), { host: t.host, port: t.port, tcp: true, timeoutMs: 2000 });
          const soa = res.answers?.find((r) => r.type === "SOA");
          if (rcodeOf(res) === "NOERROR" && soa) return (soa.data as { serial: number }).serial;
          break; // an answer without the SOA: this primary will not give it, try the next
        } catch {
          // no answer in time: try again, then the next primary
        }
      }
    }
    throw new Error(`DnsClient failed to resolve the request '${zone} SOA IN': no response from name servers [${addresses.join(", ")}].`);
  }

  scheduleTransfer(zoneName: string, delayMs = this.opts.transferDelayMs): void {
    if (this.pendingTransfers.has(zoneName)) return; // a pending refresh makes resync a no-op
    const t = setTimeout(async () => {
      this.pendingTransfers.delete(zoneName);
      const z = this.zones.get(zoneName);
      if (!z || z.type !== "Secondary") return;
      const ok = await this.transfer(z);
      if (!ok && this.zones.get(zoneName) === z) this.scheduleTransfer(zoneName, this.opts.retryMs);
    }, delayMs);
    t.unref?.();
    this.pendingTransfers.set(zoneName, t);
  }

  /** Full zone transfer (AXFR over TCP) from the zone's primaries. */
  async transfer(z: Zone): Promise<boolean> {
    for (const a of z.primaryNameServerAddresses ?? []) {
      const t = this.target(a);
      try {
        const res = await exchange(makeQuery(z.name, "AXFR", { rd: false }), { host: t.host, port: t.port, tcp: true, timeoutMs: 3000 });
        const ans = (res.answers ?? []) as Rec[];
        if (rcodeOf(res) !== "NOERROR" || ans[0]?.type !== "SOA") continue;
        const records = ans.slice(0, ans.length > 1 && ans[ans.length - 1].type === "SOA" ? -1 : undefined).map((r) => ({ name: r.name.toLowerCase(), type: r.type, ttl: r.ttl, data: r.data }) as Rec);
        z.records = records;
        z.isExpired = false;
        z.syncFailed = false;
        const expire = (ans[0].data as { expire?: number }).expire ?? 604800;
        z.expiry = new Date(Date.now() + expire * 1000).toISOString();
        z.lastModified = new Date().toISOString();
        for (const k of this.cache.keys()) if (inZone(k.split("|")[0], z.name)) this.cache.delete(k);
        this.onChange();
        return true;
      } catch {
        // next primary
      }
    }
    z.syncFailed = true;
    this.onChange();
    return false;
  }

  // ------------------------------------------------------------ DNS

  /**
   * One DNS request, in the order of DnsServer.cs (v14.3.0 ProcessRequestAsync → ProcessQueryAsync →
   * PostProcessQueryAsync). The client is the packet's source address (mapped from loopback, twin/dns/sources.ts):
   * Split Horizon and Rebinding Protection never read EDNS Client Subnet; ECS is only echoed back (scope 0).
   */
  async handleDns(req: Packet, ctx: RequestContext): Promise<Packet> {
    const client = stackSource(ctx.remote);
    this.stats.totalQueries++;
    this.stats.clients.add(client);
    return withEdns(req, await this.query(req, ctx, client), "technitium");
  }

  private async query(req: Packet, ctx: RequestContext, client: string): Promise<Packet> {
    const allowed = this.recursionAllowed(client);
    const bad = badVersion(req, "technitium");
    if (bad) return bad;
    const q = req.questions?.[0];
    if ((req.questions ?? []).length !== 1) return this.count(reply(req, { rcode: "FORMERR", ra: allowed }), "other");
    if ((q!.class ?? "IN") !== "IN") return this.count(reply(req, { rcode: "REFUSED", ra: allowed }), "other");
    const qname = q!.name.toLowerCase().replace(/\.$/, "");
    const udp = ctx.transport === "udp";
    if (q!.type === "AXFR") return this.count(this.axfr(req, qname, ctx), "authoritative");
    const ptr = q!.type === "PTR" ? this.reversePtr(req, qname, client) : undefined;
    if (ptr) return this.count(ptr, "authoritative");
    const zone = this.findZone(qname);
    if (zone) {
      const auth = this.authoritative(req, zone, qname, q!.type);
      // "force TCP for ANY request": over UDP an authoritative ANY is an empty, truncated, authoritative answer
      if (String(q!.type) === "ANY" && udp) return this.count(reply(req, { aa: true, tc: true, ra: allowed, rcode: rcodeOf(auth) }), "authoritative");
      let res = this.splitHorizon(auth, qname, q!.type, client);
      res = this.rebinding(res, client, true);
      return this.count(res, "authoritative");
    }
    // not authoritative: without RD, or when the client may not recurse, Technitium refuses (it never answers from
    // its cache for RD=0)
    if (!((req.flags ?? 0) & 0x100) || !allowed) return this.count(reply(req, { rcode: "REFUSED", ra: allowed }), "other");
    if (String(q!.type) === "ANY" && udp) return this.count(reply(req, { tc: true, ra: allowed }), "other");
    const paused = typeof this.settings.temporaryDisableBlockingTill === "string" && Date.parse(this.settings.temporaryDisableBlockingTill) > Date.now();
    if (this.settings.enableBlocking && !paused && BLOCKED_DOMAINS.some((d) => inZone(qname, d))) {
      this.stats.totalBlocked++;
      const ttl = Number(this.settings.blockingAnswerTtl ?? 30);
      const type = String(this.settings.blockingType ?? "AnyAddress");
      if (type === "NxDomain") return this.count(reply(req, { aa: true, ra: true, rcode: "NXDOMAIN" }), "other");
      const custom = (this.settings.customBlockingAddresses as string[]) ?? [];
      const addr = q!.type === "A" ? (type === "CustomAddress" ? custom.find((a) => a.includes(".")) : "0.0.0.0") : q!.type === "AAAA" ? (type === "CustomAddress" ? custom.find((a) => a.includes(":")) : "::") : undefined;
      return this.count(reply(req, { aa: true, ra: true, answers: addr ? [{ name: qname, type: q!.type, ttl, data: addr }] : [] }), "other");
    }
    const r = await this.recurse(req, qname, q!.type);
    let res = this.splitHorizon(r.res, qname, q!.type, client);
    res = this.rebinding(res, client, false);
    return this.count(res, r.cached ? "cached" : "recursive");
  }

  /** `recursion` setting: Deny, Allow, AllowOnlyForPrivateNetworks (default), UseSpecifiedNetworkACL. */
  private recursionAllowed(client: string): boolean {
    const mode = String(this.settings.recursion ?? "AllowOnlyForPrivateNetworks");
    if (mode === "Allow") return true;
    if (mode === "Deny") return false;
    if (mode === "UseSpecifiedNetworkACL") {
      let allowed = false;
      for (const entry of (this.settings.recursionNetworkACL as string[]) ?? []) {
        const deny = entry.startsWith("!");
        if (inCidr(client, entry.replace(/^!/, ""))) allowed = !deny;
      }
      return allowed;
    }
    return ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10"].some((n) => inCidr(client, n)) || client.includes(":");
  }

  private count(res: Packet, kind: "authoritative" | "recursive" | "cached" | "other"): Packet {
    const rc = rcodeOf(res);
    if (rc === "NOERROR") this.stats.totalNoError++;
    else if (rc === "NXDOMAIN") this.stats.totalNxDomain++;
    else if (rc === "SERVFAIL") this.stats.totalServerFailure++;
    else if (rc === "REFUSED") this.stats.totalRefused++;
    if (kind === "authoritative") this.stats.totalAuthoritative++;
    else if (kind === "recursive") this.stats.totalRecursive++;
    else if (kind === "cached") this.stats.totalCached++;
    return res;
  }

  private negativeSoa(z: Zone): Rec[] {
    const s = this.soaOf(z);
    if (!s) return [];
    const min = (s.data as { minimum: number }).minimum;
    return [{ ...s, ttl: Math.min(s.ttl, min) }];
  }

  authoritative(req: Packet, z: Zone, qname: string, qtype: string): Packet {
    // AuthZone.FilterDisabledRecords: a disabled record is never answered, but its name still exists (NODATA, not
    // NXDOMAIN)
    const on = (r: Rec) => !(r as { disabled?: boolean }).disabled;
    const at = z.records.filter((r) => r.name === qname);
    if (at.length === 0) {
      const hasBelow = z.records.some((r) => r.name.endsWith("." + qname));
      return reply(req, { aa: true, ra: true, rcode: hasBelow ? "NOERROR" : "NXDOMAIN", authorities: this.negativeSoa(z) });
    }
    const answers: Rec[] = [];
    let name = qname;
    let here = at;
    for (let hops = 0; hops < 8; hops++) {
      const cname = here.find((r) => r.type === "CNAME" && on(r));
      if (cname && qtype !== "CNAME") {
        answers.push(cname);
        name = String(cname.data).toLowerCase().replace(/\.$/, "");
        if (!inZone(name, z.name)) break;
        here = z.records.filter((r) => r.name === name);
        continue;
      }
      answers.push(...here.filter((r) => (r.type === qtype || qtype === "ANY") && on(r)));
      break;
    }
    if (answers.length === 0) return reply(req, { aa: true, ra: true, rcode: "NOERROR", authorities: this.negativeSoa(z) });
    return reply(req, { aa: true, ra: true, answers });
  }

  private axfr(req: Packet, qname: string, ctx: RequestContext): Packet {
    const z = this.zones.get(qname);
    if (ctx.transport !== "tcp") return reply(req, { rcode: "FORMERR" });
    if (!z || z.disabled || (z.type !== "Primary" && TechnitiumInstance.expired(z))) return reply(req, { rcode: "NOTAUTH" });
    const allowedGlobally = ((this.settings.zoneTransferAllowedNetworks as string[]) ?? []).length > 0;
    const mode = z.zoneTransfer ?? "Deny";
    if (!allowedGlobally && (mode === "Deny" || mode === "AllowOnlyZoneNameServers")) return reply(req, { rcode: "REFUSED" });
    const soa = this.soaOf(z);
    if (!soa) return reply(req, { rcode: "SERVFAIL" });
    return reply(req, { aa: true, answers: [soa, ...z.records.filter((r) => r !== soa), soa] });
  }

  private forwarderAddresses(): string[] {
    const f = this.settings.forwarders as string[] | null;
    // null = full recursion; the twin has no root servers, so it asks the public upstream twin (1.1.1.1) instead.
    const list = f && f.length ? f : ["1.1.1.1"];
    return list.map((x) => {
      const paren = /\(([^)]+)\)\s*$/.exec(x);
      if (paren) return paren[1].trim();
      return x.replace(/^(udp|tcp|tls|https|quic):\/\//, "").replace(/\/.*$/, "");
    });
  }

  async recurse(req: Packet, qname: string, qtype: string): Promise<{ res: Packet; cached: boolean }> {
    const key = `${qname}|${qtype}`;
    const now = Date.now();
    const entry = this.cache.get(key);
    if (entry && entry.expires > now) return { res: this.fromCache(req, entry, now), cached: true };
    const query = makeQuery(qname, qtype);
    const order = this.forwarderAddresses();
    const start = this.rr++ % Math.max(1, order.length);
    const rotated = this.settings.concurrentForwarding ? [...order.slice(start), ...order.slice(0, start)] : order;
    let upstream: Packet | undefined;
    const timeoutMs = Math.min(Number(this.settings.forwarderTimeout ?? 2000), 2000);
    for (const addr of rotated) {
      const t = this.target(addr);
      try {
        upstream = await exchange(query, { host: t.host, port: t.port, timeoutMs });
        break;
      } catch {
        // next forwarder
      }
    }
    if (!upstream || rcodeOf(upstream) === "SERVFAIL") {
      const staleLimit = Number(this.settings.serveStaleTtl ?? 0) * 1000;
      if (entry && this.settings.serveStale && now - entry.expires < staleLimit) {
        const ttl = Number(this.settings.serveStaleAnswerTtl ?? 30);
        return { res: reply(req, { ra: true, rcode: entry.rcode, answers: entry.answers.map((r) => ({ ...r, ttl })), authorities: entry.authorities.map((r) => ({ ...r, ttl })) }), cached: true };
      }
      const failTtl = Number(this.settings.cacheFailureRecordTtl ?? 10);
      this.cache.set(key, { storedAt: now, expires: now + failTtl * 1000, rcode: "SERVFAIL", answers: [], authorities: [] });
      return { res: reply(req, { ra: true, rcode: "SERVFAIL" }), cached: false };
    }
    const minTtl = Number(this.settings.cacheMinimumRecordTtl ?? 10);
    const maxTtl = Number(this.settings.cacheMaximumRecordTtl ?? 604800);
    const clamp = (t: number) => Math.max(minTtl, Math.min(maxTtl, t));
    const rcode = rcodeOf(upstream);
    const answers = ((upstream.answers ?? []) as Rec[]).map((r) => ({ ...r, ttl: clamp(r.ttl ?? 0) }));
    let authorities = (upstream.authorities ?? []) as Rec[];
    let lifetime: number;
    if (answers.length) lifetime = Math.min(...answers.map((r) => r.ttl));
    else {
      const soa = authorities.find((r) => r.type === "SOA");
      const soaTtl = soa ? Math.min(soa.ttl ?? 0, (soa.data as { minimum?: number }).minimum ?? 0) : Number(this.settings.cacheNegativeRecordTtl ?? 300);
      lifetime = Math.min(Number(this.settings.cacheNegativeRecordTtl ?? 300), Math.max(soaTtl, 0)) || 1;
      authorities = authorities.map((r) => ({ ...r, ttl: lifetime }));
    }
    const maxEntries = Number(this.settings.cacheMaximumEntries ?? 10000);
    if (maxEntries > 0 && this.cache.size >= maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { storedAt: now, expires: now + lifetime * 1000, rcode, answers, authorities });
    return { res: reply(req, { ra: true, rcode, answers, authorities }), cached: false };
  }

  private fromCache(req: Packet, e: CacheEntry, now: number): Packet {
    const elapsed = Math.floor((now - e.storedAt) / 1000);
    const dec = (r: Rec) => ({ ...r, ttl: Math.max(0, r.ttl - elapsed) });
    return reply(req, { ra: true, rcode: e.rcode, answers: e.answers.map(dec), authorities: e.authorities.map(dec) });
  }

  /** Split Horizon AddressTranslation post-processor (reference §3.2). */
  splitHorizon(res: Packet, qname: string, qtype: string, client: string): Packet {
    const cfg = this.effective["Split Horizon"] as SplitCfg | null | undefined;
    if (!cfg || !cfg.enableAddressTranslation) return res;
    if (rcodeOf(res) !== "NOERROR" || (qtype !== "A" && qtype !== "AAAA") || !res.answers?.length) return res;
    let groupName: string | undefined;
    let bestLen = -1;
    for (const [domain, g] of Object.entries(cfg.domainGroupMap ?? {})) {
      if (inZone(qname, domain) && domain.length > bestLen) {
        groupName = g;
        bestLen = domain.length;
      }
    }
    if (groupName === undefined) {
      let bestPrefix = -1;
      for (const [net, g] of Object.entries(cfg.networkGroupMap ?? {})) {
        const c = parseCidr(net);
        if (c && inCidr(client, net) && c.prefix > bestPrefix) {
          groupName = g;
          bestPrefix = c.prefix;
        }
      }
    }
    const group = cfg.groups?.find((g) => g.name === groupName);
    if (!group || !group.enabled) return res;
    const map = Object.entries(group.externalToInternalTranslation ?? {});
    const exact = map.filter(([k]) => !k.includes("/") || k.endsWith("/32"));
    const cidrs = map.filter(([k]) => k.includes("/") && !k.endsWith("/32"));
    const translate = (ip: string): string => {
      for (const [k, v] of exact) if (k.replace(/\/32$/, "") === ip) return v.replace(/\/32$/, "");
      for (const [k, v] of cidrs) {
        if (!inCidr(ip, k)) continue;
        const c = parseCidr(k)!;
        const target = parseCidr(v)!;
        const hostMask = c.prefix === 32 ? 0 : (0xffffffff >>> c.prefix) >>> 0;
        return intToIp((target.base | (ipToInt(ip)! & hostMask)) >>> 0);
      }
      return ip;
    };
    return { ...res, answers: res.answers.map((r) => (r.type === "A" ? ({ ...r, data: translate(String(r.data)) } as typeof r) : r)) };
  }

  /**
   * Split Horizon `translateReverseLookups`: a PTR for an *internal* address from a client in the group's network
   * (networkGroupMap only) is answered with a CNAME (TTL 600) to the reverse name of the external address.
   */
  reversePtr(req: Packet, qname: string, client: string): Packet | undefined {
    const cfg = this.effective["Split Horizon"] as SplitCfg | null | undefined;
    if (!cfg?.enableAddressTranslation) return undefined;
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(qname);
    if (!m) return undefined;
    const ip = [m[4], m[3], m[2], m[1]].join(".");
    let group: string | undefined;
    let best = -1;
    for (const [net, g] of Object.entries(cfg.networkGroupMap ?? {})) {
      const c = parseCidr(net);
      if (c && inCidr(client, net) && c.prefix > best) {
        group = g;
        best = c.prefix;
      }
    }
    const grp = cfg.groups?.find((g) => g.name === group);
    if (!grp?.enabled || !grp.translateReverseLookups) return undefined;
    for (const [ext, int] of Object.entries(grp.externalToInternalTranslation ?? {})) {
      if (!ext.includes("/") || ext.endsWith("/32")) {
        if (int.replace(/\/32$/, "") !== ip) continue;
        const e = ext.replace(/\/32$/, "").split(".").reverse().join(".") + ".in-addr.arpa";
        return reply(req, { aa: true, ra: true, answers: [{ name: qname, type: "CNAME", ttl: 600, data: e }] });
      }
      if (inCidr(ip, int)) {
        const c = parseCidr(int)!;
        const e = parseCidr(ext)!;
        const hostMask = c.prefix === 32 ? 0 : (0xffffffff >>> c.prefix) >>> 0;
        const extIp = intToIp((e.base | (ipToInt(ip)! & hostMask)) >>> 0);
        return reply(req, { aa: true, ra: true, answers: [{ name: qname, type: "CNAME", ttl: 600, data: extIp.split(".").reverse().join(".") + ".in-addr.arpa" }] });
      }
    }
    return undefined;
  }

  /** DNS Rebinding Protection post-processor (reference §3.4): never touches authoritative answers. */
  rebinding(res: Packet, client: string, authoritative: boolean): Packet {
    const cfg = this.effective["DNS Rebinding Protection"] as RebindCfg | null | undefined;
    if (!cfg || cfg.enableProtection === false || authoritative) return res;
    if ((cfg.bypassNetworks ?? []).some((n) => inCidr(client, n))) return res;
    const answers = (res.answers ?? []).filter((r) => {
      if (r.type !== "A") return true;
      const owner = r.name.toLowerCase();
      if ((cfg.privateDomains ?? []).some((d) => inZone(owner, d))) return true;
      return !(cfg.privateNetworks ?? []).some((n) => inCidr(String(r.data), n));
    });
    return { ...res, answers };
  }
}

interface SplitCfg {
  enableAddressTranslation?: boolean;
  domainGroupMap?: Record<string, string>;
  networkGroupMap?: Record<string, string>;
  groups?: { name: string; enabled: boolean; translateReverseLookups?: boolean; externalToInternalTranslation?: Record<string, string> }[];
}
interface RebindCfg {
  enableProtection?: boolean;
  bypassNetworks?: string[];
  privateNetworks?: string[];
  privateDomains?: string[];
}

export function newStats(): Stats {
  return {
    totalQueries: 0,
    totalNoError: 0,
    totalServerFailure: 0,
    totalNxDomain: 0,
    totalRefused: 0,
    totalAuthoritative: 0,
    totalRecursive: 0,
    totalCached: 0,
    totalBlocked: 0,
    totalDropped: 0,
    clients: new Set(),
  };
}

const SAMPLE_TRANSLATION_BLOCK = `"enableAddressTranslation": false,
  "networkGroupMap": {
    "10.0.0.0/8": "local1",
    "172.16.0.0/12": "local2",
    "192.168.0.0/16": "local3"
  },
  "groups": [
    {
      "name": "local1",
      "enabled": true,
      "translateReverseLookups": true,
      "externalToInternalTranslation": {
        "1.2.3.4": "10.0.0.4",
        "5.6.7.8": "10.0.0.5"
      }
    },
    {
      "name": "local2",
      "enabled": true,
      "translateReverseLookups": true,
      "externalToInternalTranslation": {
        "1.2.3.4": "172.16.0.4",
        "5.6.7.8": "172.16.0.5"
      }
    },
    {
      "name": "local3",
      "enabled": true,
      "translateReverseLookups": true,
      "externalToInternalTranslation": {
        "1.2.3.4": "192.168.0.4",
        "5.6.7.8": "192.168.0.5"
      }
    }
  ]`;

/** Append `"key": value` members before the closing brace of a JSON object text (how the apps patch their files). */
function appendJson(text: string, members: string): string {
  const end = text.lastIndexOf("}");
  if (end < 0) return text;
  const before = text.slice(0, end).replace(/\s*$/, "");
  const needsComma = !/[{,]$/.test(stripJsonComments(before).trim());
  return `${before}${needsComma ? "," : ""}\n  ${members}\n}${text.slice(end + 1)}`;
}
