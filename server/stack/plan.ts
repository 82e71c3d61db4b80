import "server-only";
import type { StackConfig } from "@/k8s/config";
import type { RenderedObject } from "@/k8s/types";
import { type ChangedField, alignAllocated, describeChanges, type Obj, objectKey, stripVolatile, yamlDiff } from "./fields";
import { KubeCallError, type KubeObj, conflictsOf, isDryRunUnsupported, readLive, serverSideApply } from "./kube";
import { renderForApply } from "./render";

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
  message?: string;
  /** Every manager of the live object, for the "who owns what" column. */
  managers: { manager: string; operation: string; time?: string }[];
}

export interface StackPlan {
  generatedAt: string;
  objects: ObjectPlan[];
  summary: Record<ObjectState, number>;
}

function managersOf(live: Obj | null): ObjectPlan["managers"] {
  const mf = (live?.metadata as Obj | undefined)?.managedFields;
  if (!Array.isArray(mf)) return [];
  return (mf as Obj[])
    .filter((e) => !e.subresource)
    .map((e) => ({ manager: String(e.manager ?? "(unnamed)"), operation: String(e.operation ?? "?"), time: e.time ? String(e.time) : undefined }));
}

export async function planObject(r: RenderedObject, opts: { force?: boolean } = {}): Promise<ObjectPlan> {
  const o = r.object as unknown as KubeObj;
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
    live = await readLive(o);
  } catch (err) {
    const s = (err as KubeCallError).status;
    return { ...base, state: "error", diff: "", changes: [], managers: [], message: `cannot read the live object: ${s?.message ?? String(err)}` };
  }
  const managers = managersOf(live);
  const liveS = alignAllocated(stripVolatile(live), o);
  const diffAgainst = (dry: Obj) => {
    const dryS = alignAllocated(stripVolatile(dry), o);
    return { diff: yamlDiff(base.key, liveS, dryS), changes: describeChanges(live, liveS, dryS) };
  };
  try {
    const dry = await serverSideApply(o, { dryRun: true, force: opts.force });
    const d = diffAgainst(dry);
    const state: ObjectState = !live ? "missing" : d.changes.length ? "drifted" : "in-sync";
    return { ...base, state, ...d, managers };
  } catch (err) {
    if (!(err instanceof KubeCallError)) throw err;
    const s = err.status;
    const conflicts = conflictsOf(s);
    if (conflicts.length) {
      // what taking ownership would change (a forced dry run persists nothing)
      let d = { diff: "", changes: [] as ChangedField[] };
      try {
        d = diffAgainst(await serverSideApply(o, { dryRun: true, force: true }));
      } catch {
        /* keep the conflict alone */
      }
      const owners = [...new Set(conflicts.map((c) => c.manager))].join(", ");
      return { ...base, state: "conflict", ...d, conflicts, managers, message: `owned by ${owners}: ${conflicts.map((c) => c.field).join(", ")}` };
    }
    if (isDryRunUnsupported(s)) {
      return { ...base, state: "preview-unavailable", diff: "", changes: [], managers, message: `preview unavailable: ${s.message}` };
    }
    return { ...base, state: "error", diff: "", changes: [], managers, message: `dry run failed (HTTP ${s.code}${s.reason ? " " + s.reason : ""}): ${s.message}` };
  }
}

export async function planStack(config: StackConfig, opts: { keys?: string[]; force?: boolean } = {}): Promise<StackPlan> {
  const rendered = renderForApply(config, opts.keys);
  const objects: ObjectPlan[] = [];
  for (const r of rendered) objects.push(await planObject(r, opts));
  const summary = { "in-sync": 0, drifted: 0, missing: 0, conflict: 0, "preview-unavailable": 0, error: 0 } as Record<ObjectState, number>;
  for (const p of objects) summary[p.state]++;
  return { generatedAt: new Date().toISOString(), objects, summary };
}
