// Shared pieces of the twin's controllers: timings, runtime types, small pure helpers.
import type { Api } from "../api";
import { res } from "../resources";
import { clone, type Obj } from "../util";

export const T = { schedule: 300, pull: 2000, ready: 3000, crashRun: 1500, backoffBase: 10000, backoffMax: 300000, jobRun: 4000, terminate: 2000, reload: 5000, jobRetry: 2000, schedRetry: 2000 };

export type Line = { t: number; text: string };
export interface CRuntime {
  name: string;
  state: "creating" | "pullbackoff" | "running" | "backoff" | "terminated";
  since: number;
  nextAt: number;
  restartCount: number;
  startedAt?: number;
  readyAt?: number;
  crashAt?: number;
  exit?: { code: number; reason: string; at: number; startedAt: number };
  lastTerminated?: { code: number; reason: string; at: number; startedAt: number };
  logs: Line[];
  prevLogs?: Line[];
  subs: Set<{ line: (l: Line) => void; end: () => void }>;
  pullFailures: number;
  config?: string; // Corefile text in use (coredns/node-cache)
  reloadCheckAt?: number;
  waitingReason?: string;
  waitingMessage?: string;
  crashLines?: string[];
}
export interface PodRuntime { uid: string; env: Record<string, string>; containers: Map<string, CRuntime>; boundAt?: number; scheduleAt: number; lastSchedEvent?: number; ip?: string; deletingAt?: number; mountWarned?: boolean }

export const NODE_INDEX: Record<string, number> = { "k8s-master": 0, "k8s-node1": 1, "k8s-node2": 2, "k8s-node3": 3, "k8s-node4": 4 };


// ---------------------------------------------------------------------------------------------------- helpers
export function nodeIP(node: string) { return `10.0.20.${100 + (NODE_INDEX[node] ?? 9)}`; }
export function ownerRef(o: Obj) { return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true }; }
export function envOf(c: Obj): Record<string, string> { const e: Record<string, string> = {}; for (const x of c.env ?? []) if (x.value !== undefined) e[x.name] = x.value; return e; }
export function stampNow() { const d = new Date(); const p = (n: number) => String(n).padStart(2, "0"); return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`; }
export function fmtDur(ms: number) { const s = Math.round(ms / 1000); return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`; }
export function stripTimes(s: Obj) { const c = clone(s ?? {}); for (const x of c.conditions ?? []) { delete x.lastTransitionTime; delete x.lastProbeTime; } return c; }
export function sortDeep(v: unknown): unknown { if (Array.isArray(v)) return v.map(sortDeep); if (v && typeof v === "object") { const o: Obj = {}; for (const k of Object.keys(v).sort()) o[k] = sortDeep((v as Obj)[k]); return o; } return v; }
export function allResources() {
  return [res("namespaces"), res("nodes"), res("pods"), res("services"), res("endpoints"), res("configmaps"), res("serviceaccounts"), res("persistentvolumeclaims"), res("events"), res("daemonsets", "apps"), res("deployments", "apps"), res("replicasets", "apps"), res("controllerrevisions", "apps"), res("jobs", "batch"), res("cronjobs", "batch"), res("poddisruptionbudgets", "policy"), res("endpointslices", "discovery.k8s.io"), res("events", "events.k8s.io")];
}
export function nsResources() { return allResources().filter((r) => r.namespaced); }
export function dependentsOf(api: Api, owner: Obj): [ReturnType<typeof res>, Obj][] {
  const out: [ReturnType<typeof res>, Obj][] = [];
  for (const r of nsResources()) for (const o of api.store.list(r, owner.metadata.namespace)) if ((o.metadata.ownerReferences ?? []).some((x: Obj) => x.uid === owner.metadata.uid)) out.push([r, o]);
  return out;
}
