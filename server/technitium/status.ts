import "server-only";
import { query, soaSerial } from "@/server/dns";
import { REBINDING_CLASS, readAppConfig, resolverSubset, SPLIT_HORIZON_CLASS } from "@/server/sync/apps";
import { productionContext, type SyncContext } from "@/server/sync/context";
import { DesiredConfigError, desiredAppConfigs, desiredResolver } from "@/server/sync/desired";
import { diffJson, type JsonDifference } from "@/server/sync/jsonc";
import { env } from "@/server/env";
import type { TechnitiumApi, TechnitiumZone } from "./client";
import { versionProblems } from "./versions";

/**
 * The convergence view: the instances side by side (version, up/down, zone count, zones with type and SOA serial,
 * Split Horizon + rebinding configs, cache settings) from the API and, independently, SOA serials asked over DNS from
 * each instance. A verdict per zone and every disagreement listed.
 */

export interface InstanceStatus {
  name: string;
  primary: boolean;
  up: boolean;
  error?: string;
  version?: string;
  dnsServerDomain?: string;
  dnsAddress?: string | null;
  zoneCount?: number;
  zones: { name: string; type: string; soaSerial?: number; syncFailed?: boolean; isExpired?: boolean; dnsSerial?: number | null; dnsError?: string }[];
  splitHorizon?: { config: unknown; diff: JsonDifference[]; error?: string };
  rebinding?: { config: unknown; diff: JsonDifference[]; error?: string };
  cache?: { settings: Record<string, unknown>; diff: JsonDifference[]; error?: string };
}

export interface ZoneVerdict {
  zone: string;
  converged: boolean;
  primarySerial?: number;
  reasons: string[];
  perInstance: Record<string, { type?: string; apiSerial?: number; dnsSerial?: number | null; note?: string }>;
}

export interface TechnitiumStatus {
  checkedAt: string;
  instances: InstanceStatus[];
  zones: ZoneVerdict[];
  disagreements: string[];
  converged: boolean;
  desiredError?: string;
}

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function dnsSoa(addr: { server: string; port: number } | null, zone: string, timeoutMs: number): Promise<{ serial: number | null; error?: string }> {
  if (!addr) return { serial: null, error: "DNS address unknown" };
  try {
    const r = await query({ name: zone, type: "SOA", server: addr.server, port: addr.port, timeoutMs });
    if (r.rcode !== "NOERROR") return { serial: null, error: `rcode ${r.rcode}` };
    const soa = r.answers.find((a) => a.type === "SOA");
    const serial = soa ? soaSerial(String(soa.data)) : undefined;
    return serial === undefined ? { serial: null, error: "no SOA in the answer" } : { serial };
  } catch (err) {
    return { serial: null, error: errMsg(err) };
  }
}

async function instanceStatus(api: TechnitiumApi, primary: boolean, ctx: SyncContext, desired: ReturnType<typeof loadDesired>, dnsTimeoutMs: number): Promise<InstanceStatus> {
  const st: InstanceStatus = { name: api.name, primary, up: false, zones: [] };
  let zones: TechnitiumZone[];
  try {
    const v = await api.version({ refresh: true, timeoutMs: 4000 });
    st.version = v.version;
    st.dnsServerDomain = v.dnsServerDomain;
    zones = (await api.listZones()).filter((z) => z.internal !== true);
    st.up = true;
  } catch (err) {
    st.error = errMsg(err);
    return st;
  }
  let addr: { server: string; port: number } | null = null;
  try {
    addr = await ctx.dnsAddress(api.name);
    st.dnsAddress = addr ? `${addr.server}:${addr.port}` : null;
  } catch (err) {
    st.dnsAddress = null;
    st.error = `DNS address unknown: ${errMsg(err)}`;
  }
  st.zoneCount = zones.length;
  st.zones = await Promise.all(
    zones.map(async (z) => {
      const d = await dnsSoa(addr, z.name, dnsTimeoutMs);
      return { name: z.name, type: z.type, soaSerial: z.soaSerial, syncFailed: z.syncFailed, isExpired: z.isExpired, dnsSerial: d.serial, dnsError: d.error };
    }),
  );
  const [sh, rb, settings] = await Promise.allSettled([readAppConfig(api, SPLIT_HORIZON_CLASS), readAppConfig(api, REBINDING_CLASS), api.getSettings()]);
  const appView = (r: PromiseSettledResult<Awaited<ReturnType<typeof readAppConfig>>>, want: unknown, label: string) => {
    if (r.status === "rejected") return { config: null, diff: [], error: errMsg(r.reason) };
    if (r.value.appName === null) return { config: null, diff: [], error: `${label} app not installed` };
    const v = r.value as { config: unknown; parseError?: string };
    return { config: v.config, diff: want === undefined ? [] : diffJson(want, v.config), error: v.parseError };
  };
  st.splitHorizon = appView(sh, desired.apps?.splitHorizon, "Split Horizon");
  st.rebinding = appView(rb, desired.apps?.rebinding, "DNS Rebinding Protection");
  if (settings.status === "fulfilled") {
    const cur = resolverSubset(settings.value);
    st.cache = { settings: cur, diff: desired.resolver ? diffJson(resolverSubset(desired.resolver as unknown as Record<string, unknown>), cur) : [] };
  } else st.cache = { settings: {}, diff: [], error: errMsg(settings.reason) };
  return st;
}

function loadDesired(tech: Awaited<ReturnType<SyncContext["desired"]>>) {
  const out: { apps?: ReturnType<typeof desiredAppConfigs>; resolver?: ReturnType<typeof desiredResolver>; error?: string } = {};
  try {
    out.apps = desiredAppConfigs(tech);
  } catch (e) {
    out.error = e instanceof DesiredConfigError ? e.message : errMsg(e);
  }
  try {
    out.resolver = desiredResolver(tech);
  } catch (e) {
    out.error = [out.error, e instanceof DesiredConfigError ? e.message : errMsg(e)].filter(Boolean).join("; ");
  }
  return out;
}

export async function technitiumStatus(opts: { context?: SyncContext; dnsTimeoutMs?: number } = {}): Promise<TechnitiumStatus> {
  const ctx = opts.context ?? productionContext();
  const desired = loadDesired(await ctx.desired());
  const instances = await Promise.all(ctx.apis.map((api, i) => instanceStatus(api, i === 0, ctx, desired, opts.dnsTimeoutMs ?? 1500)));
  const primary = instances[0];
  const disagreements: string[] = [];
  for (const i of instances) if (!i.up) disagreements.push(`${i.name} is down: ${i.error}`);

  // per zone verdicts: every zone seen anywhere
  const names = new Map<string, string>();
  for (const i of instances) for (const z of i.zones) if (!names.has(z.name.toLowerCase())) names.set(z.name.toLowerCase(), z.name);
  const zones: ZoneVerdict[] = [];
  for (const [k, name] of [...names].sort((a, b) => a[0].localeCompare(b[0]))) {
    const pz = primary?.zones.find((z) => z.name.toLowerCase() === k);
    const v: ZoneVerdict = { zone: name, converged: true, primarySerial: pz?.soaSerial, reasons: [], perInstance: {} };
    for (const i of instances) {
      const z = i.zones.find((x) => x.name.toLowerCase() === k);
      v.perInstance[i.name] = { type: z?.type, apiSerial: z?.soaSerial, dnsSerial: z?.dnsSerial };
      if (!i.up) {
        v.reasons.push(`${i.name} is down`);
        continue;
      }
      if (!pz && i.primary) {
        v.reasons.push(`not on the primary (orphan on ${instances.filter((x) => x.zones.some((y) => y.name.toLowerCase() === k)).map((x) => x.name).join(", ")})`);
        continue;
      }
      if (!z) {
        if (pz) v.reasons.push(`missing on ${i.name}`);
        continue;
      }
      if (!i.primary && z.type !== "Secondary") v.reasons.push(`${i.name} has it as ${z.type}, not Secondary (conflict)`);
      if (pz && z.soaSerial !== pz.soaSerial) v.reasons.push(`${i.name} API serial ${z.soaSerial} ≠ primary ${pz.soaSerial}`);
      if (z.syncFailed) v.reasons.push(`${i.name}: last transfer failed (syncFailed)`);
      if (z.isExpired) v.reasons.push(`${i.name}: zone expired (not served)`);
      if (z.dnsSerial === null || z.dnsSerial === undefined) {
        v.perInstance[i.name].note = z.dnsError;
        v.reasons.push(`${i.name}: no SOA over DNS (${z.dnsError ?? "no answer"})`);
      } else if (z.dnsSerial !== z.soaSerial) v.reasons.push(`${i.name}: DNS answers serial ${z.dnsSerial} but the API says ${z.soaSerial}`);
      else if (pz && z.dnsSerial !== pz.soaSerial) v.reasons.push(`${i.name}: DNS serial ${z.dnsSerial} ≠ primary ${pz.soaSerial}`);
    }
    v.reasons = [...new Set(v.reasons)];
    v.converged = v.reasons.length === 0;
    zones.push(v);
    if (!v.converged) disagreements.push(`${name}: ${v.reasons.join("; ")}`);
  }
  const counts = instances.filter((i) => i.up).map((i) => i.zoneCount);
  if (new Set(counts).size > 1) disagreements.push(`zone counts differ: ${instances.filter((i) => i.up).map((i) => `${i.name} ${i.zoneCount}`).join(", ")}`);
  for (const i of instances) {
    if (!i.up) continue;
    for (const [label, part] of [["Split Horizon", i.splitHorizon], ["DNS Rebinding Protection", i.rebinding], ["cache settings", i.cache]] as const) {
      if (!part) continue;
      if (part.error) disagreements.push(`${i.name} ${label}: ${part.error}`);
      else if (part.diff.length) disagreements.push(`${i.name} ${label} differs from the desired config at ${part.diff.map((d) => d.path).join(", ")}`);
    }
  }
  // releases: supported ones only, one release everywhere, and query logs only where the PostgreSQL app can run
  disagreements.push(...versionProblems(instances.filter((i) => i.up), { queryLogsConfigured: !!env().QUERYLOG_DATABASE_URL }));
  for (const stub of desired.resolver?.stubZones ?? []) {
    const lacking = instances.filter((i) => i.up && !i.zones.some((z) => z.name.toLowerCase() === stub.toLowerCase())).map((i) => i.name);
    if (lacking.length) disagreements.push(`stub zone ${stub} missing on ${lacking.join(", ")} (Apply resolver settings creates it)`);
  }
  return { checkedAt: new Date().toISOString(), instances, zones, disagreements: [...new Set(disagreements)], converged: disagreements.length === 0, desiredError: desired.error };
}
