"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useQuery } from "@tanstack/react-query";
import { api, KIND_LABEL, type SyncRunView } from "./api";
import { RunStatusBadge } from "@/app/_components/run-status";

type ZoneRes = { zone: string; replica: string; outcome: string; primarySerial?: number; replicaSerial?: number; message?: string };
type Orphan = { zone: string; replica: string; type: string; action: string; message?: string };
type Item = { instance: string; item: string; outcome: string; message?: string; before?: { path: string }[] };

const STEP_CLASS: Record<string, string> = { ok: "ok", failed: "failed", running: "running", skipped: "skipped", warning: "warning", interrupted: "interrupted" };

export function Steps({ run }: { run: SyncRunView }) {
  return (
    <ol className="steps" data-testid="run-steps">
      {run.steps.map((s, i) => (
        <li key={i} className={STEP_CLASS[s.status] ?? ""} data-status={s.status}>
          <strong>{s.name}</strong>
          {s.status === "running" && <span className="spinner" style={{ marginLeft: 6 }} />}
          {s.status === "warning" && <span className="badge badge-warning" style={{ marginLeft: 6 }}>attention</span>}
          {s.message && <div className="small muted">{s.message}</div>}
          {s.finishedAt && <span className="small muted"> · {Math.max(0, Date.parse(s.finishedAt) - Date.parse(s.startedAt))} ms</span>}
        </li>
      ))}
      {run.steps.length === 0 && <li className="running">starting…</li>}
    </ol>
  );
}

export function Results({ run }: { run: SyncRunView }) {
  const r = run.results as { results?: ZoneRes[]; orphans?: Orphan[]; items?: Item[] } | null;
  if (!r) return null;
  return (
    <>
      {r.results && r.results.length > 0 && (
        <table className="table" data-testid="zone-results" style={{ marginTop: 10 }}>
          <thead>
            <tr>
              <th>Zone</th>
              <th>Replica</th>
              <th>Outcome</th>
              <th>Serial (primary / replica)</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {r.results.map((x, i) => (
              <tr key={i} data-outcome={x.outcome}>
                <td className="mono">{x.zone}</td>
                <td>{x.replica}</td>
                <td>
                  <span className={`badge badge-${x.outcome === "in-step" ? "ok" : x.outcome === "created" || x.outcome === "resynced" ? "converged" : x.outcome}`}>{x.outcome}</span>
                </td>
                <td className="mono small">
                  {x.primarySerial ?? "?"} / {x.replicaSerial ?? "—"}
                </td>
                <td className="small">{x.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {r.orphans && r.orphans.length > 0 && (
        <div className="alert warn" data-testid="orphans">
          Zones on a replica that the primary no longer has:
          <ul>
            {r.orphans.map((o, i) => (
              <li key={i}>
                <span className="mono">{o.zone}</span> on {o.replica} ({o.type}) — <strong>{o.action}</strong>
                {o.message ? `: ${o.message}` : ""}
              </li>
            ))}
          </ul>
        </div>
      )}
      {r.items && r.items.length > 0 && (
        <table className="table" data-testid="item-results" style={{ marginTop: 10 }}>
          <thead>
            <tr>
              <th>Instance</th>
              <th>What</th>
              <th>Outcome</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {r.items.map((x, i) => (
              <tr key={i} data-outcome={x.outcome}>
                <td>{x.instance}</td>
                <td>{x.item}</td>
                <td>
                  <span className={`badge badge-${x.outcome === "in-step" ? "ok" : x.outcome === "applied" ? "converged" : x.outcome}`}>{x.outcome}</span>
                </td>
                <td className="small">{x.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function Verdict({ run, onResume }: { run: SyncRunView; onResume?: (run: SyncRunView) => void }) {
  if (run.status === "running") return null;
  if (run.status === "ok")
    return (
      <p className="alert ok" data-testid="run-verdict" data-verdict="converged">
        <strong>Converged.</strong> {run.summary}
      </p>
    );
  return (
    <div className={`alert ${run.status === "partial" || run.status === "interrupted" ? "warn" : "error"}`} role="alert" data-testid="run-verdict" data-verdict={run.status}>
      <strong>{run.status === "partial" ? "Not fully converged." : run.status === "interrupted" ? "Interrupted." : "Failed."}</strong> {run.summary}
      {run.error && <div className="small">Why: {run.error}</div>}
      {run.status === "interrupted" ? (
        <div className="small muted">
          Nothing is running it any more. Resume runs the same sync again: the steps already done find nothing left to do, so it carries on from the step that was in flight.{" "}
          {onResume && (
            <button type="button" onClick={() => onResume(run)} data-testid="run-resume">
              Resume
            </button>
          )}
        </div>
      ) : (
        <div className="small muted">Fix the cause named above (or bring the instance back), then run it again — reruns only do what is still missing.</div>
      )}
    </div>
  );
}

/** Live view of one run: polls GET /api/v1/sync/runs/:id until it is no longer running. */
export function RunView({ id, onDone, onClose, onResume }: { id: number; onDone?: () => void; onClose?: () => void; onResume?: (run: SyncRunView) => void }) {
  const q = useQuery({
    queryKey: ["sync-run", id],
    queryFn: async () => {
      const r = await api<SyncRunView>(`/api/v1/sync/runs/${id}`);
      if (r.status !== "running") onDone?.();
      return r;
    },
    refetchInterval: (query) => (query.state.data?.status === "running" || !query.state.data ? 800 : false),
  });
  const run = q.data;
  if (q.error) return <p className="alert error">Cannot load sync run #{id}: {(q.error as Error).message}</p>;
  if (!run)
    return (
      <p className="panel">
        <span className="spinner" /> Loading run #{id}…
      </p>
    );
  const done = run.steps.filter((s) => s.status !== "running").length;
  return (
    <section className="panel" data-testid="sync-run" data-status={run.status}>
      <div className="row">
        <h2 style={{ margin: 0 }}>
          {KIND_LABEL[run.kind] ?? run.kind} #{run.id}
        </h2>
        <RunStatusBadge status={run.status} testId="sync-run-status" />
        <span className="muted small">
          by {run.createdBy} via {run.trigger}, <LocalTime at={run.startedAt} />
        </span>
        {onClose && (
          <button type="button" className="secondary" onClick={onClose} style={{ marginLeft: "auto" }}>
            Close
          </button>
        )}
      </div>
      {run.status === "running" && (
        <div className="progress" style={{ margin: "10px 0" }} aria-label="sync progress">
          <div style={{ width: `${run.steps.length ? Math.round((done / (run.steps.length + 1)) * 100) : 5}%` }} />
        </div>
      )}
      <Verdict run={run} onResume={onResume} />
      <Steps run={run} />
      <Results run={run} />
    </section>
  );
}
