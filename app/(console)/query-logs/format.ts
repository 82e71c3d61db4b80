/** Colours and time labels shared by the query-log page's panels. Pure. */

export const TYPE_COLORS: Record<string, string> = {
  Authoritative: "#4e79a7",
  Recursive: "#f28e2b",
  Cached: "#59a14f",
  Blocked: "#e15759",
  UpstreamBlocked: "#b07aa1",
  UpstreamBlockedCached: "#ff9da7",
  Dropped: "#9c755f",
};
export const SERVER_COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"];

/** 2026-11-24 14:26:12.345Z → "2026-11-24 14:26:12.345" (UTC, one line). */
export const fmtTime = (iso: string) => iso.replace("T", " ").replace(/Z$/, "");

/** Axis label for a bucket start: the day for daily buckets, day and time otherwise. */
export const shortLabel = (iso: string, bucket: string) => (bucket === "1d" ? iso.slice(5, 10) : iso.slice(5, 16).replace("T", " "));

export const BUCKET_MS: Record<string, number> = { "1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000, "6h": 21_600_000, "1d": 86_400_000 };
