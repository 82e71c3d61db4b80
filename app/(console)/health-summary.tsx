import Link from "next/link";
import type { Ctx } from "@/server/auth/ctx";
import { readHealthSummary } from "@/server/prometheus/verbs";

const n = (v: number | undefined) => (v === undefined ? "–" : v.toLocaleString("en"));
const pct = (v: number | null) => (v === null || Number.isNaN(v) ? "–" : `${(v * 100).toFixed(1)}%`);

/** Overview's live health: alerts, each tier's rate right now, Technitium's own dashboard per instance. Streams in. */
export async function HealthSummarySection({ ctx }: { ctx: Ctx }) {
  const s = await readHealthSummary(ctx);
  const active = s.alerts.rules.filter((r) => r.state !== "inactive");
  return (
    <section aria-label="Health" data-testid="health-summary">
      <section className="cards">
        <Link href="/health" className={`card ${active.some((r) => r.state === "firing") ? "bad" : active.length ? "warn" : s.alerts.error ? "warn" : "ok"}`} style={{ color: "inherit" }} data-testid="summary-alerts">
          <div className="card-title">Alerts</div>
          <div className="card-value">{s.alerts.error ? "unknown" : active.length ? `${active.filter((r) => r.state === "firing").length} firing, ${active.filter((r) => r.state === "pending").length} pending` : "none firing"}</div>
          <div className="muted small">{s.alerts.error ? s.alerts.error.message : active.map((r) => r.name).join(", ") || `${s.alerts.rules.length} rules evaluated`}</div>
        </Link>
        {s.tiers?.map((t) => (
          <Link key={t.tier} href="/health" className={`card ${(t.servfail ?? 0) > 0.03 ? "bad" : "ok"}`} style={{ color: "inherit" }} data-testid={`summary-${t.tier}`}>
            <div className="card-title">{t.tier === "coredns" ? "CoreDNS" : "NodeLocal DNSCache"} now</div>
            <div className="card-value">{t.qps.toFixed(1)} q/s</div>
            <div className="muted small">SERVFAIL {pct(t.servfail)}</div>
          </Link>
        ))}
        {s.tiersError && (
          <div className="card warn">
            <div className="card-title">Live rates</div>
            <div className="card-value">unavailable</div>
            <div className="error-text small">{s.tiersError}</div>
          </div>
        )}
      </section>
      <h3>Technitium dashboard, last hour</h3>
      <table className="table small" data-testid="technitium-dashboard">
        <thead>
          <tr>
            <th>instance</th>
            <th>total</th>
            <th>cached</th>
            <th>blocked</th>
            <th>recursive</th>
            <th>NXDOMAIN</th>
            <th>SERVFAIL</th>
          </tr>
        </thead>
        <tbody>
          {s.technitium.map((t) => (
            <tr key={t.instance} data-testid={`dashboard-${t.instance}`}>
              <td className="mono">{t.instance}</td>
              {t.ok ? (
                <>
                  <td>{n(t.totalQueries)}</td>
                  <td>{n(t.totalCached)}</td>
                  <td>{n(t.totalBlocked)}</td>
                  <td>{n(t.totalRecursive)}</td>
                  <td>{n(t.totalNxDomain)}</td>
                  <td>{n(t.totalServerFailure)}</td>
                </>
              ) : (
                <td colSpan={6} className="error-text">
                  {t.error}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
