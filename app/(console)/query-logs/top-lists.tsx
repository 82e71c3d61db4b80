"use client";
import { memo } from "react";
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ClientIdentity } from "./client-cell";
import type { FilterKey } from "./params";
import type { RowClient, Stats, TopQuality } from "./types";

const LISTS = [
  ["Top names", "names", "qname"],
  ["Top clients", "clients", "client"],
  ["Top blocked", "blocked", "qname"],
] as const;

const QUALITY: Record<TopQuality, string | null> = {
  exact: null,
  "counts-exact": "counts exact · list may miss a rare entry",
  estimate: "estimated",
};

/** The three top lists for the current filters; click an entry (or its bar) to filter by it. */
export const TopLists = memo(function TopLists({ top, onFilter }: { top: Stats["top"]; onFilter: (k: FilterKey, v: string) => void }) {
  return (
    <div className="row" style={{ alignItems: "flex-start" }} data-testid="ql-top">
      {LISTS.map(([title, key, filterKey]) => {
        const entries = top[key];
        const q = QUALITY[top.quality[key]];
        return (
          <div key={key} style={{ flex: 1, minWidth: 240 }} data-testid={`ql-top-${key}`}>
            <h3>
              {title} {q && <span className="badge" title="see the notes under the charts">{q}</span>}
            </h3>
            {entries.length === 0 ? (
              <p className="muted small">Nothing matches.</p>
            ) : (
              <ResponsiveContainer width="100%" height={Math.max(60, entries.slice(0, 10).length * 22)}>
                <BarChart data={entries.slice(0, 10)} layout="vertical" margin={{ left: 0 }}>
                  <XAxis type="number" hide />
                  <YAxis type="category" dataKey="key" width={160} tick={{ fontSize: 10 }} />
                  <Tooltip />
                  <Bar
                    dataKey="count"
                    fill={key === "blocked" ? "#e15759" : "#4e79a7"}
                    isAnimationActive={false}
                    onClick={(d: unknown) => {
                      const k = (d as { key?: string } | undefined)?.key;
                      if (k) onFilter(filterKey, k);
                    }}
                  />
                </BarChart>
              </ResponsiveContainer>
            )}
            <table className="table small">
              <tbody>
                {entries.map((e) => (
                  <tr key={e.key}>
                    <td className="mono" style={{ maxWidth: 240, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={e.key}>
                      <button type="button" className="link-button" onClick={() => onFilter(filterKey, e.key)}>
                        {e.key || "(root)"}
                      </button>
                      {"client" in e && <ClientIdentity c={(e as { client: RowClient | null }).client} onFilter={onFilter} />}
                    </td>
                    <td style={{ textAlign: "right", whiteSpace: "nowrap" }}>{e.count.toLocaleString("en")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </div>
  );
});
