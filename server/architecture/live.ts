import "server-only";
import { KubeError } from "@/server/kube/error";
import { listCronJobs } from "@/server/kube/jobs";
import { listNodes as kubeNodes, listPods, podReady, readDaemonSet, readDeployment, readService, selectorOf } from "@/server/kube/workloads";
import { technitiumClients } from "@/server/technitium/client";
import type { ArchConfig, CoreDnsState, CronJobState, Live, NodeLocalState, ServiceState, TechnitiumState } from "./estate";

/**
 * Live state readers for the graph and the tracer. Each returns a Live<T> and never throws, so one unreachable
 * source only greys out its own nodes. Kubernetes reads go through the door (server/kube) with its "page" budget: a
 * slow API server greys the graph out after a few seconds instead of hanging the page.
 */

export async function live<T>(fn: () => Promise<T>, source: "kube" | "other" = "kube"): Promise<Live<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (source === "kube" && err instanceof KubeError) return { ok: false, error: `${err.what}: ${err.message}` };
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export const listNodes = () => live(async () => (await kubeNodes("page")).map((n) => n.metadata?.name ?? "").filter(Boolean).sort());

export const nodeLocalState = (cfg: ArchConfig) =>
  live(async (): Promise<NodeLocalState> => {
    const ds = await readDaemonSet(cfg.nodeLocalNamespace, cfg.nodeLocalName, "page");
    if (!ds) return { deployed: false, desired: 0, ready: 0, nodes: [] };
    const selector = selectorOf(ds.spec?.selector?.matchLabels);
    const [pods, nodes] = await Promise.all([selector ? listPods(cfg.nodeLocalNamespace, selector, "page") : Promise.resolve([]), listNodes()]);
    const byNode = new Map<string, { ready: boolean; podIp?: string }>();
    for (const p of pods) if (p.spec?.nodeName) byNode.set(p.spec.nodeName, { ready: podReady(p), podIp: p.status?.podIP });
    const names = nodes.ok ? nodes.value : [...byNode.keys()].sort();
    return {
      deployed: true,
      desired: ds.status?.desiredNumberScheduled ?? 0,
      ready: ds.status?.numberReady ?? 0,
      nodes: names.map((n) => ({ node: n, ready: byNode.get(n)?.ready ?? false, podIp: byNode.get(n)?.podIp })),
    };
  });

export const coreDnsState = (cfg: ArchConfig) =>
  live(async (): Promise<CoreDnsState> => {
    const d = await readDeployment(cfg.coreDnsNamespace, cfg.coreDnsDeployment, "page");
    if (!d) throw new Error(`Deployment ${cfg.coreDnsNamespace}/${cfg.coreDnsDeployment} does not exist`);
    const pods = await listPods(cfg.coreDnsNamespace, selectorOf(d.spec?.selector?.matchLabels ?? { "k8s-app": "kube-dns" }), "page");
    return {
      desired: d.spec?.replicas ?? 0,
      ready: d.status?.readyReplicas ?? 0,
      pods: pods.map((p) => ({ name: p.metadata?.name ?? "?", ip: p.status?.podIP, node: p.spec?.nodeName, ready: podReady(p) })).sort((a, b) => a.name.localeCompare(b.name)),
    };
  });

/** A Service: exists, its ClusterIP/LB ingress, and how many ready pods its selector matches. */
export const serviceState = (namespace: string, name: string) =>
  live(async (): Promise<ServiceState> => {
    const svc = await readService(namespace, name, "page");
    if (!svc) return { exists: false };
    const sel = selectorOf(svc.spec?.selector);
    const endpoints = sel ? (await listPods(namespace, sel, "page")).filter(podReady).length : undefined;
    const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? "").filter(Boolean);
    return { exists: true, clusterIp: svc.spec?.clusterIP, externalIps: ingress, endpoints };
  });

/** Technitium pods (IP, name) per instance, matched by the instance's app label. */
export const technitiumPods = (cfg: ArchConfig) =>
  live(async () => {
    const pods = await listPods(cfg.technitiumNamespace, cfg.technitiumPodSelector, "page");
    return cfg.technitiumInstances.map((inst) => {
      const p = pods.filter((x) => x.metadata?.labels?.app === inst.appLabel).sort((a, b) => Number(podReady(b)) - Number(podReady(a)))[0];
      return { instance: inst.name, primary: inst.primary, podName: p?.metadata?.name, ip: p?.status?.podIP, ready: p ? podReady(p) : false };
    });
  });

interface ZoneRow {
  name: string;
  type: string;
  internal?: boolean;
  soaSerial?: number;
}

/** Up/down, version, zone count, and whether each replica's zones carry the primary's serials. */
export async function technitiumState(cfg: ArchConfig): Promise<Live<TechnitiumState[]>> {
  return live(async () => {
    const clients = technitiumClients();
    const pods = await technitiumPods(cfg);
    const results = await Promise.all(
      clients.map(async (c) => {
        try {
          const [session, zones] = await Promise.all([
            c.call<{ info?: { version?: string } }>("user/session/get", {}, { timeoutMs: 3000, retries: 0 }),
            c.call<{ zones?: ZoneRow[] }>("zones/list", {}, { timeoutMs: 3000, retries: 0 }),
          ]);
          const user = (zones.zones ?? []).filter((z) => !z.internal);
          return { name: c.name, primary: c.instance.primary, up: true, version: session.info?.version, zones: user };
        } catch (err) {
          return { name: c.name, primary: c.instance.primary, up: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    const primary = results.find((r) => r.primary);
    const primaryZones = primary && "zones" in primary ? primary.zones : undefined;
    return results.map((r): TechnitiumState => {
      const pod = pods.ok ? pods.value.find((p) => p.instance === r.name) : undefined;
      const base = { name: r.name, primary: r.primary, podIp: pod?.ip, podName: pod?.podName };
      if (!("zones" in r) || !r.zones) return { ...base, up: false, error: "error" in r ? r.error : undefined };
      let outOfStep: string[] | undefined;
      if (!r.primary && primaryZones) {
        const mine = new Map(r.zones.map((z) => [z.name, z.soaSerial]));
        outOfStep = primaryZones.filter((z) => z.type === "Primary" && mine.get(z.name) !== z.soaSerial).map((z) => z.name || ".");
      }
      return { ...base, up: true, version: r.version, zoneCount: r.zones.length, outOfStep: r.primary ? [] : outOfStep };
    });
  }, "other");
}

export const cronJobStates = (cfg: ArchConfig) =>
  live(async (): Promise<CronJobState[]> => {
    const namespaces = [...new Set(cfg.cronJobs.map((c) => c.namespace))];
    const lists = await Promise.all(
      namespaces.map(async (ns) => {
        try {
          return await listCronJobs(ns, "page");
        } catch (err) {
          if (err instanceof KubeError && (err.kind === "not_found" || err.status.code === 403)) return [];
          throw err;
        }
      }),
    );
    const all = lists.flat();
    return cfg.cronJobs.map((want) => {
      const cj = all.find((c) => c.metadata?.name === want.name && c.metadata?.namespace === want.namespace);
      if (!cj) return { name: want.name, namespace: want.namespace, exists: false, lastRun: "never" };
      const sched = cj.status?.lastScheduleTime ? new Date(cj.status.lastScheduleTime).toISOString() : undefined;
      const succ = cj.status?.lastSuccessfulTime ? new Date(cj.status.lastSuccessfulTime).toISOString() : undefined;
      const running = (cj.status?.active ?? []).length > 0;
      const lastRun: CronJobState["lastRun"] = !sched ? "never" : succ && succ >= sched ? "ok" : running ? "running" : "failed";
      return { name: want.name, namespace: want.namespace, exists: true, lastScheduleTime: sched, lastSuccessfulTime: succ, lastRun, suspended: cj.spec?.suspend ?? false };
    });
  });
