import "server-only";
import type { StackConfig } from "@/k8s/config";
import { tuning } from "@/server/env";
import type { RolloutOptions } from "../rollout/types";
import { verifyResolution } from "../rollout/verify";
import type { RunRecord } from "./record";

/**
 * After a Corefile change reached the cluster: resolution through every hop for the window the change takes to load,
 * each round recorded as it comes. Returns the run's error when resolution fails, else null; `handedOver` when dnsdeck
 * began shutting down before the window ended (the verification is recorded as interrupted, not as a verdict).
 * A process killed mid-window leaves `pending` rounds behind: the sweep (server/runs/lease.ts) marks them interrupted.
 */
export async function verifyCorefileChange(config: StackConfig, record: RunRecord, opts: RolloutOptions, windowMs: number | undefined): Promise<{ failure: string | null; handedOver: boolean }> {
  const v = await verifyResolution(config, {
    ...opts,
    windowMs: windowMs ?? tuning().DNSDECK_VERIFY_WINDOW_MS,
    onRound: async (round) => {
      record.rollout.verify = { ...round, at: new Date().toISOString() };
      await record.save();
    },
  });
  if (opts.shouldStop?.()) {
    // the window was cut short: what was seen so far is no verdict
    record.rollout.verify = { ...v, ok: false, interrupted: true, at: new Date().toISOString() };
    return { failure: null, handedOver: true };
  }
  record.rollout.verify = { ...v, at: new Date().toISOString() };
  if (!v.ok) return { failure: `a Corefile changed and resolution fails through ${v.hops.filter((h) => !h.ok).map((h) => h.hop).join(", ")}; roll back to restore the previous Corefile`, handedOver: false };
  return { failure: null, handedOver: false };
}
