import "server-only";
import * as k8s from "@kubernetes/client-node";
import { env, tuning } from "@/server/env";
import { KubeError } from "./error";

/**
 * Where the Kubernetes API is and how long dnsdeck waits for it. KUBECONFIG when set, else the in-cluster service
 * account, else "not configured" (every Kubernetes feature then says so). Loaded once per process.
 */
const g = globalThis as unknown as { __dnsdeckKube?: k8s.KubeConfig | null };

export function kubeConfig(): k8s.KubeConfig | null {
  if (g.__dnsdeckKube !== undefined) return g.__dnsdeckKube;
  const path = env().KUBECONFIG;
  let kc: k8s.KubeConfig | null = new k8s.KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc = null;
  g.__dnsdeckKube = kc;
  return kc;
}

export const NOT_CONFIGURED = "no Kubernetes API is configured: set KUBECONFIG or run dnsdeck in the cluster";

/** The KubeConfig, or a KubeError (→ 503) saying what to set. */
export function requireKube(): k8s.KubeConfig {
  const kc = kubeConfig();
  if (!kc) throw new KubeError("connecting to Kubernetes", { code: 0, reason: "NotConfigured", message: NOT_CONFIGURED });
  return kc;
}

/**
 * Every Kubernetes call has a budget, and these are all of them (one place). Each HTTP request is aborted when its
 * budget runs out, and the caller gets a KubeError of kind "timeout" naming what it was doing.
 * - `call`: plan, apply, rollout, restart, CronJobs, syncs (DNSDECK_KUBE_TIMEOUT_MS, 15 s)
 * - `page`: live state drawn on a page (architecture, paths, CoreDNS version): the page shows the error, not a hang;
 *   also a Technitium Service's ClusterIP (server/technitium/endpoint.ts, once a minute)
 * - `probe`: /api/v1/ready
 * - `diagnostic`: a failed pod's last log lines (never a reason to fail)
 */
export type Budget = "call" | "page" | "probe" | "diagnostic";

export function timeoutMs(budget: Budget): number {
  const t = tuning();
  const call = t.DNSDECK_KUBE_TIMEOUT_MS ?? t.DNSDECK_STACK_KUBE_TIMEOUT_MS ?? 15_000;
  if (budget === "page") return Math.min(call, 6000);
  if (budget === "probe") return Math.min(call, 3000);
  if (budget === "diagnostic") return Math.min(call, 5000);
  return call;
}

/** Field manager for dnsdeck's declarative applies; restarts use RESTART_MANAGER so the next apply keeps them. */
export const FIELD_MANAGER = "dnsdeck";
export const RESTART_MANAGER = "dnsdeck-restart";
