import "server-only";
import { technitiumDashboard } from "@/server/technitium/dashboard";
import { listAlerts } from "./alerts";
import { dnsMetrics } from "./dns-metrics";
import { rangeSchema, type RangeInput } from "./schemas";
import { timeline } from "./timeline";

/**
 * The Health verbs, each a spec (name, role, input) and a body taking the caller's context first — the shape of the
 * verb factory (server/verb.ts on the trust work): once it lands these become `verb(spec, body)` and the routes
 * `route(verb)`. Until then the routes pass the spec to today's `route()` and call the body.
 */
export const metricsDnsSpec = { name: "metrics.dns", role: "viewer", input: rangeSchema } as const;
export const alertsSpec = { name: "alerts.list", role: "viewer" } as const;
export const timelineSpec = { name: "timeline.list", role: "viewer", input: rangeSchema } as const;
export const technitiumDashboardSpec = { name: "technitium.dashboard", role: "viewer" } as const;

export const readDnsMetrics = async (_ctx: unknown, input: RangeInput) => dnsMetrics(input.from, input.to);
export const readAlerts = async (_ctx: unknown) => listAlerts();
export const readTimeline = async (_ctx: unknown, input: RangeInput) => timeline(input.from, input.to);
export const readTechnitiumDashboard = async (_ctx: unknown) => ({ instances: await technitiumDashboard() });
