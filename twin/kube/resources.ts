// The resource registry: what the twin serves and how discovery describes it.
export interface ResourceDef {
  group: string; // "" for core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean; // has a status subresource
  subresources?: string[]; // extra subresources listed in discovery
  hasSpec?: boolean; // generation is tracked on spec changes
}

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const RESOURCES: ResourceDef[] = [
  { group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false, shortNames: ["ns"], status: true },
  { group: "", version: "v1", plural: "nodes", singular: "node", kind: "Node", namespaced: false, shortNames: ["no"], status: true },
  { group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true, shortNames: ["po"], categories: ["all"], status: true, subresources: ["log", "eviction"] },
  { group: "", version: "v1", plural: "services", singular: "service", kind: "Service", namespaced: true, shortNames: ["svc"], categories: ["all"], status: true },
  { group: "", version: "v1", plural: "endpoints", singular: "endpoints", kind: "Endpoints", namespaced: true, shortNames: ["ep"] },
  { group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true, shortNames: ["cm"] },
  { group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"] },
  { group: "", version: "v1", plural: "persistentvolumeclaims", singular: "persistentvolumeclaim", kind: "PersistentVolumeClaim", namespaced: true, shortNames: ["pvc"], status: true },
  { group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"] },
  { group: "apps", version: "v1", plural: "daemonsets", singular: "daemonset", kind: "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"], status: true, hasSpec: true },
  { group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"], status: true, subresources: ["scale"], hasSpec: true },
  { group: "apps", version: "v1", plural: "replicasets", singular: "replicaset", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"], status: true, subresources: ["scale"], hasSpec: true },
  { group: "apps", version: "v1", plural: "controllerrevisions", singular: "controllerrevision", kind: "ControllerRevision", namespaced: true },
  { group: "batch", version: "v1", plural: "jobs", singular: "job", kind: "Job", namespaced: true, categories: ["all"], status: true, hasSpec: true },
  { group: "batch", version: "v1", plural: "cronjobs", singular: "cronjob", kind: "CronJob", namespaced: true, shortNames: ["cj"], categories: ["all"], status: true, hasSpec: true },
  { group: "policy", version: "v1", plural: "poddisruptionbudgets", singular: "poddisruptionbudget", kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], status: true, hasSpec: true },
  { group: "discovery.k8s.io", version: "v1", plural: "endpointslices", singular: "endpointslice", kind: "EndpointSlice", namespaced: true },
  { group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"] },
];

export const gv = (r: ResourceDef) => (r.group ? `${r.group}/${r.version}` : r.version);
export const groupResource = (r: ResourceDef) => (r.group ? `${r.plural}.${r.group}` : r.plural);
export const kindGroup = (r: ResourceDef) => (r.group ? `${r.kind}.${r.group}` : r.kind);
export const storeKey = (r: ResourceDef) => (r.group ? `${r.group}/${r.plural}` : r.plural);

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}
export function byKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return RESOURCES.find((r) => gv(r) === apiVersion && r.kind === kind);
}
export function res(plural: string, group = ""): ResourceDef {
  const r = RESOURCES.find((x) => x.plural === plural && x.group === group);
  if (!r) throw new Error(`unknown resource ${plural}.${group}`);
  return r;
}

export function apiResourceList(group: string, version: string) {
  const list: any[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    list.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      storageVersionHash: Buffer.from(`${r.group}/${r.version}/${r.kind}`).toString("base64").slice(0, 11),
    });
    if (r.status) list.push({ name: `${r.plural}/status`, singularName: "", namespaced: r.namespaced, kind: r.kind, verbs: ["get", "patch", "update"] });
    for (const s of r.subresources ?? []) {
      if (s === "log") list.push({ name: `${r.plural}/log`, singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] });
      if (s === "eviction") list.push({ name: `${r.plural}/eviction`, singularName: "", namespaced: true, group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] });
      if (s === "scale") list.push({ name: `${r.plural}/scale`, singularName: "", namespaced: true, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources: list };
}

export function apiGroupList() {
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: groups.map((g) => {
      const v = RESOURCES.find((r) => r.group === g)!.version;
      return { name: g, versions: [{ groupVersion: `${g}/${v}`, version: v }], preferredVersion: { groupVersion: `${g}/${v}`, version: v } };
    }),
  };
}
