"use client";
import { memo, useMemo, useState } from "react";
import { TimelineStrip } from "@/app/_components/timeline-strip";
import { ChartLegend, type LegendItem, useHiddenSeries } from "@/app/_components/chart-legend";
import { Area, AreaChart, CartesianGrid, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { BUCKET_MS, SERVER_COLORS, shortLabel, TYPE_COLORS } from "./format";
import type { Stats } from "./types";
import { useZoom } from "./zoom";

const ORDER = ["Authoritative", "Recursive", "Cached", "Blocked", "UpstreamBlocked", "UpstreamBlockedCached", "Dropped"];
const PCTS = ["p50", "p90", "p99"] as const;
const PCT_DASH = ["", "4 2", "1 2"];
/** All instances together: one colour per percentile (split by instance: one colour per instance, a dash per percentile). */
const PCT_COLORS = ["#76b7b2", "#f28e2b", "#e15759"];
const RATES: LegendItem[] = [
  { key: "nx", label: "NXDOMAIN", color: "#e15759" },
  { key: "sf", label: "SERVFAIL", color: "#f28e2b" },
];

/**
 * Volume by response type, NXDOMAIN/SERVFAIL rate and Recursive RTT percentiles over every instance, on one time grid;
 * "split by instance" draws the volume and the percentiles per instance. Drag to zoom; a legend entry hides its series.
 * Memoised: a filter change re-renders the page while the new numbers load; recharts redraws only when they come.
 */
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
    for (const r of split ? stats.rtt : stats.rttAll) {
      const o = by.get(r.t) ?? { t: r.t };
      for (const q of PCTS) if (r[q] !== null) o[`${q}:${r.server}`] = r[q]!;
      by.set(r.t, o);
    }
    return [...by.values()].sort((a, b) => String(a.t).localeCompare(String(b.t)));
  }, [stats, split]);
  const noRtt = useMemo(() => (split ? stats.rtt : stats.rttAll).every((r) => PCTS.every((q) => r[q] === null)), [stats, split]);
  const volumeItems: LegendItem[] = split
    ? stats.servers.map((s, i) => ({ key: `srv:${s}`, label: s, color: SERVER_COLORS[i % 5] }))
    : types.map((t) => ({ key: t, label: t, color: TYPE_COLORS[t] ?? "#888" }));
  const rttItems: LegendItem[] = split
    ? stats.servers.flatMap((s, i) => PCTS.map((q, j) => ({ key: `${q}:${s}`, label: `${q} ${s}`, color: SERVER_COLORS[i % 5], dash: PCT_DASH[j] })))
    : PCTS.map((q, j) => ({ key: `${q}:`, label: q, color: PCT_COLORS[j], dash: PCT_DASH[j] }));
  const [hidden, toggle] = useHiddenSeries();
  const x = <XAxis dataKey="t" minTickGap={30} tickFormatter={(t: string) => shortLabel(t, stats.bucket)} />;
  const area = zoom.selection ? <ReferenceArea x1={zoom.selection.a} x2={zoom.selection.b} strokeOpacity={0.3} fill="#8884d8" fillOpacity={0.2} /> : null;
  const tip = <Tooltip labelFormatter={(t) => shortLabel(String(t), stats.bucket)} />;
  return (
    <>
      <div className="row">
        <h2>Queries over time</h2>
        <label className="small">
          <input type="checkbox" checked={split} onChange={(e) => setSplit(e.target.checked)} data-testid="ql-split" /> split volume and RTT by instance
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
            {volumeItems.map((it) => (
              <Area key={it.key} type="monotone" dataKey={it.key} name={it.label} stackId="1" stroke={it.color} fill={it.color} hide={hidden.has(it.key)} isAnimationActive={false} />
            ))}
            {area}
          </AreaChart>
        </ResponsiveContainer>
        <ChartLegend items={volumeItems} hidden={hidden} onToggle={toggle} testId="ql-volume-legend" />
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
              {RATES.map((it) => (
                <Line key={it.key} type="monotone" dataKey={it.key} name={it.label} stroke={it.color} hide={hidden.has(it.key)} dot={false} isAnimationActive={false} />
              ))}
              {area}
            </LineChart>
          </ResponsiveContainer>
          <ChartLegend items={RATES} hidden={hidden} onToggle={toggle} />
        </div>
        <div style={{ flex: 1, minWidth: 280 }} data-testid="ql-rtt-chart">
          <h3>Recursive RTT percentiles (ms){split ? " by instance" : ", all instances"}</h3>
          {noRtt ? (
            <div className="muted small" data-testid="ql-rtt-empty" style={{ height: 180, display: "flex", alignItems: "center", justifyContent: "center", textAlign: "center", padding: "0 1em" }}>
              No Recursive answers here: RTT is measured only for the queries Technitium resolved upstream itself (response
              Recursive), and none matches these filters in this range.
            </div>
          ) : (
          <ResponsiveContainer width="100%" height={180}>
            <LineChart data={rtt} {...zoom.handlers}>
              <CartesianGrid strokeDasharray="3 3" />
              {x}
              <YAxis scale="log" domain={[(lo: number) => Math.max(0.1, lo / 1.5), (hi: number) => hi * 1.5]} allowDataOverflow tickFormatter={(v: number) => String(+v.toPrecision(2))} />
              {tip}
              {rttItems.map((it) => (
                <Line key={it.key} type="monotone" dataKey={it.key} name={it.label} stroke={it.color} strokeDasharray={it.dash || undefined} hide={hidden.has(it.key)} dot={false} connectNulls isAnimationActive={false} />
              ))}
              {area}
            </LineChart>
          </ResponsiveContainer>
          )}
          {!noRtt && <ChartLegend items={rttItems} hidden={hidden} onToggle={toggle} testId="ql-rtt-legend" />}
        </div>
      </div>
    </>
  );
});
