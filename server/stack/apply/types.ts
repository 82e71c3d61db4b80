import type { StackConfig } from "@/k8s/config";
import type { ObjectPlan } from "../plan";
import type { RolloutOptions, WorkloadRollout } from "../rollout/types";
import type { VerifyResult } from "../rollout/verify";

/** The records of an apply run (a row in `stack_applies`) as the API and the Stack page see them. Types only. */

export type StepStatus = "pending" | "applying" | "applied" | "rolling-out" | "healthy" | "conflict" | "failed" | "skipped" | "interrupted";

export interface ApplyStep {
  key: string;
  component: string;
  kind: string;
  namespace: string;
  name: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  httpStatus?: number;
  conflicts?: { field: string; manager: string; message: string }[];
  causes?: { type?: string; field?: string; message?: string }[];
}

export interface RolloutRecord {
  workloads: WorkloadRollout[];
  verify?: VerifyResult & { at: string };
  /** Set when the run changed something: the last good run before it (one-click rollback). */
  rollbackTo?: number | null;
  /** An interrupted run: what the cluster held for each object when a live process first looked (./recovery.ts). */
  readBack?: ReadBack;
}

export interface ReadBack {
  at: string;
  objects: { key: string; state: ObjectPlan["state"]; message?: string }[];
  /** The objects that still differ from this run's config revision: what "Resume" applies. */
  remaining: string[];
}

export type ApplyOutcome = "running" | "ok" | "failed" | "partial" | "interrupted";

export interface ApplyRequest {
  user: string;
  /** Config revision to apply; default = the current desired config. */
  revision?: number;
  takeOwnership?: boolean;
  /** Keys (`Kind namespace/name`) to apply; default = every object. */
  objects?: string[];
  kind?: "apply" | "rollback";
  rollbackOf?: number;
  rollout?: Partial<RolloutOptions> & { verifyWindowMs?: number };
  /** Verify resolution through every hop after the objects are applied even when no Corefile changed (Resume of a run whose verification was interrupted). */
  verify?: boolean;
  /** Rollback: the config to save as the new desired revision, in the same transaction as the run. */
  saveConfig?: { config: StackConfig; note: string };
  /** Called with the outcome when the run ends (the verb settles its audit row); default: an audit row of its own. */
  onDone?: (outcome: { status: ApplyOutcome; applied: number; steps: number; error: string | null }) => Promise<void>;
}

export interface ApplyView {
  id: number;
  kind: string;
  configRevisionId: number;
  rollbackOf: number | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  status: ApplyOutcome;
  takeOwnership: boolean;
  applied: string[];
  steps: ApplyStep[];
  rollout: RolloutRecord | null;
  diff: ObjectPlan[] | null;
  error: string | null;
}
