"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useConfirm } from "@/app/_components/confirm";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "@/app/_components/identity";
import { api, type ApplyView } from "./api";

interface HistoryRow extends Omit<ApplyView, "steps" | "rollout"> {
  stepCount: number;
}

export function HistoryPanel({ onOpen, onStarted }: { onOpen: (id: number) => void; onStarted: (id: number) => void }) {
  const [confirmDialog, ask] = useConfirm();
  const isAdmin = useCan("admin");
  const [cursor, setCursor] = useState<number[]>([]);
  const before = cursor[cursor.length - 1];
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const q = useQuery({
    queryKey: ["stack-history", before ?? null],
    queryFn: () => api<{ items: HistoryRow[]; nextBefore: number | null }>(`/api/v1/stack/runs?limit=20${before ? `&before=${before}` : ""}`),
    refetchInterval: (query) => (query.state.data?.items.some((i) => i.status === "running") ? 2000 : false),
  });
  const reapply = async (id: number) => {
    if (!(await ask({ title: `Re-apply the config of apply run #${id}?`, body: "Its config becomes the desired config and goes through the normal apply: plan, rollout, health gate.", confirmLabel: `Re-apply #${id}` }))) return;
    setBusy(id);
    setErr(null);
    try {
      const r = await api<ApplyView>("/api/v1/stack/rollback", { method: "POST", body: { toRun: id } });
      onStarted(r.id);
      q.refetch();
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="panel" data-testid="stack-history">
      {confirmDialog}
      {err && (
        <p className="alert error" role="alert">
          {err}
        </p>
      )}
      {q.isLoading && (
        <p>
          <span className="spinner" /> Loading history…
        </p>
      )}
      {q.error && <p className="alert error">History cannot be loaded: {(q.error as Error).message}</p>}
      {q.data && (
        <>
          <table className="table">
            <thead>
              <tr>
                <th>#</th>
                <th>What</th>
                <th>Who</th>
                <th>When</th>
                <th>Outcome</th>
                <th>Applied</th>
                <th>Error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {q.data.items.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted">
                    Nothing applied yet.
                  </td>
                </tr>
              )}
              {q.data.items.map((r) => (
                <tr key={r.id} data-testid="history-row" data-id={r.id} data-status={r.status}>
                  <td>{r.id}</td>
                  <td>
                    {r.kind}
                    {r.rollbackOf ? ` of #${r.rollbackOf}` : ""} · config rev {r.configRevisionId}
                    {r.takeOwnership ? " · took ownership" : ""}
                  </td>
                  <td>{r.createdBy}</td>
                  <td><LocalTime at={r.createdAt} /></td>
                  <td>
                    <span className={`badge badge-${r.status}`}>{r.status}</span>
                  </td>
                  <td>
                    {r.applied.length}/{r.stepCount}
                  </td>
                  <td className="small">{r.error ?? ""}</td>
                  <td className="row">
                    <button type="button" onClick={() => onOpen(r.id)}>
                      Details
                    </button>
                    <button type="button" disabled={!isAdmin || busy !== null || r.status === "running"} onClick={() => reapply(r.id)} data-testid="history-reapply" title={isAdmin ? undefined : "needs the admin role"}>
                      {busy === r.id ? <span className="spinner" /> : null} Re-apply / roll back
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button type="button" disabled={cursor.length === 0} onClick={() => setCursor(cursor.slice(0, -1))}>
              Newer
            </button>
            <button type="button" disabled={!q.data.nextBefore} onClick={() => q.data.nextBefore && setCursor([...cursor, q.data.nextBefore])}>
              Older
            </button>
          </div>
        </>
      )}
    </section>
  );
}
