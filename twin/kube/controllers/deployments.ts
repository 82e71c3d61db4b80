// The Deployment and ReplicaSet controllers: RollingUpdate (maxSurge/maxUnavailable) and Recreate, revisions and rollback, progress conditions.
import type { Cluster } from "./index";
import { res } from "../resources";
import { clone, intOrPercent, safeHash, ts, type Obj } from "../util";
import { ownerRef, sortDeep } from "./util";

// ------------------------------------------------------------------------------------------------ Deployments + ReplicaSets
export function deployments(cl: Cluster, now: number) {
  const rsR = res("replicasets", "apps");
  for (let dep of cl.api.store.list(res("deployments", "apps"))) {
    if (dep.metadata.deletionTimestamp) continue;
    const ns = dep.metadata.namespace;
    const replicas = dep.spec.replicas ?? 1;
    const allRs = cl.api.store.list(rsR, ns).filter((r) => r.metadata.ownerReferences?.some((o: Obj) => o.uid === dep.metadata.uid && o.controller));
    const tmplKey = (t: Obj) => { const c = clone(t); if (c.metadata?.labels) delete c.metadata.labels["pod-template-hash"]; return JSON.stringify(sortDeep(c)); };
    const want = tmplKey(dep.spec.template);
    let newRs = allRs.find((r) => tmplKey(r.spec.template) === want);
    const maxRev = Math.max(0, ...allRs.map((r) => Number(r.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0)));
    let created = false;
    const isRecreate = dep.spec.strategy?.type === "Recreate";
    const ru = dep.spec.strategy?.rollingUpdate ?? {};
    const maxSurge = isRecreate ? 0 : intOrPercent(ru.maxSurge, replicas, true, Math.ceil(replicas / 4));
    let maxUnavail = isRecreate ? 0 : intOrPercent(ru.maxUnavailable, replicas, false, Math.floor(replicas / 4));
    if (!isRecreate && maxSurge === 0 && maxUnavail === 0) maxUnavail = 1;
    if (!newRs) {
      const hash = safeHash(JSON.parse(want), 10);
      const tmpl = clone(dep.spec.template);
      tmpl.metadata ??= {};
      tmpl.metadata.labels = { ...(tmpl.metadata.labels ?? {}), "pod-template-hash": hash };
      newRs = cl.api.create(rsR, ns, {
        metadata: {
          name: `${dep.metadata.name}-${hash}`, labels: tmpl.metadata.labels,
          annotations: { "deployment.kubernetes.io/desired-replicas": String(replicas), "deployment.kubernetes.io/max-replicas": String(replicas + maxSurge), "deployment.kubernetes.io/revision": String(maxRev + 1) },
          ownerReferences: [ownerRef(dep)],
        },
        spec: { replicas: 0, selector: { matchLabels: { ...(dep.spec.selector.matchLabels ?? {}), "pod-template-hash": hash }, ...(dep.spec.selector.matchExpressions ? { matchExpressions: dep.spec.selector.matchExpressions } : {}) }, template: tmpl, ...(dep.spec.minReadySeconds ? { minReadySeconds: dep.spec.minReadySeconds } : {}) },
      }, { fieldManager: "kube-controller-manager" });
      created = true;
      cl.event(dep, "Normal", "ScalingReplicaSet", `Scaled up replica set ${newRs.metadata.name} from 0 to ${isRecreate ? replicas : Math.min(replicas, 1)}`, "deployment-controller");
    } else if (Number(newRs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0) < maxRev) {
      newRs = cl.api.writeSpec(rsR, newRs, (o) => { o.metadata.annotations["deployment.kubernetes.io/revision"] = String(maxRev + 1); });
    }
    const rev = newRs.metadata.annotations?.["deployment.kubernetes.io/revision"];
    if (dep.metadata.annotations?.["deployment.kubernetes.io/revision"] !== rev) dep = cl.api.writeSpec(res("deployments", "apps"), dep, (o) => { o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "deployment.kubernetes.io/revision": rev }; });
    const olds = cl.api.store.list(rsR, ns).filter((r) => r.metadata.ownerReferences?.some((o: Obj) => o.uid === dep.metadata.uid && o.controller) && r.metadata.uid !== newRs!.metadata.uid);
    const scale = (rs: Obj, n: number) => {
      if (rs.spec.replicas === n) return rs;
      cl.event(dep, "Normal", "ScalingReplicaSet", `Scaled ${n > rs.spec.replicas ? "up" : "down"} replica set ${rs.metadata.name} from ${rs.spec.replicas} to ${n}`, "deployment-controller");
      return cl.api.writeSpec(rsR, rs, (o) => {
        o.spec.replicas = n;
        o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "deployment.kubernetes.io/desired-replicas": String(replicas), "deployment.kubernetes.io/max-replicas": String(replicas + maxSurge) };
      });
    };
    const podsOf = (rs: Obj) => cl.ownedPods(rs);
    const availOf = (rs: Obj) => podsOf(rs).filter((p) => cl.podReady(p) && !p.metadata.deletionTimestamp).length;
    if (!dep.spec.paused) {
      if (isRecreate) {
        for (const o of olds) scale(o, 0);
        const oldPodsLeft = olds.some((o) => podsOf(o).length > 0);
        if (!oldPodsLeft) newRs = scale(newRs, replicas);
      } else {
        const total = () => newRs!.spec.replicas + olds.reduce((a, o) => a + o.spec.replicas, 0);
        if (newRs.spec.replicas > replicas) newRs = scale(newRs, replicas);
        else if (newRs.spec.replicas < replicas) {
          const allowed = replicas + maxSurge - total();
          if (allowed > 0) newRs = scale(newRs, Math.min(replicas, newRs.spec.replicas + allowed));
        }
        const minAvailable = replicas - maxUnavail;
        const newUnavailable = Math.max(0, newRs.spec.replicas - availOf(newRs));
        // 1) old pods that are not available can go first
        let budget = total() - minAvailable - newUnavailable;
        for (let i = 0; i < olds.length && budget > 0; i++) {
          const o = olds[i];
          const unhealthy = Math.max(0, o.spec.replicas - availOf(o));
          const cut = Math.min(unhealthy, budget);
          if (cut > 0) { olds[i] = scale(o, o.spec.replicas - cut); budget -= cut; }
        }
        // 2) scale down available old pods while keeping minAvailable
        const allAvail = availOf(newRs) + olds.reduce((a, o) => a + availOf(o), 0);
        let down = allAvail - minAvailable;
        for (let i = 0; i < olds.length && down > 0; i++) {
          const o = olds[i];
          const cut = Math.min(o.spec.replicas, down);
          if (cut > 0) { olds[i] = scale(o, o.spec.replicas - cut); down -= cut; }
        }
      }
    }
    // cleanup old revisions
    const idle = olds.filter((o) => o.spec.replicas === 0 && podsOf(o).length === 0).sort((a, b) => Number(a.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0) - Number(b.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0));
    while (idle.length > (dep.spec.revisionHistoryLimit ?? 10)) cl.api.remove(rsR, idle.shift()!);

    // status
    const all = [newRs, ...olds];
    const podsAll = all.flatMap((r) => podsOf(r).filter((p) => !p.metadata.deletionTimestamp));
    const st: Obj = {
      observedGeneration: dep.metadata.generation,
      replicas: podsAll.length,
      updatedReplicas: podsOf(newRs).filter((p) => !p.metadata.deletionTimestamp).length,
      readyReplicas: podsAll.filter((p) => cl.podReady(p)).length,
      availableReplicas: podsAll.filter((p) => cl.podReady(p)).length,
    };
    st.unavailableReplicas = Math.max(0, Math.max(replicas, all.reduce((a, r) => a + r.spec.replicas, 0)) - st.availableReplicas);
    for (const k of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"]) if (!st[k]) delete st[k];
    const prevConds: Obj[] = dep.status?.conditions ?? [];
    const prevC = (t: string) => prevConds.find((c) => c.type === t);
    const cond = (type: string, status: string, reason: string, message: string, touch: boolean) => {
      const old = prevC(type);
      const same = old && old.status === status && old.reason === reason && old.message === message;
      return { type, status, lastUpdateTime: same && !touch ? old.lastUpdateTime : ts(), lastTransitionTime: old && old.status === status ? old.lastTransitionTime : ts(), reason, message };
    };
    const avail = (st.availableReplicas ?? 0) >= replicas - maxUnavail;
    const available = cond("Available", avail ? "True" : "False", avail ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", avail ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", false);
    const complete = (st.updatedReplicas ?? 0) === replicas && (st.replicas ?? 0) === replicas && (st.availableReplicas ?? 0) === replicas && olds.every((o) => o.spec.replicas === 0);
    const progKey = JSON.stringify([newRs.metadata.name, st.updatedReplicas, st.availableReplicas, st.readyReplicas, st.replicas]);
    const pr = cl.deployProgress.get(dep.metadata.uid);
    let progressing: Obj;
    if (complete) progressing = cond("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${newRs.metadata.name}" has successfully progressed.`, false);
    else if (created) progressing = cond("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${newRs.metadata.name}"`, true);
    else if (!pr || pr.key !== progKey) {
      progressing = prevC("Progressing")?.reason === "ProgressDeadlineExceeded" && pr?.key === progKey ? prevC("Progressing")! : cond("Progressing", "True", pr ? "ReplicaSetUpdated" : prevC("Progressing")?.reason ?? "ReplicaSetUpdated", pr ? `ReplicaSet "${newRs.metadata.name}" is progressing.` : prevC("Progressing")?.message ?? `ReplicaSet "${newRs.metadata.name}" is progressing.`, !!pr);
    } else if (now - pr.at > cl.d((dep.spec.progressDeadlineSeconds ?? 600) * 1000)) {
      progressing = cond("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${newRs.metadata.name}" has timed out progressing.`, false);
    } else progressing = prevC("Progressing") ?? cond("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${newRs.metadata.name}" is progressing.`, true);
    if (!pr || pr.key !== progKey) cl.deployProgress.set(dep.metadata.uid, { key: progKey, at: now });
    if (progressing.reason === "ProgressDeadlineExceeded" && prevC("Progressing")?.reason !== "ProgressDeadlineExceeded") cl.event(dep, "Warning", "ProgressDeadlineExceeded", `Deployment "${dep.metadata.name}" has timed out progressing.`, "deployment-controller");
    st.conditions = [available, progressing];
    cl.api.writeStatus(res("deployments", "apps"), dep, st);
  }
}

export function replicasets(cl: Cluster) {
  const rsR = res("replicasets", "apps");
  for (const rs of cl.api.store.list(rsR)) {
    if (rs.metadata.deletionTimestamp) continue;
    const pods = cl.ownedPods(rs);
    const active = pods.filter((p) => cl.podActive(p));
    const want = rs.spec.replicas ?? 1;
    if (active.length < want) for (let i = active.length; i < want; i++) cl.createPod(rs, rs.spec.template, { generateName: `${rs.metadata.name}-` });
    else if (active.length > want) {
      const rank = (p: Obj) => (!p.spec.nodeName ? 0 : !cl.podReady(p) ? 1 : 2);
      const victims = [...active].sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "")).slice(0, active.length - want);
      for (const v of victims) { cl.api.delete(res("pods"), v.metadata.namespace, v.metadata.name, {}); cl.event(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${v.metadata.name}`, "replicaset-controller"); }
    }
    const fresh = cl.ownedPods(rs).filter((p) => cl.podActive(p));
    const st: Obj = { replicas: fresh.length, fullyLabeledReplicas: fresh.length, readyReplicas: fresh.filter((p) => cl.podReady(p)).length, availableReplicas: fresh.filter((p) => cl.podReady(p)).length, observedGeneration: rs.metadata.generation };
    for (const k of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"]) if (!st[k]) delete st[k];
    cl.api.writeStatus(rsR, rs, st);
  }
}
