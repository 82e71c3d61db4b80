/**
 * Technitium twin: three instances (primary, secondary, tertiary), each with its own HTTP API (v15 API with the v14
 * `token` parameter, reporting version 14.3) and its own DNS listener (UDP+TCP) on a loopback address.
 * See twin/README.md, section "Technitium and DNS twin".
 */
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startDnsServer, type DnsServerHandle } from "../dns/wire";
import { parseAddressMap, mapDestination, type AddressMap } from "../../server/dns/address-map";
import { handleApi, type ApiFault } from "./api";
import { instanceOf } from "../dns/cluster";
import { kubeFetch } from "../kube/https-fetch";
import { TechnitiumInstance, TECHNITIUM_VERSIONS, type PersistedState, type TechnitiumVersion, type Zone } from "./instance";
import { queryLogsApi } from "./logs-api";
import {
  INSTANCE_NAMES,
  INTERNAL_ZONES,
  LAN_SERIAL,
  LAN_SERIAL_OLD,
  QUERY_LOGS_CONFIG,
  REBINDING_GOOD,
  REBINDING_MISSING_ME,
  REVERSE_ZONES,
  SERVER_DOMAINS,
  SPLIT_HORIZON_GOOD,
  SPLIT_HORIZON_NO_TRANSLATION,
  TERTIARY_REBINDING_TEXT,
  defaultSettings,
  emrsnZone,
  internalZone,
  lanZone,
  reverseZone,
  type InstanceName,
  type Rec,
} from "./seed";

export type { InstanceName } from "./seed";
export type { ApiFault } from "./api";

/** Host name the replicas' Secondary zones name as their primary (resolved by the twin to the primary instance). */
export const PRIMARY_TRANSFER_HOST = "technitium-primary.technitium.svc.cluster.local";

export interface TechnitiumTwinInstance {
  name: InstanceName;
  url: string;
  /** An API token (never expires), as dnsdeck's TECHNITIUM_TOKEN_<NAME> */
  token: string;
  dnsServerDomain: string;
  dnsHost: string;
  dnsPort: number;
}

export interface TechnitiumFault extends ApiFault {
  /** DNS listener faults (the HTTP `down` fault also closes DNS). */
  dnsDrop?: boolean;
  dnsDelayMs?: number;
}

export interface TechnitiumTwin {
  instances: TechnitiumTwinInstance[];
  /** null clears every fault of that instance. */
  setFault(instance: InstanceName, fault: TechnitiumFault | null): Promise<void>;
  /** Where instances send forwarder/transfer traffic for stack addresses (the DNS twin's DNS_ADDRESS_MAP). */
  setAddressMap(map: string | AddressMap): void;
  /** Simulate a server restart: app configs are re-read and patched on disk (reference §3.3), cache emptied. */
  restart(instance: InstanceName): void;
  /** Internal state, for tests and the demo panel. */
  state(instance: InstanceName): TechnitiumInstance;
  /** Bearer token for following pods at `kubeUrl` (startDnsTwin passes its kubeToken on when given this handle). */
  setKubeToken(token: string): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  host?: string;
  stateDir: string;
  /**
   * K8s API (twin or real): when given, each instance follows its pod in the `technitium` namespace — down (connection
   * refused) while no pod of it is Ready, and restarted (app configs re-read and patched, cache emptied) when a new
   * pod becomes Ready. Instances whose pods never appear are left alone.
   */
  kubeUrl?: string;
  kubeToken?: string;
  kubePollMs?: number;
  /** DNS_ADDRESS_MAP text used for outgoing DNS (forwarders 1.1.1.1…, transfer primaries); settable later. */
  addressMap?: string;
  /** Loopback addresses for the three DNS listeners (default 127.0.53.1-3, ephemeral ports). */
  dnsHosts?: [string, string, string];
  dnsPort?: number;
  /** Fixed HTTP ports (default ephemeral). */
  httpPorts?: [number, number, number];
  /** Delay before a newly created Secondary runs its first transfer (ms). */
  transferDelayMs?: number;
  /** Retry interval for failed transfers (ms). */
  retryMs?: number;
  /** SOA refresh interval of Secondary zones (ms; default 900000 = the SOA refresh of Technitium-made zones; 0 = off). */
  refreshMs?: number;
  /** The release the instances model (default env TWIN_TECHNITIUM_VERSION or "15.2"); see TechnitiumVersion. */
  version?: TechnitiumVersion;
  /** 15.x: the Query Logs (PostgreSQL) app's database, read by `/api/logs/query` (read only). */
  queryLogDatabaseUrl?: string;
}

export function twinTechnitiumVersion(v = process.env.TWIN_TECHNITIUM_VERSION): TechnitiumVersion {
  if (v === undefined || v === "") return "15.2";
  if (!TECHNITIUM_VERSIONS.includes(v as TechnitiumVersion)) throw new Error(`TWIN_TECHNITIUM_VERSION must be one of ${TECHNITIUM_VERSIONS.join(", ")} (got ${JSON.stringify(v)})`);
  return v as TechnitiumVersion;
}

function zone(name: string, type: Zone["type"], records: Rec[], extra: Partial<Zone> = {}): Zone {
  return {
    name,
    type,
    internal: false,
    disabled: false,
    lastModified: new Date(Date.UTC(2026, 10, 19, 8, 30)).toISOString(),
    records,
    queryAccess: "Allow",
    queryAccessNetworkACL: [],
    ...(type === "Primary"
      ? { zoneTransfer: "Allow", zoneTransferNetworkACL: [], zoneTransferTsigKeyNames: [], notify: "ZoneNameServers", notifyNameServers: [], update: "UseSpecifiedNetworkACL", updateNetworkACL: ["10.0.20.1", "10.0.10.1", "192.168.1.2"] }
      : {
          zoneTransfer: "Deny",
          zoneTransferNetworkACL: [],
          zoneTransferTsigKeyNames: [],
          notify: "None",
          notifyNameServers: [],
          isExpired: false,
          syncFailed: false,
          expiry: new Date(Date.now() + 6 * 86400_000).toISOString(),
          primaryNameServerAddresses: [PRIMARY_TRANSFER_HOST],
          primaryZoneTransferProtocol: "Tcp",
          primaryZoneTransferTsigKeyName: "",
          validateZone: false,
        }),
    ...extra,
  };
}

function internal(): Zone[] {
  return INTERNAL_ZONES.map((z) => ({ ...zone(z, "Primary", internalZone(z)), internal: true, zoneTransfer: "Deny", notify: "None" }));
}

export function seedState(name: InstanceName, version: TechnitiumVersion = "15.2"): PersistedState {
  const apps: Record<string, string | null> = {};
  const zones: Zone[] = internal();
  const revSerial = 2026111901;
  if (name === "primary") {
    zones.push(zone("viktorbarzin.lan", "Primary", lanZone(LAN_SERIAL)));
    for (const r of REVERSE_ZONES) zones.push(zone(r, "Primary", reverseZone(r, revSerial)));
    zones.push(zone("emrsn.org", "Primary", emrsnZone(2026041901)));
    apps["Split Horizon"] = JSON.stringify(SPLIT_HORIZON_GOOD, null, 2);
    apps["DNS Rebinding Protection"] = JSON.stringify(REBINDING_GOOD, null, 2);
  } else if (name === "secondary") {
    // older copy of viktorbarzin.lan; 0.168.192.in-addr.arpa and emrsn.org missing
    zones.push(zone("viktorbarzin.lan", "Secondary", lanZone(LAN_SERIAL_OLD, true)));
    for (const r of REVERSE_ZONES.slice(0, 4)) zones.push(zone(r, "Secondary", reverseZone(r, revSerial)));
    apps["Split Horizon"] = JSON.stringify(SPLIT_HORIZON_GOOD, null, 2);
    apps["DNS Rebinding Protection"] = JSON.stringify(REBINDING_MISSING_ME, null, 2);
  } else {
    zones.push(zone("viktorbarzin.lan", "Secondary", lanZone(LAN_SERIAL)));
    for (const r of REVERSE_ZONES) zones.push(zone(r, "Secondary", reverseZone(r, revSerial)));
    zones.push(zone("emrsn.org", "Secondary", emrsnZone(2026041901)));
    // a zone the primary no longer has: its refreshes fail
    zones.push(zone("30.0.10.in-addr.arpa", "Secondary", reverseZone("30.0.10.in-addr.arpa", 2025090101), { syncFailed: true }));
    apps["Split Horizon"] = JSON.stringify(SPLIT_HORIZON_NO_TRANSLATION, null, 2);
    // a hand edit with a comment: only 15.x apps accept it
    apps["DNS Rebinding Protection"] = version === "15.2" ? TERTIARY_REBINDING_TEXT : JSON.stringify(REBINDING_GOOD, null, 2);
  }
  // the PostgreSQL query logger exists from 15.0 on (app 1.2 on 15.1+)
  if (version === "15.2") apps["Query Logs (PostgreSQL)"] = JSON.stringify(QUERY_LOGS_CONFIG, null, 2);
  return {
    zones,
    settings: { ...defaultSettings(name), version },
    apps,
    tokens: [{ token: randomBytes(32).toString("hex"), username: "admin", tokenName: "dnsdeck", session: false }],
  };
}

export async function startTechnitiumTwin(opts: StartOptions): Promise<TechnitiumTwin> {
  const host = opts.host ?? "127.0.0.1";
  const version = opts.version ?? twinTechnitiumVersion();
  const dnsHosts = opts.dnsHosts ?? ["127.0.53.1", "127.0.53.2", "127.0.53.3"];
  fs.mkdirSync(opts.stateDir, { recursive: true });
  let addressMap = parseAddressMap(opts.addressMap ?? "");
  const started: {
    inst: TechnitiumInstance;
    http: http.Server;
    httpPort: number;
    dns: DnsServerHandle;
    fault: TechnitiumFault;
    persist: () => void;
    flush: () => void;
    close: () => void;
    sockets: Set<import("node:net").Socket>;
    podDown: boolean;
    isDown: boolean;
    pod?: string;
    podSeen: boolean;
  }[] = [];
  const aliases = new Map<string, { host: string; port: number }>();

  try {
    for (let i = 0; i < 3; i++) {
      const name = INSTANCE_NAMES[i];
      const file = path.join(opts.stateDir, `technitium-${name}.json`);
      let state: PersistedState;
      try {
        state = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch {
        state = seedState(name, version);
      }
      // state saved by another release (an older demo, another TWIN_TECHNITIUM_VERSION) is seeded anew for this one
      if (state.settings.version !== version) state = seedState(name, version);
      const inst = new TechnitiumInstance(name, state, addressMap, { transferDelayMs: opts.transferDelayMs ?? 300, retryMs: opts.retryMs ?? 3000, refreshMs: opts.refreshMs ?? 900_000, version });
      if (opts.queryLogDatabaseUrl) inst.queryLogs = queryLogsApi(opts.queryLogDatabaseUrl);
      // Outgoing DNS: twin aliases (the primary's transfer host, the instances' own listeners) first, then the map.
      inst.target = (address: string) => {
        const a = address.trim();
        const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(a);
        const v4 = /^([^:]+):(\d+)$/.exec(a);
        const h = (v4 ? v4[1] : (m?.[1] ?? a)).toLowerCase();
        const port = v4 ? Number(v4[2]) : 53;
        const alias = aliases.get(h);
        if (alias && (port === 53 || port === alias.port)) return alias;
        return mapDestination(addressMap, { address: h, port });
      };
      let timer: NodeJS.Timeout | undefined;
      let closed = false;
      const flush = () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        try {
          fs.writeFileSync(file, JSON.stringify(inst.snapshot(), null, 1));
        } catch (err) {
          if (!closed) throw err;
        }
      };
      const persist = () => {
        if (!timer && !closed) timer = setTimeout(flush, 200);
      };
      const close = () => {
        flush();
        closed = true;
      };
      inst.onChange = persist;
      flush();
      const fault: TechnitiumFault = {};
      const startedAt = new Date().toISOString();
      const ctx = { inst, fault, persist, startedAt };
      const sockets = new Set<import("node:net").Socket>();
      const server = http.createServer((req, res) => {
        handleApi(ctx, req, res).catch(() => {
          if (!res.headersSent) res.writeHead(500).end();
        });
      });
      server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(opts.httpPorts?.[i] ?? 0, host, () => resolve());
      });
      const httpPort = (server.address() as import("node:net").AddressInfo).port;
      const dns = await startDnsServer({ host: dnsHosts[i], port: opts.dnsPort ?? 0, handler: (req, c) => inst.handleDns(req, c), label: name, personality: "technitium" });
      aliases.set(dnsHosts[i], { host: dnsHosts[i], port: dns.port });
      if (name === "primary") {
        aliases.set(PRIMARY_TRANSFER_HOST, { host: dnsHosts[i], port: dns.port });
        aliases.set("technitium-primary", { host: dnsHosts[i], port: dns.port });
      }
      started.push({ inst, http: server, httpPort, dns, fault, persist, flush, close, sockets, podDown: false, isDown: false, podSeen: false });
    }
  } catch (err) {
    for (const s of started) {
      s.http.close();
      await s.dns.close();
    }
    throw err;
  }

  const instances: TechnitiumTwinInstance[] = started.map((s) => ({
    name: s.inst.name,
    url: `http://${host}:${s.httpPort}`,
    token: s.inst.tokens.find((t) => !t.session)!.token,
    dnsServerDomain: SERVER_DOMAINS[s.inst.name],
    dnsHost: s.dns.host,
    dnsPort: s.dns.port,
  }));

  /** An instance is down while a `down` fault is set or (with kubeUrl) while its pod is not Ready. */
  const applyDown = async (s: (typeof started)[number]) => {
    const want = !!s.fault.down || s.podDown;
    if (want && !s.isDown) {
      s.isDown = true;
      await new Promise<void>((r) => {
        if (!s.http.listening) return r();
        s.http.close(() => r());
        for (const sock of s.sockets) sock.destroy();
      });
      await s.dns.close();
    } else if (!want && s.isDown) {
      s.isDown = false;
      await new Promise<void>((resolve, reject) => {
        s.http.once("error", reject);
        s.http.listen(s.httpPort, host, () => resolve());
      });
      await s.dns.reopen();
    }
  };

  const byName = (n: InstanceName) => {
    const s = started.find((x) => x.inst.name === n);
    if (!s) throw new Error(`no Technitium twin instance "${n}"`);
    return s;
  };

  const twin: TechnitiumTwin = {
    instances,
    async setFault(name, f) {
      const s = byName(name);
      for (const k of Object.keys(s.fault) as (keyof TechnitiumFault)[]) delete s.fault[k];
      Object.assign(s.fault, f ?? {});
      s.dns.setFault({ drop: f?.dnsDrop, delayMs: f?.dnsDelayMs });
      await applyDown(s);
    },
    setAddressMap(map) {
      addressMap = typeof map === "string" ? parseAddressMap(map) : map;
      for (const s of started) s.inst.addressMap = addressMap;
    },
    restart(name) {
      const s = byName(name);
      for (const app of Object.keys(s.inst.apps)) s.inst.loadApp(app, true);
      s.inst.cache.clear();
      s.inst.tokens = s.inst.tokens.filter((t) => !t.session);
      s.flush();
    },
    state(name) {
      return byName(name).inst;
    },
    setKubeToken(token) {
      kubeToken = token;
    },
    async stop() {
      for (const s of started) {
        s.inst.stop();
        s.close();
        for (const sock of s.sockets) sock.destroy();
        await new Promise<void>((r) => (s.http.listening ? s.http.close(() => r()) : r()));
        await s.dns.close();
      }
    },
  };
  let kubeTimer: NodeJS.Timeout | undefined;
  let kubeToken = opts.kubeToken;
  if (opts.kubeUrl) {
    let busy = false;
    const pollPods = async () => {
      if (busy) return;
      busy = true;
      try {
        const res = await kubeFetch(`${opts.kubeUrl!.replace(/\/+$/, "")}/api/v1/namespaces/technitium/pods`, {
          headers: { accept: "application/json", ...(kubeToken ? { authorization: `Bearer ${kubeToken}` } : {}) },
          signal: AbortSignal.timeout(3000),
        });
        if (!res.ok) return;
        const list = (await res.json()) as { items: { metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
        for (const s of started) {
          const pods = list.items.filter((p) => instanceOf(p.metadata.labels ?? {}, p.metadata.name) === s.inst.name);
          if (!pods.length && !s.podSeen) continue;
          s.podSeen = true;
          const ready = pods.find((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
          s.podDown = !ready;
          if (ready && s.pod && ready.metadata.name !== s.pod) twin.restart(s.inst.name);
          if (ready) s.pod = ready.metadata.name;
          await applyDown(s);
        }
      } catch {
        // the API is unreachable: keep the current state
      } finally {
        busy = false;
      }
    };
    await pollPods();
    kubeTimer = setInterval(() => void pollPods(), opts.kubePollMs ?? 1000);
    kubeTimer.unref?.();
  }
  const stopTwin = twin.stop;
  twin.stop = async () => {
    if (kubeTimer) clearInterval(kubeTimer);
    await stopTwin();
  };

  // Let startDnsTwin({ technitium: twin.instances }) wire its address map without widening the instance shape.
  for (const i of instances) Object.defineProperty(i, "setAddressMap", { value: twin.setAddressMap, enumerable: false });
  return twin;
}
