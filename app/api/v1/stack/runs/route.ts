import { route } from "@/server/http/guard";
import { listApplyRuns } from "@/server/stack/run-verbs";

// GET /api/v1/stack/runs – apply/rollback history, newest first, paged with ?before=<id>&limit=
export const dynamic = "force-dynamic";

export const GET = route(listApplyRuns);
