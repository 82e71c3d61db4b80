"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { api } from "@/app/_components/api-client";
import { MARKER_COLORS } from "@/app/_components/timeline-strip";
import type { AlertsResponse, DnsMetrics, TimelineMarker } from "@/server/prometheus/types";
import { AlertsPanel } from "./alerts-panel";
import { RANGE_NAMES } from "./format";
import { FunnelPanel } from "./funnel";
import { TierPanel } from "./tier-panel";
import { UpstreamsPanel } from "./upstreams-panel";

type Timeline = { markers: TimelineMarker[]; truncated: boolean; error?: string };

/** The Health page's live part: polls the three APIs with the server's first answers as initial data. */
export function HealthConsole(p: { range: (typeof RANGE_NAMES)[number]; metrics: DnsMetrics; alerts: AlertsResponse; timeline: Timeline }) {
  const metrics = useQuery({ queryKey: ["metrics", p.range], queryFn: () => api<DnsMetrics>(`/api/v1/metrics/dns?range=${p.range}`), initialData: p.metrics, initialDataUpdatedAt: p.metrics.panels.technitium.ok ? undefined : 0, refetchInterval: 30_000 });
  const alerts = useQuery({ queryKey: ["alerts"], queryFn: () => api<AlertsResponse>("/api/v1/alerts"), initialData: p.alerts, refetchInterval: 10_000 });
  const m = metrics.data;
  const tl = useQuery({
    queryKey: ["timeline", m.from, m.to],
    queryFn: () => api<Timeline>(`/api/v1/timeline?from=${encodeURIComponent(m.from)}&to=${encodeURIComponent(m.to)}`),
    initialData: m.from === p.metrics.from ? p.timeline : undefined,
    refetchInterval: 30_000,
  });
  const markers = tl.data?.markers ?? [];
  const tier = (t: "nodelocal" | "coredns" | "technitium") => m.tiers.filter((x) => x.tier === t);
  return (
    <>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <nav className="tabs" aria-label="Range">
          {RANGE_NAMES.map((r) => (
            <Link key={r} href={`/health?range=${r}`} className={r === p.range ? "active" : undefined} aria-current={r === p.range ? "page" : undefined}>
              {r}
            </Link>
          ))}
        </nav>
        <span className="small muted">
          {metrics.isFetching && <span className="spinner" />} step {m.step} s · markers:{" "}
          {Object.entries(MARKER_COLORS).map(([k, c]) => (
            <span key={k} style={{ marginRight: 8 }}>
              <i style={{ display: "inline-block", width: 8, height: 8, background: c, transform: "rotate(45deg)", marginRight: 4 }} />
              {k}
            </span>
          ))}
        </span>
      </div>
      {!m.prometheusConfigured && (
        <p className="alert warn" data-testid="prometheus-missing">
          <strong>Prometheus is not configured.</strong> Set <code>PROMETHEUS_URL</code> to the Prometheus that scrapes CoreDNS (:9153) and NodeLocal DNSCache (:9253) to see every
          tier's rates, the upstreams, the funnel and the alerts. Shown below: Technitium from its query logs and, on Overview, its own dashboard numbers.
        </p>
      )}
      {metrics.error && <p className="alert error">Refreshing failed: {(metrics.error as Error).message} (showing the last answer)</p>}
      {tl.data?.error && <p className="alert warn">Timeline unavailable: {tl.data.error}</p>}
      <AlertsPanel alerts={alerts.data} />
      <FunnelPanel funnel={m.funnel} state={m.panels.funnel} />
      <TierPanel tier="nodelocal" members={tier("nodelocal")} state={m.panels.nodelocal} from={m.from} to={m.to} markers={markers} />
      <TierPanel tier="coredns" members={tier("coredns")} state={m.panels.coredns} from={m.from} to={m.to} markers={markers} />
      <UpstreamsPanel upstreams={m.upstreams} state={m.panels.upstreams} from={m.from} to={m.to} markers={markers} />
      <TierPanel tier="technitium" members={tier("technitium")} state={m.panels.technitium} from={m.from} to={m.to} markers={markers} />
    </>
  );
}
