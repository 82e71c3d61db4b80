/** Number formats and the offered ranges for the Health page (pure; importable by server and client components). */
export const RANGE_NAMES = ["15m", "1h", "6h", "24h", "7d"] as const;
export const last = (p: [number, number][] | undefined): number | null => (p && p.length ? p[p.length - 1][1] : null);
export const fmtRate = (v: number | null) => (v === null ? "–" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
export const fmtPct = (v: number | null) => (v === null ? "–" : `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`);
export const fmtMs = (v: number | null) => (v === null ? "–" : v < 0.001 ? `${(v * 1e6).toFixed(0)} µs` : `${(v * 1000).toFixed(v < 0.01 ? 2 : 0)} ms`);
// UTC, fixed format: the server renders this first, so the browser must produce the same text (no hydration mismatch)
export const fmtTime = (t: number) => new Date(t * 1000).toISOString().slice(11, 16);
export const COLORS = ["#4ea1ff", "#3fb950", "#d29922", "#a371f7", "#f85149", "#39c5cf", "#e3b341", "#db61a2"];

/** Merge per-member series into recharts rows keyed by time. */
export function rows(series: { key: string; points: [number, number][] }[]): Record<string, number>[] {
  const byT = new Map<number, Record<string, number>>();
  for (const s of series) for (const [t, v] of s.points) (byT.get(t) ?? byT.set(t, { t }).get(t)!)[s.key] = v;
  return [...byT.values()].sort((a, b) => a.t - b.t);
}
