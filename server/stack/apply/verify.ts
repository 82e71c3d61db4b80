import "server-only";
import type { StackConfig } from "@/k8s/config";
import { tuning } from "@/server/env";
import type { RolloutOptions } from "../rollout/types";
import { verifyResolution } from "../rollout/verify";
import type { RunRecord } from "./record";

/**
 * After a Corefile change reached the cluster: resolution through every hop for the window the change takes to load,
 * each round recorded as it comes. Returns the run's error when resolution fails, else null.
 */
export async function verifyCorefileChange(config: StackConfig, record: RunRecord, opts: RolloutOptions, windowMs: number | undefined): Promise<string | null> {
  const v = await verifyResolution(config, {
    ...opts,
    windowMs: windowMs ?? tuning().DNSDECK_VERIFY_WINDOW_MS,
    onRound: async (round) => {
      record.rollout.verify = { ...round, at: new Date().toISOString() };
      await record.save();
    },
  });
  record.rollout.verify = { ...v, at: new Date().toISOString() };
  if (!v.ok) return `a Corefile changed and resolution fails through ${v.hops.filter((h) => !h.ok).map((h) => h.hop).join(", ")}; roll back to restore the previous Corefile`;
  return null;
}
