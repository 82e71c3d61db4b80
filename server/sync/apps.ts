import { type TechnitiumApi, TechnitiumError, type TechnitiumZone } from "@/server/technitium/client";
import { type RebindingConfig, RESOLVER_SETTING_KEYS, type ResolverConfig, type SplitHorizonConfig } from "./desired";
import { type JsonDifference, diffJson, parseJsonc } from "./jsonc";
import type { Progress } from "./progress";
import type { RunStatus } from "./runs";

/**
 * Split Horizon + DNS Rebinding Protection sync and resolver-settings sync. Per instance: read the current value,
 * diff it against the desired one (parsed JSON), set it with every key, read it back and verify. One instance failing
 * never stops the others.
 */

export const SPLIT_HORIZON_CLASS = "SplitHorizon.AddressTranslation";
export const REBINDING_CLASS = "DnsRebindingProtection.App";

export type ItemOutcome = "in-step" | "applied" | "failed";

export interface ItemResult {
  instance: string;
  item: string;
  outcome: ItemOutcome;
  before: JsonDifference[];
  message?: string;
}

export interface ApplyOutcome {
  status: Exclude<RunStatus, "running">;
  summary: string;
  error?: string;
  results: { items: ItemResult[] };
}

const errMsg = (err: unknown) => (err instanceof Error ? err.message : String(err));
const fmtDiff = (d: JsonDifference[]) =>
  d
    .slice(0, 6)
    .map((x) => `${x.path}: ${JSON.stringify(x.actual) ?? "missing"} → ${JSON.stringify(x.desired)}`)
    .join(", ") + (d.length > 6 ? ` (+${d.length - 6} more)` : "");

/** Current app config as parsed JSON (comment tolerant), or null when the app has no config file. */
export async function readAppConfig(api: TechnitiumApi, classPath: string): Promise<{ appName: string; config: unknown; parseError?: string } | { appName: null }> {
  const appName = await api.appNameFor(classPath);
  if (!appName) return { appName: null };
  const text = await api.getAppConfig(appName);
  if (text === null) return { appName, config: null };
  try {
    return { appName, config: parseJsonc(text) };
  } catch (err) {
    return { appName, config: null, parseError: `config is not valid JSON: ${errMsg(err)}` };
  }
}

/** `down`: the instance did not answer the first read, so nothing else is worth trying on it. */
async function syncOneApp(api: TechnitiumApi, label: string, classPath: string, desired: unknown): Promise<ItemResult & { down?: boolean }> {
  const base = { instance: api.name, item: label };
  let current;
  try {
    current = await readAppConfig(api, classPath);
  } catch (err) {
    return { ...base, outcome: "failed", before: [], message: `could not read: ${errMsg(err)}`, down: err instanceof TechnitiumError && err.down };
  }
  if (current.appName === null)
    return { ...base, outcome: "failed", before: [], message: `the ${label} app (${classPath}) is not installed on ${api.name}; install it from the app store, then sync again` };
  const before = diffJson(desired, current.config);
  if (before.length === 0) return { ...base, outcome: "in-step", before };
  try {
    await api.setAppConfig(current.appName, desired);
  } catch (err) {
    return { ...base, outcome: "failed", before, message: `config/set refused: ${errMsg(err)}` };
  }
  try {
    const back = await readAppConfig(api, classPath);
    const after = back.appName === null ? [{ path: ".", desired, actual: null }] : diffJson(desired, back.config);
    if (after.length) return { ...base, outcome: "failed", before, message: `read-back differs after set: ${fmtDiff(after)}` };
  } catch (err) {
    return { ...base, outcome: "failed", before, message: `set, but read-back failed: ${errMsg(err)}` };
  }
  return { ...base, outcome: "applied", before, message: `changed ${fmtDiff(before)}` };
}

function finish(items: ItemResult[], what: string): ApplyOutcome {
  const failed = items.filter((i) => i.outcome === "failed");
  const applied = items.filter((i) => i.outcome === "applied");
  const status: ApplyOutcome["status"] = failed.length === 0 ? "ok" : failed.length === items.length ? "failed" : "partial";
  const summary =
    `${what}: ${applied.length} applied, ${items.filter((i) => i.outcome === "in-step").length} already in step, ${failed.length} failed` +
    (failed.length ? ` (${failed.map((f) => `${f.item} on ${f.instance}`).join(", ")})` : "");
  return { status, summary, error: failed.length ? failed.map((f) => `${f.item} on ${f.instance}: ${f.message}`).join("; ") : undefined, results: { items } };
}

export async function syncSplitHorizon(apis: TechnitiumApi[], desired: { splitHorizon: SplitHorizonConfig; rebinding: RebindingConfig }, progress: Progress): Promise<ApplyOutcome> {
  const items: ItemResult[] = [];
  await Promise.all(
    apis.map(async (api) => {
      const s = progress.begin(`${api.name}: Split Horizon + DNS Rebinding Protection`);
      const { down, ...sh } = await syncOneApp(api, "Split Horizon", SPLIT_HORIZON_CLASS, desired.splitHorizon);
      const rb = down
        ? { instance: api.name, item: "DNS Rebinding Protection", outcome: "failed" as const, before: [], message: `not attempted: ${sh.message}` }
        : withoutDown(await syncOneApp(api, "DNS Rebinding Protection", REBINDING_CLASS, desired.rebinding));
      items.push(sh, rb);
      const bad = [sh, rb].filter((r) => r.outcome === "failed");
      s.done(bad.length ? "failed" : "ok", [sh, rb].map((r) => `${r.item}: ${r.outcome}${r.message ? ` (${r.message})` : ""}`).join("; "));
    }),
  );
  return finish(sortItems(items, apis), "Split Horizon sync");
}

function withoutDown({ down: _down, ...item }: ItemResult & { down?: boolean }): ItemResult {
  return item;
}

function sortItems(items: ItemResult[], apis: TechnitiumApi[]): ItemResult[] {
  const order = apis.map((a) => a.name);
  return items.sort((a, b) => order.indexOf(a.instance) - order.indexOf(b.instance) || a.item.localeCompare(b.item));
}

export function resolverSubset(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(RESOLVER_SETTING_KEYS.map((k) => [k, settings[k]]));
}

/** Cache/serve-stale settings on every instance, plus the stub zones (Primary on the primary, Secondary of it elsewhere). */
export async function syncResolverSettings(apis: TechnitiumApi[], desired: ResolverConfig, primaryAddresses: string[], progress: Progress): Promise<ApplyOutcome> {
  const items: ItemResult[] = [];
  const want = resolverSubset(desired as unknown as Record<string, unknown>);
  const [primary] = apis;
  // Settings first, per instance in parallel.
  await Promise.all(
    apis.map(async (api) => {
      const s = progress.begin(`${api.name}: cache and serve-stale settings`);
      const base = { instance: api.name, item: "resolver settings" };
      let r: ItemResult;
      try {
        const before = diffJson(want, resolverSubset(await api.getSettings()));
        if (before.length === 0) r = { ...base, outcome: "in-step", before };
        else {
          const values = Object.fromEntries(Object.entries(want).map(([k, v]) => [k, v as string | number | boolean]));
          await api.setSettings(values);
          const after = diffJson(want, resolverSubset(await api.getSettings()));
          r = after.length
            ? { ...base, outcome: "failed", before, message: `read-back differs after set: ${fmtDiff(after)}` }
            : { ...base, outcome: "applied", before, message: `changed ${fmtDiff(before)}` };
        }
      } catch (err) {
        r = { ...base, outcome: "failed", before: [], message: errMsg(err) };
      }
      items.push(r);
      s.done(r.outcome === "failed" ? "failed" : "ok", `${r.outcome}${r.message ? `: ${r.message}` : ""}`);
    }),
  );
  // Stub zones: the primary first, then replicas as Secondary of it.
  if (desired.stubZones.length) {
    const s = progress.begin(`Stub zones (${desired.stubZones.join(", ")})`);
    let primaryOk = true;
    for (const api of apis) {
      const isPrimary = api === primary;
      for (const zone of desired.stubZones) {
        const base = { instance: api.name, item: `stub zone ${zone}` };
        try {
          const zones: TechnitiumZone[] = await api.listZones();
          const found = zones.find((z) => z.name.toLowerCase() === zone.toLowerCase());
          if (found) {
            items.push({ ...base, outcome: "in-step", before: [], message: `present (${found.type})` });
            continue;
          }
          if (isPrimary) await api.createPrimaryZone(zone);
          else if (!primaryOk) throw new Error(`not created: it could not be created on the primary ${primary.name} first`);
          else if (primaryAddresses.length === 0) throw new Error("not created: the primary's DNS address is unknown");
          else await api.createSecondaryZone(zone, primaryAddresses);
          const back = (await api.listZones()).find((z) => z.name.toLowerCase() === zone.toLowerCase());
          if (!back) throw new Error("created, but not in zones/list afterwards");
          items.push({ ...base, outcome: "applied", before: [{ path: zone, desired: "present", actual: "missing" }], message: `created as ${back.type}` });
        } catch (err) {
          if (isPrimary) primaryOk = false;
          items.push({ ...base, outcome: "failed", before: [], message: errMsg(err) });
        }
      }
    }
    const bad = items.filter((i) => i.item.startsWith("stub zone") && i.outcome === "failed");
    s.done(bad.length ? "failed" : "ok", bad.length ? bad.map((b) => `${b.item} on ${b.instance}: ${b.message}`).join("; ") : "present on every instance");
  }
  return finish(sortItems(items, apis), "Resolver settings");
}
