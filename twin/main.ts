// The whole homelab twin in one process: Kubernetes API, three Technitium instances, the DNS chain, query logs and
// the fault panel. `startTwin` returns the environment dnsdeck needs to point at it — the same variables it would
// get in the real cluster, with DNS_ADDRESS_MAP standing loopback in for cluster addresses.
import { kubeFetch } from "./kube/https-fetch";
import path from "node:path";
import { startDnsTwin } from "./dns";
import { startKubeTwin } from "./kube";
import { createChainMetrics, METRICS_JOBS, type ChainMetrics } from "./metrics/chain";
import { startTraffic } from "./metrics/traffic";
import { startPanel } from "./panel";
import { appendLive, generateQueryLogs } from "./querylogs/generate";
import { startTechnitiumTwin, twinTechnitiumVersion } from "./technitium";

export interface TwinOptions {
  stateDir: string;
  /** Controller speed: 1 = demo pace; tests run faster. */
  speed?: number;
  /** Fill Technitium's dns_logs table in this database. */
  queryLogs?: { databaseUrl: string; days: number; perDay: number; livePerSecond?: number; /** 1 for single-connection servers (PGlite) */ parallel?: number };
  panelPort?: number;
  /** The DNS chain's one port (0 = the kernel picks one; the address map carries it to dnsdeck). */
  dnsPort?: number;
  log?: (line: string) => void;
  /** Metrics endpoints per CoreDNS pod / NodeLocal node (and pod traffic through the chain, queries/s on average). */
  metrics?: { port?: number; trafficPerSecond?: number };
}

export interface Twin {
  appEnv: Record<string, string>;
  admin: { kubeUrl: string; kubeAdminToken: string; panelUrl: string; kubeconfig: string; dnsPort: number; technitiumDns: { name: string; host: string; port: number }[] };
  /** With `metrics`: the scrape jobs and the file_sd target files Prometheus should read. */
  scrape?: { job: string; file: string }[];
  stop(): Promise<void>;
}

export async function startTwin(opts: TwinOptions): Promise<Twin> {
  const log = opts.log ?? (() => {});
  const stops: (() => Promise<unknown>)[] = [];
  try {
    // one Technitium release for the whole homelab: the API/DNS twin and the image its Deployments run
    const version = twinTechnitiumVersion();
    const kube = await startKubeTwin({ stateDir: path.join(opts.stateDir, "kube"), speed: opts.speed ?? 1, technitiumImage: `technitium/dns-server:${version}.0` });
    stops.push(() => kube.stop());
    log(`kubernetes API twin on ${kube.url}`);
    const technitium = await startTechnitiumTwin({ stateDir: path.join(opts.stateDir, "technitium"), kubeUrl: kube.url, version, queryLogDatabaseUrl: version === "15.2" ? opts.queryLogs?.databaseUrl : undefined });
    stops.push(() => technitium.stop());
    log(`technitium twin: ${technitium.instances.map((i) => `${i.name} ${i.url}`).join(", ")}`);
    let metrics: ChainMetrics | undefined;
    if (opts.metrics) {
      metrics = await startMetrics(path.join(opts.stateDir, "prometheus-targets"), opts.metrics.port);
      stops.push(() => metrics!.stop());
    }
    const dns = await startDnsTwin({ kubeUrl: kube.url, kubeToken: kube.token, technitium, reloadMs: 1500, metrics, port: opts.dnsPort ?? 0 });
    stops.push(() => dns.stop());
    log(`DNS chain twin on 127.x.y.z:${dns.port}${metrics ? `, metrics on :${metrics.exporter.port}` : ""}`);
    if (opts.metrics?.trafficPerSecond) {
      const nodes = [...new Set(dns.hops().filter((h) => h.hop.startsWith("nodelocal:")).map((h) => h.hop.slice(10)))];
      const traffic = startTraffic({ addressMap: dns.addressMap, nodes, perSecond: opts.metrics.trafficPerSecond });
      stops.unshift(async () => traffic.stop());
    }
    if (opts.queryLogs) {
      const q = opts.queryLogs;
      const r = await generateQueryLogs({ databaseUrl: q.databaseUrl, days: q.days, perDay: q.perDay, parallel: q.parallel });
      log(`query logs: ${r.rows} rows over ${q.days} days in ${r.seconds.toFixed(1)} s`);
      if (q.livePerSecond) {
        const live = await appendLive({ databaseUrl: q.databaseUrl, perSecond: q.livePerSecond });
        stops.push(() => live.stop());
      }
    }
    const panel = await startPanel({ kubeUrl: kube.url, kubeAdminToken: kube.adminToken, technitium, dns }, opts.panelPort ?? 0);
    stops.push(() => panel.stop());
    // dnsdeck names the instances as the homelab does, by Service (k8s/deploy), and reaches each by the ClusterIP the
    // Kubernetes API gives (server/technitium/endpoint.ts); the address map carries ClusterIP:5380 to the twin's port
    const web = await technitiumServiceUrls(kube, technitium.instances);
    const appEnv: Record<string, string> = {
      KUBECONFIG: kube.kubeconfigPath,
      TECHNITIUM_INSTANCES: web.instances,
      DNS_ADDRESS_MAP: [dns.addressMap, ...web.addressMap].filter(Boolean).join(","),
      DEMO_TWIN_PANEL_URL: panel.url,
      // the twin's kubelet projects a ConfigMap at once and its CoreDNS/NodeLocal reload every 1.5 s (a kubeadm cluster:
      // up to ~90 s, dnsdeck's default), so a Corefile change has loaded everywhere well within 10 s
      DNSDECK_VERIFY_WINDOW_MS: "10000",
    };
    for (const i of technitium.instances) appEnv[`TECHNITIUM_TOKEN_${i.name.toUpperCase()}`] = i.token;
    return {
      appEnv,
      admin: {
        kubeUrl: kube.url,
        kubeAdminToken: kube.adminToken,
        panelUrl: panel.url,
        kubeconfig: kube.kubeconfigPath,
        dnsPort: dns.port,
        technitiumDns: technitium.instances.map((i) => ({ name: i.name, host: i.dnsHost, port: i.dnsPort })),
      },
      scrape: metrics ? METRICS_JOBS.map((job) => ({ job, file: metrics!.exporter.targetsFile(job) })) : undefined,
      async stop() {
        for (const s of stops.reverse()) await s().catch(() => {});
      },
    };
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => {});
    throw err;
  }
}

const WEB_SERVICES: Record<string, string> = { primary: "technitium-web", secondary: "technitium-secondary-web", tertiary: "technitium-tertiary-web" };

/** `name=http://<svc>.technitium.svc.cluster.local:5380,…` and the `ClusterIP:5380=127.0.0.1:<port>` entries for them. */
async function technitiumServiceUrls(kube: { url: string; token: string }, instances: { name: string; url: string }[]): Promise<{ instances: string; addressMap: string[] }> {
  const urls: string[] = [];
  const map: string[] = [];
  for (const i of instances) {
    const svc = WEB_SERVICES[i.name];
    const res = svc ? await kubeFetch(`${kube.url}/api/v1/namespaces/technitium/services/${svc}`, { headers: { authorization: `Bearer ${kube.token}`, accept: "application/json" } }) : null;
    const ip = res?.ok ? ((await res.json()) as { spec?: { clusterIP?: string } }).spec?.clusterIP : undefined;
    if (!svc || !ip) {
      urls.push(`${i.name}=${i.url}`);
      continue;
    }
    urls.push(`${i.name}=http://${svc}.technitium.svc.cluster.local:5380`);
    map.push(`${ip}:5380=${new URL(i.url).host}`);
  }
  return { instances: urls.join(","), addressMap: map };
}

/** The exporter on a free port of the pod/node loopback addresses (another twin may hold one: try a few). */
async function startMetrics(targetsDir: string, port?: number): Promise<ChainMetrics> {
  for (let attempt = 0; ; attempt++) {
    const p = port ?? 20000 + Math.floor(Math.random() * 20000);
    const m = createChainMetrics({ port: p, targetsDir });
    try {
      // probe the port on the kube-state-metrics address before any pod endpoint needs it
      await m.exporter.ensure("probe", { job: "probe", host: "127.0.0.1", instance: "probe", labels: {}, render: () => "" });
      await m.exporter.remove("probe");
      return m;
    } catch (err) {
      await m.stop();
      if (port !== undefined || attempt >= 5) throw err;
    }
  }
}

