"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { TimelineMarker } from "@/server/prometheus/types";
import { api } from "./api-client";
import { RunDrawer } from "./run-drawer";

/**
 * What changed in a chart's time range — applies, rollbacks, Corefile changes, syncs, CronJob runs — as markers on a
 * strip under the chart, positioned by time. A marker opens its run. Drop it under any time chart:
 * `<TimelineStrip from={iso} to={iso} padLeft={60} />` (padLeft/padRight = the chart's plot-area margins in px).
 */
export const MARKER_COLORS: Record<TimelineMarker["kind"], string> = { apply: "#4ea1ff", rollback: "#f85149", corefile: "#d29922", sync: "#3fb950", cronjob: "#a371f7" };

/** The longest span /api/v1/timeline answers (server/prometheus/schemas.ts), less a little clock skew. */
const TIMELINE_MAX_MS = 7 * 86_400_000 - 60_000;

export function useTimeline(from: string, to: string) {
  return useQuery({
    queryKey: ["timeline", from, to],
    queryFn: () => api<{ markers: TimelineMarker[]; truncated: boolean }>(`/api/v1/timeline?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
    refetchInterval: 30_000,
  });
}

export function TimelineStrip({ from, to, padLeft = 60, padRight = 10, markers: given }: { from: string; to: string; padLeft?: number; padRight?: number; markers?: TimelineMarker[] }) {
  // The timeline answers at most 7 days: over a longer chart (the query logs' 30/90 days) the strip shows the last 7.
  const q = useTimeline(new Date(Math.max(Date.parse(from), Date.parse(to) - TIMELINE_MAX_MS)).toISOString(), to);
  const [open, setOpen] = useState<TimelineMarker | null>(null);
  const markers = given ?? q.data?.markers ?? [];
  const t0 = Date.parse(from);
  const span = Math.max(1, Date.parse(to) - t0);
  return (
    <div className="timeline-strip" style={{ marginLeft: padLeft, marginRight: padRight }} data-testid="timeline-strip" aria-label="What changed in this range">
      {q.error && !given && <span className="error-text small">timeline: {(q.error as Error).message}</span>}
      {markers.map((m) => {
        const x = Math.min(100, Math.max(0, ((Date.parse(m.at) - t0) / span) * 100));
        return (
          <button
            key={m.id}
            type="button"
            className="timeline-marker"
            style={{ left: `${x}%`, background: MARKER_COLORS[m.kind] }}
            title={`${new Date(m.at).toISOString().replace("T", " ").slice(0, 19)} UTC — ${m.label} (${m.status})`}
            aria-label={`${m.kind}: ${m.label}, ${m.status}`}
            data-testid={`marker-${m.kind}`}
            onClick={() => setOpen(m)}
          />
        );
      })}
      {open && <RunDrawer marker={open} onClose={() => setOpen(null)} />}
    </div>
  );
}
