"use client";
import { useState } from "react";
import type { MouseHandlerDataParam } from "recharts";

/**
 * Drag across a chart to zoom the page's range: press on one bucket, release on another, and the range becomes
 * [first bucket's start, last bucket's end). Share one instance between charts on the same time grid.
 */
export function useZoom(bucketMs: number, onZoom: (from: string, to: string) => void) {
  const [sel, setSel] = useState<{ a: string; b: string } | null>(null);
  const label = (s: MouseHandlerDataParam) => (typeof s?.activeLabel === "string" ? s.activeLabel : null);
  return {
    selection: sel,
    handlers: {
      onMouseDown: (s: MouseHandlerDataParam) => {
        const l = label(s);
        if (l) setSel({ a: l, b: l });
      },
      onMouseMove: (s: MouseHandlerDataParam) => {
        const l = label(s);
        if (sel && l && l !== sel.b) setSel({ ...sel, b: l });
      },
      onMouseUp: () => {
        if (sel && sel.a !== sel.b) {
          const [x, y] = [Date.parse(sel.a), Date.parse(sel.b)].sort((p, q) => p - q);
          onZoom(new Date(x).toISOString(), new Date(y + bucketMs).toISOString());
        }
        setSel(null);
      },
      onMouseLeave: () => setSel(null),
    },
  };
}
