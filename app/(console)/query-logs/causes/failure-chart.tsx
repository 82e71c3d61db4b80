"use client";
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** NXDOMAIN and SERVFAIL answers per bucket over the chosen range. */
export function FailureChart({ series }: { series: { t: string; nxDomain: number; serverFailure: number }[] }) {
  return (
    <div style={{ width: "100%", height: 220 }} data-testid="causes-chart">
      <ResponsiveContainer>
        <AreaChart data={series} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#333" />
          <XAxis dataKey="t" tickFormatter={(t: string) => t.slice(5, 16).replace("T", " ")} minTickGap={40} fontSize={12} />
          <YAxis fontSize={12} width={56} />
          <Tooltip labelFormatter={(t) => String(t).replace("T", " ").slice(0, 16)} />
          <Legend />
          <Area type="monotone" dataKey="nxDomain" name="NXDOMAIN" stackId="1" stroke="#d9a441" fill="#d9a44155" isAnimationActive={false} />
          <Area type="monotone" dataKey="serverFailure" name="SERVFAIL" stackId="1" stroke="#e05c5c" fill="#e05c5c55" isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
