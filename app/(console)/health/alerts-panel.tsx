"use client";
import Link from "next/link";
import type { AlertsResponse } from "@/server/prometheus/types";
import { useNow } from "@/app/_components/use-now";
import { PanelProblem } from "./panel-problem";

/** "4 min ago" from `now`; before hydration (now null) the UTC clock time, which server and browser render alike. */
const since = (iso: string, now: number | null) => {
  if (now === null) return `since ${iso.slice(11, 16)} UTC`;
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  return `${s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`} ago`;
};

/** The alert rules Prometheus evaluates, firing first, each with the page that fixes it. */
export function AlertsPanel({ alerts }: { alerts: AlertsResponse | undefined }) {
  const now = useNow();
  return (
    <section className="panel" data-testid="alerts" aria-label="Alerts">
      <h2>Alerts</h2>
      {alerts?.error && <PanelProblem state={{ ok: false, ...alerts.error }} />}
      {alerts && !alerts.error && (
        <table className="table small">
          <thead>
            <tr>
              <th>state</th>
              <th>alert</th>
              <th>severity</th>
              <th>now</th>
              <th>since</th>
              <th>fix it in</th>
            </tr>
          </thead>
          <tbody>
            {alerts.rules.map((r) => (
              <tr key={`${r.group}/${r.name}`} data-testid={`alert-${r.name}`} data-state={r.state}>
                <td className={`state-${r.state}`}>{r.state}</td>
                <td>
                  <strong>{r.name}</strong>
                  {r.health === "err" && <div className="error-text">rule error: {r.lastError}</div>}
                </td>
                <td>{r.severity ?? "–"}</td>
                <td>{r.state === "inactive" ? <span className="muted">ok</span> : (r.summary ?? r.value)}{r.instances.length > 1 ? ` (+${r.instances.length - 1} more)` : ""}</td>
                <td>{r.since ? since(r.since, now) : "–"}</td>
                <td>
                  <Link href={r.fix.href}>{r.fix.label}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
