"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useCan } from "@/app/_components/identity";
import { api, type CronJobSummary } from "./api";

/** Streams GET …/jobs/:job/log into a <pre> as it arrives. */
function LogViewer({ ns, cronJob, job, onClose }: { ns: string; cronJob: string; job: string; onClose: () => void }) {
  const [text, setText] = useState("");
  const [state, setState] = useState<"streaming" | "ended" | "error">("streaming");
  const [err, setErr] = useState<string | null>(null);
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const ctl = new AbortController();
    (async () => {
      try {
        const res = await fetch(`/api/v1/cronjobs/${ns}/${cronJob}/jobs/${job}/log`, { signal: ctl.signal, cache: "no-store" });
        if (!res.ok || !res.body) {
          const j = await res.json().catch(() => null);
          throw new Error(j?.error?.message ?? `HTTP ${res.status}`);
        }
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          setText((t) => t + dec.decode(value, { stream: true }));
        }
        setState("ended");
      } catch (e) {
        if (ctl.signal.aborted) return;
        setErr((e as Error).message);
        setState("error");
      }
    })();
    return () => ctl.abort();
  }, [ns, cronJob, job]);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);
  const status = useQuery({
    queryKey: ["job-status", ns, cronJob, job],
    queryFn: () => api<{ state: string; message?: string }>(`/api/v1/cronjobs/${ns}/${cronJob}/jobs/${job}/log?status=1`),
    refetchInterval: (q) => (q.state.data?.state === "running" || !q.state.data ? 1500 : false),
  });
  return (
    <section className="panel" data-testid="job-log" data-job={job}>
      <div className="row">
        <strong className="mono">{job}</strong>
        {status.data && (
          <span className={`badge badge-${status.data.state === "succeeded" ? "ok" : status.data.state === "failed" ? "failed" : "partial"}`} data-testid="job-state">
            {status.data.state === "running" ? (
              <>
                <span className="spinner" /> running
              </>
            ) : (
              status.data.state
            )}
          </span>
        )}
        {status.data?.message && <span className="small error-text">{status.data.message}</span>}
        <span className="small muted">{state === "streaming" ? "streaming log…" : state === "ended" ? "log ended" : ""}</span>
        <button type="button" className="secondary" style={{ marginLeft: "auto" }} onClick={onClose}>
          Close
        </button>
      </div>
      {err && <p className="alert error">The log could not be streamed: {err}. Reopen it once the pod has started.</p>}
      <pre ref={pre} className="diff" style={{ maxHeight: 360 }} data-testid="job-log-text">
        {text || (state === "streaming" ? "waiting for output…" : "(no output)")}
      </pre>
    </section>
  );
}

export function CronJobsView() {
  const canRun = useCan("operator");
  const qc = useQueryClient();
  const [viewing, setViewing] = useState<{ ns: string; cj: string; job: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const q = useQuery({
    queryKey: ["cronjobs"],
    queryFn: () => api<{ namespace: string; cronJobs: CronJobSummary[] }>("/api/v1/cronjobs"),
    refetchInterval: 5000,
  });
  const runNow = async (cj: CronJobSummary) => {
    setBusy(cj.name);
    setErr(null);
    try {
      const r = await api<{ job: string }>("/api/v1/cronjobs/run", { method: "POST", body: { namespace: cj.namespace, name: cj.name } });
      setViewing({ ns: cj.namespace, cj: cj.name, job: r.job });
      qc.invalidateQueries({ queryKey: ["cronjobs"] });
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section data-testid="cronjobs">
      {q.error && <p className="alert error">Cannot list the CronJobs: {(q.error as Error).message}</p>}
      {err && (
        <p className="alert error" role="alert" data-testid="cronjob-error">
          {err}
        </p>
      )}
      {!q.data && !q.error && (
        <p>
          <span className="spinner" /> Loading CronJobs…
        </p>
      )}
      {q.data && (
        <table className="table">
          <thead>
            <tr>
              <th>CronJob</th>
              <th>Schedule</th>
              <th>Last run</th>
              <th>Outcome</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {q.data.cronJobs.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No CronJobs in {q.data.namespace}.
                </td>
              </tr>
            )}
            {q.data.cronJobs.map((cj) => (
              <tr key={cj.name} data-testid="cronjob-row" data-name={cj.name}>
                <td className="mono">
                  {cj.name}
                  {cj.suspend && <span className="badge badge-warning"> suspended</span>}
                </td>
                <td className="mono small">{cj.schedule}</td>
                <td className="small" data-testid="cronjob-last-run">
                  {cj.lastRun && cj.last.job === cj.lastRun.name ? (
                    <button type="button" className="secondary" onClick={() => setViewing({ ns: cj.namespace, cj: cj.name, job: cj.lastRun!.name })}>
                      {cj.lastRun.name}
                    </button>
                  ) : cj.last.from === "cronjob-status" ? (
                    <span className="muted" title="from the CronJob's status; its Job is no longer kept">scheduled run (Job not kept)</span>
                  ) : (
                    <span className="muted">never</span>
                  )}
                  {cj.last.at && <div className="muted"><LocalTime at={cj.last.at} /></div>}
                </td>
                <td>
                  {cj.last.state !== "never" ? <span className={`badge badge-${cj.last.state === "ok" ? "ok" : cj.last.state === "failed" ? "failed" : "partial"}`}>{cj.last.state === "ok" ? "succeeded" : cj.last.state}</span> : "—"}
                </td>
                <td>
                  <button
                    type="button"
                    disabled={!canRun || busy !== null || cj.lastRun?.state === "running"}
                    title={!canRun ? "needs the operator role" : cj.lastRun?.state === "running" ? "an earlier Job is still running" : undefined}
                    onClick={() => runNow(cj)}
                    data-testid="run-now"
                  >
                    {busy === cj.name ? <span className="spinner" /> : null} Run now
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {viewing && <LogViewer key={viewing.job} ns={viewing.ns} cronJob={viewing.cj} job={viewing.job} onClose={() => setViewing(null)} />}
    </section>
  );
}
