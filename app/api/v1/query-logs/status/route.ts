import { route } from "@/server/http/guard";
import { queryLogStatus } from "@/server/querylogs/service";

// GET /api/v1/query-logs/status – is the query-log database configured and reachable, newest row, rollup watermark and lag
export const GET = route(queryLogStatus);
