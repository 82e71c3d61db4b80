/** The shapes of GET /api/v1/metrics/dns, /api/v1/alerts and /api/v1/timeline (shared with the pages; type-only). */
export type Point = [number, number];
export type TierName = "nodelocal" | "coredns" | "technitium";

export interface TierSeries {
  tier: TierName;
  member: string;
  /** no sample near the end of the range (a pod that was replaced, a node without its cache now) */
  gone?: boolean;
  qps: Point[];
  cacheHitRatio: Point[];
  /** share of answers per rcode (0…1) */
  rcodes: Record<string, Point[]>;
  latencyP50: Point[];
  latencyP99: Point[];
  servedStale?: Point[];
  panics?: Point[];
  reloadErrors?: Point[];
}

export interface UpstreamSeries {
  to: string;
  rate: Point[];
  errors: Point[];
  healthcheckFailures: Point[];
  /** carries the most traffic at the end of the range */
  inUse: boolean;
}

export interface FunnelStage {
  key: "nodelocal" | "coredns-cache" | "coredns" | "technitium-authoritative" | "technitium-cached" | "technitium-recursive" | "technitium-blocked" | "technitium" | "upstreams";
  label: string;
  queries: number;
  share: number;
}

export interface Funnel {
  total: number;
  stages: FunnelStage[];
  perNode: { node: string; total: number; nodeCache: number; share: number }[];
  notes: string[];
}

export type PanelName = "nodelocal" | "coredns" | "upstreams" | "funnel" | "technitium";
export type PanelState = { ok: true; source: "prometheus" | "querylogs" } | { ok: false; kind: string; message: string };

export interface DnsMetrics {
  from: string;
  to: string;
  step: number;
  tiers: TierSeries[];
  upstreams: UpstreamSeries[];
  funnel: Funnel | null;
  panels: Record<PanelName, PanelState>;
  prometheusConfigured: boolean;
}

export interface AlertRuleState {
  name: string;
  group: string;
  state: "inactive" | "pending" | "firing" | "unknown";
  severity: string | null;
  summary: string | null;
  /** when the oldest active instance became pending */
  since: string | null;
  value: string | null;
  instances: { labels: Record<string, string>; state: string; activeAt: string | null; value: string; summary: string | null }[];
  health: string;
  lastError: string | null;
  fix: { href: string; label: string };
}

export interface AlertsResponse {
  configured: boolean;
  rules: AlertRuleState[];
  error: { kind: string; message: string } | null;
}

export type MarkerKind = "apply" | "rollback" | "corefile" | "sync" | "cronjob";
export interface TimelineMarker {
  id: string;
  kind: MarkerKind;
  at: string;
  label: string;
  status: string;
  href: string;
}

/** Live traffic for the architecture graph (server/prometheus/edges.ts). */
export interface EdgeRate {
  qps: number;
  errorShare: number;
}
export interface EdgeTraffic {
  nodeLocal: EdgeRate | null;
  coreDns: EdgeRate | null;
  /** forwards by target "ip:port" */
  nodeLocalForwards: Record<string, EdgeRate>;
  coreDnsForwards: Record<string, EdgeRate>;
  failingUpstreams: string[];
}

