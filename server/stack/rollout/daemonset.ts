import "server-only";
import type { StackConfig } from "@/k8s/config";
import { podLogTail } from "@/server/kube/logs";
import type { ApiObject } from "@/server/kube/objects";
import type { V1DaemonSet } from "@/server/kube/types";
import { listControllerRevisions, listNodes, listPods, readDaemonSet, selectorOf } from "@/server/kube/workloads";
import { FATAL_WAITING, podFacts, probeHop } from "./pods";
import { finish, type NodeRollout, type RolloutOptions, sleep, type WorkloadRollout } from "./types";

/**
 * A DaemonSet rollout with a DNS health gate. Status follows `kubectl rollout status` (reference §8); node-cache has
 * no readiness probe, so a NodeLocal pod counts as healthy only once a real DNS query through its node's cache is
 * answered. DaemonSets have no server-side progress deadline, so dnsdeck keeps its own.
 */

/** Pause a DaemonSet rollout where it stands: the same intent with `updateStrategy: OnDelete` (dnsdeck's manager). */
export function pausedIntent<T extends ApiObject>(intent: T): T {
  const o: ApiObject = structuredClone(intent);
  o.spec = { ...((o.spec as object | undefined) ?? {}), updateStrategy: { type: "OnDelete" } };
  return o as T;
}

/** Hash of the DaemonSet's newest ControllerRevision (what `kubectl rollout` compares pods against). */
async function currentRevisionHash(ds: V1DaemonSet, ns: string, selector: string | undefined): Promise<string | undefined> {
  const uid = ds.metadata?.uid;
  const revs = (await listControllerRevisions(ns, selector)).filter((r) => (r.metadata?.ownerReferences ?? []).some((o) => o.uid === uid));
  if (!revs.length) return undefined;
  const newest = revs.reduce((a, b) => (b.revision > a.revision ? b : a));
  return newest.metadata?.labels?.["controller-revision-hash"];
}

function count(r: WorkloadRollout) {
  const nodes = r.nodes ?? [];
  r.updated = nodes.filter((n) => n.updated).length;
  r.ready = nodes.filter((n) => n.updated && n.ready).length;
  r.healthy = nodes.filter((n) => n.healthy).length;
}

/**
 * Follow a DaemonSet until every scheduled node runs the new template and answers DNS through its cache.
 * On a node that does not: stop (the caller pauses the DaemonSet), report node, waiting reason and last log lines.
 */
export async function watchDaemonSet(intent: ApiObject, config: StackConfig, opts: RolloutOptions): Promise<WorkloadRollout> {
  const ns = intent.metadata.namespace ?? "default";
  const key = `DaemonSet ${ns}/${intent.metadata.name}`;
  const started = Date.now();
  const healthy = new Map<string, string>(); // node -> pod that answered
  const firstSeen = new Map<string, number>(); // pod -> when first seen updated+running
  const lastDetail = new Map<string, string>();
  const r: WorkloadRollout = { key, kind: "DaemonSet", status: "progressing", message: "waiting for the DaemonSet", desired: 0, updated: 0, ready: 0, healthy: 0, nodes: [], startedAt: new Date(started).toISOString() };
  for (;;) {
    if (opts.shouldStop?.()) return finish(r, "failed", "stopped");
    const ds = await readDaemonSet(ns, intent.metadata.name);
    if (!ds) return finish(r, "failed", "the DaemonSet disappeared during the rollout");
    const gen = ds.metadata?.generation ?? 0;
    const st = ds.status;
    const observed = st?.observedGeneration ?? 0;
    r.desired = st?.desiredNumberScheduled ?? 0;
    const selector = selectorOf(ds.spec?.selector?.matchLabels) || undefined;
    const pods = (await listPods(ns, selector)).map(podFacts).filter((p) => !p.deleting);
    const nodeNames = (await listNodes()).map((n) => n.metadata?.name ?? "").filter(Boolean);
    const currentHash = await currentRevisionHash(ds, ns, selector);
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
        (currentHash ? p.labels["controller-revision-hash"] === currentHash : p.labels["pod-template-generation"] === undefined || p.labels["pod-template-generation"] === String(gen));
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
        detail: isHealthy ? `answered: ${lastDetail.get(p.name) ?? "ok"}` : (lastDetail.get(p.name) ?? (p.waiting ? `waiting: ${p.waiting}` : undefined)),
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
    const updatedSched = st?.updatedNumberScheduled ?? 0;
    const available = st?.numberAvailable ?? 0;
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
