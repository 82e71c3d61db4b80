// Endpoints and EndpointSlices from Service selectors, and PodDisruptionBudget status.
import type { Cluster } from "./index";
import { res } from "../resources";
import { matchSelectorObj, matchMapSelector } from "../selectors";
import { deepEqual, intOrPercent, ts, type Obj } from "../util";

// ------------------------------------------------------------------------------------------------ endpoints
export function endpoints(cl: Cluster) {
  const pods = cl.api.store.list(res("pods"));
  for (const svc of cl.api.store.list(res("services"))) {
    const ns = svc.metadata.namespace;
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) continue;
    const sel = pods.filter((p) => p.metadata.namespace === ns && matchMapSelector(svc.spec.selector, p.metadata.labels) && p.status?.podIP && p.status.phase !== "Succeeded" && p.status.phase !== "Failed");
    const ref = (p: Obj) => ({ kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid });
    const ready = sel.filter((p) => cl.podReady(p) && !p.metadata.deletionTimestamp);
    const notReady = sel.filter((p) => !ready.includes(p));
    const portOf = (sp: Obj) => (typeof sp.targetPort === "number" ? sp.targetPort : Number(sp.targetPort) || sp.port);
    const ports = (svc.spec.ports ?? []).map((sp: Obj) => ({ ...(sp.name ? { name: sp.name } : {}), port: portOf(sp), protocol: sp.protocol ?? "TCP" }));
    const subsets = sel.length ? [{
      ...(ready.length ? { addresses: ready.map((p) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: ref(p) })) } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady.map((p) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: ref(p) })) } : {}),
      ports,
    }] : undefined;
    const epR = res("endpoints");
    const ep = cl.api.tryGet(epR, ns, svc.metadata.name);
    const labels = { ...(svc.metadata.labels ?? {}), "endpoints.kubernetes.io/managed-by": "endpoint-controller" };
    if (!ep) cl.api.create(epR, ns, { metadata: { name: svc.metadata.name, labels }, ...(subsets ? { subsets } : {}) }, { fieldManager: "kube-controller-manager" });
    else if (!deepEqual(ep.subsets, subsets)) cl.api.writeSpec(epR, ep, (o) => { if (subsets) o.subsets = subsets; else delete o.subsets; });
    const slR = res("endpointslices", "discovery.k8s.io");
    const slices = cl.api.store.list(slR, ns).filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name);
    const endpoints = sel.map((p) => ({
      addresses: [p.status.podIP],
      conditions: { ready: ready.includes(p), serving: cl.podReady(p), terminating: !!p.metadata.deletionTimestamp },
      nodeName: p.spec.nodeName, targetRef: ref(p),
    }));
    const body = { addressType: "IPv4", endpoints, ports };
    if (!slices.length) {
      cl.api.create(slR, ns, {
        metadata: {
          generateName: `${svc.metadata.name}-`,
          labels: { ...(svc.metadata.labels ?? {}), "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "kubernetes.io/service-name": svc.metadata.name },
          ownerReferences: [{ apiVersion: "v1", kind: "Service", name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        ...body,
      }, { fieldManager: "kube-controller-manager" });
    } else if (!deepEqual({ addressType: slices[0].addressType, endpoints: slices[0].endpoints, ports: slices[0].ports }, body)) {
      cl.api.writeSpec(slR, slices[0], (o) => { o.endpoints = endpoints; o.ports = ports; });
    }
  }
  for (const ep of cl.api.store.list(res("endpoints"))) {
    if (ep.metadata.labels?.["endpoints.kubernetes.io/managed-by"] !== "endpoint-controller") continue;
    if (!cl.api.tryGet(res("services"), ep.metadata.namespace, ep.metadata.name)) cl.api.remove(res("endpoints"), ep);
  }
}

export function pdbs(cl: Cluster) {
  const r = res("poddisruptionbudgets", "policy");
  for (const pdb of cl.api.store.list(r)) {
    const pods = cl.api.store.list(res("pods"), pdb.metadata.namespace).filter((p) => cl.podActive(p) && matchSelectorObj(pdb.spec?.selector ?? {}, p.metadata.labels));
    const expected = pods.length;
    const healthy = pods.filter((p) => cl.podReady(p)).length;
    const desired = pdb.spec?.minAvailable !== undefined ? intOrPercent(pdb.spec.minAvailable, expected, true, 0) : Math.max(0, expected - intOrPercent(pdb.spec?.maxUnavailable, expected, true, 0));
    const allowed = Math.max(0, healthy - desired);
    const old = (pdb.status?.conditions ?? [])[0];
    const cs = allowed > 0 ? "True" : "False";
    const st = {
      observedGeneration: pdb.metadata.generation, disruptionsAllowed: allowed, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected,
      conditions: [{ type: "DisruptionAllowed", status: cs, reason: allowed > 0 ? "SufficientPods" : "InsufficientPods", message: "", observedGeneration: pdb.metadata.generation, lastTransitionTime: old && old.status === cs ? old.lastTransitionTime : ts() }],
    };
    cl.api.writeStatus(r, pdb, st);
  }
}
