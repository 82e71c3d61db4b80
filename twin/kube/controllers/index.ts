// The controllers and the kubelet of the twin, one module per job (scheduler, kubelet, endpoints, DaemonSet,
// Deployment/ReplicaSet, Job, CronJob, lifecycle); this class holds their shared state and runs them in order on
// every tick. Demo-speed timings are divided by `speed`.
import type { Api } from "../api";
import { StatusError } from "../errors";
import type { Faults } from "../faults";
import { res } from "../resources";
import type { LogSource } from "../server";
import { clone, deepEqual, randSuffix, ts, type Obj } from "../util";
import { PodRuntime } from "./util";
import { cronjobs } from "./cronjobs";
import { daemonsets } from "./daemonsets";
import { deployments, replicasets } from "./deployments";
import { endpoints, pdbs } from "./endpoints";
import { jobs } from "./jobs";
import { kubelet, logLinesFor } from "./kubelet";
import { gc, namespaces, nodes, pruneEvents } from "./lifecycle";
import { scheduler } from "./scheduler";

export class Cluster implements LogSource {
  pods = new Map<string, PodRuntime>();
  timer?: NodeJS.Timeout;
  pending = false;
  ipCounters = new Map<string, number>();
  deployProgress = new Map<string, { key: string; at: number }>();
  cronNext = new Map<string, number>();
  cronCreated = new Set<string>();
  unexpectedSeen = new Set<string>();
  jobFailAt = new Map<string, number>();
  startReal = Date.now();
  running = false;
  constructor(readonly api: Api, readonly faults: Faults, public speed = 1, readonly cronSpeed = 1) {
    api.onWrite = () => this.kick();
  }
  d(ms: number) { return ms / this.speed; }
  /** Virtual clock for CronJob schedules. */
  cronNow() { return this.startReal + (Date.now() - this.startReal) * this.cronSpeed; }
  start() {
    this.running = true;
    const iv = Math.max(40, Math.min(100, 1000 / this.speed));
    this.timer = setInterval(() => this.tick(), iv);
  }
  stop() {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    for (const p of this.pods.values()) for (const c of p.containers.values()) for (const s of c.subs) s.end();
  }
  kick() {
    if (this.pending || !this.running) return;
    this.pending = true;
    setImmediate(() => { this.pending = false; this.tick(); });
  }
  ticking = false;
  tick() {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = Date.now();
      nodes(this);
      namespaces(this);
      gc(this);
      pruneEvents(this, now);
      cronjobs(this);
      jobs(this, now);
      deployments(this, now);
      replicasets(this);
      daemonsets(this);
      scheduler(this, now);
      kubelet(this, now);
      endpoints(this);
      pdbs(this);
    } catch (e) {
      if (!(e instanceof StatusError)) console.error("[kube-twin] controller error", e);
    } finally {
      this.ticking = false;
    }
  }
  // ------------------------------------------------------------------------------------------------ events
  event(obj: Obj, type: "Normal" | "Warning", reason: string, message: string, component = "kube-controller-manager", action = reason) {
    const ns = obj.metadata.namespace ?? "default";
    const evR = res("events");
    const existing = this.api.store.list(evR, ns).find((e) => e.involvedObject?.uid === obj.metadata.uid && e.reason === reason && e.message === message);
    const now = ts();
    if (existing) {
      this.api.writeSpec(evR, existing, (e) => { e.count = (e.count ?? 1) + 1; e.lastTimestamp = now; }, component);
      const nev = this.api.tryGet(res("events", "events.k8s.io"), ns, existing.metadata.name);
      if (nev) this.api.writeSpec(res("events", "events.k8s.io"), nev, (e) => { e.deprecatedCount = (e.deprecatedCount ?? 1) + 1; e.deprecatedLastTimestamp = now; }, component);
      return;
    }
    const name = `${obj.metadata.name}.${Date.now().toString(16)}${randSuffix(3)}`;
    const involved = { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: obj.apiVersion, resourceVersion: obj.metadata.resourceVersion };
    const host = component === "kubelet" ? obj.spec?.nodeName : undefined;
    try {
      this.api.create(evR, ns, {
        metadata: { name, namespace: ns }, involvedObject: involved, reason, message, source: { component, ...(host ? { host } : {}) },
        firstTimestamp: now, lastTimestamp: now, count: 1, type, eventTime: null, reportingComponent: component, reportingInstance: host ?? "",
      }, { fieldManager: component });
      this.api.create(res("events", "events.k8s.io"), ns, {
        metadata: { name, namespace: ns }, eventTime: new Date().toISOString().replace("Z", "000Z").replace(/(\.\d{6})\d*Z$/, "$1Z"), reportingController: component, reportingInstance: host ?? `${component}-k8s-master`,
        action, reason, regarding: involved, note: message, type, deprecatedSource: { component, ...(host ? { host } : {}) }, deprecatedFirstTimestamp: now, deprecatedLastTimestamp: now, deprecatedCount: 1,
      }, { fieldManager: component });
    } catch { /* namespace gone */ }
  }
  nodeReady(name: string) { return !this.faults.nodeNotReady(name); }
  lastPrune = 0;
  // ------------------------------------------------------------------------------------------------ pods: creation helper
  createPod(owner: Obj, template: Obj, extra: { name?: string; labels?: Record<string, string>; nodeName?: string; affinityNode?: string; tolerations?: Obj[]; generateName: string }) {
    const ns = owner.metadata.namespace;
    const spec = clone(template.spec ?? {});
    if (extra.affinityNode) {
      spec.affinity ??= {};
      spec.affinity.nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [extra.affinityNode] }] }] } };
    }
    if (extra.tolerations) {
      spec.tolerations = [...(spec.tolerations ?? [])];
      for (const t of extra.tolerations) if (!spec.tolerations.some((x: Obj) => deepEqual(x, t))) spec.tolerations.push(t);
    }
    const body = {
      metadata: {
        generateName: extra.generateName,
        namespace: ns,
        labels: { ...(template.metadata?.labels ?? {}), ...(extra.labels ?? {}) },
        ...(template.metadata?.annotations ? { annotations: clone(template.metadata.annotations) } : {}),
        ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec,
    };
    const pod = this.api.create(res("pods"), ns, body, { fieldManager: "kube-controller-manager" });
    this.event(owner, "Normal", "SuccessfulCreate", owner.kind === "Job" || owner.kind === "DaemonSet" || owner.kind === "ReplicaSet" ? `Created pod: ${pod.metadata.name}` : `Created pod ${pod.metadata.name}`);
    return pod;
  }
  ownedPods(owner: Obj): Obj[] {
    return this.api.store.list(res("pods"), owner.metadata.namespace).filter((p) => (p.metadata.ownerReferences ?? []).some((o: Obj) => o.uid === owner.metadata.uid && o.controller));
  }
  podReady(p: Obj) { return (p.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True"); }
  podActive(p: Obj) { return !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed"; }
  logLines(ns: string, podName: string, container: string | undefined, previous: boolean) {
    return logLinesFor(this, ns, podName, container, previous);
  }
}

export { nextCron, prevCron } from "./cronjobs";
export { nodeIP } from "./util";
