import "server-only";
import type { StackConfig } from "@/k8s/config";
import { listPods } from "@/server/kube/workloads";
import { podFacts, probeHop } from "./pods";
import { type HopCheck, type RolloutOptions, sleep } from "./types";

/**
 * After a Corefile change (every replica reloads at once, no rollout gate): ask every hop — each CoreDNS pod by
 * its IP and each node's cache — until each answers or `windowMs` passes.
 */
export async function verifyResolution(config: StackConfig, opts: RolloutOptions & { windowMs: number }): Promise<{ ok: boolean; hops: HopCheck[] }> {
  const corednsPods = (await listPods(config.coredns.namespace, "k8s-app=kube-dns")).map(podFacts).filter((p) => p.ip && p.phase === "Running" && !p.deleting);
  const nlPods = (await listPods(config.nodelocal.namespace, `k8s-app=${config.nodelocal.name}`)).map(podFacts).filter((p) => p.node && p.phase === "Running" && !p.deleting);
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
