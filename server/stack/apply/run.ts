import "server-only";
import type { StackConfig } from "@/k8s/config";
import type { RenderedObject } from "@/k8s/types";
import { KubeError } from "@/server/kube/error";
import { applyObject } from "@/server/kube/objects";
import { shuttingDown } from "@/server/lifecycle";
import { planObject, type ObjectPlan } from "../plan";
import { type RolloutOptions, rolloutDefaults } from "../rollout/types";
import { finishRun, type RunEnd } from "./outcome";
import { getApply } from "./read";
import type { RunRecord } from "./record";
import { failInFlight, markApplied, markApplying, markRefused } from "./steps";
import type { ApplyRequest, ApplyView } from "./types";
import { verifyCorefileChange } from "./verify";
import { followRollout, isWorkload } from "./workload";

/**
 * One run, started by ./start.ts with the lock held and its row written: the objects applied one at a time in order
 * (server-side apply as dnsdeck), each workload followed through its rollout, a Corefile change verified; the first
 * failure stops the run. SIGTERM hands over at a step boundary. Every change is saved as it happens (./record.ts).
 */
export async function runApply(record: RunRecord, config: StackConfig, rendered: RenderedObject[], req: ApplyRequest, holder: string): Promise<ApplyView> {
  const { steps, applied } = record;
  const given = req.rollout?.shouldStop;
  // SIGTERM (rolling update of dnsdeck, node drain): stop watching at once, and start no further step
  const opts: RolloutOptions = { ...rolloutDefaults(), ...req.rollout, shouldStop: () => shuttingDown() || !!given?.() };
  const force = !!req.takeOwnership;
  const end: RunEnd = { failure: null, handedOver: false, changedSomething: false, startedAt: Date.now() };
  const handOver = (what: string) => {
    end.handedOver = true;
    end.failure = `handed over: dnsdeck was shutting down (a rolling update of dnsdeck or a node drain), so this run stopped ${what}. Objects marked applied/healthy reached the cluster; nothing after them was started. Open this run on the running dnsdeck: it reads back what the cluster holds and offers Resume or rollback.`;
  };
  let corefileChanged = false;
  try {
    const planned = await recordDiff(record, rendered, req.takeOwnership);
    for (let i = 0; i < rendered.length; i++) {
      const intent = rendered[i].object;
      const step = steps[i];
      if (shuttingDown()) {
        handOver(`before step ${i + 1} of ${rendered.length} (${step.key})`);
        break;
      }
      markApplying(step);
      await record.save();
      try {
        await applyObject(intent, { force });
      } catch (err) {
        if (!(err instanceof KubeError)) throw err;
        end.failure = markRefused(step, err.status);
        break;
      }
      applied.push(step.key);
      const p = planned.get(step.key);
      const changed = !p || p.state !== "in-sync";
      if (changed) end.changedSomething = true;
      if (changed && intent.kind === "ConfigMap") corefileChanged = true;
      markApplied(step, p);
      await record.save();

      if (isWorkload(intent)) {
        const r = await followRollout(step, intent, config, record, opts, force);
        if (r.end === "handed-over") handOver(`while watching the rollout of ${step.key}`);
        if (r.end === "failed") end.failure = r.failure;
        if (r.end !== "healthy") break;
      } else {
        step.finishedAt = new Date().toISOString();
      }
      await record.save();
    }
    // a changed Corefile is verified; so is any apply asked to (Resume of a run whose verification was cut short)
    if (!end.failure && !end.handedOver && (corefileChanged || req.verify)) {
      const v = await verifyCorefileChange(config, record, opts, req.rollout?.verifyWindowMs);
      if (v.handedOver) handOver("while verifying resolution after the Corefile change (every object was applied; the verification did not finish)");
      else end.failure = v.failure;
    }
  } catch (err) {
    end.failure = `the apply stopped unexpectedly: ${err instanceof Error ? err.message : String(err)}`;
    failInFlight(steps);
  } finally {
    await finishRun(record, req, config, holder, end);
  }
  return getApply(record.id);
}

/** Each object's plan, stored with the run (what it is about to change); an object that cannot be planned is left out. */
async function recordDiff(record: RunRecord, rendered: RenderedObject[], takeOwnership: boolean | undefined): Promise<Map<string, ObjectPlan>> {
  const diff: ObjectPlan[] = [];
  for (const r of rendered) {
    try {
      diff.push(await planObject(r, { force: takeOwnership }));
    } catch {
      /* recorded as missing from the diff: never blocks the apply */
    }
  }
  await record.saveDiff(diff);
  return new Map(diff.map((p) => [p.key, p]));
}
