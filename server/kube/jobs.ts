import "server-only";
import type * as k8s from "@kubernetes/client-node";
import { batchApi, call } from "./client";
import type { Budget } from "./config";
import { FIELD_MANAGER } from "./config";

/** CronJobs and Jobs (typed): what the Technitium page lists and "Run now" creates. */

export async function listCronJobs(namespace: string, budget: Budget = "call"): Promise<k8s.V1CronJob[]> {
  return (await call(`listing CronJobs in ${namespace}`, budget, () => batchApi(budget).listNamespacedCronJob({ namespace }))).items;
}

export const readCronJob = (namespace: string, name: string): Promise<k8s.V1CronJob> =>
  call(`reading CronJob ${namespace}/${name}`, "call", () => batchApi().readNamespacedCronJob({ namespace, name }));

export async function listJobs(namespace: string): Promise<k8s.V1Job[]> {
  return (await call(`listing Jobs in ${namespace}`, "call", () => batchApi().listNamespacedJob({ namespace }))).items;
}

export const readJob = (namespace: string, name: string): Promise<k8s.V1Job> => call(`reading Job ${namespace}/${name}`, "call", () => batchApi().readNamespacedJob({ namespace, name }));

export const createJob = (namespace: string, body: k8s.V1Job): Promise<k8s.V1Job> =>
  call(`creating Job ${namespace}/${body.metadata?.name ?? "?"}`, "call", () => batchApi().createNamespacedJob({ namespace, body, fieldManager: FIELD_MANAGER }));
