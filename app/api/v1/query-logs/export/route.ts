import { route } from "@/server/http/guard";
import { exportSchema } from "@/server/querylogs/schemas";
import { exportLogs } from "@/server/querylogs/service";

// GET /api/v1/query-logs/export – every row matching the filters as CSV or NDJSON (?format=csv|ndjson), streamed, no row limit; audited
export const GET = route({ role: "viewer", action: "querylogs.export", input: exportSchema }, ({ input, identity, setTarget }) => {
  setTarget("dns_logs");
  return exportLogs(input, identity);
});
