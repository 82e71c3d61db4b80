import "server-only";
import { bare, inZone } from "@/k8s/records";
import { currentArchConfig } from "@/server/architecture/config";
import { query } from "@/server/dns";
import { logStats } from "@/server/querylogs/service";
import { statsSchema } from "@/server/querylogs/schemas";
import { REBINDING_CLASS, readAppConfig, SPLIT_HORIZON_CLASS } from "@/server/sync/apps";
import type { SyncContext } from "@/server/sync/context";
import { currentConfig } from "@/server/stack/config-store";
import { desiredAppConfigs } from "@/server/sync/desired";
import type { TechnitiumApi, TechnitiumRecord } from "@/server/technitium/client";
import type { RebindingApp, SplitHorizonApp } from "@/server/technitium/client-view";
import { type CheckedRecord, checkConsistency, type ConsistencyReport, copyKey, type PrimaryZone, type ReplicaCopy } from "./consistency";
import { checkHorizon, type HorizonReport, type InstanceApps, type PublicAnswer } from "./horizon";
import { ownerOf, valueOf } from "./model";

/**
 * Gathers what ./consistency.ts and ./horizon.ts judge: every Primary zone of the primary with its records (API), each
 * replica's copy of them (API; records/get works on Secondary zones), each name's public answer (DNS, at the public
 * upstream the homelab uses), each instance's live Split Horizon / rebinding configs and the desired ones (stack config).
 * The names checked for Split Horizon are the ones clients really ask: the query log's top names under each public
 * domain of rebinding protection's privateDomains over the last 7 days, plus any the caller gives.
 */

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));
const CHECKED_TYPES = new Set(["Primary"]);

const checked = (r: TechnitiumRecord): CheckedRecord => ({ name: bare(r.name), type: r.type, value: valueOf(r), owner: ownerOf(r.comments), disabled: r.disabled || undefined });

async function primaryZones(api: TechnitiumApi): Promise<PrimaryZone[]> {
  const zones = (await api.listZones({ timeoutMs: 4000 })).filter((z) => z.internal !== true && CHECKED_TYPES.has(z.type) && !z.disabled);
  return Promise.all(
    zones.map(async (z) => {
      const r = await api.getRecords(z.name, z.name, { listZone: true, timeoutMs: 6000 });
      return { name: z.name, serial: z.soaSerial, records: r.records.map(checked) };
    }),
  );
}

async function replicaCopy(api: TechnitiumApi, primary: PrimaryZone[]): Promise<ReplicaCopy> {
  try {
    const list = (await api.listZones({ timeoutMs: 4000 })).filter((z) => z.internal !== true);
    const zones = await Promise.all(
      primary
        .map((p) => list.find((z) => bare(z.name) === bare(p.name)))
        .filter((z): z is NonNullable<typeof z> => !!z)
        .map(async (z) => {
          const r = await api.getRecords(z.name, z.name, { listZone: true, timeoutMs: 6000 });
          return { name: z.name, serial: z.soaSerial, type: z.type, keys: r.records.filter((x) => x.type !== "SOA" && !x.disabled).map((x) => copyKey(checked(x))) };
        }),
    );
    return { instance: api.name, zones };
  } catch (err) {
    return { instance: api.name, zones: null, error: errMsg(err) };
  }
}

export async function consistencyReport(ctx: SyncContext): Promise<ConsistencyReport> {
  const [primary, ...replicas] = ctx.apis;
  if (!primary) throw new Error("no Technitium instances are configured (TECHNITIUM_INSTANCES)");
  const zones = await primaryZones(primary);
  const copies = await Promise.all(replicas.map((api) => replicaCopy(api, zones)));
  return checkConsistency(zones, copies);
}

/** Public domains: rebinding protection's privateDomains that are not the homelab's own or special-use names. */
export function publicDomains(privateDomains: string[], internalZone: string): string[] {
  const special = /(^|\.)(arpa|lan|local|internal|localhost|test|invalid|home\.arpa)$/;
  return privateDomains.map(bare).filter((d) => d && !special.test(d) && !inZone(d, internalZone));
}

/** The names clients asked under `domains` in the last 7 days (top of the query-log rollups), or why not; kept 10 min. */
const ASKED_TTL_MS = 600_000;
const asked = globalThis as unknown as { __dnsdeckAskedNames?: { key: string; at: number; value: Promise<{ names: string[]; note?: string }> } };
function askedNames(domains: string[]): Promise<{ names: string[]; note?: string }> {
  const key = domains.join(",");
  const hit = asked.__dnsdeckAskedNames;
  if (hit && hit.key === key && Date.now() - hit.at < ASKED_TTL_MS) return hit.value;
  const value = readAskedNames(domains);
  // a failed read (the query log down) is not kept: the next report asks again
  value.then((v) => v.note && asked.__dnsdeckAskedNames?.value === value && (asked.__dnsdeckAskedNames = undefined));
  asked.__dnsdeckAskedNames = { key, at: Date.now(), value };
  return value;
}

async function readAskedNames(domains: string[]): Promise<{ names: string[]; note?: string }> {
  const names: string[] = [];
  const notes: string[] = [];
  for (const d of domains) {
    try {
      const input = statsSchema.parse({ qname: `*.${d}`, from: new Date(Date.now() - 7 * 86_400_000).toISOString(), parts: "top" });
      const stats = await logStats(input);
      names.push(...stats.top.names.map((e) => bare(String(e.key))).filter((n) => inZone(n, d)));
    } catch (err) {
      notes.push(`the query log could not list the names asked under ${d}: ${errMsg(err)}`);
    }
  }
  return { names, note: notes.join("; ") || undefined };
}

async function instanceApps(api: TechnitiumApi): Promise<InstanceApps> {
  try {
    const [sh, rb] = await Promise.all([readAppConfig(api, SPLIT_HORIZON_CLASS), readAppConfig(api, REBINDING_CLASS)]);
    const parseError = [sh, rb].map((r) => ("parseError" in r ? r.parseError : undefined)).find(Boolean);
    const cfg = <T>(r: typeof sh) => (r.appName === null ? null : ((r.config ?? null) as T | null));
    return { instance: api.name, splitHorizon: cfg<SplitHorizonApp>(sh), rebinding: cfg<RebindingApp>(rb), error: parseError };
  } catch (err) {
    return { instance: api.name, splitHorizon: null, rebinding: null, error: errMsg(err) };
  }
}

async function publicAnswer(name: string, server: string): Promise<PublicAnswer> {
  try {
    const r = await query({ name, type: "A", server, timeoutMs: 2500 });
    return { name, rcode: r.rcode, answers: r.answers.filter((a) => a.type === "A" || a.type === "CNAME").map((a) => ({ type: a.type, data: String(a.data) })) };
  } catch (err) {
    return { name, answers: [], error: errMsg(err) };
  }
}

export const MAX_HORIZON_NAMES = 40;

export async function horizonReport(ctx: SyncContext, given: string[] = []): Promise<HorizonReport> {
  const [arch, tech, revision] = await Promise.all([currentArchConfig().then((c) => c.config), ctx.desired(), currentConfig().then((c) => c.id, () => null)]);
  const desired = desiredAppConfigs(tech);
  const domains = publicDomains(desired.rebinding.privateDomains, arch.internalZone);
  const fromLog = await askedNames(domains);
  const names = [...new Set([...given.map(bare), ...fromLog.names])].slice(0, MAX_HORIZON_NAMES);
  const source = [
    given.length ? `${given.length} name${given.length === 1 ? "" : "s"} you gave` : "",
    fromLog.names.length ? `the ${fromLog.names.length} most asked names under ${domains.join(", ")} in the query log (7 days)` : "",
    fromLog.note ?? (!fromLog.names.length && domains.length ? `no names under ${domains.join(", ")} in the query log (7 days)` : ""),
    !domains.length ? "no public domain in rebinding protection's privateDomains" : "",
  ]
    .filter(Boolean)
    .join("; ");
  const [answers, instances] = await Promise.all([Promise.all(names.map((n) => publicAnswer(n, arch.publicUpstream))), Promise.all(ctx.apis.map(instanceApps))]);
  return checkHorizon({ names: answers, instances, desired, lanNetwork: arch.lanNetwork, source, configRevision: revision });
}
