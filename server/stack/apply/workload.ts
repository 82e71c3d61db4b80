import "server-only";
import type { StackConfig } from "@/k8s/config";
import { KubeError } from "@/server/kube/error";
import { type ApiObject, applyObject } from "@/server/kube/objects";
import { shuttingDown } from "@/server/lifecycle";
import { pausedIntent, watchDaemonSet } from "../rollout/daemonset";
import { watchDeployment } from "../rollout/deployment";
import type { RolloutOptions, WorkloadRollout } from "../rollout/types";
import type { RunRecord } from "./record";
import type { ApplyStep } from "./types";

/**
 * After a DaemonSet or Deployment is applied: follow its rollout (the per-node DNS health gate), recording every change
 * of progress. A failed rollout pauses a DaemonSet where it stands; a shutdown stops the watching only.
 */
export type RolloutEnd = { end: "healthy" } | { end: "failed"; failure: string } | { end: "handed-over" };

type Workload = ApiObject & { kind: WorkloadRollout["kind"] };

export function isWorkload(intent: ApiObject): intent is Workload {
  return intent.kind === "DaemonSet" || intent.kind === "Deployment";
}

export async function followRollout(step: ApplyStep, intent: Workload, config: StackConfig, record: RunRecord, opts: RolloutOptions, force: boolean): Promise<RolloutEnd> {
  step.status = "rolling-out";
  await record.save();
  const progress = async (w: WorkloadRollout) => {
    const idx = record.rollout.workloads.findIndex((x) => x.key === w.key);
    if (idx >= 0) record.rollout.workloads[idx] = { ...w };
    else record.rollout.workloads.push({ ...w });
    await record.save();
  };
  let w: WorkloadRollout;
  try {
    w =
      intent.kind === "DaemonSet"
        ? await watchDaemonSet(intent, config, { ...opts, onProgress: progress })
        : await watchDeployment(intent, { ...opts, onProgress: progress }, isCoreDns(intent, config));
  } catch (err) {
    const why = err instanceof KubeError ? `${err.what}: ${err.message}` : err instanceof Error ? err.message : String(err);
    w = {
      key: step.key,
      kind: intent.kind,
      status: "failed",
      message: `watching the rollout failed: ${why}`,
      desired: 0,
      updated: 0,
      ready: 0,
      healthy: 0,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
    };
  }
  await progress(w);
  step.finishedAt = new Date().toISOString();
  if (w.status !== "done" && shuttingDown()) {
    // not a failed rollout: the cluster goes on replacing pods; only the watching stopped (no pause)
    step.status = "interrupted";
    step.message = `applied; the rollout goes on in the cluster, but dnsdeck stopped watching it to shut down (${w.message})`;
    return { end: "handed-over" };
  }
  if (w.status !== "done") {
    step.status = "failed";
    step.message = w.message;
    if (intent.kind === "DaemonSet") {
      // stop the DaemonSet where it stands: no further node is replaced until the next apply
      try {
        await applyObject(pausedIntent(intent), { force });
        step.message += " (DaemonSet paused: updateStrategy OnDelete until the next apply)";
      } catch (err) {
        step.message += ` (pausing the DaemonSet failed: ${err instanceof Error ? err.message : String(err)})`;
      }
    }
    return { end: "failed", failure: `${step.key}: ${step.message}` };
  }
  step.status = "healthy";
  step.message = w.message;
  return { end: "healthy" };
}

function isCoreDns(intent: ApiObject, config: StackConfig): boolean {
  return intent.metadata.name === config.coredns.deploymentName && (intent.metadata.namespace ?? "") === config.coredns.namespace;
}
