import "server-only";
import { z } from "zod";
import { k8sLabelName, k8sName } from "@/k8s/schemas";
import { verb } from "@/server/verb";
import { jobLogStream, jobStatus, listCronJobs, runCronJobNow } from "./jobs";

/** The stack's CronJobs: list (viewer), "Run now" (operator, audited before the Job is created), a Job's log. */

export const listStackCronJobs = verb({ name: "cronjobs.list", role: "viewer", input: z.object({ namespace: k8sLabelName.optional() }) }, (_ctx, input) =>
  listCronJobs(input.namespace),
);

export const runCronJob = verb({ name: "cronjobs.run", role: "operator", audit: true, input: z.object({ namespace: k8sLabelName, name: k8sName }) }, async (_ctx, input, t) => {
  t.target(`cronjob ${input.namespace}/${input.name}`);
  const r = await runCronJobNow(input.namespace, input.name);
  t.target(`cronjob ${input.namespace}/${input.name} → job ${r.job}`);
  return r;
});

/** The Job's pod log as text/plain (follows while it runs); `status=1` for the Job state as JSON. */
export const cronJobLog = verb(
  { name: "cronjobs.log", role: "viewer", input: z.object({ ns: k8sLabelName, name: k8sName, job: k8sName, status: z.enum(["1", "true"]).optional() }) },
  async (_ctx, input) => {
    if (input.status) return jobStatus(input.ns, input.name, input.job);
    const stream = await jobLogStream(input.ns, input.name, input.job);
    return new Response(stream, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" } });
  },
);
