import "server-only";
import type { RenderedObject } from "@/k8s/types";
import { db } from "@/server/db/client";
import { objectKey } from "../fields";
import { refreshLock } from "../lock";
import type { ObjectPlan } from "../plan";
import type { ApplyStep, RolloutRecord } from "./types";

/**
 * The record of one run as it happens: its steps (one per rendered object, built once), the objects applied so far and
 * the rollout; `save` persists them after every change (the page polls the row).
 */

/** One pending step per object, in apply order: the run row starts with these and the run updates them in place. */
export function stepsFor(rendered: RenderedObject[]): ApplyStep[] {
  return rendered.map((r) => ({
    key: objectKey(r.object),
    component: r.component,
    kind: r.object.kind,
    namespace: r.object.metadata.namespace,
    name: r.object.metadata.name,
    status: "pending",
  }));
}

export class RunRecord {
  readonly applied: string[] = [];
  readonly rollout: RolloutRecord = { workloads: [] };
  private lastLockRefresh = Date.now();

  /** `lock`: the run's lock holder and what the lock says it is doing (refreshed at most every 30 s on a save). */
  constructor(
    readonly id: number,
    readonly steps: ApplyStep[],
    private readonly lock: { holder: string; operation: string },
  ) {}

  async save(extra: Record<string, unknown> = {}): Promise<void> {
    await db().stackApply.update({
      where: { id: this.id },
      data: { steps: this.steps as unknown as object, applied: this.applied, rollout: this.rollout as unknown as object, ...extra },
    });
    if (Date.now() - this.lastLockRefresh > 30_000) {
      this.lastLockRefresh = Date.now();
      await refreshLock(this.lock.holder, this.lock.operation).catch(() => {});
    }
  }

  /** The diff, for the record: what this run is about to change. */
  async saveDiff(diff: ObjectPlan[]): Promise<void> {
    await db().stackApply.update({ where: { id: this.id }, data: { diff: diff as unknown as object } });
  }
}
