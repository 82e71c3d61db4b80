/**
 * The server chooses range and step so no chart asks for more than a few hundred points per series: the step is the
 * range over MAX_POINTS rounded up to a "nice" value and never below the scrape interval; start and end are aligned
 * to the step (so two users asking for "the last hour" hit the same cache lines), and rate windows cover at least
 * four scrapes and one step. Pure.
 * (Charts get at most MAX_POINTS per series; a few hundred is the ceiling the issue sets.)
 */
/** a chart ~700 px wide gains nothing from more than one point per ~5 px; the API never asks Prometheus for more */
export const MAX_POINTS = 150;
export const RANGES = { "15m": 900, "1h": 3600, "6h": 21600, "24h": 86400, "7d": 604800 } as const;
export type RangeName = keyof typeof RANGES;
const NICE = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export interface Window {
  start: number;
  end: number;
  step: number;
  /** PromQL range for rate(): ≥ 4 scrape intervals, ≥ one step */
  rateWindow: string;
  points: number;
}

export function chooseWindow(from: Date, to: Date, o: { scrapeSeconds?: number; maxPoints?: number } = {}): Window {
  const scrape = o.scrapeSeconds ?? 15;
  const maxPoints = o.maxPoints ?? MAX_POINTS;
  const span = Math.max(60, (to.getTime() - from.getTime()) / 1000);
  const raw = Math.max(scrape, span / maxPoints);
  const step = NICE.find((n) => n >= raw) ?? Math.ceil(raw / 86400) * 86400;
  const end = Math.ceil(to.getTime() / 1000 / step) * step;
  let start = Math.floor(from.getTime() / 1000 / step) * step;
  if ((end - start) / step + 1 > maxPoints) start = end - (maxPoints - 1) * step;
  const rate = Math.max(4 * scrape, step, 60);
  return { start, end, step, rateWindow: `${rate}s`, points: (end - start) / step + 1 };
}
