import "server-only";
import type { StackConfig } from "@/k8s/config";
import { renderStack } from "@/k8s/index";
import type { RenderedObject } from "@/k8s/types";
import { AppError } from "@/server/errors";
import { objectKey, type Obj, withoutPaths } from "./fields";
import { tuning } from "@/server/env";

/**
 * The rendered stack as dnsdeck applies it: k8s/ renders, this adds the rollout gate's one change — a DaemonSet is
 * rolled one node at a time (`maxUnavailable: 1`, `minReadySeconds`) so the health gate can stop it with the
 * remaining nodes untouched.
 * `keys` picks a subset (same keys as the plan); an unknown key is a 400.
 */
export function renderForApply(config: StackConfig, keys?: string[]): Planned[] {
  const all = [...renderStack(config)].sort((a, b) => a.order - b.order).map(gate).map((r) => ignoring(r, config.ignoreDifferences ?? []));
  if (keys === undefined) return all;
  if (keys.length === 0) throw new AppError("bad_request", "no object selected; leave the selection out to apply the whole stack");
  const known = new Set(all.map((r) => objectKey(r.object)));
  const unknown = keys.filter((k) => !known.has(k));
  if (unknown.length) throw new AppError("bad_request", `unknown object(s) ${unknown.join(", ")}; the plan lists the valid keys`);
  return all.filter((r) => keys.includes(objectKey(r.object)));
}

/** A rendered object with the field paths the stack config says to leave alone (ignoreDifferences). */
export type Planned = RenderedObject & { ignore?: string[] };

function ignoring(r: RenderedObject, rules: StackConfig["ignoreDifferences"]): Planned {
  const key = objectKey(r.object);
  const paths = rules.filter((x) => x.object === key).flatMap((x) => x.paths);
  return paths.length ? { ...r, object: withoutPaths(r.object, paths), ignore: paths } : r;
}

function gate(r: RenderedObject): RenderedObject {
  if (r.object.kind !== "DaemonSet") return r;
  const o = structuredClone(r.object) as Obj & typeof r.object;
  const spec = (o.spec ?? {}) as Obj;
  const us = (spec.updateStrategy ?? { type: "RollingUpdate" }) as Obj;
  if ((us.type ?? "RollingUpdate") === "RollingUpdate") {
    spec.updateStrategy = { type: "RollingUpdate", rollingUpdate: { ...((us.rollingUpdate as Obj) ?? {}), maxUnavailable: 1 } };
    // node-cache has no readiness probe: hold each node "not yet available" for a while so the controller does not
    // move on before dnsdeck's DNS check of that node has had its chance to stop the rollout
    const minReady = tuning().DNSDECK_DS_MIN_READY_SECONDS;
    if (spec.minReadySeconds === undefined && minReady > 0) spec.minReadySeconds = minReady;
    o.spec = spec;
  }
  return { ...r, object: o };
}
