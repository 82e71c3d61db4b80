/** Shapes shared by the renderers. Pure types. */

export type Component = "nodelocal" | "coredns" | "technitium";
export const COMPONENTS: readonly Component[] = ["technitium", "coredns", "nodelocal"];

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * A server-side-apply intent: apiVersion, kind, metadata and only the fields dnsdeck has an opinion on. Never
 * status, managedFields, resourceVersion or a restartedAt annotation.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface RenderedObject {
  component: Component;
  /** Global apply order (ascending); unique across renderStack's output. */
  order: number;
  object: KubeObject;
}

/** "Kind namespace/name", the key used in plans, diffs and history. */
export function objectKey(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
}

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "dnsdeck" } as const;
