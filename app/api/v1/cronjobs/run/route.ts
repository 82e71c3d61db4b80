import { z } from "zod";
import { runCronJobNow } from "@/server/cronjobs/jobs";
import { route } from "@/server/http/guard";

const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/).max(253);

// POST /api/v1/cronjobs/run – create a Job from a CronJob like `kubectl create job --from=cronjob/…`; body {namespace, name}
export const POST = route({ role: "operator", action: "cronjobs.run", input: z.object({ namespace: name.max(63), name }) }, async ({ input, setTarget }) => {
  setTarget(`cronjob ${input.namespace}/${input.name}`);
  const r = await runCronJobNow(input.namespace, input.name);
  setTarget(`cronjob ${input.namespace}/${input.name} → job ${r.job}`);
  return r;
});
