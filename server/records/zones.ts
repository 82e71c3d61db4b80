import "server-only";
import { query, soaSerial } from "@/server/dns";
import type { SyncContext } from "@/server/sync/context";
import type { TechnitiumZone, TechnitiumZoneOptions } from "@/server/technitium/client";

/**
 * The Zones view: every user zone on the primary with its type, record count, transfer / notify settings and
 * dynamic-update ACL (zones/options/get), and its SOA serial on each instance read two ways — the API (zones/list)
 * and over DNS (an SOA query to the instance's own address). An instance that does not answer is named, not hidden.
 */
export interface ZoneSerial {
  api?: number | null;
  dns?: number | null;
  type?: string;
  error?: string;
}

export interface ZoneRow {
  name: string;
  type: string;
  disabled?: boolean;
  recordCount?: number;
  serials: Record<string, ZoneSerial>;
  inStep: boolean;
  options?: Pick<TechnitiumZoneOptions, "zoneTransfer" | "zoneTransferNetworkACL" | "notify" | "notifyNameServers" | "notifyFailed" | "notifyFailedFor" | "update" | "updateNetworkACL">;
  optionsError?: string;
}

export interface ZonesView {
  checkedAt: string;
  instances: { name: string; primary: boolean; up: boolean; error?: string }[];
  zones: ZoneRow[];
}

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function dnsSerial(ctx: SyncContext, instance: string, zone: string, timeoutMs = 2000): Promise<number | null> {
  const addr = await ctx.dnsAddress(instance);
  if (!addr) throw new Error("its DNS address is unknown");
  const r = await query({ name: zone, type: "SOA", server: addr.server, port: addr.port, timeoutMs, recursionDesired: false });
  const soa = r.answers.find((a) => a.type === "SOA");
  return soa ? (soaSerial(soa.data) ?? null) : null;
}

/** The same context with each instance's DNS address looked up once (production asks the Kubernetes API for it). */
export function withCachedAddresses(ctx: SyncContext): SyncContext {
  const seen = new Map<string, ReturnType<SyncContext["dnsAddress"]>>();
  return {
    ...ctx,
    dnsAddress(instance) {
      let p = seen.get(instance);
      if (!p) {
        p = ctx.dnsAddress(instance);
        p.catch(() => seen.delete(instance));
        seen.set(instance, p);
      }
      return p;
    },
  };
}

export async function zonesView(base: SyncContext): Promise<ZonesView> {
  const ctx = withCachedAddresses(base);
  const lists = await Promise.all(
    ctx.apis.map(async (api) => {
      try {
        return { api, zones: (await api.listZones({ timeoutMs: 4000 })).filter((z) => z.internal !== true) };
      } catch (err) {
        return { api, zones: null as TechnitiumZone[] | null, error: errMsg(err) };
      }
    }),
  );
  const [primary] = lists;
  const instances = lists.map((l) => ({ name: l.api.name, primary: l.api.primary, up: l.zones !== null, error: l.error }));
  if (!primary || primary.zones === null) return { checkedAt: new Date().toISOString(), instances, zones: [] };
  const zones = await Promise.all(
    primary.zones.map(async (z): Promise<ZoneRow> => {
      const serials: Record<string, ZoneSerial> = {};
      await Promise.all(
        lists.map(async (l) => {
          if (l.zones === null) return void (serials[l.api.name] = { error: `down: ${l.error}` });
          const there = l.zones.find((x) => x.name.toLowerCase() === z.name.toLowerCase());
          const s: ZoneSerial = { api: there?.soaSerial ?? null, type: there?.type };
          try {
            s.dns = await dnsSerial(ctx, l.api.name, z.name);
          } catch (err) {
            s.dns = null;
            s.error = `SOA over DNS: ${errMsg(err)}`;
          }
          serials[l.api.name] = s;
        }),
      );
      const row: ZoneRow = { name: z.name, type: z.type, disabled: z.disabled, serials, inStep: false };
      const [count, options] = await Promise.allSettled([primary.api.getRecords(z.name, z.name, { listZone: true, timeoutMs: 4000 }), primary.api.zoneOptions(z.name, { timeoutMs: 4000 })]);
      if (count.status === "fulfilled") row.recordCount = count.value.records.length;
      if (options.status === "fulfilled") {
        const o = options.value;
        row.options = { zoneTransfer: o.zoneTransfer, zoneTransferNetworkACL: o.zoneTransferNetworkACL, notify: o.notify, notifyNameServers: o.notifyNameServers, notifyFailed: o.notifyFailed, notifyFailedFor: o.notifyFailedFor, update: o.update, updateNetworkACL: o.updateNetworkACL };
      } else row.optionsError = errMsg(options.reason);
      const want = z.soaSerial;
      row.inStep = Object.values(serials).every((s) => s.api === want && s.dns === want);
      return row;
    }),
  );
  return { checkedAt: new Date().toISOString(), instances, zones: zones.sort((a, b) => a.name.localeCompare(b.name)) };
}
