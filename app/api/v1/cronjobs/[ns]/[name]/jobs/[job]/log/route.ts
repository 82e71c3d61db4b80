import { cronJobLog } from "@/server/cronjobs/verbs";
import { route } from "@/server/http/guard";

// GET /api/v1/cronjobs/:ns/:name/jobs/:job/log – the Job's pod log, streamed as text/plain (follows while it runs); ?status=1 for the Job state as JSON
export const GET = route(cronJobLog);
