"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useConfirm } from "@/app/_components/confirm";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useCan } from "@/app/_components/identity";
import { api, type ApplyView } from "./api";
import { RunStatusBadge } from "@/app/_components/run-status";

const STEP_CLASS: Record<string, string> = {
  pending: "",
  applying: "running",
  "rolling-out": "running",
  applied: "ok",
  healthy: "ok",
  conflict: "failed",
  failed: "failed",
  skipped: "skipped",
  interrupted: "interrupted",
};

const READBACK_TEXT: Record<string, string> = {
  "in-sync": "this run's version",
  drifted: "differs from this run",
  missing: "absent",
  conflict: "owned by another manager",
  "preview-unavailable": "unknown (no dry run)",
  error: "could not be read",
};

/** Live progress of one apply run: steps, per-node rollout grid, verification, outcome, rollback. */
export function RunPanel({ id, onRollback, onClose }: { id: number; onRollback: (runId: number) => void; onClose: () => void }) {
  const [confirmDialog, ask] = useConfirm();
  const isAdmin = useCan("admin");
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const q = useQuery({
    queryKey: ["stack-run", id],
    queryFn: () => api<ApplyView>(`/api/v1/stack/runs/${id}`),
    // running: live steps; interrupted: until a live process has read back what the cluster holds
    refetchInterval: (query) => {
      const d = query.state.data;
      return !d || d.status === "running" ? 1000 : d.status === "interrupted" && !d.rollout?.readBack ? 3000 : false;
    },
  });
  const run = q.data;
  const finished = !!run && run.status !== "running";
  useEffect(() => {
    // the cluster changed: refresh the object states and the history
    if (finished) {
      qc.invalidateQueries({ queryKey: ["stack-plan"] });
      qc.invalidateQueries({ queryKey: ["stack-history"] });
    }
  }, [finished, qc]);
  if (q.error) return <p className="alert error">Cannot load apply run #{id}: {(q.error as Error).message}</p>;
  if (!run) return <p className="panel"><span className="spinner" /> Loading apply run #{id}…</p>;
  const done = run.steps.filter((s) => ["applied", "healthy"].includes(s.status)).length;
  const rollbackTo = run.rollout?.rollbackTo;
  const takeOwnership = async () => {
    if (!run) return;
    if (!(await ask({ title: "Take ownership of these fields?", body: "dnsdeck forces its values over the fields other managers own (Terraform, kubeadm…) and applies again. Remove these objects from the other tool, or it will fight back.", confirmLabel: "Take ownership and apply", danger: true }))) return;
    setBusy(true);
    setErr(null);
    try {
      const r = await api<ApplyView>("/api/v1/stack/apply", { method: "POST", body: { revision: run.configRevisionId, takeOwnership: true, objects: run.steps.map((s) => s.key) } });
      onRollback(r.id);
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const resume = async (objects: string[], verify = false) => {
    if (!run) return;
    setBusy(true);
    setErr(null);
    try {
      const r = await api<ApplyView>("/api/v1/stack/apply", { method: "POST", body: { revision: run.configRevisionId, objects, ...(verify ? { verify: true } : {}) } });
      onRollback(r.id);
      qc.invalidateQueries({ queryKey: ["stack-history"] });
    } catch (e) {
      setErr(`Resume did not start: ${(e as Error).message}. Nothing was applied; try again, or roll back.`);
    } finally {
      setBusy(false);
    }
  };
  const readBack = run.rollout?.readBack;
  const verifyCut = !!run.rollout?.verify?.interrupted;
  const heldNow = new Map(readBack?.objects.map((o) => [o.key, o]) ?? []);
  const doRollback = async (target: number) => {
    setBusy(true);
    setErr(null);
    try {
      const r = await api<ApplyView>("/api/v1/stack/rollback", { method: "POST", body: { toRun: target, undo: id } });
      onRollback(r.id);
      qc.invalidateQueries({ queryKey: ["stack-history"] });
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" data-testid="apply-run" data-status={run.status}>
      {confirmDialog}
      <div className="row">
        <h2 style={{ margin: 0 }}>
          {run.kind === "rollback" ? "Rollback" : "Apply"} #{run.id}
        </h2>
        <RunStatusBadge status={run.status} testId="apply-status" />
        <span className="muted small">
          by {run.createdBy}, <LocalTime at={run.createdAt} /> · config revision {run.configRevisionId}
          {run.takeOwnership ? " · took ownership" : ""}
        </span>
        <button type="button" onClick={onClose} style={{ marginLeft: "auto" }}>
          Close
        </button>
      </div>
      <div className="progress" style={{ margin: "10px 0" }} aria-label="apply progress">
        <div style={{ width: `${run.steps.length ? Math.round((done / run.steps.length) * 100) : 0}%` }} />
      </div>
      {run.error && (
        <div className="alert error" role="alert" data-testid="apply-error">
          {run.error}
          {run.applied.length > 0 && run.status !== "ok" && (
            <div className="small">
              Applied before it stopped: <span data-testid="applied-objects">{run.applied.join(", ")}</span>
            </div>
          )}
        </div>
      )}
      <ol className="steps" data-testid="apply-steps">
        {run.steps.map((s) => (
          <li key={s.key} className={STEP_CLASS[s.status] ?? ""} data-testid="apply-step" data-status={s.status}>
            <strong>{s.key}</strong> <span className="muted">— {s.status}</span>
            {s.message && <span className="small"> · {s.message}</span>}
            {heldNow.has(s.key) && (
              <span className="small" data-testid="step-readback" data-state={heldNow.get(s.key)!.state}>
                {" "}
                · in the cluster now: <strong>{READBACK_TEXT[heldNow.get(s.key)!.state] ?? heldNow.get(s.key)!.state}</strong>
              </span>
            )}
            {s.conflicts && (
              <ul className="small">
                {s.conflicts.map((c) => (
                  <li key={c.field + c.manager}>
                    <code>{c.field}</code> owned by <strong>{c.manager}</strong>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {run.rollout?.workloads.map((w) => (
        <div key={w.key} className="panel" data-testid="rollout" data-rollout-status={w.status}>
          <div className="row">
            <strong>{w.key}</strong>
            <span className={`badge badge-${w.status === "done" ? "ok" : w.status === "failed" ? "failed" : "drifted"}`}>{w.status}</span>
            <span className="small" data-testid="rollout-counts">
              desired {w.desired} · updated {w.updated} · ready {w.ready} · healthy {w.healthy}
            </span>
          </div>
          <p className="small">{w.message}</p>
          {w.nodes && (
            <table className="table" data-testid="rollout-nodes">
              <thead>
                <tr>
                  <th>Node</th>
                  <th>Pod</th>
                  <th>Updated</th>
                  <th>Ready</th>
                  <th>DNS healthy</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {w.nodes.map((n) => (
                  <tr key={n.node} data-testid="rollout-node" data-node={n.node} data-healthy={n.healthy ? "true" : "false"}>
                    <td>{n.node}</td>
                    <td className="mono small">{n.pod ?? "—"}</td>
                    <td>{n.updated ? "✓" : "—"}</td>
                    <td>{n.ready ? "✓" : n.waitingReason ?? "—"}</td>
                    <td>{n.healthy ? <span className="ok-text">answers</span> : w.failedNode === n.node ? <span className="error-text">no</span> : "—"}</td>
                    <td className="small">{n.detail ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {w.pods && w.pods.length > 0 && (
            <table className="table">
              <thead>
                <tr>
                  <th>Pod</th>
                  <th>Node</th>
                  <th>Ready</th>
                  <th>DNS</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {w.pods.map((p) => (
                  <tr key={p.pod}>
                    <td className="mono small">{p.pod}</td>
                    <td>{p.node ?? "—"}</td>
                    <td>{p.ready ? "✓" : p.waitingReason ?? "—"}</td>
                    <td>{p.healthy === null ? "n/a" : p.healthy ? "answers" : "no"}</td>
                    <td className="small">{p.detail ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {w.logTail && w.logTail.length > 0 && (
            <>
              <p className="small">
                Last log lines of {w.failedPod} on {w.failedNode}:
              </p>
              <pre className="diff" data-testid="rollout-log">{w.logTail.join("\n")}</pre>
            </>
          )}
        </div>
      ))}
      {run.rollout?.verify && (
        <div className="panel" data-testid="verify" data-pending={run.rollout.verify.pending ? "true" : "false"} data-interrupted={verifyCut ? "true" : "false"}>
          {verifyCut ? (
            <strong>
              Resolution through every hop after the Corefile change: not verified — dnsdeck stopped before the {Math.round((run.rollout.verify.windowMs ?? 0) / 1000)} s
              window ended (the last round it saw is below). Resume verifies again.
            </strong>
          ) : run.rollout.verify.pending ? (
            <strong>
              <span className="spinner" /> Watching resolution through every hop while the Corefile change loads (kubelet sync + the reload interval):{" "}
              {Math.max(0, Math.round(((run.rollout.verify.until ?? 0) - Date.parse(run.rollout.verify.at)) / 1000))} s of{" "}
              {Math.round((run.rollout.verify.windowMs ?? 0) / 1000)} s left
            </strong>
          ) : (
            <strong>Resolution through every hop after the Corefile change: {run.rollout.verify.ok ? "ok" : "FAILED"}</strong>
          )}
          {run.rollout.verify.names && <p className="small muted">Asked: {run.rollout.verify.names.join(", ")}</p>}
          <ul className="small">
            {run.rollout.verify.hops.map((h) => (
              <li key={h.hop} className={h.ok ? "ok-text" : run.rollout?.verify?.pending || verifyCut ? "muted" : "error-text"}>
                {h.hop}: {h.detail}
              </li>
            ))}
          </ul>
        </div>
      )}
      {run.status === "interrupted" && (
        <div className="panel" data-testid="readback">
          {!readBack ? (
            <p className="small">
              <span className="spinner" /> Reading back what the cluster holds for each object of this run…
            </p>
          ) : readBack.remaining.length === 0 && verifyCut ? (
            <>
              <p className="small" data-testid="readback-summary">
                Read back at {readBack.at.slice(11, 19)} UTC: the cluster holds this run&apos;s version of all {readBack.objects.length} objects, but the
                verification of the Corefile change did not finish.
              </p>
              <div className="row">
                <button type="button" disabled={!isAdmin || busy} onClick={() => resume(run.steps.map((s) => s.key), true)} data-testid="run-resume" title={isAdmin ? undefined : "needs the admin role"}>
                  {busy ? "Starting…" : "Resume: verify resolution through every hop"}
                </button>
              </div>
            </>
          ) : readBack.remaining.length === 0 ? (
            <p className="small" data-testid="readback-summary">
              Read back at {readBack.at.slice(11, 19)} UTC: the cluster holds this run&apos;s version of all {readBack.objects.length} objects — the
              interrupted step had reached it. Nothing is left to apply; check the rollout on the Overview, or roll back.
            </p>
          ) : (
            <>
              <p className="small" data-testid="readback-summary">
                Read back at {readBack.at.slice(11, 19)} UTC: {readBack.objects.length - readBack.remaining.length} of {readBack.objects.length} objects hold this
                run&apos;s version; still different: {readBack.remaining.join(", ")}.
              </p>
              <div className="row">
                <button type="button" disabled={!isAdmin || busy} onClick={() => resume(readBack.remaining, verifyCut)} data-testid="run-resume" title={isAdmin ? undefined : "needs the admin role"}>
                  {busy ? "Starting…" : `Resume: apply the ${readBack.remaining.length} object${readBack.remaining.length === 1 ? "" : "s"} still different`}
                </button>
              </div>
            </>
          )}
        </div>
      )}
      {run.status !== "running" && run.steps.some((s) => s.status === "conflict") && (
        <div className="row">
          <button type="button" disabled={!isAdmin || busy} onClick={takeOwnership} data-testid="run-take-ownership" title={isAdmin ? undefined : "needs the admin role"}>
            Take ownership and apply again…
          </button>
        </div>
      )}
      {run.status === "ok" && rollbackTo && run.rollout?.verify && (
        <div className="row">
          <button type="button" disabled={!isAdmin || busy} onClick={() => doRollback(rollbackTo)} data-testid="rollback-offer" title={isAdmin ? undefined : "needs the admin role"}>
            Undo this Corefile change: roll back to the config of Apply #{rollbackTo}
          </button>
        </div>
      )}
      {run.status !== "running" && run.status !== "ok" && rollbackTo && (
        <div className="row">
          <button type="button" disabled={!isAdmin || busy} onClick={() => doRollback(rollbackTo)} data-testid="rollback-offer" title={isAdmin ? undefined : "needs the admin role"}>
            Roll back to the config of Apply #{rollbackTo} (the last good one)
          </button>
        </div>
      )}
      {err && <p className="alert error">{err}</p>}
    </section>
  );
}
