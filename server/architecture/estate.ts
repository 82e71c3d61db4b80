import type { EdgeTraffic } from "@/server/prometheus/types";
/**
 * The shapes the pure generators (graph, paths, trace plan) work on. `ArchConfig` is the slice of the stack config
 * they need (mapped from k8s/config.ts in ./stack-config); `Estate` is live state, where every source may be
 * missing (`undefined` = that source could not be read, so its nodes are "unknown" — never the whole graph).
 */
import type { Health } from "./mermaid-text";
import type { DnsProbes } from "./probes";

export interface ArchConfig {
  /** NodeLocal DNSCache link-local address (169.254.20.10). */
  linkLocalIp: string;
  /** kube-dns ClusterIP, co-listened by NodeLocal in transparent mode (10.96.0.10). */
  kubeDnsIp: string;
  nodeLocalName: string;
  upstreamServiceName: string;
  /** CoreDNS `.:53` forwarders, in order (policy sequential). */
  coreDnsForwarders: string[];
  internalZone: string;
  technitiumClusterIp: string;
  technitiumLbIp: string;
  technitiumNamespace: string;
  technitiumInstances: { name: string; deployment: string; appLabel: string; primary: boolean }[];
  /** Pod label every Technitium instance carries (the DNS Services select on it). */
  technitiumPodSelector: string;
  coreDnsNamespace: string;
  coreDnsDeployment: string;
  nodeLocalNamespace: string;
  lbServiceName: string;
  clusterIpServiceName: string;
  /** `managed` = part of the stack config (missing is a fault); others are drawn from the seed (missing = unknown). */
  cronJobs: { name: string; namespace: string; schedule: string; managed: boolean }[];
  /** Split Horizon address translation: for clients in `network`, `from` (public) is answered as `to` (internal). */
  splitHorizon: { network: string; from: string; to: string }[];
  pfSense: { k8sVlanIp: string; mgmtVlanIp: string; lanWanIp: string };
  /** NodeLocal server blocks: where each zone's misses go ("cluster-dns" = kube-dns-upstream → CoreDNS). */
  nodeLocalZones: { zone: string; forward: "cluster-dns" | "upstream-servers" | string[] }[];
  /** CoreDNS internal-zone block: the ndots junk template (Go regexp on the FQDN with trailing dot). */
  coreDnsTemplate?: { regex: string; rcode: string };
  coreDnsPolicy: string;
  /** Where pfSense and Technitium send public names (Cloudflare 1.1.1.1). */
  publicUpstream: string;
  clusterDomain: string;
  clusterNdots: number;
  lanNetwork: string;
}

export type Live<T> = { ok: true; value: T } | { ok: false; error: string };

export interface NodeLocalState {
  deployed: boolean;
  desired: number;
  ready: number;
  /** Per node: ready or not (nodes without a pod are listed with ready=false). */
  nodes: { node: string; ready: boolean; podIp?: string }[];
}

export interface CoreDnsState {
  desired: number;
  ready: number;
  pods: { name: string; ip?: string; node?: string; ready: boolean }[];
}

export interface ServiceState {
  exists: boolean;
  clusterIp?: string;
  externalIps?: string[];
  endpoints?: number;
}

export interface TechnitiumState {
  name: string;
  primary: boolean;
  up: boolean;
  error?: string;
  version?: string;
  zoneCount?: number;
  /** Zones whose serial differs from the primary's, or that are missing here. Empty = in step. */
  outOfStep?: string[];
  podIp?: string;
  podName?: string;
}

export interface CronJobState {
  name: string;
  namespace: string;
  exists: boolean;
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  /** ok = the last scheduled run succeeded; failed = a later schedule has no success; never = not yet run. */
  lastRun: "ok" | "failed" | "running" | "never";
  /** The Job that last run is (server/cronjobs/last-run.ts), when one is kept. */
  lastJob?: string;
  /** Part of the stack config (dnsdeck manages and lists it); false = drawn from the seed, another team's job. */
  managed?: boolean;
  suspended?: boolean;
}

export interface QueryLogState {
  rows: number;
  newest?: string;
  lagSeconds?: number;
}

export interface Estate {
  nodes?: Live<string[]>;
  nodeLocal?: Live<NodeLocalState>;
  coreDns?: Live<CoreDnsState>;
  upstreamService?: Live<ServiceState>;
  technitium?: Live<TechnitiumState[]>;
  lbService?: Live<ServiceState>;
  clusterIpService?: Live<ServiceState>;
  cronJobs?: Live<CronJobState[]>;
  queryLogs?: Live<QueryLogState>;
  /** Live rates from Prometheus (absent without PROMETHEUS_URL). */
  traffic?: Live<EdgeTraffic>;
  /** What each DNS hop answered just now (./probes.ts); absent when not probed. */
  probes?: DnsProbes;
}

export interface GraphNode {
  id: string;
  label: string;
  health: Health;
  details?: Record<string, string | number | boolean | null>;
  href?: string;
}
