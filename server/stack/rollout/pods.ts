import "server-only";
import type { V1Pod } from "@/server/kube/types";
import { probeDns } from "../probe";
import type { RolloutOptions } from "./types";

/** What a rollout needs to know about a pod, and the DNS check that makes a hop "healthy". */

/** Waiting reasons that will not fix themselves: the rollout stops there. */
export const FATAL_WAITING = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName", "RunContainerError", "CreateContainerError"]);

export interface PodFacts {
  name: string;
  labels: Record<string, string>;
  deleting: boolean;
  node?: string;
  phase?: string;
  ip?: string;
  ready: boolean;
  waiting?: string;
  restarts: number;
  container?: string;
}

export function podFacts(p: V1Pod): PodFacts {
  const cs = p.status?.containerStatuses?.[0];
  return {
    name: p.metadata?.name ?? "?",
    labels: p.metadata?.labels ?? {},
    deleting: !!p.metadata?.deletionTimestamp,
    node: p.spec?.nodeName,
    phase: p.status?.phase,
    ip: p.status?.podIP,
    ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    waiting: cs?.state?.waiting?.reason,
    restarts: cs?.restartCount ?? 0,
    container: cs?.name,
  };
}

/** Probe one hop with every health name; ok only if all answer. */
export async function probeHop(server: string, via: string | undefined, opts: RolloutOptions): Promise<{ ok: boolean; detail: string }> {
  const details: string[] = [];
  for (const name of opts.healthNames) {
    const r = await probeDns({ name, type: "A", server, port: 53, via, timeoutMs: opts.probeTimeoutMs });
    details.push(`${name}: ${r.detail}`);
    if (!r.ok) return { ok: false, detail: details.join("; ") };
  }
  return { ok: true, detail: details.join("; ") };
}
