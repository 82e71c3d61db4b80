import "server-only";
import * as k8s from "@kubernetes/client-node";
import { call, objectApi } from "./client";
import { type Budget, FIELD_MANAGER } from "./config";
import { isNotFound } from "./error";

/**
 * Any kind of object, as the stack renders it (apiVersion/kind/metadata + the rest): read live, server-side apply
 * (optionally dry run), merge patch, list. Results are plain JSON (what the API sent), so diffs and field ownership
 * see exactly the served object.
 */
export interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

/** A served object as plain JSON (client-node hands back class instances with Dates). */
export type PlainObject = Record<string, unknown>;

const plain = <T = PlainObject>(o: unknown): T => JSON.parse(JSON.stringify(o ?? null)) as T;
const ref = (o: ApiObject) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace } });
const label = (o: ApiObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/** The live object, or null when it does not exist. */
export async function readObject(o: ApiObject, budget: Budget = "call"): Promise<PlainObject | null> {
  try {
    return plain(await call(`reading ${label(o)}`, budget, () => objectApi(budget).read(ref(o))));
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/**
 * Server-side apply with dnsdeck's field manager (or another); `dryRun` sends dryRun=All. Always with
 * fieldValidation=Strict and the exact rendered body: a misspelt field is a 400 naming it instead of vanishing in the
 * cluster. The API server's `Warning` headers are added to `warnings` when given.
 */
export async function applyObject(o: ApiObject, opts: { dryRun?: boolean; force?: boolean; manager?: string; warnings?: string[] } = {}): Promise<PlainObject> {
  const body = plain<ApiObject>(o);
  const meta: PlainObject = body.metadata;
  delete meta.managedFields;
  delete meta.resourceVersion;
  const what = `${opts.dryRun ? "dry-run applying" : "applying"} ${label(o)}`;
  const res = await call(what, "call", () =>
    objectApi("call", { onWarning: (w) => opts.warnings?.push(w), body }).patch(body as k8s.KubernetesObject, undefined, opts.dryRun ? "All" : undefined, opts.manager ?? FIELD_MANAGER, opts.force ?? false, k8s.PatchStrategy.ServerSideApply),
  );
  return plain(res);
}

/** JSON merge patch under a given field manager (restarts: "dnsdeck-restart"). */
export async function mergePatchObject(o: ApiObject, patch: PlainObject, manager: string): Promise<PlainObject> {
  const meta = (patch.metadata as PlainObject | undefined) ?? {};
  const body = { ...ref(o), ...patch, metadata: { ...ref(o).metadata, ...meta } } as k8s.KubernetesObject;
  return plain(await call(`patching ${label(o)}`, "call", () => objectApi().patch(body, undefined, undefined, manager, undefined, k8s.PatchStrategy.MergePatch)));
}

/** Every object of a kind (in a namespace, matching a label selector). */
export async function listObjects(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<PlainObject[]> {
  const res = await call(`listing ${kind}${namespace ? ` in ${namespace}` : ""}`, "call", () =>
    objectApi().list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector),
  );
  return plain<{ items?: PlainObject[] }>(res).items ?? [];
}
