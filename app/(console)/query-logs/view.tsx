"use client";
import { api } from "@/app/_components/api-client";
import { useSeed } from "@/app/_components/use-seed";
import { keepPreviousData, type QueryClient, type UseQueryResult, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { type ReactNode, Suspense, use, useCallback, useEffect, useMemo, useRef, useState } from "react";
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
 *
 * A change made on the page (filter, zoom, "Older →") writes the URL with the History API instead of navigating: a
 * navigation re-rendered the whole page on the server — rows, charts and top lists read there first — so the new rows
 * waited for the slowest panel (median 0.6–0.9 s on the demo). Now each panel asks for itself and the rows arrive
 * first. Next's router follows history.pushState, so useSearchParams, Back and Forward keep working; a link opened in a
 * new tab still renders on the server with its first screen.
 */
export function QueryLogsView({
  searchParams,
  now: renderedNow,
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
  const routerSearch = useSearchParams()?.toString() ?? "";
  // The URL this view last wrote, shown at once: Next's router follows history.pushState, but in a transition that
  // re-renders the page some 100 ms later here (time-sliced), and the change should not wait for it. While the browser's
  // URL is still the one written here it is the state; Back, Forward or a link move the URL and the router's value
  // is followed again.
  const [own, setOwn] = useState<string | null>(null);
  const search = own !== null && typeof window !== "undefined" && window.location.search === (own ? `?${own}` : "") ? own : routerSearch;
  // the server's searchParams for the first render (same URL); the browser's URL after a change made here
  const params = useMemo(() => (search ? paramsRecord(new URLSearchParams(search)) : searchParams), [search, searchParams]);
  const state = useMemo(() => readState(params), [params]);
  // Presets ("last 24h") resolve against `now`: the time the server rendered this URL, then the time of each change
  // made here. Stable query keys, so one request per panel per change (a clock read at every render would change them).
  // Kept per URL, so a change's URL and its clock arrive in one render (one request per panel) and Back finds its
  // queries again; a server render of a new URL (the sidebar link, "Clear") starts afresh.
  const [clock, setClock] = useState<{ base: number; at: Record<string, number> }>({ base: renderedNow, at: {} });
  const now = (clock.base === renderedNow ? clock.at[search] : undefined) ?? renderedNow;
  const qs = useMemo(() => apiParams(state, now), [state, now]);
  const [selected, setSelected] = useState<LogRow | null>(null);
  const [live, setLive] = useState(false);
  // an exact count asked for this view (a change of view asks the fast one again; one key from the first render on)
  const [exactFor, setExactFor] = useState<string | null>(null);
  const exact = exactFor === qs.toString();

  const qc = useQueryClient();
  // the view on show, for the callbacks below (kept the same across renders: the panels are memoised on them)
  const latest = useRef({ state, qs: qs.toString(), exact });
  useEffect(() => {
    latest.current = { state, qs: qs.toString(), exact };
  });
  /**
   * One page of rows: its cache key and its read. Each read asks for the page after it too (`ahead=1`, one keyset read
   * of two pages on the server) and keeps that page in the cache, so "Older →" is drawn from memory and a change costs
   * one rows request, not two.
   */
  const rowsQuery = useCallback(
    (q: string, cursor: string | undefined, exact: boolean) => ({
      queryKey: ["querylogs", q, cursor ?? "", exact],
      queryFn: async ({ signal }: { signal: AbortSignal }) => {
        const p = new URLSearchParams(q);
        if (cursor) p.set("cursor", cursor);
        p.set("count", cursor ? "none" : exact ? "exact" : "fast");
        p.set("ahead", "1");
        const page = await api<ListResponse>(`/api/v1/query-logs?${p}`, { signal });
        keepAhead(qc, q, exact, page);
        return page;
      },
    }),
    [qc],
  );
  /** Move to another view in the page; a new filter or range reads the clock again, a page of the same view does not. */
  const move = useCallback(
    (s: ViewState, at: number) => {
      const href = pageHref(s);
      const key = href.slice(href.indexOf("?") + 1);
      // The rows are asked for now, from the click: the URL below reaches the view through Next's router, whose
      // re-render of the page comes 80–140 ms later on this machine. The key is the one that render computes (the same
      // URL read back, the same clock), so the view finds this request under way instead of sending its own.
      const next = readState(paramsRecord(new URLSearchParams(key)));
      const q = apiParams(next, at).toString();
      const sameView = q === latest.current.qs;
      void qc.prefetchQuery({ ...rowsQuery(q, next.cursor, sameView && latest.current.exact), staleTime: next.cursor ? 60_000 : 0 });
      setClock((c) => ({ base: renderedNow, at: { ...(c.base === renderedNow ? c.at : {}), [key]: at } }));
      window.history.pushState(null, "", href);
      setOwn(key);
    },
    [renderedNow, qc, rowsQuery],
  );
  const go = useCallback((s: ViewState) => move(s, Date.now()), [move]);
  const pageLink = (s: ViewState) => ({ href: pageHref(s), go: () => move(s, now) });
  // the same functions across renders (the charts, top lists and rows are memoised on them), reading the latest view
  const setFilter = useCallback((k: FilterKey, v: string | undefined) => go({ ...latest.current.state, cursor: undefined, filters: withFilter(latest.current.state.filters, k, v) }), [go]);
  const zoom = useCallback((from: string, to: string) => go({ ...latest.current.state, range: "custom", from, to, cursor: undefined }), [go]);

  const first = initial && initial.qs === qs.toString() ? initial : undefined;
  const seedList = useSeed(!exact && first?.cursor === state.cursor ? first?.list : undefined, first?.at);
  // The server's charts and top lists stream in after the rows (first-screen.ts): each is put into the cache when it
  // comes (<StreamSeed>), and the API is asked only for one that did not come.
  const [streaming, setStreaming] = useState(() => ({ charts: !!initial?.charts, tops: !!initial?.tops }));
  const streamed = useCallback(
    (part: StatsPart, d: Stats | undefined) => {
      if (d && initial) qc.setQueryData([STATS[part].key, initial.qs], (old: Stats | undefined) => old ?? d, { updatedAt: initial.at });
      setStreaming((w) => (w[part] ? { ...w, [part]: false } : w));
    },
    [initial, qc],
  );

  // the server's first page came with the one after it: kept like any other read's (before the effect below looks)
  useEffect(() => {
    if ("initialData" in seedList) keepAhead(qc, qs.toString(), false, seedList.initialData);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, for the server's page
  }, []);
  const list = useQuery({
    ...rowsQuery(qs.toString(), state.cursor, exact),
    // the last view's panels stay (dimmed, marked busy) until the new answer replaces them: no empty flash, no layout jump
    placeholderData: keepPreviousData,
    // an older page does not change under the reader (its rows are behind the cursor): kept, not asked again on return
    staleTime: state.cursor ? 60_000 : undefined,
    ...seedList,
  });
  // "Older →" from memory: a page's read brings the next page (rowsQuery); once "Older →" has shown that one, the page
  // after it is read in the background — asked before the charts and top lists of a change (this effect runs before
  // their queries start), so on the demo's database, which answers one query at a time, it does not queue behind them.
  const older = list.data?.nextCursor ?? null;
  const rowsIn = !list.isFetching;
  useEffect(() => {
    if (!older || !rowsIn || live) return;
    void qc.prefetchQuery({ ...rowsQuery(qs.toString(), older, exact), staleTime: 60_000 });
  }, [older, rowsIn, live, qc, rowsQuery, qs, exact]);
  // Charts and top lists are separate requests so each panel shows as soon as it is ready. They are asked for once the
  // rows have come: the rows are what a change is for, and an embedded database (the demo's PGlite) answers one query
  // at a time, so the rows would otherwise wait behind the top lists. On PostgreSQL this delays charts by the rows' time.
  const rowsFirst = !(list.isFetching && list.isPlaceholderData);
  const statsQuery = (part: StatsPart) => ({
    queryKey: [STATS[part].key, qs.toString()],
    queryFn: ({ signal }: { signal: AbortSignal }) => api<Stats>(`/api/v1/query-logs/stats?${qs}&parts=${STATS[part].parts}`, { signal }),
    // not asked while the server's first screen is still streaming this panel in
    enabled: rowsFirst && !(first && streaming[part]),
    placeholderData: keepPreviousData,
    staleTime: first ? 60_000 : undefined,
  });
  const charts = useQuery(statsQuery("charts"));
  const tops = useQuery(statsQuery("tops"));

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
      {(["charts", "tops"] as const).map((part) => {
        const promise = initial?.[part];
        return (
          promise && (
            <Suspense key={part} fallback={null}>
              <StreamSeed promise={promise} onData={(d) => streamed(part, d)} />
            </Suspense>
          )
        );
      })}
      <FiltersForm state={state} servers={servers} options={options} onApply={go} onRemove={(k) => setFilter(k, undefined)} />
      {"rollupError" in status && status.rollupError && <div className="alert warn">Rollups are paused: {status.rollupError}. Charts may lag; rows are read live.</div>}
      {list.data?.clipped && (
        <div className="alert warn" data-testid="ql-clipped">
          {list.data.clipped}
        </div>
      )}
      <section className="panel" data-testid="ql-charts">
        <StatsPanel q={charts} what="charts" testId="ql-charts-loading">
          {(d) => <Charts stats={d} onZoom={zoom} />}
        </StatsPanel>
        <StatsPanel q={tops} what="top lists">
          {(d) => <TopLists top={d.top} onFilter={setFilter} />}
        </StatsPanel>
        {notes.map((n) => (
          <p key={n} className="muted small">
            {n}
          </p>
        ))}
      </section>
      <RowsPanel
        list={list}
        rows={rows}
        older={list.data?.nextCursor ? pageLink({ ...state, cursor: list.data.nextCursor }) : null}
        newest={state.cursor ? pageLink({ ...state, cursor: undefined }) : null}
        live={live}
        onLive={setLive}
        liveDisabled={!!state.cursor}
        exportHref={exportHref}
        onExact={() => setExactFor(qs.toString())}
        onSelect={setSelected}
        selectedId={selected?.id ?? null}
        onFilter={setFilter}
      />
      {selected && <RowDetail row={selected} onClose={() => setSelected(null)} onFilter={setFilter} />}
    </div>
  );
}

/**
 * One statistics panel: "Loading …" before its first answer, "Updating …" while the previous view stays dimmed and
 * marked busy (no empty flash, no layout jump), the error in words, and the panel itself.
 */
function StatsPanel({ q, what, testId, children }: { q: UseQueryResult<Stats>; what: string; testId?: string; children: (d: Stats) => ReactNode }) {
  return (
    <>
      {(q.isPending || q.isPlaceholderData) && !q.error && (
        <p className="muted small" data-testid={testId}>
          <span className="spinner" /> {q.data ? `Updating ${what}…` : `Loading ${what}…`}
        </p>
      )}
      {!!q.error && <p className="error-text">{(q.error as Error).message}</p>}
      {q.data && (
        <div className={q.isPlaceholderData ? "stale" : undefined} aria-busy={q.isPlaceholderData}>
          {children(q.data)}
        </div>
      )}
    </>
  );
}

/**
 * Puts the page a read brought ahead (`ahead`) in the cache under the key "Older →" will ask for: rows, their cursor,
 * the first page's range and watermark (no count: a later page never has one). Kept only where nothing newer is.
 */
function keepAhead(qc: QueryClient, q: string, exact: boolean, page: ListResponse) {
  if (!page.ahead || !page.nextCursor) return;
  const key = ["querylogs", q, page.nextCursor, exact];
  if (qc.getQueryData(key)) return;
  const { ahead, ...rest } = page;
  qc.setQueryData<ListResponse>(key, { ...rest, rows: ahead.rows, nextCursor: ahead.nextCursor, count: null });
}

/** The two statistics panels: their query-cache key and the API's `parts`. */
const STATS = { charts: { key: "querylogs-charts", parts: "series,rtt" }, tops: { key: "querylogs-top", parts: "top" } } as const;
type StatsPart = keyof typeof STATS;

/** URLSearchParams → the record readState reads (a repeated key keeps all its values). */
function paramsRecord(p: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k of new Set(p.keys())) {
    const all = p.getAll(k);
    out[k] = all.length > 1 ? all : all[0];
  }
  return out;
}

/** Reads a panel's data the server streams after the page (React's use()) and hands it over once. Draws nothing. */
function StreamSeed({ promise, onData }: { promise: Promise<Stats | undefined>; onData: (d: Stats | undefined) => void }) {
  const d = use(promise);
  const done = useRef(false);
  useEffect(() => {
    if (done.current) return;
    done.current = true;
    onData(d);
  }, [d, onData]);
  return null;
}
