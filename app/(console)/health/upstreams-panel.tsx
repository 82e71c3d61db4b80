"use client";
import type { PanelState, TimelineMarker, UpstreamSeries } from "@/server/prometheus/types";
import { fmtRate, last } from "./format";
import { PanelProblem } from "./panel-problem";
import { RateChart } from "./rate-chart";

/** CoreDNS's forward upstreams (policy sequential): which one carries the traffic now, its errors and failed health checks. */
export function UpstreamsPanel(p: { upstreams: UpstreamSeries[]; state: PanelState; from: string; to: string; markers: TimelineMarker[] }) {
  return (
    <section className="panel" data-testid="upstreams" aria-label="CoreDNS upstreams">
      <h2>CoreDNS forward upstreams</h2>
      {!p.state.ok && <PanelProblem state={p.state} />}
      {p.state.ok && p.upstreams.length === 0 && <p className="muted">CoreDNS forwarded nothing in this range.</p>}
      {p.upstreams.length > 0 && (
        <div className="grid-2">
          <RateChart title="replies / s per upstream" series={p.upstreams.map((u) => ({ key: u.to, points: u.rate }))} from={p.from} to={p.to} markers={p.markers} unit={fmtRate} />
          <table className="table small">
            <thead>
              <tr>
                <th>upstream</th>
                <th>now</th>
                <th>replies/s</th>
                <th>SERVFAIL+REFUSED/s</th>
                <th>failed health checks/s</th>
              </tr>
            </thead>
            <tbody>
              {p.upstreams.map((u) => {
                const hc = last(u.healthcheckFailures) ?? 0;
                return (
                  <tr key={u.to} data-testid={`upstream-${u.to}`}>
                    <td className="mono">{u.to}</td>
                    <td>{hc > 0 ? <span className="badge badge-failed">failing</span> : u.inUse ? <span className="badge badge-ok">in use</span> : u.to === "10.96.0.53:53" ? <span className="muted">Technitium (.lan)</span> : <span className="muted">standby</span>}</td>
                    <td>{fmtRate(last(u.rate))}</td>
                    <td>{fmtRate(last(u.errors))}</td>
                    <td className={hc > 0 ? "error-text" : undefined}>{fmtRate(hc)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
