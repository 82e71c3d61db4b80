"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { api, KIND_LABEL, type RunsPage } from "./api";
import { Results, Steps, Verdict } from "./run-view";

export function RunsHistory({ initial }: { initial: RunsPage | null }) {
  const [page, setPage] = useState(1);
  const [kind, setKind] = useState("");
  const [open, setOpen] = useState<number | null>(null);
  const q = useQuery({
    queryKey: ["sync-runs", page, kind],
    queryFn: () => api<RunsPage>(`/api/v1/sync/runs?page=${page}&pageSize=10${kind ? `&kind=${kind}` : ""}`),
    // the server-rendered first page shows at once but counts as stale, so runs started since are fetched on mount
    initialData: page === 1 && !kind && initial ? initial : undefined,
    initialDataUpdatedAt: 0,
    refetchInterval: (query) => (query.state.data?.runs.some((r) => r.status === "running") ? 2000 : 10000),
  });
  const data = q.data;
  return (
    <section data-testid="runs-history">
      <div className="filters">
        <label>
          Kind
          <select value={kind} onChange={(e) => (setKind(e.target.value), setPage(1))} data-testid="runs-kind">
            <option value="">all</option>
            {Object.entries(KIND_LABEL).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
      </div>
      {q.error && <p className="alert error">Cannot load the run history: {(q.error as Error).message}. It refreshes by itself once dnsdeck&apos;s database answers.</p>}
      {data && (
        <>
          <table className="table">
            <thead>
              <tr>
                <th>#</th>
                <th>What</th>
                <th>When</th>
                <th>Who</th>
                <th>Trigger</th>
                <th>Outcome</th>
                <th>Summary</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.length === 0 && (
                <tr>
                  <td colSpan={7} className="muted">
                    No sync has run yet.
                  </td>
                </tr>
              )}
              {data.runs.map((r) => (
                <Fragment key={r.id}>
                  <tr data-testid="run-row" onClick={() => setOpen(open === r.id ? null : r.id)} style={{ cursor: "pointer" }}>
                    <td>{r.id}</td>
                    <td>{KIND_LABEL[r.kind] ?? r.kind}</td>
                    <td className="small"><LocalTime at={r.startedAt} /></td>
                    <td>{r.createdBy}</td>
                    <td>{r.trigger}</td>
                    <td>
                      <span className={`badge badge-${r.status}`}>{r.status}</span>
                    </td>
                    <td className="small">{r.summary ?? (r.status === "running" ? "running…" : "")}</td>
                  </tr>
                  {open === r.id && (
                    <tr>
                      <td colSpan={7} data-testid="run-detail">
                        <Verdict run={r} />
                        <Steps run={r} />
                        <Results run={r} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
          <div className="row" style={{ marginTop: 8 }}>
            <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Newer
            </button>
            <span className="small muted" data-testid="runs-page">
              page {data.page} of {data.pages} · {data.total} runs
            </span>
            <button type="button" className="secondary" disabled={page >= data.pages} onClick={() => setPage(page + 1)}>
              Older
            </button>
          </div>
        </>
      )}
    </section>
  );
}
