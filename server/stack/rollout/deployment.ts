import "server-only";
import { podLogTail } from "@/server/kube/logs";
import type { ApiObject } from "@/server/kube/objects";
import { listPods, readDeployment, selectorOf } from "@/server/kube/workloads";
import { FATAL_WAITING, podFacts, probeHop } from "./pods";
import { finish, type RolloutOptions, sleep, type WorkloadRollout } from "./types";

/**
 * Follow a Deployment like `kubectl rollout status`; for CoreDNS (`k8s-app=kube-dns`) additionally ask every ready
 * pod by its IP, since "available" does not prove it answers.
 */
export async function watchDeployment(intent: ApiObject, opts: RolloutOptions, dnsCheck: boolean): Promise<WorkloadRollout> {
  const ns = intent.metadata.namespace ?? "default";
  const key = `Deployment ${ns}/${intent.metadata.name}`;
  const started = Date.now();
  const r: WorkloadRollout = { key, kind: "Deployment", status: "progressing", message: "waiting for the Deployment", desired: 0, updated: 0, ready: 0, healthy: 0, pods: [], startedAt: new Date(started).toISOString() };
  const healthyPods = new Set<string>();
  for (;;) {
    if (opts.shouldStop?.()) return finish(r, "failed", "stopped");
    const d = await readDeployment(ns, intent.metadata.name);
    if (!d) return finish(r, "failed", "the Deployment disappeared during the rollout");
    const gen = d.metadata?.generation ?? 0;
    const st = d.status;
    const observed = st?.observedGeneration ?? 0;
    const replicas = d.spec?.replicas ?? 1;
    const updatedReplicas = st?.updatedReplicas ?? 0;
    const statusReplicas = st?.replicas ?? 0;
    const available = st?.availableReplicas ?? 0;
    r.desired = replicas;
    const progressing = (st?.conditions ?? []).find((c) => c.type === "Progressing");
    const pods = (await listPods(ns, selectorOf(d.spec?.selector?.matchLabels) || undefined)).map(podFacts).filter((p) => !p.deleting);
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
