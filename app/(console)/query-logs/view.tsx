"use client";
import { api } from "@/app/_components/api-client";
import { useSeed } from "@/app/_components/use-seed";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { Charts } from "./charts";
import { FiltersForm } from "./filters-form";
import { useLiveTail } from "./live-tail";
import { apiParams, type FilterKey, pageHref, readState, type ViewState, withFilter } from "./params";
import { RowDetail } from "./row-detail";
import { RowsPanel } from "./rows-panel";
import { TopLists } from "./top-lists";
import type { FirstScreen } from "./first-screen";
import type { FilterOptions, ListResponse, LogRow, Stats, Status } from "./types";

/**
 * The query-log explorer. The URL is the state; each change sends one request per panel (rows with their count,
 * charts, top lists), cancelling the previous ones, and every panel follows every filter.
 */
export function QueryLogsView({
  searchParams,
  now,
  status,
  options,
  initial,
}: {
  searchParams: Record<string, string | string[] | undefined>;
  now: number;
  status: Status;
  options: FilterOptions;
  /** What the server already read for this URL (first-screen.ts): used while the view still shows that URL. */
  initial?: FirstScreen;
}) {
  const router = useRouter();
  const state = useMemo(() => readState(searchParams), [searchParams]);
  // Presets ("last 24h") resolve against `now`, the time the server rendered this URL: stable query keys, so one
  // request per panel per change (a clock read in the browser would change the keys right after the first render).
  const qs = useMemo(() => apiParams(state, now), [state, now]);
  const [selected, setSelected] = useState<LogRow | null>(null);
  const [live, setLive] = useState(false);
  const [exact, setExact] = useState(false);
  useEffect(() => setExact(false), [qs]);

  const go = (s: ViewState) => router.push(pageHref(s));
  const setFilter = (k: FilterKey, v: string | undefined) => go({ ...state, cursor: undefined, filters: withFilter(state.filters, k, v) });
  const zoom = (from: string, to: string) => go({ ...state, range: "custom", from, to, cursor: undefined });

  const first = initial && initial.qs === qs.toString() ? initial : undefined;
  const seedList = useSeed(!exact ? first?.list : undefined, first?.at);
  const seedCharts = useSeed(first?.charts, first?.at);
  const seedTops = useSeed(first?.tops, first?.at);

  const list = useQuery({
    queryKey: ["querylogs", qs.toString(), state.cursor ?? "", exact],
    queryFn: ({ signal }) => {
      const p = new URLSearchParams(qs);
      if (state.cursor) p.set("cursor", state.cursor);
      p.set("count", state.cursor ? "none" : exact ? "exact" : "fast");
      return api<ListResponse>(`/api/v1/query-logs?${p}`, { signal });
    },
    ...seedList,
  });
  // Charts and top lists are separate requests so each panel shows as soon as it is ready.
  const charts = useQuery({ queryKey: ["querylogs-charts", qs.toString()], queryFn: ({ signal }) => api<Stats>(`/api/v1/query-logs/stats?${qs}&parts=series,rtt`, { signal }), ...seedCharts });
  const tops = useQuery({ queryKey: ["querylogs-top", qs.toString()], queryFn: ({ signal }) => api<Stats>(`/api/v1/query-logs/stats?${qs}&parts=top`, { signal }), ...seedTops });

  const liveRows = useLiveTail(live && !state.cursor, qs, list.data?.rows[0]?.id ?? null);
  const rows = useMemo(() => {
    const seen = new Set<string>();
    return [...(state.cursor ? [] : liveRows), ...(list.data?.rows ?? [])].filter((r) => !seen.has(r.id) && !!seen.add(r.id));
  }, [liveRows, list.data, state.cursor]);
  const servers = charts.data?.servers.length ? charts.data.servers : "servers" in status ? (status.servers ?? []) : [];
  const notes = [...new Set([...(charts.data?.notes ?? []), ...(tops.data?.notes ?? [])])];
  const exportHref = (format: string) => {
    const p = new URLSearchParams(qs);
    p.set("format", format);
    return `/api/v1/query-logs/export?${p}`;
  };

  return (
    <div className="stack-v">
      <FiltersForm state={state} servers={servers} options={options} onApply={go} onRemove={(k) => setFilter(k, undefined)} />
      {"rollupError" in status && status.rollupError && <div className="alert warn">Rollups are paused: {status.rollupError}. Charts may lag; rows are read live.</div>}
      {list.data?.clipped && (
        <div className="alert warn" data-testid="ql-clipped">
          {list.data.clipped}
        </div>
      )}
      <section className="panel" data-testid="ql-charts">
        {charts.isLoading && <p className="muted">Loading charts…</p>}
        {!!charts.error && <p className="error-text">{(charts.error as Error).message}</p>}
        {charts.data && <Charts stats={charts.data} onZoom={zoom} />}
        {tops.isLoading && <p className="muted">Loading top lists…</p>}
        {!!tops.error && <p className="error-text">{(tops.error as Error).message}</p>}
        {tops.data && <TopLists top={tops.data.top} onFilter={setFilter} />}
        {notes.map((n) => (
          <p key={n} className="muted small">
            {n}
          </p>
        ))}
      </section>
      <RowsPanel
        list={list}
        rows={rows}
        olderHref={list.data?.nextCursor ? pageHref({ ...state, cursor: list.data.nextCursor }) : null}
        newestHref={state.cursor ? pageHref({ ...state, cursor: undefined }) : null}
        live={live}
        onLive={setLive}
        liveDisabled={!!state.cursor}
        exportHref={exportHref}
        onExact={() => setExact(true)}
        onSelect={setSelected}
        selectedId={selected?.id ?? null}
        onFilter={setFilter}
      />
      {selected && <RowDetail row={selected} onClose={() => setSelected(null)} onFilter={setFilter} />}
    </div>
  );
}
