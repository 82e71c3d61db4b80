import { tuning } from "@/server/env";

/** What a rollout watch reports (persisted in the run's record as it happens) and how it is paced. */

export interface NodeRollout {
  node: string;
  pod?: string;
  phase?: string;
  updated: boolean;
  ready: boolean;
  healthy: boolean;
  waitingReason?: string;
  restarts: number;
  detail?: string;
}

export interface PodRollout {
  pod: string;
  node?: string;
  ip?: string;
  updated: boolean;
  ready: boolean;
  healthy: boolean | null;
  waitingReason?: string;
  restarts: number;
  detail?: string;
}

export interface WorkloadRollout {
  key: string;
  kind: "DaemonSet" | "Deployment";
  status: "progressing" | "done" | "failed";
  message: string;
  desired: number;
  updated: number;
  ready: number;
  healthy: number;
  nodes?: NodeRollout[];
  pods?: PodRollout[];
  failedNode?: string;
  failedPod?: string;
  logTail?: string[];
  startedAt: string;
  finishedAt?: string;
}

export interface HopCheck {
  hop: string;
  server: string;
  via?: string;
  ok: boolean;
  detail: string;
}

export interface RolloutOptions {
  /** dnsdeck's own deadline for the whole rollout. */
  timeoutMs: number;
  pollMs: number;
  /** How long an updated, running pod may fail its DNS check before the node is declared unhealthy. */
  healthGraceMs: number;
  probeTimeoutMs: number;
  /** Names asked through each hop. */
  healthNames: string[];
  onProgress?: (r: WorkloadRollout) => Promise<void> | void;
  shouldStop?: () => boolean;
}

export function rolloutDefaults(): RolloutOptions {
  return {
    timeoutMs: tuning().DNSDECK_ROLLOUT_TIMEOUT_MS,
    pollMs: tuning().DNSDECK_ROLLOUT_POLL_MS,
    healthGraceMs: tuning().DNSDECK_HEALTH_GRACE_MS,
    probeTimeoutMs: 2000,
    healthNames: ["kubernetes.default.svc.cluster.local"],
  };
}

export function finish(r: WorkloadRollout, status: WorkloadRollout["status"], message: string): WorkloadRollout {
  r.status = status;
  r.message = message;
  r.finishedAt = new Date().toISOString();
  return r;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
