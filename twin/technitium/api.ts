/**
 * The Technitium HTTP API of one twin instance, as 14.3 answers it (reference §1–§2): envelope
 * `status/response/server/errorMessage(+stackTrace)`, HTTP 200 on errors, 404 with an empty body for unknown paths,
 * unknown parameters ignored, the `token` query/form field (a Bearer header is ignored, as on 14.x).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { APP_CATALOG, TechnitiumInstance, YEAR_ONE, type Zone } from "./instance";
import { INTERNAL_ZONES, soa } from "./seed";

export interface ApiFault {
  /** HTTP server closed: connection refused. */
  down?: boolean;
  /** Answer this many ms late. */
  delayMs?: number;
  /** Paths matching this regex answer `status: error`. */
  errorPath?: string | RegExp;
  errorMessage?: string;
  /** Every token is refused with `invalid-token`. */
  tokenInvalid?: boolean;
}

class ApiError extends Error {
  constructor(
    message: string,
    readonly status: "error" | "invalid-token" = "error",
  ) {
    super(message);
  }
}

const missing = (name: string) => new ApiError(`Parameter '${name}' missing.`);

type Params = { get(name: string): string | undefined; has(name: string): boolean };

function bool(p: Params, name: string, def: boolean): boolean {
  const v = p.get(name);
  if (v === undefined || v === "") return def;
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw new ApiError(`String '${v}' was not recognized as a valid Boolean.`);
}

function required(p: Params, ...names: string[]): string {
  for (const n of names) {
    const v = p.get(n);
    if (v !== undefined && v !== "") return v;
  }
  throw missing(names[0]);
}

const SETTINGS_INT = new Set([
  "serveStaleTtl",
  "serveStaleAnswerTtl",
  "serveStaleResetTtl",
  "serveStaleMaxWaitTime",
  "cacheMaximumEntries",
  "cacheMinimumRecordTtl",
  "cacheMaximumRecordTtl",
  "cacheNegativeRecordTtl",
  "cacheFailureRecordTtl",
  "forwarderRetries",
  "forwarderTimeout",
  "forwarderConcurrency",
  "blockingAnswerTtl",
  "blockListUpdateIntervalHours",
  "minSoaRefresh",
  "minSoaRetry",
  "defaultRecordTtl",
  "qpmLimitRequests",
]);
const SETTINGS_BOOL = new Set(["serveStale", "saveCache", "concurrentForwarding", "enableBlocking", "preferIPv6", "useSoaSerialDateScheme", "dnssecValidation", "logQueries"]);
const SETTINGS_LIST = new Set(["customBlockingAddresses", "blockListUrls", "zoneTransferAllowedNetworks", "notifyAllowedNetworks", "recursionNetworkACL"]);
const SETTINGS_ENUM: Record<string, string[]> = {
  forwarderProtocol: ["Udp", "Tcp", "Tls", "Https", "Quic"],
  blockingType: ["AnyAddress", "NxDomain", "CustomAddress"],
  recursion: ["Deny", "Allow", "AllowOnlyForPrivateNetworks", "UseSpecifiedNetworkACL"],
};

export interface ApiContext {
  inst: TechnitiumInstance;
  fault: ApiFault;
  persist(): void;
  startedAt: string;
}

export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://twin");
  const body = await readBody(req);
  const isJson = (req.headers["content-type"] ?? "").includes("application/json");
  const form = !isJson && req.method === "POST" ? new URLSearchParams(body) : new URLSearchParams();
  const params: Params = {
    get: (n) => url.searchParams.get(n) ?? form.get(n) ?? undefined,
    has: (n) => url.searchParams.has(n) || form.has(n),
  };
  if (ctx.fault.delayMs) await new Promise((r) => setTimeout(r, ctx.fault.delayMs));
  const path = url.pathname.replace(/\/+$/, "");
  const route = ROUTES[path];
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  const inst = ctx.inst;
  const envelope = (o: Record<string, unknown>) => {
    const text = JSON.stringify({ ...o, server: inst.dnsServerDomain });
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(text);
  };
  try {
    if (ctx.fault.errorPath && new RegExp(ctx.fault.errorPath).test(path)) throw new ApiError(ctx.fault.errorMessage ?? "The twin was told to fail this call.");
    let session: TechnitiumInstance["tokens"][number] | undefined;
    if (route.auth) {
      // 15.0 added the Authorization: Bearer header; 14.x reads only the `token` parameter
      const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
      const token = params.get("token") ?? (inst.major >= 15 ? bearer : undefined);
      session = ctx.fault.tokenInvalid ? undefined : inst.tokens.find((t) => t.token === token);
      // login sessions slide: they die after 30 min without a call (API tokens never expire)
      if (session?.session && session.lastUsed !== undefined && Date.now() - session.lastUsed > SESSION_TIMEOUT_MS) {
        inst.tokens.splice(inst.tokens.indexOf(session), 1);
        session = undefined;
      }
      if (!session) throw new ApiError("Invalid token or session expired.", "invalid-token");
      if (session.session) session.lastUsed = Date.now();
    }
    const out = await route.fn({ ctx, inst, p: params, body, isJson, session, remote: req.socket.remoteAddress ?? "" });
    if (route.mutates) ctx.persist();
    if (route.topLevel) envelope({ status: "ok", ...out });
    else envelope({ status: "ok", response: out ?? {} });
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError((err as Error).message);
    envelope({
      status: e.status,
      errorMessage: e.message,
      // 14.x error bodies carry a stack trace; 15.x's do not
      ...(e.status === "error" && inst.major < 15 ? { stackTrace: `   at DnsServerCore.WebService${path.replace(/\//g, ".")}(HttpContext context)\n   at DnsServerCore.DnsWebService.ApiRoute(HttpContext context)` } : {}),
    });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (s += c));
    req.on("end", () => resolve(s));
    req.on("error", () => resolve(s));
  });
}

interface RouteArgs {
  ctx: ApiContext;
  inst: TechnitiumInstance;
  p: Params;
  body: string;
  isJson: boolean;
  session?: TechnitiumInstance["tokens"][number];
  remote: string;
}
interface Route {
  auth: boolean;
  topLevel?: boolean;
  mutates?: boolean;
  fn(a: RouteArgs): Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
}

const USERS: Record<string, string> = { admin: "admin" };
export const SESSION_TIMEOUT_MS = 1800_000;

function info(inst: TechnitiumInstance, startedAt: string): Record<string, unknown> {
  const perm = { canView: true, canModify: true, canDelete: true };
  const sections = ["Dashboard", "Zones", "Cache", "Allowed", "Blocked", "Apps", "DnsClient", "Settings", "DhcpServer", "Administration", "Logs"];
  return {
    version: inst.version,
    uptimestamp: startedAt,
    dnsServerDomain: inst.dnsServerDomain,
    defaultRecordTtl: inst.settings.defaultRecordTtl,
    defaultNsRecordTtl: inst.settings.defaultNsRecordTtl,
    defaultSoaRecordTtl: inst.settings.defaultSoaRecordTtl,
    useSoaSerialDateScheme: inst.settings.useSoaSerialDateScheme,
    dnssecValidation: inst.settings.dnssecValidation,
    clusterInitialized: false,
    permissions: Object.fromEntries(sections.map((s) => [s, perm])),
  };
}

async function checkLogin(inst: TechnitiumInstance, p: Params, remote: string): Promise<string> {
  const user = required(p, "user");
  const pass = required(p, "pass");
  const now = Date.now();
  const rec = inst.failedLogins.get(remote);
  if (rec && rec.blockedUntil > now) throw new ApiError("Max limit of 5 attempts exceeded. Access blocked for 300 seconds.");
  if (USERS[user] !== pass) {
    if (!(user === "admin" && pass === "admin")) {
      const r = rec ?? { count: 0, blockedUntil: 0 };
      r.count++;
      if (r.count >= 5) r.blockedUntil = now + 300_000;
      inst.failedLogins.set(remote, r);
    }
    await new Promise((r) => setTimeout(r, 1000));
    throw new ApiError(`Invalid username or password for user: ${user}`);
  }
  inst.failedLogins.delete(remote);
  return user;
}

function zoneName(p: Params): string {
  const raw = required(p, "zone", "domain").trim().replace(/\.$/, "").toLowerCase();
  if (raw.includes("*")) throw new ApiError(`Invalid domain name [${raw}]: wildcard is not allowed.`);
  const cidr = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(raw);
  if (cidr) {
    const octets = Math.max(1, Math.floor(Number(cidr[5] ?? 24) / 8));
    return cidr.slice(1, 1 + octets).reverse().join(".") + ".in-addr.arpa";
  }
  return raw;
}

function getZone(inst: TechnitiumInstance, name: string): Zone {
  const z = inst.zones.get(name);
  if (!z) throw new ApiError(`No such zone was found: ${name}`);
  return z;
}

export function zoneListEntry(inst: TechnitiumInstance, z: Zone): Record<string, unknown> {
  const e: Record<string, unknown> = { name: z.name, type: z.type };
  if (z.type === "Primary") e.internal = z.internal;
  e.catalog = null;
  if (z.type === "Primary" || z.type === "Secondary") {
    e.dnssecStatus = "Unsigned";
    e.hasDnssecPrivateKeys = false;
  }
  if (z.type === "Secondary") e.validationFailed = false;
  if (z.type !== "Primary") {
    e.expiry = z.expiry ?? YEAR_ONE;
    e.isExpired = TechnitiumInstance.expired(z);
    e.syncFailed = !!z.syncFailed;
  }
  if (!z.internal) {
    e.notifyFailed = !!z.notifyFailed;
    e.notifyFailedFor = [];
  }
  e.lastModified = z.lastModified;
  e.disabled = z.disabled;
  e.soaSerial = inst.serialOf(z);
  return e;
}

const RDATA_OUT: Record<string, (d: unknown) => Record<string, unknown>> = {
  A: (d) => ({ ipAddress: d }),
  AAAA: (d) => ({ ipAddress: d }),
  CNAME: (d) => ({ cname: d }),
  PTR: (d) => ({ ptrName: d }),
  NS: (d) => ({ nameServer: d }),
  TXT: (d) => ({ text: (d as string[]).join("") }),
  MX: (d) => ({ preference: (d as { preference: number }).preference, exchange: (d as { exchange: string }).exchange }),
  SOA: (d) => {
    const s = d as { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
    return { primaryNameServer: s.mname, responsiblePerson: s.rname, serial: s.serial, refresh: s.refresh, retry: s.retry, expire: s.expire, minimum: s.minimum };
  },
  SRV: (d) => ({ ...(d as object) }),
};

function rdataIn(type: string, p: Params): unknown {
  switch (type) {
    case "A":
    case "AAAA":
      return required(p, "ipAddress", "value");
    case "CNAME":
      return required(p, "cname", "value").replace(/\.$/, "");
    case "PTR":
      return required(p, "ptrName", "value").replace(/\.$/, "");
    case "NS":
      return required(p, "nameServer", "value").replace(/\.$/, "");
    case "TXT":
      return [required(p, "text", "value")];
    case "MX":
      return { preference: Number(p.get("preference") ?? 10), exchange: required(p, "exchange", "value").replace(/\.$/, "") };
    default:
      throw new ApiError(`Record type is not supported by the twin: ${type}`);
  }
}

function sameRdata(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function recordZone(inst: TechnitiumInstance, p: Params, domain: string): Zone {
  const zn = p.get("zone")?.toLowerCase().replace(/\.$/, "");
  const z = zn ? inst.zones.get(zn) : inst.findZone(domain, { activeOnly: false });
  if (!z) throw new ApiError(`No such zone was found: ${zn ?? domain}`);
  return z;
}

function settingsOut(inst: TechnitiumInstance): Record<string, unknown> {
  const out: Record<string, unknown> = { ...inst.settings, version: inst.version };
  const till = out.temporaryDisableBlockingTill as string | undefined;
  if (till && Date.parse(till) <= Date.now()) delete out.temporaryDisableBlockingTill; // present only while paused
  return out;
}

function applySettings(inst: TechnitiumInstance, get: (k: string) => unknown, has: (k: string) => boolean): void {
  const s = inst.settings;
  for (const key of Object.keys(s)) {
    if (key === "forwarders" || key === "forwarderProtocol" || key === "version" || key === "uptimestamp" || key === "clusterInitialized") continue;
    if (!has(key)) continue;
    const v = get(key);
    if (SETTINGS_INT.has(key)) {
      const n = typeof v === "number" ? v : Number(String(v));
      if (!Number.isFinite(n) || !/^-?\d+$/.test(String(v).trim())) throw new ApiError(`The input string '${String(v)}' was not in a correct format.`);
      if (key === "cacheMaximumEntries" && n < 0) throw new ApiError("Cache maximum entries cannot be negative.");
      if (key === "serveStaleTtl" && (n < 0 || n > 604800)) throw new ApiError("Serve stale TTL must be between 0 and 604800 (7 days).");
      if (key === "serveStaleResetTtl" && (n < 10 || n > 900)) throw new ApiError("Serve stale reset TTL must be between 10 and 900 seconds.");
      if (key === "serveStaleMaxWaitTime" && (n < 0 || n > 1800)) throw new ApiError("Serve stale max wait time must be between 0 and 1800 milliseconds.");
      s[key] = n;
    } else if (SETTINGS_BOOL.has(key)) {
      if (typeof v === "boolean") s[key] = v;
      else if (/^(true|false)$/i.test(String(v))) s[key] = /^true$/i.test(String(v));
      else throw new ApiError(`String '${String(v)}' was not recognized as a valid Boolean.`);
    } else if (SETTINGS_LIST.has(key)) {
      s[key] = Array.isArray(v) ? v : String(v) === "false" || String(v) === "" ? [] : String(v).split(",").map((x) => x.trim()).filter(Boolean);
    } else if (key in SETTINGS_ENUM) {
      const match = SETTINGS_ENUM[key].find((e) => e.toLowerCase() === String(v).toLowerCase());
      if (!match) throw new ApiError(`Requested value '${String(v)}' was not found.`);
      s[key] = match;
    } else if (typeof s[key] === "string") {
      s[key] = String(v);
    } else if (typeof v === "object") {
      s[key] = v;
    }
  }
  if (has("forwarders")) {
    const v = get("forwarders");
    const list = Array.isArray(v) ? v.map(String) : String(v ?? "") === "" || String(v) === "false" ? null : String(v).split(",").map((x) => x.trim()).filter(Boolean);
    s.forwarders = list && list.length ? list : null;
    // forwarderProtocol omitted → the protocol resets to Udp (reference §2.11)
    let proto = has("forwarderProtocol") ? String(get("forwarderProtocol")) : "Udp";
    if (/^httpsjson$/i.test(proto)) proto = "Https";
    const match = SETTINGS_ENUM.forwarderProtocol.find((e) => e.toLowerCase() === proto.toLowerCase());
    if (!match) throw new ApiError(`Requested value '${proto}' was not found.`);
    s.forwarderProtocol = match;
  } else if (has("forwarderProtocol")) {
    let proto = String(get("forwarderProtocol"));
    if (/^httpsjson$/i.test(proto)) proto = "Https";
    const match = SETTINGS_ENUM.forwarderProtocol.find((e) => e.toLowerCase() === proto.toLowerCase());
    if (!match) throw new ApiError(`Requested value '${proto}' was not found.`);
    s.forwarderProtocol = match;
  }
}

const ROUTES: Record<string, Route> = {
  "/api/user/login": {
    auth: false,
    topLevel: true,
    mutates: true,
    async fn({ ctx, inst, p, remote }) {
      const user = await checkLogin(inst, p, remote);
      const token = randomBytes(32).toString("hex");
      inst.tokens.push({ token, username: user, session: true, lastUsed: Date.now() });
      return { displayName: "Administrator", username: user, totpEnabled: false, token, ...(bool(p, "includeInfo", false) ? { info: info(inst, ctx.startedAt) } : {}) };
    },
  },
  "/api/user/createToken": {
    auth: false,
    topLevel: true,
    mutates: true,
    async fn({ inst, p, remote }) {
      // 14.x: needs user + pass (a session token alone is a 15.x feature)
      const user = await checkLogin(inst, p, remote);
      const tokenName = required(p, "tokenName");
      const token = randomBytes(32).toString("hex");
      inst.tokens.push({ token, username: user, tokenName, session: false });
      return { username: user, tokenName, token };
    },
  },
  "/api/user/logout": {
    auth: true,
    topLevel: true,
    mutates: true,
    fn({ inst, session }) {
      if (session?.session) inst.tokens.splice(inst.tokens.indexOf(session), 1);
      return {};
    },
  },
  "/api/user/session/get": {
    auth: true,
    topLevel: true,
    fn({ ctx, inst, session }) {
      const who = session!.session
        ? { displayName: "Administrator", username: session!.username, totpEnabled: false, token: session!.token }
        : { username: session!.username, tokenName: session!.tokenName, token: session!.token };
      return { ...who, info: info(inst, ctx.startedAt) };
    },
  },
  "/api/zones/list": {
    auth: true,
    fn({ inst, p }) {
      const zones = [...inst.zones.values()].sort((a, b) => a.name.localeCompare(b.name)).map((z) => zoneListEntry(inst, z));
      if (!p.has("pageNumber")) return { zones };
      const per = Math.max(1, Number(p.get("zonesPerPage") ?? 10) || 10);
      const totalPages = Math.max(1, Math.ceil(zones.length / per));
      const page = Math.min(Math.max(1, Number(p.get("pageNumber")) || 1), totalPages);
      return { pageNumber: page, totalPages, totalZones: zones.length, zones: zones.slice((page - 1) * per, page * per) };
    },
  },
  "/api/zones/create": {
    auth: true,
    mutates: true,
    async fn({ inst, p }) {
      const name = zoneName(p);
      const typeRaw = p.get("type") ?? "Primary";
      const type = ["Primary", "Secondary", "Stub", "Forwarder"].find((t) => t.toLowerCase() === typeRaw.toLowerCase());
      if (!type) throw new ApiError(`Requested value '${typeRaw}' was not found.`);
      const now = new Date().toISOString();
      if (type === "Secondary") {
        const protoRaw = p.get("zoneTransferProtocol") ?? "Tcp";
        const proto = ["Tcp", "Tls", "Quic"].find((t) => t.toLowerCase() === protoRaw.toLowerCase());
        if (!proto) throw new ApiError(`Requested value '${protoRaw}' was not found.`);
        if (proto === "Quic") throw new ApiError("DNS-over-QUIC is not supported on this platform.");
        const tsig = p.get("tsigKeyName") ?? "";
        if (tsig && !((inst.settings.tsigKeys as { keyName: string }[]) ?? []).some((k) => k.keyName === tsig)) throw new ApiError(`No such TSIG key was found: ${tsig}`);
        const addrText = p.get("primaryNameServerAddresses") ?? "";
        const addrs = TechnitiumInstance.parsePrimaryAddresses(addrText);
        // Step 1: live SOA probe (before the exists check, as the real server does).
        await inst.probePrimary(name, addrs.length ? addrs : ["1.1.1.1"]);
        if (inst.zones.has(name)) throw new ApiError(`Zone already exists: ${name}`);
        inst.zones.set(name, {
          name,
          type: "Secondary",
          internal: false,
          disabled: false,
          lastModified: now,
          records: [],
          isExpired: true,
          expiry: YEAR_ONE,
          syncFailed: false,
          primaryNameServerAddresses: addrText ? addrText.split(",").map((s) => s.trim()).filter(Boolean) : [],
          primaryZoneTransferProtocol: proto,
          primaryZoneTransferTsigKeyName: tsig,
          validateZone: bool(p, "validateZone", false),
          zoneTransfer: "Deny",
          zoneTransferNetworkACL: [],
          zoneTransferTsigKeyNames: [],
          notify: "None",
          notifyNameServers: [],
          queryAccess: "Allow",
          queryAccessNetworkACL: [],
        });
        inst.scheduleTransfer(name);
        return { domain: name || "." };
      }
      if (inst.zones.has(name)) throw new ApiError(`Zone already exists: ${name}`);
      if (type !== "Primary") throw new ApiError(`The twin only creates Primary and Secondary zones (got ${type}).`);
      const rec = soa(name, 1, inst.dnsServerDomain);
      inst.zones.set(name, {
        name,
        type: "Primary",
        internal: false,
        disabled: false,
        lastModified: now,
        records: [rec, { name, type: "NS", ttl: 3600, data: inst.dnsServerDomain } as never],
        zoneTransfer: "AllowOnlyZoneNameServers",
        zoneTransferNetworkACL: [],
        zoneTransferTsigKeyNames: [],
        notify: "ZoneNameServers",
        notifyNameServers: [],
        queryAccess: "Allow",
        queryAccessNetworkACL: [],
        update: "Deny",
        updateNetworkACL: [],
      });
      return { domain: name || "." };
    },
  },
  "/api/zones/resync": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const z = getZone(inst, zoneName(p));
      if (z.internal) throw new ApiError("Access was denied to manage internal DNS Server zone.");
      if (z.type === "Primary" || z.type === "Forwarder") throw new ApiError(`Only Secondary, Secondary Forwarder, Secondary Catalog, and Stub zones support resync.`);
      inst.scheduleTransfer(z.name, 50);
      return {};
    },
  },
  "/api/zones/delete": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const name = zoneName(p);
      const z = getZone(inst, name);
      if (z.internal) throw new ApiError("Access was denied to manage internal DNS Server zone.");
      inst.zones.delete(name);
      for (const k of inst.cache.keys()) if (k.split("|")[0] === name || k.split("|")[0].endsWith("." + name)) inst.cache.delete(k);
      return {};
    },
  },
  "/api/zones/enable": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      getZone(inst, zoneName(p)).disabled = false;
      return {};
    },
  },
  "/api/zones/disable": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      getZone(inst, zoneName(p)).disabled = true;
      return {};
    },
  },
  "/api/zones/options/get": {
    auth: true,
    fn({ inst, p }) {
      const z = getZone(inst, zoneName(p));
      if (z.internal) throw new ApiError("Access was denied to manage internal DNS Server zone.");
      const o: Record<string, unknown> = { name: z.name, type: z.type, disabled: z.disabled };
      if (z.type === "Primary") o.internal = false;
      if (z.type === "Primary" || z.type === "Secondary") o.dnssecStatus = "Unsigned";
      if (z.type !== "Primary") {
        o.primaryNameServerAddresses = z.primaryNameServerAddresses ?? [];
        o.primaryZoneTransferProtocol = z.primaryZoneTransferProtocol ?? "Tcp";
        o.primaryZoneTransferTsigKeyName = z.primaryZoneTransferTsigKeyName ?? "";
        o.validateZone = !!z.validateZone;
      }
      o.notifyFailed = !!z.notifyFailed;
      o.notifyFailedFor = [];
      o.queryAccess = z.queryAccess;
      o.queryAccessNetworkACL = z.queryAccessNetworkACL;
      o.zoneTransfer = z.zoneTransfer ?? "Deny";
      o.zoneTransferNetworkACL = z.zoneTransferNetworkACL ?? [];
      o.zoneTransferTsigKeyNames = z.zoneTransferTsigKeyNames ?? [];
      o.notify = z.notify ?? "None";
      o.notifyNameServers = z.notifyNameServers ?? [];
      if (z.type === "Primary") {
        o.update = z.update ?? "Deny";
        o.updateNetworkACL = z.updateNetworkACL ?? [];
      }
      if (bool(p, "includeAvailableTsigKeyNames", false)) o.availableTsigKeyNames = ((inst.settings.tsigKeys as { keyName: string }[]) ?? []).map((k) => k.keyName);
      if (bool(p, "includeAvailableCatalogZoneNames", false)) o.availableCatalogZoneNames = [];
      return o;
    },
  },
  "/api/zones/options/set": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const z = getZone(inst, zoneName(p));
      if (z.internal) throw new ApiError("Access was denied to manage internal DNS Server zone.");
      const list = (v: string) => (v === "false" || v === "" ? [] : v.split(",").map((s) => s.trim()).filter(Boolean));
      const en = (key: string, values: string[]) => {
        const v = p.get(key);
        if (v === undefined) return undefined;
        const m = values.find((x) => x.toLowerCase() === v.toLowerCase());
        if (!m) throw new ApiError(`Requested value '${v}' was not found.`);
        return m;
      };
      const zt = en("zoneTransfer", ["Deny", "Allow", "AllowOnlyZoneNameServers", "UseSpecifiedNetworkACL", "AllowZoneNameServersAndUseSpecifiedNetworkACL"]);
      if (zt) z.zoneTransfer = zt;
      if (p.has("zoneTransferNetworkACL")) z.zoneTransferNetworkACL = list(p.get("zoneTransferNetworkACL")!);
      if (p.has("zoneTransferTsigKeyNames")) z.zoneTransferTsigKeyNames = list(p.get("zoneTransferTsigKeyNames")!);
      const nt = en("notify", ["None", "ZoneNameServers", "SpecifiedNameServers", "BothZoneAndSpecifiedNameServers", "SeparateNameServersForCatalogAndMemberZones"]);
      if (nt) z.notify = nt;
      if (p.has("notifyNameServers")) z.notifyNameServers = list(p.get("notifyNameServers")!);
      if (p.has("disabled")) z.disabled = bool(p, "disabled", z.disabled);
      if (z.type !== "Primary") {
        if (p.has("primaryNameServerAddresses")) z.primaryNameServerAddresses = list(p.get("primaryNameServerAddresses")!);
        const proto = en("primaryZoneTransferProtocol", ["Tcp", "Tls", "Quic"]);
        if (proto) z.primaryZoneTransferProtocol = proto;
        if (p.has("primaryZoneTransferTsigKeyName")) z.primaryZoneTransferTsigKeyName = p.get("primaryZoneTransferTsigKeyName");
      }
      return {};
    },
  },
  "/api/zones/records/get": {
    auth: true,
    fn({ inst, p }) {
      const domain = required(p, "domain").toLowerCase().replace(/\.$/, "");
      const z = recordZone(inst, p, domain);
      const listZone = bool(p, "listZone", false);
      const recs = z.records.filter((r) => (listZone ? true : r.name === domain));
      return {
        zone: { name: z.name, type: z.type, internal: z.internal, dnssecStatus: "Unsigned", disabled: z.disabled, soaSerial: inst.serialOf(z) },
        name: domain,
        records: recs.map((r) => ({ disabled: false, name: r.name, type: r.type, ttl: r.ttl, rData: (RDATA_OUT[r.type] ?? ((d) => ({ value: d })))(r.data), dnssecStatus: "Unknown", lastUsedOn: YEAR_ONE })),
      };
    },
  },
  "/api/zones/records/add": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const domain = required(p, "domain").toLowerCase().replace(/\.$/, "");
      const z = recordZone(inst, p, domain);
      if (z.type !== "Primary" || z.internal) throw new ApiError(`Cannot add record: zone '${z.name}' is not a primary zone.`);
      const type = required(p, "type").toUpperCase();
      const ttl = Number(p.get("ttl") ?? inst.settings.defaultRecordTtl ?? 3600);
      const data = rdataIn(type, p);
      if (bool(p, "overwrite", false) || type === "CNAME") z.records = z.records.filter((r) => !(r.name === domain && r.type === type));
      else if (z.records.some((r) => r.name === domain && r.type === type && sameRdata(r.data, data))) throw new ApiError("Cannot add record: record already exists.");
      const rec = { name: domain, type, ttl, data } as never;
      z.records.push(rec);
      inst.bumpSerial(z);
      return { zone: { name: z.name, type: z.type, internal: false, dnssecStatus: "Unsigned", disabled: false }, addedRecord: { disabled: false, name: domain, type, ttl, rData: RDATA_OUT[type](data) } };
    },
  },
  "/api/zones/records/update": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const domain = required(p, "domain").toLowerCase().replace(/\.$/, "");
      const z = recordZone(inst, p, domain);
      if (z.type !== "Primary" || z.internal) throw new ApiError(`Cannot update record: zone '${z.name}' is not a primary zone.`);
      const type = required(p, "type").toUpperCase();
      const old = rdataIn(type, p);
      const rec = z.records.find((r) => r.name === domain && r.type === type && sameRdata(r.data, old));
      if (!rec) throw new ApiError("Cannot update record: the old record does not exist.");
      const np: Params = { get: (n) => p.get("new" + n[0].toUpperCase() + n.slice(1)) ?? p.get(n), has: (n) => p.has(n) };
      (rec as { data: unknown }).data = rdataIn(type, np);
      if (p.has("ttl")) rec.ttl = Number(p.get("ttl"));
      inst.bumpSerial(z);
      return { zone: { name: z.name, type: z.type }, updatedRecord: { name: domain, type, ttl: rec.ttl, rData: RDATA_OUT[type](rec.data) } };
    },
  },
  "/api/zones/records/delete": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const domain = required(p, "domain").toLowerCase().replace(/\.$/, "");
      const z = recordZone(inst, p, domain);
      if (z.type !== "Primary" || z.internal) throw new ApiError(`Cannot delete record: zone '${z.name}' is not a primary zone.`);
      const type = required(p, "type").toUpperCase();
      const data = rdataIn(type, p);
      const before = z.records.length;
      z.records = z.records.filter((r) => !(r.name === domain && r.type === type && sameRdata(r.data, data)));
      if (z.records.length !== before) inst.bumpSerial(z);
      return {};
    },
  },
  "/api/logs/query": {
    auth: true,
    async fn({ inst, p }) {
      // WebServiceLogsApi.QueryLogsAsync: the app by name, then its query-logs class by classPath
      const name = required(p, "name");
      const classPath = required(p, "classPath");
      if (!(name in inst.apps)) throw new ApiError(`DNS application was not found: ${name}`);
      const classes = (APP_CATALOG[name]?.dnsApps ?? []).filter((c) => c.isQueryLogs).map((c) => c.classPath);
      if (!classes.includes(classPath)) throw new ApiError(`DNS application '${classPath}' class path was not found: ${name}`);
      if (!inst.queryLogs) throw new ApiError("Failed to connect to the query log database.");
      const num = (k: string, d: number) => (p.has(k) ? Number(p.get(k)) : d);
      return inst.queryLogs(inst.dnsServerDomain, {
        pageNumber: num("pageNumber", 1),
        entriesPerPage: num("entriesPerPage", 25),
        descendingOrder: (p.get("descendingOrder") ?? "true").toLowerCase() !== "false",
        start: p.get("start"),
        end: p.get("end"),
        clientIpAddress: p.get("clientIpAddress"),
        protocol: p.get("protocol"),
        responseType: p.get("responseType"),
        rcode: p.get("rcode"),
        qname: p.get("qname"),
        qtype: p.get("qtype"),
        qclass: p.get("qclass"),
      });
    },
  },
  "/api/apps/list": {
    auth: true,
    fn({ inst }) {
      return {
        apps: Object.keys(inst.apps).map((name) => ({ name, version: APP_CATALOG[name].version, dnsApps: APP_CATALOG[name].dnsApps })),
      };
    },
  },
  "/api/apps/config/get": {
    auth: true,
    fn({ inst, p }) {
      const name = required(p, "name");
      if (!(name in inst.apps)) throw new ApiError(`DNS application was not found: ${name}`);
      return { config: inst.apps[name] };
    },
  },
  "/api/apps/config/set": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const name = required(p, "name");
      if (!p.has("config")) throw missing("config");
      inst.setAppConfig(name, p.get("config") ?? "");
      return {};
    },
  },
  "/api/settings/get": {
    auth: true,
    fn({ inst }) {
      return settingsOut(inst);
    },
  },
  "/api/settings/set": {
    auth: true,
    mutates: true,
    fn({ inst, p, body, isJson }) {
      if (isJson) {
        let obj: Record<string, unknown>;
        try {
          obj = JSON.parse(body || "{}");
        } catch (err) {
          throw new ApiError((err as Error).message);
        }
        applySettings(inst, (k) => obj[k], (k) => k in obj);
      } else {
        applySettings(inst, (k) => p.get(k), (k) => p.has(k));
      }
      return settingsOut(inst);
    },
  },
  "/api/settings/temporaryDisableBlocking": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const minutes = Number(required(p, "minutes"));
      if (!Number.isFinite(minutes) || minutes <= 0) throw new ApiError(`The input string '${p.get("minutes")}' was not in a correct format.`);
      const till = new Date(Date.now() + minutes * 60_000).toISOString();
      inst.settings.temporaryDisableBlockingTill = till;
      return { temporaryDisableBlockingTill: till };
    },
  },
  "/api/dashboard/stats/get": {
    auth: true,
    fn({ inst }) {
      const s = inst.stats;
      const { clients, ...counts } = s;
      return {
        stats: {
          ...counts,
          totalClients: clients.size,
          zones: inst.zones.size,
          cachedEntries: inst.cache.size,
          allowedZones: 0,
          blockedZones: 0,
          allowListZones: 0,
          blockListZones: 486512,
        },
        mainChartData: { labelFormat: "HH:mm", labels: [], datasets: [] },
        queryResponseChartData: { labels: ["Authoritative", "Recursive", "Cached", "Blocked", "Dropped"], datasets: [{ data: [s.totalAuthoritative, s.totalRecursive, s.totalCached, s.totalBlocked, s.totalDropped] }] },
        queryTypeChartData: { labels: [], datasets: [] },
        protocolTypeChartData: { labels: ["Udp", "Tcp"], datasets: [] },
        topClients: [],
        topDomains: [],
        topBlockedDomains: [],
      };
    },
  },
  "/api/admin/cluster/state": {
    auth: true,
    fn({ inst, p }) {
      return { version: inst.version, dnsServerDomain: inst.dnsServerDomain, clusterInitialized: false, ...(bool(p, "includeServerIpAddresses", false) ? { serverIpAddresses: [] } : {}) };
    },
  },
};

export const INTERNAL_ZONE_NAMES = INTERNAL_ZONES;
