import { route } from "@/server/http/guard";
import { listSyncRuns } from "@/server/sync/verbs";

// GET /api/v1/sync/runs – sync run history, newest first; ?kind&page&pageSize
export const GET = route(listSyncRuns);
