// Node lifecycle (Ready / NotReady faults), namespace termination, the garbage collector and event pruning.
import type { Cluster } from "./index";
import { res } from "../resources";
import { ts, type Obj } from "../util";
import { allResources, nsResources, dependentsOf } from "./util";

// ------------------------------------------------------------------------------------------------ nodes
export function nodes(cl: Cluster) {
  for (const n of cl.api.store.list(res("nodes"))) {
    const notReady = cl.faults.nodeNotReady(n.metadata.name);
    const ready = (n.status?.conditions ?? []).find((c: Obj) => c.type === "Ready");
    const want = notReady ? "Unknown" : "True";
    if (ready?.status !== want) {
      const conds = (n.status.conditions ?? []).map((c: Obj) => {
        if (notReady) return { ...c, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: ts() };
        if (c.type === "Ready") return { ...c, status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: ts(), lastTransitionTime: ts() };
        return { ...c, status: "False", reason: c.type === "MemoryPressure" ? "KubeletHasSufficientMemory" : c.type === "DiskPressure" ? "KubeletHasNoDiskPressure" : "KubeletHasSufficientPID", lastTransitionTime: ts() };
      });
      cl.api.writeStatus(res("nodes"), n, { ...n.status, conditions: conds }, notReady ? "kube-controller-manager" : "kubelet");
      cl.api.writeSpec(res("nodes"), n, (o) => {
        const t = (o.spec.taints ?? []).filter((x: Obj) => x.key !== "node.kubernetes.io/unreachable");
        if (notReady) t.push({ key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: ts() });
        o.spec.taints = t.length ? t : undefined;
        if (!o.spec.taints) delete o.spec.taints;
      });
      cl.event({ ...n, metadata: { ...n.metadata, namespace: "default" } }, "Normal", notReady ? "NodeNotReady" : "NodeReady", notReady ? `Node ${n.metadata.name} status is now: NodeNotReady` : `Node ${n.metadata.name} status is now: NodeReady`, notReady ? "node-controller" : "kubelet");
    }
  }
}

// ------------------------------------------------------------------------------------------------ namespaces + GC
export function namespaces(cl: Cluster) {
  for (const ns of cl.api.store.list(res("namespaces"))) {
    if (ns.status?.phase !== "Terminating") continue;
    let left = 0;
    for (const r of nsResources()) for (const o of cl.api.store.list(r, ns.metadata.name)) {
      left++;
      if (!o.metadata.deletionTimestamp) try { cl.api.delete(r, ns.metadata.name, o.metadata.name, { propagationPolicy: "Background", gracePeriodSeconds: r.plural === "pods" ? 1 : undefined }); } catch { /* gone */ }
    }
    if (left === 0) cl.api.remove(res("namespaces"), ns);
  }
}

/** Events expire like the apiserver's --event-ttl (1 h), and at most 3000 are kept per API. */
export function pruneEvents(cl: Cluster, now: number) {
  if (now - cl.lastPrune < 1000) return;
  cl.lastPrune = now;
  for (const r of [res("events"), res("events", "events.k8s.io")]) {
    const all = cl.api.store.list(r);
    const stamp = (e: Obj) => Date.parse(e.lastTimestamp ?? e.deprecatedLastTimestamp ?? e.metadata.creationTimestamp);
    const old = all.filter((e) => now - stamp(e) > 3600_000);
    const extra = all.length - old.length - 3000;
    const victims = [...old, ...(extra > 0 ? all.filter((e) => !old.includes(e)).sort((a, b) => stamp(a) - stamp(b)).slice(0, extra) : [])];
    for (const e of victims) cl.api.remove(r, e);
  }
}

export function gc(cl: Cluster) {
  const uids = new Set<string>();
  for (const r of allResources()) for (const o of cl.api.store.list(r)) uids.add(o.metadata.uid);
  for (const r of allResources()) {
    for (const o of cl.api.store.list(r)) {
      const owners: Obj[] = o.metadata.ownerReferences ?? [];
      if (owners.length && owners.every((x) => !uids.has(x.uid)) && !o.metadata.deletionTimestamp) {
        try { cl.api.delete(r, o.metadata.namespace, o.metadata.name, { propagationPolicy: "Background" }); } catch { /* gone */ }
      }
      if (o.metadata.deletionTimestamp && o.metadata.finalizers?.includes("foregroundDeletion")) {
        const deps = dependentsOf(cl.api, o);
        if (deps.length === 0) cl.api.remove(r, o);
        else for (const [dr, d] of deps) if (!d.metadata.deletionTimestamp) try { cl.api.delete(dr, d.metadata.namespace, d.metadata.name, { propagationPolicy: "Foreground" }); } catch { /* gone */ }
      }
    }
  }
}
