"use client";
import { LocalTime } from "@/app/_components/local-time";
import type { LanView } from "@/server/trace/lan-view";

/** The LAN part of a trace: per instance, what dnsdeck gets, what a LAN client gets, and what the query log shows. */
export function LanViewTable({ v }: { v: LanView }) {
  const flagged = v.instances.filter((i) => i.verdict === "disagrees");
  return (
    <div className="stack-v" data-testid="trace-lan">
      <h3 style={{ marginBottom: 0 }}>What a LAN client ({v.network}) gets</h3>
      <p className="muted small">
        Technitium&apos;s Split Horizon and rebinding protection match the packet&apos;s source address; dnsdeck asks from inside the cluster, so the hops
        above show what a cluster client gets. A LAN client&apos;s answer is computed from each instance&apos;s live config (for {v.client}) and checked
        against the answers the query log recorded for {v.network}
        {v.evidenceSince ? <> since <LocalTime at={v.evidenceSince} /></> : ""}.
      </p>
      {v.evidenceError && (
        <div className="alert warn" data-testid="trace-lan-evidence-error">
          No query-log evidence: {v.evidenceError}
        </div>
      )}
      {flagged.length > 0 && (
        <div className="alert error" data-testid="trace-lan-disagrees">
          {flagged.map((i) => (
            <div key={i.instance}>
              <strong>{i.instance}</strong>: {i.note}
            </div>
          ))}
        </div>
      )}
      <table className="table" data-testid="trace-lan-table">
        <thead>
          <tr>
            <th>Instance</th>
            <th>Answers dnsdeck (cluster address)</th>
            <th>A LAN client gets (from live config)</th>
            <th>Query log, LAN clients</th>
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {v.instances.map((i) => (
            <tr key={i.instance} data-testid="trace-lan-row" data-instance={i.instance} data-verdict={i.verdict}>
              <td>{i.instance}</td>
              <td className="mono">{i.dnsdeckGets.error ? <span className="error-text">{i.dnsdeckGets.error}</span> : `${i.dnsdeckGets.rcode} ${i.dnsdeckGets.answers.join(", ") || "(no records)"}`}</td>
              <td className="mono">
                {"error" in i.lanGets ? (
                  <span className="error-text">{i.lanGets.error}</span>
                ) : (
                  <>
                    <span data-testid="trace-lan-computed">{`${i.lanGets.rcode} ${i.lanGets.answers.join(", ") || "(no records)"}`}</span>
                    {i.lanGets.steps.length > 0 && <div className="muted small">{i.lanGets.steps.join("; ")}</div>}
                  </>
                )}
              </td>
              <td className="mono">{i.logged ? i.logged.map((l) => `${l.answer || "(no records)"} ×${l.count}`).join("; ") : <span className="muted">none recorded</span>}</td>
              <td>
                {i.verdict === "agrees" ? (
                  <span className="ok-text">agrees</span>
                ) : i.verdict === "disagrees" ? (
                  <span className="error-text">disagrees</span>
                ) : i.verdict === "no-evidence" ? (
                  <span className="muted">no LAN queries logged</span>
                ) : (
                  <span className="muted">unknown</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
