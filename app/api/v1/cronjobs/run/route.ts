import { runCronJob } from "@/server/cronjobs/verbs";
import { route } from "@/server/http/guard";

// POST /api/v1/cronjobs/run – create a Job from a CronJob like `kubectl create job --from=cronjob/…`; body {namespace, name}
export const POST = route(runCronJob);
