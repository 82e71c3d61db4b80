"use client";
import type { PanelState, TierSeries, TimelineMarker } from "@/server/prometheus/types";
import { fmtMs, fmtPct, fmtRate, last } from "./format";
import { PanelProblem } from "./panel-problem";
import { RateChart } from "./rate-chart";

const TITLES = { nodelocal: "NodeLocal DNSCache, per node", coredns: "CoreDNS, per pod", technitium: "Technitium, per instance (from the query logs)" };

/** One tier: queries/s and p99 latency per member over the range, and every member's current figures. */
export function TierPanel(p: { tier: keyof typeof TITLES; members: TierSeries[]; state: PanelState; from: string; to: string; markers: TimelineMarker[] }) {
  const series = (f: (m: TierSeries) => [number, number][]) => p.members.map((m) => ({ key: m.member, points: f(m) }));
  return (
    <section className="panel" data-testid={`tier-${p.tier}`} aria-label={TITLES[p.tier]}>
      <h2>{TITLES[p.tier]}</h2>
      {!p.state.ok && <PanelProblem state={p.state} />}
      {p.state.ok && p.members.length === 0 && <p className="muted">No {p.tier === "nodelocal" ? "NodeLocal DNSCache pods reported" : "series"} in this range.</p>}
      {p.members.length > 0 && (
        <>
          <div className="grid-2">
            <RateChart title="queries / s" series={series((m) => m.qps)} from={p.from} to={p.to} markers={p.markers} unit={(v) => fmtRate(v)} testId={`chart-qps-${p.tier}`} />
            <RateChart title="latency p99" series={series((m) => m.latencyP99)} from={p.from} to={p.to} markers={p.markers} unit={(v) => fmtMs(v)} />
          </div>
          <table className="table small" style={{ marginTop: 10 }}>
            <thead>
              <tr>
                <th>{p.tier === "nodelocal" ? "node" : p.tier === "coredns" ? "pod" : "instance"}</th>
                <th>queries/s</th>
                <th>cache hits</th>
                <th>NOERROR</th>
                <th>NXDOMAIN</th>
                <th>SERVFAIL</th>
                <th>REFUSED</th>
                <th>p50</th>
                <th>p99</th>
                {p.tier === "coredns" && (
                  <>
                    <th>stale/s</th>
                    <th>panics</th>
                    <th>reload errors</th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {p.members.filter((m) => !m.gone).map((m) => {
                const sf = last(m.rcodes.SERVFAIL);
                return (
                  <tr key={m.member} data-testid={`member-${m.member}`}>
                    <td className="mono">{m.member}</td>
                    <td data-testid="qps-now">{fmtRate(last(m.qps))}</td>
                    <td>{fmtPct(last(m.cacheHitRatio))}</td>
                    <td>{fmtPct(last(m.rcodes.NOERROR))}</td>
                    <td>{fmtPct(last(m.rcodes.NXDOMAIN))}</td>
                    <td className={sf !== null && sf > 0.03 ? "error-text" : undefined}>{fmtPct(sf)}</td>
                    <td>{fmtPct(last(m.rcodes.REFUSED))}</td>
                    <td>{fmtMs(last(m.latencyP50))}</td>
                    <td>{fmtMs(last(m.latencyP99))}</td>
                    {p.tier === "coredns" && (
                      <>
                        <td>{fmtRate(last(m.servedStale))}</td>
                        <td className={(last(m.panics) ?? 0) > 0 ? "error-text" : undefined}>{last(m.panics) ?? "–"}</td>
                        <td className={(last(m.reloadErrors) ?? 0) > 0 ? "error-text" : undefined}>{last(m.reloadErrors) ?? "–"}</td>
                      </>
                    )}
                  </tr>
                );
              })}
              {p.members.some((m) => m.gone) && (
                <tr className="muted" data-testid="members-gone">
                  <td colSpan={p.tier === "coredns" ? 12 : 9}>
                    Gone before the end of the range (replaced or stopped): <span className="mono">{p.members.filter((m) => m.gone).map((m) => m.member).join(", ")}</span>
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
