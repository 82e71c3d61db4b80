"use client";
import { useCallback, useState } from "react";

export interface LegendItem {
  key: string;
  label: string;
  color: string;
  /** A stroke-dasharray, as the series draws it ("" or absent: solid). */
  dash?: string;
}

/** Which series a chart hides; `toggle` shows a hidden one again. */
export function useHiddenSeries(): [Set<string>, (key: string) => void] {
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const toggle = useCallback((key: string) => setHidden((h) => {
    const next = new Set(h);
    if (!next.delete(key)) next.add(key);
    return next;
  }), []);
  return [hidden, toggle];
}

/**
 * A chart's legend in plain HTML under it, instead of recharts' <Legend>: that one measures itself after the chart is
 * drawn and makes recharts lay the chart out a second time (about a quarter of a first render of the query-log
 * charts). Each entry is a button: a click hides or shows its series.
 */
export function ChartLegend({ items, hidden, onToggle, testId }: { items: LegendItem[]; hidden: Set<string>; onToggle: (key: string) => void; testId?: string }) {
  if (!items.length) return null;
  return (
    <ul className="chart-legend" data-testid={testId}>
      {items.map((it) => (
        <li key={it.key}>
          <button type="button" aria-pressed={!hidden.has(it.key)} onClick={() => onToggle(it.key)} title={hidden.has(it.key) ? `Show ${it.label}` : `Hide ${it.label}`}>
            <svg width="18" height="8" aria-hidden="true">
              <line x1="1" y1="4" x2="17" y2="4" stroke={it.color} strokeWidth="3" strokeDasharray={it.dash || undefined} />
            </svg>
            <span style={{ color: it.color }}>{it.label}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
