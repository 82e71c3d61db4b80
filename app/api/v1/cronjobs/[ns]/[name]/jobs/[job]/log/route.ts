import { z } from "zod";
import { jobLogStream, jobStatus } from "@/server/cronjobs/jobs";
import { route } from "@/server/http/guard";

const seg = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/).max(253);

// GET /api/v1/cronjobs/:ns/:name/jobs/:job/log – the Job's pod log, streamed as text/plain (follows while it runs); ?status=1 for the Job state as JSON
export const GET = route(
  { role: "viewer", action: "cronjobs.log", input: z.object({ ns: seg, name: seg, job: seg, status: z.string().optional() }) },
  async ({ input }) => {
    if (input.status) return jobStatus(input.ns, input.name, input.job);
    const stream = await jobLogStream(input.ns, input.name, input.job);
    return new Response(stream, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" } });
  },
);
