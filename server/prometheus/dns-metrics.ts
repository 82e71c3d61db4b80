import "server-only";
import { withTimeout } from "@/server/timeout";
import { PrometheusError, prometheusTarget, queryInstant, queryRange, type Series } from "./client";
import { funnelQueries, JOBS, RCODES, TECHNITIUM_TARGETS, tierQueries, upstreamQueries, type Tier } from "./queries";
import { chooseWindow } from "./range";
import { buildFunnel } from "./funnel";
import { technitiumTiers } from "./technitium-tier";
import type { DnsMetrics, PanelName, PanelState, Point, TierSeries, UpstreamSeries } from "./types";

/**
 * Everything the Health page charts for one range: per tier and member the rates, cache hit ratio, rcode shares and
 * latency quantiles; CoreDNS's forward upstreams; the cache funnel. Each panel fails on its own (Prometheus down →
 * the Prometheus panels say why, Technitium's figures still come from the query-log rollups).
 */
const TECHNITIUM_PANEL_MS = 4000;
const points = (s: Series): Point[] => s.values.map(([t, v]) => [t, Number(v)] as Point).filter(([, v]) => Number.isFinite(v));
const fail = (err: unknown): PanelState =>
  err instanceof PrometheusError ? { ok: false, kind: err.kind, message: err.message } : { ok: false, kind: "error", message: err instanceof Error ? err.message : String(err) };

async function tier(tier: Tier, w: ReturnType<typeof chooseWindow>): Promise<TierSeries[]> {
  const qs = tierQueries(tier, w.rateWindow);
  const keys = Object.keys(qs);
  const results = await Promise.all(keys.map((k) => queryRange(qs[k], w)));
  const by = JOBS[tier].by;
  const members = new Map<string, TierSeries>();
  const member = (name: string) => {
    let m = members.get(name);
    if (!m) members.set(name, (m = { tier, member: name, qps: [], cacheHitRatio: [], rcodes: {}, latencyP50: [], latencyP99: [] }));
    return m;
  };
  keys.forEach((k, i) => {
    for (const s of results[i]) {
      const m = member(s.metric[by] ?? "?");
      if (k === "rcodes") m.rcodes[s.metric.rcode ?? "?"] = points(s);
      else (m as unknown as Record<string, Point[]>)[k] = points(s);
    }
  });
  for (const m of members.values()) {
    for (const rc of RCODES) m.rcodes[rc] ??= [];
    const lastT = m.qps.length ? m.qps[m.qps.length - 1][0] : 0;
    if (lastT < w.end - 2 * w.step) m.gone = true;
  }
  return [...members.values()].sort((a, b) => Number(!!a.gone) - Number(!!b.gone) || a.member.localeCompare(b.member));
}

async function upstreams(w: ReturnType<typeof chooseWindow>): Promise<UpstreamSeries[]> {
  const qs = upstreamQueries(w.rateWindow);
  const [rate, errors, hc] = await Promise.all([queryRange(qs.rate, w), queryRange(qs.errors, w), queryRange(qs.healthcheckFailures, w)]);
  const out = new Map<string, UpstreamSeries>();
  const get = (to: string) => out.get(to) ?? out.set(to, { to, rate: [], errors: [], healthcheckFailures: [], inUse: false }).get(to)!;
  for (const s of rate) get(s.metric.to).rate = points(s);
  for (const s of errors) get(s.metric.to).errors = points(s);
  for (const s of hc) get(s.metric.to).healthcheckFailures = points(s);
  const last = (p: Point[]) => (p.length && p[p.length - 1][0] >= w.end - 2 * w.step ? p[p.length - 1][1] : 0);
  const list = [...out.values()].sort((a, b) => a.to.localeCompare(b.to));
  // "in use" among the resolvers of the `.` forward (policy sequential); Technitium serves viktorbarzin.lan beside them
  const top = list.filter((u) => !TECHNITIUM_TARGETS.includes(u.to)).reduce<UpstreamSeries | null>((best, u) => (last(u.rate) > (best ? last(best.rate) : 0) ? u : best), null);
  if (top) top.inUse = true;
  return list;
}

/** `technitiumMs`: the query-log panel's deadline (the page's first render uses a short one and lets the client retry). */
export async function dnsMetrics(from: Date, to: Date, o: { technitiumMs?: number } = {}): Promise<DnsMetrics> {
  const w = chooseWindow(from, to);
  const target = prometheusTarget();
  const panels = {} as Record<PanelName, PanelState>;
  // Every panel is bounded: a slow source (Prometheus, or query logs while the rollups catch up) costs its own panel.
  const techMs = o.technitiumMs ?? TECHNITIUM_PANEL_MS;
  const deadline = (name: PanelName) => (name === "technitium" ? techMs : (target?.timeoutMs ?? 5000) + 500);
  const run = async <T>(name: PanelName, fn: () => Promise<T>, empty: T): Promise<T> => {
    const late = () =>
      new PrometheusError("timeout", name === "technitium" ? `the query logs did not answer within ${techMs / 1000} s (are the rollups catching up? see Query logs)` : `no answer within ${deadline(name)} ms`);
    try {
      const r = await withTimeout(fn(), deadline(name), late);
      panels[name] = { ok: true, source: name === "technitium" ? "querylogs" : "prometheus" };
      return r;
    } catch (err) {
      panels[name] = fail(err);
      return empty;
    }
  };
  const span = `${Math.max(60, Math.round((to.getTime() - from.getTime()) / 1000))}s`;
  const [nodelocal, coredns, ups, funnelRaw, technitium] = await Promise.all([
    run("nodelocal", () => tier("nodelocal", w), []),
    run("coredns", () => tier("coredns", w), []),
    run("upstreams", () => upstreams(w), []),
    run(
      "funnel",
      async () => {
        const qs = funnelQueries(span);
        const keys = Object.keys(qs);
        const res = await Promise.all(keys.map((k) => queryInstant(qs[k], w.end)));
        return Object.fromEntries(keys.map((k, i) => [k, res[i]]));
      },
      null,
    ),
    run("technitium", () => technitiumTiers(from, to), { tiers: [], byType: {} }),
  ]);
  return {
    from: new Date(w.start * 1000).toISOString(),
    to: new Date(w.end * 1000).toISOString(),
    step: w.step,
    tiers: [...nodelocal, ...coredns, ...technitium.tiers],
    upstreams: ups,
    funnel: funnelRaw ? buildFunnel(funnelRaw, technitium.byType) : null,
    panels,
    prometheusConfigured: !!target,
  };
}
