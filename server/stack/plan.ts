import "server-only";
import { createHash } from "node:crypto";
import type { StackConfig } from "@/k8s/config";
import type { RenderedObject } from "@/k8s/types";
import { type ChangedField, alignAllocated, describeChanges, externalFields, isIgnoredPath, type Obj, objectKey, stripVolatile, yamlDiff } from "./fields";
import { type Planned, renderForApply } from "./render";
import { FIELD_MANAGER, RESTART_MANAGER, requireKube } from "@/server/kube/config";
import { conflictsOf, isDryRunUnsupported, KubeError } from "@/server/kube/error";
import { applyObject, readObject } from "@/server/kube/objects";
import { mapLimit } from "@/server/map-limit";

/**
 * Plan = for each rendered object: read live, server-side apply with dryRun=All (dnsdeck's field manager, no force),
 * strip server-filled fields from both, diff. The same function is the drift check: run it at any time.
 */

export type ObjectState = "in-sync" | "drifted" | "missing" | "conflict" | "preview-unavailable" | "error";

export interface ObjectPlan {
  key: string;
  component: RenderedObject["component"];
  order: number;
  kind: string;
  namespace: string;
  name: string;
  state: ObjectState;
  /** Unified YAML diff live → planned ("" when in sync). For a conflict: the diff if ownership were taken. */
  diff: string;
  changes: ChangedField[];
  conflicts?: { field: string; manager: string; message: string }[];
  /** Drift an apply would keep: fields set outside dnsdeck's intent (hand edits, kubeadm, admission such as Kyverno). */
  external: ChangedField[];
  /** Differences the stack config's ignoreDifferences covers: shown as ignored, never as drift; an apply leaves them. */
  ignored?: ChangedField[];
  message?: string;
  /** `Warning` headers of the (fieldValidation=Strict) dry run, e.g. deprecations — shown beside the object. */
  warnings?: string[];
  /** Every manager of the live object, for the "who owns what" column. */
  managers: { manager: string; operation: string; time?: string }[];
}

export interface StackPlan {
  generatedAt: string;
  objects: ObjectPlan[];
  summary: Record<ObjectState, number> & { external: number };
}

function managersOf(live: Obj | null): ObjectPlan["managers"] {
  const mf = (live?.metadata as Obj | undefined)?.managedFields;
  if (!Array.isArray(mf)) return [];
  return (mf as Obj[])
    .filter((e) => !e.subresource)
    .map((e) => ({ manager: String(e.manager ?? "(unnamed)"), operation: String(e.operation ?? "?"), time: e.time ? String(e.time) : undefined }));
}

/**
 * A dry run's answer is reused while neither side has changed: the same desired object (its hash), the same live object
 * (its resourceVersion, or still absent) and the same force, for at most DRY_TTL (a webhook's policy could change
 * without the object changing). The live object is still read every time, so any change made to it — an apply, a hand
 * edit, a restart — asks the API server again. A Stack page revisited, or planned again after a look at the diff,
 * costs one read per object instead of a read and a dry run.
 */
const DRY_TTL = 60_000;
const DRY_MAX = 500;
const dryRuns = new Map<string, { at: number; out: Obj; warnings: string[] }>();

async function dryRun(o: Planned["object"], live: Obj | null, force: boolean, warnings: string[]): Promise<Obj> {
  const rv = (live?.metadata as Obj | undefined)?.resourceVersion;
  const key = `${createHash("sha256").update(JSON.stringify(o)).digest("base64")}|${rv === undefined ? "absent" : String(rv)}|${force ? 1 : 0}`;
  const hit = dryRuns.get(key);
  if (hit && Date.now() - hit.at < DRY_TTL) {
    warnings.push(...hit.warnings);
    return structuredClone(hit.out);
  }
  const w: string[] = [];
  const out = (await applyObject(o, { dryRun: true, force, warnings: w })) as Obj;
  warnings.push(...w);
  dryRuns.delete(key);
  dryRuns.set(key, { at: Date.now(), out: structuredClone(out), warnings: w });
  for (const k of dryRuns.keys()) {
    if (dryRuns.size <= DRY_MAX) break;
    dryRuns.delete(k); // the oldest first (a Map keeps insertion order)
  }
  return out;
}

export async function planObject(r: Planned, opts: { force?: boolean } = {}): Promise<ObjectPlan> {
  const ign = r.ignore ?? [];
  const ignoredOf = (fs: ChangedField[]) => fs.filter((f) => isIgnoredPath(f.path, ign));
  const kept = (fs: ChangedField[]) => fs.filter((f) => !isIgnoredPath(f.path, ign));
  const o = r.object;
  const base = {
    key: objectKey(o),
    component: r.component,
    order: r.order,
    kind: o.kind,
    namespace: o.metadata.namespace ?? "",
    name: o.metadata.name,
  };
  let live: Obj | null;
  try {
    live = await readObject(o);
  } catch (err) {
    if (!(err instanceof KubeError)) throw err;
    return { ...base, state: "error", diff: "", changes: [], external: [], managers: [], message: `cannot read the live object: ${err.message}` };
  }
  const managers = managersOf(live);
  const allExternal = externalFields(live, o, [FIELD_MANAGER, RESTART_MANAGER]);
  const external = kept(allExternal);
  const ignoredExternal = ignoredOf(allExternal);
  const liveS = alignAllocated(stripVolatile(live), o);
  const diffAgainst = (dry: Obj) => {
    const dryS = alignAllocated(stripVolatile(dry), o);
    const all = describeChanges(live, liveS, dryS);
    return { diff: yamlDiff(base.key, liveS, dryS), changes: kept(all), ignored: [...ignoredOf(all), ...ignoredExternal] };
  };
  const warnings: string[] = [];
  try {
    const dry = await dryRun(o, live, !!opts.force, warnings);
    const d = diffAgainst(dry);
    const state: ObjectState = !live ? "missing" : d.changes.length ? "drifted" : "in-sync";
    return { ...base, state, ...d, external, managers, message: external.length ? externalMessage(external) : undefined, ...(warnings.length ? { warnings: [...new Set(warnings)] } : {}) };
  } catch (err) {
    if (!(err instanceof KubeError)) throw err;
    const s = err.status;
    const conflicts = conflictsOf(s);
    if (conflicts.length) {
      // what taking ownership would change (a forced dry run persists nothing)
      let d = { diff: "", changes: [] as ChangedField[], ignored: ignoredExternal };
      try {
        d = diffAgainst(await dryRun(o, live, true, []));
      } catch {
        /* keep the conflict alone */
      }
      const owners = [...new Set(conflicts.map((c) => c.manager))].join(", ");
      return { ...base, state: "conflict", ...d, conflicts, external, managers, message: `owned by ${owners}: ${conflicts.map((c) => c.field).join(", ")}` };
    }
    if (isDryRunUnsupported(s)) {
      return { ...base, state: "preview-unavailable", diff: "", changes: [], external, managers, message: `preview unavailable: ${s.message}` };
    }
    return { ...base, state: "error", diff: "", changes: [], external, managers, message: `dry run failed (HTTP ${s.code}${s.reason ? " " + s.reason : ""}): ${s.message}` };
  }
}

function externalMessage(ext: ChangedField[]): string {
  const by = new Map<string, string[]>();
  for (const f of ext) {
    const who = f.owners.length ? f.owners.map((o) => `${o.manager} (${o.operation})`).join(", ") : "nobody (set by an admission webhook, e.g. Kyverno)";
    by.set(who, [...(by.get(who) ?? []), f.path]);
  }
  return `changed outside dnsdeck: ${[...by].map(([who, paths]) => `${paths.join(", ")} by ${who}`).join("; ")}`;
}

/** Dry runs in flight at once: enough to hide the API server's latency, few enough not to crowd it. */
const PLAN_CONCURRENCY = 4;

export async function planStack(config: StackConfig, opts: { keys?: string[]; force?: boolean } = {}): Promise<StackPlan> {
  requireKube(); // 503 with what to set, instead of one error per object
  const rendered = renderForApply(config, opts.keys);
  // read-only (reads and dry runs), so the objects are planned side by side: a plan costs about one object's round
  // trips instead of all of them in a row (the Stack page waits for it)
  const objects = await mapLimit(rendered, PLAN_CONCURRENCY, (r) => planObject(r, opts));
  const summary = { "in-sync": 0, drifted: 0, missing: 0, conflict: 0, "preview-unavailable": 0, error: 0, external: 0 } as StackPlan["summary"];
  for (const p of objects) {
    summary[p.state]++;
    if (p.external.length) summary.external++;
  }
  return { generatedAt: new Date().toISOString(), objects, summary };
}
