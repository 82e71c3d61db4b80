"use client";
import type { Funnel, FunnelStage, PanelState } from "@/server/prometheus/types";
import { fmtPct } from "./format";
import { PanelProblem } from "./panel-problem";

const STAGE_COLORS: Record<FunnelStage["key"], string> = {
  nodelocal: "#3fb950",
  "coredns-cache": "#4ea1ff",
  coredns: "#39c5cf",
  "technitium-authoritative": "#a371f7",
  "technitium-cached": "#db61a2",
  "technitium-recursive": "#d29922",
  "technitium-blocked": "#8b97a8",
  technitium: "#a371f7",
  upstreams: "#f85149",
};

/** Who answered the pods' queries in the range: one bar overall, one per node (its cache's share). */
export function FunnelPanel({ funnel, state }: { funnel: Funnel | null; state: PanelState }) {
  return (
    <section className="panel" data-testid="funnel" aria-label="Cache funnel">
      <h2>Cache funnel</h2>
      {!state.ok && <PanelProblem state={state} />}
      {funnel && funnel.total === 0 && <p className="muted">No queries from pods in this range.</p>}
      {funnel && funnel.total > 0 && (
        <>
          <p className="small muted">Of {funnel.total.toLocaleString("en")} queries pods sent, answered by:</p>
          <div className="funnel-bar" role="img" aria-label={funnel.stages.map((s) => `${s.label} ${fmtPct(s.share)}`).join(", ")}>
            {funnel.stages.filter((s) => s.queries > 0).map((s) => (
              <div key={s.key} style={{ width: `${s.share * 100}%`, background: STAGE_COLORS[s.key] }} title={`${s.label}: ${s.queries.toLocaleString("en")} (${fmtPct(s.share)})`} data-testid={`funnel-${s.key}`} />
            ))}
          </div>
          <div className="legend">
            {funnel.stages.map((s) => (
              <span key={s.key}>
                <i style={{ background: STAGE_COLORS[s.key] }} />
                {s.label} <strong>{fmtPct(s.share)}</strong>
              </span>
            ))}
          </div>
          {funnel.perNode.length > 0 && (
            <div style={{ marginTop: 12 }}>
              <h3 className="small muted">NodeLocal cache hits per node</h3>
              {funnel.perNode.map((n) => (
                <div key={n.node} className="row small" style={{ marginBottom: 4 }} data-testid={`funnel-node-${n.node}`}>
                  <span className="mono" style={{ width: 90 }}>{n.node}</span>
                  <div className="funnel-bar" style={{ flex: 1, height: 12 }}>
                    <div style={{ width: `${n.share * 100}%`, background: STAGE_COLORS.nodelocal }} />
                    <div style={{ width: `${(1 - n.share) * 100}%`, background: STAGE_COLORS["coredns-cache"], opacity: 0.35 }} />
                  </div>
                  <span style={{ width: 120 }}>{fmtPct(n.share)} of {n.total.toLocaleString("en")}</span>
                </div>
              ))}
            </div>
          )}
          {funnel.notes.map((n) => (
            <p key={n} className="small muted">{n}</p>
          ))}
        </>
      )}
    </section>
  );
}
