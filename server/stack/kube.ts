import "server-only";
import * as k8s from "@kubernetes/client-node";
import { FIELD_MANAGER, kubeStatus, objects, strictObjects, type KubeStatus } from "@/server/kube/client";
import { type Obj, plain } from "./fields";
import { tuning } from "@/server/env";

/** Thin, typed access to the objects of the stack: read live, server-side apply (optionally dry run), merge patch. */

export type KubeObj = Obj & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } & Obj };

export class KubeCallError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
    this.name = "KubeCallError";
  }
}

function ref(o: KubeObj) {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace } };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        t = setTimeout(() => reject(new KubeCallError({ code: 504, reason: "Timeout", message: `Timeout: ${what} took longer than ${ms} ms` })), ms);
      }),
    ]);
  } finally {
    clearTimeout(t);
  }
}

const kubeTimeoutMs = () => tuning().DNSDECK_STACK_KUBE_TIMEOUT_MS;

/** Live object, or null when it does not exist. */
export async function readLive(o: KubeObj): Promise<Obj | null> {
  try {
    return plain(await withTimeout(objects().read(ref(o)), kubeTimeoutMs(), `reading ${o.kind} ${o.metadata.name}`));
  } catch (err) {
    const s = err instanceof KubeCallError ? err.status : kubeStatus(err);
    if (s.code === 404) return null;
    throw new KubeCallError(s);
  }
}

/**
 * Server-side apply with dnsdeck's field manager (or another); `dryRun` sends dryRun=All. Always with
 * fieldValidation=Strict: a misspelt field fails here instead of vanishing in the cluster. The API server's
 * `Warning` headers are added to `warnings` when given.
 */
export async function serverSideApply(o: KubeObj, opts: { dryRun?: boolean; force?: boolean; manager?: string; warnings?: string[] } = {}): Promise<Obj> {
  const body = plain<KubeObj>(o);
  delete (body.metadata as Obj).managedFields;
  delete (body.metadata as Obj).resourceVersion;
  try {
    const res = await withTimeout(
      strictObjects((w) => opts.warnings?.push(w), body).patch(
        body as k8s.KubernetesObject,
        undefined,
        opts.dryRun ? "All" : undefined,
        opts.manager ?? FIELD_MANAGER,
        opts.force ?? false,
        k8s.PatchStrategy.ServerSideApply,
      ),
      kubeTimeoutMs(),
      `applying ${o.kind} ${o.metadata.name}`,
    );
    return plain(res);
  } catch (err) {
    if (err instanceof KubeCallError) throw err;
    throw new KubeCallError(kubeStatus(err));
  }
}

/** JSON merge patch under a given field manager (restarts: "dnsdeck-restart"). */
export async function mergePatch(o: KubeObj, patch: Obj, manager: string): Promise<Obj> {
  try {
    const body = { ...ref(o), ...patch, metadata: { ...ref(o).metadata, ...((patch.metadata as Obj) ?? {}) } };
    return plain(await withTimeout(objects().patch(body as k8s.KubernetesObject, undefined, undefined, manager, undefined, k8s.PatchStrategy.MergePatch), kubeTimeoutMs(), `patching ${o.kind} ${o.metadata.name}`));
  } catch (err) {
    if (err instanceof KubeCallError) throw err;
    throw new KubeCallError(kubeStatus(err));
  }
}

export async function listObjects(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<Obj[]> {
  try {
    const res = await withTimeout(
      objects().list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector),
      kubeTimeoutMs(),
      `listing ${kind}`,
    );
    return plain<{ items?: Obj[] }>(res).items ?? [];
  } catch (err) {
    if (err instanceof KubeCallError) throw err;
    throw new KubeCallError(kubeStatus(err));
  }
}

/** Last log lines of a pod's container (empty on any error: logs are diagnostics, never a reason to fail). */
export async function podLogTail(namespace: string, pod: string, container?: string, tailLines = 20): Promise<string[]> {
  try {
    const { core } = await import("@/server/kube/client");
    const text = await withTimeout(core().readNamespacedPodLog({ name: pod, namespace, container, tailLines }), 5000, "reading pod log");
    return String(text ?? "").split("\n").filter(Boolean).slice(-tailLines);
  } catch {
    return [];
  }
}

/** FieldManagerConflict causes → [{field, manager}]; [] when the 409 is not an ownership conflict. */
export function conflictsOf(s: KubeStatus): { field: string; manager: string; message: string }[] {
  if (s.code !== 409) return [];
  // a Status cause's type is serialised as "reason" on the wire (apimachinery StatusCause `json:"reason"`)
  return ((s.causes ?? []) as { type?: string; reason?: string; field?: string; message?: string }[])
    .filter((c) => (c.reason ?? c.type) === "FieldManagerConflict")
    .map((c) => ({ field: c.field ?? "?", manager: /conflict with "([^"]+)"/.exec(c.message ?? "")?.[1] ?? "another manager", message: c.message ?? "" }));
}

export function isDryRunUnsupported(s: KubeStatus): boolean {
  return s.code === 400 && /does not support dry run/i.test(s.message);
}
