"use client";
import { api } from "@/app/_components/api-client";
import { useEffect, useRef, useState } from "react";
import type { LogRow } from "./types";

/** Poll every 2 s for rows newer than the newest one shown (same filters, no time range); newest first, at most 500. */
export function useLiveTail(enabled: boolean, qs: URLSearchParams, newestShown: string | null): LogRow[] {
  const [rows, setRows] = useState<LogRow[]>([]);
  const newest = useRef<string | null>(null);
  useEffect(() => {
    newest.current = rows[0]?.id ?? newestShown;
  }, [rows, newestShown]);
  useEffect(() => setRows([]), [qs]);
  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    const tick = async () => {
      if (!newest.current) return;
      const p = new URLSearchParams(qs);
      p.delete("from");
      p.delete("to");
      p.set("after", newest.current);
      p.set("limit", "200");
      try {
        const r = await api<{ rows: LogRow[] }>(`/api/v1/query-logs?${p}`, { signal: ctl.signal });
        if (r.rows.length) setRows((prev) => [...r.rows, ...prev].sort((a, b) => b.timestamp.localeCompare(a.timestamp) || Number(b.id) - Number(a.id)).slice(0, 500));
      } catch {
        /* aborted, or shown by the main query's error state */
      }
    };
    const t = setInterval(tick, 2000);
    void tick();
    return () => {
      ctl.abort();
      clearInterval(t);
    };
  }, [enabled, qs]);
  return rows;
}
