import { route } from "@/server/http/guard";
import { readDnsMetrics } from "@/server/prometheus/verbs";

// GET /api/v1/metrics/dns?range=1h | ?from&to – per-tier rates, cache hit ratio, rcode shares, latency, upstreams and the cache funnel (server-chosen step)
export const dynamic = "force-dynamic";

export const GET = route(readDnsMetrics);
