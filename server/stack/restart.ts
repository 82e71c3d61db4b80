import "server-only";
import { randomBytes } from "node:crypto";
import { AppError } from "@/server/errors";
import { RESTART_MANAGER } from "@/server/kube/config";
import { mergePatchObject } from "@/server/kube/objects";
import { readDaemonSet, readDeployment } from "@/server/kube/workloads";
import { acquireLock, releaseLock } from "./lock";

/**
 * `kubectl rollout restart`, the dnsdeck way: a merge patch of the pod template's
 * `kubectl.kubernetes.io/restartedAt` annotation under the separate field manager "dnsdeck-restart", so the next
 * apply (manager "dnsdeck", which never sets that annotation) does not remove it and roll the pods again.
 * Every Kubernetes failure (reading or patching) is the door's KubeError, mapped once (error-map.ts): an API 500 is a
 * 502 naming the step, a timeout a 504 — never "internal error".
 */
export async function restartWorkload(input: { user: string; kind: "DaemonSet" | "Deployment"; namespace: string; name: string }) {
  const holder = `${input.user}#${randomBytes(4).toString("hex")}`;
  const what = `${input.kind} ${input.namespace}/${input.name}`;
  await acquireLock(holder, `restart of ${what}`, 60_000);
  try {
    const live = input.kind === "DaemonSet" ? await readDaemonSet(input.namespace, input.name) : await readDeployment(input.namespace, input.name);
    if (!live) throw new AppError("not_found", `${what} does not exist; apply the stack first`);
    if (live.spec && "paused" in live.spec && live.spec.paused) throw new AppError("conflict", `Deployment ${input.namespace}/${input.name} is paused; resume it before restarting`);
    const restartedAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const ref = { apiVersion: "apps/v1", kind: input.kind, metadata: { name: input.name, namespace: input.namespace } };
    await mergePatchObject(ref, { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": restartedAt } } } } }, RESTART_MANAGER);
    return { kind: input.kind, namespace: input.namespace, name: input.name, restartedAt, fieldManager: RESTART_MANAGER };
  } finally {
    await releaseLock(holder).catch(() => {});
  }
}
