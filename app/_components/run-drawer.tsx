"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { TimelineMarker } from "@/server/prometheus/types";
import { api } from "./api-client";
import { RunStatusBadge } from "./run-status";

interface RunLike {
  id?: number;
  kind?: string;
  status?: string;
  createdBy?: string;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string | null;
  summary?: string | null;
  error?: string | null;
  applied?: string[];
  steps?: { key?: string; name?: string; status: string; message?: string }[];
}

const PAGE: Record<TimelineMarker["kind"], { href: string; label: string }> = {
  apply: { href: "/stack", label: "Stack" },
  rollback: { href: "/stack", label: "Stack" },
  corefile: { href: "/coredns", label: "CoreDNS" },
  sync: { href: "/technitium", label: "Technitium" },
  cronjob: { href: "/technitium", label: "Technitium" },
};

/** The run a timeline marker stands for: who, when, outcome, its steps. Opened from any chart's marker. */
export function RunDrawer({ marker, onClose }: { marker: TimelineMarker; onClose: () => void }) {
  const isApi = marker.href.startsWith("/api/");
  const q = useQuery({ queryKey: ["run", marker.href], queryFn: () => api<RunLike>(marker.href), enabled: isApi });
  const r = q.data;
  return (
    <aside className="drawer" role="dialog" aria-label={marker.label} data-testid="run-drawer">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 style={{ margin: 0 }}>{marker.label}</h2>
        <button type="button" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
      <p className="muted small">
        <LocalTime at={marker.at} /> · <RunStatusBadge status={r?.status ?? marker.status} />
      </p>
      {!isApi && (
        <p>
          <Link href={marker.href}>Open in the audit log →</Link>
        </p>
      )}
      {q.isLoading && (
        <p className="muted">
          <span className="spinner" /> loading the run…
        </p>
      )}
      {q.error && <p className="error-text">{(q.error as Error).message}</p>}
      {r && (
        <>
          {r.summary && <p>{r.summary}</p>}
          {r.error && <p className="alert error">{r.error}</p>}
          {r.finishedAt && <p className="small muted">finished <LocalTime at={r.finishedAt} /></p>}
          {r.steps && r.steps.length > 0 && (
            <ul className="steps" data-testid="run-steps">
              {r.steps.slice(0, 40).map((s, i) => (
                <li key={s.key ?? s.name ?? i} className={s.status === "healthy" || s.status === "applied" ? "ok" : s.status}>
                  {s.key ?? s.name} — {s.status}
                  {s.message ? `: ${s.message}` : ""}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <p>
        <Link href={PAGE[marker.kind].href}>Go to {PAGE[marker.kind].label} →</Link>
      </p>
    </aside>
  );
}
