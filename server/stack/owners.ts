import "server-only";
import type { StackConfig } from "@/k8s/config";
import type { Component } from "@/k8s/types";
import { requireKube } from "@/server/kube/config";
import { planObject } from "./plan";
import { renderForApply } from "./render";

/** An object an apply of this config would change whose changed fields another manager owns. */
export interface ForeignOwned {
  key: string;
  /** The other managers, e.g. ["Terraform"]. */
  owners: string[];
  /** Each conflicting field with its owner, e.g. `.data.Corefile` — Terraform. */
  fields: { field: string; manager: string }[];
  /** The plan's diff if dnsdeck took ownership (what would be overwritten). */
  diff: string;
}

/**
 * Foreign field owners before saving: the plan's server-side dry run (dnsdeck's field manager, no force) of the
 * draft config, for the given components, reduced to the objects that would conflict. Objects that do not exist yet,
 * or whose values dnsdeck would not change, never conflict. Throws the plan's errors (no Kubernetes → 503).
 */
export async function foreignOwners(config: StackConfig, components: Component[]): Promise<{ checked: number; conflicts: ForeignOwned[]; generatedAt: string }> {
  requireKube(); // 503 with what to set
  const rendered = renderForApply(config).filter((r) => components.includes(r.component));
  // one dry run per object, side by side: a person is waiting on the Save button
  const plans = await Promise.all(rendered.map((r) => planObject(r)));
  const conflicts = plans
    .filter((o) => o.state === "conflict" && o.conflicts?.length)
    .map((o) => ({ key: o.key, owners: [...new Set(o.conflicts!.map((c) => c.manager))], fields: o.conflicts!.map((c) => ({ field: c.field, manager: c.manager })), diff: o.diff }));
  return { checked: plans.length, conflicts, generatedAt: new Date().toISOString() };
}
