import { route } from "@/server/http/guard";
import { queryLogStats } from "@/server/querylogs/service";

// GET /api/v1/query-logs/stats – series by response type/instance, NXDOMAIN/SERVFAIL, top names/clients/blocked, RTT percentiles (same filters + bucket)
export const GET = route(queryLogStats);
