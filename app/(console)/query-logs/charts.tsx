"use client";
import { memo, useMemo, useState } from "react";
import { TimelineStrip } from "@/app/_components/timeline-strip";
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { BUCKET_MS, SERVER_COLORS, shortLabel, TYPE_COLORS } from "./format";
import type { Stats } from "./types";
import { useZoom } from "./zoom";

const ORDER = ["Authoritative", "Recursive", "Cached", "Blocked", "UpstreamBlocked", "UpstreamBlockedCached", "Dropped"];

/** Volume by response type (or instance), NXDOMAIN/SERVFAIL rate and Recursive RTT, on one time grid; drag to zoom. */
/** Memoised: a filter change re-renders the page while the new numbers load; recharts redraws only when they come. */
export const Charts = memo(function Charts({ stats, onZoom }: { stats: Stats; onZoom: (from: string, to: string) => void }) {
  const [split, setSplit] = useState(false);
  const zoom = useZoom(BUCKET_MS[stats.bucket] ?? 3_600_000, onZoom);
  const types = useMemo(() => {
    const s = new Set<string>();
    for (const p of stats.series) for (const k of Object.keys(p.byType)) s.add(k);
    return [...s].sort((a, b) => (ORDER.indexOf(a) + 99) % 99 - ((ORDER.indexOf(b) + 99) % 99));
  }, [stats]);
  const data = useMemo(
    () =>
      stats.series.map((p) => ({
        t: p.t,
        ...Object.fromEntries(types.map((k) => [k, p.byType[k] ?? 0])),
        ...Object.fromEntries(stats.servers.map((s) => [`srv:${s}`, p.byServer[s] ?? 0])),
        nx: p.total ? Math.round((p.nxDomain / p.total) * 1000) / 10 : 0,
        sf: p.total ? Math.round((p.serverFailure / p.total) * 1000) / 10 : 0,
      })),
    [stats, types],
  );
  // RTT points sit on the same grid as the series (every bucket present, gaps where there were no answers)
  const rtt = useMemo(() => {
    const by = new Map<string, Record<string, number | string>>(stats.series.map((p) => [p.t, { t: p.t }]));
    for (const r of stats.rtt) {
      const o = by.get(r.t) ?? { t: r.t };
      if (r.p50 !== null) o[`p50:${r.server}`] = r.p50;
      if (r.p90 !== null) o[`p90:${r.server}`] = r.p90;
      if (r.p99 !== null) o[`p99:${r.server}`] = r.p99;
      by.set(r.t, o);
    }
    return [...by.values()].sort((a, b) => String(a.t).localeCompare(String(b.t)));
  }, [stats]);
  const x = <XAxis dataKey="t" minTickGap={30} tickFormatter={(t: string) => shortLabel(t, stats.bucket)} />;
  const area = zoom.selection ? <ReferenceArea x1={zoom.selection.a} x2={zoom.selection.b} strokeOpacity={0.3} fill="#8884d8" fillOpacity={0.2} /> : null;
  const tip = <Tooltip labelFormatter={(t) => shortLabel(String(t), stats.bucket)} />;
  return (
    <>
      <div className="row">
        <h2>Queries over time</h2>
        <label className="small">
          <input type="checkbox" checked={split} onChange={(e) => setSplit(e.target.checked)} data-testid="ql-split" /> split by instance
        </label>
        <span className="muted small">
          bucket {stats.bucket} · drag across a chart to zoom{stats.source === "estimate" ? " · some figures estimated (see notes)" : ""}
        </span>
      </div>
      <div data-testid="ql-volume-chart" style={{ userSelect: "none" }}>
        <ResponsiveContainer width="100%" height={220}>
          <AreaChart data={data} {...zoom.handlers}>
            <CartesianGrid strokeDasharray="3 3" />
            {x}
            <YAxis />
            {tip}
            <Legend />
            {split
              ? stats.servers.map((s, i) => <Area key={s} type="monotone" dataKey={`srv:${s}`} name={s} stackId="1" stroke={SERVER_COLORS[i % 5]} fill={SERVER_COLORS[i % 5]} isAnimationActive={false} />)
              : types.map((t) => <Area key={t} type="monotone" dataKey={t} stackId="1" stroke={TYPE_COLORS[t] ?? "#888"} fill={TYPE_COLORS[t] ?? "#888"} isAnimationActive={false} />)}
            {area}
          </AreaChart>
        </ResponsiveContainer>
        <TimelineStrip from={stats.from} to={stats.to} padLeft={65} padRight={5} />
      </div>
      <div className="row" style={{ alignItems: "stretch", userSelect: "none" }}>
        <div style={{ flex: 1, minWidth: 280 }} data-testid="ql-rate-chart">
          <h3>NXDOMAIN and SERVFAIL rate (%)</h3>
          <ResponsiveContainer width="100%" height={180}>
            <LineChart data={data} {...zoom.handlers}>
              <CartesianGrid strokeDasharray="3 3" />
              {x}
              <YAxis unit="%" />
              {tip}
              <Legend />
              <Line type="monotone" dataKey="nx" name="NXDOMAIN" stroke="#e15759" dot={false} isAnimationActive={false} />
              <Line type="monotone" dataKey="sf" name="SERVFAIL" stroke="#f28e2b" dot={false} isAnimationActive={false} />
              {area}
            </LineChart>
          </ResponsiveContainer>
        </div>
        <div style={{ flex: 1, minWidth: 280 }} data-testid="ql-rtt-chart">
          <h3>Recursive RTT percentiles (ms)</h3>
          <ResponsiveContainer width="100%" height={180}>
            <LineChart data={rtt} {...zoom.handlers}>
              <CartesianGrid strokeDasharray="3 3" />
              {x}
              <YAxis scale="log" domain={["auto", "auto"]} allowDataOverflow />
              {tip}
              <Legend />
              {stats.servers.flatMap((s, i) =>
                (["p50", "p90", "p99"] as const).map((p, j) => (
                  <Line key={`${p}:${s}`} type="monotone" dataKey={`${p}:${s}`} name={`${p} ${s}`} stroke={SERVER_COLORS[i % 5]} strokeDasharray={["", "4 2", "1 2"][j]} dot={false} connectNulls isAnimationActive={false} />
                )),
              )}
              {area}
            </LineChart>
          </ResponsiveContainer>
        </div>
      </div>
    </>
  );
});
