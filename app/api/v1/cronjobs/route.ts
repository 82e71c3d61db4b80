import { z } from "zod";
import { listCronJobs } from "@/server/cronjobs/jobs";
import { route } from "@/server/http/guard";

// GET /api/v1/cronjobs – the stack's CronJobs (technitium namespace unless ?namespace) with their last runs and outcomes
export const GET = route({ role: "viewer", action: "cronjobs.list", input: z.object({ namespace: z.string().regex(/^[a-z0-9-]{1,63}$/).optional() }) }, ({ input }) =>
  listCronJobs(input.namespace),
);
