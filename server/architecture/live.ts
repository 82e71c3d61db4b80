import "server-only";
import { KubeError } from "@/server/kube/error";
import { listCronJobs, listJobs } from "@/server/kube/jobs";
import { listNodes as kubeNodes, listPods, podReady, readDaemonSet, readDeployment, readService, selectorOf } from "@/server/kube/workloads";
import { technitiumApis } from "@/server/technitium/client";
import { ownedBy, summarise } from "@/server/cronjobs/jobs";
import { lastRunOf } from "@/server/cronjobs/last-run";
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
    const clients = technitiumApis();
    const pods = await technitiumPods(cfg);
    const results = await Promise.all(
      clients.map(async (c) => {
        try {
          const [session, zones] = await Promise.all([c.version({ refresh: true, timeoutMs: 3000 }), c.listZones({ timeoutMs: 3000 })]);
          const user: ZoneRow[] = zones.filter((z) => !z.internal);
          return { name: c.name, primary: c.primary, up: true, version: session.version, zones: user };
        } catch (err) {
          return { name: c.name, primary: c.primary, up: false, error: err instanceof Error ? err.message : String(err) };
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
    const tolerant = async <T,>(p: Promise<T[]>): Promise<T[]> => {
      try {
        return await p;
      } catch (err) {
        if (err instanceof KubeError && (err.kind === "not_found" || err.status.code === 403)) return [];
        throw err;
      }
    };
    const lists = await Promise.all(namespaces.map(async (ns) => ({ cjs: await tolerant(listCronJobs(ns, "page")), jobs: await tolerant(listJobs(ns)) })));
    const all = lists.flatMap((l) => l.cjs);
    const jobs = lists.flatMap((l) => l.jobs);
    return cfg.cronJobs.map((want) => {
      const cj = all.find((c) => c.metadata?.name === want.name && c.metadata?.namespace === want.namespace);
      if (!cj) return { name: want.name, namespace: want.namespace, managed: want.managed, exists: false, lastRun: "never" };
      const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : undefined);
      const sched = iso(cj.status?.lastScheduleTime);
      const succ = iso(cj.status?.lastSuccessfulTime);
      // the same answer as the CronJobs tab: the newest owned Job (manual runs too), else the CronJob's status
      const newest = jobs.filter((j) => ownedBy(j, cj)).map(summarise).sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)))[0];
      const last = lastRunOf({ lastScheduleTime: sched, lastSuccessfulTime: succ, active: cj.status?.active?.length ?? 0 }, newest);
      return { name: want.name, namespace: want.namespace, managed: want.managed, exists: true, lastScheduleTime: last.at ?? sched, lastSuccessfulTime: succ, lastRun: last.state, lastJob: last.job, suspended: cj.spec?.suspend ?? false };
    });
  });
