"use client";
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartLegend, useHiddenSeries } from "@/app/_components/chart-legend";
import { CAUSES, type Cause } from "@/k8s/causes";

const COLOR: Record<Cause, string> = {
  "search-expansion": "#d9a441",
  "corporate-flood": "#8c7ae6",
  blocked: "#6c7a89",
  "reverse-no-ptr": "#4aa3df",
  "internal-missing": "#e0803c",
  "upstream-failure": "#e05c5c",
  other: "#9aa5b1",
};

/** Failed answers per bucket over the chosen range, stacked by cause (only the causes present in the range). */
export function FailureChart({ causeSeries, labels }: { causeSeries: ({ t: string } & Record<Cause, number>)[]; labels: Partial<Record<Cause, string>> }) {
  const present = CAUSES.filter((c) => labels[c]);
  const [hidden, toggle] = useHiddenSeries();
  return (
    <div data-testid="causes-chart">
      <div style={{ width: "100%", height: 240 }}>
        <ResponsiveContainer>
          <AreaChart data={causeSeries} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#333" />
            <XAxis dataKey="t" tickFormatter={(t: string) => t.slice(5, 16).replace("T", " ")} minTickGap={40} fontSize={12} />
            <YAxis fontSize={12} width={56} />
            <Tooltip labelFormatter={(t) => String(t).replace("T", " ").slice(0, 16)} />
            {present.map((c) => (
              <Area key={c} type="monotone" dataKey={c} name={labels[c]} stackId="1" stroke={COLOR[c]} fill={`${COLOR[c]}55`} hide={hidden.has(c)} isAnimationActive={false} />
            ))}
          </AreaChart>
        </ResponsiveContainer>
      </div>
      <ChartLegend items={present.map((c) => ({ key: c, label: labels[c]!, color: COLOR[c] }))} hidden={hidden} onToggle={toggle} />
    </div>
  );
}
