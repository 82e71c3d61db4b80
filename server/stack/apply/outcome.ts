import "server-only";
import type { StackConfig } from "@/k8s/config";
import { recordAudit } from "@/server/audit/record";
import { releaseLock } from "../lock";
import { lastGoodApply } from "./history";
import type { RunRecord } from "./record";
import { skipPending } from "./steps";
import type { ApplyOutcome, ApplyRequest } from "./types";

/** How a run ended, as the run itself saw it (`failure`: the run's error, null when it succeeded). */
export interface RunEnd {
  failure: string | null;
  /** It stopped because dnsdeck was shutting down (the next process reads it back). */
  handedOver: boolean;
  /** Some object was not in sync before it was applied. */
  changedSomething: boolean;
  startedAt: number;
}

/**
 * The end of every run, however it ended: the outcome (ok / partial / failed / interrupted) and the rollback offer
 * recorded, the outcome reported (the verb's audit row, or an audit row of its own), the lock released.
 */
export async function finishRun(record: RunRecord, req: ApplyRequest, config: StackConfig, holder: string, end: RunEnd): Promise<void> {
  const { id, steps, applied } = record;
  const { failure, handedOver } = end;
  if (failure) skipPending(steps, handedOver);
  const status: ApplyOutcome = handedOver ? "interrupted" : !failure ? "ok" : applied.length > 0 && applied.length < steps.length ? "partial" : "failed";
  // offered on a failure, and after any change (a Corefile reloads everywhere at once: undo must be one click)
  if (end.changedSomething) record.rollout.rollbackTo = await lastGoodApply(id, config).catch(() => null);
  await record.save({ status, finishedAt: new Date(), error: failure }).catch((e) => console.error(`[stack.apply #${id}] could not record the outcome`, e));
  if (req.onDone) await req.onDone({ status, applied: applied.length, steps: steps.length, error: failure }).catch(() => {});
  else
    await recordAudit({
      user: req.user,
      action: `stack.${req.kind ?? "apply"}.outcome`,
      target: `apply run #${id}: ${status}, applied ${applied.length}/${steps.length}`,
      result: status === "interrupted" ? "failed" : status,
      durationMs: Date.now() - end.startedAt,
      error: failure,
      via: "route",
    });
  await releaseLock(holder).catch(() => {});
}
