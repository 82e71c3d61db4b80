import "server-only";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

/**
 * One client per Technitium instance. The token travels as the `token` form/query field, which 14.x and 15.x both
 * read (14.x ignores a Bearer header). HTTP 200 with `status: error|invalid-token` and a 404 with an empty body are
 * failures carrying the server's message. Tokens never appear in errors or logs.
 */
export interface TechnitiumInstance {
  name: string;
  url: string;
  /** The first instance in TECHNITIUM_INSTANCES is the zone primary. */
  primary: boolean;
}

export class TechnitiumError extends Error {
  constructor(
    readonly instance: string,
    readonly kind: "unreachable" | "timeout" | "invalid-token" | "error" | "not-found" | "bad-response",
    message: string,
  ) {
    super(`${instance}: ${message}`);
    this.name = "TechnitiumError";
  }
}

export interface CallOptions {
  method?: "GET" | "POST";
  timeoutMs?: number;
  /** Retries on network errors and timeouts only, for idempotent calls. */
  retries?: number;
}

export class TechnitiumClient {
  constructor(
    readonly instance: TechnitiumInstance,
    private readonly token: string,
    private readonly defaultTimeoutMs = 8000,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get name(): string {
    return this.instance.name;
  }

  /** Call `/api/<path>`; resolves to the payload (`response` where present, else the whole envelope). */
  async call<T = Record<string, unknown>>(path: string, params: Record<string, string | number | boolean | undefined> = {}, opts: CallOptions = {}): Promise<T> {
    const method = opts.method ?? "GET";
    const retries = opts.retries ?? (method === "GET" ? 2 : 0);
    let lastErr: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        return await this.once<T>(path, params, method, opts.timeoutMs ?? this.defaultTimeoutMs);
      } catch (err) {
        lastErr = err;
        const transient = err instanceof TechnitiumError && (err.kind === "unreachable" || err.kind === "timeout");
        if (!transient || attempt === retries) throw err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
    throw lastErr;
  }

  private async once<T>(path: string, params: Record<string, string | number | boolean | undefined>, method: "GET" | "POST", timeoutMs: number): Promise<T> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, String(v));
    body.set("token", this.token);
    const url = `${this.instance.url}/api/${path.replace(/^\/+/, "")}`;
    let res: Response;
    try {
      res = await this.fetchImpl(method === "GET" ? `${url}?${body}` : url, {
        method,
        headers: method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : undefined,
        body: method === "POST" ? body.toString() : undefined,
        signal: AbortSignal.timeout(timeoutMs),
        cache: "no-store",
      });
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      if (name === "TimeoutError" || name === "AbortError") throw new TechnitiumError(this.name, "timeout", `no answer within ${timeoutMs} ms`);
      throw new TechnitiumError(this.name, "unreachable", `cannot reach ${this.instance.url} (${describeNetworkError(err)})`);
    }
    const text = await res.text();
    if (res.status === 404 && !text.trim()) throw new TechnitiumError(this.name, "not-found", `API path /api/${path} does not exist on this server version`);
    let json: { status?: string; errorMessage?: string; innerErrorMessage?: string; response?: unknown };
    try {
      json = JSON.parse(text);
    } catch {
      throw new TechnitiumError(this.name, "bad-response", `HTTP ${res.status} with a non-JSON body`);
    }
    if (json.status === "invalid-token")
      throw new TechnitiumError(this.name, "invalid-token", `the API token was refused (${json.errorMessage ?? "invalid or expired"}); set a valid one in ${tokenVarHint(this.name)}`);
    if (json.status !== "ok") {
      const msg = [json.errorMessage, json.innerErrorMessage].filter(Boolean).join(": ") || `status ${String(json.status)}`;
      throw new TechnitiumError(this.name, "error", msg);
    }
    return (json.response !== undefined ? json.response : json) as T;
  }
}

// ---- typed helpers --------------------------------------------------------------------------------------------

export interface TechnitiumSessionInfo {
  version: string;
  major: number;
  dnsServerDomain?: string;
  uptimestamp?: string;
}

/** One `zones/list` entry (fields present depend on the zone type, see reference §2.4). */
export interface TechnitiumZone {
  name: string;
  type: "Primary" | "Secondary" | "Stub" | "Forwarder" | "SecondaryForwarder" | "Catalog" | "SecondaryCatalog" | string;
  soaSerial?: number;
  internal?: boolean;
  disabled?: boolean;
  isExpired?: boolean;
  syncFailed?: boolean;
  expiry?: string;
  lastModified?: string;
}

export interface TechnitiumApp {
  name: string;
  version: string;
  dnsApps: { classPath: string }[];
}

/** Settings with secrets removed (reference §2.11/§5.10): safe to show in a browser. */
export type SafeSettings = Record<string, unknown>;

/** Keys (at any depth) of `settings/get` that carry secrets: TSIG shared secrets, proxy and certificate passwords. */
const SECRET_KEY = /password|secret|privatekey|^token$/i;

/** Deep copy with every secret-bearing value replaced by "[hidden]" (null/empty stays as is, so "unset" is visible). */
export function stripSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => stripSecrets(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && v !== "" ? "[hidden]" : stripSecrets(v);
    }
    return out as T;
  }
  return value;
}

/** Version detection and typed wrappers over `call()`. All errors are TechnitiumError naming the instance. */
export class TechnitiumApi {
  private info?: TechnitiumSessionInfo;
  private apps?: { at: number; list: TechnitiumApp[] };
  constructor(readonly client: TechnitiumClient) {}

  get name(): string {
    return this.client.name;
  }

  /** `user/session/get` → `info.version` ("14.3", "15.2"); cached per TechnitiumApi object. */
  async version(opts: { refresh?: boolean; timeoutMs?: number } = {}): Promise<TechnitiumSessionInfo> {
    if (this.info && !opts.refresh) return this.info;
    const s = await this.client.call<{ info?: { version?: string; dnsServerDomain?: string; uptimestamp?: string } }>("user/session/get", {}, { timeoutMs: opts.timeoutMs, retries: opts.timeoutMs ? 0 : undefined });
    const version = s.info?.version ?? "unknown";
    this.info = { version, major: Number.parseInt(version, 10) || 0, dnsServerDomain: s.info?.dnsServerDomain, uptimestamp: s.info?.uptimestamp };
    return this.info;
  }

  async listZones(): Promise<TechnitiumZone[]> {
    const r = await this.client.call<{ zones?: TechnitiumZone[] }>("zones/list");
    if (!Array.isArray(r.zones)) throw new TechnitiumError(this.name, "bad-response", "zones/list returned no zones array");
    return r.zones;
  }

  /** Create a Secondary zone transferring from `primaryAddresses` (TCP). Never retried: a create is not idempotent. */
  async createSecondaryZone(zone: string, primaryAddresses: string[]): Promise<void> {
    await this.client.call("zones/create", { zone, type: "Secondary", primaryNameServerAddresses: primaryAddresses.join(","), zoneTransferProtocol: "Tcp" }, { method: "POST" });
  }

  async createPrimaryZone(zone: string): Promise<void> {
    await this.client.call("zones/create", { zone, type: "Primary" }, { method: "POST" });
  }

  async resyncZone(zone: string): Promise<void> {
    await this.client.call("zones/resync", { zone }, { method: "POST" });
  }

  async deleteZone(zone: string): Promise<void> {
    await this.client.call("zones/delete", { zone }, { method: "POST" });
  }

  async zoneOptions(zone: string): Promise<Record<string, unknown>> {
    return this.client.call("zones/options/get", { zone });
  }

  /** apps/list can take ~5 s on pods without internet (it fetches the store catalogue); kept for a minute per object. */
  async listApps(opts: { refresh?: boolean } = {}): Promise<TechnitiumApp[]> {
    if (this.apps && !opts.refresh && Date.now() - this.apps.at < 60_000) return this.apps.list;
    const r = await this.client.call<{ apps?: TechnitiumApp[] }>("apps/list", {}, { timeoutMs: 15_000 });
    const list = Array.isArray(r.apps) ? r.apps : [];
    this.apps = { at: Date.now(), list };
    return list;
  }

  /** Installed app name for a class path (apps may be installed under any name). */
  async appNameFor(classPathPrefix: string): Promise<string | undefined> {
    const apps = await this.listApps();
    return apps.find((a) => a.dnsApps?.some((d) => d.classPath === classPathPrefix || d.classPath.startsWith(`${classPathPrefix}.`)))?.name;
  }

  /** Raw `dnsApp.config` text, or null when the file does not exist. */
  async getAppConfig(name: string): Promise<string | null> {
    const r = await this.client.call<{ config?: string | null }>("apps/config/get", { name });
    return r.config ?? null;
  }

  /** Always the whole document as strict JSON (never comments: 14.x cannot parse them). */
  async setAppConfig(name: string, config: unknown): Promise<void> {
    const text = JSON.stringify(config, null, 2);
    if (!text || text === "{}") throw new TechnitiumError(this.name, "error", "refusing to send an empty app config (it would delete dnsApp.config)");
    await this.client.call("apps/config/set", { name, config: text }, { method: "POST" });
  }

  /** Settings with secrets stripped. */
  async getSettings(): Promise<SafeSettings> {
    return stripSecrets(await this.client.call<Record<string, unknown>>("settings/get"));
  }

  /** Set only the given keys; returns the updated settings with secrets stripped. */
  async setSettings(values: Record<string, string | number | boolean>): Promise<SafeSettings> {
    return stripSecrets(await this.client.call<Record<string, unknown>>("settings/set", values, { method: "POST" }));
  }

  async dashboardStats(type = "LastHour"): Promise<Record<string, number>> {
    const r = await this.client.call<{ stats?: Record<string, number> }>("dashboard/stats/get", { type, utc: true });
    return r.stats ?? {};
  }
}

function tokenVarHint(name: string): string {
  return `TECHNITIUM_TOKEN_${name.toUpperCase().replace(/-/g, "_")}`;
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (err instanceof Error ? err.message : "network error");
}

/** All configured instances, the primary first. */
export function technitiumClients(): TechnitiumClient[] {
  const e = env();
  return e.TECHNITIUM_INSTANCES.map((i, idx) => new TechnitiumClient({ ...i, primary: idx === 0 }, e.technitiumTokens.get(i.name)!, e.TECHNITIUM_TIMEOUT_MS));
}

export function technitiumClient(name: string): TechnitiumClient {
  const c = technitiumClients().find((x) => x.name === name);
  if (!c) throw new AppError("not_found", `no Technitium instance named "${name}"`);
  return c;
}
