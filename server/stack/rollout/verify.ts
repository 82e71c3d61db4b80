import "server-only";
import type { StackConfig } from "@/k8s/config";
import { listPods } from "@/server/kube/workloads";
import { podFacts, probeHop } from "./pods";
import { type HopCheck, type RolloutOptions, sleep } from "./types";

/** A host every homelab has under its internal zone (the architecture document's own examples use idrac). */
const INTERNAL_HOST = "idrac";
/** A public name: what a Corefile change to the `.` block (forwarders, serve_stale) usually breaks. */
export const PUBLIC_NAME = "github.com";

/** The names a Corefile change is verified with: a cluster name, an internal (Technitium) name and a public name. */
export function verifyNames(config: StackConfig): string[] {
  return [`kubernetes.default.svc.${config.nodelocal.clusterDomain}`, `${INTERNAL_HOST}.${config.coredns.internalZone.zone}`, PUBLIC_NAME];
}

export interface VerifyResult {
  ok: boolean;
  hops: HopCheck[];
  names: string[];
  /** While watching: the change may still be loading; the verdict comes when the window ends. */
  pending?: boolean;
  windowMs: number;
  /** Epoch ms when the window ends (while pending). */
  until?: number;
  /**
   * The window did not end: the dnsdeck process watching it was killed (the sweep, server/runs/lease.ts) or handed
   * over on SIGTERM. `ok` is then false and the hops are the last round seen; Resume verifies again.
   */
  interrupted?: boolean;
}

/**
 * After a Corefile change (every replica reloads at once, no rollout gate). A ConfigMap change reaches a pod only
 * after the kubelet projects it and the `reload` plugin notices (up to ~1.5 min in a kubeadm cluster; reference
 * nodelocal-coredns §3.10), so an early answer proves only that the OLD Corefile still works. Every hop — each CoreDNS
 * pod by its IP, each node's cache, the pods' resolver on each node — is asked a cluster, an internal and a public
 * name for the whole window, all hops of a round at once (a broken chain answers by timeouts, which must not add up
 * hop by hop); the verdict is the last round's, and any failure seen on the way is kept in the hop's detail.
 * `onProgress` gets each round (the run page shows the time left).
 */
export async function verifyResolution(
  config: StackConfig,
  opts: RolloutOptions & { windowMs: number; onRound?: (v: VerifyResult) => Promise<void> | void },
): Promise<VerifyResult> {
  const corednsPods = (await listPods(config.coredns.namespace, "k8s-app=kube-dns")).map(podFacts).filter((p) => p.ip && p.phase === "Running" && !p.deleting);
  const nlPods = (await listPods(config.nodelocal.namespace, `k8s-app=${config.nodelocal.name}`)).map(podFacts).filter((p) => p.node && p.phase === "Running" && !p.deleting);
  const hops: HopCheck[] = [
    ...corednsPods.map((p) => ({ hop: `CoreDNS pod ${p.name}`, server: p.ip!, ok: false, detail: "not asked yet" })),
    ...nlPods.map((p) => ({ hop: `node cache on ${p.node}`, server: config.nodelocal.linkLocalIp, via: p.node, ok: false, detail: "not asked yet" })),
    // what pods actually use: the kube-dns ClusterIP, intercepted by the node cache in transparent mode
    ...nlPods.map((p) => ({ hop: `pods' resolver ${config.nodelocal.kubeDnsClusterIp} on ${p.node}`, server: config.nodelocal.kubeDnsClusterIp, via: p.node, ok: false, detail: "not asked yet" })),
  ];
  const names = verifyNames(config);
  const probeOpts = { ...opts, healthNames: names };
  const until = Date.now() + opts.windowMs;
  const failedOnTheWay = new Map<string, string>();
  for (;;) {
    const last = Date.now() >= until;
    if (opts.shouldStop?.()) break;
    // every hop at once: a broken chain answers by timeouts, and a round must not take hops × timeout
    const ask = (list: HopCheck[]) =>
      Promise.all(
        list.map(async (h) => {
          const r = await probeHop(h.server, h.via, probeOpts);
          h.ok = r.ok;
          if (!r.ok && !failedOnTheWay.has(h.hop)) failedOnTheWay.set(h.hop, `${new Date().toISOString().slice(11, 19)} UTC: ${r.detail}`);
          h.detail = r.ok && failedOnTheWay.has(h.hop) ? `${r.detail} (failed on the way, at ${failedOnTheWay.get(h.hop)})` : r.detail;
        }),
      );
    await ask(hops);
    // The verdict is the last round's: a hop that missed it is asked once more before it is called failing, as a
    // resolver would retry — one UDP answer lost or late on a busy node is not a broken Corefile. A broken hop fails twice.
    if (last && !opts.shouldStop?.()) await ask(hops.filter((h) => !h.ok));
    if (last || opts.shouldStop?.()) break;
    await opts.onRound?.({ ok: false, pending: true, hops: hops.map((h) => ({ ...h })), names, windowMs: opts.windowMs, until });
    await sleep(Math.min(opts.pollMs * 5, Math.max(0, until - Date.now())));
  }
  return { ok: hops.length > 0 && hops.every((h) => h.ok), hops, names, windowMs: opts.windowMs };
}
