import { listStackCronJobs } from "@/server/cronjobs/verbs";
import { route } from "@/server/http/guard";

// GET /api/v1/cronjobs – the stack's CronJobs (technitium namespace unless ?namespace) with their last runs and outcomes
export const GET = route(listStackCronJobs);
