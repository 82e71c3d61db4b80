import "server-only";
import { AppError } from "@/server/errors";
import { RESTART_MANAGER } from "@/server/kube/client";
import { KubeCallError, type KubeObj, mergePatch, readLive } from "./kube";
import { acquireLock, releaseLock } from "./lock";
import { randomBytes } from "node:crypto";

/**
 * `kubectl rollout restart`, the dnsdeck way: a merge patch of the pod template's
 * `kubectl.kubernetes.io/restartedAt` annotation under the separate field manager "dnsdeck-restart", so the next
 * apply (manager "dnsdeck", which never sets that annotation) does not remove it and roll the pods again.
 */
export async function restartWorkload(input: { user: string; kind: "DaemonSet" | "Deployment"; namespace: string; name: string }) {
  const o = { apiVersion: "apps/v1", kind: input.kind, metadata: { name: input.name, namespace: input.namespace } } as KubeObj;
  const holder = `${input.user}#${randomBytes(4).toString("hex")}`;
  await acquireLock(holder, `restart of ${input.kind} ${input.namespace}/${input.name}`, 60_000);
  try {
    const live = await readLive(o);
    if (!live) throw new AppError("not_found", `${input.kind} ${input.namespace}/${input.name} does not exist; apply the stack first`);
    if (input.kind === "Deployment" && (live.spec as { paused?: boolean } | undefined)?.paused)
      throw new AppError("conflict", `Deployment ${input.namespace}/${input.name} is paused; resume it before restarting`);
    const restartedAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    try {
      await mergePatch(o, { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": restartedAt } } } } }, RESTART_MANAGER);
    } catch (err) {
      if (err instanceof KubeCallError) throw new AppError("upstream", `the restart patch failed (HTTP ${err.status.code}): ${err.status.message}`);
      throw err;
    }
    return { kind: input.kind, namespace: input.namespace, name: input.name, restartedAt, fieldManager: RESTART_MANAGER };
  } finally {
    await releaseLock(holder).catch(() => {});
  }
}
