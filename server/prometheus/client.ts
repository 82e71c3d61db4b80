import "server-only";
import { env } from "@/server/env";

/**
 * The one door to Prometheus's HTTP API (2.42): `/api/v1/query`, `/api/v1/query_range`, `/api/v1/rules`,
 * `/api/v1/alerts`. Its own timeout (PROMETHEUS_TIMEOUT_MS, also sent as the query's `timeout`), and one typed error
 * that says which kind of failure it was so each Health panel can say it in words. Nothing else calls fetch on
 * Prometheus.
 */
export type PrometheusFailure = "not_configured" | "unreachable" | "timeout" | "not_ready" | "bad_query" | "server_error" | "bad_response";

export class PrometheusError extends Error {
  constructor(
    readonly kind: PrometheusFailure,
    message: string,
  ) {
    super(message);
    this.name = "PrometheusError";
  }
}

export const PROMETHEUS_NOT_CONFIGURED = "Prometheus is not configured: set PROMETHEUS_URL to the Prometheus that scrapes CoreDNS (:9153) and NodeLocal DNSCache (:9253). Query-log figures and Technitium's own dashboard numbers are shown without it.";

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
export interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

interface Envelope<T> {
  status: "success" | "error";
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export interface PrometheusTarget {
  url: string;
  timeoutMs: number;
}

export function prometheusTarget(): PrometheusTarget | null {
  const e = env();
  return e.PROMETHEUS_URL ? { url: e.PROMETHEUS_URL, timeoutMs: e.PROMETHEUS_TIMEOUT_MS } : null;
}

/** GET (or form POST) one API path and unwrap the envelope. */
export async function callPrometheus<T>(path: string, params: Record<string, string> = {}, target = prometheusTarget()): Promise<T> {
  if (!target) throw new PrometheusError("not_configured", PROMETHEUS_NOT_CONFIGURED);
  const where = `Prometheus at ${target.url}`;
  let res: Response;
  try {
    const body = new URLSearchParams(params);
    res = await fetch(`${target.url}${path}`, {
      method: Object.keys(params).length ? "POST" : "GET",
      headers: Object.keys(params).length ? { "content-type": "application/x-www-form-urlencoded" } : undefined,
      body: Object.keys(params).length ? body : undefined,
      signal: AbortSignal.timeout(target.timeoutMs),
      cache: "no-store",
    });
  } catch (err) {
    const e = err as Error;
    if (e.name === "TimeoutError" || e.name === "AbortError") throw new PrometheusError("timeout", `${where} did not answer within ${target.timeoutMs} ms (PROMETHEUS_TIMEOUT_MS)`);
    throw new PrometheusError("unreachable", `${where} is unreachable (${(e.cause as Error | undefined)?.message ?? e.message}); check PROMETHEUS_URL and that it runs`);
  }
  const text = await res.text();
  let env: Envelope<T> | null = null;
  try {
    env = JSON.parse(text) as Envelope<T>;
  } catch {
    /* plain text: not ready, a proxy's error page… */
  }
  if (!env) {
    if (res.status === 503) throw new PrometheusError("not_ready", `${where} is starting up (503 Service Unavailable); try again shortly`);
    throw new PrometheusError("bad_response", `${where} answered HTTP ${res.status} without the API's JSON (is PROMETHEUS_URL the Prometheus server itself?)`);
  }
  if (env.status !== "success") {
    const msg = `${where}: ${env.errorType ?? "error"}: ${(env.error ?? "").slice(0, 300)}`;
    if (env.errorType === "timeout" || env.errorType === "canceled") throw new PrometheusError("timeout", msg);
    if (env.errorType === "bad_data" || env.errorType === "execution") throw new PrometheusError("bad_query", msg);
    throw new PrometheusError("server_error", msg);
  }
  return env.data as T;
}

const seconds = (ms: number) => `${Math.max(0.2, ms / 1000)}s`;

export async function queryRange(expr: string, r: { start: number; end: number; step: number }, target = prometheusTarget()): Promise<Series[]> {
  const data = await callPrometheus<{ resultType: string; result: Series[] }>(
    "/api/v1/query_range",
    { query: expr, start: String(r.start), end: String(r.end), step: String(r.step), timeout: seconds(target?.timeoutMs ?? 5000) },
    target,
  );
  if (data.resultType !== "matrix") throw new PrometheusError("bad_response", `query_range returned ${data.resultType}, not a matrix`);
  return data.result;
}

export async function queryInstant(expr: string, time?: number, target = prometheusTarget()): Promise<Sample[]> {
  const params: Record<string, string> = { query: expr, timeout: seconds(target?.timeoutMs ?? 5000) };
  if (time !== undefined) params.time = String(time);
  const data = await callPrometheus<{ resultType: string; result: Sample[] }>("/api/v1/query", params, target);
  if (data.resultType !== "vector") throw new PrometheusError("bad_response", `query returned ${data.resultType}, not a vector`);
  return data.result;
}

export interface RuleGroup {
  name: string;
  file: string;
  rules: AlertingRule[];
}
export interface AlertingRule {
  type: "alerting" | "recording";
  name: string;
  query: string;
  state?: "inactive" | "pending" | "firing";
  duration?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  alerts?: { labels: Record<string, string>; annotations: Record<string, string>; state: string; activeAt?: string; value: string }[];
  health: string;
  lastError?: string;
  lastEvaluation?: string;
}

export async function alertingRules(target = prometheusTarget()): Promise<RuleGroup[]> {
  const data = await callPrometheus<{ groups: RuleGroup[] }>("/api/v1/rules?type=alert", {}, target);
  return data.groups;
}

export interface ActiveAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
  value: string;
}

export async function activeAlerts(target = prometheusTarget()): Promise<ActiveAlert[]> {
  return (await callPrometheus<{ alerts: ActiveAlert[] }>("/api/v1/alerts", {}, target)).alerts;
}
