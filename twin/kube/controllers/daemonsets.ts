// The DaemonSet controller: one pod per eligible node, RollingUpdate (maxUnavailable int or %) / OnDelete, ControllerRevisions, status as kubectl rollout status reads it.
import type { Cluster } from "./index";
import { res } from "../resources";
import { clone, intOrPercent, safeHash, type Obj } from "../util";
import { ownerRef } from "./util";
import { tolerates } from "./scheduler";

// ------------------------------------------------------------------------------------------------ DaemonSets
export function dsTolerations(cl: Cluster, ds: Obj): Obj[] {
  const t: Obj[] = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
  ];
  if (ds.spec.template.spec.hostNetwork) t.push({ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" });
  return t;
}

export function dsEligible(cl: Cluster, ds: Obj, node: Obj): boolean {
  const tols = [...(ds.spec.template.spec.tolerations ?? []), ...dsTolerations(cl, ds)];
  for (const t of node.spec?.taints ?? []) {
    if (t.key === "node.kubernetes.io/unreachable") continue; // DaemonSet pods tolerate it
    if ((t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(cl, tols, t)) return false;
  }
  for (const [k, v] of Object.entries(ds.spec.template.spec.nodeSelector ?? {})) if (node.metadata.labels?.[k] !== v) return false;
  return true;
}

export function revisionFor(cl: Cluster, owner: Obj, template: Obj): { name: string; hash: string } {
  const hash = safeHash({ template, collision: owner.status?.collisionCount ?? 0 }, 10);
  return { name: `${owner.metadata.name}-${hash}`, hash };
}

export function daemonsets(cl: Cluster) {
  const crR = res("controllerrevisions", "apps");
  const nodes = cl.api.store.list(res("nodes"));
  for (let ds of cl.api.store.list(res("daemonsets", "apps"))) {
    if (ds.metadata.deletionTimestamp) continue;
    const ns = ds.metadata.namespace;
    const { name: crName, hash } = revisionFor(cl, ds, ds.spec.template);
    const revs = cl.api.store.list(crR, ns).filter((c) => c.metadata.ownerReferences?.some((o: Obj) => o.uid === ds.metadata.uid));
    const maxRev = Math.max(0, ...revs.map((r) => r.revision));
    const cur = revs.find((r) => r.metadata.name === crName);
    if (!cur) {
      cl.api.create(crR, ns, {
        metadata: { name: crName, labels: { ...(ds.spec.selector.matchLabels ?? {}), "controller-revision-hash": hash }, ownerReferences: [ownerRef(ds)] },
        data: { spec: { template: { ...clone(ds.spec.template), $patch: "replace" } } }, revision: maxRev + 1,
      }, { fieldManager: "kube-controller-manager" });
    } else if (cur.revision !== maxRev) cl.api.writeSpec(crR, cur, (o) => { o.revision = maxRev + 1; });
    // history limit
    const pods = cl.ownedPods(ds);
    const liveHashes = new Set(pods.map((p) => p.metadata.labels?.["controller-revision-hash"]));
    const old = revs.filter((r) => r.metadata.name !== crName && !liveHashes.has(r.metadata.labels?.["controller-revision-hash"])).sort((a, b) => a.revision - b.revision);
    while (old.length > (ds.spec.revisionHistoryLimit ?? 10)) cl.api.remove(crR, old.shift()!);

    const eligible = nodes.filter((n) => dsEligible(cl, ds, n));
    const byNode = new Map<string, Obj[]>();
    for (const p of pods) {
      const n = p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0] ?? p.spec.nodeName;
      if (!byNode.has(n)) byNode.set(n, []);
      byNode.get(n)!.push(p);
    }
    const isUpdated = (p: Obj) => p.metadata.labels?.["controller-revision-hash"] === hash;
    const available = (p: Obj) => cl.podReady(p) && !p.metadata.deletionTimestamp;
    const desired = eligible.length;
    const maxUnavail = ds.spec.updateStrategy?.type === "RollingUpdate" ? Math.max(1, intOrPercent(ds.spec.updateStrategy.rollingUpdate?.maxUnavailable, desired, true, 1)) : 0;
    let unavailable = eligible.filter((n) => !(byNode.get(n.metadata.name) ?? []).some(available)).length;
    for (const n of eligible) {
      const ps = (byNode.get(n.metadata.name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      // failed pods are replaced
      for (const p of ps) if (p.status?.phase === "Failed") { cl.api.delete(res("pods"), ns, p.metadata.name, { gracePeriodSeconds: 0 }); }
      const live = ps.filter((p) => p.status?.phase !== "Failed");
      const terminating = (byNode.get(n.metadata.name) ?? []).some((p) => p.metadata.deletionTimestamp);
      if (!live.length) {
        if (!terminating) cl.createPod(ds, ds.spec.template, { generateName: `${ds.metadata.name}-`, labels: { "controller-revision-hash": hash, "pod-template-generation": String(ds.metadata.generation) }, affinityNode: n.metadata.name, tolerations: dsTolerations(cl, ds) });
        continue;
      }
      if (ds.spec.updateStrategy?.type !== "RollingUpdate") continue;
      const oldPods = live.filter((p) => !isUpdated(p));
      for (const p of oldPods) {
        if (!available(p)) { cl.api.delete(res("pods"), ns, p.metadata.name, {}); cl.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`); continue; }
        if (unavailable < maxUnavail) { unavailable++; cl.api.delete(res("pods"), ns, p.metadata.name, {}); cl.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`); }
      }
    }
    // pods on nodes that are no longer eligible
    for (const [n, ps] of byNode) if (!eligible.some((e) => e.metadata.name === n)) for (const p of ps) if (!p.metadata.deletionTimestamp) cl.api.delete(res("pods"), ns, p.metadata.name, {});
    ds = cl.api.tryGet(res("daemonsets", "apps"), ns, ds.metadata.name) ?? ds;
    const fresh = cl.ownedPods(ds).filter((p) => !p.metadata.deletionTimestamp);
    const onEligible = (p: Obj) => eligible.some((n) => n.metadata.name === p.spec.nodeName);
    const scheduled = fresh.filter((p) => p.spec.nodeName);
    const status: Obj = {
      currentNumberScheduled: new Set(scheduled.filter(onEligible).map((p) => p.spec.nodeName)).size,
      numberMisscheduled: scheduled.filter((p) => !onEligible(p)).length,
      desiredNumberScheduled: desired,
      numberReady: fresh.filter((p) => cl.podReady(p)).length,
      observedGeneration: ds.metadata.generation,
      updatedNumberScheduled: new Set(scheduled.filter((p) => isUpdated(p) && onEligible(p)).map((p) => p.spec.nodeName)).size,
      numberAvailable: fresh.filter((p) => cl.podReady(p)).length,
    };
    status.numberUnavailable = Math.max(0, desired - status.numberAvailable);
    for (const k of ["updatedNumberScheduled", "numberAvailable", "numberUnavailable"]) if (!status[k]) delete status[k];
    if (ds.status?.collisionCount) status.collisionCount = ds.status.collisionCount;
    cl.api.writeStatus(res("daemonsets", "apps"), ds, status);
  }
}
