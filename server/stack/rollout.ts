import "server-only";
import type { StackConfig } from "@/k8s/config";
import type { Obj } from "./fields";
import { type KubeObj, listObjects, podLogTail, readLive } from "./kube";
import { probeDns } from "./probe";
import { tuning } from "@/server/env";

/**
 * Rollout watch with a health gate. Workload status follows `kubectl rollout status` (reference §8); because
 * node-cache has no readiness probe, a NodeLocal pod counts as healthy only once a real DNS query sent through its
 * node's cache is answered. DaemonSets have no server-side progress deadline, so dnsdeck keeps its own.
 */

export interface NodeRollout {
  node: string;
  pod?: string;
  phase?: string;
  updated: boolean;
  ready: boolean;
  healthy: boolean;
  waitingReason?: string;
  restarts: number;
  detail?: string;
}

export interface PodRollout {
  pod: string;
  node?: string;
  ip?: string;
  updated: boolean;
  ready: boolean;
  healthy: boolean | null;
  waitingReason?: string;
  restarts: number;
  detail?: string;
}

export interface WorkloadRollout {
  key: string;
  kind: "DaemonSet" | "Deployment";
  status: "progressing" | "done" | "failed";
  message: string;
  desired: number;
  updated: number;
  ready: number;
  healthy: number;
  nodes?: NodeRollout[];
  pods?: PodRollout[];
  failedNode?: string;
  failedPod?: string;
  logTail?: string[];
  startedAt: string;
  finishedAt?: string;
}

export interface RolloutOptions {
  /** dnsdeck's own deadline for the whole rollout. */
  timeoutMs: number;
  pollMs: number;
  /** How long an updated, running pod may fail its DNS check before the node is declared unhealthy. */
  healthGraceMs: number;
  probeTimeoutMs: number;
  /** Names asked through each hop. */
  healthNames: string[];
  onProgress?: (r: WorkloadRollout) => Promise<void> | void;
  shouldStop?: () => boolean;
}

export function rolloutDefaults(): RolloutOptions {
  return {
    timeoutMs: tuning().DNSDECK_ROLLOUT_TIMEOUT_MS,
    pollMs: tuning().DNSDECK_ROLLOUT_POLL_MS,
    healthGraceMs: tuning().DNSDECK_HEALTH_GRACE_MS,
    probeTimeoutMs: 2000,
    healthNames: ["kubernetes.default.svc.cluster.local"],
  };
}

const FATAL_WAITING = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName", "RunContainerError", "CreateContainerError"]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function selectorOf(o: Obj): string | undefined {
  const ml = ((o.spec as Obj | undefined)?.selector as Obj | undefined)?.matchLabels as Record<string, string> | undefined;
  if (!ml) return undefined;
  return Object.entries(ml)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

function podFacts(p: Obj) {
  const meta = (p.metadata ?? {}) as Obj;
  const spec = (p.spec ?? {}) as Obj;
  const status = (p.status ?? {}) as Obj;
  const conds = (status.conditions ?? []) as Obj[];
  const cs = ((status.containerStatuses ?? []) as Obj[])[0] ?? {};
  const waiting = ((cs.state as Obj | undefined)?.waiting as Obj | undefined)?.reason as string | undefined;
  return {
    name: String(meta.name),
    labels: (meta.labels ?? {}) as Record<string, string>,
    deleting: !!meta.deletionTimestamp,
    node: spec.nodeName as string | undefined,
    phase: status.phase as string | undefined,
    ip: status.podIP as string | undefined,
    ready: conds.some((c) => c.type === "Ready" && c.status === "True"),
    waiting,
    restarts: Number(cs.restartCount ?? 0),
    container: cs.name as string | undefined,
    ownerRs: ((meta.ownerReferences ?? []) as Obj[]).find((r) => r.kind === "ReplicaSet")?.name as string | undefined,
  };
}

/** Probe one hop with every health name; ok only if all answer. */
async function probeHop(server: string, via: string | undefined, opts: RolloutOptions): Promise<{ ok: boolean; detail: string }> {
  const details: string[] = [];
  for (const name of opts.healthNames) {
    const r = await probeDns({ name, type: "A", server, port: 53, via, timeoutMs: opts.probeTimeoutMs });
    details.push(`${name}: ${r.detail}`);
    if (!r.ok) return { ok: false, detail: details.join("; ") };
  }
  return { ok: true, detail: details.join("; ") };
}

/** Pause a DaemonSet rollout where it stands: the same intent with `updateStrategy: OnDelete` (dnsdeck's manager). */
export function pausedIntent(intent: KubeObj): KubeObj {
  const o = structuredClone(intent);
  const spec = (o.spec ?? {}) as Obj;
  spec.updateStrategy = { type: "OnDelete" };
  o.spec = spec;
  return o;
}

/**
 * Follow a DaemonSet until every scheduled node runs the new template and answers DNS through its cache.
 * On a node that does not: stop (the caller pauses the DaemonSet), report node, waiting reason and last log lines.
 */
export async function watchDaemonSet(intent: KubeObj, config: StackConfig, opts: RolloutOptions): Promise<WorkloadRollout> {
  const ns = intent.metadata.namespace ?? "default";
  const key = `DaemonSet ${ns}/${intent.metadata.name}`;
  const started = Date.now();
  const healthy = new Map<string, string>(); // node -> pod that answered
  const firstSeen = new Map<string, number>(); // pod -> when first seen updated+running
  const lastDetail = new Map<string, string>();
  const r: WorkloadRollout = { key, kind: "DaemonSet", status: "progressing", message: "waiting for the DaemonSet", desired: 0, updated: 0, ready: 0, healthy: 0, nodes: [], startedAt: new Date(started).toISOString() };
  for (;;) {
    if (opts.shouldStop?.()) return finish(r, "failed", "stopped");
    const ds = await readLive(intent);
    if (!ds) return finish(r, "failed", "the DaemonSet disappeared during the rollout");
    const gen = Number((ds.metadata as Obj).generation ?? 0);
    const st = (ds.status ?? {}) as Obj;
    const observed = Number(st.observedGeneration ?? 0);
    r.desired = Number(st.desiredNumberScheduled ?? 0);
    const pods = (await listObjects("v1", "Pod", ns, selectorOf(ds))).map(podFacts).filter((p) => !p.deleting);
    const nodeNames = (await listObjects("v1", "Node")).map((n) => String((n.metadata as Obj).name));
    const templateGen = String(gen);
    const currentHash = await currentRevisionHash(ds, ns);
    const nodes: NodeRollout[] = [];
    for (const node of nodeNames) {
      const p = pods.find((x) => x.node === node);
      if (!p) {
        nodes.push({ node, updated: false, ready: false, healthy: false, restarts: 0, detail: "no pod on this node" });
        continue;
      }
      // a pod runs the current template when its controller-revision-hash is the newest ControllerRevision's
      // (pod-template-generation is only a fallback: it also moves on spec changes outside the template)
      const updated =
        observed >= gen &&
        (currentHash ? p.labels["controller-revision-hash"] === currentHash : p.labels["pod-template-generation"] === undefined || p.labels["pod-template-generation"] === templateGen);
      let isHealthy = healthy.get(node) === p.name;
      if (updated && p.ready && !isHealthy) {
        if (!firstSeen.has(p.name)) firstSeen.set(p.name, Date.now());
        const h = await probeHop(config.nodelocal.linkLocalIp, node, opts);
        lastDetail.set(p.name, h.detail);
        if (h.ok) {
          healthy.set(node, p.name);
          isHealthy = true;
        }
      }
      nodes.push({
        node,
        pod: p.name,
        phase: p.phase,
        updated,
        ready: p.ready,
        healthy: isHealthy,
        waitingReason: p.waiting,
        restarts: p.restarts,
        detail: isHealthy ? `answered: ${lastDetail.get(p.name) ?? "ok"}` : lastDetail.get(p.name) ?? (p.waiting ? `waiting: ${p.waiting}` : undefined),
      });
      // fatal: an updated pod that cannot run, or runs but never answers within the grace period
      const unhealthyFor = firstSeen.has(p.name) ? Date.now() - firstSeen.get(p.name)! : 0;
      if (updated && ((p.waiting && FATAL_WAITING.has(p.waiting)) || (!isHealthy && p.ready && unhealthyFor > opts.healthGraceMs))) {
        r.nodes = nodes;
        count(r);
        r.failedNode = node;
        r.failedPod = p.name;
        r.logTail = await podLogTail(ns, p.name, p.container);
        const why = p.waiting && FATAL_WAITING.has(p.waiting) ? `pod ${p.name} is ${p.waiting}` : `pod ${p.name} runs but DNS through the node cache does not answer (${lastDetail.get(p.name) ?? "no answer"})`;
        return finish(r, "failed", `node ${node}: ${why}; the rollout was stopped there, the remaining nodes are untouched`);
      }
    }
    r.nodes = nodes;
    count(r);
    const updatedSched = Number(st.updatedNumberScheduled ?? 0);
    const available = Number(st.numberAvailable ?? 0);
    if (observed < gen) r.message = "waiting for the DaemonSet spec update to be observed";
    else if (updatedSched < r.desired) r.message = `${updatedSched} of ${r.desired} updated pods scheduled`;
    else if (available < r.desired) r.message = `${available} of ${r.desired} updated pods available`;
    else if (r.healthy < r.desired) r.message = `${r.healthy} of ${r.desired} node caches answer DNS`;
    else return finish(r, "done", `${r.healthy}/${r.desired} nodes updated and answering DNS through the node cache`);
    await opts.onProgress?.(r);
    if (Date.now() - started > opts.timeoutMs) {
      // the node holding the rollout: an updated pod that does not answer, else a node without a running pod
      // (NotReady, terminating, pending), else the first one not yet updated
      const stuck = nodes.find((n) => n.updated && !n.healthy) ?? nodes.find((n) => !n.pod || !n.ready) ?? nodes.find((n) => !n.healthy);
      if (stuck) {
        r.failedNode = stuck.node;
        r.failedPod = stuck.pod;
        if (stuck.pod) r.logTail = await podLogTail(ns, stuck.pod, pods.find((p) => p.name === stuck.pod)?.container);
      }
      return finish(r, "failed", `dnsdeck's rollout deadline (${Math.round(opts.timeoutMs / 1000)} s) passed: ${r.message}${stuck ? `; stuck on node ${stuck.node}${stuck.waitingReason ? ` (${stuck.waitingReason})` : ""}` : ""}`);
    }
    await sleep(opts.pollMs);
  }
}

/** Hash of the DaemonSet's newest ControllerRevision (what `kubectl rollout` compares pods against). */
async function currentRevisionHash(ds: Obj, ns: string): Promise<string | undefined> {
  const uid = (ds.metadata as Obj).uid;
  const revs = (await listObjects("apps/v1", "ControllerRevision", ns, selectorOf(ds))).filter((r) =>
    (((r.metadata as Obj).ownerReferences ?? []) as Obj[]).some((o) => o.uid === uid),
  );
  if (!revs.length) return undefined;
  const newest = revs.reduce((a, b) => (Number(b.revision ?? 0) > Number(a.revision ?? 0) ? b : a));
  return ((newest.metadata as Obj).labels as Record<string, string> | undefined)?.["controller-revision-hash"];
}

function count(r: WorkloadRollout) {
  const nodes = r.nodes ?? [];
  r.updated = nodes.filter((n) => n.updated).length;
  r.ready = nodes.filter((n) => n.updated && n.ready).length;
  r.healthy = nodes.filter((n) => n.healthy).length;
}

function finish(r: WorkloadRollout, status: WorkloadRollout["status"], message: string): WorkloadRollout {
  r.status = status;
  r.message = message;
  r.finishedAt = new Date().toISOString();
  return r;
}

/**
 * Follow a Deployment like `kubectl rollout status`; for CoreDNS (`k8s-app=kube-dns`) additionally ask every ready
 * pod by its IP, since "available" does not prove it answers.
 */
export async function watchDeployment(intent: KubeObj, opts: RolloutOptions, dnsCheck: boolean): Promise<WorkloadRollout> {
  const ns = intent.metadata.namespace ?? "default";
  const key = `Deployment ${ns}/${intent.metadata.name}`;
  const started = Date.now();
  const r: WorkloadRollout = { key, kind: "Deployment", status: "progressing", message: "waiting for the Deployment", desired: 0, updated: 0, ready: 0, healthy: 0, pods: [], startedAt: new Date(started).toISOString() };
  const healthyPods = new Set<string>();
  for (;;) {
    if (opts.shouldStop?.()) return finish(r, "failed", "stopped");
    const d = await readLive(intent);
    if (!d) return finish(r, "failed", "the Deployment disappeared during the rollout");
    const gen = Number((d.metadata as Obj).generation ?? 0);
    const spec = (d.spec ?? {}) as Obj;
    const st = (d.status ?? {}) as Obj;
    const observed = Number(st.observedGeneration ?? 0);
    const replicas = Number(spec.replicas ?? 1);
    const updatedReplicas = Number(st.updatedReplicas ?? 0);
    const statusReplicas = Number(st.replicas ?? 0);
    const available = Number(st.availableReplicas ?? 0);
    r.desired = replicas;
    const conds = (st.conditions ?? []) as Obj[];
    const progressing = conds.find((c) => c.type === "Progressing");
    const pods = (await listObjects("v1", "Pod", ns, selectorOf(d))).map(podFacts).filter((p) => !p.deleting);
    r.pods = [];
    for (const p of pods) {
      let h: boolean | null = null;
      if (dnsCheck && p.ready && p.ip) {
        if (!healthyPods.has(p.name)) {
          const res = await probeHop(p.ip, undefined, opts);
          if (res.ok) healthyPods.add(p.name);
          r.pods.push({ pod: p.name, node: p.node, ip: p.ip, updated: true, ready: p.ready, healthy: res.ok, waitingReason: p.waiting, restarts: p.restarts, detail: res.detail });
          continue;
        }
        h = true;
      }
      r.pods.push({ pod: p.name, node: p.node, ip: p.ip, updated: true, ready: p.ready, healthy: h, waitingReason: p.waiting, restarts: p.restarts });
    }
    r.updated = updatedReplicas;
    r.ready = available;
    r.healthy = dnsCheck ? r.pods.filter((p) => p.healthy).length : available;
    const bad = pods.find((p) => p.waiting && FATAL_WAITING.has(p.waiting));
    if (progressing?.reason === "ProgressDeadlineExceeded" || bad) {
      if (bad) {
        r.failedPod = bad.name;
        r.failedNode = bad.node;
        r.logTail = await podLogTail(ns, bad.name, bad.container);
      }
      return finish(r, "failed", bad ? `pod ${bad.name} on ${bad.node ?? "?"} is ${bad.waiting}` : `the Deployment exceeded its progress deadline`);
    }
    if (observed < gen) r.message = "waiting for the Deployment spec update to be observed";
    else if (updatedReplicas < replicas) r.message = `${updatedReplicas} of ${replicas} new replicas updated`;
    else if (statusReplicas > updatedReplicas) r.message = `${statusReplicas - updatedReplicas} old replicas pending termination`;
    else if (available < updatedReplicas) r.message = `${available} of ${updatedReplicas} updated replicas available`;
    else if (dnsCheck && r.healthy < replicas) r.message = `${r.healthy} of ${replicas} pods answer DNS`;
    else return finish(r, "done", `${available}/${replicas} replicas updated and available${dnsCheck ? ", all answer DNS" : ""}`);
    await opts.onProgress?.(r);
    if (Date.now() - started > opts.timeoutMs) return finish(r, "failed", `dnsdeck's rollout deadline (${Math.round(opts.timeoutMs / 1000)} s) passed: ${r.message}`);
    await sleep(opts.pollMs);
  }
}

export interface HopCheck {
  hop: string;
  server: string;
  via?: string;
  ok: boolean;
  detail: string;
}

/**
 * After a Corefile change (every replica reloads at once, no rollout gate): ask every hop — each CoreDNS pod by
 * its IP and each node's cache — until each answers or `windowMs` passes.
 */
export async function verifyResolution(config: StackConfig, opts: RolloutOptions & { windowMs: number }): Promise<{ ok: boolean; hops: HopCheck[] }> {
  const cns = config.coredns.namespace;
  const corednsPods = (await listObjects("v1", "Pod", cns, "k8s-app=kube-dns")).map(podFacts).filter((p) => p.ip && p.phase === "Running" && !p.deleting);
  const nlPods = (await listObjects("v1", "Pod", config.nodelocal.namespace, `k8s-app=${config.nodelocal.name}`)).map(podFacts).filter((p) => p.node && p.phase === "Running" && !p.deleting);
  const hops: HopCheck[] = [
    ...corednsPods.map((p) => ({ hop: `CoreDNS pod ${p.name}`, server: p.ip!, ok: false, detail: "not asked yet" })),
    ...nlPods.map((p) => ({ hop: `node cache on ${p.node}`, server: config.nodelocal.linkLocalIp, via: p.node, ok: false, detail: "not asked yet" })),
    // what pods actually use: the kube-dns ClusterIP, intercepted by the node cache in transparent mode
    ...nlPods.map((p) => ({ hop: `pods' resolver ${config.nodelocal.kubeDnsClusterIp} on ${p.node}`, server: config.nodelocal.kubeDnsClusterIp, via: p.node, ok: false, detail: "not asked yet" })),
  ];
  const until = Date.now() + opts.windowMs;
  for (;;) {
    for (const h of hops.filter((x) => !x.ok)) {
      const r = await probeHop(h.server, h.via, opts);
      h.ok = r.ok;
      h.detail = r.detail;
    }
    if (hops.every((h) => h.ok) || Date.now() > until) break;
    await sleep(opts.pollMs);
  }
  return { ok: hops.every((h) => h.ok), hops };
}
