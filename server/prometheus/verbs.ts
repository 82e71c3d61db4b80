import "server-only";
import { describeDbError } from "@/server/db/client";
import { technitiumDashboard } from "@/server/technitium/dashboard";
import { verb } from "@/server/verb";
import { listAlerts } from "./alerts";
import { dnsMetrics } from "./dns-metrics";
import { rangeSchema } from "./schemas";
import { healthSummary } from "./summary";
import { timeline } from "./timeline";

/** The Health verbs (viewer, read-only): per-tier metrics, alert rules with state, the change timeline, Technitium's dashboard. */
export const readDnsMetrics = verb({ name: "metrics.dns", role: "viewer", input: rangeSchema }, (_ctx, input) => dnsMetrics(input.from, input.to));

/** The Health page's first paint: a slow query-log panel gets a short deadline; the client fetches it again. */
export const readHealthPage = verb({ name: "health.page", role: "viewer", input: rangeSchema }, async (_ctx, { from, to }) => {
  const [metrics, alerts, tl] = await Promise.all([dnsMetrics(from, to, { technitiumMs: 1200 }), listAlerts(), timelineOrEmpty(from, to)]);
  return { metrics, alerts, timeline: tl };
});

export const readAlerts = verb({ name: "alerts.list", role: "viewer" }, () => listAlerts());

export const readTimeline = verb({ name: "timeline.list", role: "viewer", input: rangeSchema }, (_ctx, input) => timeline(input.from, input.to));

export const readTechnitiumDashboard = verb({ name: "technitium.dashboard", role: "viewer" }, async () => ({ instances: await technitiumDashboard() }));

export const readHealthSummary = verb({ name: "health.summary", role: "viewer" }, () => healthSummary());

/** A database outage leaves the charts without markers, and says so. */
async function timelineOrEmpty(from: Date, to: Date) {
  try {
    return await timeline(from, to);
  } catch (err) {
    return { markers: [], truncated: false, error: describeDbError(err) };
  }
}
