import type { z } from "zod";
import type { RecordData } from "@/k8s/records";
import { TechnitiumError } from "./errors";
import {
  appConfigSchema,
  appsListSchema,
  dashboardSchema,
  recordAddedSchema,
  recordUpdatedSchema,
  recordsGetSchema,
  type SafeSettings,
  sessionSchema,
  settingsSchema,
  type TechnitiumApp,
  type TechnitiumRecords,
  type TechnitiumSessionInfo,
  type TechnitiumZone,
  type TechnitiumZoneOptions,
  zoneOptionsSchema,
  zonesListSchema,
} from "./models";
import type { CallOptions, Params, TechnitiumClient } from "./transport";
import { features, parseVersion } from "./versions";

/**
 * The typed calls dnsdeck makes to one instance — every Technitium call in dnsdeck goes through one of these. Each
 * answer is checked against its model (./models.ts); each failure is a TechnitiumError naming the instance.
 */

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

/** The value parameters of a record for add/delete (reference §6.3/§6.5); `prefix` "new" gives update's new ones. */
export function recordParams(d: RecordData, prefix: "" | "new" = ""): Params {
  const k = (name: string) => (prefix ? `${prefix}${name[0].toUpperCase()}${name.slice(1)}` : name);
  switch (d.type) {
    case "A":
    case "AAAA":
      return { [k("ipAddress")]: d.ipAddress };
    case "CNAME":
      return { cname: d.cname.replace(/\.$/, "") };
    case "PTR":
      return { [k("ptrName")]: d.ptrName.replace(/\.$/, "") };
    case "NS":
      return { [k("nameServer")]: d.nameServer.replace(/\.$/, "") };
    case "MX":
      return { [k("preference")]: d.preference, [k("exchange")]: d.exchange.replace(/\.$/, "") };
    case "SRV":
      return { [k("priority")]: d.priority, [k("weight")]: d.weight, [k("port")]: d.port, [k("target")]: d.target.replace(/\.$/, "") };
    case "TXT":
      // several character-strings travel as lines with splitText=true (§6.3)
      return { [k("text")]: d.strings.join("\n"), [k("splitText")]: d.strings.length > 1 };
  }
}

export interface RecordMeta {
  ttl: number;
  comments?: string;
  /** update only: Technitium resets what is omitted (§6.4), so the caller resends the record's current values. */
  disable?: boolean;
  expiryTtl?: number;
  /** A/AAAA: also set the PTR in the closest reverse zone (add), or move it (update). */
  ptr?: boolean;
}

export class TechnitiumApi {
  private info?: TechnitiumSessionInfo;
  private apps?: { at: number; list: TechnitiumApp[] };
  constructor(readonly client: TechnitiumClient) {}

  get name(): string {
    return this.client.name;
  }

  get primary(): boolean {
    return this.client.instance.primary;
  }

  private async read<S extends z.ZodType>(schema: S, path: string, params: Params = {}, opts: CallOptions = {}): Promise<z.output<S>> {
    const raw = await this.client.call(path, params, opts);
    const r = schema.safeParse(raw);
    if (!r.success) throw new TechnitiumError(this.name, "bad-response", `${path} answered an unexpected shape (${r.error.issues[0]?.path.join(".") || "body"}: ${r.error.issues[0]?.message})`);
    return r.data;
  }

  /** `user/session/get` → `info.version` ("14.3", "15.2"); the cheap "up, and is my token valid" probe. Cached per object. */
  async version(opts: { refresh?: boolean; timeoutMs?: number } = {}): Promise<TechnitiumSessionInfo> {
    if (this.info && !opts.refresh) return this.info;
    const s = await this.read(sessionSchema, "user/session/get", {}, { timeoutMs: opts.timeoutMs, retries: opts.timeoutMs ? 0 : undefined });
    const v = parseVersion(s.info?.version);
    this.info = { ...v, features: features(v), dnsServerDomain: s.info?.dnsServerDomain, uptimestamp: s.info?.uptimestamp };
    return this.info;
  }

  async listZones(opts: { timeoutMs?: number } = {}): Promise<TechnitiumZone[]> {
    return (await this.read(zonesListSchema, "zones/list", {}, { timeoutMs: opts.timeoutMs, retries: opts.timeoutMs ? 0 : undefined })).zones;
  }

  /** Create a Secondary zone transferring from `primaryAddresses` (TCP). Never retried: a create is not idempotent. */
  async createSecondaryZone(zone: string, primaryAddresses: string[]): Promise<void> {
    await this.client.call("zones/create", { zone, type: "Secondary", primaryNameServerAddresses: primaryAddresses.join(","), zoneTransferProtocol: "Tcp" }, { method: "POST" });
  }

  async createPrimaryZone(zone: string): Promise<void> {
    await this.client.call("zones/create", { zone, type: "Primary" }, { method: "POST" });
  }

  /** A forced full AXFR on a Secondary (§2.6); returns at once, the transfer runs in the background. */
  async resyncZone(zone: string): Promise<void> {
    await this.client.call("zones/resync", { zone }, { method: "POST" });
  }

  async deleteZone(zone: string): Promise<void> {
    await this.client.call("zones/delete", { zone }, { method: "POST" });
  }

  /** Transfer, notify and dynamic-update settings of a zone (§2.7; needs Zones: Modify). */
  async zoneOptions(zone: string, opts: { timeoutMs?: number } = {}): Promise<TechnitiumZoneOptions> {
    return this.read(zoneOptionsSchema, "zones/options/get", { zone }, { timeoutMs: opts.timeoutMs, retries: opts.timeoutMs ? 0 : undefined });
  }

  /** Records at `domain` (or the whole zone with `listZone`), with the zone's current SOA serial (§6.2). A given timeout means one try. */
  async getRecords(zone: string, domain: string, opts: { listZone?: boolean; timeoutMs?: number } = {}): Promise<TechnitiumRecords> {
    return this.read(recordsGetSchema, "zones/records/get", { zone, domain, listZone: opts.listZone ? true : undefined }, { timeoutMs: opts.timeoutMs, retries: opts.timeoutMs ? 0 : undefined });
  }

  /** Add one record (joins its RRset; §6.3). Returns the zone's serial after the edit. Never retried. */
  async addRecord(zone: string, domain: string, data: RecordData, meta: RecordMeta): Promise<{ soaSerial?: number }> {
    const r = await this.write(recordAddedSchema, "zones/records/add", {
      zone,
      domain,
      type: data.type,
      ttl: meta.ttl,
      comments: meta.comments,
      expiryTtl: meta.expiryTtl,
      ptr: meta.ptr ? true : undefined,
      ...recordParams(data),
    });
    return { soaSerial: r.zone?.soaSerial };
  }

  /**
   * Change one record from `current` to `next` (§6.4). Technitium resets omitted metadata, so ttl, comments, disable
   * and expiryTtl are always sent. CNAME takes only the new target.
   */
  async updateRecord(zone: string, domain: string, current: RecordData, next: RecordData, meta: RecordMeta): Promise<{ soaSerial?: number }> {
    const values = current.type === "CNAME" ? recordParams(next) : { ...recordParams(current), ...recordParams(next, "new") };
    const r = await this.write(recordUpdatedSchema, "zones/records/update", {
      zone,
      domain,
      type: current.type,
      ttl: meta.ttl,
      comments: meta.comments ?? "",
      disable: meta.disable ?? false,
      expiryTtl: meta.expiryTtl ?? 0,
      ptr: meta.ptr ? true : undefined,
      ...values,
    });
    return { soaSerial: r.zone?.soaSerial };
  }

  /** Delete one record (§6.5). Technitium also deletes the A/AAAA's PTR when it names this domain. */
  async deleteRecord(zone: string, domain: string, data: RecordData): Promise<void> {
    await this.client.call("zones/records/delete", { zone, domain, type: data.type, ...recordParams(data) }, { method: "POST" });
  }

  private async write<S extends z.ZodType>(schema: S, path: string, params: Params): Promise<z.output<S>> {
    return this.read(schema, path, params, { method: "POST", retries: 0 });
  }

  /** apps/list can take ~5 s on pods without internet (it fetches the store catalogue); kept for a minute per object. */
  async listApps(opts: { refresh?: boolean } = {}): Promise<TechnitiumApp[]> {
    if (this.apps && !opts.refresh && Date.now() - this.apps.at < 60_000) return this.apps.list;
    const list = (await this.read(appsListSchema, "apps/list", {}, { timeoutMs: Math.max(this.client.defaultTimeoutMs, 15_000) })).apps;
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
    return (await this.read(appConfigSchema, "apps/config/get", { name })).config ?? null;
  }

  /** Always the whole document as strict JSON (never comments: 14.x cannot parse them). */
  async setAppConfig(name: string, config: unknown): Promise<void> {
    const text = JSON.stringify(config, null, 2);
    if (!text || text === "{}") throw new TechnitiumError(this.name, "error", "refusing to send an empty app config (it would delete dnsApp.config)", "invalid");
    await this.client.call("apps/config/set", { name, config: text }, { method: "POST" });
  }

  /** Settings with secrets stripped. */
  async getSettings(): Promise<SafeSettings> {
    return stripSecrets(await this.read(settingsSchema, "settings/get"));
  }

  /** Set only the given keys; returns the updated settings with secrets stripped. */
  async setSettings(values: Record<string, string | number | boolean>): Promise<SafeSettings> {
    return stripSecrets(await this.read(settingsSchema, "settings/set", values, { method: "POST" }));
  }

  /** Technitium's own dashboard counters for a period (numbers only). */
  async dashboardStats(type = "LastHour"): Promise<Record<string, number>> {
    const stats = (await this.read(dashboardSchema, "dashboard/stats/get", { type, utc: true })).stats ?? {};
    return Object.fromEntries(Object.entries(stats).filter((e): e is [string, number] => typeof e[1] === "number"));
  }
}
