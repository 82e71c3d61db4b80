import { route } from "@/server/http/guard";
import { exportQueryLogs } from "@/server/querylogs/service";

// GET /api/v1/query-logs/export – every row matching the filters as CSV or NDJSON (?format=csv|ndjson), streamed, no row limit, each with the client its address was at the row's time; audited
export const GET = route(exportQueryLogs);
