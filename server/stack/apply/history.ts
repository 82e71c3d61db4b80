import "server-only";
import type { StackConfig } from "@/k8s/config";
import { db } from "@/server/db/client";
import type { ObjectPlan } from "../plan";
import type { ApplyOutcome, ApplyStep, ApplyView, RolloutRecord } from "./types";

/** Rows of `stack_applies` as views, and the run a rollback goes back to. Reads only. */

export type ApplyRow = Awaited<ReturnType<ReturnType<typeof db>["stackApply"]["findUniqueOrThrow"]>>;

export function view(r: ApplyRow, withDiff = true): ApplyView {
  return {
    id: r.id,
    kind: r.kind,
    configRevisionId: r.configRevisionId,
    rollbackOf: r.rollbackOf,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    status: r.status as ApplyOutcome,
    takeOwnership: r.takeOwnership,
    applied: r.applied,
    steps: r.steps as unknown as ApplyStep[],
    rollout: (r.rollout as unknown as RolloutRecord) ?? null,
    diff: withDiff ? ((r.diff as unknown as ObjectPlan[]) ?? null) : null,
    error: r.error,
  };
}

/** The latest earlier successful run whose config differs from `config` (rolling back to an equal config undoes nothing). */
export async function lastGoodApply(before: number, config: StackConfig): Promise<number | null> {
  const rows = await db().stackApply.findMany({ where: { id: { lt: before }, status: "ok" }, orderBy: { id: "desc" }, take: 50, select: { id: true, config: true } });
  const mine = JSON.stringify(config);
  return rows.find((r) => JSON.stringify(r.config) !== mine)?.id ?? null;
}
