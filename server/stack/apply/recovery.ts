import "server-only";
import type { StackConfig } from "@/k8s/config";
import type { RenderedObject } from "@/k8s/types";
import { db } from "@/server/db/client";
import { sweepStackRuns } from "@/server/runs/lease";
import { planObject } from "../plan";
import { lastGoodApply } from "./history";
import type { ApplyView, ReadBack, RolloutRecord } from "./types";

/*
 * The two writes the reads of apply runs make, on purpose: lazy recovery of runs whose process is gone, done by the
 * first live process that looks (README "Reads that write"). Nothing else on the read path writes.
 */

/**
 * Before runs are read: a run whose process died (killed, crashed, node lost) stays "running" until its lease expires
 * (seconds); then it is marked interrupted, with the step that was in flight, so the UI stops polling and the history
 * says what happened. One conditional UPDATE (server/runs/lease.ts), idempotent from any number of processes. Done on
 * read because an idle process holds no lease and runs no heartbeat: without it, a page polling a dead process's run
 * would say "running" until the next apply or restart.
 */
export async function markDeadRunsInterrupted(): Promise<void> {
  await sweepStackRuns();
}

/**
 * An interrupted run (its process died mid-step) says what the cluster now holds: each object is read live and dry-run
 * against this run's intent (the same comparison as the plan), once, by the first live process that shows it; the
 * objects still differing are what Resume applies, and the last good run is offered for rollback. When the cluster
 * cannot be read the run is shown without it and the next view tries again; a slow cluster does not hold the page
 * longer than a few seconds (the read-back is stored when it completes and shown on the next poll).
 */
const readingBack = new Map<number, Promise<ApplyView>>();

export async function readBackInterrupted(v: ApplyView, rendered: RenderedObject[], config: StackConfig): Promise<ApplyView> {
  let work = readingBack.get(v.id);
  if (!work) {
    work = computeReadBack(v, rendered, config).finally(() => readingBack.delete(v.id));
    readingBack.set(v.id, work);
  }
  return Promise.race([work, new Promise<ApplyView>((r) => setTimeout(() => r(v), 8000).unref())]);
}

async function computeReadBack(v: ApplyView, rendered: RenderedObject[], config: StackConfig): Promise<ApplyView> {
  let objects: ReadBack["objects"];
  try {
    objects = await Promise.all(
      rendered.map(async (r) => {
        const p = await planObject(r);
        return { key: p.key, state: p.state, ...(p.message ? { message: p.message } : {}) };
      }),
    );
  } catch {
    return v;
  }
  if (objects.every((o) => o.state === "error")) return v; // the cluster did not answer: nothing learned
  const readBack: ReadBack = { at: new Date().toISOString(), objects, remaining: objects.filter((o) => o.state !== "in-sync").map((o) => o.key) };
  const rollout: RolloutRecord = { workloads: [], ...v.rollout, readBack, rollbackTo: v.rollout?.rollbackTo ?? (await lastGoodApply(v.id, config).catch(() => null)) };
  // only while still without a read-back: two processes looking at once store one
  await db()
    .$executeRaw`UPDATE "stack_applies" SET "rollout" = ${JSON.stringify(rollout)}::jsonb WHERE "id" = ${v.id} AND "rollout"->'readBack' IS NULL`
    .catch((e) => console.warn(`[stack.apply #${v.id}] could not store the read-back: ${e instanceof Error ? e.message : e}`));
  return { ...v, rollout };
}
