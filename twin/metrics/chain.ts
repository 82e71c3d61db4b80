/**
 * The DNS chain twin's metrics: one CorednsMetrics per CoreDNS pod (CoreDNS 1.11.3, `:9153`) and per node running a
 * NodeLocal pod (node-cache 1.23.1 = CoreDNS 1.10.0, `:9253`), kept for the life of the pod (a Corefile reload keeps
 * the counters, as in one process), served by the exporter while the pod exists. Also a kube-state-metrics-shaped
 * endpoint for the Technitium Deployments' available replicas (what TechnitiumDNSDown reads).
 */
import type { ServerBlock } from "../dns/corefile";
import type { ClusterSnapshot } from "../dns/cluster";
import type { CorednsObserver } from "../dns/observer";
import { CorednsMetrics } from "./coredns";
import { MetricsExporter } from "./exporter";
import { Registry } from "./registry";

export interface ChainMetrics {
  coredns(pod: string): CorednsObserver;
  nodeLocal(node: string): CorednsObserver;
  configLoaded(which: "coredns" | "nodelocal", text: string, blocks: ServerBlock[]): void;
  reloadFailed(which: "coredns" | "nodelocal"): void;
  /** Endpoints follow the pods (called after every read of the cluster). */
  follow(snapshot: ClusterSnapshot): Promise<void>;
  exporter: MetricsExporter;
  stop(): Promise<void>;
}

export const METRICS_JOBS = ["coredns", "node-local-dns", "kube-state-metrics"];
const loop = (ip: string) => ip.replace(/^10\./, "127.");
const TECHNITIUM_DEPLOYMENTS: Record<string, string> = { primary: "technitium", secondary: "technitium-secondary", tertiary: "technitium-tertiary" };

export function createChainMetrics(o: { port: number; targetsDir: string }): ChainMetrics {
  const exporter = new MetricsExporter(o.port, o.targetsDir, METRICS_JOBS);
  const pods = new Map<string, CorednsMetrics>();
  const nodes = new Map<string, CorednsMetrics>();
  let last: { which: "coredns" | "nodelocal"; text: string; blocks: ServerBlock[] }[] = [];
  let snapshot: ClusterSnapshot | undefined;

  const nodeLocalServers = (b: ServerBlock) => (b.plugins.includes("bind") ? ["dns://169.254.20.10:53", "dns://10.96.0.10:53"] : ["dns://:53"]);
  const get = (map: Map<string, CorednsMetrics>, key: string, flavour: CorednsMetrics["flavour"]) => {
    let m = map.get(key);
    if (!m) {
      m = new CorednsMetrics(flavour);
      for (const l of last) if ((l.which === "coredns") === (flavour === "coredns-1.11.3")) m.configLoaded(l.text, l.blocks, l.which === "coredns" ? () => ["dns://:53"] : nodeLocalServers);
      map.set(key, m);
    }
    return m;
  };

  const ksm = new Registry();
  const available = ksm.gauge("kube_deployment_status_replicas_available", "The number of available replicas per deployment.", ["namespace", "deployment"]);
  const renderKsm = () => {
    for (const [instance, deployment] of Object.entries(TECHNITIUM_DEPLOYMENTS)) {
      const n = snapshot?.technitiumPods.filter((p) => p.instance === instance && p.ready).length ?? 0;
      available.set({ namespace: "technitium", deployment }, n);
    }
    return ksm.render();
  };

  return {
    exporter,
    coredns: (pod) => get(pods, pod, "coredns-1.11.3"),
    // keyed by pod: a NodeLocal pod replaced on its node is a new process whose counters start again, so the hop's
    // observer looks up the node's current pod at every call
    nodeLocal: (node) => {
      const cur = () => get(nodes, snapshot?.nodeLocalPods.find((p) => p.node === node && p.ready)?.name ?? `node:${node}`, "node-cache-1.23.1");
      return {
        served: (q) => cur().served(q),
        cache: (e) => cur().cache(e),
        forward: (e) => cur().forward(e),
        healthcheckFailure: (to) => cur().healthcheckFailure(to),
        healthcheckBroken: () => cur().healthcheckBroken(),
      };
    },
    configLoaded(which, text, blocks) {
      last = [...last.filter((l) => l.which !== which), { which, text, blocks }];
      for (const m of (which === "coredns" ? pods : nodes).values()) m.configLoaded(text, blocks, which === "coredns" ? () => ["dns://:53"] : nodeLocalServers);
    },
    reloadFailed(which) {
      for (const m of (which === "coredns" ? pods : nodes).values()) m.reloadFailure();
    },
    async follow(s) {
      snapshot = s;
      const want = new Set<string>(["ksm"]);
      for (const p of s.coreDnsPods) {
        if (!p.ip?.startsWith("10.")) continue;
        const m = get(pods, p.name, "coredns-1.11.3");
        want.add(`pod:${p.name}`);
        await exporter.ensure(`pod:${p.name}`, { job: "coredns", host: loop(p.ip), instance: `${p.ip}:9153`, labels: { namespace: "kube-system", pod: p.name, node: p.node ?? "" }, render: () => m.render() });
      }
      for (const p of s.nodeLocalPods) {
        if (!p.ip?.startsWith("10.") || !p.node) continue;
        const m = get(nodes, p.name, "node-cache-1.23.1");
        want.add(`node:${p.name}`);
        await exporter.ensure(`node:${p.name}`, { job: "node-local-dns", host: loop(p.ip), instance: `${p.ip}:9253`, labels: { namespace: "kube-system", pod: p.name, node: p.node }, render: () => m.render() });
      }
      await exporter.ensure("ksm", { job: "kube-state-metrics", host: "127.0.0.1", instance: "kube-state-metrics.kube-system:8080", labels: {}, render: renderKsm });
      for (const key of exporter.keys()) {
        if (want.has(key)) continue;
        await exporter.remove(key);
        // a new pod is a new process: its counters start again
        if (key.startsWith("pod:")) pods.delete(key.slice(4));
        if (key.startsWith("node:")) nodes.delete(key.slice(5));
      }
    },
    stop: () => exporter.stop(),
  };
}
