"use client";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartLegend, useHiddenSeries } from "@/app/_components/chart-legend";
import { COLORS, fmtTime } from "./format";

/**
 * The recharts part of a rate chart, in its own module so the Health page hydrates without recharts: the alerts and
 * the funnel (the first screen) are interactive before the chart library has even loaded (./rate-chart.tsx imports
 * this with next/dynamic).
 */
export default function LineChartBody(props: { data: Record<string, number>[]; keys: string[]; start: number; end: number; unit?: (v: number) => string }) {
  const [hidden, toggle] = useHiddenSeries();
  return (
    <>
      <ResponsiveContainer width="100%" height={150}>
        <LineChart data={props.data} margin={{ top: 4, right: 10, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#2a3441" />
          <XAxis dataKey="t" type="number" domain={[props.start, props.end]} tickFormatter={fmtTime} minTickGap={40} stroke="#8b97a8" fontSize={11} />
          <YAxis width={52} tickFormatter={props.unit} stroke="#8b97a8" fontSize={11} />
          <Tooltip labelFormatter={(t) => new Date(Number(t) * 1000).toLocaleString()} formatter={(v) => (props.unit ? props.unit(Number(v)) : Number(v).toFixed(2))} contentStyle={{ background: "#161c24", border: "1px solid #2a3441" }} />
          {props.keys.map((k, i) => (
            <Line key={k} dataKey={k} stroke={COLORS[i % COLORS.length]} hide={hidden.has(k)} dot={false} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <ChartLegend items={props.keys.map((k, i) => ({ key: k, label: k, color: COLORS[i % COLORS.length] }))} hidden={hidden} onToggle={toggle} />
    </>
  );
}
