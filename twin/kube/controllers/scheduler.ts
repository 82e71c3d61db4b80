// The scheduler: taints/tolerations, nodeSelector, DaemonSet node affinity, required pod anti-affinity on hostname.
import type { Cluster } from "./index";
import { res } from "../resources";
import { matchSelectorObj } from "../selectors";
import { ts, type Obj } from "../util";
import { T } from "./util";
import { runtime } from "./kubelet";

// ------------------------------------------------------------------------------------------------ scheduler
export function tolerates(cl: Cluster, tols: Obj[] | undefined, taint: Obj) {
  return (tols ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

export function feasible(cl: Cluster, pod: Obj, node: Obj, all: Obj[]): string | null {
  if (node.spec?.unschedulable) return "node(s) were unschedulable";
  for (const t of node.spec?.taints ?? []) {
    if ((t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(cl, pod.spec.tolerations, t)) return `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`;
  }
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (node.metadata.labels?.[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !terms.some((term: Obj) => (term.matchFields ?? []).every((f: Obj) => f.key !== "metadata.name" || (f.operator === "In" ? f.values.includes(node.metadata.name) : !f.values.includes(node.metadata.name)))
    && (term.matchExpressions ?? []).every((e: Obj) => e.operator === "In" ? e.values.includes(node.metadata.labels?.[e.key]) : e.operator === "NotIn" ? !e.values.includes(node.metadata.labels?.[e.key]) : e.operator === "Exists" ? node.metadata.labels?.[e.key] !== undefined : node.metadata.labels?.[e.key] === undefined)))
    return "node(s) didn't match Pod's node affinity/selector";
  for (const term of pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (term.topologyKey !== "kubernetes.io/hostname") continue;
    const nss = term.namespaces?.length ? term.namespaces : [pod.metadata.namespace];
    if (all.some((o) => o !== pod && o.spec.nodeName === node.metadata.name && nss.includes(o.metadata.namespace) && o.status?.phase !== "Succeeded" && o.status?.phase !== "Failed" && matchSelectorObj(term.labelSelector ?? {}, o.metadata.labels)))
      return "node(s) didn't match pod anti-affinity rules";
  }
  return null;
}

export function scheduler(cl: Cluster, now: number) {
  const nodes = cl.api.store.list(res("nodes"));
  const all = cl.api.store.list(res("pods"));
  for (const pod of all) {
    if (pod.spec.nodeName || pod.metadata.deletionTimestamp) continue;
    const rt = runtime(cl, pod);
    if (now < rt.scheduleAt) continue;
    const reasons = new Map<string, number>();
    const ok: Obj[] = [];
    for (const n of nodes) {
      const why = feasible(cl, pod, n, all);
      if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1); else ok.push(n);
    }
    if (!ok.length) {
      const msg = `0/${nodes.length} nodes are available: ${[...reasons].map(([w, c]) => `${c} ${w}`).sort().join(", ")}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
      const cond = { type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: ts(), reason: "Unschedulable", message: msg };
      const existing = (pod.status.conditions ?? []).find((c: Obj) => c.type === "PodScheduled");
      if (!existing || existing.message !== msg) cl.api.writeStatus(res("pods"), pod, { ...pod.status, phase: "Pending", conditions: [cond] }, "kube-scheduler");
      if (!rt.lastSchedEvent || now - rt.lastSchedEvent > cl.d(30000)) { rt.lastSchedEvent = now; cl.event(pod, "Warning", "FailedScheduling", msg, "default-scheduler"); }
      rt.scheduleAt = now + cl.d(T.schedRetry);
      continue;
    }
    const load = (n: Obj) => all.filter((p) => p.spec.nodeName === n.metadata.name && cl.podActive(p)).length;
    ok.sort((a, b) => load(a) - load(b) || a.metadata.name.localeCompare(b.metadata.name));
    const node = ok[0];
    const bound = cl.api.writeSpec(res("pods"), pod, (o) => { o.spec.nodeName = node.metadata.name; }, "kube-scheduler");
    all[all.indexOf(pod)] = bound;
    rt.boundAt = now;
    cl.event(bound, "Normal", "Scheduled", `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.metadata.name}`, "default-scheduler");
  }
}
