import { conflictsOf, type KubeStatus } from "@/server/kube/error";
import type { ObjectPlan } from "../plan";
import type { ApplyStep } from "./types";

/** What happens to a step, and the words the step (and the run's error) then say. Pure: the caller saves. */

export function markApplying(step: ApplyStep): void {
  step.status = "applying";
  step.startedAt = new Date().toISOString();
}

/** The API refused the object: a field conflict (another manager owns it) or a failure. Returns the run's error. */
export function markRefused(step: ApplyStep, s: KubeStatus): string {
  step.httpStatus = s.code || undefined;
  step.finishedAt = new Date().toISOString();
  const conflicts = conflictsOf(s);
  if (conflicts.length) {
    step.status = "conflict";
    step.conflicts = conflicts;
    step.message = `owned by ${[...new Set(conflicts.map((c) => c.manager))].join(", ")}: ${conflicts.map((c) => c.field).join(", ")}. An admin can take ownership (apply again with "take ownership").`;
  } else {
    step.status = "failed";
    step.causes = s.causes;
    step.message = describeFailure(s);
  }
  return `${step.key}: ${step.message}`;
}

/** Applied; `p` is the object's plan from before the run (none: it could not be planned). */
export function markApplied(step: ApplyStep, p: ObjectPlan | undefined): void {
  step.status = "applied";
  step.message = p ? (p.state === "in-sync" ? "no change" : p.state === "missing" ? "created" : `${p.changes.length} field(s) changed`) : "applied";
}

/** The run stopped unexpectedly: the steps in flight failed. */
export function failInFlight(steps: ApplyStep[]): void {
  for (const s of steps) if (s.status === "applying" || s.status === "rolling-out") s.status = "failed";
}

/** The run ended with an error: the steps never started are skipped (saying so when the run was handed over). */
export function skipPending(steps: ApplyStep[], handedOver: boolean): void {
  for (const s of steps)
    if (s.status === "pending") {
      s.status = "skipped";
      if (handedOver) s.message = "not started: dnsdeck was shutting down";
    }
}

function describeFailure(s: KubeStatus): string {
  if (s.code === 422) {
    const fields = (s.causes ?? []).map((c) => `${c.field}: ${c.message}`).join("; ");
    return `the API rejected the object as invalid (422): ${fields || s.message}. Fix the config and apply again.`;
  }
  if (s.code === 504 || s.reason === "Timeout") return `the API did not answer in time (${s.message}). The object may or may not be applied; applying again is safe.`;
  if (s.code >= 500) return `the API failed (HTTP ${s.code}${s.reason ? " " + s.reason : ""}): ${s.message}. Applying again is safe.`;
  if (s.code === 0) return `${s.message}. Check that the Kubernetes API is reachable, then apply again.`;
  return `HTTP ${s.code}${s.reason ? " " + s.reason : ""}: ${s.message}`;
}
