"use client";
import { api } from "@/app/_components/api-client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { TimelineStrip } from "@/app/_components/timeline-strip";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { LogRow } from "@/server/querylogs/query";
import { apiParams, FILTER_KEYS, type FilterKey, pageHref, PRESETS, readState, type ViewState } from "./params";

type Row = LogRow;
interface ListResponse {
  rows: Row[];
  nextCursor: string | null;
  from: string;
  to: string;
  clipped: string | null;
  count: { value: number; kind: "exact" | "rollup" | "estimate"; note: string } | null;
}
interface StatsResponse {
  from: string;
  to: string;
  bucket: string;
  source: string;
  notes: string[];
  servers: string[];
  series: { t: string; total: number; byType: Record<string, number>; byServer: Record<string, number>; nxDomain: number; serverFailure: number }[];
  top: { names: { key: string; count: number }[]; clients: { key: string; count: number }[]; blocked: { key: string; count: number }[]; approximate: boolean };
  rtt: { t: string; server: string; count: number; p50: number | null; p90: number | null; p99: number | null }[];
}
interface Status {
  configured: boolean;
  reachable: boolean;
  newestAt: string | null;
  watermark: string;
  rollupBehind: number;
  rollupError: string | null;
  servers: string[];
}

const TYPE_COLORS: Record<string, string> = {
  Authoritative: "#4e79a7",
  Recursive: "#f28e2b",
  Cached: "#59a14f",
  Blocked: "#e15759",
  UpstreamBlocked: "#b07aa1",
  UpstreamBlockedCached: "#ff9da7",
  Dropped: "#9c755f",
};
const SERVER_COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"];
const RESPONSE_TYPES = ["Authoritative", "Recursive", "Cached", "Blocked", "UpstreamBlocked", "UpstreamBlockedCached"];
const RCODES = ["NoError", "NxDomain", "ServerFailure", "Refused", "FormatError", "NotImplemented"];
const PROTOCOLS = ["Udp", "Tcp", "Tls", "Https", "Quic"];
const QTYPES = ["A", "AAAA", "HTTPS", "PTR", "SRV", "TXT", "CNAME", "MX", "NS", "SOA", "AXFR", "ANY"];


const LINK: React.CSSProperties = { background: "none", border: "none", padding: 0, color: "inherit", font: "inherit", cursor: "pointer", textDecoration: "underline dotted" };
const fmtTime = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
const short = (iso: string, bucket: string) => (bucket === "1d" ? iso.slice(5, 10) : iso.slice(5, 16).replace("T", " "));

export function QueryLogsView({ searchParams, status }: { searchParams: Record<string, string | string[] | undefined>; status: Status }) {
  const router = useRouter();
  const state = useMemo(() => readState(searchParams), [searchParams]);
  const [draft, setDraft] = useState<ViewState>(state);
  useEffect(() => setDraft(state), [state]);
  const [selected, setSelected] = useState<Row | null>(null);
  const [split, setSplit] = useState(false);
  const [live, setLive] = useState(false);
  const [liveRows, setLiveRows] = useState<Row[]>([]);
  const [exact, setExact] = useState(false);
  // Presets resolve against the time the view was opened (stable keys), refreshed on navigation.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => setNow(Date.now()), [searchParams]);
  const qs = useMemo(() => apiParams(state, now), [state, now]);

  const go = (s: ViewState) => router.push(pageHref(s));
  const setFilter = (k: FilterKey, v: string | undefined) => go({ ...state, cursor: undefined, filters: { ...state.filters, [k]: v } });

  const list = useQuery({
    queryKey: ["querylogs", qs.toString(), state.cursor ?? "", exact],
    queryFn: () => {
      const p = new URLSearchParams(qs);
      if (state.cursor) p.set("cursor", state.cursor);
      p.set("count", state.cursor ? "none" : exact ? "exact" : "fast");
      return api<ListResponse>(`/api/v1/query-logs?${p}`);
    },
  });
  // Charts and top lists are separate requests so each comes back as soon as it is ready.
  const charts = useQuery({
    queryKey: ["querylogs-stats", qs.toString()],
    queryFn: () => api<StatsResponse>(`/api/v1/query-logs/stats?${qs}&parts=series,rtt`),
  });
  const tops = useQuery({
    queryKey: ["querylogs-top", qs.toString()],
    queryFn: () => api<StatsResponse>(`/api/v1/query-logs/stats?${qs}&parts=top`),
  });
  const chartsData = charts.data;
  const topsData = tops.data;
  const statsData = useMemo(
    () =>
      chartsData
        ? { ...chartsData, top: topsData?.top ?? { names: [], clients: [], blocked: [], approximate: true }, notes: [...new Set([...chartsData.notes, ...(topsData?.notes ?? [])])] }
        : undefined,
    [chartsData, topsData],
  );
  const stats = { isLoading: charts.isLoading, error: charts.error ?? tops.error, data: statsData };

  // Live tail: poll for rows newer than the newest one shown.
  const newest = useRef<string | null>(null);
  useEffect(() => {
    newest.current = liveRows[0]?.id ?? list.data?.rows[0]?.id ?? null;
  }, [liveRows, list.data]);
  useEffect(() => {
    if (!live) return;
    let stop = false;
    const tick = async () => {
      if (stop || !newest.current) return;
      const p = new URLSearchParams(qs);
      p.delete("from");
      p.delete("to");
      p.set("after", newest.current);
      p.set("limit", "200");
      try {
        const r = await api<{ rows: Row[] }>(`/api/v1/query-logs?${p}`);
        if (r.rows.length) setLiveRows((prev) => [...r.rows, ...prev].slice(0, 500));
      } catch {
        /* shown by the main query's error state */
      }
    };
    const t = setInterval(tick, 2000);
    void tick();
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [live, qs]);
  useEffect(() => {
    setLiveRows([]);
    setExact(false);
  }, [qs]);

  const rows = [...(state.cursor ? [] : liveRows), ...(list.data?.rows ?? [])];
  const topData = stats.data?.top ?? { names: [], clients: [], blocked: [], approximate: true };
  const types = useMemo(() => {
    const s = new Set<string>();
    for (const p of statsData?.series ?? []) for (const k of Object.keys(p.byType)) s.add(k);
    return RESPONSE_TYPES.filter((t) => s.has(t)).concat([...s].filter((t) => !RESPONSE_TYPES.includes(t)));
  }, [statsData]);
  const servers = statsData?.servers ?? status.servers;
  const chartData = useMemo(
    () =>
      (statsData?.series ?? []).map((p) => ({
        t: short(p.t, statsData!.bucket),
        ...Object.fromEntries(types.map((t) => [t, p.byType[t] ?? 0])),
        ...Object.fromEntries(servers.map((s) => [`srv:${s}`, p.byServer[s] ?? 0])),
        nx: p.total ? Math.round((p.nxDomain / p.total) * 1000) / 10 : 0,
        sf: p.total ? Math.round((p.serverFailure / p.total) * 1000) / 10 : 0,
      })),
    [statsData, types, servers],
  );
  const rttData = useMemo(() => {
    const by = new Map<string, Record<string, number | string>>();
    for (const r of statsData?.rtt ?? []) {
      const k = short(r.t, statsData!.bucket === "1d" ? "1d" : "1h");
      const o = by.get(k) ?? { t: k };
      if (r.p50 !== null) o[`p50:${r.server}`] = r.p50;
      if (r.p90 !== null) o[`p90:${r.server}`] = r.p90;
      if (r.p99 !== null) o[`p99:${r.server}`] = r.p99;
      by.set(k, o);
    }
    return [...by.values()];
  }, [statsData]);

  const exportHref = (format: string) => {
    const p = new URLSearchParams(qs);
    p.set("format", format);
    return `/api/v1/query-logs/export?${p}`;
  };

  const Val = ({ k, v, children }: { k: FilterKey; v: string | null; children?: React.ReactNode }) =>
    v === null || v === "" ? (
      <span className="muted">—</span>
    ) : (
      <button type="button" style={LINK} title={`Filter by ${k} = ${v}`} onClick={() => setFilter(k, v)} data-testid={`val-${k}`}>
        {children ?? v}
      </button>
    );

  return (
    <div className="stack-v">
      <form
        className="filters"
        data-testid="querylogs-filters"
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...draft, cursor: undefined });
        }}
      >
        <label>
          Range
          <select value={draft.range} onChange={(e) => setDraft({ ...draft, range: e.target.value })} data-testid="ql-range">
            {Object.keys(PRESETS).map((k) => (
              <option key={k} value={k}>
                last {k}
              </option>
            ))}
            <option value="custom">custom</option>
          </select>
        </label>
        {draft.range === "custom" && (
          <>
            <label>
              From (UTC) <input value={draft.from ?? ""} placeholder="2026-11-24T08:00:00Z" onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
            </label>
            <label>
              To (UTC) <input value={draft.to ?? ""} placeholder="now" onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
            </label>
          </>
        )}
        <label>
          Instance
          <select value={draft.filters.server ?? ""} onChange={(e) => setDraft({ ...draft, filters: { ...draft.filters, server: e.target.value || undefined } })} data-testid="ql-server">
            <option value="">all</option>
            {servers.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Client <input value={draft.filters.client ?? ""} placeholder="IP or CIDR" onChange={(e) => setDraft({ ...draft, filters: { ...draft.filters, client: e.target.value || undefined } })} data-testid="ql-client" />
        </label>
        <label>
          Name <input value={draft.filters.qname ?? ""} placeholder="a.b · *.b · ~text" onChange={(e) => setDraft({ ...draft, filters: { ...draft.filters, qname: e.target.value || undefined } })} data-testid="ql-qname" />
        </label>
        {(
          [
            ["qtype", "Type", QTYPES],
            ["rcode", "Rcode", RCODES],
            ["responseType", "Response", RESPONSE_TYPES],
            ["protocol", "Protocol", PROTOCOLS],
          ] as const
        ).map(([k, label, opts]) => (
          <label key={k}>
            {label}
            <select value={draft.filters[k] ?? ""} onChange={(e) => setDraft({ ...draft, filters: { ...draft.filters, [k]: e.target.value || undefined } })} data-testid={`ql-${k}`}>
              <option value="">any</option>
              {draft.filters[k] && !(opts as readonly string[]).includes(draft.filters[k]!) && <option value={draft.filters[k]}>{draft.filters[k]}</option>}
              {opts.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button type="submit" data-testid="ql-apply">
          Apply
        </button>
        <Link href="/query-logs">Clear</Link>
      </form>

      {Object.entries(state.filters).some(([, v]) => v) && (
        <div className="row" data-testid="ql-active-filters">
          {FILTER_KEYS.filter((k) => state.filters[k]).map((k) => (
            <span key={k} className="badge">
              {k}: {state.filters[k]}{" "}
              <button type="button" style={LINK} aria-label={`remove ${k} filter`} onClick={() => setFilter(k, undefined)}>
                ×
              </button>
            </span>
          ))}
        </div>
      )}

      {status.rollupError && <div className="alert warn">Rollups are paused: {status.rollupError}. Charts may lag; rows are read live.</div>}
      {list.data?.clipped && (
        <div className="alert warn" data-testid="ql-clipped">
          {list.data.clipped}
        </div>
      )}

      <section className="panel" data-testid="ql-charts">
        <div className="row">
          <h2>Queries over time</h2>
          <label className="small">
            <input type="checkbox" checked={split} onChange={(e) => setSplit(e.target.checked)} data-testid="ql-split" /> split by instance
          </label>
          {stats.data && (
            <span className="muted small">
              bucket {stats.data.bucket} · from {stats.data.source === "rollup" ? "rollups" : "raw rows"}
            </span>
          )}
        </div>
        {stats.isLoading && <p className="muted">Loading charts…</p>}
        {stats.error && <p className="error-text">{(stats.error as Error).message}</p>}
        {stats.data && (
          <>
            <ResponsiveContainer width="100%" height={220}>
              <AreaChart data={chartData}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="t" minTickGap={30} />
                <YAxis />
                <Tooltip />
                <Legend />
                {split
                  ? servers.map((s, i) => <Area key={s} type="monotone" dataKey={`srv:${s}`} name={s} stackId="1" stroke={SERVER_COLORS[i % 5]} fill={SERVER_COLORS[i % 5]} isAnimationActive={false} />)
                  : types.map((t) => <Area key={t} type="monotone" dataKey={t} stackId="1" stroke={TYPE_COLORS[t] ?? "#888"} fill={TYPE_COLORS[t] ?? "#888"} isAnimationActive={false} />)}
              </AreaChart>
            </ResponsiveContainer>
            <TimelineStrip from={stats.data.from} to={stats.data.to} padLeft={65} padRight={5} />
            <div className="row" style={{ alignItems: "stretch" }}>
              <div style={{ flex: 1, minWidth: 280 }}>
                <h3>NXDOMAIN and SERVFAIL rate (%)</h3>
                <ResponsiveContainer width="100%" height={180}>
                  <LineChart data={chartData}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="t" minTickGap={30} />
                    <YAxis unit="%" />
                    <Tooltip />
                    <Legend />
                    <Line type="monotone" dataKey="nx" name="NXDOMAIN" stroke="#e15759" dot={false} isAnimationActive={false} />
                    <Line type="monotone" dataKey="sf" name="SERVFAIL" stroke="#f28e2b" dot={false} isAnimationActive={false} />
                  </LineChart>
                </ResponsiveContainer>
              </div>
              <div style={{ flex: 1, minWidth: 280 }}>
                <h3>Recursive RTT percentiles (ms)</h3>
                <ResponsiveContainer width="100%" height={180}>
                  <LineChart data={rttData}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="t" minTickGap={30} />
                    <YAxis scale="log" domain={["auto", "auto"]} allowDataOverflow />
                    <Tooltip />
                    <Legend />
                    {servers.flatMap((s, i) =>
                      (["p50", "p90", "p99"] as const).map((p, j) => (
                        <Line key={`${p}:${s}`} type="monotone" dataKey={`${p}:${s}`} name={`${p} ${s}`} stroke={SERVER_COLORS[i % 5]} strokeDasharray={["", "4 2", "1 2"][j]} dot={false} isAnimationActive={false} />
                      )),
                    )}
                  </LineChart>
                </ResponsiveContainer>
              </div>
            </div>
            <div className="row" style={{ alignItems: "flex-start" }} data-testid="ql-top">
              {(
                [
                  ["Top names", "names", "qname"],
                  ["Top clients", "clients", "client"],
                  ["Top blocked", "blocked", "qname"],
                ] as const
              ).map(([title, key, filterKey]) => (
                <div key={key} style={{ flex: 1, minWidth: 240 }}>
                  <h3>{title}</h3>
                  <ResponsiveContainer width="100%" height={Math.max(60, topData[key].slice(0, 10).length * 22)}>
                    <BarChart data={topData[key].slice(0, 10)} layout="vertical" margin={{ left: 0 }}>
                      <XAxis type="number" hide />
                      <YAxis type="category" dataKey="key" width={160} tick={{ fontSize: 10 }} />
                      <Tooltip />
                      <Bar dataKey="count" fill={key === "blocked" ? "#e15759" : "#4e79a7"} isAnimationActive={false} onClick={(d: unknown) => {
                        const k = (d as { key?: string } | undefined)?.key;
                        if (k) setFilter(filterKey, k);
                      }} />
                    </BarChart>
                  </ResponsiveContainer>
                  <table className="table small">
                    <tbody>
                      {topData[key].map((e) => (
                        <tr key={e.key}>
                          <td className="mono" style={{ maxWidth: 240, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={e.key}>
                            <button type="button" style={LINK} onClick={() => setFilter(filterKey, e.key)}>
                              {e.key || "(root)"}
                            </button>
                          </td>
                          <td style={{ textAlign: "right", whiteSpace: "nowrap" }}>{e.count.toLocaleString("en")}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ))}
            </div>
            {stats.data.notes.map((n) => (
              <p key={n} className="muted small">
                {n}
              </p>
            ))}
          </>
        )}
      </section>

      <section className="panel">
        <div className="row">
          <h2>Queries</h2>
          {list.data?.count && (
            <span data-testid="ql-count" title={list.data.count.note}>
              {list.data.count.kind === "estimate" ? "≈ " : ""}
              {list.data.count.value.toLocaleString("en")} matching {list.data.count.kind === "estimate" ? <span className="badge">estimate</span> : <span className="badge badge-ok">{list.data.count.kind}</span>}
            </span>
          )}
          {list.data?.count?.kind === "estimate" && (
            <button type="button" onClick={() => setExact(true)} data-testid="ql-exact">
              Exact count
            </button>
          )}
          <label className="small">
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} disabled={!!state.cursor} data-testid="ql-live" /> live tail
          </label>
          <a href={exportHref("csv")} data-testid="ql-export-csv">
            Export CSV
          </a>
          <a href={exportHref("ndjson")} data-testid="ql-export-ndjson">
            Export NDJSON
          </a>
        </div>
        {list.isLoading && (
          <p className="muted">
            <span className="spinner" /> Loading…
          </p>
        )}
        {list.error && (
          <div className="alert error" role="alert" data-testid="ql-error">
            {(list.error as Error).message}
          </div>
        )}
        <table className="table" data-testid="ql-rows">
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Instance</th>
              <th>Client</th>
              <th>Proto</th>
              <th>Response</th>
              <th>Rcode</th>
              <th>Name</th>
              <th>Type</th>
              <th>Answer</th>
              <th>RTT</th>
            </tr>
          </thead>
          <tbody>
            {list.data && rows.length === 0 && (
              <tr>
                <td colSpan={10} className="muted">
                  Nothing matches in this range.
                </td>
              </tr>
            )}
            {rows.map((r) => (
              <tr key={r.id} onDoubleClick={() => setSelected(r)} className={selected?.id === r.id ? "selected" : undefined} data-testid="ql-row">
                <td className="mono small">
                  <button type="button" style={LINK} onClick={() => setSelected(r)} title="Details">
                    {fmtTime(r.timestamp)}
                  </button>
                </td>
                <td>
                  <Val k="server" v={r.server} />
                </td>
                <td className="mono">
                  <Val k="client" v={r.clientIp} />
                </td>
                <td>
                  <Val k="protocol" v={r.protocol} />
                </td>
                <td>
                  <Val k="responseType" v={r.responseType} />
                </td>
                <td>
                  <Val k="rcode" v={r.rcode} />
                </td>
                <td className="mono">
                  <Val k="qname" v={r.qname}>
                    {r.qname === "" ? "(root)" : r.qname}
                  </Val>
                </td>
                <td>
                  <Val k="qtype" v={r.qtype} />
                </td>
                <td className="mono small" style={{ maxWidth: 360, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={r.answer ?? ""}>
                  {r.answer ?? <span className="muted">—</span>}
                </td>
                <td>{r.rtt === null ? "" : `${r.rtt.toFixed(1)} ms`}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="row">
          {state.cursor && (
            <Link href={pageHref({ ...state, cursor: undefined })} data-testid="ql-newest">
              ← Newest
            </Link>
          )}
          {list.data?.nextCursor && (
            <Link href={pageHref({ ...state, cursor: list.data.nextCursor })} data-testid="ql-older">
              Older →
            </Link>
          )}
        </div>
      </section>

      {selected && (
        <section className="panel" data-testid="ql-details">
          <div className="row">
            <h2>Query #{selected.id}</h2>
            <button type="button" onClick={() => setSelected(null)}>
              Close
            </button>
          </div>
          <table className="table">
            <tbody>
              {(
                [
                  ["Time", fmtTime(selected.timestamp), null],
                  ["Instance", selected.server, "server"],
                  ["Client", selected.clientIp, "client"],
                  ["Protocol", selected.protocol, "protocol"],
                  ["Response type", selected.responseType, "responseType"],
                  ["Rcode", selected.rcode, "rcode"],
                  ["Name", selected.qname, "qname"],
                  ["Type", selected.qtype, "qtype"],
                  ["Class", selected.qclass, null],
                  ["RTT", selected.rtt === null ? null : `${selected.rtt} ms`, null],
                  ["Answer", selected.answer, null],
                ] as [string, string | null, FilterKey | null][]
              ).map(([label, value, key]) => (
                <tr key={label}>
                  <th>{label}</th>
                  <td className="mono" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
                    {value ?? <span className="muted">(none)</span>}
                  </td>
                  <td>
                    {key && value !== null && (
                      <>
                        <button type="button" onClick={() => setFilter(key, value)} data-testid={`ql-filter-${key}`}>
                          Filter
                        </button>{" "}
                        <button type="button" onClick={() => setFilter(key, `!${value}`)} data-testid={`ql-exclude-${key}`}>
                          Exclude
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
