"use client";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { TimelineStrip } from "@/app/_components/timeline-strip";
import type { TimelineMarker } from "@/server/prometheus/types";
import { COLORS, fmtTime, rows } from "./format";
import { WhenVisible } from "./visible";

/** One time chart (a line per series) with the range's timeline markers under it. */
export function RateChart(props: {
  title: string;
  series: { key: string; points: [number, number][] }[];
  from: string;
  to: string;
  markers: TimelineMarker[];
  unit?: (v: number) => string;
  testId?: string;
}) {
  const data = rows(props.series);
  const start = Date.parse(props.from) / 1000;
  const end = Date.parse(props.to) / 1000;
  return (
    <div data-testid={props.testId}>
      <h3 className="small muted" style={{ margin: "4px 0" }}>
        {props.title}
      </h3>
      {data.length === 0 ? (
        <p className="muted small" style={{ height: 150 }}>
          no samples in this range
        </p>
      ) : (
        <WhenVisible height={150}>
        <ResponsiveContainer width="100%" height={150}>
          <LineChart data={data} margin={{ top: 4, right: 10, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#2a3441" />
            <XAxis dataKey="t" type="number" domain={[start, end]} tickFormatter={fmtTime} minTickGap={40} stroke="#8b97a8" fontSize={11} />
            <YAxis width={52} tickFormatter={props.unit} stroke="#8b97a8" fontSize={11} />
            <Tooltip labelFormatter={(t) => new Date(Number(t) * 1000).toLocaleString()} formatter={(v) => (props.unit ? props.unit(Number(v)) : Number(v).toFixed(2))} contentStyle={{ background: "#161c24", border: "1px solid #2a3441" }} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {props.series.map((s, i) => (
              <Line key={s.key} dataKey={s.key} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} connectNulls />
            ))}
          </LineChart>
        </ResponsiveContainer>
        </WhenVisible>
      )}
      <TimelineStrip from={props.from} to={props.to} padLeft={52} padRight={10} markers={props.markers} />
    </div>
  );
}
