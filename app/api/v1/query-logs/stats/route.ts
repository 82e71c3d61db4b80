import { route } from "@/server/http/guard";
import { queryLogStats } from "@/server/querylogs/service";

// GET /api/v1/query-logs/stats – series by response type/instance, NXDOMAIN/SERVFAIL, top names/clients/blocked, RTT percentiles per instance (rtt) and over all of them (rttAll) (same filters + bucket;
// parts=series,top,rtt picks the panels, lists=names,clients,blocked the top lists read)
export const GET = route(queryLogStats);
