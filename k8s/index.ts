import type { StackConfig } from "./config";
import { renderCoredns } from "./coredns";
import { renderNodeLocal } from "./nodelocal";
import { renderTechnitium } from "./technitium";
import type { Component, KubeObject, RenderedObject } from "./types";

/**
 * Public entry of k8s/: config → ordered server-side-apply intents. Pure, no I/O; importable by server/, the CLI
 * and tests.
 *
 * Order across components: Technitium first (CoreDNS and NodeLocal forward viktorbarzin.lan to its pinned
 * ClusterIP), then CoreDNS (kube-dns-upstream selects its pods), then NodeLocal. Inside each component: PVCs,
 * ServiceAccounts, the upstream Service, ConfigMaps before workloads, PDBs and CronJobs after.
 */

export * from "./config";
export * from "./types";
export { renderCorednsCorefile, renderNodeLocalCorefile, CLUSTER_DNS_PLACEHOLDER, UPSTREAM_SERVERS_PLACEHOLDER } from "./corefile-render";
export { renderNodeLocal, nodeCacheArgs, upstreamServiceEnvVar } from "./nodelocal";
export { renderCoredns } from "./coredns";
export { renderTechnitium } from "./technitium";

const BASE: Record<Component, number> = { technitium: 100, coredns: 200, nodelocal: 300 };
const RENDERERS: Record<Component, (c: StackConfig) => KubeObject[]> = {
  technitium: renderTechnitium,
  coredns: renderCoredns,
  nodelocal: renderNodeLocal,
};

/** One component's objects, in apply order, with global order numbers. */
export function renderComponent(config: StackConfig, component: Component): RenderedObject[] {
  return RENDERERS[component](config).map((object, i) => ({ component, order: BASE[component] + i, object }));
}

/** Every object of the DNS stack, sorted by `order` (the apply order). */
export function renderStack(config: StackConfig): RenderedObject[] {
  return (["technitium", "coredns", "nodelocal"] as const).flatMap((c) => renderComponent(config, c));
}
