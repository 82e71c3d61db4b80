import "server-only";
import type * as k8s from "@kubernetes/client-node";
import { appsApi, call, coreApi } from "./client";
import type { Budget } from "./config";
import { isNotFound } from "./error";

/**
 * Typed reads of the objects the DNS stack runs as (client-node's models: V1DaemonSet, V1Pod, …). `read…` answers
 * null when the object does not exist; every other failure is a KubeError.
 */

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export const readDaemonSet = (namespace: string, name: string, budget: Budget = "call"): Promise<k8s.V1DaemonSet | null> =>
  orNull(call(`reading DaemonSet ${namespace}/${name}`, budget, () => appsApi(budget).readNamespacedDaemonSet({ namespace, name })));

export const readDeployment = (namespace: string, name: string, budget: Budget = "call"): Promise<k8s.V1Deployment | null> =>
  orNull(call(`reading Deployment ${namespace}/${name}`, budget, () => appsApi(budget).readNamespacedDeployment({ namespace, name })));

export const readService = (namespace: string, name: string, budget: Budget = "call"): Promise<k8s.V1Service | null> =>
  orNull(call(`reading Service ${namespace}/${name}`, budget, () => coreApi(budget).readNamespacedService({ namespace, name })));

export async function listPods(namespace: string, labelSelector?: string, budget: Budget = "call"): Promise<k8s.V1Pod[]> {
  const what = `listing pods in ${namespace}${labelSelector ? ` (${labelSelector})` : ""}`;
  return (await call(what, budget, () => coreApi(budget).listNamespacedPod({ namespace, labelSelector }))).items;
}

export async function listNodes(budget: Budget = "call"): Promise<k8s.V1Node[]> {
  return (await call("listing nodes", budget, () => coreApi(budget).listNode())).items;
}

export async function listControllerRevisions(namespace: string, labelSelector?: string): Promise<k8s.V1ControllerRevision[]> {
  return (await call(`listing ControllerRevisions in ${namespace}`, "call", () => appsApi().listNamespacedControllerRevision({ namespace, labelSelector }))).items;
}

/** `k=v,k2=v2` from a selector's matchLabels ("" when there are none). */
export const selectorOf = (matchLabels: Record<string, string> | undefined): string =>
  Object.entries(matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/** Running and Ready (the kubelet's own verdict). */
export const podReady = (p: k8s.V1Pod): boolean => p.status?.phase === "Running" && (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
